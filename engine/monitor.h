/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Monitors, like mmtests' monitors: system-wide kernel counters read by the
 * parent at every sample boundary, stored as per-sample deltas in the step
 * and turned into "vmstat:<key>", "interrupts:TLB" and
 * "numastat:nodeN:<key>" metrics (events per second, lower is better: they
 * are costs).  Sources:
 *   /proc/vmstat       pgfault, pgmajfault, thp_fault_*, compact_*, numa_*,
 *                      pgmigrate_*
 *   /proc/interrupts   the "TLB" line (x86's TLB shootdown IPIs received),
 *                      summed over all CPUs and over the step's workers' CPUs
 *   /sys/devices/system/node/nodeN/numastat   every key of every node
 * They are system-wide: another tenant's faults count too, which is why the
 * workers' own per-task counts stay the benchmark's figures and these are
 * only evidence.  A source that cannot be read is left out (and said so in
 * the result), never a failed run.
 */
#ifndef FB_MONITOR_H
#define FB_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "step.h"

/* A value that could not be read (or a delta of one). */
#define FB_MONITOR_MISSING UINT64_MAX

struct monitor;

/*
 * Decide what this step reads: every source under root ("" for the real
 * /proc and /sys; tests point it at a directory) that can be read now.
 * pus are the step's workers' CPUs (for the workers' share of TLB
 * shootdowns).  NULL when nothing at all can be read.
 */
struct monitor *monitor_create(const char *root, const unsigned *pus, unsigned npus);
unsigned monitor_count(const struct monitor *m);
const char *monitor_name(const struct monitor *m, unsigned i);
/*
 * Cumulative values now, monitor_count() of them (FB_MONITOR_MISSING for
 * one that could not be read this time), and the instant they were read
 * (the middle of the pass, CLOCK_MONOTONIC seconds) in *t.
 */
void monitor_read(struct monitor *m, uint64_t *vals, double *t);
/* What could not be read and why: { "/proc/interrupts": "no TLB line", ... } */
json_t *monitor_unavailable(const struct monitor *m);
void monitor_destroy(struct monitor *m);

/* b - a, or FB_MONITOR_MISSING when either is missing or the counter went back. */
uint64_t monitor_delta(uint64_t a, uint64_t b);
/* The step's "monitors" object for its result (names, per-sample deltas, totals), or NULL. */
json_t *monitor_step_json(const struct step_result *r);
/* A metric of every monitor that every sample has: events per second. */
void monitor_derive(struct step_result *r);
/* True for a metric name monitor_derive() makes (kept out of the run's text table). */
bool monitor_metric(const char *name);

/* ---- the parsers (pure: unit-tested and fuzzed on their own) ---- */

/* Called for every "key value" line; key is not NUL-terminated. */
typedef void (*monitor_kv_fn)(const char *key, size_t keylen, uint64_t value, void *arg);
/*
 * "key value" lines (/proc/vmstat, numastat): fn for each well-formed one
 * (a key of [a-z0-9_], one space, a decimal number); others are skipped.
 * Returns the number of lines passed to fn.
 */
unsigned monitor_parse_kv(const char *text, monitor_kv_fn fn, void *arg);
/* The /proc/vmstat keys monitors keep. */
bool monitor_vmstat_wanted(const char *key, size_t keylen);
/*
 * The "TLB:" line of /proc/interrupts: its counts summed over all CPUs into
 * *total and over the CPUs in pus into *workers.  Columns are CPUs as named
 * by the header line ("CPU0 CPU2 ..."; offline CPUs have none).  0, or -1
 * when there is no TLB line (not x86) or no header.
 */
int monitor_parse_tlb(const char *text, const unsigned *pus, unsigned npus, uint64_t *total,
		      uint64_t *workers);

#endif
