/* measure.h — per-operation timing and its summary.
 *
 * Each operation is timed on its own with CLOCK_MONOTONIC (vDSO, ~25 ns on
 * this platform; reported as clock_ns so readers can discount it), so the
 * median and p99 are of single lookups, not of a batch average. A metric
 * stops at max_ops samples or when its wall-time budget runs out, whichever
 * comes first, so that a linear-scan module at 100,000 users cannot stretch
 * a run to hours; the sample count is always printed next to the numbers.
 */
#ifndef BENCH_MEASURE_H
#define BENCH_MEASURE_H

#include <stdint.h>

uint64_t now_ns(void);

/* xorshift64* — a cheap, per-thread, reproducible source of probe indexes. */
static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

struct samples {
	uint64_t *ns;
	long n, cap;
};

int samples_init(struct samples *s, long cap);
void samples_add(struct samples *s, uint64_t ns);
/* Sorts in place; q in [0,1]: 0.5 = median, 0.99 = p99 (nearest rank). */
uint64_t samples_quantile(struct samples *s, double q);

/* clock_overhead_ns: median cost of one clock_gettime pair, measured. */
uint64_t clock_overhead_ns(void);

#endif
