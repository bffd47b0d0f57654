// SPDX-License-Identifier: GPL-2.0
/*
 * The within-run A/B design: the ABBA order of variants by repeat
 * (engine/knob.c), --knob's refusals that need no root, and the paired
 * verdict compare prints (analysis/paired.c) on synthetic result documents:
 * the exact Wilcoxon p and interval, a starved repeat that does not sway it,
 * and disturbed or broken steps left out.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "knob.h"
#include "paired.h"
#include "util.h"

static void test_abba_order(void **state)
{
	/* two variants: A B | B A | A B | B A */
	const unsigned want2[] = { 0, 1, 1, 0, 0, 1, 1, 0 };
	/* three: reversed on odd repeats */
	const unsigned want3[] = { 0, 1, 2, 2, 1, 0 };

	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(knob_variant_order(i / 2, i % 2, 2), want2[i]);
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(knob_variant_order(i / 3, i % 3, 3), want3[i]);
	assert_int_equal(knob_variant_order(7, 0, 1), 0);
}

static void test_knob_refusals(void **state)
{
	struct knob k;

	assert_int_equal(knob_parse("nonsense", &k), FB_USAGE);
	knob_free(&k);
	assert_int_equal(knob_parse("/etc/passwd=1,2", &k), FB_USAGE);
	knob_free(&k);
	assert_int_equal(knob_parse("/proc/sys/../x=1,2", &k), FB_USAGE);
	knob_free(&k);
	assert_int_equal(knob_parse("env:HOME=1,2", &k), FB_USAGE);
	knob_free(&k);
	assert_int_equal(knob_parse("env:FB_TEST_X=1,1", &k), FB_USAGE);
	knob_free(&k);
	assert_int_equal(knob_parse("env:FB_TEST_X=1,-2", &k), FB_USAGE);
	knob_free(&k);
}

static void test_env_knob_sets_and_restores(void **state)
{
	struct knob k;

	unsetenv("FB_TEST_UNIT");
	assert_int_equal(knob_parse("env:FB_TEST_UNIT=0,150", &k), FB_OK);
	assert_int_equal(k.nvalues, 2);
	assert_string_equal(k.name, "FB_TEST_UNIT");
	assert_int_equal(knob_set(&k, 1), FB_OK);
	assert_string_equal(getenv("FB_TEST_UNIT"), "150");
	assert_int_equal(knob_set(&k, 0), FB_OK);
	assert_string_equal(getenv("FB_TEST_UNIT"), "0");
	knob_restore(&k);
	assert_null(getenv("FB_TEST_UNIT"));
	knob_free(&k);
}

/* A run of nrep repeats, variants "A" then "B" (ABBA), pages/s values given. */
static json_t *make_doc(unsigned nrep, const double *a, const double *b)
{
	json_t *steps = json_array();
	unsigned idx = 0;

	for (unsigned rep = 0; rep < nrep; rep++)
		for (unsigned k = 0; k < 2; k++) {
			unsigned v = knob_variant_order(rep, k, 2);
			double val = v ? b[rep] : a[rep];

			json_array_append_new(
			    steps,
			    json_pack("{s:I, s:I, s:s, s:i, s:b, s:{s:{s:f, s:b}}}", "index",
				      (json_int_t)idx++, "repeat", (json_int_t)rep, "variant",
				      v ? "cost=90" : "cost=0", "ncpus", 1, "complete", 1,
				      "metrics", "pages/s", "value", val, "higher_better", 1));
		}
	return json_pack("{s:s, s:o}", "headline_metric", "pages/s", "steps", steps);
}

