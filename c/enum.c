/*
 * enum.c — setXXent / getXXent_r / endXXent, one state per map.
 *
 * Each map's walk has its own mutex and its own connection, separate from
 * the lookup slots, and never re-validates it mid-walk (LDI_CHECK_NEVER):
 * one enumeration sees one generation even if a publish happens meanwhile.
 * The walk cannot deliver a row twice or skip one: an entry counts as
 * delivered only once the caller's buffer took it, so a retry after ERANGE
 * returns the same entry.
 *
 * How a walk reads depends on the connection's schema version:
 *  - versions 2 and 3 (blocks): the map's packed blocks (format in
 *    ldapidm.h) in id order; the statement stays on the current block
 *    while its entries are handed out one by one, straight from the blob
 *    (pack.c: ldi_unpack_*). This is what makes a full getpwent walk cost
 *    about what a flat file costs, rather than SQLite's per-row,
 *    per-column price. The position is (block id, entries of it
 *    delivered, byte offset). Version 3 changes only getpwnam_r.
 *  - version 1 (rows): the rows in rowid order, one step per entry. The
 *    position is the last rowid delivered.
 * Either position lets a walk whose connection had to be reopened (in a
 * forked child) resume where it stopped rather than start over. If the
 * reopened file has another version (upgraded meanwhile), the walk ends
 * with UNAVAIL rather than guess (also from 2 to 3, whose blocks are
 * alike: an upgrade mid-walk is rare and a walk is cheap to restart).
 *
 * The walk's connection keeps a small page cache (LDI_WALK_CACHE_KIB): a
 * sequential scan never revisits a page.
 */
#include "ldapidm.h"

struct walk {
	pthread_mutex_t mu;
	struct ldi_conn conn;
	int active;            /* a walk was started (setent or first getent) */
	int done;              /* stepped past the last row or block */
	int pending;           /* the statement is on a row (v1) or block (v2)
	                        * not yet fully delivered */
	int bound;             /* the statement is bound for conn's serial... */
	unsigned serial;       /* ...this one */
	int version;           /* format the position below is in; 0: none yet */
	sqlite3_int64 last_id; /* v1: rowid of the last row delivered;
	                        * v2: id of the block being delivered */
	/* v2 only, valid while pending: the block's blob (owned by the
	 * statement: valid until the next step or reset), its size, its entry
	 * count, entries delivered, offset of the next one. */
	const unsigned char *data;
	size_t size, off;
	uint32_t count, idx;
};

static struct walk walks[LDI_NMAPS] = {
	[0 ... LDI_NMAPS - 1] = { .mu = PTHREAD_MUTEX_INITIALIZER },
};

static const enum ldi_query row_query[LDI_NMAPS] = { LDI_Q_PWENT, LDI_Q_GRENT, LDI_Q_SPENT };
static const enum ldi_query blk_query[LDI_NMAPS] = { LDI_Q_PWBLK, LDI_Q_GRBLK, LDI_Q_SPBLK };
static const ldi_blk_fn blk_fn[LDI_NMAPS] = { ldi_unpack_pw, ldi_unpack_gr, ldi_unpack_sp };

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
	w->version = 0;
	w->last_id = 0;
	w->idx = 0;
}

/* Starts a walk from the first row on the newest generation. Caller holds
 * w->mu. */
static enum ldi_outcome walk_start(struct walk *w, enum ldi_map m)
{
	walk_rewind(w, 1);
	return ldi_conn_ready(&w->conn, ldi_query_file(row_query[m]), LDI_CHECK_NOW);
}

/* Ends the walk on something the cache should not contain: skipping past
 * it would hide corruption. Caller holds w->mu. */
static enum ldi_outcome walk_fail(struct walk *w, sqlite3_stmt *st)
{
	w->pending = 0;
	w->done = 1;
	sqlite3_reset(st);
	return LDI_UNAVAIL;
}

/* Loads the block the statement is on. When it is the block the position
 * names (a resumed walk), the entries already delivered are checked and
 * passed over; a block with another id starts at its first entry. */
static enum ldi_outcome block_load(struct walk *w, enum ldi_map m, sqlite3_stmt *st)
{
	sqlite3_int64 id = sqlite3_column_int64(st, 1);
	const unsigned char *data;
	int n;

