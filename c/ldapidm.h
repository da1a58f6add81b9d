/*
 * ldapidm.h — internal interface of the ldapidm NSS module.
 *
 * The module answers passwd, group, shadow and initgroups from the SQLite
 * cache files <dir>/cache.db and <dir>/shadow.db (schema: cache/schema_*.sql)
 * and never touches the network. It runs inside every process of the host,
 * so it must never print, exit, abort, call back into NSS, leak an fd across
 * exec, or leave a lock held across fork().
 *
 * Everything here has hidden visibility: the version script
 * (libnss_ldapidm.map) exports only _nss_ldapidm_*. The Go package nss/
 * compiles these same sources (symlinks nss/c_*.c) and calls ldi_set_cache_dir and
 * ldi_recheck directly.
 */
#ifndef LDAPIDM_H
#define LDAPIDM_H

#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <shadow.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define LDI_EXPORT __attribute__((visibility("default")))
#define LDI_HIDDEN __attribute__((visibility("hidden")))

/* The directory used when neither ldi_set_cache_dir nor the environment
 * variable LDAPIDM_CACHE_DIR (read with secure_getenv) names another. */
#define LDI_DEFAULT_DIR "/var/lib/ldapidm"
#define LDI_ENV_DIR "LDAPIDM_CACHE_DIR"

/* A connection is re-validated against the path (lstat: identity, size,
 * mtime, ctime, mode) at most once per interval: a stat per lookup would
 * cost a syscall (1.5-3.4 µs measured here) on a ~2 µs path. ldi_recheck()
 * forgets the window. */
#define LDI_RECHECK_NS 1000000000LL

/* SQLite page cache per connection, KiB. The file is read with pread, not
 * mmap (db.c says why); the cache fills lazily, so a fresh process's first
 * lookup stays small. At 100,000 users the name buckets (version 3) are
 * ~8 MiB and the uid buckets as much, so a process that looks up every
 * user by name and by uid in turn re-reads some pages (0.58 preads per
 * lookup measured, from the OS page cache); one that uses one key, or a
 * few users, does not. A larger cache would be private memory in every
 * such process. */
#define LDI_CACHE_KIB 8192
/* Page cache of an enumeration's connection, KiB (enum.c says why). */
#define LDI_WALK_CACHE_KIB 256
#define LDI_STR_(x) #x
#define LDI_STR(x) LDI_STR_(x)

/* Connection slots for concurrent lookups (see db.c). */
#define LDI_NSLOTS 4

/* The two cache files. */
enum ldi_file { LDI_MAIN = 0, LDI_SHADOW = 1, LDI_NFILES };

/* Every SQL statement the module runs; text in query.c. */
enum ldi_query {
	LDI_Q_PWNAM,
	LDI_Q_PWHASH,
	LDI_Q_PWUID,
	LDI_Q_PWUIDBKT,
	LDI_Q_GRNAM,
	LDI_Q_GRGID,
	LDI_Q_MEMBER,
	LDI_Q_SPNAM,
	LDI_Q_PWENT,
	LDI_Q_GRENT,
	LDI_Q_SPENT,
	LDI_Q_PWBLK,
	LDI_Q_GRBLK,
	LDI_Q_SPBLK,
	LDI_NQUERIES
};

/* The outcome of one module operation; ldi_status() is the only place that
 * turns it into an NSS status and errno. */
enum ldi_outcome {
	LDI_FOUND,   /* answer written */
	LDI_ABSENT,  /* cache usable, no such entry (or end of enumeration) */
	LDI_ERANGE,  /* caller's buffer too small; nothing written */
	LDI_UNAVAIL, /* no cache, or one we refuse to trust */
	LDI_ENOMEM,  /* allocation failed; worth retrying */
};

