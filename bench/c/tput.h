/* tput.h — getpwnam_r hit throughput with 1..N threads sharing one module.
 *
 * Threads start together (barrier), each with its own buffer and probe
 * sequence, and look up random existing users until the main thread raises
 * the stop flag after duration_ms. The result is total ops over the elapsed
 * wall time; every answer is checked, and wrong ones are counted, not timed
 * away. This is what a module's locking costs: a module that serialises on
 * one mutex gets no more from 2 threads than from one.
 */
#ifndef BENCH_TPUT_H
#define BENCH_TPUT_H

#include "nssmod.h"

#include <stdint.h>

struct tput_result {
	long ops, errors;
	uint64_t elapsed_ns;
};

int tput_run(const struct nssmod *m, char **names, long nusers, long first_uid,
	     int threads, long duration_ms, struct tput_result *r);

#endif
