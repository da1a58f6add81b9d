/*
 * broken.c — every entry point against a cache that must be refused.
 * Expects UNAVAIL (errno ENOENT) from all of them, set*ent included;
 * end*ent must succeed. Prints nothing on success (run.sh checks stdout
 * and stderr are empty: the module must not print either).
 * Usage: OUT=... LDAPIDM_CACHE_DIR=<broken dir> broken <user> <uid> <group> <gid>
 *
 * With "enum" first, the cache is sound but its packed blocks are damaged
 * (mkcache -damage): point lookups must still succeed, and each
 * enumeration must hand out at least <min> entries (the intact blocks)
 * and then end with UNAVAIL, twice in a row (a second walk behaves the
 * same), without crashing or reading outside a blob (run.sh also runs
 * this under valgrind).
 * Usage: ... broken enum <user> <uid> <group> <gid> <min>
 *
 * With "bucket" first, the cache is version 3 and <user>'s name bucket is
 * damaged (mkcache -damage-bucket): getpwnam_r of <user> must be UNAVAIL
 * (twice: nothing poisoned), while getpwnam_r of <other>, getpwuid_r of
 * <uid> (<user>'s row), the group, shadow and initgroups lookups and
 * every walk (to NOTFOUND, <user> included) answer; without crashing or
 * reading outside the blob (run.sh runs it under valgrind).
 * Usage: ... broken bucket <user> <uid> <group> <gid> <other>
 *
 * With "uidbucket" first, it is the uid bucket holding <uid> (<user>'s
 * uid) that is damaged (mkcache -damage-uid-bucket): getpwuid_r of <uid>
 * must be UNAVAIL (twice), while getpwnam_r of <user>, getpwuid_r of
 * <other> (a uid in another bucket), and all the rest answer as above.
 * Usage: ... broken uidbucket <user> <uid> <group> <gid> <other uid>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WANT(call, what)                                                              \
	do {                                                                          \
		int e_ = 0;                                                           \
		enum nss_status st_ = (call);                                         \
		(void)e_;                                                             \
		if (st_ != NSS_STATUS_UNAVAIL)                                        \
			die("%s: %s, want UNAVAIL", what, status_name(st_));          \
	} while (0)

/* Walks one map with a roomy buffer; returns the number of entries
 * before the first non-SUCCESS status, which must be UNAVAIL. */
#define WALK(set, get, end, rec, what)                                                      \
	do {                                                                                \
		long n_ = 0;                                                                \
		int e_ = 0;                                                                 \
		enum nss_status st_;                                                        \
		if (m.set(0) != NSS_STATUS_SUCCESS)                                         \
			die("%s: set*ent failed", what);                                    \
		while ((st_ = m.get(&rec, buf, sizeof(buf), &e_)) == NSS_STATUS_SUCCESS)    \
			if (++n_ > 10000000)                                                \
				die("%s: endless walk", what);                              \
		if (st_ != NSS_STATUS_UNAVAIL || e_ != ENOENT)                              \
			die("%s: walk ended with %s errno %d after %ld entries, want UNAVAIL", \
			    what, status_name(st_), e_, n_);                                \
		if (n_ < min)                                                               \
			die("%s: %ld entries before UNAVAIL, want at least %ld", what, n_, min); \
		if (m.end() != NSS_STATUS_SUCCESS)                                          \
			die("%s: end*ent", what);                                           \
	} while (0)

