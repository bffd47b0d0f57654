// SPDX-License-Identifier: GPL-2.0
/*
 * ab's evidence (analysis/abtally.c) on synthetic result documents: the
 * design chosen from the options, the knob arguments of each design, a
 * within round's repeats as observations (disturbed ones left out), the
 * decision, and ab.json's summary.
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
#include <jansson.h>

#include "abtally.h"
#include "util.h"

static void test_design_from_options(void **state)
{
	enum ab_design d;

	assert_int_equal(ab_choose_design(0, "env:FB_TEST_X=0,1", NULL, 4, &d), FB_OK);
	assert_int_equal(d, AB_WITHIN);
	assert_int_equal(ab_choose_design(0, NULL, "run pf1", 4, &d), FB_OK);
	assert_int_equal(d, AB_SEPARATE);
	assert_int_equal(ab_choose_design(2, "env:FB_TEST_X=0,1", NULL, 4, &d), FB_OK);
	assert_int_equal(d, AB_SEPARATE);
	/* within needs a knob, no --b, and balanced rounds */
	assert_int_equal(ab_choose_design(1, NULL, "run pf1", 4, &d), FB_USAGE);
	assert_int_equal(ab_choose_design(1, "env:FB_TEST_X=0,1", "run pf1", 4, &d), FB_USAGE);
	assert_int_equal(ab_choose_design(0, "env:FB_TEST_X=0,1", NULL, 3, &d), FB_USAGE);
}

static void test_knob_args(void **state)
{
	char a[64] = "", b[64] = "";

	assert_int_equal(ab_knob_args("env:FB_TEST_X=0,90", AB_WITHIN, a, b, sizeof(a)), FB_OK);
	assert_string_equal(a, "--knob=env:FB_TEST_X=0,90");
	assert_string_equal(b, "");
	assert_int_equal(ab_knob_args("env:FB_TEST_X=0,90", AB_SEPARATE, a, b, sizeof(a)), FB_OK);
	assert_string_equal(a, "--knob=env:FB_TEST_X=0");
	assert_string_equal(b, "--knob=env:FB_TEST_X=90");
	assert_int_equal(ab_knob_args("env:FB_TEST_X=0", AB_WITHIN, a, b, sizeof(a)), FB_USAGE);
	assert_int_equal(ab_knob_args("env:FB_TEST_X=0,1,2", AB_WITHIN, a, b, sizeof(a)), FB_USAGE);
	assert_int_equal(ab_knob_args("x=,1", AB_SEPARATE, a, b, sizeof(a)), FB_USAGE);
}

/* A round's run: nrep repeats ABBA, B's pages/s ratio times A's. */
static json_t *round_doc(unsigned nrep, double ratio, int disturbed_step)
{
	json_t *steps = json_array();
	unsigned idx = 0;

	for (unsigned rep = 0; rep < nrep; rep++)
		for (unsigned k = 0; k < 2; k++) {
			unsigned v = rep % 2 ? !k : k; /* AB, BA, ... */
			double val = 1000.0 * (1 + 0.3 * (rep % 3)) * (v ? ratio : 1);
			json_t *s = json_pack(
			    "{s:I, s:I, s:s, s:i, s:b, s:{s:{s:f, s:b}}}", "index", (json_int_t)idx,
			    "repeat", (json_int_t)rep, "variant", v ? "X=1" : "X=0", "ncpus", 1,
			    "complete", 1, "metrics", "pages/s", "value", val, "higher_better", 1);

			if ((int)idx++ == disturbed_step)
				json_object_set_new(s, "interference",
						    json_pack("{s:b}", "disturbed", 1));
			json_array_append_new(steps, s);
		}
	return json_pack("{s:s, s:o}", "headline_metric", "pages/s", "steps", steps);
}

static void test_within_rounds_decide_worse(void **state)
{
	struct ab_tally t;
	struct ab_spec spec = { .a = "run pf1",
				.knob = "env:FB_TEST_X=0,1",
				.alpha = 0.05,
				.max_runs = 10,
				.max_time = 60,
				.round_repeats = 4 };
	FILE *out = fopen("/dev/null", "w");
	json_t *doc, *sum;
	unsigned r;

	ab_tally_init(&t, AB_WITHIN, false, 0.05, 2);
	/* B 8% slower, with a little noise from round to round */
	for (r = 0; r < 10 && ab_tally_decide(&t) == SEQ_UNDECIDED; r++) {
		doc = round_doc(4, 0.92 + 0.002 * (r % 3), r == 0 ? 1 : -1);
		t.runs++;
		assert_int_equal(ab_tally_round(&t, doc, "r.json", r, out), FB_OK);
		json_decref(doc);
	}
	assert_int_equal(ab_tally_decide(&t), SEQ_WORSE);
	assert_int_equal(t.left_out, 1); /* round 1's disturbed step */
	assert_int_equal(t.pairs, 4 * r - 1);
	sum = ab_tally_finish(&t, &spec, SEQ_WORSE, NULL, 12, out);
	assert_string_equal(json_string_value(json_object_get(sum, "design")), "within");
	assert_string_equal(json_string_value(json_object_get(sum, "decision")), "worse");
	assert_int_equal(json_integer_value(json_object_get(sum, "round_repeats")), 4);
	assert_int_equal(json_integer_value(json_object_get(sum, "left_out")), 1);
	assert_true(json_real_value(json_object_get(sum, "change_pct")) < -7);
	assert_int_equal(json_array_size(json_object_get(sum, "pairs_log")), r);
	json_decref(sum);
	ab_tally_free(&t);
	fclose(out);
}

static void test_round_without_a_valid_pair(void **state)
{
	struct ab_tally t;
	FILE *out = fopen("/dev/null", "w");
	json_t *doc = round_doc(2, 0.9, -1);
	size_t i;
	json_t *s;

	json_array_foreach (json_object_get(doc, "steps"), i, s)
		json_object_set_new(s, "interference", json_pack("{s:b}", "disturbed", 1));
	ab_tally_init(&t, AB_WITHIN, true, 0.05, 2);
	assert_false(t.higher_better); /* the CPU time per page: lower is better */
	assert_int_equal(ab_tally_round(&t, doc, "r.json", 1, out), FB_UNDECIDED);
	assert_false(t.higher_better); /* a round with no valid pair does not flip it */
	ab_tally_free(&t);
	ab_tally_init(&t, AB_WITHIN, false, 0.05, 2);
	assert_int_equal(ab_tally_round(&t, doc, "r.json", 1, out), FB_UNDECIDED);
	assert_int_equal(t.pairs, 0);
	assert_int_equal(t.left_out, 2);
	assert_int_equal(ab_tally_decide(&t), SEQ_UNDECIDED);
	json_decref(doc);
	ab_tally_free(&t);
	fclose(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_from_options),
		cmocka_unit_test(test_knob_args),
		cmocka_unit_test(test_within_rounds_decide_worse),
		cmocka_unit_test(test_round_without_a_valid_pair),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
