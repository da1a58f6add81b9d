/* measure.c — see measure.h. */
#include "measure.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int samples_init(struct samples *s, long cap)
{
	s->n = 0;
	s->cap = cap;
	s->ns = malloc((size_t)cap * sizeof *s->ns);
	return s->ns ? 0 : -1;
}

void samples_add(struct samples *s, uint64_t ns)
{
	if (s->n < s->cap)
		s->ns[s->n++] = ns;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

uint64_t samples_quantile(struct samples *s, double q)
{
	if (s->n == 0)
		return 0;
	qsort(s->ns, (size_t)s->n, sizeof *s->ns, cmp_u64);
	long i = (long)ceil(q * (double)s->n) - 1;
	if (i < 0)
		i = 0;
	if (i >= s->n)
		i = s->n - 1;
	return s->ns[i];
}

uint64_t clock_overhead_ns(void)
{
	struct samples s;
	if (samples_init(&s, 10001) != 0)
		return 0;
	for (int i = 0; i < 10001; i++) {
		uint64_t t0 = now_ns();
		uint64_t t1 = now_ns();
		samples_add(&s, t1 - t0);
	}
	uint64_t m = samples_quantile(&s, 0.5);
	free(s.ns);
	return m;
}
