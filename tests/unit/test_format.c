// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of output formatting: JSON reals in their shortest form that
 * reads back to the identical double, CSV quoting, and the edit distance and
 * "did you mean" ranking of mistyped names.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "csv.h"
#include "jsonfile.h"
#include "progress.h"
#include "suggest.h"
#include "util.h"

static const double tricky[] = {
	0.1,
	0.05,
	1e-300,
	5e-324,
	DBL_MAX,
	-DBL_MAX,
	DBL_MIN,
	123456789.123456789,
	-0.1,
	-1e-300,
	-5e-324,
	-123456789.123456789,
	1.0,
	-1.0,
	0.0,
	1e21,
	1e22,
	3.0e-5,
	2.2250738585072009e-308,
	0.30000000000000004,
	1.0 / 3,
	9007199254740993.0,
	4.35,
};

static void test_shortest_round_trip(void **state)
{
	char buf[40];

	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++) {
		double back;

		fb_fmt_shortest(buf, sizeof(buf), tricky[i]);
		back = strtod(buf, NULL);
		/* identical bits, so -0.0 and denormals count too */
		assert_memory_equal(&back, &tricky[i], sizeof(double));
		/* a real stays a real when read back */
		assert_non_null(strpbrk(buf, ".e"));
	}
}

static void test_shortest_is_short(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{ 0.1, "0.1" },
		{ 0.05, "0.05" },
		{ 1e-300, "1e-300" },
		{ 5e-324, "5e-324" },
		{ DBL_MAX, "1.7976931348623157e308" },
		{ 123456789.123456789, "123456789.12345679" },
		{ -2.5, "-2.5" },
		{ 1.0, "1.0" },
		{ 1e21, "1e21" },
		{ 3.0e-5, "3e-5" },
		{ -0.0, "-0.0" },
	};
	char buf[40];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		fb_fmt_shortest(buf, sizeof(buf), cases[i].v);
		assert_string_equal(buf, cases[i].want);
	}
}

/* Through jansson and back: every real identical, strings that look like numbers untouched. */
static void test_json_round_trip(void **state)
{
	json_t *doc = json_object(), *arr = json_array(), *back;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++)
		json_array_append_new(arr, json_real(tricky[i]));
	json_object_set_new(doc, "reals", arr);
	json_object_set_new(doc, "alpha", json_real(0.05));
	json_object_set_new(doc, "n", json_integer(-12345678901234LL));
	json_object_set_new(doc, "s", json_string("0.050000000000000003 \"1e5\" \\ -3.0"));
	assert_non_null(m);
	assert_int_equal(fb_json_dumpf(doc, m, JSON_INDENT(1) | JSON_REAL_PRECISION(3)), 0);
	assert_int_equal(fclose(m), 0);
	assert_non_null(strstr(text, "\"alpha\": 0.05\n") ? text
							  : strstr(text, "\"alpha\": 0.05,"));
	assert_null(strstr(text, "0.050000000000000003,"));
	back = json_loads(text, 0, NULL);
	assert_non_null(back);
	arr = json_object_get(back, "reals");
	assert_int_equal(json_array_size(arr), ARRAY_SIZE(tricky));
	for (size_t i = 0; i < ARRAY_SIZE(tricky); i++) {
		double v = json_real_value(json_array_get(arr, i));

		assert_true(json_is_real(json_array_get(arr, i)));
		assert_memory_equal(&v, &tricky[i], sizeof(double));
	}
	assert_int_equal(json_integer_value(json_object_get(back, "n")), -12345678901234LL);
	assert_string_equal(json_string_value(json_object_get(back, "s")),
			    "0.050000000000000003 \"1e5\" \\ -3.0");
	json_decref(back);
	json_decref(doc);
	free(text);
}

static void test_levenshtein_git_weights(void **state)
{
	/* git's weights: swap 0, substitution 2, insertion 1, deletion 3 */
	assert_int_equal(fb_levenshtein("", "", 0, 2, 1, 3), 0);
	assert_int_equal(fb_levenshtein("abc", "abc", 0, 2, 1, 3), 0);
	assert_int_equal(fb_levenshtein("sampletime", "sample-time", 0, 2, 1, 3), 1);
	assert_int_equal(fb_levenshtein("samples", "sample", 0, 2, 1, 3), 3);
	assert_int_equal(fb_levenshtein("comapre", "compare", 0, 2, 1, 3), 0);
	assert_int_equal(fb_levenshtein("rnu", "run", 0, 2, 1, 3), 0);
	assert_int_equal(fb_levenshtein("rxn", "run", 0, 2, 1, 3), 2);
	assert_int_equal(fb_levenshtein("", "run", 0, 2, 1, 3), 3);
	assert_int_equal(fb_levenshtein("run", "", 0, 2, 1, 3), 9);
	/* plain Levenshtein with unit weights */
	assert_int_equal(fb_levenshtein("kitten", "sitting", 1, 1, 1, 1), 3);
}