	if (sqlite3_column_type(st, 0) != SQLITE_BLOB)
		return LDI_UNAVAIL;
	data = sqlite3_column_blob(st, 0);
	n = sqlite3_column_bytes(st, 0);
	if (data == NULL || n < 4)
		return LDI_UNAVAIL;
	w->data = data;
	w->size = (size_t)n;
	w->off = 4;
	w->count = ldi_blk_count(data);
	if (w->count == 0)
		return LDI_UNAVAIL;
	if (id != w->last_id) {
		w->last_id = id;
		w->idx = 0;
	}
	for (uint32_t k = 0; k < w->idx && k < w->count; k++) {
		size_t used;
		if (blk_fn[m](w->data + w->off, w->size - w->off, &used, NULL) != LDI_FOUND)
			return LDI_UNAVAIL;
		w->off += used;
	}
	return LDI_FOUND;
}

/* Steps the walk's statement: 1 with a row ready, else 0 with *o set —
 * ABSENT at the end (the walk is done), or the SQLite error's outcome, after
 * which the statement is re-bound from the walk's position on the next
 * call. Caller holds w->mu. */
static int walk_step(struct walk *w, sqlite3_stmt *st, enum ldi_outcome *o)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE) {
		sqlite3_reset(st);
		w->done = 1;
		*o = LDI_ABSENT;
	} else {
		w->bound = 0;
		*o = ldi_sqlite_outcome(rc);
	}
	return 0;
}

/* One entry from the blocks. Caller holds w->mu; the statement is bound. */
static enum ldi_outcome next_block(struct walk *w, enum ldi_map m, sqlite3_stmt *st, void *ctx)
{
	enum ldi_outcome o;
	size_t used;

	for (;;) {
		if (!w->pending) {
			if (!walk_step(w, st, &o))
				return o;
			if (block_load(w, m, st) != LDI_FOUND)
				return walk_fail(w, st);
			w->pending = 1;
		}
		if (w->idx < w->count)
			break;
		/* Block finished: it must end exactly after its last entry. */
		if (w->off != w->size)
			return walk_fail(w, st);
		w->pending = 0;
	}
	o = blk_fn[m](w->data + w->off, w->size - w->off, &used, ctx);
	if (o == LDI_FOUND) {
		w->off += used;
		w->idx++;
	} else if (o != LDI_ERANGE) {
		o = walk_fail(w, st);
	}
	return o;
}

/* One entry from the rows. Caller holds w->mu; the statement is bound. */
static enum ldi_outcome next_row(struct walk *w, sqlite3_stmt *st, ldi_row_fn fn, void *ctx)
{
	enum ldi_outcome o;

	if (!w->pending) {
		if (!walk_step(w, st, &o))
			return o;
		w->pending = 1;
	}
	o = fn(st, ctx);
	if (o == LDI_FOUND) {
		w->last_id = sqlite3_column_int64(st, sqlite3_column_count(st) - 1);
		w->pending = 0;
	} else if (o != LDI_ERANGE) {
		o = walk_fail(w, st);
	}
	return o;
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
	enum ldi_query q;
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
	o = ldi_conn_ready(&w->conn, ldi_query_file(row_query[m]), LDI_CHECK_NEVER);
	if (o != LDI_FOUND)
		goto out;
	q = w->conn.version >= 2 ? blk_query[m] : row_query[m];
	st = ldi_conn_stmt(&w->conn, q, &rc);
	if (st == NULL) {
		o = ldi_sqlite_outcome(rc);
		goto out;
	}
	if (!w->bound || w->serial != w->conn.serial) {
		/* A fresh statement (first call, or the connection was reopened):
		 * continue from the position, which must be in this file's
		 * format (or none yet). */
		if (w->version != 0 && w->version != w->conn.version) {
			w->done = 1;
			o = LDI_UNAVAIL;
			goto out;
		}
		w->version = w->conn.version;
		sqlite3_reset(st);
		/* A walk reads each page once, in order: a small page cache
		 * recycles its pages instead of allocating (and faulting in,
		 * and freeing at endXXent) one per page of the table. Measured
		 * at 100,000 users, version 1 rows (setpwent..endpwent, best of
		 * 20): 8 MiB (the lookup default) 30.9 ms, 2 MiB 28.4, 512 KiB
		 * 26.4, 256 KiB 26.6 (23.3 with the pack.c change), 128 KiB
		 * 26.6. The size belongs to the connection: set once per open,
		 * not again at every setXXent on the same one. */
		rc = SQLITE_OK;
		if (w->serial != w->conn.serial)
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
	o = w->version >= 2 ? next_block(w, m, st, ctx) : next_row(w, st, fn, ctx);
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
	 * already replaced file after its walk. */
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
