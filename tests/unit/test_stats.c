// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/stats.c.  Reference values were computed without GSL:
 * Python's statistics module for the descriptive ones and, for the Welch
 * p-values, two pure-Python methods that agree to 1e-12 (Simpson integration
 * of the Student t density, and the regularized incomplete beta function by
 * continued fraction); scipy is not installed here.  The data sets are the
 * first and third worked examples of the Wikipedia article "Welch's t-test".
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "stats.h"

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

static const double one_to_ten[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

static void test_empty_is_nan(void **state)
{
	double x = 1;

	assert_true(isnan(stats_mean(&x, 0)));
	assert_true(isnan(stats_hmean(&x, 0)));
	assert_true(isnan(stats_stddev(&x, 0)));
	assert_true(isnan(stats_cov(&x, 0)));
	assert_true(isnan(stats_min(&x, 0)));
	assert_true(isnan(stats_max(&x, 0)));
	assert_true(isnan(stats_median(&x, 0)));
	assert_true(isnan(stats_percentile(&x, 0, 50)));
	assert_true(isnan(stats_best_hmean(&x, 0, 95, true)));
	assert_true(isnan(stats_best_amean(&x, 0, 95, false)));
	assert_true(isnan(stats_median(NULL, 0)));
}

static void test_basic(void **state)
{
	const double *v = one_to_ten;

	NEAR(stats_mean(v, 10), 5.5, 1e-12);
	NEAR(stats_stddev(v, 10), 3.0276503540974917, 1e-12);
	NEAR(stats_cov(v, 10), 3.0276503540974917 / 5.5, 1e-12);
	NEAR(stats_hmean(v, 10), 3.414171521474055, 1e-12);
	assert_true(stats_min(v, 10) == 1);
	assert_true(stats_max(v, 10) == 10);
	/* one value: no spread to speak of */
	assert_true(isnan(stats_stddev(v, 1)));
	NEAR(stats_mean(v + 3, 1), 4, 0);
}

static void test_hmean_nonpositive(void **state)
{
	const double v[] = { 2, 0, 4 }, w[] = { 2, -1 };

	assert_true(isnan(stats_hmean(v, 3)));
	assert_true(isnan(stats_hmean(w, 2)));
	/* CoV of a zero-mean set must not divide by zero */
	const double z[] = { -1, 1 };
	assert_true(isnan(stats_cov(z, 2)));
}

static void test_percentiles(void **state)
{
	const double unsorted[] = { 7, 1, 10, 4, 3, 9, 2, 8, 6, 5 };
	const double odd[] = { 3, 1, 2 };

	/* R type 7 / numpy linear: the values of Python's quantiles(method='inclusive') */
	NEAR(stats_percentile(unsorted, 10, 10), 1.9, 1e-12);
	NEAR(stats_percentile(unsorted, 10, 90), 9.1, 1e-12);
	NEAR(stats_percentile(unsorted, 10, 25), 3.25, 1e-12);
	NEAR(stats_percentile(unsorted, 10, 0), 1, 0);
	NEAR(stats_percentile(unsorted, 10, 100), 10, 0);
	NEAR(stats_median(unsorted, 10), 5.5, 1e-12);
	NEAR(stats_median(odd, 3), 2, 0);
	NEAR(stats_percentile(odd, 1, 37), 3, 0);
	/* the caller's order is left alone */
	assert_true(unsorted[0] == 7);
}

static void test_best_means(void **state)
{
	const double *v = one_to_ten;

	/* best 95% of 10 = the 9 largest (higher is better) or smallest */
	NEAR(stats_best_hmean(v, 10, 95, true), 4.665706644723308, 1e-12);
	NEAR(stats_best_amean(v, 10, 95, false), 5, 1e-12);
	NEAR(stats_best_amean(v, 10, 50, true), 8, 1e-12);
	NEAR(stats_best_amean(v, 10, 100, true), 5.5, 1e-12);
	/* never fewer than one sample */
	NEAR(stats_best_amean(v, 10, 1, true), 10, 0);
	NEAR(stats_best_amean(v, 10, 1, false), 1, 0);
	NEAR(stats_best_hmean(v, 1, 95, true), 1, 0);
}

static void test_pdiff(void **state)
{
	NEAR(stats_pdiff(100, 110, true), 0.10, 1e-12);
	NEAR(stats_pdiff(100, 110, false), -0.10, 1e-12);
	NEAR(stats_pdiff(100, 90, false), 0.10, 1e-12);
	NEAR(stats_pdiff(100, 90, true), -0.10, 1e-12);
	assert_true(isnan(stats_pdiff(0, 5, true)));
	assert_true(isnan(stats_pdiff(NAN, 5, true)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_nan),	  cmocka_unit_test(test_basic),
		cmocka_unit_test(test_hmean_nonpositive), cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_best_means),	  cmocka_unit_test(test_pdiff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
