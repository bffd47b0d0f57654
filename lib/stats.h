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
double stats_stddev(const double *v, size_t n); /* sample stddev (n - 1) */
double stats_cov(const double *v, size_t n);	/* stddev / mean, as a fraction */
double stats_min(const double *v, size_t n);
double stats_max(const double *v, size_t n);
double stats_median(const double *v, size_t n);
double stats_percentile(const double *v, size_t n, double p); /* p in [0, 100], linear interp. */
/* Mean of the best pct% of values (mmtests' BHmean-95 uses pct 95, hmean, higher-is-better). */
double stats_best_hmean(const double *v, size_t n, double pct, bool higher_better);
double stats_best_amean(const double *v, size_t n, double pct, bool higher_better);

/*
 * Percentage difference where positive always means better: for a
 * higher-is-better metric (new - base) / base, otherwise (base - new) / base.
 */
double stats_pdiff(double base, double value, bool higher_better);

/*
 * A two-sample t-test whose variance need not come from the two samples
 * alone: comparing kernels, the replicate is a run (a boot), and the
 * run-to-run variance is better known from a noise model of the machine (K
 * earlier runs of one kernel) than from the one or two runs a side at hand.
 *
 * var is the variance of one run's value (same units as the means) with df
 * degrees of freedom; the test is Student's t on (mean_b - mean_a) with
 * standard error sqrt(var * (1/na + 1/nb)).  valid is false when df < 1,
 * var is not positive, or a side has no run.
 */
struct runtest {
	double diff, se, t, df, p;
	bool valid;
};
struct runtest stats_runtest(double mean_a, unsigned na, double mean_b, unsigned nb, double var,
			     double df);

/*
 * The smallest true difference the test above detects with the given power
 * at two-sided level alpha: (t(1 - alpha/2, df) + t(power, df)) * se.
 * NAN when df < 1 or se is not finite.
 */
double stats_detectable(double se, double df, double alpha, double power);

/* Pooled sample variance of several groups around their own means, and its df. */
double stats_pooled_var(const double *v, const unsigned *group, size_t n, double *df);

/* P(F(df1, df2) > f): the upper tail of the F distribution. */
double stats_f_upper(double f, double df1, double df2);

/*
 * Benjamini-Hochberg adjusted p-values (q-values): a row is a discovery at
 * false discovery rate alpha when q <= alpha.  NAN inputs are not part of the
 * family and stay NAN.  Returns the family size m.
 */
size_t stats_bh_adjust(const double *p, size_t n, double *q);

/*
 * Change points by binary segmentation with the CUSUM statistic of a mean
 * shift in Gaussian noise of known sigma: in a segment of n values, the
 * largest |S_k - k/n * S_n| / (sigma * sqrt(n)); under no change it follows
 * the supremum of a Brownian bridge (Kolmogorov's distribution), whose tail
 * gives the p-value.  A split is kept when p < alpha and both sides hold at
 * least min_seg values; the halves are searched again.  Writes the indices
 * where a new level starts (ascending) into cp, returns how many (<= max).
 */
size_t stats_cusum_changes(const double *y, size_t n, double sigma, double alpha, size_t min_seg,
			   size_t *cp, size_t max);
/* P(sup |Brownian bridge| > x). */
double stats_kolmogorov_upper(double x);

#endif
