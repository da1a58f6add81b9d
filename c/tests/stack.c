/*
 * stack.c — every entry point on a thread with a small stack.
 *
 * The module runs on whatever thread resolves a user, and hosts give
 * threads small stacks (musl's default is 128 KiB; servers set 64 KiB or
 * less with pthread_attr_setstacksize). The other harnesses run on glibc's
 * 8 MiB default, so a path buffer or another big array on the module's
 * stack would pass them all and crash such a host.
 *
 * Each case runs in a forked child (fresh module state: its first call
 * opens the file) on one thread created with pthread_attr_setstacksize
 * (glibc puts a guard page below it: overflowing is SIGSEGV, a failure).
 * The thread makes the case's calls in three steps, every answer checked
 * against the expectations:
 *   cold     the first call: opens the file, prepares the statement
 *   warm     the same call again, on the open connection
 *   recheck  after the re-validation window (LDI_RECHECK_NS, 1 s): the
 *            call stats the path first. For an enumeration: setXXent on
 *            the open walk (it re-validates at once), the whole walk,
 *            endXXent.
 * Before every module call the thread paints the free part of its stack,
 * after it finds the deepest byte written: the call's stack use below the
 * harness's frame. The deepest call of each step is printed; with a budget
 * (second argument, KiB) a deeper one fails, so growth is caught long
 * before a host's stack runs out. The children run at once (the recheck
 * step sleeps through the window), reported in order.
 *
 * Measured here (x86_64, gcc 12, glibc 2.36): with PATH_MAX buffers on the
 * stack (16 KiB in open_once, 8 KiB in the re-check) a cold call used
 * 27 KiB and a re-check 11 KiB, and the module crashed on a 28 KiB thread
 * stack; without them a cold call uses 10.5 KiB, nearly all of it SQLite
 * reading the schema (a parse nested inside the first PRAGMA's parse), and
 * a warm or re-checked one 1.5 KiB. run.sh: 64 KiB stack, 16 KiB budget.
 *
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... LDAPIDM_EXPECT=... stack [stack-KiB [budget-KiB]]
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PAINT 0xA7
#define NSTEPS 3
static const char *const step_name[NSTEPS] = { "cold", "warm", "recheck" };

static struct module M;
static struct map PW, GR, SP, IG;
static const struct entry *pw_e, *gr_e, *sp_e, *ig_e;
/* On the heap, never on the small stack. */
static char *buf, *got;
#define BUFLEN (1 << 20)

static char *lo;      /* lowest usable byte of the thread's stack */
static size_t deepest; /* deepest call of the current step, bytes */

/* Paints from lo up to a little below this function's frame: memset's own
 * frame stays inside the margin. */
static __attribute__((noinline)) void paint(void)
{
	char *here = __builtin_frame_address(0);

	memset(lo, PAINT, (size_t)(here - 256 - lo));
}

/* Records how far below ref (the calling frame) the last call wrote. */
static __attribute__((noinline)) void note(const char *ref)
{
	const volatile unsigned char *p = (const volatile unsigned char *)lo;

	while ((const char *)p < ref && *p == PAINT)
		p++;
	if ((size_t)(ref - (const char *)p) > deepest)
		deepest = (size_t)(ref - (const char *)p);
}

/* One measured module call: expr's value into st. */
#define CALL(st, expr)                                         \
	do {                                                   \
		paint();                                       \
		(st) = (expr);                                 \
		note(__builtin_frame_address(0));              \
	} while (0)

static void want(const char *what, int step, enum nss_status st, const char *line)
{
	if (st != NSS_STATUS_SUCCESS)
		die("%s %s: %s", what, step_name[step], status_name(st));
	if (strcmp(got, line) != 0)
		die("%s %s: got %.200s, want %.200s", what, step_name[step], got, line);
}

