/* tput.c — see tput.h. */
#define _GNU_SOURCE
#include "tput.h"

#include "measure.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct shared {
	const struct nssmod *m;
	char **names;
	long nusers, first_uid;
	pthread_barrier_t start;
	atomic_int stop;
};

/* One cache line per worker: the counters are written only at the end, and
 * the alignment keeps a neighbour's fields off this thread's line, so the
 * harness adds no sharing of its own to what the module does. */
struct worker {
	pthread_t tid;
	struct shared *sh;
	uint64_t seed;
	long ops, errors;
} __attribute__((aligned(64)));

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	struct nssbuf b;
	struct passwd pw;
	if (nssbuf_init(&b) != 0) {
		w->errors++;
		pthread_barrier_wait(&sh->start);
		return NULL;
	}
	pthread_barrier_wait(&sh->start);
	uint64_t seed = w->seed;
	long ops = 0, errors = 0;
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed)) {
		long i = 1 + (long)(rng_next(&seed) % (uint64_t)sh->nusers);
		enum nss_status st = mod_getpwnam(sh->m, sh->names[i], &pw, &b);
		if (st != NSS_STATUS_SUCCESS || (long)pw.pw_uid != sh->first_uid + i)
			errors++;
		ops++;
	}
	w->ops = ops;
	w->errors = errors;
	free(b.p);
	return NULL;
}

int tput_run(const struct nssmod *m, char **names, long nusers, long first_uid,
	     int threads, long duration_ms, struct tput_result *r)
{
	memset(r, 0, sizeof *r);
	struct shared sh = {.m = m, .names = names, .nusers = nusers, .first_uid = first_uid};
	struct worker *w = aligned_alloc(64, (size_t)threads * sizeof *w);
	if (w)
		memset(w, 0, (size_t)threads * sizeof *w);
	if (!w || pthread_barrier_init(&sh.start, NULL, (unsigned)threads + 1) != 0) {
		free(w);
		return -1;
	}
	atomic_init(&sh.stop, 0);
	int started = 0;
	for (; started < threads; started++) {
		w[started].sh = &sh;
		w[started].seed = 0x9E3779B97F4A7C15ULL * (uint64_t)(started + 1);
		if (pthread_create(&w[started].tid, NULL, work, &w[started]) != 0)
			break;
	}
	if (started != threads) {
		/* The barrier can never complete; the process is about to exit. */
		free(w);
		return -1;
	}
	pthread_barrier_wait(&sh.start);
	uint64_t t0 = now_ns();
	struct timespec d = {duration_ms / 1000, (duration_ms % 1000) * 1000000L};
	while (nanosleep(&d, &d) != 0)
		;
	atomic_store(&sh.stop, 1);
	for (int i = 0; i < threads; i++) {
		pthread_join(w[i].tid, NULL);
		r->ops += w[i].ops;
		r->errors += w[i].errors;
	}
	r->elapsed_ns = now_ns() - t0;
	pthread_barrier_destroy(&sh.start);
	free(w);
	return 0;
}
