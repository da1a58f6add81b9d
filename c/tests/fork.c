/*
 * fork.c — forking while other threads are inside the module.
 *
 * A parent with 4 threads doing lookups in a loop (getpwnam_r and
 * getpwuid_r in turn) forks N children (2,000 by default) one after
 * another. Each child sets alarm(5), does four lookups (getpwnam_r,
 * getgrgid_r, getpwnam_r, getpwuid_r; its first use of the module after
 * fork must close the parent's connection and open its own), checks them
 * and _exits. The parent counts children killed by the alarm (hangs: a
 * lock inherited held) and children that saw wrong answers. Both must be
 * 0. After 3 hangs it stops forking (children run one at a time, so a
 * broken module would otherwise take 5 s per child).
 *
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... LDAPIDM_EXPECT=... fork [children]
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
static struct map PW, GR;
static atomic_int stop;
static atomic_long parent_wrong, parent_lookups;

static int check_user(size_t i, char *buf, size_t len)
{
	struct passwd pw;
	char got[8192];
	int e;

	if (M.getpwnam_r(PW.e[i].name, &pw, buf, len, &e) != NSS_STATUS_SUCCESS)
		return 1;
	fmt_pw(&pw, got, sizeof(got));
	return strcmp(got, PW.e[i].line) != 0;
}

static int check_uid(size_t i, char *buf, size_t len)
{
	struct passwd pw;
	char got[8192];
	int e;

	if (M.getpwuid_r((uid_t)PW.e[i].id, &pw, buf, len, &e) != NSS_STATUS_SUCCESS)
		return 1;
	fmt_pw(&pw, got, sizeof(got));
	return strcmp(got, PW.e[i].line) != 0;
}

static int check_group(size_t i, char *buf, size_t len)
{
	struct group gr;
	static char got[1 << 17];
	int e;

	if (M.getgrgid_r((gid_t)GR.e[i].id, &gr, buf, len, &e) != NSS_STATUS_SUCCESS)
		return 1;
	fmt_gr(&gr, got, sizeof(got));
	return strcmp(got, GR.e[i].line) != 0;
}

static void *looper(void *arg)
{
	size_t i = (size_t)arg * 977;
	char buf[8192];

	while (!atomic_load(&stop)) {
		i = (i + 7919) % PW.n;
		if ((i & 1 ? check_uid : check_user)(i, buf, sizeof(buf)))
			atomic_fetch_add(&parent_wrong, 1);
		atomic_fetch_add(&parent_lookups, 1);
	}
	return NULL;
}

/* An enumeration in progress across fork: the child may not use the
 * parent's connection, so it reopens and must resume right after the last
 * entry delivered (not restart, not skip); the parent continues as if
 * nothing happened. */
static void walk_across_fork(void)
{
	struct passwd pw;
	char buf[8192], got[8192];
	int e, ws;
	pid_t pid;

	M.setpwent(0);
	for (size_t i = 0; i < 10; i++)
		if (M.getpwent_r(&pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			die("getpwent_r %zu", i);
	pid = fork();
	if (pid == 0) {
		alarm(5);
		if (M.getpwent_r(&pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			_exit(3);
		fmt_pw(&pw, got, sizeof(got));
		_exit(strcmp(got, PW.e[10].line) == 0 ? 0 : 4);
	}
	if (pid < 0 || waitpid(pid, &ws, 0) != pid)
		die("fork/waitpid");
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		die("child continuing its parent's getpwent: status 0x%x (want entry 11)", ws);
	if (M.getpwent_r(&pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
		die("parent getpwent_r after fork");
	fmt_pw(&pw, got, sizeof(got));
	if (strcmp(got, PW.e[10].line) != 0)
		die("parent after fork got %s, want %s", got, PW.e[10].line);
	M.endpwent();
	printf("fork: an enumeration resumes at entry 11 in both parent and child\n");
}

int main(int argc, char **argv)
{
	const char *dir = expect_dir();
	int children = argc > 1 ? atoi(argv[1]) : 2000;
	long hangs = 0, wrong = 0, other = 0;
	pthread_t t[4];

	module_load(&M);
	map_load(&PW, dir, "passwd", 2);
	map_load(&GR, dir, "group", 2);
	walk_across_fork();
	for (int i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, looper, (void *)(size_t)i);
	for (int c = 0; c < children; c++) {
		pid_t pid = fork();
		int ws;

		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			static char buf[1 << 17];
			int bad = 0;
			alarm(5);
			bad += check_user((size_t)c % PW.n, buf, sizeof(buf));
			bad += check_group((size_t)c % GR.n, buf, sizeof(buf));
			bad += check_user((size_t)(c * 31) % PW.n, buf, sizeof(buf));
			bad += check_uid((size_t)(c * 17 + 5) % PW.n, buf, sizeof(buf));
			_exit(bad ? 3 : 0);
		}
		if (waitpid(pid, &ws, 0) != pid)
			die("waitpid: %s", strerror(errno));
		if (WIFSIGNALED(ws) && WTERMSIG(ws) == SIGALRM)
			hangs++;
		else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 3)
			wrong++;
		else if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
			other++;
		if (hangs >= 3) {
			children = c + 1;
			break;
		}
	}
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	printf("fork: %d children: %ld hung, %ld wrong, %ld other failures; parent: %ld lookups, %ld wrong\n",
	       children, hangs, wrong, other, (long)parent_lookups, (long)parent_wrong);
	return hangs == 0 && wrong == 0 && other == 0 && parent_wrong == 0 ? 0 : 1;
}
