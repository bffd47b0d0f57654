// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the comparison engine (analysis/compare.c) and result loading
 * (analysis/resultset.c), on synthetic result documents that follow the schema of
 * engine/results.h: the table's shape, refusals, and which rows can carry a
 * star at all.  How often stars are right is simulated in test_verdict.c.
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
#include <zlib.h>

#include "compare.h"
#include "resultset.h"
#include "util.h"

#include "synth.h"

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

/* Each side n runs of one repeat: values[i * nsteps + s] of run i. */
static int build_sides(json_t **a, json_t **b, unsigned n, struct cmp_table *t)
{
	static char *paths[16];
	struct resultset runs[2];
	struct cmp_opts o = { .all = true, .quiet = true };

	n_runs(&runs[0], a, paths, n);
	n_runs(&runs[1], b, paths, n);
	return cmp_build(runs, 2, &o, t);
}

/* n runs a side, each with one repeat of every step: va/vb[run * nsteps + step]. */
static void make_sides(json_t **a, json_t **b, unsigned n, const char *la, const char *lb,
		       const char *metric, bool hb, const unsigned *nc, unsigned nsteps,
		       const double *va, const double *vb)
{
	for (unsigned i = 0; i < n; i++) {
		a[i] = synth(la, metric, hb, nc, nsteps, 1, va + i * nsteps, NULL);
		b[i] = synth(lb, metric, hb, nc, nsteps, 1, vb + i * nsteps, NULL);
	}
}

