// SPDX-License-Identifier: GPL-2.0
/*
 * Descriptive statistics and Welch's t-test for comparing runs.
 *
 * Rates (faults/s) are summarised with the harmonic mean because the
 * arithmetic mean of rates over-weights the fast samples; times use the
 * arithmetic mean.  Every function takes n == 0 and then returns NAN, and no
 * path divides by zero: a NAN in a table is honest, a crash or an inf is not.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "stats.h"
#include "util.h"

double stats_mean(const double *v, size_t n)
{
	double sum = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++)
		sum += v[i];
	return sum / n;
}

double stats_hmean(const double *v, size_t n)
{
	double inv = 0;

	if (!n)
		return NAN;
	for (size_t i = 0; i < n; i++) {
		/* A zero or negative rate has no meaningful reciprocal. */
		if (!(v[i] > 0))
			return NAN;
		inv += 1.0 / v[i];
	}
	return n / inv;
}

double stats_stddev(const double *v, size_t n)
{
	double mean, ss = 0;

	if (n < 2)
		return NAN;
	mean = stats_mean(v, n);
	/* Two-pass: subtracting the mean first avoids cancellation on large values. */
	for (size_t i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	return sqrt(ss / (n - 1));
}

double stats_cov(const double *v, size_t n)
{
	double mean = stats_mean(v, n);

	if (isnan(mean) || mean == 0)
		return NAN;
	return stats_stddev(v, n) / fabs(mean);
}

double stats_min(const double *v, size_t n)
{
	double m;

	if (!n)
		return NAN;
	m = v[0];
	for (size_t i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

double stats_max(const double *v, size_t n)
{
	double m;

	if (!n)
		return NAN;
	m = v[0];
	for (size_t i = 1; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorted copy; the caller's samples keep their order (it is the time order). */
static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

/* Linear interpolation between closest ranks (R type 7, numpy's default). */
static double percentile_sorted(const double *s, size_t n, double p)
{
	double rank, frac;
	size_t lo;

	if (p <= 0)
		return s[0];
	if (p >= 100)
		return s[n - 1];
	rank = p / 100.0 * (n - 1);
	lo = (size_t)rank;
	frac = rank - lo;
	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + frac * (s[lo + 1] - s[lo]);
}

double stats_percentile(const double *v, size_t n, double p)
{
	double *s, r;

	if (!n || isnan(p))
		return NAN;
	s = sorted_copy(v, n);
	r = percentile_sorted(s, n, p);
	free(s);
	return r;
}

double stats_median(const double *v, size_t n)
{
	return stats_percentile(v, n, 50);
}

/*
 * The best pct% of the samples, as mmtests' BHmean-N/BAmean-N do: sort, keep
 * the largest (higher is better) or smallest values.  k = floor(n * pct / 100),
 * at least 1.  mmtests' select_highest() keeps one more value than that (an
 * off-by-one in its index range); we keep exactly the stated share so that
 * both directions select the same number of samples.
 */
static double best_mean(const double *v, size_t n, double pct, bool higher_better,
			double (*mean)(const double *, size_t))
{
	double *s, r;
	size_t k;

	if (!n || isnan(pct) || pct <= 0)
		return NAN;
	if (pct > 100)
		pct = 100;
	k = (size_t)floor(n * pct / 100.0);
	if (k < 1)
		k = 1;
	s = sorted_copy(v, n);
	r = mean(higher_better ? s + (n - k) : s, k);
	free(s);
	return r;
}

double stats_best_hmean(const double *v, size_t n, double pct, bool higher_better)
{
	return best_mean(v, n, pct, higher_better, stats_hmean);
}

double stats_best_amean(const double *v, size_t n, double pct, bool higher_better)
{
	return best_mean(v, n, pct, higher_better, stats_mean);
}

double stats_pdiff(double base, double value, bool higher_better)
{
	if (isnan(base) || isnan(value) || base == 0)
		return NAN;
	if (higher_better)
		return (value - base) / fabs(base);
	return (base - value) / fabs(base);
}

struct runtest stats_runtest(double mean_a, unsigned na, double mean_b, unsigned nb, double var,
			     double df)
{
	struct runtest r = { .diff = NAN, .se = NAN, .t = NAN, .df = df, .p = NAN };

	if (!na || !nb || !(df >= 1) || !(var > 0) || !isfinite(var) || isnan(mean_a) ||
	    isnan(mean_b))
		return r;
	r.diff = mean_b - mean_a;
	r.se = sqrt(var * (1.0 / na + 1.0 / nb));
	r.t = r.diff / r.se;
	r.p = 2 * gsl_cdf_tdist_Q(fabs(r.t), df);
	if (r.p > 1)
		r.p = 1;
	r.valid = true;
	return r;
}

double stats_detectable(double se, double df, double alpha, double power)
{
	if (!(df >= 1) || !isfinite(se) || !(alpha > 0 && alpha < 1) || !(power > 0 && power < 1))
		return NAN;
	return (gsl_cdf_tdist_Qinv(alpha / 2, df) + gsl_cdf_tdist_Pinv(power, df)) * se;
}

double stats_pooled_var(const double *v, const unsigned *group, size_t n, double *df)
{
	double ss = 0;
	size_t i, j, ngroups = 0;

	*df = 0;
	for (i = 0; i < n; i++) {
		double sum = 0;
		size_t k = 0;
		bool first = true;

		/* each group once, at its first member */
		for (j = 0; j < i; j++)
			if (group[j] == group[i])
				first = false;
		if (!first)
			continue;
		ngroups++;
		for (j = i; j < n; j++)
			if (group[j] == group[i]) {
				sum += v[j];
				k++;
			}
		for (j = i; j < n; j++)
			if (group[j] == group[i])
				ss += (v[j] - sum / k) * (v[j] - sum / k);
	}
	if (n <= ngroups)
		return NAN;
	*df = (double)(n - ngroups);
	return ss / *df;
}

double stats_f_upper(double f, double df1, double df2)
{
	if (isnan(f) || !(df1 > 0) || !(df2 > 0))
		return NAN;
	return gsl_cdf_fdist_Q(f, df1, df2);
}

struct pidx {
	double p;
	size_t i;
};

static int by_p(const void *a, const void *b)
{
	const struct pidx *x = a, *y = b;

	return (x->p > y->p) - (x->p < y->p);
}

size_t stats_bh_adjust(const double *p, size_t n, double *q)
{
	struct pidx *s = xmalloc((n ? n : 1) * sizeof(*s));
	size_t m = 0, k;
	double run = 1;

	for (k = 0; k < n; k++) {
		q[k] = NAN;
		if (!isnan(p[k]))
			s[m++] = (struct pidx){ p[k], k };
	}
	qsort(s, m, sizeof(*s), by_p);
	/* q_(k) = min over j >= k of p_(j) * m / j: step-up, monotone */
	for (k = m; k > 0; k--) {
		double v = s[k - 1].p * (double)m / (double)k;

		if (v < run)
			run = v;
		q[s[k - 1].i] = run;
	}
	free(s);
	return m;
}

double stats_kolmogorov_upper(double x)
{
	double sum = 0;

	if (!(x > 0))
		return 1;
	/* 2 * sum_{j>=1} (-1)^(j-1) exp(-2 j^2 x^2): converges fast for x > 0.3 */
	for (int j = 1; j <= 100; j++) {
		double term = exp(-2.0 * j * j * x * x);

		sum += (j % 2 ? 2 : -2) * term;
		if (term < 1e-12)
			break;
	}
	return sum < 0 ? 0 : sum > 1 ? 1 : sum;
}

/* The best split of y[lo, hi): its index (first of the new level) and p-value. */
static size_t cusum_split(const double *y, size_t lo, size_t hi, double sigma, size_t min_seg,
			  double *p)
{
	size_t n = hi - lo, k, best = 0;
	double total = 0, s = 0, bestv = -1;

	*p = 1;
	if (n < 2 * min_seg || n < 2)
		return 0;
	for (k = lo; k < hi; k++)
		total += y[k];
	for (k = 1; k < n; k++) {
		double dev;

		s += y[lo + k - 1];
		dev = fabs(s - (double)k / n * total);
		if (k >= min_seg && n - k >= min_seg && dev > bestv) {
			bestv = dev;
			best = lo + k;
		}
	}
	if (!best)
		return 0;
	*p = stats_kolmogorov_upper(bestv / (sigma * sqrt((double)n)));
	return best;
}

static void cusum_segment(const double *y, size_t lo, size_t hi, double sigma, double alpha,
			  size_t min_seg, size_t *cp, size_t *ncp, size_t max)
{
	double p;
	size_t k = cusum_split(y, lo, hi, sigma, min_seg, &p);

	if (!k || !(p < alpha) || *ncp >= max)
		return;
	cusum_segment(y, lo, k, sigma, alpha, min_seg, cp, ncp, max);
	if (*ncp < max)
		cp[(*ncp)++] = k;
	cusum_segment(y, k, hi, sigma, alpha, min_seg, cp, ncp, max);
}

size_t stats_cusum_changes(const double *y, size_t n, double sigma, double alpha, size_t min_seg,
			   size_t *cp, size_t max)
{
	size_t ncp = 0;

	if (!(sigma > 0) || !isfinite(sigma) || min_seg < 1)
		return 0;
	cusum_segment(y, 0, n, sigma, alpha, min_seg, cp, &ncp, max);
	return ncp;
}
