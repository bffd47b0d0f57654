// SPDX-License-Identifier: GPL-2.0
/*
 * No verdict from an impossible value, and honest noise models (issue 22
 * items 2 and 3, issue 23 C1/D2/D3), on synthetic results (synth.h):
 *  - the document checks files and store documents share (rs_check_doc);
 *  - the value rule: zero, negative, NaN or infinite rates are named;
 *  - compare leaves such a run out of the row, never averages or stars it;
 *  - disturbed steps: shown, judged on the runs alone, kept out of models;
 *  - a run whose within-run spread is far beyond the model's is not judged
 *    against it; a model of fewer than 8 runs is flagged;
 *  - broken models (negative variance, noise_model 99) are refused;
 *  - one run-to-run figure; Detect capped.
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

#include "compare.h"
#include "noise.h"
#include "resultset.h"
#include "synth.h"
#include "util.h"
#include "validity.h"

static const unsigned one_cpu[] = { 1 };

/* A run of pf1 at 1 CPU with these repeats. */
static json_t *run2(const char *label, double r0, double r1)
{
	const double v[] = { r0, r1 };

	return synth(label, "pages/s", true, one_cpu, 1, 2, v, NULL);
}

static json_t *metric0(json_t *doc, unsigned step)
{
	return json_object_get(
	    json_object_get(json_array_get(json_object_get(doc, "steps"), step), "metrics"),
	    "pages/s");
}

static void test_value_rule(void **state)
{
	json_t *m = json_pack("{s:f, s:b}", "value", 1000.0, "higher_better", 1);

	assert_null(rs_metric_problem(m, false));
	json_object_set_new(m, "value", json_real(0));
	assert_non_null(strstr(rs_metric_problem(m, false), "zero"));
	json_object_set_new(m, "value", json_real(-5));
	assert_string_equal(rs_metric_problem(m, false), "negative");
	json_object_set_new(m, "value", json_string("NaN"));
	assert_string_equal(rs_metric_problem(m, false), "NaN");
	json_object_set_new(m, "value", json_string("-Infinity"));
	assert_string_equal(rs_metric_problem(m, false), "infinite");
	json_object_set_new(m, "value", json_null());
	assert_string_equal(rs_metric_problem(m, false), "not a number");
	/* a time or an evidence ratio of 0 is a measurement; negative is not */
	json_object_set_new(m, "higher_better", json_false());
	json_object_set_new(m, "value", json_real(0));
	assert_null(rs_metric_problem(m, false));
	json_object_set_new(m, "value", json_real(-1));
	assert_non_null(rs_metric_problem(m, false));
	/* replicate samples are held to the rule too */
	json_object_set_new(m, "value", json_real(3));
	json_object_set_new(m, "samples", json_pack("[f, f]", 1.0, -2.0));
	assert_null(rs_metric_problem(m, false));
	assert_string_equal(rs_metric_problem(m, true), "negative");
	assert_string_equal(rs_number_problem(NAN, true), "NaN");
	assert_string_equal(rs_number_problem(INFINITY, false), "infinite");
	assert_null(rs_number_problem(2.5, true));
	json_decref(m);
}

