/*
 * nomem.c — every entry point with the Nth allocation failing.
 *
 * A host process can run out of memory at any moment (a cgroup limit, a
 * long-running daemon near its ulimit). The module must then answer
 * TRYAGAIN + ENOMEM or UNAVAIL — never a false NOTFOUND (which glibc takes
 * as "no such user": `id alice` says she does not exist, a truncated
 * `getent passwd` looks complete), never a wrong entry, never a crash —
 * and the next call, with memory back, must answer correctly (no state left
 * poisoned). initgroups_dyn must leave glibc's array valid (realloc failing
 * keeps the old block) with *start <= *size and only real gids in it.
 *
 * How: this executable defines malloc/calloc/realloc (exported with
 * -rdynamic, so the dlopen'ed module and the SQLite inside it bind to them)
 * forwarding to glibc's __libc_* functions, except that while "armed" the
 * Nth call fails. For each case and N = 0, 1, 2, ... a forked child (fresh
 * module state: init, open, prepare all happen under the failure) makes the
 * call armed, checks it, disarms and repeats it, and must get the right
 * answer. A second pass warms the module first (one good call) and then
 * fails the Nth allocation of the next, reaching the allocations a warm
 * lookup makes (initgroups' realloc of the gid array). A case ends at the
 * first N past its last allocation. The first allocations of a cold lookup
 * are the module's own (OWN_ALLOCS): those must give ENOMEM exactly.
 *
 * Usage: OUT=<out dir> LDAPIDM_CACHE_DIR=<cache> LDAPIDM_EXPECT=<text> nomem
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int armed;
static long nalloc, fail_at;

static int should_fail(void)
{
	if (!armed)
		return 0;
	return nalloc++ == fail_at;
}

void *malloc(size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
	if (should_fail()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
}

static struct module M;
static struct map PW, GR, SP, IG;
static char *buf;
#define BUFLEN (1 << 20)

/* One case: call() makes the call(s) and returns the status; on SUCCESS it
 * writes the answer's getent line into out. */
struct tcase {
	const char *what;
	enum nss_status (*call)(char *out, size_t n, int *e);
	const char *want; /* the expected line */
	int opens;        /* the call opens the file (a walk opens it in
	                   * setXXent, whose status the case ignores) */
};

/* A cold lookup's first allocations are the module's own, building the
 * file's paths before SQLite allocates anything (dir.c: ldi_locate; db.c:
 * real_path: realpath's result, then the block it grows into). Failing one
 * of them must answer ENOMEM, not UNAVAIL: the host is short of memory,
 * the cache is fine. */
#define OWN_ALLOCS 3

static const struct entry *pw_e, *gr_e, *sp_e, *ig_e;

static enum nss_status t_pwnam(char *out, size_t n, int *e)
{
	struct passwd r;
	enum nss_status st = M.getpwnam_r(pw_e->name, &r, buf, BUFLEN, e);
	if (st == NSS_STATUS_SUCCESS)
		fmt_pw(&r, out, n);
	return st;
}

static enum nss_status t_pwuid(char *out, size_t n, int *e)
{
	struct passwd r;
	enum nss_status st = M.getpwuid_r((uid_t)pw_e->id, &r, buf, BUFLEN, e);
	if (st == NSS_STATUS_SUCCESS)
		fmt_pw(&r, out, n);
	return st;
}

static enum nss_status t_grnam(char *out, size_t n, int *e)
{
	struct group r;
	enum nss_status st = M.getgrnam_r(gr_e->name, &r, buf, BUFLEN, e);
	if (st == NSS_STATUS_SUCCESS)
		fmt_gr(&r, out, n);
	return st;
}

static enum nss_status t_grgid(char *out, size_t n, int *e)
{
	struct group r;
	enum nss_status st = M.getgrgid_r((gid_t)gr_e->id, &r, buf, BUFLEN, e);
	if (st == NSS_STATUS_SUCCESS)
		fmt_gr(&r, out, n);
	return st;
}