static void test_paired_worse_despite_a_starved_repeat(void **state)
{
	/* B 5% slower in every repeat, repeat 3's B starved to 1% of its CPU */
	double a[8] = { 100, 90, 104, 98, 77, 101, 95, 99 }, b[8];
	struct paired_row *rows;
	unsigned n;
	json_t *doc;

	for (unsigned i = 0; i < 8; i++)
		b[i] = a[i] * (0.95 + 0.002 * i);
	b[3] = a[3] * 0.01;
	doc = make_doc(8, a, b);
	paired_analyse(doc, 2, &rows, &n);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].base, "cost=0");
	assert_string_equal(rows[0].variant, "cost=90");
	assert_int_equal(rows[0].pairs, 8);
	assert_int_equal(rows[0].max_gap, 1);
	/* all eight negative: exact p = 2 / 2^8 */
	assert_true(fabs(rows[0].p - 2.0 / 256) < 1e-12);
	assert_string_equal(paired_verdict(&rows[0]), "worse");
	/* the estimate stays near -5%, not pulled to the starved repeat */
	assert_true(paired_pct(&rows[0], rows[0].mean) > -5 &&
		    paired_pct(&rows[0], rows[0].mean) < -3.5);
	assert_true(rows[0].hi < 0 && rows[0].lo < rows[0].mean);
	free(rows);
	json_decref(doc);
}

static void test_paired_leaves_out_broken_and_disturbed(void **state)
{
	double a[6] = { 100, 101, 99, 100, 102, 98 }, b[6] = { 101, 99, 100, 0, 101, 99 };
	struct paired_row *rows;
	unsigned n;
	json_t *doc = make_doc(6, a, b), *s;

	/* repeat 4's A step (index 8: even repeats run A first) was disturbed */
	s = json_array_get(json_object_get(doc, "steps"), 8);
	json_object_set_new(s, "interference", json_pack("{s:b}", "disturbed", 1));
	paired_analyse(doc, 2, &rows, &n);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].pairs, 4);
	assert_int_equal(rows[0].skipped, 2);
	assert_string_equal(paired_verdict(&rows[0]), "no difference shown");
	free(rows);
	json_decref(doc);
}

static void test_significant_but_small_is_within_the_threshold(void **state)
{
	/* B 1% slower in every repeat: significant, yet smaller than check's 2% */
	double a[8] = { 100, 90, 104, 98, 77, 101, 95, 99 }, b[8];
	struct paired_row *rows;
	unsigned n;
	json_t *doc;

	for (unsigned i = 0; i < 8; i++)
		b[i] = a[i] * (0.99 - 0.0005 * i);
	doc = make_doc(8, a, b);
	paired_analyse(doc, 2, &rows, &n);
	assert_true(rows[0].p <= PAIRED_ALPHA);
	assert_string_equal(paired_verdict(&rows[0]), "worse, within the threshold");
	free(rows);
	paired_analyse(doc, 0.5, &rows, &n);
	assert_string_equal(paired_verdict(&rows[0]), "worse");
	free(rows);
	json_decref(doc);
}

/*
 * Give every step task-clock: pages counted 1000 a sample, CPU time per page
 * 1000 ns for A and 1050 ns for B (5% more CPU per page).
 */
static void add_task_clock(json_t *doc)
{
	size_t i;
	json_t *s;

	json_array_foreach (json_object_get(doc, "steps"), i, s) {
		bool b = !strcmp(json_string_value(json_object_get(s, "variant")), "cost=90");
		double ns = (b ? 1050 : 1000) * 1000.0 * (1 + 0.001 * i);

		json_object_set_new(s, "events", json_pack("[s,s]", "page-faults", "task-clock"));
		json_object_set_new(s, "samples",
				    json_pack("[{s:[{s:[f,f], s:[f]}]}]", "workers", "ev", 100.0,
					      ns, "count", 1000.0));
	}
}

