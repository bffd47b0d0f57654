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

static void test_welch_wikipedia_example1(void **state)
{
	const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			     21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			     24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct welch w = stats_welch(a, 15, b, 15);

	assert_true(w.valid);
	NEAR(w.t, -2.45535639828601, 1e-9);
	NEAR(w.df, 24.98852929023142, 1e-9);
	NEAR(w.p, 0.021378001462862062, 1e-6);
}

static void test_welch_wikipedia_example3(void **state)
{
	const double a[] = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
	const double b[] = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
			     23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3 };
	struct welch w = stats_welch(a, 10, b, 20), r = stats_welch(b, 20, a, 10);

	assert_true(w.valid);
	NEAR(w.t, -2.2255120399698485, 1e-9);
	NEAR(w.df, 24.524634944257343, 1e-9);
	NEAR(w.p, 0.03548453083001357, 1e-6);
	/* symmetric in its arguments apart from the sign of t */
	NEAR(r.t, -w.t, 1e-12);
	NEAR(r.p, w.p, 1e-12);
}

static void test_welch_degenerate(void **state)
{
	const double a[] = { 1, 1, 1 }, b[] = { 1, 1, 1, 1 }, c[] = { 1, 2 };

	assert_false(stats_welch(a, 3, b, 4).valid); /* no variance at all */
	assert_false(stats_welch(a, 1, c, 2).valid); /* too few values */
	assert_false(stats_welch(a, 0, c, 0).valid);
	/* one constant side is fine: the other has spread */
	struct welch w = stats_welch(a, 3, c, 2);
	assert_true(w.valid);
	assert_true(w.p > 0 && w.p <= 1);
	/* identical samples: t = 0, p = 1 */
	w = stats_welch(c, 2, c, 2);
	assert_true(w.valid);
	NEAR(w.t, 0, 0);
	NEAR(w.p, 1, 1e-12);
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
		cmocka_unit_test(test_empty_is_nan),
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_hmean_nonpositive),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_best_means),
		cmocka_unit_test(test_welch_wikipedia_example1),
		cmocka_unit_test(test_welch_wikipedia_example3),
		cmocka_unit_test(test_welch_degenerate),
		cmocka_unit_test(test_pdiff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