/* One open generation of one cache file. */
struct ldi_conn {
	sqlite3 *db;
	int version;          /* PRAGMA user_version: 1, 2 or 3 (db.c: valid) */
	sqlite3_stmt *stmt[LDI_NQUERIES];
	struct stat st;       /* the file opened (lstat): a republish renames a
	                       * new inode over the path, an in-place rewrite
	                       * changes size and mtime (db.c: stale) */
	char *dir;            /* the directory as configured and the file's */
	const char *path;     /* path in it, one heap block owned by dir
	                       * (dir.c: ldi_locate): what stale re-checks */
	pid_t pid;            /* process that opened it (see fork.c) */
	unsigned serial;      /* bumped at every open (enum.c rebinds on change) */
	unsigned dir_epoch;   /* ldi_set_cache_dir() generation at open */
	unsigned check_epoch; /* ldi_recheck() generation at last check */
	long long checked_ns; /* CLOCK_MONOTONIC_COARSE of last check */
};

/* A connection slot: a mutex and one connection per file. */
struct ldi_slot {
	pthread_mutex_t mu;
	struct ldi_conn conn[LDI_NFILES];
};

/* Reads the current row of a statement into the caller's result. Returns
 * LDI_FOUND, LDI_ERANGE (nothing touched) or LDI_UNAVAIL (row corrupt). */
typedef enum ldi_outcome (*ldi_row_fn)(sqlite3_stmt *st, void *ctx);

/* Reads the entry at p (avail bytes left in its block) into the caller's
 * result, or only checks it when ctx is NULL. Sets *used to the entry's
 * size unless it returns LDI_UNAVAIL (entry malformed or overrunning the
 * block); otherwise as ldi_row_fn. */
typedef enum ldi_outcome (*ldi_blk_fn)(const unsigned char *p, size_t avail, size_t *used, void *ctx);

/*
 * Packed blocks (schema versions 2 and 3): the contract with the Go writer
 * (cache/block.go; also documented in cache/schema_main.sql).
 *
 * Tables passwd_block, grp_block (cache.db) and shadow_block (shadow.db),
 * each (id INTEGER PRIMARY KEY, data BLOB NOT NULL). Block ids ascend in
 * enumeration order; concatenating the blocks' entries in id order gives
 * the map's rows in rowid order, entry for entry.
 *
 * A block: u32 count (>= 1), then count entries back to back, and nothing
 * after the last. An entry: a fixed run of numbers, then one u32 byte
 * length per string field, then each string followed by one NUL byte:
 *   passwd  u32 uid, u32 gid;                  name passwd gecos dir shell
 *   group   u32 gid;                           name passwd members
 *           (members: names joined by ',', as grp.members; "" for none)
 *   shadow  i64 lastchg min max warn inact expire flag (-1: empty field);
 *                                               name passwd
 * Integers are little-endian and unaligned (the blob's address has no
 * alignment guarantee): the reader assembles them byte by byte. Lengths
 * exclude the NUL. Ids are 0 .. 2^32-2. Limits: a blob is at most
 * SQLite's maximum length (1e9 bytes by default), so every length and
 * count fits in u32; the writer closes a block at about LDI_BLK_TARGET
 * bytes (one larger entry gets a block of its own).
 *
 * The reader trusts none of it: a blob that is not a BLOB or shorter than
 * 4 bytes, a count of 0, an entry whose header or string overruns the
 * blob, a field without its NUL, an id of 2^32-1, or bytes left after the
 * last entry, make that enumeration end with UNAVAIL (enum.c, pack.c).
 */

