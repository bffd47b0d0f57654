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

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "mempolicy.h"
#include "opt.h"
#include "topo.h"

#define FB_MAX_COUNTERS 4
#define FB_MAX_EVENTS 16

enum run_mode { MODE_THREADS, MODE_PROCESSES };
enum out_format { FORMAT_TEXT, FORMAT_JSON };

/* The options every run shares; the table is run_options[] (engine/runopts.c). */
struct run_opts {
	const char *cpus;
	int mode;		/* enum run_mode */
	int placement;		/* enum placement */
	long long samples;
	double sample_time;
	double warmup;
	long long repeat;	/* whole-sweep repeats, steps interleaved */
	const char *label;
	const char *output;
	const char *dir;	/* where disk-backed benchmarks create files */
	const char *topology;
	int format;		/* enum out_format */
	bool oversubscribe;
	const char *events;	/* extra perf events: "sched:sched_switch,..." */
	bool profile;
	long long profile_cpus;	/* step to profile; 0: the largest */
	const char *mem;	/* NUMA memory policy: local|node:N|interleave|remote|preferred:N */
	bool progress;
};
extern const struct opt run_options[];

/* One page per worker: its counters and what the parent needs to know of it. */
struct worker_slot {
	uint64_t count[FB_MAX_COUNTERS];	/* written only by the worker */
	int32_t cpu_at_start;		/* sched_getcpu() after pinning */
	pid_t tid;			/* kernel task id, for /proc and perf */
	/* getrusage(RUSAGE_THREAD) of the worker at its end, to cross-check /proc */
	uint64_t ru_minflt, ru_majflt;
	volatile int32_t state;		/* enum worker_state */
	/* Where the worker's memory (worker.mem) landed, pages per node, after init. */
	int32_t placement_pages;	/* pages sampled, or -errno; 0: nothing declared */
	uint64_t node_pages[FB_PLACEMENT_MAX_NODES];
	char error[512];
};

enum worker_state { WS_STARTING, WS_READY, WS_RUNNING, WS_DONE, WS_FAILED };

struct step_ctx;

struct worker {
	unsigned id;			/* 0 .. nworkers - 1 */
	unsigned nworkers;
	unsigned pu;			/* planned PU (OS index) */
	struct step_ctx *step;
	void *shared;			/* from bench->setup(), visible to all workers */
	void *priv;			/* the worker's own state, set by worker_init */
	struct worker_slot *slot;
	const volatile int *stop;	/* nonzero: leave worker_loop */
	/* The worker's main memory, declared by worker_init for placement checks. */
	void *mem;
	size_t mem_len;
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
	const void *params;		/* the bench's params struct */
	const struct run_opts *ro;
	const struct topo *topo;
	unsigned nworkers;
	const unsigned *pus;
	unsigned step_index, repeat;
	const char *dir;		/* directory for the benchmark's files */
	void *shared;			/* set by setup(); for processes it must be MAP_SHARED */
	json_t *extra;			/* object: report() adds what it found (folio sizes, ...) */
	/* filled by run_step() implementations that are not worker loops: */
	struct step_result *result;
};

/* A per-step figure derived from the samples, with one value per sample. */
struct metric {
	char name[48];			/* "pages/s", "faults/s", "pages/fault", "MiB/s" */
	bool higher_better;
	double *v;			/* per sample */
	unsigned n;
	double value;			/* over the whole measured interval (totals / total time) */
};

struct sample {
	double t;			/* duration in seconds, measured */
	double start_unix;		/* CLOCK_REALTIME at its start, s since the epoch */
	/* per worker, deltas over the sample: */
	uint64_t (*count)[FB_MAX_COUNTERS];
	uint64_t *minflt, *majflt;
	int32_t *cpu;			/* CPU each worker last ran on at the end (/proc stat) */
	uint64_t (*ev)[FB_MAX_EVENTS];	/* perf event deltas, nevents used */
};

struct step_result {
	char variant[64];		/* matrix option values joined by '/': "thp/own"; "" if none */
	unsigned ncpus;
	unsigned *pus;
	const char *what;
	unsigned repeat;
	unsigned nsamples;
	struct sample *samples;
	unsigned nmetrics;
	struct metric *metrics;
	unsigned nevents;
	char (*event_names)[64];
	json_t *extra;			/* bench report(), evidence, placement */
	bool complete;
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
};

struct run;	/* results.h */

/*
 * Run one step of the plan into r.  Returns FB_OK, FB_FAIL (a worker or the
 * setup failed: message printed) or 128 + signal when interrupted; in the last
 * two cases r holds whatever was measured and r->complete is false.
 */
int runner_run_step(const struct bench *b, const void *params, const struct run_opts *ro,
		    const struct topo *t, const struct cpu_step *cs, unsigned step_index,
		    unsigned repeat, struct step_result *r);
void step_result_free(struct step_result *r);

/* Add a metric with room for n per-sample values; returns it. */
struct metric *step_add_metric(struct step_result *r, const char *name, bool higher_better);
/* Look a metric up by name, or NULL. */
const struct metric *step_metric(const struct step_result *r, const char *name);
/* Sum of counter i over all workers in sample s / its duration. */
double sample_rate(const struct step_result *r, unsigned s, unsigned counter);

#endif
