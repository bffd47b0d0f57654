// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the comparison engine (lib/compare.c) and result loading
 * (lib/resultset.c), on synthetic result documents that follow the schema of
 * lib/results.h.  The A/A and A/B simulations check the significance marks
 * end to end: same distribution => about alpha of comparisons starred; a true
 * 5% change with CoV 2% and 5 repeats => starred nearly always.  GSL's
 * generator with a fixed seed keeps them deterministic.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <zlib.h>

#include "compare.h"
#include "resultset.h"
#include "util.h"

/* A result document: steps for each CPU count x repeat, one metric. */
static json_t *synth(const char *label, const char *metric, bool hb, const unsigned *ncpus,
		     unsigned nsteps, unsigned nrep, const double *values, const char *variant)
{
	json_t *doc = json_object(), *steps = json_array(), *params = json_object();
	json_t *sys = json_object(), *run = json_object();
	unsigned r, s, idx = 0;

	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "label", json_string(label));
	json_object_set_new(doc, "bench", json_string("fault"));
	json_object_set_new(doc, "preset", json_string("pf1"));
	json_object_set_new(params, "size", json_integer(1 << 26));
	json_object_set_new(params, "backing", json_string("anon"));
	json_object_set_new(doc, "params", params);
	json_object_set_new(run, "mode", json_string("threads"));
	json_object_set_new(run, "samples", json_integer(5));
	json_object_set_new(doc, "run", run);
	json_object_set_new(sys, "hostname", json_string("testhost"));
	json_object_set_new(sys, "date", json_string("2026-11-01T02:00:00Z"));
	json_object_set_new(doc, "system", sys);
	for (r = 0; r < nrep; r++)
		for (s = 0; s < nsteps; s++) {
			json_t *st = json_object(), *ms = json_object(), *m = json_object();

			json_object_set_new(st, "index", json_integer(idx++));
			json_object_set_new(st, "repeat", json_integer(r));
			json_object_set_new(st, "variant", json_string(variant ? variant : ""));
			json_object_set_new(st, "ncpus", json_integer(ncpus[s]));
			json_object_set_new(st, "complete", json_true());
			json_object_set_new(m, "value", json_real(values[s * nrep + r]));
			json_object_set_new(m, "higher_better", json_boolean(hb));
			json_object_set_new(ms, metric, m);
			json_object_set_new(st, "metrics", ms);
			json_array_append_new(steps, st);
		}
	json_object_set_new(doc, "steps", steps);
	return doc;
}

/* A one-document RUN around doc (the test keeps ownership of doc). */
static void one_run(struct resultset *rs, json_t **doc, char **path, const char *label)
{
	memset(rs, 0, sizeof(*rs));
	rs->label = (char *)label;
	rs->arg = (char *)label;
	rs->n = 1;
	rs->docs = doc;
	rs->paths = path;
}

static int build2(json_t *a, json_t *b, struct cmp_table *t)
{
	static char pa[] = "a.json", pb[] = "b.json";
	static char *ppa = pa, *ppb = pb;
	struct resultset runs[2];
	struct cmp_opts o = { .all = true, .quiet = true };

	one_run(&runs[0], &a, &ppa, json_string_value(json_object_get(a, "label")));
	one_run(&runs[1], &b, &ppb, json_string_value(json_object_get(b, "label")));
	return cmp_build(runs, 2, &o, t);
}

static bool starred(gsl_rng *rng, double mean_a, double mean_b, double cov, unsigned nrep)
{
	static const unsigned nc[] = { 64 };
	double va[16], vb[16];
	struct cmp_table t;
	json_t *a, *b;
	bool sig;

	for (unsigned i = 0; i < nrep; i++) {
		va[i] = mean_a + gsl_ran_gaussian(rng, cov * mean_a);
		/* a true shift of the mean: the same noise (CoV of the baseline) on both */
		vb[i] = mean_b + gsl_ran_gaussian(rng, cov * mean_a);
	}
	a = synth("6.18-a", "faults/s", true, nc, 1, nrep, va, NULL);
	b = synth("6.18-b", "faults/s", true, nc, 1, nrep, vb, NULL);
	assert_int_equal(build2(a, b, &t), FB_OK);
	assert_int_equal(t.ngroups, 1);
	assert_int_equal(t.groups[0].nrows, 1);
	assert_int_equal(t.groups[0].rows[0].cells[1].n, nrep);
	sig = cmp_significant(&t.groups[0].rows[0], 1, NULL);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
	return sig;
}

static void test_aa_simulation(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned i, stars = 0;

	gsl_rng_set(rng, getenv("FB_SEED") ? strtoul(getenv("FB_SEED"), NULL, 0) : 20261121);
	for (i = 0; i < 1000; i++)
		stars += starred(rng, 1e6, 1e6, 0.02, 5);
	gsl_rng_free(rng);
	print_message("A/A: %u of 1000 starred\n", stars);
	assert_true(stars <= 80);
}

