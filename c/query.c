/*
 * query.c — the SQL the module runs, against cache/schema_main.sql and
 * cache/schema_shadow.sql (user_version 1, 2 or 3), and the hash that
 * keys passwd_name. Column order here is the order pack.c reads;
 * row enumeration queries (version 1) add the rowid last so an
 * enumeration can resume after a fork (see enum.c). Block queries
 * (versions 2 and 3: the *_block tables) return the blob, then the block
 * id, from the block a walk stopped in onwards (>=: enum.c skips the
 * entries of it already delivered). Each lookup key has a UNIQUE index,
 * except passwd.name and passwd.uid from version 3 on: getpwnam_r then
 * reads the bucket of passwd_name that can hold ldi_name_hash(name)
 * (LDI_Q_PWHASH), getpwuid_r the bucket of passwd_uid that can hold the
 * uid (LDI_Q_PWUIDBKT; pool.c).
 */
#include "ldapidm.h"

#define PW_COLS "name, passwd, uid, gid, gecos, dir, shell"
#define GR_COLS "name, passwd, gid, members"
#define SP_COLS "name, passwd, lastchg, min, max, warn, inact, expire, flag"

static const char *const sql[LDI_NQUERIES] = {
	[LDI_Q_PWNAM] = "SELECT " PW_COLS " FROM passwd WHERE name = ?1",
	/* The last bucket starting at or below the key: each bucket holds the
	 * users whose keys lie from its id up to the next bucket's. */
	[LDI_Q_PWHASH] = "SELECT data FROM passwd_name WHERE id <= ?1 ORDER BY id DESC LIMIT 1",
	[LDI_Q_PWUID] = "SELECT " PW_COLS " FROM passwd WHERE uid = ?1",
	/* The same rule over uids: a bucket holds the uids from its id up to
	 * the next bucket's, so `id = ?1` would find only each bucket's
	 * first user. */
	[LDI_Q_PWUIDBKT] = "SELECT data FROM passwd_uid WHERE id <= ?1 ORDER BY id DESC LIMIT 1",
	[LDI_Q_GRNAM] = "SELECT " GR_COLS " FROM grp WHERE name = ?1",
	[LDI_Q_GRGID] = "SELECT " GR_COLS " FROM grp WHERE gid = ?1",
	[LDI_Q_MEMBER] = "SELECT gid FROM member WHERE name = ?1",
	[LDI_Q_SPNAM] = "SELECT " SP_COLS " FROM shadow WHERE name = ?1",
	[LDI_Q_PWENT] = "SELECT " PW_COLS ", id FROM passwd WHERE id > ?1 ORDER BY id",
	[LDI_Q_GRENT] = "SELECT " GR_COLS ", id FROM grp WHERE id > ?1 ORDER BY id",
	[LDI_Q_SPENT] = "SELECT " SP_COLS ", id FROM shadow WHERE id > ?1 ORDER BY id",
	[LDI_Q_PWBLK] = "SELECT data, id FROM passwd_block WHERE id >= ?1 ORDER BY id",
	[LDI_Q_GRBLK] = "SELECT data, id FROM grp_block WHERE id >= ?1 ORDER BY id",
	[LDI_Q_SPBLK] = "SELECT data, id FROM shadow_block WHERE id >= ?1 ORDER BY id",
};

const char *ldi_query_sql(enum ldi_query q)
{
	return sql[q];
}

enum ldi_file ldi_query_file(enum ldi_query q)
{
	return (q == LDI_Q_SPNAM || q == LDI_Q_SPENT || q == LDI_Q_SPBLK) ? LDI_SHADOW : LDI_MAIN;
}

/*
 * FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3;
 * for each byte: h ^= byte, h *= prime), over the name's bytes without its
 * NUL: passwd_name's id, as the writer computes it (cache/, the contract in
 * ldapidm.h). The caller binds it as (sqlite3_int64)h, the same 64 bits
 * read as two's complement. It only picks a bucket: the reader compares
 * names, so a collision costs a second entry in the bucket, never a wrong
 * answer. Vectors (nss/ tests build buckets under these literal ids):
 *   ""        0xcbf29ce484222325    "alice"   0x508b2abb65a03907
 *   "a"       0xaf63dc4c8601ec8c    "u000123" 0x1e7cf540703a6130
 *   "root"    0xa354fd1ff0c467c5
 */
uint64_t ldi_name_hash(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}
