/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The within-run paired verdict for variants: a run whose variants (matrix
 * options' values, --knob values) were interleaved ABBA by repeat has, per
 * repeat and step, an A and a B measured one after the other.  The host's
 * slow and fast periods (the development VM jumps by a quarter for seconds to
 * a minute) hit both alike, so the per-repeat log ratio ln(B / A) varies far
 * less than the runs do, and a paired test on it detects what a comparison
 * of separate runs cannot.  compare prints it under its table.
 */
#ifndef FB_PAIRED_H
#define FB_PAIRED_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "resultset.h"

#define PAIRED_ALPHA 0.05
/*
 * Besides the headline metric: the workers' CPU time (perf task-clock) per
 * page counted, computed from the samples.  A slower fault path costs CPU
 * time per fault; a busy machine takes the workers' CPU away, which moves
 * pages/s but not this (lower is better).
 */
#define PAIRED_CPU_METRIC "cpu-ns/page"

/*
 * One variant against its baseline at one CPU count, on the headline metric:
 * the first variant that differs from it only in the first part of its name
 * (the --knob value, or the first matrix option given several values).
 */
struct paired_row {
	unsigned ncpus;
	const char *base, *variant; /* variant names, pointing into the document */
	const char *metric;
	bool higher_better;
	unsigned pairs;	  /* repeats with both sides valid and undisturbed */
	unsigned skipped; /* repeats left out: a side missing, broken or disturbed */
	unsigned max_gap; /* most steps between a pair's A and B (1: adjacent) */
	double mean;	  /* Hodges-Lehmann estimate of ln(B / A) (median of Walsh averages) */
	double lo, hi;	  /* its (1 - PAIRED_ALPHA) interval; NAN when too few pairs for one */
	double p;	  /* two-sided Wilcoxon signed-rank; NAN under 2 pairs */
	double threshold; /* percent: a significant change inside it is not worse/better */
};

/*
 * The rows of one result document, for the headline metric and (when the
 * steps have task-clock) PAIRED_CPU_METRIC: none when it has a single
 * variant or a single repeat.  *rows is malloc'd (free it), *n its length.
 * threshold_pct: the practical size below which a significant change is
 * reported as within it (compare --threshold, as check's).
 *
 * The headline row leaves out every disturbed step; the CPU-time row only
 * those whose steal was beyond the run's bound (paired.c says why).
 */
void paired_analyse(json_t *doc, double threshold_pct, struct paired_row **rows, unsigned *n);

/* Change in percent of exp(mean), positive = better. */
double paired_pct(const struct paired_row *r, double log_ratio);

/*
 * "worse" or "better" (p <= PAIRED_ALPHA and beyond the threshold), "worse,
 * within the threshold" or "better, within the threshold" (significant but
 * smaller), or "no difference shown".
 */
const char *paired_verdict(const struct paired_row *r);

/*
 * Two runs of an A/B pair ('faultbench ab'): the mean over the steps they
 * share (same variant and CPU count) of ln(B / A) of the headline metric
 * (or, with cpu, of PAIRED_CPU_METRIC),
 * each side's value the geometric mean of its repeats.  FB_OK, or
 * FB_UNDECIDED when they share no valid step (zero, broken) or either run
 * says it was disturbed (interference, a key of newer engines): redo the pair.
 * *va and *vb get the first shared step's values, for the progress line.
 */
int paired_run_ratio(json_t *a, json_t *b, bool cpu, double *d, bool *higher_better, double *va,
		     double *vb);

/* The section compare prints under its table; nothing when no run has rows. */
void paired_print(FILE *f, const struct resultset *runs, unsigned nruns, double threshold_pct);

/* The same rows for compare --format json: an array of objects (may be empty). */
json_t *paired_json(const struct resultset *runs, unsigned nruns, double threshold_pct);

/*
 * ab's within-run design: one observation per repeat of a run whose
 * variants were interleaved (run --knob PATH=VA,VB --repeat N): the mean
 * over its CPU counts of ln(B / A), B each variant and A its base (as
 * paired_analyse pairs them), with the same rules for disturbed steps.
 */
struct paired_obs {
	double *d;	    /* [n], malloc'd: free it */
	unsigned n;	    /* repeats with a valid pair */
	unsigned left_out;  /* repeats without one: missing, broken or disturbed */
	bool higher_better; /* of the metric */
	double va, vb;	    /* the first valid pair's values, for a progress line */
};
void paired_repeat_ratios(json_t *doc, bool cpu, struct paired_obs *obs);

#endif
