/*
 * inplace.c — the live cache.db modified IN PLACE (same inode) under a
 * process that has it open: an admin's `truncate`, `cp backup cache.db`.
 *
 * The writer never does this (it renames a new file over the path), but
 * root can, and the module is loaded into sshd and every other process: it
 * must not kill its host. A module that mmaps the file dies of SIGBUS at
 * its next lookup after a truncate. Checked here, with 2 threads looking up
 * all the time and the main thread doing the damage:
 *   1. truncate to 8 KiB: the process survives; every answer is UNAVAIL or
 *      the correct line; after the re-check window (1 s, plus margin) the
 *      file is re-examined and every lookup is UNAVAIL (size now disagrees
 *      with the header: same inode, so only size/mtime can tell).
 *   2. rewrite in place (O_TRUNC + write) with another generation (B): the
 *      process survives; answers are UNAVAIL or a line of A or B; after
 *      the window every lookup returns B's line.
 *   3. 20 more in-place rewrites alternating A and B, back to back.
 * Answers are never NOTFOUND for a user both generations have, and never
 * another user's entry. The window wait is the module's documented re-check
 * interval, not a speed measurement.
 *
 * Usage: OUT=... LDAPIDM_CACHE_DIR=<dir holding a writable copy of A>
 *        LDAPIDM_EXPECT=<A's expectations> inplace <A cache.db> <B cache.db> <B expect dir>
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static struct module M;
static struct map A, B;
static atomic_int stop;
static atomic_long n_ok, n_unavail, n_bad;
static char bad_example[512];

/* 0: correct for generation a or b (as allowed), 1: UNAVAIL, -1: wrong. */
static int classify(size_t i, int allow_a, int allow_b)
{
	struct passwd pw;
	char buf[8192], got[8192];
	int e = 0;
	enum nss_status st = M.getpwnam_r(A.e[i].name, &pw, buf, sizeof(buf), &e);

	if (st == NSS_STATUS_UNAVAIL)
		return 1;
	if (st == NSS_STATUS_SUCCESS) {
		fmt_pw(&pw, got, sizeof(got));
		if ((allow_a && strcmp(got, A.e[i].line) == 0) || (allow_b && strcmp(got, B.e[i].line) == 0))
			return 0;
	} else {
		snprintf(got, sizeof(got), "status %s", status_name(st));
	}
	snprintf(bad_example, sizeof(bad_example), "%.100s -> %.300s", A.e[i].name, got);
	return -1;
}

static void *looper(void *arg)
{
	unsigned long long s = 88172645463325252ULL + (size_t)arg;

	while (!atomic_load(&stop)) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		switch (classify(s % A.n, 1, 1)) {
		case 0: atomic_fetch_add(&n_ok, 1); break;
		case 1: atomic_fetch_add(&n_unavail, 1); break;
		default: atomic_fetch_add(&n_bad, 1); break;
		}
	}
	return NULL;
}

static char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long len;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0)
		die("read %s", path);
	rewind(f);
	p = malloc((size_t)len);
	if (p == NULL || fread(p, 1, (size_t)len, f) != (size_t)len)
		die("read %s", path);
	fclose(f);
	*n = (size_t)len;
	return p;
}

/* What `cp src cache.db` does to an existing file: same inode, truncated,
 * then written. */
static void rewrite(const char *path, const char *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	size_t o = 0;

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (o < n) {
		size_t chunk = n - o < 65536 ? n - o : 65536;
		ssize_t w = write(fd, data + o, chunk);
		if (w <= 0)
			die("write %s: %s", path, strerror(errno));
		o += (size_t)w;
	}
	close(fd);
}

static void past_window(void)
{
	struct timespec ts = { 1, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);
}

/* Every 7th user, from this thread: all must classify as want (0: correct,
 * 1: UNAVAIL, 2: either). */
static void all_must(int want, int allow_a, int allow_b, const char *what)
{
	for (size_t i = 0; i < A.n; i += 7) {
		int c = classify(i, allow_a, allow_b);
		if (c < 0 || (want != 2 && c != want))
			die("%s: %s (want %s)", what, c < 0 ? bad_example : "UNAVAIL",
			    want == 1 ? "UNAVAIL" : "the correct line");
	}
}

int main(int argc, char **argv)
{
	const char *dir = getenv("LDAPIDM_CACHE_DIR");
	char path[4096];
	size_t na, nb;
	char *da, *db;
	pthread_t t[2];

	if (argc != 4 || dir == NULL)
		die("usage: LDAPIDM_CACHE_DIR=... inplace A-cache.db B-cache.db B-expect-dir");
	snprintf(path, sizeof(path), "%s/cache.db", dir);
	module_load(&M);
	map_load(&A, expect_dir(), "passwd", 2);
	map_load(&B, argv[3], "passwd", 2);
	if (A.n != B.n)
		die("generations differ in size");
	for (size_t i = 0; i < A.n; i++)
		if (strcmp(A.e[i].name, B.e[i].name) != 0 || strcmp(A.e[i].line, B.e[i].line) == 0)
			die("fixture: user %zu must have the same name and a different line in A and B", i);
	da = slurp(argv[1], &na);
	db = slurp(argv[2], &nb);

	all_must(0, 1, 0, "before any change");
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, looper, (void *)(size_t)i);

	if (truncate(path, 8192) != 0)
		die("truncate: %s", strerror(errno));
	/* Pages still in SQLite's cache may answer (A's lines); pages gone
	 * must give UNAVAIL, never a crash. */
	all_must(2, 1, 0, "right after truncate");
	past_window();
	all_must(1, 0, 0, "truncated, after the re-check window");

	rewrite(path, db, nb);
	past_window();
	all_must(0, 0, 1, "rewritten in place with B, after the re-check window");

	for (int r = 0; r < 20; r++)
		rewrite(path, r % 2 ? db : da, r % 2 ? nb : na);
	past_window();
	all_must(0, 0, 1, "after 20 in-place rewrites ending with B");

	atomic_store(&stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	if (n_bad != 0)
		die("%ld wrong answers from looking-up threads, e.g. %s", (long)n_bad, bad_example);
	printf("inplace: survived truncate and %d in-place rewrites; threads: %ld correct, %ld UNAVAIL, 0 wrong\n", 21,
	       (long)n_ok, (long)n_unavail);
	free(da);
	free(db);
	return 0;
}
