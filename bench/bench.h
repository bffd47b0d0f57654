/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark author's header: what a benchmark implements (struct bench),
 * what its workers see (struct worker, the step context) and the calls they
 * may make, and the registry of every benchmark and preset (bench/registry.c).
 * The data a step produces is engine/step.h; the options every run shares are
 * engine/runopts.h.
 */
#ifndef FB_BENCH_H
#define FB_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "mempolicy.h"
#include "opt.h"
#include "runopts.h"
#include "step.h"
#include "topo.h"

/* One page per worker: its counters and what the parent needs to know of it. */
struct worker_slot {
	uint64_t count[FB_MAX_COUNTERS]; /* written only by the worker */
	int32_t cpu_at_start;		 /* sched_getcpu() after pinning */
	pid_t tid;			 /* kernel task id, for /proc and perf */
	/* getrusage(RUSAGE_THREAD) of the worker at its end, to cross-check /proc */
	uint64_t ru_minflt, ru_majflt;
	volatile int32_t state; /* enum worker_state */
	/* Where the worker's memory (worker.mem) landed, pages per node, after init. */
	int32_t placement_pages;  /* pages sampled, or -errno; 0: nothing declared */
	int32_t placement_shared; /* worker.mem_shared */
	uint64_t node_pages[FB_PLACEMENT_MAX_NODES];
	char error[512];
};

enum worker_state { WS_STARTING, WS_READY, WS_RUNNING, WS_DONE, WS_FAILED };

struct step_ctx;

struct worker {
	unsigned id; /* 0 .. nworkers - 1 */
	unsigned nworkers;
	unsigned pu; /* planned PU (OS index) */
	struct step_ctx *step;
	void *shared; /* from bench->setup(), visible to all workers */
	void *priv;   /* the worker's own state, set by worker_init */
	struct worker_slot *slot;
	const volatile int *stop; /* nonzero: leave worker_loop */
	/* The worker's main memory, declared by worker_init for placement checks. */
	void *mem;
	size_t mem_len;
	/*
	 * mem is the one mapping every worker shares (a shared file): its pages
	 * are recorded but not judged against --mem local, which no page
	 * mapped by workers on several nodes can satisfy.
	 */
	bool mem_shared;
};

/* Add n to counter i: a plain store, only this worker writes the slot. */
static inline void worker_count(struct worker *w, unsigned i, uint64_t n)
{
	__atomic_store_n(&w->slot->count[i], w->slot->count[i] + n, __ATOMIC_RELAXED);
}

static inline bool worker_should_stop(const struct worker *w)
{
	return __atomic_load_n(w->stop, __ATOMIC_RELAXED) != 0;
}

/* Pin the calling thread to these PUs (OS indexes). 0 or -errno. */
int pin_self_to(const unsigned *pus, unsigned n);

