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

static double sample_variance(const double *v, size_t n)
{
	double sd = stats_stddev(v, n);

	return sd * sd;
}

/*
 * Welch's t-test: does not assume equal variances, which matters because a
 * kernel change often changes the spread of a fault rate as well as its mean.
 * df from the Welch-Satterthwaite equation (not rounded down, as R and scipy).
 */
struct welch stats_welch(const double *a, size_t na, const double *b, size_t nb)
{
	struct welch w = { .t = NAN, .df = NAN, .p = NAN, .valid = false };
	double va, vb, sa, sb, se2;

	if (na < 2 || nb < 2)
		return w;
	va = sample_variance(a, na);
	vb = sample_variance(b, nb);
	sa = va / na;
	sb = vb / nb;
	se2 = sa + sb;
	if (!(se2 > 0) || !isfinite(se2))
		return w;
	w.t = (stats_mean(a, na) - stats_mean(b, nb)) / sqrt(se2);
	w.df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
	/* Two-sided: twice the tail beyond |t|; Q keeps precision for small p. */
	w.p = 2 * gsl_cdf_tdist_Q(fabs(w.t), w.df);
	if (w.p > 1)
		w.p = 1;
	w.valid = true;
	return w;
}

double stats_pdiff(double base, double value, bool higher_better)
{
	if (isnan(base) || isnan(value) || base == 0)
		return NAN;
	if (higher_better)
		return (value - base) / fabs(base);
	return (base - value) / fabs(base);
}