/*
 * Name and uid buckets (schema version 3, cache.db only): the contract with
 * the Go writer (cache/schema_main.sql). getpwnam_r and getpwuid_r on a
 * version 3 file never touch passwd (its name and uid are no longer
 * UNIQUE there, so they have no index): a descent of the name index
 * compared strings at every level, and either index's descent was
 * followed by a descent of the passwd table; an integer key is one short
 * descent.
 *
 *   CREATE TABLE passwd_name (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
 *   CREATE TABLE passwd_uid  (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
 *
 * The key of a user is, in passwd_name, ldi_name_hash() of its name's
 * bytes (FNV-1a 64, query.c) as a two's-complement int64; in passwd_uid,
 * its uid. The users, in key order, are cut into buckets of a few (users
 * with equal name keys always share one; uids are distinct); id is the
 * key of a bucket's first user, data one passwd block (format above) of
 * its users, names (uids) distinct, each entry equal to the user's passwd
 * row. So the bucket that can hold a key is the last one whose id is at
 * most the key (LDI_Q_PWHASH, LDI_Q_PWUIDBKT).
 *
 * The reader (pack.c: ldi_bucket_pw, one walker for both tables) checks
 * the whole blob as a walk checks a block, then compares each entry's
 * name with the key byte for byte (it never re-hashes an entry), or its
 * uid with the key: a malformed bucket, or one holding the key twice, is
 * UNAVAIL; a bucket without the key, or no bucket, is NOTFOUND. Only the
 * matching entry is copied out.
 */
#define LDI_BLK_PW_NUM 8   /* bytes of numbers before the lengths */
#define LDI_BLK_GR_NUM 4
#define LDI_BLK_SP_NUM 56
#define LDI_BLK_TARGET 16384 /* informative: cache/block.go blockTarget */

/* status.c */
enum nss_status ldi_status(enum ldi_outcome o, int *errnop) LDI_HIDDEN;
enum ldi_outcome ldi_sqlite_outcome(int rc) LDI_HIDDEN;

/* dir.c: process state (directory, epochs, pid); db.c: connections. */
void ldi_init(void) LDI_HIDDEN;
void ldi_set_cache_dir(const char *dir) LDI_HIDDEN;
void ldi_recheck(void) LDI_HIDDEN;
/* How ldi_conn_ready validates an open connection against its path. */
enum ldi_check {
	LDI_CHECK_NEVER,    /* keep this generation (an enumeration in progress) */
	LDI_CHECK_WINDOWED, /* stat at most once per LDI_RECHECK_NS */
	LDI_CHECK_NOW,      /* stat now (start of an enumeration) */
};
enum ldi_outcome ldi_conn_ready(struct ldi_conn *c, enum ldi_file f, enum ldi_check how) LDI_HIDDEN;
void ldi_conn_close(struct ldi_conn *c) LDI_HIDDEN;
sqlite3_stmt *ldi_conn_stmt(struct ldi_conn *c, enum ldi_query q, int *rc) LDI_HIDDEN;
unsigned ldi_dir_epoch(void) LDI_HIDDEN;
unsigned ldi_check_epoch(void) LDI_HIDDEN;
pid_t ldi_pid(void) LDI_HIDDEN;
enum ldi_outcome ldi_locate(enum ldi_file f, char **dir, char **path) LDI_HIDDEN;
int ldi_dir_is(const char *dir) LDI_HIDDEN;
void ldi_dir_lock(void) LDI_HIDDEN;
void ldi_dir_unlock(void) LDI_HIDDEN;
void ldi_pid_refresh(void) LDI_HIDDEN;