static void test_document_checks(void **state)
{
	json_t *doc = run2("a", 100, 101), *empty = json_object();
	static const char dup[] = "{\"schema_version\": 2, \"bench\": \"fault\", \"bench\": "
				  "\"x\", \"steps\": []}";
	static const char nan[] = "{\"schema_version\": 2, \"bench\": \"fault\", \"steps\": "
				  "[{\"ncpus\": 1, \"metrics\": {\"pages/s\": {\"value\": NaN, "
				  "\"higher_better\": true, \"note\": \"NaN\"}}}]}";
	json_t *parsed;

	assert_int_equal(rs_check_doc("x", doc), FB_OK);
	/* C1: a store document '{}' is refused, not crashed on */
	assert_int_equal(rs_check_doc("store", empty), FB_USAGE);
	json_object_set_new(doc, "schema_version", json_integer(99));
	assert_int_equal(rs_check_doc("x", doc), FB_USAGE);
	json_object_set_new(doc, "schema_version", json_integer(-1));
	assert_int_equal(rs_check_doc("x", doc), FB_USAGE);
	json_object_set_new(doc, "schema_version", json_integer(2));
	json_object_set_new(doc, "label", json_string("../../x |<b>"));
	assert_int_equal(rs_check_doc("x", doc), FB_USAGE);
	json_object_set_new(doc, "label", json_string("ok"));
	json_array_append_new(json_object_get(doc, "steps"), json_integer(3));
	assert_int_equal(rs_check_doc("x", doc), FB_USAGE);
	/* D2: duplicate keys */
	assert_null(rs_parse("dup", dup, strlen(dup)));
	/* Python's NaN is read, as a value named NaN, and strings stay strings */
	parsed = rs_parse("nan", nan, strlen(nan));
	assert_non_null(parsed);
	assert_string_equal(rs_metric_problem(metric0(parsed, 0), false), "NaN");
	assert_string_equal(json_string_value(json_object_get(metric0(parsed, 0), "note")), "NaN");
	json_decref(parsed);
	json_decref(doc);
	json_decref(empty);
}

/* A table of baseline runs a[] and candidate runs b[]. */
static void build(struct cmp_table *t, json_t **a, unsigned na, json_t **b, unsigned nb,
		  const struct noise_models *ms)
{
	char *paths[16] = { "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
			    "b0", "b1", "b2", "b3", "b4", "b5", "b6", "b7" };
	struct resultset runs[2];
	struct cmp_opts o = { .quiet = true, .noise = ms };

	n_runs(&runs[0], a, paths, na);
	n_runs(&runs[1], b, paths + 8, nb);
	assert_int_equal(cmp_build(runs, 2, &o, t), FB_OK);
}

static void test_zero_repeat_left_out(void **state)
{
	json_t *a[3] = { run2("a", 100, 101), run2("a", 102, 99), run2("a", 0, 100) };
	json_t *b[1] = { run2("b", 100, 0) };
	struct cmp_table t;
	const struct cmp_row *r;

	build(&t, a, 3, b, 1, NULL);
	r = &t.groups[0].rows[0];
	/* the baseline's third run and the candidate's only run are left out whole */
	assert_int_equal(r->cells[0].n, 4);
	assert_int_equal(r->cells[0].broken, 1);
	assert_int_equal(r->cells[1].n, 0);
	assert_int_equal(r->cells[1].broken, 1);
	assert_string_equal(r->cells[1].broken_path, "b0");
	assert_non_null(strstr(r->cells[1].broken_why, "zero"));
	assert_false(cmp_testable(r, 1));
	assert_false(cmp_significant(r, 1, NULL));
	assert_int_equal(t.broken, 2);
	cmp_free(&t);
	for (unsigned i = 0; i < 3; i++)
		json_decref(a[i]);
	json_decref(b[0]);
}

