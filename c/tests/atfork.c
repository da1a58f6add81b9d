/*
 * atfork.c — lookups from another library's pthread_atfork handlers.
 *
 * glibc runs prepare handlers in reverse registration order and parent/
 * child handlers in registration order. The module registers its own
 * handlers lazily, at its first lookup; this harness registers its
 * handlers BEFORE that, so around each fork():
 *   prepare: ours(module: takes every lock) -> harness prepare
 *   parent:  harness parent -> module parent (releases)
 *   child:   harness child  -> module child  (releases)
 * i.e. the harness's handlers run in the forking thread while the module
 * holds all its locks. Each handler calls getpwnam_r, getpwuid_r,
 * initgroups_dyn and the setpwent/getpwent_r/endpwent walk. Each call must
 * return at once with UNAVAIL (nsswitch falls through) or a correct answer,
 * never spin or block: an alarm kills a hung process. After fork returns,
 * both parent and child must get correct answers again, a walk started
 * before the fork must continue at the right entry, and further forks with
 * another thread looking up must behave the same.
 *
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... LDAPIDM_EXPECT=... atfork [forks]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static struct module M;
static struct map PW;
static atomic_int stop;

/* Problems seen inside handlers (no stdio there: just counted). */
static atomic_int bad_calls;
static atomic_int handler_calls;

/* 0 when st is UNAVAIL, or SUCCESS with exactly the expected line. */
static int check_pw(enum nss_status st, const struct passwd *pw, const struct entry *x)
{
	char got[8192];

	if (st == NSS_STATUS_UNAVAIL)
		return 0;
	if (st != NSS_STATUS_SUCCESS)
		return 1;
	fmt_pw(pw, got, sizeof(got));
	return strcmp(got, x->line) != 0;
}

/* Every kind of entry point, from inside a fork handler. */
static void lookups_in_handler(void)
{
	const struct entry *x = &PW.e[PW.n / 3];
	struct passwd pw;
	char buf[8192];
	int e = 0;
	long start = 0, size = 4;
	gid_t *groups = malloc(4 * sizeof(gid_t));
	enum nss_status st;

	atomic_fetch_add(&handler_calls, 1);
	if (check_pw(M.getpwnam_r(x->name, &pw, buf, sizeof(buf), &e), &pw, x))
		atomic_fetch_add(&bad_calls, 1);
	if (check_pw(M.getpwuid_r((uid_t)x->id, &pw, buf, sizeof(buf), &e), &pw, x))
		atomic_fetch_add(&bad_calls, 1);
	st = M.initgroups_dyn(x->name, (gid_t)-1, &start, &size, &groups, 0, &e);
	if (st != NSS_STATUS_UNAVAIL && st != NSS_STATUS_SUCCESS && st != NSS_STATUS_NOTFOUND)
		atomic_fetch_add(&bad_calls, 1);
	free(groups);
	/* A walk from a handler: set/get must not block (UNAVAIL or a real
	 * entry), end must return. The walk in progress in main() is the
	 * same state: it is checked to be intact after the fork. */
	st = M.getpwent_r(&pw, buf, sizeof(buf), &e);
	if (st != NSS_STATUS_UNAVAIL && st != NSS_STATUS_SUCCESS)
		atomic_fetch_add(&bad_calls, 1);
}

static void h_prepare(void) { lookups_in_handler(); }
static void h_parent(void) { lookups_in_handler(); }
static void h_child(void) { lookups_in_handler(); }

static int lookup_ok(size_t i)
{
	struct passwd pw;
	char buf[8192];
	int e;
	enum nss_status st = M.getpwnam_r(PW.e[i].name, &pw, buf, sizeof(buf), &e);

	return st == NSS_STATUS_SUCCESS && check_pw(st, &pw, &PW.e[i]) == 0;
}

static void *looper(void *arg)
{
	size_t i = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		i = (i + 7919) % PW.n;
		if (!lookup_ok(i))
			atomic_fetch_add(&bad_calls, 1000);
	}
	return NULL;
}

/* Forks once; the child checks its own handler calls and a normal lookup
 * and reports through its exit status. */
static void one_fork(int n)
{
	int before = atomic_load(&handler_calls), ws;
	pid_t pid;

	alarm(10); /* a hang in the forking thread kills us: SIGALRM */
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		alarm(10);
		if (atomic_load(&bad_calls) != 0)
			_exit(3);
		if (!lookup_ok((size_t)n % PW.n) || !lookup_ok(PW.n - 1))
			_exit(4);
		_exit(0);
	}
	alarm(0);
	if (atomic_load(&handler_calls) != before + 2)
		die("fork %d: %d handler calls in the parent, want 2", n, atomic_load(&handler_calls) - before);
	if (waitpid(pid, &ws, 0) != pid)
		die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		die("fork %d: child status 0x%x (hang: signal 14; 3: bad answer in a handler; 4: bad lookup after fork)",
		    n, ws);
	if (atomic_load(&bad_calls) != 0)
		die("fork %d: %d bad answers in the parent's handlers", n, atomic_load(&bad_calls));
	if (!lookup_ok((size_t)n % PW.n))
		die("fork %d: parent lookup after fork", n);
}

int main(int argc, char **argv)
{
	int forks = argc > 1 ? atoi(argv[1]) : 200;
	struct passwd pw;
	char buf[8192], got[8192];
	int e;
	pthread_t t;

	module_load(&M);
	map_load(&PW, expect_dir(), "passwd", 2);
	/* Ours first, then the module's (at its first lookup). */
	if (pthread_atfork(h_prepare, h_parent, h_child) != 0)
		die("pthread_atfork");
	if (!lookup_ok(0))
		die("first lookup");

	/* A walk in progress across a fork whose handlers call getpwent_r:
	 * those calls must not deliver (and so skip) entries of this walk. */
	if (M.setpwent(0) != NSS_STATUS_SUCCESS)
		die("setpwent");
	for (size_t i = 0; i < 5; i++)
		if (M.getpwent_r(&pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			die("getpwent_r %zu", i);
	one_fork(0);
	if (M.getpwent_r(&pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
		die("getpwent_r after fork");
	fmt_pw(&pw, got, sizeof(got));
	if (strcmp(got, PW.e[5].line) != 0)
		die("walk after fork got %s, want %s", got, PW.e[5].line);
	M.endpwent();

	/* Then with another thread looking up meanwhile. */
	pthread_create(&t, NULL, looper, NULL);
	for (int n = 1; n < forks; n++)
		one_fork(n);
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	if (atomic_load(&bad_calls) != 0)
		die("%d bad answers", atomic_load(&bad_calls));
	printf("atfork: %d forks with lookups in foreign prepare/parent/child handlers: none hung, all answers UNAVAIL or correct\n",
	       forks);
	return 0;
}