static void free_sides(json_t **a, json_t **b, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
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
	/* three runs a side (one result file each), steps 1 and 64 CPUs */
	const double va[] = { 100, 1000, 101, 1010, 99, 990 };
	const double vb[] = { 100, 1200, 101, 1210, 99, 1190 };
	json_t *a[3], *b[3];
	struct cmp_table t;
	char *out;

	make_sides(a, b, 3, "6.18-vanilla", "6.18-fixraces-v5r1", "faults/s", true, nc, 2, va, vb);
	assert_int_equal(build_sides(a, b, 3, &t), FB_OK);
	out = print_table(&t, CMP_TEXT, false);
	/* the label split at the '-' nearest its middle into two header rows */
	assert_non_null(strstr(out, "6.18-fixraces"));
	assert_non_null(strstr(out, "v5r1"));
	assert_non_null(strstr(out, "vanilla"));
	assert_non_null(strstr(out, "Min       faults/s-1 "));
	assert_non_null(strstr(out, "Hmean     faults/s-64"));
	assert_non_null(strstr(out, "BHmean-95"));
	assert_non_null(strstr(out, "CoeffVar"));
	/* the baseline column is always ( 0.00%); the 20% gain is starred */
	assert_non_null(strstr(out, "(   0.00%)"));
	assert_non_null(strstr(out, "*  20.00%*"));
	assert_null(strstr(out, "no star where"));
	/* the runs and the detectable change, and how the stars were decided */
	assert_non_null(strstr(out, "Runs      faults/s-64"));
	assert_non_null(strstr(out, "Detect    faults/s-64"));
	assert_non_null(strstr(out, "Benjamini-Hochberg"));
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
	free_sides(a, b, 3);
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

/*
 * One run a side, however many repeats and however large the change: the
 * repeats of one run say nothing about run-to-run noise, so no star.
 */
static void test_one_run_a_side_never_starred(void **state)
{
	static const unsigned nc[] = { 2 };
	const double va[] = { 100, 101, 99, 100, 101 }, vb[] = { 200, 201, 199, 200, 201 };
	json_t *a = synth("a", "faults/s", true, nc, 1, 5, va, NULL);
	json_t *b = synth("b", "faults/s", true, nc, 1, 5, vb, NULL);
	struct cmp_table t;
	char *out;

	assert_int_equal(build2(a, b, &t), FB_OK);
	assert_false(cmp_testable(&t.groups[0].rows[0], 1));
	assert_false(cmp_significant(&t.groups[0].rows[0], 1, NULL));
	out = print_table(&t, CMP_TEXT, false);
	assert_null(strstr(out, "*"));
	assert_int_equal(count(out, "no star where"), 1); /* said once */
	assert_non_null(strstr(out, "faultbench noise")); /* and how to get stars */
	free(out);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

static void test_no_variance_no_star(void **state)
{
	static const unsigned nc[] = { 1 };
	const double va[] = { 100, 100, 100 }, vb[] = { 200, 200, 200 };
	json_t *a[3], *b[3];
	struct cmp_table t;

	make_sides(a, b, 3, "a", "b", "faults/s", true, nc, 1, va, vb);
	assert_int_equal(build_sides(a, b, 3, &t), FB_OK);
	/* the test cannot run without variance: no mark rather than a guess */
	assert_false(cmp_testable(&t.groups[0].rows[0], 1));
	assert_false(cmp_significant(&t.groups[0].rows[0], 1, NULL));
	cmp_free(&t);
	free_sides(a, b, 3);
}

static void test_lower_is_better(void **state)
{
	static const unsigned nc[] = { 4 };
	const double va[] = { 10, 10.1, 9.9 }, vb[] = { 8, 8.1, 7.9 };
	json_t *a[3], *b[3];
	struct cmp_table t;
	char *out;

	make_sides(a, b, 3, "a", "b", "usecs/op", false, nc, 1, va, vb);
	assert_int_equal(build_sides(a, b, 3, &t), FB_OK);
	out = print_table(&t, CMP_TEXT, false);
	assert_non_null(strstr(out, "Amean     usecs/op-4"));
	assert_non_null(strstr(out, "BAmean-95"));
	assert_non_null(strstr(out, "*  20.00%*")); /* 20% faster is +20% */
	free(out);
	cmp_free(&t);
	free_sides(a, b, 3);
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

/*
 * A matrix option may differ between RUNs (its variants are matched by name).
 * Which options are matrix options is read from the result (files from
 * before results said so are upgraded on loading: tests/unit/test_results.c),
 * never from the benchmark code of this binary.
 */
static void test_matrix_option_from_result(void **state)
{
	static const unsigned nc[] = { 2 };
	const double v[] = { 1, 2, 3 };
	json_t *a = synth("a", "pages/s", true, nc, 1, 3, v, "same");
	json_t *b = synth("b", "pages/s", true, nc, 1, 3, v, "same");
	struct cmp_table t;

	json_object_set_new(json_object_get(a, "params"), "pattern", json_string("same"));
	json_object_set_new(json_object_get(b, "params"), "pattern", json_string("disjoint,same"));
	/* the result says so */
	json_object_set_new(a, "matrix_options", json_pack("[s]", "pattern"));
	json_object_set_new(b, "matrix_options", json_pack("[s]", "pattern"));
	assert_int_equal(build2(a, b, &t), FB_OK);
	cmp_free(&t);
	/* the result says it is not one: a differing parameter, refused */
	json_object_set_new(a, "matrix_options", json_array());
	json_object_set_new(b, "matrix_options", json_array());
	assert_int_equal(build2(a, b, &t), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "'pattern'"));
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
	assert_int_equal(resultset_load(&rs, dir, NULL), FB_OK);
	assert_int_equal(rs.n, 2);
	assert_string_equal(rs.label, "6.18-x");
	resultset_free(&rs);
	/* bad input is refused with a message, never a crash */
	f = fopen(p3, "w");
	fputs("{\"not\": \"a result\"}", f);
	fclose(f);
	assert_int_equal(resultset_load(&rs, p3, NULL), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "not a faultbench result"));
	resultset_free(&rs);
	f = fopen(p3, "w");
	fputs("{\"truncated", f);
	fclose(f);
	assert_null(rs_load_file(p3));
	assert_int_equal(resultset_load(&rs, "/nonexistent/x.json", NULL), FB_USAGE);
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
		cmocka_unit_test(test_text_layout),
		cmocka_unit_test(test_one_run_a_side_never_starred),
		cmocka_unit_test(test_no_variance_no_star),
		cmocka_unit_test(test_lower_is_better),
		cmocka_unit_test(test_variant_rows),
		cmocka_unit_test(test_params_differ_refused),
		cmocka_unit_test(test_matrix_option_from_result),
		cmocka_unit_test(test_incomplete_steps_left_out),
		cmocka_unit_test(test_load_files),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
