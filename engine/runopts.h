/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The options every run shares (--cpus, --mode, --samples, ...): their struct
 * and their table, run_options[] in engine/runopts.c.  The same table
 * validates the command line and config files and is recorded as "run" in
 * every result.
 */
#ifndef FB_RUNOPTS_H
#define FB_RUNOPTS_H

#include <stdbool.h>

#include "opt.h"

enum run_mode { MODE_THREADS, MODE_PROCESSES };
enum out_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_CSV };
/*
 * --counters: which per-worker perf counters a run opens (engine/evidence.c).
 * The order is the table's choices "full|minimal|none".
 */
enum counters_mode { COUNTERS_FULL, COUNTERS_MINIMAL, COUNTERS_NONE };

/* The options every run shares; the table is run_options[] (engine/runopts.c). */
struct run_opts {
	const char *cpus;
	int mode;      /* enum run_mode */
	int placement; /* enum placement */
	long long samples;
	double sample_time;
	double warmup;
	long long repeat; /* whole-sweep repeats, steps interleaved */
	long long runs;	  /* --runs: separate processes (cmd/runs.c); 1 in each */
	const char *label;
	const char *output;
	const char *dir; /* where disk-backed benchmarks create files */
	const char *topology;
	int format; /* enum out_format */
	bool oversubscribe;
	const char *events; /* extra perf events: "sched:sched_switch,..." */
	int counters;	    /* enum counters_mode: the default perf counters per worker */
	bool profile;
	const char *profile_cpus; /* steps to profile: worker counts or "all"; NULL: the largest */
	const char *mem; /* NUMA memory policy: local|node:N|interleave|remote|preferred:N */
	bool progress;
	bool monitors;		   /* read /proc/vmstat, TLB interrupts, numastat per sample */
	long long retry_disturbed; /* re-measure a disturbed sample up to N times */
	const char *knob; /* PATH=V1,V2: a setting run as interleaved variants (engine/knob.h) */
};
extern const struct opt run_options[];

struct bench;
/* False when the benchmark lists the run option in bench->ignores_options. */
bool bench_uses_run_option(const struct bench *b, const char *name);

#endif
