/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Result files: one JSON document per run, and the text table printed at the
 * end of a run.
 *
 * Schema (schema_version 2), top level:
 *   schema_version, faultbench_version, command_line [argv...], label,
 *   headline_metric (the metric tables lead with, e.g. "pages/s"),
 *   table_metrics [more metrics comparisons show by default],
 *   samples_are_replicates (each sample an independent run, like a build),
 *   matrix_options [options whose values are variants of one run],
 *   ratio_metric (the metric variants are compared by, or null),
 *   bench (the benchmark), preset (or null), params {option: value},
 *   run {common run options}, system {sysinfo_collect()},
 *   topology {topo_to_json()}, start_time, end_time, complete (bool),
 *   incomplete_reason (when complete is false), evidence {...} (run-wide),
 *   interference { bounds { share_min, wait_max, other_max, steal_max },
 *                  steps, steps_disturbed, disturbed, retries } (when a step has it),
 *   steps [ {
 *     index, repeat, variant (matrix option values joined by '/', "thp/own", or ""), ncpus, what,
 pus [..], complete,
 *     counters ["pages", ...], events ["page-faults", ...],
 *     samples [ { t, workers [ { count [..], minflt, majflt, cpu, ev [..] } ],
 *                 interference { share [per worker], wait [per worker],
 *                   nivcsw [..], nvcsw [..], pus [distinct pinned PUs],
 *                   other [per PU], steal [per PU], tick, psi_some (or null),
 *                   read_s, disturbed, retries and retried [..] (when
 *                   --retry-disturbed replaced disturbed measurements) } } ],
 *     interference { share_min, wait_max, other_max, steal_max, psi_some,
 *                    read_s_max, samples, samples_disturbed, disturbed, retries }
 *                  (engine/interference.h; absent for a benchmark that runs
 *                  its own steps: interference unknown, never "quiet"),
 *     monitors { names ["vmstat:pgfault", "interrupts:TLB", ...], t [s per sample],
		samples [ [delta or null per name] per sample ], total [..] }
		(absent with --monitors=off; engine/monitor.h),
     metrics { "pages/s": { value, higher_better, samples [..], mean, hmean,
 *               stddev, cov, min, max }, ... }  (higher_better null: neither,
 *               as pages/fault, which fault-around or a large folio raises),
 *     extra { bench findings: folio sizes, placement, evidence, ...,
 *             profile (a step --profile/--profile-cpus recorded, repeat 0):
 *               { perf_data, command, cpus, event, samples, report,
 *                 top [ { symbol, percent, callers [ { percent, callers [..] } ] } ] }
 *               or { skipped: reason } }
 *   } ]
 * Results before per-step profiles had one run-wide evidence.profile (same
 * fields plus ncpus, variant); analysis/profile_cmp.c reads both.  The new
 * key needed no version bump: older readers ignore it.
 * Version 2 guarantees everything analysis needs to know of the benchmark
 * is in the file (matrix_options, ratio_metric, headline_metric, ...): the
 * analysis side never looks at the benchmark code of the binary reading it.
 * Version 1 files are brought up to date in memory by analysis/resultset.c.
 * A step's metrics "value" is totals over the measured interval divided by
 * its total time; "samples" are the per-sample values behind mean and cov.
 */
#ifndef FB_RESULTS_H
#define FB_RESULTS_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "bench.h"

#define FB_SCHEMA_VERSION 2

struct run {
	const struct bench *bench;
	const char *preset; /* NULL when run by the bench's own name */
	const void *params;
	const struct run_opts *ro;
	int argc;
	char **argv;
	json_t *system;
	json_t *topology;
	json_t *evidence; /* run-wide evidence (profile, ...), may be NULL */
	json_t *faults;	  /* every fault accounted for (faultacct.h), may be NULL */
	char start_time[32], end_time[32];
	unsigned nsteps;
	struct step_result *steps;
	bool complete;
	const char *incomplete_reason;
};

/* The metric a run's tables lead with (bench->headline_metric or "<counter0>/s"). */
const char *results_headline_metric(const struct bench *b, char *buf, size_t len);
/* Generic metrics of a step: rates of every counter, faults/s, per fault, per CPU, CoV. */
void results_derive_metrics(struct step_result *r, const struct bench *b);
/* Efficiency of each step against the 1-CPU step (or the smallest), per repeat. */
void results_derive_efficiency(struct run *run);

json_t *results_to_json(const struct run *run);
/*
 * Write the run to path, or into a new file in directory path when it is one
 * (name: <bench-or-preset>-<UTC timestamp>.json, or -2.json, -3.json, ...
 * when taken, picked atomically).  Written with fb_write_file(): a temporary
 * file no link can redirect, fsync'ed and linked into place; an existing file
 * is never overwritten.  The path written is
 * returned in *written (malloc'd) and indexed into the store (--store;
 * NULL: none).  FB_OK or FB_FAIL.
 */
int results_write(const struct run *run, const char *path, const char *store, char **written);
/* The comment-headed text table (gnuplot and awk read it). */
void results_print_table(FILE *f, const struct run *run);
/* --format csv: one record per step and metric, with a header (RFC 4180). */
void results_print_csv(FILE *f, const struct run *run);

#endif