static void test_negative_never_starred(void **state)
{
	json_t *a[3] = { run2("a", 100, 101), run2("a", 102, 99), run2("a", 98, 100) };
	json_t *b[3] = { run2("b", 100, 101), run2("b", -1319453, 99), run2("b", 101, 100) };
	struct cmp_table t;
	const struct cmp_row *r;

	build(&t, a, 3, b, 3, NULL);
	r = &t.groups[0].rows[0];
	assert_int_equal(r->cells[1].broken, 1);
	assert_int_equal(r->verdicts[1].runs_b, 2);
	assert_true(r->verdicts[1].log_scale);
	assert_false(cmp_significant(r, 1, NULL));
	cmp_free(&t);
	for (unsigned i = 0; i < 3; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
}

/* A model from 10 runs of steady figures (run-to-run about 1%, repeats 0.1%). */
static void make_model(struct noise_models *ms, unsigned k)
{
	json_t *docs[16];
	char *paths[16] = { 0 };
	struct resultset rs;
	struct cmp_opts o = { .all = true, .quiet = true, .skip_disturbed = true };
	struct cmp_table t;

	for (unsigned i = 0; i < k; i++) {
		double v = 1000 * (1 + 0.01 * ((double)(i % 5) - 2));

		docs[i] = run2("m", v, v * 1.001);
	}
	n_runs(&rs, docs, paths, k);
	assert_int_equal(cmp_build(&rs, 1, &o, &t), FB_OK);
	ms->n = 1;
	ms->m = xcalloc(1, sizeof(*ms->m));
	noise_model_init(&ms->m[0], docs[0]);
	ms->m[0].path = xstrdup("model.json");
	ms->m[0].date = xstrdup("2026-12-07T00:00:00Z");
	ms->m[0].runs = k;
	cmp_derive_noise(&t, &ms->m[0]);
	cmp_free(&t);
	for (unsigned i = 0; i < k; i++)
		json_decref(docs[i]);
}

static void set_disturbed(json_t *doc, unsigned step)
{
	json_object_set_new(json_array_get(json_object_get(doc, "steps"), step), "interference",
			    json_pack("{s:b, s:f}", "disturbed", 1, "share_min", 0.5));
}

static void test_disturbed_not_against_model(void **state)
{
	struct noise_models ms = { 0 };
	json_t *a[1] = { run2("a", 1000, 1001) }, *b[1] = { run2("b", 700, 701) };
	struct cmp_table t;
	const struct cmp_row *r;

	make_model(&ms, 10);
	set_disturbed(b[0], 1);
	assert_true(rs_doc_disturbed(b[0]));
	build(&t, a, 1, b, 1, &ms);
	r = &t.groups[0].rows[0];
	assert_int_equal(r->cells[1].disturbed, 1);
	assert_string_equal(r->cells[1].disturbed_path, "b0");
	assert_true(r->verdicts[1].model_skipped_disturbed);
	/* one run a side and no model: no test, no star, however large the change */
	assert_false(cmp_testable(r, 1));
	assert_int_equal(t.skipped_disturbed, 1);
	assert_int_equal(t.disturbed, 1);
	assert_true(isfinite(r->verdicts[1].model_run_pct));
	cmp_free(&t);
	/* the same runs undisturbed are judged against the model */
	json_object_del(json_array_get(json_object_get(b[0], "steps"), 1), "interference");
	build(&t, a, 1, b, 1, &ms);
	assert_true(cmp_testable(&t.groups[0].rows[0], 1));
	assert_int_equal(t.model_min_runs, 10);
	cmp_free(&t);
	noise_free(&ms);
	json_decref(a[0]);
	json_decref(b[0]);
}

static void test_disturbed_out_of_models(void **state)
{
	json_t *docs[3] = { run2("m", 1000, 1001), run2("m", 990, 991), run2("m", 10, 1000) };
	char *paths[3] = { 0 };
	struct resultset rs;
	struct cmp_opts o = { .all = true, .quiet = true, .skip_disturbed = true };
	struct cmp_table t;

	set_disturbed(docs[2], 0);
	n_runs(&rs, docs, paths, 3);
	assert_int_equal(cmp_build(&rs, 1, &o, &t), FB_OK);
	/* the disturbed repeat (10) never enters: 5 values, not 6 */
	assert_int_equal(t.groups[0].rows[0].cells[0].n, 5);
	for (unsigned i = 0; i < 5; i++)
		assert_true(t.groups[0].rows[0].cells[0].v[i] > 100);
	cmp_free(&t);
	for (unsigned i = 0; i < 3; i++)
		json_decref(docs[i]);
}

static void test_spread_beyond_model(void **state)
{
	struct noise_models ms = { 0 };
	json_t *a[1] = { run2("a", 1000, 1001) }, *b[1] = { run2("b", 600, 1400) };
	struct cmp_table t;

	make_model(&ms, 4);
	build(&t, a, 1, b, 1, &ms);
	assert_true(t.groups[0].rows[0].verdicts[1].model_skipped_spread);
	assert_int_equal(t.skipped_spread, 1);
	assert_false(cmp_testable(&t.groups[0].rows[0], 1));
	cmp_free(&t);
	/* a steady candidate is judged, and the 4-run model is flagged */
	json_decref(b[0]);
	b[0] = run2("b", 1000, 1002);
	build(&t, a, 1, b, 1, &ms);
	assert_true(cmp_testable(&t.groups[0].rows[0], 1));
	assert_int_equal(t.model_min_runs, 4);
	assert_true(t.model_min_runs < CMP_MODEL_MIN_RUNS);
	cmp_free(&t);
	noise_free(&ms);
	json_decref(a[0]);
	json_decref(b[0]);
}

static void test_broken_models_refused(void **state)
{
	struct noise_models ms = { 0 };
	static const char good[] =
	    "{\"noise_model\": 1, \"runs\": 5, \"machine\": {\"hostname\": \"h\"}, \"entries\": "
	    "[{\"name\": \"pf1\", \"metric\": \"pages/s\", \"ncpus\": 1, \"log_scale\": true, "
	    "\"var_run\": 0.0001, \"df_run\": 4, \"var_within\": 0.00004, \"df_within\": 5, "
	    "\"repeats\": 2, \"runs\": 5}]}";
	char *text = xstrdup(good), *p;

	assert_int_equal(noise_parse(&ms, "good", text, strlen(text)), FB_OK);
	assert_int_equal(ms.n, 1);
	assert_int_equal(ms.m[0].runs, 5);
	assert_int_equal(ms.m[0].e[0].runs, 5);
	noise_free(&ms);
	/* D3: noise_model 99 */
	p = strstr(text, "1,");
	*p = '9';
	assert_int_equal(noise_parse(&ms, "v9", text, strlen(text)), FB_USAGE);
	*p = '1';
	/* D3: a negative variance is a broken model, refused */
	p = strstr(text, "0.0001");
	memcpy(p, "-.0001", 6);
	assert_int_equal(noise_parse(&ms, "neg", text, strlen(text)), FB_USAGE);
	assert_int_equal(ms.n, 0);
	/* duplicate keys, and not a model at all */
	assert_int_equal(noise_parse(&ms, "dup", "{\"noise_model\":1,\"noise_model\":1}", 34),
			 FB_USAGE);
	assert_int_equal(noise_parse(&ms, "arr", "[]", 2), FB_USAGE);
	free(text);
}

static void test_one_figure_and_detect_cap(void **state)
{
	/* runs vary less than their repeats: the between part is clamped to 0 */
	struct noise_entry e = { .log_scale = true,
				 .var_run = 0.0132,
				 .var_within = 0.058,
				 .repeats = 3,
				 .df_run = 3,
				 .runs = 4 };
	char buf[32];

	/* the figure noise prints is the variance the tests and history use */
	assert_true(fabs(noise_run_pct(&e, e.repeats) - 100 * sqrt(noise_var_for(&e, 3))) < 1e-9);
	assert_true(fabs(noise_run_pct(&e, 0) - noise_run_pct(&e, 3)) < 1e-9);
	e.log_scale = false;
	assert_true(isnan(noise_run_pct(&e, 3)));
	cmp_fmt_detect(buf, sizeof(buf), 180367.63);
	assert_string_equal(buf, ">100%");
	cmp_fmt_detect(buf, sizeof(buf), 4.2);
	assert_string_equal(buf, "+-4.20%");
	cmp_fmt_detect(buf, sizeof(buf), NAN);
	assert_string_equal(buf, "-");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_value_rule),
		cmocka_unit_test(test_document_checks),
		cmocka_unit_test(test_zero_repeat_left_out),
		cmocka_unit_test(test_negative_never_starred),
		cmocka_unit_test(test_disturbed_not_against_model),
		cmocka_unit_test(test_disturbed_out_of_models),
		cmocka_unit_test(test_spread_beyond_model),
		cmocka_unit_test(test_broken_models_refused),
		cmocka_unit_test(test_one_figure_and_detect_cap),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
