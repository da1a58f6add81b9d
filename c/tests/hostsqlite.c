/*
 * hostsqlite.c — a host program that uses the system libsqlite3 itself
 * (linked -lsqlite3) and loads the module: the module's private SQLite must
 * neither replace the host's nor be visible to it. Checks that the host's
 * sqlite3_libversion still resolves into libsqlite3.so, that the module
 * handle exports no sqlite3_* symbol, and that the host's own database
 * keeps working before and after module lookups.
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... hostsqlite <user>
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

static void use_host_sqlite(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;

	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		die("host sqlite3_open");
	if (sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES (41);", NULL, NULL, NULL) != SQLITE_OK)
		die("host exec: %s", sqlite3_errmsg(db));
	if (sqlite3_prepare_v2(db, "SELECT x + 1 FROM t", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW ||
	    sqlite3_column_int(st, 0) != 42)
		die("host query");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

int main(int argc, char **argv)
{
	struct module m;
	struct passwd pw;
	char buf[8192];
	Dl_info info;
	const char *v1 = sqlite3_libversion();
	int e;

	if (argc != 2)
		die("usage: hostsqlite <user>");
	use_host_sqlite();
	module_load(&m);
	for (int i = 0; i < 10; i++)
		if (m.getpwnam_r(argv[1], &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			die("getpwnam_r(%s) through the module", argv[1]);
	if (dlsym(m.h, "sqlite3_libversion") != NULL || dlsym(m.h, "sqlite3_open_v2") != NULL)
		die("the module exports sqlite3 symbols");
	if (dladdr((void *)sqlite3_libversion, &info) == 0 || strstr(info.dli_fname, "libsqlite3.so") == NULL)
		die("host sqlite3_libversion resolves to %s", info.dli_fname ? info.dli_fname : "?");
	if (sqlite3_libversion() != v1 || strcmp(sqlite3_libversion(), SQLITE_VERSION) != 0)
		die("host sees another SQLite: %s", sqlite3_libversion());
	use_host_sqlite();
	printf("hostsqlite: ok (host SQLite %s from %s)\n", sqlite3_libversion(), info.dli_fname);
	return 0;
}
