/*
 * query.c — the SQL the module runs, against cache/schema_main.sql and
 * cache/schema_shadow.sql (user_version 1 or 2). Column order here is the
 * order pack.c reads; row enumeration queries (version 1) add the rowid
 * last so an enumeration can resume after a fork (see enum.c). Block
 * queries (version 2 only: the *_block tables) return the blob, then the
 * block id, from the block a walk stopped in onwards (>=: enum.c skips
 * the entries of it already delivered). Each lookup key has a UNIQUE index.
 */
#include "ldapidm.h"

#define PW_COLS "name, passwd, uid, gid, gecos, dir, shell"
#define GR_COLS "name, passwd, gid, members"
#define SP_COLS "name, passwd, lastchg, min, max, warn, inact, expire, flag"

static const char *const sql[LDI_NQUERIES] = {
	[LDI_Q_PWNAM] = "SELECT " PW_COLS " FROM passwd WHERE name = ?1",
	[LDI_Q_PWUID] = "SELECT " PW_COLS " FROM passwd WHERE uid = ?1",
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
