// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for cpu_counts_parse(): the worker-count lists of --cpus.  Bad
 * input must give FB_USAGE with a message naming the option, never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "topo.h"
#include "util.h"

static void check(const char *spec, unsigned max, const unsigned *want, unsigned nwant)
{
	unsigned *counts = NULL, n = 0, i;

	assert_int_equal(cpu_counts_parse(spec, max, &counts, &n), FB_OK);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_int_equal(counts[i], want[i]);
	free(counts);
}

static void test_lists(void **state)
{
	static const unsigned a[] = { 1, 2, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const unsigned b[] = { 3 };
	static const unsigned c[] = { 1, 2, 5, 7 };

	check("1,2,4,8-16", 64, a, ARRAY_SIZE(a));
	check("3", 3, b, 1);
	check("3-3", 64, b, 1);
	check("7,5,1,2,5,1-2", 8, c, ARRAY_SIZE(c)); /* sorted, no repeats */
}

static void test_keywords(void **state)
{
	static const unsigned p64[] = { 1, 2, 4, 8, 16, 32, 64 };
	static const unsigned p48[] = { 1, 2, 4, 8, 16, 32, 48 };
	static const unsigned p1[] = { 1 };
	static const unsigned m[] = { 1024 };
	static const unsigned mix[] = { 1, 2, 3, 4, 6 };

	check("pow2", 64, p64, ARRAY_SIZE(p64));
	check("pow2", 48, p48, ARRAY_SIZE(p48));
	check("pow2", 1, p1, 1);
	check("max", 1024, m, 1);
	check("max", 1, p1, 1);
	check("pow2,3,max", 6, mix, ARRAY_SIZE(mix));
}

static void test_big(void **state)
{
	unsigned *counts = NULL, n = 0;

	assert_int_equal(cpu_counts_parse("1-4096", 4096, &counts, &n), FB_OK);
	assert_int_equal(n, 4096);
	assert_int_equal(counts[4095], 4096);
	free(counts);
}

static void check_bad(const char *spec, unsigned max, const char *also)
{
	unsigned *counts = (unsigned *)1, n = 7;

	assert_int_equal(cpu_counts_parse(spec, max, &counts, &n), FB_USAGE);
	assert_null(counts);
	assert_int_equal(n, 0);
	assert_non_null(strstr(fb_last_error(), "option '--cpus'"));
	if (also)
		assert_non_null(strstr(fb_last_error(), also));
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"0-x",	"",    "3-1",	      "1,,2",	       "abc",  ",",	"1,",
		",1",	"-1",  "1-",	      "1-2-3",	       "+1",   " 1",	"1 ",
		"0x10", "1.5", "99999999999", "1-99999999999", "walk", "pow2x", "MAX",
	};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		check_bad(bad[i], 64, "is not a CPU list");
	check_bad(NULL, 64, NULL);
	assert_string_equal(fb_last_error(), "option '--cpus': '' is not a CPU list");
	check_bad("0-x", 64, NULL);
	assert_string_equal(fb_last_error(), "option '--cpus': '0-x' is not a CPU list");
}

/* Counts out of range name the count and the machine's PU count. */
static void test_out_of_range(void **state)
{
	check_bad("0", 64, "64");
	check_bad("0-4", 64, "0 workers");
	check_bad("65", 64, "65 workers");
	check_bad("65", 64, "64 PUs");
	check_bad("1,2,128", 64, "128 workers");
	check_bad("8-200", 64, "200 workers");
	check_bad("2", 1, "has 1 PU;");
}

static int quiet(void **state)
{
	fb_set_quiet(true);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),	     cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_big),	     cmocka_unit_test(test_bad),
		cmocka_unit_test(test_out_of_range),
	};

	return cmocka_run_group_tests(tests, quiet, NULL);
}
