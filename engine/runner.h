/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sweep runner: for each step of the CPU plan it starts one pinned worker
 * per planned PU (threads or processes), lets them all start together on one
 * barrier, samples their counters every --sample-time seconds and keeps every
 * sample of every worker.
 *
 * Measurement rules this file enforces, so benchmarks need not:
 *  - a worker is pinned before it allocates or touches memory (first touch is local);
 *  - each worker's counters live on a page of their own, first touched by that
 *    worker, written only by it with plain stores and read by the parent without
 *    atomics: the hot loop never shares a cache line;
 *  - samples are timed with CLOCK_MONOTONIC; a sample is never assumed to have
 *    lasted exactly --sample-time;
 *  - faults are the kernel's own per-task counts (min_flt/maj_flt), never derived
 *    from the number of pages touched.
 */
#ifndef FB_RUNNER_H
#define FB_RUNNER_H

#include "bench.h"
#include "mempolicy.h"

/*
 * What every step of a run shares, decided once before the benchmark's
 * check() and the first step: ro->dir is the working directory
 * (run_decide_dirs()), mem the parsed and checked --mem.
 */
struct run_env {
	const struct bench *bench;
	const struct run_opts *ro;
	const struct topo *topo;
	struct mem_policy mem;
};

/*
 * Run one step of the plan into r.  Returns FB_OK, FB_FAIL (a worker or the
 * setup failed: message printed) or 128 + signal when interrupted; in the last
 * two cases r holds whatever was measured and r->complete is false.
 */
int runner_run_step(const struct run_env *env, const void *params, const struct cpu_step *cs,
		    unsigned step_index, unsigned repeat, struct step_result *r);

#endif
