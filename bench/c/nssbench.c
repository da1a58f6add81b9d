/* nssbench.c — time one NSS module's lookups on the synthetic data set that
 * bench/gendata.py wrote (user names u%06d, uid FIRST_UID+i).
 *
 * Usage: nssbench -m MODULE.so -s SVC -l LABEL -u NUSERS -f FIRST_UID
 *                 -p PROBE_USER -P PRIMARY_GID -k PROBE_GROUPS
 *                 -b BIG_GROUP -B BIG_MEMBERS -g SMALL_GROUP -G SMALL_MEMBERS
 *                 [-n MAX_OPS] [-t BUDGET_MS] [-d TPUT_MS]
 *
 * -n/-t bound each per-call metric (whichever ends first); -d is the length
 * of one throughput trial (1 and 2 threads alternate TPUT_TRIALS times).
 *
 * Output (stdout), one fact a line, tab-separated: LABEL METRIC STAT VALUE.
 * Every metric first checks that the module returns the right entry; a
 * metric whose answers are wrong is reported as "error" and not timed, so a
 * fast wrong answer never becomes a number. Exit status 0 when every metric
 * ran, 1 when any was wrong (run.sh records it and carries on).
 */
#define _GNU_SOURCE
#include "measure.h"
#include "nssmod.h"
#include "tput.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Throughput trials per thread count (odd, for a median). */
#define TPUT_TRIALS 3

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

struct cfg {
	const char *module, *svc, *label, *probe, *big, *small;
	long nusers, first_uid, primary_gid, probe_groups, big_members, small_members;
	long max_ops, budget_ms, tput_ms;
};

struct ctx {
	const struct cfg *c;
	struct nssmod mod;
	struct nssbuf buf;
	char **names; /* names[1..nusers], as gendata.py spells them */
	uint64_t rng;
	gid_t *groups;
	long gsize;
	char why[160];
};

/* One metric: run() performs a single lookup chosen by r, times only the
 * module call into *ns, and returns 0 when the answer was the expected one. */
typedef int (*op_fn)(struct ctx *x, uint64_t r, uint64_t *ns);

static long nmembers(char **mem)
{
	long n = 0;
	while (mem && mem[n])
		n++;
	return n;
}

static int op_pwnam_hit(struct ctx *x, uint64_t r, uint64_t *ns)
{
	long i = 1 + (long)(r % (uint64_t)x->c->nusers);
	struct passwd pw;
	uint64_t t0 = now_ns();
	enum nss_status st = mod_getpwnam(&x->mod, x->names[i], &pw, &x->buf);
	*ns = now_ns() - t0;
	if (st != NSS_STATUS_SUCCESS || (long)pw.pw_uid != x->c->first_uid + i ||
	    strcmp(pw.pw_name, x->names[i]) != 0) {
		snprintf(x->why, sizeof x->why, "getpwnam_r(%s): status %d", x->names[i], st);
		return -1;
	}
	return 0;
}

/* The same user again and again: the hot case of a process that keeps
 * resolving a few owners (ls -l in one directory, a daemon serving one
 * user). Every module's caches are warm here, so this is its CPU cost per
 * call; op_pwnam_hit adds the memory latency of a random entry among all. */
static int op_pwnam_same(struct ctx *x, uint64_t r, uint64_t *ns)
{
	(void)r;
	return op_pwnam_hit(x, (uint64_t)(x->c->nusers / 2), ns);
}

static int op_pwnam_miss(struct ctx *x, uint64_t r, uint64_t *ns)
{
	char name[32];
	snprintf(name, sizeof name, "nx%06lu", (unsigned long)(r % 1000000));
	struct passwd pw;
	uint64_t t0 = now_ns();
	enum nss_status st = mod_getpwnam(&x->mod, name, &pw, &x->buf);
	*ns = now_ns() - t0;
	if (st != NSS_STATUS_NOTFOUND) {
		snprintf(x->why, sizeof x->why, "getpwnam_r(%s): status %d, want NOTFOUND", name, st);
		return -1;
	}
	return 0;
}

static int op_pwuid(struct ctx *x, uint64_t r, uint64_t *ns)
{
	long i = 1 + (long)(r % (uint64_t)x->c->nusers);
	struct passwd pw;
	uint64_t t0 = now_ns();
	enum nss_status st = mod_getpwuid(&x->mod, (uid_t)(x->c->first_uid + i), &pw, &x->buf);
	*ns = now_ns() - t0;
	if (st != NSS_STATUS_SUCCESS || strcmp(pw.pw_name, x->names[i]) != 0) {
		snprintf(x->why, sizeof x->why, "getpwuid_r(%ld): status %d", x->c->first_uid + i, st);
		return -1;
	}
	return 0;
}

