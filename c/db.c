/*
 * db.c — opening, validating and retiring one connection to one cache file.
 *
 * Invariants enforced here:
 *  - A file is opened only if it is a regular file (lstat: not a symlink),
 *    not group/world-writable, in a directory that is not group/world-
 *    writable. Anyone who could write there could feed the host users. The
 *    directory may be reached through symlinks (it is realpath()ed); the
 *    file may not.
 *  - Opened read-only with immutable=1: the writer never modifies a
 *    published file, it renames a new one over it, so no locks and no
 *    journal look-ups are needed; SQLITE_OPEN_NOFOLLOW refuses a symlink
 *    swapped in after the lstat. SQLite's unix VFS opens every fd O_CLOEXEC.
 *  - Nothing is ever created or written: query_only, temp_store=MEMORY.
 *  - user_version must be 1, 2 or 3, meta.kind must name the file's role
 *    and the size must match the header's page count, else the connection
 *    is closed and the caller gets UNAVAIL. Version 2 adds the packed
 *    blocks that enumeration reads (ldapidm.h); version 3 adds the name
 *    and uid buckets getpwnam_r and getpwuid_r read (passwd_name,
 *    passwd_uid, cache.db; its shadow.db is a version 2 one renumbered).
 *    Version 1 and 2 files, still left on a host upgraded while its
 *    directory was unreachable, are served as before (a version 1 file
 *    enumerated row by row). The version is kept in the connection; each
 *    lookup and walk picks its query by it.
 *  - A "generation" is the file opened, as lstat saw it (dev, inode, size,
 *    mtime, ctime). An open connection is re-validated against its path at
 *    most once per LDI_RECHECK_NS (or at once after ldi_recheck()); any
 *    difference (a republish, or a rewrite in place), or a path that no
 *    longer passes the checks, closes it and the next use opens the file.
 *  - The file is never mmap()ed (see open_once): a file shrunk in place
 *    must not SIGBUS the host.
 *  - No path buffer on the stack: the host's thread may have a small one
 *    (c/tests/stack.c runs every entry point on 64 KiB and bounds each
 *    call's use). The configured path is built once per open and kept
 *    with the connection for its re-checks (dir.c: ldi_locate); the real
 *    path and URI are one heap block, freed once SQLite has opened.
 *  - A connection opened by another pid (we are a forked child) is closed
 *    before use, never used: see fork.c for why closing it is safe.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ldapidm.h"

static const char *const kind[LDI_NFILES] = { "main", "shadow" };

static long long now_ns(void)
{
	struct timespec ts;

	/* COARSE is a vDSO read, no syscall; its ~4 ms resolution is plenty
	 * for a one-second window. */
	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0)
		return 0;
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The trust checks. dir is stat()ed (following a symlinked /var/lib is
 * fine: what matters is who can write in the real directory); the file is
 * lstat()ed. */
static int check_file(const char *dir, const char *path, struct stat *st)
{
	struct stat ds;

	if (stat(dir, &ds) != 0 || !S_ISDIR(ds.st_mode) || (ds.st_mode & (S_IWGRP | S_IWOTH)))
		return -1;
	if (lstat(path, st) != 0 || !S_ISREG(st->st_mode) || (st->st_mode & (S_IWGRP | S_IWOTH)))
		return -1;
	return 0;
}

/* file:<path>?mode=ro&immutable=1 with every byte outside a safe set
 * percent-encoded, so a '?', '#' or '%' in the directory cannot change the
 * URI's meaning. */
static int make_uri(const char *path, char *uri, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char tail[] = "?mode=ro&immutable=1";
	size_t o = 0;

	if (n < 6)
		return -1;
	memcpy(uri, "file:", 5);
	o = 5;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		int safe = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			   (*p >= '0' && *p <= '9') || strchr("/-_.~", *p) != NULL;
		if (o + 4 >= n)
			return -1;
		if (safe) {
			uri[o++] = (char)*p;
		} else {
			uri[o++] = '%';
			uri[o++] = hex[*p >> 4];
			uri[o++] = hex[*p & 15];
		}
	}
	if (o + sizeof(tail) > n)
		return -1;
	memcpy(uri + o, tail, sizeof(tail));
	return 0;
}

/* The file must be what we expect before anything is served from it:
 * schema version 1, 2 or 3, meta.kind naming this file's role, and exactly as
 * many bytes as its header's page count says (a truncated copy would
 * otherwise answer from the pages it still has and fail on the rest). One
 * statement, so opening stays cheap. Returns the version, 0 if invalid. */
