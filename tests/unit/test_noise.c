// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what a new noise model records of its runs
 * (noise_conditions(), noise_sources(); analysis/noise.c): the worst
 * interference figure of every step, disturbed runs counted, each kernel
 * once, the settings of the first run, and "unknown" for older results.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "noise.h"
#include "resultset.h"
#include "util.h"

#include "synth.h"

static const unsigned one_cpu[] = { 1 };
static const double values[] = { 100, 101 };

/* A run on kernel release, with interference figures share and wait (NAN: none recorded). */
static json_t *run_on(const char *release, double share, double wait, bool disturbed)
{
	json_t *doc = synth("a", "pages/s", true, one_cpu, 1, 2, values, NULL);
	json_t *sys = json_object_get(doc, "system"), *kernel = json_object(), *step;
	size_t i;

	json_object_set_new(kernel, "release", json_string(release));
	json_object_set_new(sys, "kernel", kernel);
	json_object_set_new(sys, "thp", json_string("madvise"));
	if (isnan(share))
		return doc;
	json_object_set_new(doc, "interference", json_pack("{s:b}", "disturbed", disturbed));
	json_array_foreach (json_object_get(doc, "steps"), i, step)
		json_object_set_new(step, "interference",
				    json_pack("{s:f,s:f}", "share_min", share, "wait_max", wait));
	return doc;
}

static void test_worst_of_the_runs(void **state)
{
	json_t *docs[3] = { run_on("6.18", 0.9, 0.01, false), run_on("6.18", 0.7, 0.03, true),
			    run_on("6.19", 0.8, 0.02, false) };
	char *paths[3] = { "r/a.json", "r/b.json", "r/c.json" };
	struct resultset rs;
	json_t *c, *in, *src;

	n_runs(&rs, docs, paths, 3);
	c = noise_conditions(&rs, 1.5);
	in = json_object_get(c, "interference");
	assert_int_equal(json_integer_value(json_object_get(c, "runs")), 3);
	assert_true(fabs(json_number_value(json_object_get(in, "share_min")) - 0.7) < 1e-12);
	assert_true(fabs(json_number_value(json_object_get(in, "wait_max")) - 0.03) < 1e-12);
	assert_int_equal(json_integer_value(json_object_get(in, "runs_known")), 3);
	assert_int_equal(json_integer_value(json_object_get(in, "runs_disturbed")), 1);
	/* each kernel once, in order of first appearance */
	assert_int_equal(json_array_size(json_object_get(c, "kernels")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c, "kernels"), 1)),
			    "6.19");
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(c, "settings"), "thp")), "madvise");
	assert_true(fabs(json_number_value(json_object_get(c, "loadavg")) - 1.5) < 1e-12);
	src = noise_sources(&rs);
	assert_int_equal(json_array_size(src), 3);
	assert_string_equal(json_string_value(json_array_get(src, 2)), "r/c.json");
	json_decref(src);
	json_decref(c);
	for (unsigned i = 0; i < 3; i++)
		json_decref(docs[i]);
}

/* Results without interference figures: unknown (null), not "no interference". */
static void test_older_results_unknown(void **state)
{
	json_t *doc = run_on("6.18", NAN, NAN, false);
	char *path = "r/a.json";
	struct resultset rs;
	json_t *c;

	one_run(&rs, &doc, &path, "a");
	c = noise_conditions(&rs, NAN);
	assert_true(json_is_null(json_object_get(c, "interference")));
	assert_null(json_object_get(c, "loadavg"));
	assert_non_null(json_object_get(c, "loadavg_is"));
	json_decref(c);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worst_of_the_runs),
		cmocka_unit_test(test_older_results_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