/* Record why this worker failed; returns -1 for "return worker_fail(...)". */
int worker_fail(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Wait at a barrier of all workers of the step (and nobody else).  For
 * benchmarks that work in rounds, like pagelock.  last_hook runs once per
 * round in the last worker to arrive, before the others are released.
 */
void worker_barrier(struct worker *w, void (*last_hook)(struct worker *w));

struct bench;

/* What a benchmark sees of the step being run. */
struct step_ctx {
	const struct bench *bench;
	const void *params; /* the bench's params struct */
	const struct run_opts *ro;
	const struct topo *topo;
	unsigned nworkers;
	const unsigned *pus;
	unsigned step_index, repeat;
	const char *dir; /* directory for the benchmark's files */
	void *shared;	 /* set by setup(); for processes it must be MAP_SHARED */
	json_t *extra;	 /* object: report() adds what it found (folio sizes, ...) */
	/* filled by run_step() implementations that are not worker loops: */
	struct step_result *result;
};

struct bench {
	const char *name;
	const char *summary;
	const struct opt *opts;
	size_t params_size;
	/* Names of count[] slots; count[0] is the primary operation ("pages", "ios"). */
	const char *counters[FB_MAX_COUNTERS];
	/*
	 * With a matrix option given several values, the table prints the ratio
	 * of this metric of each variant to the first variant, per CPU count.
	 */
	const char *ratio_metric;
	/* The figure tables and comparisons lead with; NULL: "<counters[0]>/s". */
	const char *headline_metric;
	/* More metrics comparisons show by default, a comma list ("user,system"). */
	const char *table_metrics;
	/*
	 * Each sample is an independent run (kernbench: a clean build), so
	 * comparisons may use samples, not only repeats, as replicates.
	 */
	bool samples_are_replicates;
	/*
	 * Common run options this benchmark defaults differently, as typed:
	 * "--mode=processes --cpus=max".  The user's own options still win.
	 */
	const char *run_defaults;

	/*
	 * Check the parameters and whether the benchmark can run here.  Return
	 * FB_USAGE for a bad combination and FB_SKIP with the reason for "not
	 * here" (no THP, not root, no disk filesystem).  May be NULL.
	 */
	int (*check)(const void *params, const struct run_opts *ro);
	/*
	 * Bytes of memory a step of n workers needs (mappings, page cache), for
	 * refusing a plan whose largest step cannot fit before anything runs:
	 * otherwise the OOM killer ends the run midway (a 64-worker step of
	 * 64 MiB each in a 4 GiB guest).  May be NULL: sizes are then checked
	 * one by one against the memory available.
	 */
	unsigned long long (*mem_need)(const void *params, unsigned nworkers);
	/*
	 * Bytes a step of n workers writes into files, and the directory they
	 * are in (rundir: ro->dir), for refusing (or, for a default --size,
	 * halving) a step that would not fit: a mapped file past the free space
	 * of its tmpfs or disk raises SIGBUS at the first fault that cannot be
	 * backed (Docker's /dev/shm is 64 MiB).  May be NULL: no files.
	 */
	unsigned long long (*fs_need)(const void *params, const char *rundir, unsigned nworkers,
				      const char **dir);
	/*
	 * Per step, in the parent before workers start; sets sc->shared.  When
	 * it fails, teardown() is not called: it must clean up after itself.
	 */
	int (*setup)(struct step_ctx *sc);
	/*
	 * In the worker after pinning: allocate and first-touch its memory.
	 * When it fails, worker_fini() is not called: it must clean up itself.
	 */
	int (*worker_init)(struct worker *w);
	/* The measured loop: until worker_should_stop(); counts with worker_count(). */
	void (*worker_loop)(struct worker *w);
	void (*worker_fini)(struct worker *w);
	/* In the parent after the workers exited: add findings to sc->extra. */
	void (*report)(struct step_ctx *sc);
	void (*teardown)(struct step_ctx *sc);
	/* Add bench-specific metrics computed from the samples (may be NULL). */
	void (*derive)(const struct step_ctx *sc, struct step_result *r);
	/*
	 * For loads that are not a loop of pinned workers (a kernbench-style
	 * build): replaces worker_init/loop/fini; must fill sc->result's
	 * samples and metrics itself.
	 */
	int (*run_step)(struct step_ctx *sc);

	/*
	 * Common run options the benchmark does not use, a comma list
	 * ("mode,samples,sample-time,warmup"): left out of the run header,
	 * listed apart in --help.  NULL: it uses them all.
	 */
	const char *ignores_options;
	/* Generic metrics that mean nothing for it (BENCH_NO_*); 0: all of them. */
	unsigned no_metrics;
};

/* bench->no_metrics: what results_derive_metrics() leaves out. */
enum {
	BENCH_NO_RATES = 1 << 0,     /* "<counter>/s" and "faults/s" */
	BENCH_NO_PER_FAULT = 1 << 1, /* "<counter0>/fault" */
	BENCH_NO_PER_CPU = 1 << 2,   /* "/s/cpu" rates and the efficiency derived from them */
};

#endif