static int valid(sqlite3 *db, enum ldi_file f, off_t size)
{
	static const char sql[] =
		"SELECT (SELECT user_version FROM pragma_user_version),"
		" (SELECT page_count FROM pragma_page_count) * (SELECT page_size FROM pragma_page_size),"
		" (SELECT value FROM meta WHERE key = 'kind')";
	sqlite3_stmt *st = NULL;
	int version = 0;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(st, 2);
		sqlite3_int64 v = sqlite3_column_int64(st, 0);
		if (sqlite3_column_type(st, 0) == SQLITE_INTEGER && v >= 1 && v <= 3 &&
		    sqlite3_column_type(st, 1) == SQLITE_INTEGER && sqlite3_column_int64(st, 1) == (sqlite3_int64)size &&
		    sqlite3_column_type(st, 2) == SQLITE_TEXT && k != NULL && strcmp((const char *)k, kind[f]) == 0)
			version = (int)v;
	}
out:
	sqlite3_finalize(st);
	return version;
}

/* Same file, as far as lstat can tell. The inode alone is not enough:
 * ext4 hands a freed inode number to the next file at once, so a publish
 * storm can put a new file under an old number between our two lstats
 * (seen in the republish test); size and timestamps tell them apart. */
static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* The real directory (resolved), the file's path in it and the file's URI,
 * built once into one heap block "<real>\0<real>/<base>\0<uri>\0" that
 * *real owns (free(*real) frees all three). SQLITE_OPEN_NOFOLLOW refuses a
 * symlink anywhere in the path, and a symlinked /var or /var/lib is a
 * legitimate layout: so the directory is resolved. The file itself must
 * still not be a symlink: check_file lstat()s it and NOFOLLOW refuses one
 * swapped in later. */
static enum ldi_outcome real_path(const char *dir, const char *base, char **real, char **path, char **uri)
{
	char *r = realpath(dir, NULL), *p;
	size_t rn, d, b = strlen(base), n, urilen;

	if (r == NULL)
		return errno == ENOMEM ? LDI_ENOMEM : LDI_UNAVAIL;
	rn = strlen(r);
	d = strcmp(r, "/") == 0 ? 0 : rn; /* in the root: "/cache.db" */
	n = d + 1 + b;
	if (n >= PATH_MAX) {
		free(r);
		return LDI_UNAVAIL;
	}
	urilen = 3 * n + 32;
	p = realloc(r, rn + 1 + n + 1 + urilen);
	if (p == NULL) {
		free(r);
		return LDI_ENOMEM;
	}
	*real = p;
	*path = p + rn + 1;
	*uri = *path + n + 1;
	memcpy(*path, p, d);
	(*path)[d] = '/';
	memcpy(*path + d + 1, base, b + 1);
	if (make_uri(*path, *uri, urilen) != 0) {
		free(p);
		return LDI_UNAVAIL;
	}
	return LDI_FOUND;
}

/* One attempt; *raced is set when a publish renamed another file over the
 * path while we opened it. */
static enum ldi_outcome open_once(struct ldi_conn *c, enum ldi_file f, int *raced)
{
	char *dir, *given, *real = NULL, *path, *uri;
	struct stat st, again;
	sqlite3 *db = NULL;
	enum ldi_outcome o;
	int rc, version;

	o = ldi_locate(f, &dir, &given);
	if (o != LDI_FOUND)
		return o;
	o = real_path(dir, strrchr(given, '/') + 1, &real, &path, &uri);
	if (o != LDI_FOUND)
		goto out;
	o = LDI_UNAVAIL;
	if (check_file(real, path, &st) != 0)
		goto out;
	rc = sqlite3_open_v2(uri, &db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		o = ldi_sqlite_outcome(rc);
		goto out;
	}
	/* The unix VFS opens the file inside sqlite3_open_v2. If the path names
	 * another file now, a publish raced us and we may hold a file that was
	 * never checked: drop it and start over. (Only the directory's owner can
	 * rename files in it, which check_file vetted.) */
	if (lstat(path, &again) != 0 || !same_file(&st, &again)) {
		*raced = 1;
		goto out;
	}

