/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The evidence of 'faultbench ab', kept apart from the running of it: the
 * observations its runs' result files give, the anytime-valid test on them
 * (sequential.h), the progress lines and ab.json.  It reads only result
 * documents, so the unit tests feed it synthetic ones.
 *
 * Two designs give the observations d = ln(B / A):
 *  - separate: A and B are separate runs, in pairs ordered AB, BA, ...; a
 *    pair of runs gives one observation (paired_run_ratio);
 *  - within: each round is one run with the knob's two values interleaved
 *    ABBA by repeat (run --knob PATH=VA,VB --repeat N); every repeat gives
 *    one observation (paired_repeat_ratios).  A and B are then measured
 *    seconds apart instead of a run apart, so a shared host's slow spells,
 *    which last seconds to a minute, fall on both sides of nearly every pair.
 */
#ifndef FB_ABTALLY_H
#define FB_ABTALLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

#include "sequential.h"

enum ab_design { AB_SEPARATE, AB_WITHIN };

struct ab_tally {
	struct seq_test seq;
	enum ab_design design;
	bool cpu;	  /* PAIRED_CPU_METRIC, not the headline metric */
	double threshold; /* log scale: ln(1 / (1 - pct / 100)) */
	bool higher_better;
	char *metric_name; /* set by the first document read */
	unsigned runs;	   /* started, stopped ones included */
	unsigned pairs;	   /* observations in the test */
	unsigned redone;   /* separate: pairs redone as disturbed or broken */
	unsigned left_out; /* within: repeats without a valid pair */
	unsigned rounds;   /* within: runs read */
	json_t *log;	   /* ab.json's "pairs_log" */
};

/*
 * The design from --design (0 auto, 1 within, 2 separate) and what was
 * given: within needs --knob and no --b, and an even --round-repeats (each
 * round ABBA balanced); auto is within with a knob.  FB_OK or FB_USAGE.
 */
int ab_choose_design(int design, const char *knob, const char *b, long long round_repeats,
		     enum ab_design *d);

/*
 * The --knob arguments of the runs from ab's PATH=VA,VB: within, a gets it
 * whole; separate, a gets PATH=VA and b PATH=VB.  FB_OK or FB_USAGE.
 */
int ab_knob_args(const char *spec, enum ab_design d, char *a, char *b, size_t len);

void ab_tally_init(struct ab_tally *t, enum ab_design design, bool cpu, double alpha,
		   double threshold_pct);
void ab_tally_free(struct ab_tally *t);

/*
 * Separate design: the pair of runs a (path pa) and b (pb), run in the
 * order "AB" or "BA".  Its observation goes into the test and a progress
 * line to out.  FB_OK, or FB_UNDECIDED when it gave none (a run disturbed
 * or counting nothing valid): the caller redoes the pair.
 */
int ab_tally_pair(struct ab_tally *t, json_t *a, json_t *b, const char *order, const char *pa,
		  const char *pb, double elapsed, FILE *out);

/*
 * Within design: one round's run (path) and its repeats' observations.
 * FB_OK when it gave at least one, else FB_UNDECIDED.
 */
int ab_tally_round(struct ab_tally *t, json_t *doc, const char *path, double elapsed, FILE *out);

/* The confidence sequence in percent of B against A; NAN, NAN while unbounded. */
void ab_tally_interval_pct(const struct ab_tally *t, double *lo, double *hi);

/* The decision so far. */
enum seq_decision ab_tally_decide(const struct ab_tally *t);

/* What ab was given, for its last lines and ab.json. */
struct ab_spec {
	const char *a, *b, *knob;
	double alpha;
	long long max_runs;
	double max_time;
	unsigned round_repeats; /* within */
};

/*
 * The last lines ("ab: worse: ...", "ab: spent ...") to out and ab.json's
 * document (the caller writes and frees it).  why: for undecided, the reason.
 */
json_t *ab_tally_finish(const struct ab_tally *t, const struct ab_spec *spec, enum seq_decision dec,
			const char *why, double elapsed, FILE *out);

#endif
