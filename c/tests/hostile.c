/*
 * hostile.c — a host that cares about its process: it installs its own
 * SIGURG, SIGCHLD and SIGPIPE handlers and blocks SIGUSR1, notes its thread
 * count, then looks users and groups up and checks that the module changed
 * none of that, added no threads, and left no fd without O_CLOEXEC.
 *
 *   hostile glibc   lookups through glibc (getpwnam, getgrnam, getgrouplist,
 *                   getspnam, setpwent/getpwent): run under unshare -m with
 *                   a private nsswitch.conf naming "ldapidm" (run.sh does).
 *   hostile dlopen  lookups by calling the module's entry points directly.
 *
 * Prints nothing on success (the module must print nothing either; run.sh
 * checks both streams are empty), a reason and exit 1 on failure.
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... hostile glibc|dlopen <user> <group>
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void on_urg(int s) { (void)s; }
static void on_chld(int s) { (void)s; }
static void on_pipe(int s) { (void)s; }

static int threads(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int n = -1;

	if (f == NULL)
		die("open /proc/self/status");
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

/* fds open before the first lookup (inherited from whoever ran us). */
static char inherited[1024];

static void note_inherited(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && fd >= 0 && fd < (int)sizeof(inherited))
			inherited[fd] = 1;
	}
	closedir(d);
}

/* Every fd opened since note_inherited (the module's) must be O_CLOEXEC. */
static void check_cloexec(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self = dirfd(d), checked = 0;

	while ((e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		int fl;
		if (e->d_name[0] == '.' || fd == self || (fd < (int)sizeof(inherited) && inherited[fd]))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl < 0 || !(fl & FD_CLOEXEC)) {
			char p[64], target[4096] = "";
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			(void)!readlink(p, target, sizeof(target) - 1);
			die("fd %d (%s) lacks O_CLOEXEC", fd, target);
		}
		checked++;
	}
	closedir(d);
	if (checked == 0 && getenv("HOSTILE_EXPECT_FDS") != NULL)
		die("no module fd open: the lookups did not keep a connection");
}

static void lookups_glibc(const char *user, const char *group)
{
	struct passwd *pw;
	struct group *gr;
	gid_t groups[512];
	int n = 512;

	for (int i = 0; i < 50; i++) {
		errno = 0;
		if ((pw = getpwnam(user)) == NULL)
			die("getpwnam(%s) failed: %s", user, strerror(errno));
		if (getpwuid(pw->pw_uid) == NULL)
			die("getpwuid(%u)", (unsigned)pw->pw_uid);
		if ((gr = getgrnam(group)) == NULL || getgrgid(gr->gr_gid) == NULL)
			die("getgrnam/getgrgid(%s)", group);
		n = 512;
		if (getgrouplist(user, pw->pw_gid, groups, &n) < 1 || n < 2)
			die("getgrouplist(%s) = %d groups", user, n);
		if (getpwnam("no-such-user-here") != NULL)
			die("a missing user was found");
	}
	if (getspnam(user) == NULL)
		die("getspnam(%s)", user);
	setpwent();
	for (n = 0; getpwent() != NULL; n++)
		;
	endpwent();
	if (n < 2)
		die("getpwent returned %d entries", n);
}

static void lookups_dlopen(const char *user, const char *group)
{
	struct module m;
	struct passwd pw;
	struct group gr;
	static char buf[1 << 17];
	int e;

	module_load(&m);
	for (int i = 0; i < 50; i++) {
		if (m.getpwnam_r(user, &pw, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			die("getpwnam_r(%s)", user);
		if (m.getgrnam_r(group, &gr, buf, sizeof(buf), &e) != NSS_STATUS_SUCCESS)
			die("getgrnam_r(%s)", group);
	}
	m.setpwent(0);
	while (m.getpwent_r(&pw, buf, sizeof(buf), &e) == NSS_STATUS_SUCCESS)
		;
	m.endpwent();
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGURG, SIGCHLD, SIGPIPE };
	void (*const handlers[])(int) = { on_urg, on_chld, on_pipe };
	struct sigaction sa, now, installed[3];
	sigset_t mask, after;
	int before;

	if (argc != 4)
		die("usage: hostile glibc|dlopen <user> <group>");
	for (int i = 0; i < 3; i++) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = handlers[i];
		sa.sa_flags = SA_RESTART;
		sigaction(sigs[i], &sa, NULL);
		sigaction(sigs[i], NULL, &installed[i]); /* as the kernel keeps it */
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	before = threads();
	note_inherited();

	if (strcmp(argv[1], "glibc") == 0)
		lookups_glibc(argv[2], argv[3]);
	else
		lookups_dlopen(argv[2], argv[3]);

	for (int i = 0; i < 3; i++) {
		sigaction(sigs[i], NULL, &now);
		if (now.sa_handler != handlers[i] || now.sa_flags != installed[i].sa_flags)
			die("signal %d: handler or flags changed", sigs[i]);
	}
	sigprocmask(SIG_BLOCK, NULL, &after);
	if (!sigismember(&after, SIGUSR1) || sigismember(&after, SIGURG) || sigismember(&after, SIGCHLD))
		die("signal mask changed");
	if (threads() != before)
		die("thread count changed from %d to %d", before, threads());
	check_cloexec();
	return 0;
}
