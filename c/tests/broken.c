/*
 * broken.c — every entry point against a cache that must be refused.
 * Expects UNAVAIL (errno ENOENT) from all of them, set*ent included;
 * end*ent must succeed. Prints nothing on success (run.sh checks stdout
 * and stderr are empty: the module must not print either).
 * Usage: OUT=... LDAPIDM_CACHE_DIR=<broken dir> broken <user> <uid> <group> <gid>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>

#include "harness.h"

#define WANT(call, what)                                                              \
	do {                                                                          \
		int e_ = 0;                                                           \
		enum nss_status st_ = (call);                                         \
		(void)e_;                                                             \
		if (st_ != NSS_STATUS_UNAVAIL)                                        \
			die("%s: %s, want UNAVAIL", what, status_name(st_));          \
	} while (0)

int main(int argc, char **argv)
{
	struct module m;
	struct passwd pw;
	struct group gr;
	struct spwd sp;
	static char buf[1 << 16];
	long start = 0, size = 4;
	gid_t *groups = malloc(4 * sizeof(gid_t));

	if (argc != 5)
		die("usage: broken user uid group gid");
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
