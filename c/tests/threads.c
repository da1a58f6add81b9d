/*
 * threads.c — 8 threads x 100,000 mixed lookups through the real .so,
 * every answer checked against the expected maps: getpwnam_r, getpwuid_r,
 * getgrnam_r, getgrgid_r (including the 5,000-member group), getspnam_r,
 * initgroups_dyn, and misses: names, gids, and uids anywhere (any 32-bit
 * value, or near a user's: below, between and above a uid bucket's users),
 * each NOTFOUND unless a user has it. Prints ns per lookup (information
 * only; speed is never pass/fail here).
 *
 * Usage: OUT=... LDAPIDM_CACHE_DIR=... LDAPIDM_EXPECT=... threads [threads] [lookups]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static struct module M;
static struct map PW, GR, SP, IG;
/* PW's uids, ascending, with their entries: whose a probed uid is. */
static struct uid_ix {
	uid_t uid;
	size_t i;
} *uids;
static long per_thread = 100000;
static atomic_long wrong, done;

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int cmp_uid(const void *a, const void *b)
{
	uid_t x = ((const struct uid_ix *)a)->uid, y = ((const struct uid_ix *)b)->uid;

	return x < y ? -1 : x > y;
}

/* getpwuid_r of a uid that may or may not be a user's: half any value,
 * half a user's uid moved by -8..7, so most land inside a bucket's range
 * (or just outside the first and last). */
static int uid_probe(unsigned long long *seed, char *buf, size_t len, char *got, size_t glen)
{
	struct passwd pw;
	struct uid_ix key = { (uid_t)rnd(seed), 0 };
	const struct uid_ix *hit;
	enum nss_status st;
	int e = 0;

	if (rnd(seed) & 1)
		key.uid = (uid_t)PW.e[rnd(seed) % PW.n].id + (uid_t)(rnd(seed) % 16) - 8;
	if (key.uid == (uid_t)-1)
		key.uid--; /* (uid_t)-1 is no uid: the module answers it unasked */
	hit = bsearch(&key, uids, PW.n, sizeof(*uids), cmp_uid);
	st = M.getpwuid_r(key.uid, &pw, buf, len, &e);
	if (hit == NULL)
		return st != NSS_STATUS_NOTFOUND || e != ENOENT;
	if (st != NSS_STATUS_SUCCESS)
		return 1;
	fmt_pw(&pw, got, glen);
	return strcmp(got, PW.e[hit->i].line) != 0;
}

/* Checks one lookup; returns 0 when the answer is exactly right. */
static int one(unsigned long long *seed, char *buf, size_t len, char *got, size_t glen)
{
	int e = 0;
	unsigned op = (unsigned)(rnd(seed) % 8);
	const struct entry *x;
	enum nss_status st;

	switch (op) {
	case 0:
	case 1: {
		struct passwd pw;
		x = &PW.e[rnd(seed) % PW.n];
		st = op == 0 ? M.getpwnam_r(x->name, &pw, buf, len, &e) : M.getpwuid_r((uid_t)x->id, &pw, buf, len, &e);
		if (st != NSS_STATUS_SUCCESS)
			return 1;
		fmt_pw(&pw, got, glen);
		return strcmp(got, x->line) != 0;
	}
	case 2:
	case 3: {
		struct group gr;
		/* One lookup in 64 is the big group: it is slow, keep it rare. */
		x = &GR.e[rnd(seed) % GR.n];
		if (strcmp(x->name, "big") == 0 && rnd(seed) % 64 != 0)
			x = &GR.e[0];
		st = op == 2 ? M.getgrnam_r(x->name, &gr, buf, len, &e) : M.getgrgid_r((gid_t)x->id, &gr, buf, len, &e);
		if (st != NSS_STATUS_SUCCESS)
			return 1;
		fmt_gr(&gr, got, glen);
		return strcmp(got, x->line) != 0;
	}
	case 4: {
		struct spwd sp;
		x = &SP.e[rnd(seed) % SP.n];
		if (M.getspnam_r(x->name, &sp, buf, len, &e) != NSS_STATUS_SUCCESS)
			return 1;
		fmt_sp(&sp, got, glen);
		return strcmp(got, x->line) != 0;
	}
	case 5: {
		long start = 0, size = 4;
		gid_t *g = malloc(4 * sizeof(gid_t));
		size_t o;
		x = &IG.e[rnd(seed) % IG.n];
		st = M.initgroups_dyn(x->name, (gid_t)-1, &start, &size, &g, 0, &e);
		o = (size_t)snprintf(got, glen, "%-21s", x->name);
		for (long i = 0; i < start; i++)
			o += (size_t)snprintf(got + o, glen - o, " %u", (unsigned)g[i]);
		free(g);
		if (st != (start > 0 ? NSS_STATUS_SUCCESS : NSS_STATUS_NOTFOUND))
			return 1;
		return strcmp(got, x->line) != 0;
	}
	case 6: {
		struct passwd pw;
		char name[32];
		if (rnd(seed) & 1)
			return uid_probe(seed, buf, len, got, glen);
		snprintf(name, sizeof(name), "miss%llu", rnd(seed) % 100000);
		st = M.getpwnam_r(name, &pw, buf, len, &e);
		return st != NSS_STATUS_NOTFOUND || e != ENOENT;
	}
	default: {
		struct group gr;
		st = M.getgrgid_r((gid_t)(5000 + rnd(seed) % 1000), &gr, buf, len, &e);
		return st != NSS_STATUS_NOTFOUND || e != ENOENT;
	}
	}
}

static void *worker(void *arg)
{
	unsigned long long seed = 0x9E3779B97F4A7C15ULL * ((unsigned long long)(size_t)arg + 1);
	size_t len = 1 << 17;
	char *buf = malloc(len), *got = malloc(len);
	long bad = 0;

	for (long i = 0; i < per_thread; i++)
		bad += one(&seed, buf, len, got, len);
	atomic_fetch_add(&wrong, bad);
	atomic_fetch_add(&done, per_thread);
	free(buf);
	free(got);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *dir = expect_dir();
	int nthreads = argc > 1 ? atoi(argv[1]) : 8;
	pthread_t t[64];
	struct timespec a, b;
	double ns;

	if (argc > 2)
		per_thread = atol(argv[2]);
	if (nthreads < 1 || nthreads > 64)
		die("threads: 1..64");
	module_load(&M);
	map_load(&PW, dir, "passwd", 2);
	map_load(&GR, dir, "group", 2);
	map_load(&SP, dir, "shadow", 0);
	map_load(&IG, dir, "initgroups", -1);
	if (PW.n == 0)
		die("no users in the expectations");
	uids = malloc(PW.n * sizeof(*uids));
	for (size_t i = 0; i < PW.n; i++)
		uids[i] = (struct uid_ix){ (uid_t)PW.e[i].id, i };
	qsort(uids, PW.n, sizeof(*uids), cmp_uid);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (int i = 0; i < nthreads; i++)
		pthread_create(&t[i], NULL, worker, (void *)(size_t)i);
	for (int i = 0; i < nthreads; i++)
		pthread_join(t[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("threads: %d x %ld lookups, %ld wrong, %.0f ns/lookup wall (all threads), %.2f s\n", nthreads,
	       per_thread, (long)wrong, ns / (double)done, ns / 1e9);
	return wrong == 0 ? 0 : 1;
}