static void test_suggest(void **state)
{
	static const char *const opts[] = { "cpus",   "samples", "sample-time", "warmup",
					    "repeat", "label",	 "output",	NULL };
	struct fb_suggest s;
	char buf[256];

	fb_suggest_init(&s, "sampletime");
	for (unsigned i = 0; opts[i]; i++)
		fb_suggest_add(&s, opts[i]);
	assert_string_equal(fb_suggest_hint(&s, "--", buf, sizeof(buf)),
			    "; did you mean '--sample-time'?");

	/* a prefix of several: every one of them */
	fb_suggest_init(&s, "sample");
	for (unsigned i = 0; opts[i]; i++)
		fb_suggest_add(&s, opts[i]);
	assert_string_equal(fb_suggest_hint(&s, "--", buf, sizeof(buf)),
			    "; did you mean one of '--samples', '--sample-time'?");

	/* nothing close: no hint */
	fb_suggest_init(&s, "xyzzyq");
	for (unsigned i = 0; opts[i]; i++)
		fb_suggest_add(&s, opts[i]);
	assert_string_equal(fb_suggest_hint(&s, "--", buf, sizeof(buf)), "");

	/* an empty word suggests nothing */
	fb_suggest_init(&s, "");
	fb_suggest_add(&s, "cpus");
	assert_string_equal(fb_suggest_hint(&s, "", buf, sizeof(buf)), "");
}

static void test_csv_quoting(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	csv_field(f, "plain", true);
	csv_field(f, "a,b", false);
	csv_field(f, "say \"hi\"", false);
	csv_field(f, "two\nlines", false);
	csv_field(f, "", false);
	csv_field(f, " lead", false);
	csv_end_row(f);
	fclose(f);
	assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",,\" lead\"\r\n");
	free(buf);
}

static void test_progress_si(void **state)
{
	char buf[16];

	assert_string_equal(progress_si(buf, sizeof(buf), 950), "950");
	assert_string_equal(progress_si(buf, sizeof(buf), 999.7), "1.00k");
	assert_string_equal(progress_si(buf, sizeof(buf), 2410000), "2.41M");
	assert_string_equal(progress_si(buf, sizeof(buf), 45000), "45.0k");
	assert_string_equal(progress_si(buf, sizeof(buf), 450000), "450k");
	assert_string_equal(progress_si(buf, sizeof(buf), NAN), "-");
}

/* The ETA: the plan from the first step, then scaled by what steps really took. */
static void test_progress_eta(void **state)
{
	struct progress p = { .total = 4, .planned_step = 2.0, .step_started = 100 };

	/* nothing done, 0.5 s into the first step: 4 x 2 s planned, less 0.5 */
	assert_true(fabs(progress_eta(&p, 100.5) - 7.5) < 1e-9);
	/* two steps took 5 s each, 2.5 x the plan: 2 left x 2 s x 2.5 */
	p.done = 2;
	p.spent_done = 10;
	assert_true(fabs(progress_eta(&p, 100) - 10) < 1e-9);
	/* never negative */
	assert_true(progress_eta(&p, 1000) == 0);
	/* a benchmark that times itself: unknown until a step finished */
	p = (struct progress){ .total = 3, .planned_step = 0, .step_started = 0 };
	assert_true(progress_eta(&p, 0) < 0);
	p.done = 1;
	p.spent_done = 4;
	assert_true(fabs(progress_eta(&p, 0) - 8) < 1e-9);
	/* all done */
	p.done = 3;
	assert_true(progress_eta(&p, 50) == 0);
}

/* Two sizes in one message differ on the page when they differ. */
static void test_size_pair(void **state)
{
	char a[32], b[32];
	const unsigned long long MiB = 1ULL << 20, GiB = 1ULL << 30;

	(void)state;
	fb_format_size_pair(3 * GiB, GiB / 2, a, b, sizeof(a));
	assert_string_equal(a, "3.0 GiB");
	assert_string_equal(b, "0.5 GiB");
	/* 0.2 and 0.2 GiB: below 1 GiB both are MiB */
	fb_format_size_pair(210 * MiB, 205 * MiB, a, b, sizeof(a));
	assert_string_equal(a, "210.0 MiB");
	assert_string_equal(b, "205.0 MiB");
	/* as many decimals as make them differ */
	fb_format_size_pair(4 * GiB + 30 * MiB, 4 * GiB + 10 * MiB, a, b, sizeof(a));
	assert_string_equal(a, "4.03 GiB");
	assert_string_equal(b, "4.01 GiB");
	fb_format_size_pair(2 * GiB + 1 * MiB, 2 * GiB, a, b, sizeof(a));
	assert_string_equal(a, "2.001 GiB");
	assert_string_equal(b, "2.000 GiB");
	/* closer than 1/1000 GiB: in MiB */
	fb_format_size_pair(2 * GiB + 1000, 2 * GiB, a, b, sizeof(a));
	assert_string_equal(a, "2048.001 MiB");
	assert_string_equal(b, "2048.000 MiB");
	fb_format_size_pair(2 * GiB + 1, 2 * GiB, a, b, sizeof(a));
	assert_string_equal(a, "2097152.001 KiB");
	fb_format_size_pair(GiB, GiB, a, b, sizeof(a));
	assert_string_equal(a, "1.0 GiB");
	assert_string_equal(b, "1.0 GiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shortest_round_trip),
		cmocka_unit_test(test_shortest_is_short),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_levenshtein_git_weights),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_progress_si),
		cmocka_unit_test(test_progress_eta),
		cmocka_unit_test(test_size_pair),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