static int grnam(struct ctx *x, const char *name, long want, uint64_t *ns)
{
	struct group gr;
	uint64_t t0 = now_ns();
	enum nss_status st = mod_getgrnam(&x->mod, name, &gr, &x->buf);
	*ns = now_ns() - t0;
	long got = st == NSS_STATUS_SUCCESS ? nmembers(gr.gr_mem) : -1;
	if (got != want) {
		snprintf(x->why, sizeof x->why, "getgrnam_r(%s): status %d, %ld members, want %ld",
			 name, st, got, want);
		return -1;
	}
	return 0;
}

static int op_grnam_small(struct ctx *x, uint64_t r, uint64_t *ns)
{
	(void)r;
	return grnam(x, x->c->small, x->c->small_members, ns);
}

static int op_grnam_big(struct ctx *x, uint64_t r, uint64_t *ns)
{
	(void)r;
	return grnam(x, x->c->big, x->c->big_members, ns);
}

static const char *grouplist_how = "";

static int op_grouplist(struct ctx *x, uint64_t r, uint64_t *ns)
{
	(void)r;
	uint64_t t0 = now_ns();
	long n = mod_grouplist(&x->mod, x->c->probe, (gid_t)x->c->primary_gid, &x->groups,
			       &x->gsize, &x->buf, &grouplist_how);
	*ns = now_ns() - t0;
	if (n - 1 != x->c->probe_groups) {
		snprintf(x->why, sizeof x->why, "getgrouplist(%s) via %s: %ld groups, want %ld",
			 x->c->probe, grouplist_how, n - 1, x->c->probe_groups);
		return -1;
	}
	return 0;
}

static int op_enum(struct ctx *x, uint64_t r, uint64_t *ns)
{
	(void)r;
	uint64_t t0 = now_ns();
	long n = mod_enum_users(&x->mod, &x->buf);
	*ns = now_ns() - t0;
	if (n != x->c->nusers) {
		snprintf(x->why, sizeof x->why, "getpwent_r walk: %ld entries, want %ld", n, x->c->nusers);
		return -1;
	}
	return 0;
}