static enum nss_status t_spnam(char *out, size_t n, int *e)
{
	struct spwd r;
	enum nss_status st = M.getspnam_r(sp_e->name, &r, buf, BUFLEN, e);
	if (st == NSS_STATUS_SUCCESS)
		fmt_sp(&r, out, n);
	return st;
}

/* The first three passwd entries of an enumeration, joined by '|'. */
static enum nss_status t_pwent(char *out, size_t n, int *e)
{
	enum nss_status st = NSS_STATUS_SUCCESS;
	size_t used = 0;

	out[0] = '\0';
	M.setpwent(0);
	for (int i = 0; i < 3 && st == NSS_STATUS_SUCCESS; i++) {
		struct passwd r;
		st = M.getpwent_r(&r, buf, BUFLEN, e);
		if (st == NSS_STATUS_SUCCESS) {
			fmt_pw(&r, out + used, n - used);
			used = strlen(out);
			if (i < 2 && used + 1 < n)
				out[used++] = '|', out[used] = '\0';
		}
	}
	M.endpwent();
	return st;
}

/* initgroups_dyn from capacity 1, so every few gids need a realloc. The
 * answer is "name g1 g2 ..." as in the initgroups expectation file; on a
 * failure the array must still be consistent. */
static int ig_broken;
static enum nss_status t_initgroups(char *out, size_t n, int *e)
{
	long start = 0, size = 1;
	gid_t *g = __libc_malloc(sizeof(gid_t));
	enum nss_status st = M.initgroups_dyn(ig_e->name, (gid_t)-1, &start, &size, &g, 0, e);
	size_t used = (size_t)snprintf(out, n, "%-21s", ig_e->name); /* as getent prints it */

	if (g == NULL || start < 0 || start > size)
		ig_broken = 1;
	for (long k = 0; g != NULL && k < start && used < n; k++)
		used += (size_t)snprintf(out + used, n - used, " %u", (unsigned)g[k]);
	if (st != NSS_STATUS_SUCCESS && g != NULL) {
		/* Whatever was appended before the failure must be a prefix of
		 * the real answer. */
		if (strncmp(out, ig_e->line, strlen(out)) != 0)
			ig_broken = 1;
	}
	free(g);
	return st;
}

static char want_pwent[1 << 14];

/* Runs one attempt in a child. Exit 0: checked and correct; 3: the armed
 * call made no more than N allocations (the case is exhausted). Counts of
 * armed outcomes are written to the pipe. */
static char got[1 << 17];
static int child(const struct tcase *t, long n, int warm, int fd)
{
	int e = 0;
	enum nss_status st;

	if (warm) {
		st = t->call(got, sizeof got, &e);
		if (st != NSS_STATUS_SUCCESS || strcmp(got, t->want) != 0)
			die("%s: warm-up call: %s %.200s", t->what, status_name(st), got);
	}
	got[0] = '\0';
	e = 0;
	nalloc = 0;
	fail_at = n;
	armed = 1;
	st = t->call(got, sizeof got, &e);
	armed = 0;
	long made = nalloc;

	if (ig_broken)
		die("%s: N=%ld: glibc's gid array left inconsistent", t->what, n);
	switch (st) {
	case NSS_STATUS_SUCCESS:
		if (strcmp(got, t->want) != 0)
			die("%s: N=%ld: SUCCESS with a wrong answer: %.200s (want %.200s)", t->what, n, got, t->want);
		break;
	case NSS_STATUS_TRYAGAIN:
		if (e != ENOMEM)
			die("%s: N=%ld: TRYAGAIN with errno %d, want ENOMEM", t->what, n, e);
		break;
	case NSS_STATUS_UNAVAIL:
		break;
	default:
		die("%s: N=%ld: %s under a failed allocation (a false answer)", t->what, n, status_name(st));
	}
	char tag = st == NSS_STATUS_SUCCESS ? 'S' : st == NSS_STATUS_TRYAGAIN ? 'T' : 'U';
	if (write(fd, &tag, 1) != 1)
		die("pipe");

	/* Memory is back: the very next call must be right. */
	e = 0;
	st = t->call(got, sizeof got, &e);
	if (st != NSS_STATUS_SUCCESS || strcmp(got, t->want) != 0)
		die("%s: N=%ld: the call after the failure: %s %.200s (want %.200s)", t->what, n, status_name(st), got, t->want);
	return made <= n ? 3 : 0;
}

