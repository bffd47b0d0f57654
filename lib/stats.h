/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Descriptive statistics and the significance test used by comparisons.
 * Rates are summarised with the harmonic mean, times with the arithmetic mean
 * (as mmtests does).  Every function accepts n == 0 and returns NAN then.
 */
#ifndef FB_STATS_H
#define FB_STATS_H

#include <stdbool.h>
#include <stddef.h>

double stats_mean(const double *v, size_t n);
double stats_hmean(const double *v, size_t n);	/* NAN if any value <= 0 */
double stats_stddev(const double *v, size_t n);	/* sample stddev (n - 1) */
double stats_cov(const double *v, size_t n);	/* stddev / mean, as a fraction */
double stats_min(const double *v, size_t n);
double stats_max(const double *v, size_t n);
double stats_median(const double *v, size_t n);
double stats_percentile(const double *v, size_t n, double p); /* p in [0, 100], linear interp. */
/* Mean of the best pct% of values (mmtests' BHmean-95 uses pct 95, hmean, higher-is-better). */
double stats_best_hmean(const double *v, size_t n, double pct, bool higher_better);
double stats_best_amean(const double *v, size_t n, double pct, bool higher_better);

struct welch {
	double t, df, p;	/* two-sided p-value */
	bool valid;		/* false when either side has fewer than 2 values or no variance */
};
/* Welch's unequal-variance t-test (GSL's t distribution for the p-value). */
struct welch stats_welch(const double *a, size_t na, const double *b, size_t nb);

/*
 * Percentage difference where positive always means better: for a
 * higher-is-better metric (new - base) / base, otherwise (base - new) / base.
 */
double stats_pdiff(double base, double value, bool higher_better);

#endif