static void t_pwnam(int step)
{
	struct passwd r;
	enum nss_status st;
	int e;

	CALL(st, M.getpwnam_r(pw_e->name, &r, buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		fmt_pw(&r, got, BUFLEN);
	want("getpwnam_r", step, st, pw_e->line);
}

static void t_pwuid(int step)
{
	struct passwd r;
	enum nss_status st;
	int e;

	CALL(st, M.getpwuid_r((uid_t)pw_e->id, &r, buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		fmt_pw(&r, got, BUFLEN);
	want("getpwuid_r", step, st, pw_e->line);
}

static void t_grnam(int step)
{
	struct group r;
	enum nss_status st;
	int e;

	CALL(st, M.getgrnam_r(gr_e->name, &r, buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		fmt_gr(&r, got, BUFLEN);
	want("getgrnam_r", step, st, gr_e->line);
}

static void t_grgid(int step)
{
	struct group r;
	enum nss_status st;
	int e;

	CALL(st, M.getgrgid_r((gid_t)gr_e->id, &r, buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		fmt_gr(&r, got, BUFLEN);
	want("getgrgid_r", step, st, gr_e->line);
}

static void t_spnam(int step)
{
	struct spwd r;
	enum nss_status st;
	int e;

	CALL(st, M.getspnam_r(sp_e->name, &r, buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		fmt_sp(&r, got, BUFLEN);
	want("getspnam_r", step, st, sp_e->line);
}

/* From capacity 1, so the gid array is grown several times. */
static void t_initgroups(int step)
{
	long start = 0, size = 1;
	gid_t *g = malloc(sizeof(gid_t));
	enum nss_status st;
	size_t o;
	int e;

	CALL(st, M.initgroups_dyn(ig_e->name, (gid_t)-1, &start, &size, &g, 0, &e));
	o = (size_t)snprintf(got, BUFLEN, "%-21s", ig_e->name); /* as getent prints it */
	for (long k = 0; g != NULL && k < start; k++)
		o += (size_t)snprintf(got + o, BUFLEN - o, " %u", (unsigned)g[k]);
	free(g);
	want("initgroups_dyn", step, st, ig_e->line);
}

/* One map's enumeration, generic over the three. */
struct walker {
	const char *what;
	const struct map *m;
	enum nss_status (*set)(int);
	enum nss_status (*end)(void);
	enum nss_status (*next)(char *b, size_t n, int *e);
	void (*fmt)(void);
};

/* The calls fill these (static: off the small stack); fmt formats the
 * last one into got, outside the measured call. */
static struct passwd pw_r;
static struct group gr_r;
static struct spwd sp_r;

static enum nss_status n_pw(char *b, size_t n, int *e) { return M.getpwent_r(&pw_r, b, n, e); }
static enum nss_status n_gr(char *b, size_t n, int *e) { return M.getgrent_r(&gr_r, b, n, e); }
static enum nss_status n_sp(char *b, size_t n, int *e) { return M.getspent_r(&sp_r, b, n, e); }
static void f_pw(void) { fmt_pw(&pw_r, got, BUFLEN); }
static void f_gr(void) { fmt_gr(&gr_r, got, BUFLEN); }
static void f_sp(void) { fmt_sp(&sp_r, got, BUFLEN); }

/* One measured getXXent_r, checked against line. */
static void next_is(const struct walker *w, int step, const char *line)
{
	enum nss_status st;
	int e;

	CALL(st, w->next(buf, BUFLEN, &e));
	if (st == NSS_STATUS_SUCCESS)
		w->fmt();
	want(w->what, step, st, line);
}

/* Entries [from, m->n) in order, then the end. */
static void walk_rest(const struct walker *w, int step, size_t from)
{
	enum nss_status st;
	int e;

	for (size_t i = from; i < w->m->n; i++)
		next_is(w, step, w->m->e[i].line);
	CALL(st, w->next(buf, BUFLEN, &e));
	if (st != NSS_STATUS_NOTFOUND)
		die("%s %s: after the last entry: %s", w->what, step_name[step], status_name(st));
}

/* A measured setXXent or endXXent: both answer SUCCESS here. */
static void ctl(const struct walker *w, int step, enum nss_status (*fn)(int), enum nss_status (*end)(void))
{
	enum nss_status st;

	if (fn != NULL)
		CALL(st, fn(0));
	else
		CALL(st, end());
	if (st != NSS_STATUS_SUCCESS)
		die("%s %s: set/endXXent: %s", w->what, step_name[step], status_name(st));
}

static void walk(const struct walker *w, int step)
{
	switch (step) {
	case 0: /* open the walk, first entry */
		ctl(w, step, w->set, NULL);
		next_is(w, step, w->m->e[0].line);
		break;
	case 1: /* the rest on the open walk */
		walk_rest(w, step, 1);
		ctl(w, step, NULL, w->end);
		break;
	default: /* a walk restarted on an open connection re-validates it */
		ctl(w, step, w->set, NULL);
		next_is(w, step, w->m->e[0].line);
		ctl(w, step, w->set, NULL);
		walk_rest(w, step, 0);
		ctl(w, step, NULL, w->end);
		break;
	}
}

static void t_pwent(int step)
{
	struct walker w = { "getpwent_r", &PW, M.setpwent, M.endpwent, n_pw, f_pw };

	walk(&w, step);
}

static void t_grent(int step)
{
	struct walker w = { "getgrent_r", &GR, M.setgrent, M.endgrent, n_gr, f_gr };

	walk(&w, step);
}

static void t_spent(int step)
{
	struct walker w = { "getspent_r", &SP, M.setspent, M.endspent, n_sp, f_sp };

	walk(&w, step);
}

struct tcase {
	const char *what;
	void (*run)(int step);
};

static const struct tcase cases[] = {
	{ "getpwnam_r", t_pwnam },     { "getpwuid_r", t_pwuid }, { "getgrnam_r", t_grnam },
	{ "getgrgid_r", t_grgid },     { "getspnam_r", t_spnam }, { "initgroups_dyn", t_initgroups },
	{ "passwd walk", t_pwent },    { "group walk", t_grent }, { "shadow walk", t_spent },
};
#define NCASES (sizeof cases / sizeof cases[0])

static void *thread(void *arg)
{
	const struct tcase *t = arg;
	static size_t used[NSTEPS];
	pthread_attr_t a;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &a) != 0 || pthread_attr_getstack(&a, &addr, &size) != 0)
		die("pthread_getattr_np");
	pthread_attr_destroy(&a);
	lo = addr;
	for (int s = 0; s < NSTEPS; s++) {
		if (s == 2) {
			struct timespec ts = { 1, 200000000 }; /* past LDI_RECHECK_NS */
			nanosleep(&ts, NULL);
		}
		deepest = 0;
		t->run(s);
		used[s] = deepest;
	}
	return used;
}

/* The child: one thread with the small stack runs the case; its numbers
 * go to fd. */
static int child(const struct tcase *t, size_t kib, int fd)
{
	pthread_attr_t a;
	pthread_t th;
	void *used;
	int rc;

	buf = malloc(BUFLEN);
	got = malloc(BUFLEN);
	if (buf == NULL || got == NULL)
		die("malloc");
	pthread_attr_init(&a);
	rc = pthread_attr_setstacksize(&a, kib * 1024);
	if (rc != 0)
		die("pthread_attr_setstacksize(%zu KiB): %s", kib, strerror(rc));
	rc = pthread_create(&th, &a, thread, (void *)t);
	if (rc != 0)
		die("pthread_create: %s", strerror(rc));
	if (pthread_join(th, &used) != 0)
		die("pthread_join");
	if (write(fd, used, NSTEPS * sizeof(size_t)) != (ssize_t)(NSTEPS * sizeof(size_t)))
		die("pipe");
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = expect_dir();
	size_t kib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	size_t budget = argc > 2 ? strtoul(argv[2], NULL, 10) : 0;
	size_t most[NSTEPS] = { 0 };
	pid_t pid[NCASES];
	int fd[NCASES], bad = 0;

	module_load(&M);
	map_load(&PW, dir, "passwd", 2);
	map_load(&GR, dir, "group", 2);
	map_load(&SP, dir, "shadow", 0);
	map_load(&IG, dir, "initgroups", -1);
	struct probes pr = pick_probes(&PW, &GR, &SP, &IG);
	pw_e = pr.pw, gr_e = pr.gr, sp_e = pr.sp, ig_e = pr.ig;

	fflush(stdout);
	for (size_t i = 0; i < NCASES; i++) {
		int p[2];
		if (pipe(p) != 0)
			die("pipe");
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (pid[i] == 0) {
			close(p[0]);
			alarm(60);
			_exit(child(&cases[i], kib, p[1]));
		}
		close(p[1]);
		fd[i] = p[0];
	}
	for (size_t i = 0; i < NCASES; i++) {
		size_t used[NSTEPS];
		ssize_t n = read(fd[i], used, sizeof used);
		int ws;

		close(fd[i]);
		if (waitpid(pid[i], &ws, 0) != pid[i])
			die("waitpid");
		if (WIFSIGNALED(ws)) {
			fprintf(stderr, "FAIL: %s on a %zu KiB stack: killed by signal %d%s\n", cases[i].what, kib,
				WTERMSIG(ws), WTERMSIG(ws) == SIGSEGV ? " (stack overflow?)" : "");
			bad = 1;
			continue;
		}
		if (WEXITSTATUS(ws) != 0 || n != (ssize_t)sizeof used) {
			bad = 1; /* the child said why */
			continue;
		}
		printf("stack: %-15s", cases[i].what);
		for (int s = 0; s < NSTEPS; s++) {
			printf("  %s %6zu B", step_name[s], used[s]);
			if (used[s] > most[s])
				most[s] = used[s];
			if (budget > 0 && used[s] > budget * 1024) {
				fprintf(stderr, "FAIL: %s %s used %zu bytes of stack, budget %zu KiB\n", cases[i].what,
					step_name[s], used[s], budget);
				bad = 1;
			}
		}
		printf("\n");
	}
	printf("stack: %zu KiB thread stack; deepest: cold %zu, warm %zu, recheck %zu bytes%s\n", kib, most[0],
	       most[1], most[2], bad ? "" : " (all answers right)");
	return bad;
}
