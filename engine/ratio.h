/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Derived metrics that are ratios of per-sample totals (pages/s, faults/s,
 * pages/fault, sleeps/1000faults, ...): one rule for results.c and
 * evidence.c.  Per sample the value is scale * num / den; over the whole step
 * it is scale * sum(num) / sum(den), not the mean of the per-sample ratios,
 * so that a short sample weighs no more than its share.  A zero denominator
 * (no faults, no time) gives NAN: no figure rather than a made-up one.
 */
#ifndef FB_RATIO_H
#define FB_RATIO_H

#include <stdbool.h>

#include "step.h"

/* What is summed over a sample's workers. */
enum step_total_kind {
	TOTAL_COUNT,	 /* count[arg]: the benchmark's counter */
	TOTAL_FAULTS,	 /* minflt + majflt: the kernel's fault counts */
	TOTAL_MAJFAULTS, /* majflt */
	TOTAL_EVENT,	 /* perf event arg */
	TOTAL_TIME,	 /* not a sum: the sample's duration */
	TOTAL_CPU_TIME,	 /* duration x workers */
};

struct step_total {
	enum step_total_kind kind;
	unsigned arg;
};

#define STEP_TOTAL(kind, arg) ((struct step_total){ (kind), (arg) })

/* The total of sample s of r. */
double step_total(const struct step_result *r, unsigned s, struct step_total t);

/* Add the metric name = scale * num / den (per sample and over the step). */
struct metric *step_add_ratio(struct step_result *r, const char *name, bool higher_better,
			      struct step_total num, struct step_total den, double scale);

#endif
