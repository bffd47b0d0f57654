/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a result says of the interference its steps were measured under
 * (engine/results.h: steps[i].interference, written by engine/interference.c),
 * summarised for the places that list runs: the report's table of runs,
 * history's rows, check's lines.  A run measured while other work took CPU
 * time from its workers must be shown as such wherever it is listed, so
 * that nobody reads a figure of the host as one of the kernel (issue 22).
 *
 * A file without interference figures (an older engine, a benchmark that
 * runs its own steps) is "unknown", never "quiet": nothing was measured.
 */
#ifndef FB_DISTURB_H
#define FB_DISTURB_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct disturb_sum {
	unsigned steps;	    /* steps with interference figures */
	unsigned disturbed; /* of them, marked disturbed */
	/* the worst over those steps: fractions of the wall time; NAN when none said */
	double share_min, wait_max, other_max, steal_max;
};

/*
 * The summary of doc's steps; only those at ncpus (>= 0; -1: every step)
 * and, when variant is not NULL, of that variant.  False when no step
 * there has interference figures (unknown).
 */
bool disturb_doc(json_t *doc, long ncpus, const char *variant, struct disturb_sum *s);

/*
 * "2 of 6 steps disturbed; worst share 0.620, wait 0.300, other 0.350,
 * steal 0.010", "0 of 6 steps disturbed; worst ..." or, for a run that did
 * not measure it, "interference unknown".
 */
void disturb_fmt(const struct disturb_sum *s, bool known, char *buf, size_t len);

#endif