static int damaged_blocks(char **argv)
{
	struct module m;
	struct passwd pw;
	struct group gr;
	struct spwd sp;
	static char buf[1 << 16];
	long min = atol(argv[4]);
	int e = 0;

	module_load(&m);
	if (m.getpwnam_r(argv[0], &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getpwuid_r((uid_t)atol(argv[1]), &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getgrnam_r(argv[2], &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getgrgid_r((gid_t)atol(argv[3]), &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getspnam_r(argv[0], &sp, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
		die("a point lookup failed on a cache whose rows are sound");
	for (int round = 0; round < 2; round++) {
		WALK(setpwent, getpwent_r, endpwent, pw, "passwd");
		WALK(setgrent, getgrent_r, endgrent, gr, "group");
		WALK(setspent, getspent_r, endspent, sp, "shadow");
	}
	return 0;
}

/* Walks one map to its end with a roomy buffer: every status SUCCESS,
 * then NOTFOUND. Sets seen when an entry is named user. */
#define WALK_ALL(set, get, end, rec, field, what)                                           \
	do {                                                                                \
		long n_ = 0;                                                                \
		int e_ = 0;                                                                 \
		enum nss_status st_;                                                        \
		if (m.set(0) != NSS_STATUS_SUCCESS)                                         \
			die("%s: set*ent failed", what);                                    \
		while ((st_ = m.get(&rec, buf, sizeof(buf), &e_)) == NSS_STATUS_SUCCESS) {  \
			seen |= strcmp(rec.field, user) == 0;                               \
			if (++n_ > 10000000)                                                \
				die("%s: endless walk", what);                              \
		}                                                                           \
		if (st_ != NSS_STATUS_NOTFOUND || n_ == 0)                                  \
			die("%s: walk ended with %s after %ld entries, want NOTFOUND", what, \
			    status_name(st_), n_);                                          \
		m.end();                                                                    \
	} while (0)

/* The damaged bucket is <user>'s name bucket, or with by_uid the uid
 * bucket holding <uid>: that one lookup is refused, the other kind of
 * lookup of the same user and the same kind for <other> answer. */
static int damaged_bucket(char **argv, int by_uid)
{
	struct module m;
	struct passwd pw;
	struct group gr;
	struct spwd sp;
	static char buf[1 << 16];
	const char *user = argv[0];
	uid_t uid = (uid_t)atol(argv[1]);
	long start = 0, size = 4;
	gid_t *groups = malloc(4 * sizeof(gid_t));
	int e = 0, seen = 0;
	enum nss_status st;

	module_load(&m);
	for (int round = 0; round < 2; round++) {
		st = by_uid ? m.getpwuid_r(uid, &pw, buf, sizeof(buf), &e) : m.getpwnam_r(user, &pw, buf, sizeof(buf), &e);
		if (st != NSS_STATUS_UNAVAIL || e != ENOENT)
			die("%s(%s) from a damaged bucket: %s errno %d, want UNAVAIL", by_uid ? "getpwuid_r" : "getpwnam_r",
			    by_uid ? argv[1] : user, status_name(st), e);
	}
	st = by_uid ? m.getpwnam_r(user, &pw, buf, sizeof(buf), &e) : m.getpwuid_r(uid, &pw, buf, sizeof(buf), &e);
	if (st != NSS_STATUS_SUCCESS || strcmp(pw.pw_name, user) != 0 || pw.pw_uid != uid)
		die("%s of the user whose bucket is damaged", by_uid ? "getpwnam_r" : "getpwuid_r");
	if (by_uid) {
		if (m.getpwuid_r((uid_t)atol(argv[4]), &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
		    pw.pw_uid != (uid_t)atol(argv[4]))
			die("getpwuid_r(%s) beside a damaged bucket", argv[4]);
	} else if (m.getpwnam_r(argv[4], &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
		   strcmp(pw.pw_name, argv[4]) != 0) {
		die("getpwnam_r(%s) beside a damaged bucket", argv[4]);
	}
	if (m.getgrnam_r(argv[2], &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getgrgid_r((gid_t)atol(argv[3]), &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.getspnam_r(user, &sp, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS ||
	    m.initgroups_dyn(user, (gid_t)-1, &start, &size, &groups, 0, &e) != NSS_STATUS_SUCCESS || start == 0)
		die("a group, shadow or initgroups lookup failed beside a damaged bucket");
	free(groups);
	WALK_ALL(setpwent, getpwent_r, endpwent, pw, pw_name, "passwd");
	if (!seen)
		die("passwd walk lacks %s", user);
	WALK_ALL(setgrent, getgrent_r, endgrent, gr, gr_name, "group");
	WALK_ALL(setspent, getspent_r, endspent, sp, sp_namp, "shadow");
	return 0;
}

int main(int argc, char **argv)
{
	struct module m;
	struct passwd pw;
	struct group gr;
	struct spwd sp;
	static char buf[1 << 16];
	long start = 0, size = 4;
	gid_t *groups = malloc(4 * sizeof(gid_t));

	if (argc == 7 && strcmp(argv[1], "enum") == 0)
		return damaged_blocks(argv + 2);
	if (argc == 7 && strcmp(argv[1], "bucket") == 0)
		return damaged_bucket(argv + 2, 0);
	if (argc == 7 && strcmp(argv[1], "uidbucket") == 0)
		return damaged_bucket(argv + 2, 1);
	if (argc != 5)
		die("usage: broken user uid group gid | broken enum user uid group gid min |"
		    " broken bucket user uid group gid other | broken uidbucket user uid group gid otheruid");
	module_load(&m);
	WANT(m.getpwnam_r(argv[1], &pw, buf, sizeof(buf), &e_), "getpwnam_r");
	WANT(m.getpwuid_r((uid_t)atol(argv[2]), &pw, buf, sizeof(buf), &e_), "getpwuid_r");
	WANT(m.getgrnam_r(argv[3], &gr, buf, sizeof(buf), &e_), "getgrnam_r");
	WANT(m.getgrgid_r((gid_t)atol(argv[4]), &gr, buf, sizeof(buf), &e_), "getgrgid_r");
	WANT(m.getspnam_r(argv[1], &sp, buf, sizeof(buf), &e_), "getspnam_r");
	WANT(m.initgroups_dyn(argv[1], (gid_t)-1, &start, &size, &groups, 0, &e_), "initgroups_dyn");
	WANT(m.setpwent(0), "setpwent");
	WANT(m.getpwent_r(&pw, buf, sizeof(buf), &e_), "getpwent_r");
	if (m.endpwent() != NSS_STATUS_SUCCESS)
		die("endpwent");
	WANT(m.setgrent(0), "setgrent");
	WANT(m.getgrent_r(&gr, buf, sizeof(buf), &e_), "getgrent_r");
	if (m.endgrent() != NSS_STATUS_SUCCESS)
		die("endgrent");
	WANT(m.setspent(0), "setspent");
	WANT(m.getspent_r(&sp, buf, sizeof(buf), &e_), "getspent_r");
	if (m.endspent() != NSS_STATUS_SUCCESS)
		die("endspent");
	if (start != 0)
		die("initgroups_dyn added groups from a refused cache");
	free(groups);
	return 0;
}