/* pool.c: connection slots for point lookups. */
enum ldi_outcome ldi_lookup_text(enum ldi_query q, const char *key, ldi_row_fn fn, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_lookup_int(enum ldi_query q, long long key, ldi_row_fn fn, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_lookup_each(enum ldi_query q, const char *key, ldi_row_fn fn, void *ctx) LDI_HIDDEN;
/* getpwnam_r, getpwuid_r: through passwd_name, passwd_uid on a version 3
 * file, else LDI_Q_PWNAM, LDI_Q_PWUID. */
struct ldi_pw_out;
enum ldi_outcome ldi_lookup_pwnam(const char *name, struct ldi_pw_out *out) LDI_HIDDEN;
enum ldi_outcome ldi_lookup_pwuid(uint32_t uid, struct ldi_pw_out *out) LDI_HIDDEN;
void ldi_pool_lock_all(void) LDI_HIDDEN;
void ldi_pool_unlock_all(void) LDI_HIDDEN;

/* query.c */
const char *ldi_query_sql(enum ldi_query q) LDI_HIDDEN;
enum ldi_file ldi_query_file(enum ldi_query q) LDI_HIDDEN;
/* The passwd_name key of the n bytes at s (FNV-1a 64; vectors in query.c). */
uint64_t ldi_name_hash(const char *s, size_t n) LDI_HIDDEN;

/* enum.c: setXXent/getXXent_r/endXXent state, one per map. */
enum ldi_map { LDI_MAP_PW, LDI_MAP_GR, LDI_MAP_SP, LDI_NMAPS };
enum ldi_outcome ldi_enum_set(enum ldi_map m) LDI_HIDDEN;
enum ldi_outcome ldi_enum_next(enum ldi_map m, ldi_row_fn fn, void *ctx) LDI_HIDDEN;
void ldi_enum_end(enum ldi_map m) LDI_HIDDEN;
void ldi_enum_lock_all(void) LDI_HIDDEN;
void ldi_enum_unlock_all(void) LDI_HIDDEN;

/* fork.c */
void ldi_fork_register(void) LDI_HIDDEN;
/* Runs ldi_init, then the fork gate. 0: go on (after waiting out another
 * thread's fork); -1: the calling thread is inside fork() holding every
 * module lock (another library's atfork handler called us): touch nothing,
 * answer UNAVAIL. */
int ldi_enter(void) LDI_HIDDEN;

/* pack.c: copy a row into the caller's struct and buffer. */
struct ldi_pw_out {
	struct passwd *pw;
	char *buf;
	size_t len;
};
struct ldi_gr_out {
	struct group *gr;
	char *buf;
	size_t len;
};
struct ldi_sp_out {
	struct spwd *sp;
	char *buf;
	size_t len;
};
enum ldi_outcome ldi_pack_pw(sqlite3_stmt *st, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_pack_gr(sqlite3_stmt *st, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_pack_sp(sqlite3_stmt *st, void *ctx) LDI_HIDDEN;
/* pack.c: the same from one entry of a packed block (ldi_blk_fn). */
enum ldi_outcome ldi_unpack_pw(const unsigned char *p, size_t avail, size_t *used, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_unpack_gr(const unsigned char *p, size_t avail, size_t *used, void *ctx) LDI_HIDDEN;
enum ldi_outcome ldi_unpack_sp(const unsigned char *p, size_t avail, size_t *used, void *ctx) LDI_HIDDEN;
/* pack.c: the bucket a passwd_name or passwd_uid row holds (ldi_row_fn;
 * ctx is a struct ldi_pw_key): the entry with the key's name (name not
 * NULL) or uid (name NULL), copied out as ldi_pack_pw would. */
struct ldi_pw_key {
	const char *name; /* len bytes, no NUL needed; NULL: match uid */
	size_t len;
	uint32_t uid;
	struct ldi_pw_out *out;
};
enum ldi_outcome ldi_bucket_pw(sqlite3_stmt *st, void *ctx) LDI_HIDDEN;
/* The count at the start of a block (caller checked there are 4 bytes). */
uint32_t ldi_blk_count(const unsigned char *p) LDI_HIDDEN;

/* pack.c: an id column (INTEGER, 0 .. 2^32-2) into *id; -1 otherwise. */
int ldi_column_id(sqlite3_stmt *st, int col, uint32_t *id) LDI_HIDDEN;

/* initgroups.c */
struct ldi_groups_out {
	gid_t skip;
	long *start;
	long *size;
	gid_t **groupsp;
	long limit;
	int added;
};
enum ldi_outcome ldi_add_group(sqlite3_stmt *st, void *ctx) LDI_HIDDEN;

#endif