static void test_ab_simulation(void **state)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned i, stars = 0;

	gsl_rng_set(rng, getenv("FB_SEED") ? strtoul(getenv("FB_SEED"), NULL, 0) : 5);
	for (i = 0; i < 1000; i++)
		stars += starred(rng, 1e6, 1.05e6, 0.02, 5);
	gsl_rng_free(rng);
	print_message("A/B 5%%: %u of 1000 starred\n", stars);
	assert_true(stars >= 900);
}

static char *print_table(const struct cmp_table *t, enum cmp_format fmt, bool lkp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cmp_print(f, t, fmt, lkp);
	fclose(f);
	return buf;
}

static void test_text_layout(void **state)
{
	static const unsigned nc[] = { 1, 64 };
	const double va[] = { 100, 101, 99, 1000, 1010, 990 };
	const double vb[] = { 100, 101, 99, 1200, 1210, 1190 };
	json_t *a = synth("6.18-vanilla", "faults/s", true, nc, 2, 3, va, NULL);
	json_t *b = synth("6.18-fixraces-v5r1", "faults/s", true, nc, 2, 3, vb, NULL);
	struct cmp_table t;
	char *out;

	assert_int_equal(build2(a, b, &t), FB_OK);
	out = print_table(&t, CMP_TEXT, false);
	/* the label split at its first '-' into two header rows */
	assert_non_null(strstr(out, "fixraces-v5r1"));
	assert_non_null(strstr(out, "vanilla"));
	assert_non_null(strstr(out, "Min       faults/s-1 "));
	assert_non_null(strstr(out, "Hmean     faults/s-64"));
	assert_non_null(strstr(out, "BHmean-95"));
	assert_non_null(strstr(out, "CoeffVar"));
	/* the baseline column is always ( 0.00%); the 20% gain is starred */
	assert_non_null(strstr(out, "(   0.00%)"));
	assert_non_null(strstr(out, "*  20.00%*"));
	assert_null(strstr(out, "no significance marks"));
	/* Min rows come before Hmean rows (grouped by statistic) */
	assert_true(strstr(out, "Min       faults/s-64") < strstr(out, "Hmean     faults/s-1 "));
	free(out);

	out = print_table(&t, CMP_MARKDOWN, false);
	assert_non_null(strstr(out, "| Hmean | faults/s-64 |"));
	free(out);
	out = print_table(&t, CMP_TEXT, true);
	assert_non_null(strstr(out, "+20.0%*"));
	assert_non_null(strstr(out, "pf1.faults/s-64"));
	free(out);
	out = print_table(&t, CMP_JSON, false);
	{
		json_t *j = json_loads(out, 0, NULL);

		assert_non_null(j);
		assert_true(json_is_true(json_object_get(
		    json_array_get(
			json_object_get(
			    json_array_get(
				json_object_get(json_array_get(json_object_get(j, "groups"), 0),
						"rows"),
				1),
			    "cells"),
			1),
		    "significant")));
		json_decref(j);
	}
	free(out);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static unsigned count(const char *s, const char *what)
{
	unsigned n = 0;

	while ((s = strstr(s, what))) {
		n++;
		s++;
	}
	return n;
}

static void test_few_repeats_never_starred(void **state)
{
	static const unsigned nc[] = { 2 };
	const double va[] = { 100, 101 }, vb[] = { 200, 201 };
	json_t *a = synth("a", "faults/s", true, nc, 1, 2, va, NULL);
	json_t *b = synth("b", "faults/s", true, nc, 1, 2, vb, NULL);
	struct cmp_table t;
	char *out;

	assert_int_equal(build2(a, b, &t), FB_OK);
	assert_false(cmp_testable(&t.groups[0].rows[0], 1));
	assert_false(cmp_significant(&t.groups[0].rows[0], 1, NULL));
	out = print_table(&t, CMP_TEXT, false);
	assert_null(strstr(out, "*"));
	assert_int_equal(count(out, "no significance marks"), 1); /* said once */
	free(out);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_no_variance_no_star(void **state)
{
	static const unsigned nc[] = { 1 };
	const double va[] = { 100, 100, 100 }, vb[] = { 200, 200, 200 };
	json_t *a = synth("a", "faults/s", true, nc, 1, 3, va, NULL);
	json_t *b = synth("b", "faults/s", true, nc, 1, 3, vb, NULL);
	struct cmp_table t;

	assert_int_equal(build2(a, b, &t), FB_OK);
	assert_true(cmp_testable(&t.groups[0].rows[0], 1));
	/* the test cannot run without variance: no mark rather than a guess */
	assert_false(cmp_significant(&t.groups[0].rows[0], 1, NULL));
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_lower_is_better(void **state)
{
	static const unsigned nc[] = { 4 };
	const double va[] = { 10, 10.1, 9.9 }, vb[] = { 8, 8.1, 7.9 };
	json_t *a = synth("a", "usecs/op", false, nc, 1, 3, va, NULL);
	json_t *b = synth("b", "usecs/op", false, nc, 1, 3, vb, NULL);
	struct cmp_table t;
	char *out;

	assert_int_equal(build2(a, b, &t), FB_OK);
	out = print_table(&t, CMP_TEXT, false);
	assert_non_null(strstr(out, "Amean     usecs/op-4"));
	assert_non_null(strstr(out, "BAmean-95"));
	assert_non_null(strstr(out, "*  20.00%*")); /* 20% faster is +20% */
	free(out);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_variant_rows(void **state)
{
	static const unsigned nc[] = { 2 };
	const double v[] = { 1, 2, 3 };
	json_t *a = synth("a", "MiB/s", true, nc, 1, 3, v, "buffer=thp");
	json_t *b = synth("b", "MiB/s", true, nc, 1, 3, v, "buffer=thp");
	struct cmp_table t;
	char name[64];

	assert_int_equal(build2(a, b, &t), FB_OK);
	cmp_row_name(&t.groups[0].rows[0], name, sizeof(name));
	assert_string_equal(name, "thp:MiB/s-2");
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_params_differ_refused(void **state)
{
	static const unsigned nc[] = { 1 };
	const double v[] = { 1, 2, 3 };
	json_t *a = synth("a", "faults/s", true, nc, 1, 3, v, NULL);
	json_t *b = synth("b", "faults/s", true, nc, 1, 3, v, NULL);
	struct cmp_table t;

	json_object_set_new(json_object_get(b, "params"), "size", json_integer(4096));
	assert_int_equal(build2(a, b, &t), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "'size'"));
	cmp_free(&t);
	/* a different machine is only a warning */
	json_object_set_new(json_object_get(b, "params"), "size", json_integer(1 << 26));
	json_object_set_new(json_object_get(b, "system"), "hostname", json_string("other"));
	assert_int_equal(build2(a, b, &t), FB_OK);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_incomplete_steps_left_out(void **state)
{
	static const unsigned nc[] = { 1 };
	const double v[] = { 1, 2, 3 };
	json_t *a = synth("a", "faults/s", true, nc, 1, 3, v, NULL);
	json_t *b = synth("b", "faults/s", true, nc, 1, 3, v, NULL);
	struct cmp_table t;

	json_object_set_new(json_array_get(json_object_get(b, "steps"), 2), "complete",
			    json_false());
	assert_int_equal(build2(a, b, &t), FB_OK);
	assert_int_equal(t.groups[0].rows[0].cells[0].n, 3);
	assert_int_equal(t.groups[0].rows[0].cells[1].n, 2);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_load_files(void **state)
{
	static const unsigned nc[] = { 1 };
	const double v[] = { 1, 2, 3 };
	char dir[] = "/tmp/fb-test-compare.XXXXXX";
	json_t *a = synth("6.18-x", "faults/s", true, nc, 1, 3, v, NULL);
	char *text = json_dumps(a, 0), *p1, *p2, *p3;
	struct resultset rs;
	gzFile gz;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	p1 = xasprintf("%s/a.json", dir);
	p2 = xasprintf("%s/b.json.gz", dir);
	p3 = xasprintf("%s/junk.json", dir);
	f = fopen(p1, "w");
	fputs(text, f);
	fclose(f);
	gz = gzopen(p2, "wb");
	gzputs(gz, text);
	gzclose(gz);
	/* a directory: both files, the gzipped one read transparently */
	assert_int_equal(resultset_load(&rs, dir), FB_OK);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.label, "6.18-x");
	resultset_free(&rs);
	/* bad input is refused with a message, never a crash */
	f = fopen(p3, "w");
	fputs("{\"not\": \"a result\"}", f);
	fclose(f);
	assert_int_equal(resultset_load(&rs, p3), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "not a faultbench result"));
	resultset_free(&rs);
	f = fopen(p3, "w");
	fputs("{\"truncated", f);
	fclose(f);
	assert_null(rs_load_file(p3));
	assert_int_equal(resultset_load(&rs, "/nonexistent/x.json"), FB_USAGE);
	resultset_free(&rs);
	unlink(p1);
	unlink(p2);
	unlink(p3);
	rmdir(dir);
	free(p1);
	free(p2);
	free(p3);
	free(text);
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aa_simulation),
		cmocka_unit_test(test_ab_simulation),
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_few_repeats_never_starred),
		cmocka_unit_test(test_no_variance_no_star),
		cmocka_unit_test(test_lower_is_better),
		cmocka_unit_test(test_variant_rows),
		cmocka_unit_test(test_params_differ_refused),
		cmocka_unit_test(test_incomplete_steps_left_out),
		cmocka_unit_test(test_load_files),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
