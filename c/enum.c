/*
 * enum.c — setXXent / getXXent_r / endXXent, one state per map.
 *
 * Each map's walk has its own mutex and its own connection, separate from
 * the lookup slots, and never re-validates it mid-walk (LDI_CHECK_NEVER):
 * one enumeration sees one generation even if a publish happens meanwhile.
 * Rows come in rowid order (the order the writer inserted). The statement
 * stays on a row until that row is delivered, so a retry after ERANGE
 * returns the same entry. The last delivered rowid is remembered, so that a
 * walk whose connection had to be reopened (in a forked child) resumes after
 * it rather than starting over. The walk's connection keeps a small page
 * cache (LDI_WALK_CACHE_KIB): a sequential scan never revisits a page.
 */
#include "ldapidm.h"

struct walk {
	pthread_mutex_t mu;
	struct ldi_conn conn;
	int active;           /* a walk was started (setent or first getent) */
	int done;             /* stepped past the last row */
	int pending;          /* the statement is on a row not yet delivered */
	int bound;            /* the statement is bound for conn's serial... */
	unsigned serial;      /* ...this one */
	sqlite3_int64 last_id; /* rowid of the last row delivered */
};

static struct walk walks[LDI_NMAPS] = {
	[0 ... LDI_NMAPS - 1] = { .mu = PTHREAD_MUTEX_INITIALIZER },
};

static const enum ldi_query walk_query[LDI_NMAPS] = { LDI_Q_PWENT, LDI_Q_GRENT, LDI_Q_SPENT };

/* Back to "no row delivered yet". The statement is reset and rebound by the
 * next ldi_enum_next (bound = 0), not here: after a fork this connection may
 * be the parent's, which ldi_conn_ready closes without using. Caller holds
 * w->mu. */
static void walk_rewind(struct walk *w, int active)
{
	w->active = active;
	w->done = 0;
	w->pending = 0;
	w->bound = 0;
	w->last_id = 0;
}

/* Starts a walk from the first row on the newest generation. Caller holds
 * w->mu. */
static enum ldi_outcome walk_start(struct walk *w, enum ldi_map m)
{
	walk_rewind(w, 1);
	return ldi_conn_ready(&w->conn, ldi_query_file(walk_query[m]), LDI_CHECK_NOW);
}

enum ldi_outcome ldi_enum_set(enum ldi_map m)
{
	struct walk *w = &walks[m];
	enum ldi_outcome o;

	if (ldi_enter() != 0)
		return LDI_UNAVAIL;
	pthread_mutex_lock(&w->mu);
	o = walk_start(w, m);
	pthread_mutex_unlock(&w->mu);
	return o;
}

enum ldi_outcome ldi_enum_next(enum ldi_map m, ldi_row_fn fn, void *ctx)
{
	struct walk *w = &walks[m];
	enum ldi_query q = walk_query[m];
	enum ldi_outcome o;
	sqlite3_stmt *st;
	int rc;

	if (ldi_enter() != 0)
		return LDI_UNAVAIL;
	pthread_mutex_lock(&w->mu);
	if (!w->active) {
		/* getXXent_r without setXXent starts a walk, as glibc expects. */
		o = walk_start(w, m);
		if (o != LDI_FOUND)
			goto out;
	}
	if (w->done) {
		o = LDI_ABSENT;
		goto out;
	}
	o = ldi_conn_ready(&w->conn, ldi_query_file(q), LDI_CHECK_NEVER);
	if (o != LDI_FOUND)
		goto out;
	st = ldi_conn_stmt(&w->conn, q, &rc);
	if (st == NULL) {
		o = ldi_sqlite_outcome(rc);
		goto out;
	}
	if (!w->bound || w->serial != w->conn.serial) {
		/* A fresh statement (first call, or the connection was reopened):
		 * continue after the last row delivered. */
		sqlite3_reset(st);
		/* A walk reads each page once, in order: a small page cache
		 * recycles its pages instead of allocating (and faulting in,
		 * and freeing at endXXent) one per page of the table. Measured
		 * at 100,000 users (setpwent..endpwent, best of 20): 8 MiB
		 * (the lookup default) 30.9 ms, 2 MiB 28.4, 512 KiB 26.4,
		 * 256 KiB 26.6 (23.3 with the pack.c change), 128 KiB 26.6. */
		rc = sqlite3_exec(w->conn.db, "PRAGMA cache_size = -" LDI_STR(LDI_WALK_CACHE_KIB), NULL, NULL, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_bind_int64(st, 1, w->last_id);
		if (rc != SQLITE_OK) {
			o = ldi_sqlite_outcome(rc);
			goto out;
		}
		w->bound = 1;
		w->serial = w->conn.serial;
		w->pending = 0;
	}
	if (!w->pending) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(st);
			w->done = 1;
			o = LDI_ABSENT;
			goto out;
		}
		if (rc != SQLITE_ROW) {
			/* Rebind from last_id on the next call. */
			w->bound = 0;
			o = ldi_sqlite_outcome(rc);
			goto out;
		}
		w->pending = 1;
	}
	o = fn(st, ctx);
	if (o == LDI_FOUND) {
		w->last_id = sqlite3_column_int64(st, sqlite3_column_count(st) - 1);
		w->pending = 0;
	} else if (o != LDI_ERANGE) {
		/* A row we cannot read: the cache is not trustworthy. Skip past it
		 * would hide corruption; end the walk with UNAVAIL instead. */
		w->pending = 0;
		w->done = 1;
		sqlite3_reset(st);
	}
out:
	pthread_mutex_unlock(&w->mu);
	return o;
}

void ldi_enum_end(enum ldi_map m)
{
	struct walk *w = &walks[m];

	/* Inside our own fork (see fork.c): leave the walk as it is. */
	if (ldi_enter() != 0)
		return;
	pthread_mutex_lock(&w->mu);
	/* Release the generation: a long-lived process must not pin an old,
	 * already replaced file (and its mmap) after its walk. */
	ldi_conn_close(&w->conn);
	walk_rewind(w, 0);
	pthread_mutex_unlock(&w->mu);
}

void ldi_enum_lock_all(void)
{
	for (int i = 0; i < LDI_NMAPS; i++)
		pthread_mutex_lock(&walks[i].mu);
}

void ldi_enum_unlock_all(void)
{
	for (int i = LDI_NMAPS - 1; i >= 0; i--)
		pthread_mutex_unlock(&walks[i].mu);
}