	/* Hardening against a hostile file: no triggers, views or untrusted
	 * schema functions are ever needed to read our tables. */
	sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0);
	sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_VIEW, 0, (int *)0);
	/* No mmap, ever (mmap_size = 0, also overriding a system SQLite built
	 * with a non-zero default): pages are read with pread into SQLite's
	 * own page cache. A mapped file kills its process with SIGBUS when a
	 * page it touches is gone, and root can shrink the live file in place
	 * (`truncate`, `cp backup cache.db`, `sqlite3 cache.db VACUUM`); the
	 * module lives in sshd and every other process, and must not be what
	 * kills them. No check can close that hole while keeping mmap: stat()
	 * at most once a second leaves a window, and a stat per lookup costs a
	 * syscall (1.5-3.4 us) on a ~2 us path. With pread a vanished page is
	 * a short read: SQLITE_IOERR -> UNAVAIL.
	 * The cost, measured at 100,000 users (random warm getpwnam_r hits,
	 * best of 6 on this shared 2-vCPU VM): mmap 1.9 us; pread with a
	 * 256 KiB cache 3.5 us, 2 MiB 3.1 us, 8 MiB 2.0 us (the whole working
	 * set of name lookups, ~8.5 MiB at 100k users, fits). First lookup:
	 * +140 KiB private memory either way (the cache fills lazily); a
	 * process that goes on to look up every user ends with up to
	 * LDI_CACHE_KIB of private memory per connection where mmap had shared
	 * file pages. */
	rc = sqlite3_exec(db,
			  "PRAGMA query_only = 1;"
			  "PRAGMA temp_store = MEMORY;"
			  "PRAGMA cache_size = -" LDI_STR(LDI_CACHE_KIB) ";"
			  "PRAGMA mmap_size = 0;",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		o = ldi_sqlite_outcome(rc);
		goto out;
	}
	version = valid(db, f, st.st_size);
	if (version == 0)
		goto out;

	memset(c, 0, sizeof(*c));
	c->db = db;
	c->version = version;
	c->st = st;
	c->pid = ldi_pid();
	c->dir_epoch = ldi_dir_epoch();
	c->check_epoch = ldi_check_epoch();
	c->checked_ns = now_ns();
	c->dir = dir;
	c->path = given;
	dir = NULL;
	db = NULL;
	o = LDI_FOUND;
out:
	sqlite3_close(db);
	free(real);
	free(dir);
	return o;
}

/* A publish is one rename, so a retry right away sees a complete file. A
 * race needs a publish inside the few microseconds of one open, so several
 * in a row mean a writer gone wild (UNAVAIL is fine then). */
static enum ldi_outcome open_conn(struct ldi_conn *c, enum ldi_file f)
{
	enum ldi_outcome o = LDI_UNAVAIL;

	for (int attempt = 0; attempt < 8; attempt++) {
		int raced = 0;
		o = open_once(c, f, &raced);
		if (!raced)
			break;
	}
	return o;
}

void ldi_conn_close(struct ldi_conn *c)
{
	unsigned serial = c->serial;

	for (int q = 0; q < LDI_NQUERIES; q++)
		sqlite3_finalize(c->stmt[q]);
	sqlite3_close(c->db);
	free(c->dir);
	memset(c, 0, sizeof(*c));
	c->serial = serial;
}

/* True when the configured directory changed, or the path no longer names
 * the generation c holds (or no longer passes the trust checks). A
 * republish renames a new inode over the path; an admin's in-place rewrite
 * (`cp backup cache.db`, `truncate`) keeps the inode but changes size and
 * mtime: either way the connection is closed, and reopening re-validates
 * the file (a truncated one fails the size check: UNAVAIL). Until this
 * check runs, a connection on a file changed in place may still answer
 * from pages in its cache, or fail (UNAVAIL) on pages that are gone or no
 * longer parse (c/tests/inplace.c). It needs no buffer and no allocation:
 * the configured path was kept at open. */
static int stale(const struct ldi_conn *c)
{
	struct stat st;

	return !ldi_dir_is(c->dir) || check_file(c->dir, c->path, &st) != 0 || !same_file(&st, &c->st);
}

enum ldi_outcome ldi_conn_ready(struct ldi_conn *c, enum ldi_file f, enum ldi_check how)
{
	if (c->db != NULL) {
		if (c->pid != ldi_pid() || c->dir_epoch != ldi_dir_epoch()) {
			ldi_conn_close(c);
		} else if (how != LDI_CHECK_NEVER) {
			unsigned ce = ldi_check_epoch();
			long long now = now_ns();
			if (how == LDI_CHECK_NOW || ce != c->check_epoch || now - c->checked_ns >= LDI_RECHECK_NS) {
				c->check_epoch = ce;
				c->checked_ns = now;
				if (stale(c))
					ldi_conn_close(c);
			}
		}
	}
	if (c->db == NULL) {
		unsigned serial = c->serial;
		enum ldi_outcome o = open_conn(c, f);
		if (o != LDI_FOUND)
			return o;
		c->serial = serial + 1;
	}
	return LDI_FOUND;
}

sqlite3_stmt *ldi_conn_stmt(struct ldi_conn *c, enum ldi_query q, int *rc)
{
	if (c->stmt[q] == NULL) {
		*rc = sqlite3_prepare_v3(c->db, ldi_query_sql(q), -1, SQLITE_PREPARE_PERSISTENT, &c->stmt[q], NULL);
		if (*rc != SQLITE_OK) {
			sqlite3_finalize(c->stmt[q]);
			c->stmt[q] = NULL;
			return NULL;
		}
	}
	return c->stmt[q];
}
