/*
 * pool.c — connection slots for point lookups (getpwnam_r & co).
 *
 * An SQLite connection opened NOMUTEX must be used by one thread at a time;
 * one connection behind one mutex would serialise every thread of a host.
 * So there are LDI_NSLOTS slots, each a mutex and its own connections. A
 * thread tries the slots with trylock starting at a slot chosen by hashing
 * its thread id (so a thread tends to reuse a warm slot) and blocks on its
 * home slot only when all are busy. Connections and prepared statements
 * live across calls; a slot's connection is opened lazily on first use, so
 * a process that never looks anything up pays nothing.
 *
 * Lock order (see fork.c): enumeration locks, then slot 0..N-1, then dir.
 */
#include <stdint.h>
#include <string.h>

#include "ldapidm.h"

static struct ldi_slot slots[LDI_NSLOTS] = {
	[0 ... LDI_NSLOTS - 1] = { .mu = PTHREAD_MUTEX_INITIALIZER },
};

static struct ldi_slot *acquire(void)
{
	uint64_t h = (uint64_t)(uintptr_t)pthread_self();
	unsigned home;

	/* pthread_t is the thread's control block address; thread stacks are
	 * megabytes apart, so mix the high bits down. */
	h = (h >> 12) * 0x9E3779B97F4A7C15ULL;
	home = (unsigned)(h >> 32) % LDI_NSLOTS;
	for (unsigned i = 0; i < LDI_NSLOTS; i++) {
		struct ldi_slot *s = &slots[(home + i) % LDI_NSLOTS];
		if (pthread_mutex_trylock(&s->mu) == 0)
			return s;
	}
	pthread_mutex_lock(&slots[home].mu);
	return &slots[home];
}

/* One lookup: query q with ?1 bound to text (when not NULL) or num, its
 * rows handed to fn with ctx. */
struct plan {
	enum ldi_query q;
	const char *text;
	long long num;
	ldi_row_fn fn;
	void *ctx;
};

/* Binds ?1 and steps. With each == 0 the first row goes to fn and the
 * result is fn's (or LDI_ABSENT without a row). With each != 0 every row
 * goes to fn: LDI_FOUND continues, LDI_ABSENT stops early with success,
 * anything else stops with that outcome; the walk itself yields LDI_FOUND.
 * v3, when not NULL, replaces p on a version 3 file: which plan applies is
 * known only once the slot's connection is open, under the slot's lock.
 * Both plans read the same file. */
static enum ldi_outcome run(const struct plan *p, const struct plan *v3, int each)
{
	enum ldi_file f = ldi_query_file(p->q);
	struct ldi_slot *s;
	struct ldi_conn *c;
	sqlite3_stmt *st;
	enum ldi_outcome o;
	int rc;

	if (ldi_enter() != 0)
		return LDI_UNAVAIL;
	s = acquire();
	c = &s->conn[f];
	o = ldi_conn_ready(c, f, LDI_CHECK_WINDOWED);
	if (o != LDI_FOUND)
		goto out;
	if (v3 != NULL && c->version >= 3)
		p = v3;
	st = ldi_conn_stmt(c, p->q, &rc);
	if (st == NULL) {
		o = ldi_sqlite_outcome(rc);
		goto out;
	}
	rc = p->text != NULL ? sqlite3_bind_text(st, 1, p->text, -1, SQLITE_STATIC) : sqlite3_bind_int64(st, 1, p->num);
	if (rc != SQLITE_OK) {
		o = ldi_sqlite_outcome(rc);
		goto reset;
	}
	o = each ? LDI_FOUND : LDI_ABSENT;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		enum ldi_outcome r = p->fn(st, p->ctx);
		if (!each) {
			o = r;
			break;
		}
		if (r != LDI_FOUND) {
			o = r == LDI_ABSENT ? LDI_FOUND : r;
			break;
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		o = ldi_sqlite_outcome(rc);
reset:
	/* Reset before unlocking: column pointers die here, and the statement
	 * must not keep a read transaction open on this generation. The key was
	 * bound SQLITE_STATIC; every use rebinds ?1 before stepping. */
	sqlite3_reset(st);
out:
	pthread_mutex_unlock(&s->mu);
	return o;
}

enum ldi_outcome ldi_lookup_text(enum ldi_query q, const char *key, ldi_row_fn fn, void *ctx)
{
	const struct plan p = { q, key, 0, fn, ctx };

	return run(&p, NULL, 0);
}

enum ldi_outcome ldi_lookup_int(enum ldi_query q, long long key, ldi_row_fn fn, void *ctx)
{
	const struct plan p = { q, NULL, key, fn, ctx };

	return run(&p, NULL, 0);
}

enum ldi_outcome ldi_lookup_each(enum ldi_query q, const char *key, ldi_row_fn fn, void *ctx)
{
	const struct plan p = { q, key, 0, fn, ctx };

	return run(&p, NULL, 1);
}

/* A version 3 cache.db has no index on passwd.name: the name's bucket in
 * passwd_name (ldapidm.h) is one integer-key descent, and the bucket walk
 * compares names. 100,000 users, 1,000 warm hits of one user (callgrind):
 * ~8,700-9,100 instructions per call on version 2, ~5,000-5,400 on
 * version 3 (more in c/README.md). The hash is computed before the slot
 * is taken, keeping the locked section short; on a version 1 or 2 file
 * it goes unused (a few ns). */
enum ldi_outcome ldi_lookup_pwnam(const char *name, struct ldi_pw_out *out)
{
	size_t n = strlen(name);
	struct ldi_pw_key k = { name, n, 0, out };
	const struct plan rows = { LDI_Q_PWNAM, name, 0, ldi_pack_pw, out };
	const struct plan bucket = { LDI_Q_PWHASH, NULL, (long long)(sqlite3_int64)ldi_name_hash(name, n),
				     ldi_bucket_pw, &k };

	return run(&rows, &bucket, 0);
}

/* A version 3 cache.db has no index on passwd.uid either: the uid's bucket
 * in passwd_uid is one integer-key descent where the uid index's descent
 * was followed by one of the passwd table, and the same walker as names
 * (ldi_bucket_pw) matches the uid. Numbers in c/README.md. The caller has
 * turned (uid_t)-1 away; every other uid_t fits the int64 key as is. */
enum ldi_outcome ldi_lookup_pwuid(uint32_t uid, struct ldi_pw_out *out)
{
	struct ldi_pw_key k = { NULL, 0, uid, out };
	const struct plan rows = { LDI_Q_PWUID, NULL, uid, ldi_pack_pw, out };
	const struct plan bucket = { LDI_Q_PWUIDBKT, NULL, uid, ldi_bucket_pw, &k };

	return run(&rows, &bucket, 0);
}

void ldi_pool_lock_all(void)
{
	for (int i = 0; i < LDI_NSLOTS; i++)
		pthread_mutex_lock(&slots[i].mu);
}

void ldi_pool_unlock_all(void)
{
	for (int i = LDI_NSLOTS - 1; i >= 0; i--)
		pthread_mutex_unlock(&slots[i].mu);
}