__attribute__((format(printf, 4, 5)))
static void out(const struct ctx *x, const char *metric, const char *stat, const char *fmt, ...)
{
	va_list ap;
	printf("%s\t%s\t%s\t", x->c->label, metric, stat);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* measure runs op: one checked call, a warm-up, then up to max_ops timed
 * calls within the budget. Returns 0, or -1 after reporting "error". */
static int measure(struct ctx *x, const char *metric, op_fn op, long max_ops, long budget_ms)
{
	uint64_t ns;
	if (op(x, rng_next(&x->rng), &ns) != 0) {
		out(x, metric, "error", "%s", x->why);
		return -1;
	}
	uint64_t budget = (uint64_t)budget_ms * 1000000u;
	uint64_t start = now_ns();
	long warm = max_ops / 10 < 200 ? max_ops / 10 : 200;
	for (long i = 0; i < warm && now_ns() - start < budget / 10; i++)
		op(x, rng_next(&x->rng), &ns);

	struct samples s;
	if (samples_init(&s, max_ops) != 0)
		return -1;
	long errors = 0;
	start = now_ns();
	while (s.n < max_ops && (s.n < 5 || now_ns() - start < budget)) {
		if (op(x, rng_next(&x->rng), &ns) != 0)
			errors++;
		samples_add(&s, ns);
	}
	if (errors) {
		out(x, metric, "error", "%ld of %ld answers wrong, last: %s", errors, s.n, x->why);
		free(s.ns);
		return -1;
	}
	out(x, metric, "n", "%ld", s.n);
	out(x, metric, "median_ns", "%llu", (unsigned long long)samples_quantile(&s, 0.5));
	out(x, metric, "p99_ns", "%llu", (unsigned long long)samples_quantile(&s, 0.99));
	free(s.ns);
	return 0;
}

static int parse(int argc, char **argv, struct cfg *c)
{
	memset(c, 0, sizeof *c);
	c->max_ops = 20000;
	c->budget_ms = 2000;
	c->tput_ms = 1000;
	int o;
	while ((o = getopt(argc, argv, "m:s:l:u:f:p:P:k:b:B:g:G:n:t:d:")) != -1) {
		switch (o) {
		case 'm': c->module = optarg; break;
		case 's': c->svc = optarg; break;
		case 'l': c->label = optarg; break;
		case 'u': c->nusers = atol(optarg); break;
		case 'f': c->first_uid = atol(optarg); break;
		case 'p': c->probe = optarg; break;
		case 'P': c->primary_gid = atol(optarg); break;
		case 'k': c->probe_groups = atol(optarg); break;
		case 'b': c->big = optarg; break;
		case 'B': c->big_members = atol(optarg); break;
		case 'g': c->small = optarg; break;
		case 'G': c->small_members = atol(optarg); break;
		case 'n': c->max_ops = atol(optarg); break;
		case 't': c->budget_ms = atol(optarg); break;
		case 'd': c->tput_ms = atol(optarg); break;
		default: return -1;
		}
	}
	if (!c->module || !c->svc || !c->label || !c->probe || !c->big || !c->small ||
	    c->nusers <= 0 || c->max_ops < 5 || c->budget_ms <= 0 || c->tput_ms <= 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c;
	if (parse(argc, argv, &c) != 0) {
		fprintf(stderr, "usage: nssbench -m MODULE -s SVC -l LABEL -u N -f FIRST_UID -p PROBE "
				"-P PRIMARY_GID -k PROBE_GROUPS -b BIG -B BIG_N -g SMALL -G SMALL_N "
				"[-n MAX_OPS] [-t BUDGET_MS] [-d TPUT_MS]\n");
		return 2;
	}
	struct ctx x = {.c = &c, .rng = 0x9E3779B97F4A7C15ULL, .gsize = 64};
	if (nssmod_open(&x.mod, c.module, c.svc) != 0 || nssbuf_init(&x.buf) != 0)
		return 1;
	x.groups = malloc((size_t)x.gsize * sizeof *x.groups);
	x.names = calloc((size_t)c.nusers + 1, sizeof *x.names);
	if (!x.groups || !x.names)
		return 1;
	for (long i = 1; i <= c.nusers; i++)
		if (asprintf(&x.names[i], "u%06ld", i) < 0)
			return 1;

	out(&x, "clock", "overhead_ns", "%llu", (unsigned long long)clock_overhead_ns());
	int bad = 0;
	bad |= measure(&x, "getpwnam_hit", op_pwnam_hit, c.max_ops, c.budget_ms);
	bad |= measure(&x, "getpwnam_same", op_pwnam_same, c.max_ops, c.budget_ms);
	bad |= measure(&x, "getpwnam_miss", op_pwnam_miss, c.max_ops, c.budget_ms);
	bad |= measure(&x, "getpwuid", op_pwuid, c.max_ops, c.budget_ms);
	bad |= measure(&x, "getgrnam_small", op_grnam_small, c.max_ops, c.budget_ms);
	bad |= measure(&x, "getgrnam_big", op_grnam_big, c.max_ops, c.budget_ms);
	if (measure(&x, "getgrouplist", op_grouplist, c.max_ops, c.budget_ms) == 0)
		out(&x, "getgrouplist", "via", "%s", grouplist_how);
	else
		bad = 1;
	/* Enumeration is a whole walk per sample: few samples, same budget. */
	bad |= measure(&x, "enum_users", op_enum, c.max_ops / 100 < 5 ? 5 : c.max_ops / 100,
		       c.budget_ms);

	/* 1 and 2 threads alternate TPUT_TRIALS times and each reports its
	 * median, so a burst of load from elsewhere on the machine lands on
	 * one trial rather than on one side of the comparison. */
	double rate[2][TPUT_TRIALS];
	long ops[2] = {0, 0};
	int tput_bad[2] = {0, 0};
	for (int trial = 0; trial < TPUT_TRIALS; trial++) {
		for (int threads = 1; threads <= 2; threads++) {
			struct tput_result t;
			if (tput_run(&x.mod, x.names, c.nusers, c.first_uid, threads, c.tput_ms, &t) != 0 ||
			    t.errors) {
				snprintf(x.why, sizeof x.why, "%ld wrong answers of %ld", t.errors, t.ops);
				tput_bad[threads - 1] = 1;
			}
			rate[threads - 1][trial] = (double)t.ops * 1e9 / (double)t.elapsed_ns;
			ops[threads - 1] += t.ops;
		}
	}
	for (int threads = 1; threads <= 2; threads++) {
		char metric[32];
		snprintf(metric, sizeof metric, "tput_%dthread", threads);
		if (tput_bad[threads - 1]) {
			out(&x, metric, "error", "%s", x.why);
			bad = 1;
			continue;
		}
		double *r = rate[threads - 1];
		qsort(r, TPUT_TRIALS, sizeof *r, cmp_double);
		out(&x, metric, "ops", "%ld", ops[threads - 1]);
		out(&x, metric, "trials", "%d", TPUT_TRIALS);
		out(&x, metric, "ops_per_s", "%.0f", r[TPUT_TRIALS / 2]);
	}
	return bad ? 1 : 0;
}