static void run_case(const struct tcase *t, int warm)
{
	long counts[3] = { 0, 0, 0 };
	long n;

	for (n = 0; n < 100000; n++) {
		int p[2];
		fflush(stdout); /* a child that dies must not repeat our output */
		if (pipe(p) != 0)
			die("pipe");
		pid_t pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(p[0]);
			alarm(20);
			_exit(child(t, n, warm, p[1]));
		}
		close(p[1]);
		char tag = 0;
		if (read(p[0], &tag, 1) == 1) {
			counts[tag == 'S' ? 0 : tag == 'T' ? 1 : 2]++;
			if (!warm && t->opens && n < OWN_ALLOCS && tag != 'T')
				die("%s: N=%ld: one of the module's own allocations failed: %s, want TRYAGAIN/ENOMEM",
				    t->what, n, tag == 'S' ? "SUCCESS" : "UNAVAIL");
		}
		close(p[0]);
		int ws;
		if (waitpid(pid, &ws, 0) != pid)
			die("waitpid");
		if (WIFSIGNALED(ws))
			die("%s%s: N=%ld: child killed by signal %d", t->what, warm ? " (warm)" : "", n, WTERMSIG(ws));
		if (WEXITSTATUS(ws) == 3)
			break;
		if (WEXITSTATUS(ws) != 0)
			exit(1); /* the child said why */
	}
	/* Cold, a first call opens the cache: it must allocate, and some of
	 * those failures must reach the module. (Warm lookups may allocate
	 * nothing at all.) */
	if (!warm && counts[1] + counts[2] == 0)
		die("%s%s: no allocation failure ever reached the module", t->what, warm ? " (warm)" : "");
	printf("nomem: %-14s %-5s %4ld allocations failed in turn: %ld ENOMEM, %ld UNAVAIL, %ld answered anyway\n",
	       t->what, warm ? "warm" : "cold", n + 1, counts[1], counts[2], counts[0]);
}

int main(void)
{
	const char *dir = expect_dir();

	module_load(&M);
	map_load(&PW, dir, "passwd", 2);
	map_load(&GR, dir, "group", 2);
	map_load(&SP, dir, "shadow", 0);
	map_load(&IG, dir, "initgroups", -1);
	if (PW.n < 3)
		die("expectations too small");
	buf = __libc_malloc(BUFLEN);
	struct probes pr = pick_probes(&PW, &GR, &SP, &IG);
	pw_e = pr.pw, gr_e = pr.gr, sp_e = pr.sp, ig_e = pr.ig;
	snprintf(want_pwent, sizeof want_pwent, "%s|%s|%s", PW.e[0].line, PW.e[1].line, PW.e[2].line);

	const struct tcase cases[] = {
		{ "getpwnam_r", t_pwnam, pw_e->line, 1 },
		{ "getpwuid_r", t_pwuid, pw_e->line, 1 },
		{ "getgrnam_r", t_grnam, gr_e->line, 1 },
		{ "getgrgid_r", t_grgid, gr_e->line, 1 },
		{ "getspnam_r", t_spnam, sp_e->line, 1 },
		{ "getpwent_r", t_pwent, want_pwent, 0 },
		{ "initgroups_dyn", t_initgroups, ig_e->line, 1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_case(&cases[i], 0);
		run_case(&cases[i], 1);
	}
	printf("nomem: ok\n");
	return 0;
}