static void test_cpu_row_keeps_steps_only_other_tasks_disturbed(void **state)
{
	double a[8] = { 100, 90, 104, 98, 77, 101, 95, 99 }, b[8];
	struct paired_row *rows;
	unsigned n;
	json_t *doc, *steps;

	for (unsigned i = 0; i < 8; i++)
		b[i] = a[i] * (i % 2 ? 0.5 : 1.6); /* pages/s thrown about by a busy host */
	doc = make_doc(8, a, b);
	add_task_clock(doc);
	steps = json_object_get(doc, "steps");
	/* steps 2 and 5 disturbed by other tasks; step 9 by steal beyond the bound */
	json_object_set_new(json_array_get(steps, 2), "interference",
			    json_pack("{s:b, s:f}", "disturbed", 1, "other_max", 0.4));
	json_object_set_new(json_array_get(steps, 5), "interference",
			    json_pack("{s:b, s:f}", "disturbed", 1, "other_max", 0.2));
	json_object_set_new(json_array_get(steps, 9), "interference",
			    json_pack("{s:b}", "disturbed", 1));
	json_object_set_new(json_array_get(json_object_get(json_array_get(steps, 9), "samples"), 0),
			    "interference", json_pack("{s:[f], s:f}", "steal", 0.3, "tick", 0.04));
	/* one tick of steal is the reading's error, not steal: kept */
	json_object_set_new(json_array_get(json_object_get(json_array_get(steps, 5), "samples"), 0),
			    "interference", json_pack("{s:[f], s:f}", "steal", 0.04, "tick", 0.04));
	json_object_set_new(doc, "interference",
			    json_pack("{s:{s:f}}", "bounds", "steal_max", 0.02));
	paired_analyse(doc, 2, &rows, &n);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].metric, "pages/s");
	assert_int_equal(rows[0].pairs, 5); /* repeats 1, 2 and 4 left out */
	assert_string_equal(rows[1].metric, PAIRED_CPU_METRIC);
	assert_int_equal(rows[1].pairs, 7); /* only repeat 4 (steal) left out */
	assert_false(rows[1].higher_better);
	assert_string_equal(paired_verdict(&rows[1]), "worse");
	free(rows);
	json_decref(doc);
}

static void test_repeat_ratios_for_ab(void **state)
{
	double a[6] = { 100, 101, 99, 100, 102, 98 }, b[6];
	struct paired_obs obs;
	json_t *doc;

	for (unsigned i = 0; i < 6; i++)
		b[i] = a[i] * 0.95;
	b[2] = 0; /* broken: its repeat gives no observation */
	doc = make_doc(6, a, b);
	paired_repeat_ratios(doc, false, &obs);
	assert_int_equal(obs.n, 5);
	assert_int_equal(obs.left_out, 1);
	assert_true(obs.higher_better);
	for (unsigned i = 0; i < obs.n; i++)
		assert_true(fabs(obs.d[i] - log(0.95)) < 1e-9);
	assert_true(fabs(obs.va - 100) < 1e-9 && fabs(obs.vb - 95) < 1e-9);
	free(obs.d);
	json_decref(doc);
}

static void test_paired_json_rows(void **state)
{
	double a[8] = { 100, 90, 104, 98, 77, 101, 95, 99 }, b[8];
	struct resultset rs = { .label = "lab", .arg = "x.json", .n = 1 };
	json_t *doc, *out, *row;

	for (unsigned i = 0; i < 8; i++)
		b[i] = a[i] * 0.9;
	doc = make_doc(8, a, b);
	json_object_set_new(doc, "bench", json_string("pf1"));
	rs.docs = &doc;
	out = paired_json(&rs, 1, 2);
	assert_int_equal(json_array_size(out), 1);
	row = json_array_get(out, 0);
	assert_string_equal(json_string_value(json_object_get(row, "verdict")), "worse");
	assert_string_equal(json_string_value(json_object_get(row, "run")), "x.json");
	assert_string_equal(json_string_value(json_object_get(row, "bench")), "pf1");
	assert_int_equal(json_integer_value(json_object_get(row, "pairs")), 8);
	assert_true(fabs(json_real_value(json_object_get(row, "change_pct")) + 10) < 1e-6);
	json_decref(out);
	json_decref(doc);
}

static void test_single_variant_or_repeat_has_no_rows(void **state)
{
	double a[1] = { 100 }, b[1] = { 90 };
	struct paired_row *rows;
	unsigned n;
	json_t *doc = make_doc(1, a, b);

	paired_analyse(doc, 2, &rows, &n);
	assert_int_equal(n, 0);
	free(rows);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abba_order),
		cmocka_unit_test(test_knob_refusals),
		cmocka_unit_test(test_env_knob_sets_and_restores),
		cmocka_unit_test(test_paired_worse_despite_a_starved_repeat),
		cmocka_unit_test(test_paired_leaves_out_broken_and_disturbed),
		cmocka_unit_test(test_significant_but_small_is_within_the_threshold),
		cmocka_unit_test(test_cpu_row_keeps_steps_only_other_tasks_disturbed),
		cmocka_unit_test(test_repeat_ratios_for_ab),
		cmocka_unit_test(test_paired_json_rows),
		cmocka_unit_test(test_single_variant_or_repeat_has_no_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
