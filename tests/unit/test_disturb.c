// SPDX-License-Identifier: GPL-2.0
/*
 * A run measured disturbed is shown as disturbed wherever a run is listed
 * (issue 22 item 1), on synthetic results (synth.h):
 *  - a result's interference summarised per run (analysis/disturb.c): the
 *    disturbed steps and the worst figures, "unknown" without figures;
 *  - the Runs figure "3 (1 dist)" (cmp_fmt_runs) and its row form, in the
 *    mmtests view, on the LKP view's line, in the HTML table (mark and Runs);
 *  - history marks the point of a disturbed step;
 *  - compare's CSV carries the paired rows (kind "paired") in the same
 *    table, every field formula-escaped.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "compare.h"
#include "compare_html.h"
#include "disturb.h"
#include "history.h"
#include "resultset.h"
#include "synth.h"
#include "util.h"

#include "scratch.h"

static const unsigned one_cpu[] = { 1 };

/* Interference figures on step i of doc, as the engine writes them. */
static void set_intf(json_t *doc, size_t i, bool disturbed, double share, double wait, double other,
		     double steal)
{
	json_t *st = json_array_get(json_object_get(doc, "steps"), i);

	json_object_set_new(st, "interference",
			    json_pack("{s:f, s:f, s:f, s:f, s:n, s:i, s:i, s:b, s:i}", "share_min",
				      share, "wait_max", wait, "other_max", other, "steal_max",
				      steal, "psi_some", "samples", 2, "samples_disturbed",
				      disturbed ? 2 : 0, "disturbed", disturbed, "retries", 0));
}

/* A run of pf1 at 1 CPU, two repeats; step 0 disturbed or not. */
static json_t *run_of(const char *label, double v, bool disturbed)
{
	const double vals[] = { v, v * 1.01 };
	json_t *d = synth(label, "pages/s", true, one_cpu, 1, 2, vals, NULL);

	set_intf(d, 0, disturbed, disturbed ? 0.62 : 0.995, disturbed ? 0.3 : 0.001, 0.004, 0);
	set_intf(d, 1, false, 0.99, 0.002, disturbed ? 0.01 : 0.003, 0.001);
	return d;
}

/* malloc'd; a heap buffer pointer, so that GCC sees no stack address escape */
static char *print_to_string(const struct cmp_table *t, enum cmp_format fmt, bool lkp)
{
	char **buf = xcalloc(1, sizeof(*buf)), *out;
	size_t len = 0;
	FILE *f = open_memstream(buf, &len);

	cmp_print(f, t, fmt, lkp);
	fclose(f);
	out = *buf;
	free(buf);
	return out;
}

static void test_summary(void **state)
{
	json_t *q = run_of("a", 100, false), *d = run_of("b", 100, true);
	const double v[] = { 1, 2 };
	json_t *old = synth("c", "pages/s", true, one_cpu, 1, 2, v, NULL);
	struct disturb_sum s;
	char buf[256];

	assert_true(disturb_doc(q, -1, NULL, &s));
	assert_int_equal(s.steps, 2);
	assert_int_equal(s.disturbed, 0);
	disturb_fmt(&s, true, buf, sizeof(buf));
	assert_string_equal(buf, "0 of 2 steps disturbed; worst share 0.990, wait 0.002, other "
				 "0.004, steal 0.001");
	assert_true(disturb_doc(d, -1, NULL, &s));
	assert_int_equal(s.disturbed, 1);
	disturb_fmt(&s, true, buf, sizeof(buf));
	assert_string_equal(buf, "1 of 2 steps disturbed; worst share 0.620, wait 0.300, other "
				 "0.010, steal 0.001");
	/* only the steps asked for: none at 2 CPUs, none of another variant */
	assert_false(disturb_doc(d, 2, NULL, &s));
	assert_false(disturb_doc(d, 1, "thp", &s));
	assert_true(disturb_doc(d, 1, "", &s));
	/* a file without figures is unknown, never quiet */
	assert_false(disturb_doc(old, -1, NULL, &s));
	disturb_fmt(&s, false, buf, sizeof(buf));
	assert_string_equal(buf, "interference unknown");
	json_decref(q);
	json_decref(d);
	json_decref(old);
}

/* 3 runs a side; the candidate's second disturbed. */
static void build_table(json_t **a, json_t **b, struct cmp_table *t)
{
	static char *paths[3] = { "r1.json", "r2.json", "r3.json" };
	struct cmp_opts o = { .primary_only = true, .quiet = true };
	struct resultset runs[2];

	for (unsigned i = 0; i < 3; i++) {
		a[i] = run_of("6.18-a", 100 + i, false);
		b[i] = run_of("6.18-b", 101 + i, i == 1);
	}
	n_runs(&runs[0], a, paths, 3);
	n_runs(&runs[1], b, paths, 3);
	assert_int_equal(cmp_build(runs, 2, &o, t), FB_OK);
}

static void free_docs(json_t **a, json_t **b)
{
	for (unsigned i = 0; i < 3; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
}

static void test_runs_figure_and_views(void **state)
{
	json_t *a[3], *b[3];
	struct cmp_table t;
	const struct cmp_row *r;
	char buf[128], *out;

	build_table(a, b, &t);
	r = &t.groups[0].rows[0];
	cmp_fmt_runs(r, 0, buf, sizeof(buf));
	assert_string_equal(buf, "3");
	cmp_fmt_runs(r, 1, buf, sizeof(buf));
	assert_string_equal(buf, "3 (1 dist)");
	assert_true(cmp_fmt_row_disturbed(r, 2, buf, sizeof(buf)));
	assert_string_equal(buf, "runs 3 vs 3 (1 dist)");
	assert_false(cmp_fmt_row_disturbed(r, 1, buf, sizeof(buf)));

	/* the mmtests view's Runs row and the LKP view's line say the same */
	out = print_to_string(&t, CMP_TEXT, false);
	assert_non_null(strstr(out, "3 (1 dist)"));
	free(out);
	out = print_to_string(&t, CMP_TEXT, true);
	assert_non_null(strstr(out, "pf1.pages/s-1  [runs 3 vs 3 (1 dist)]\n"));
	assert_non_null(strstr(out, "disturbed: 1 cell hold"));
	free(out);

	/* HTML: the mean marked, Runs as compare prints it */
	{
		char *html = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&html, &len);

		cmp_html_group(f, &t, &t.groups[0]);
		cmp_html_dist_legend(f, &t);
		fclose(f);
		assert_non_null(strstr(html, "<span class=\"dist\" title=\"1 of its runs measured "
					     "disturbed\">" CMP_HTML_DIST_MARK "</span>"));
		assert_non_null(strstr(html, "<td class=\"aux disturbed\">3 (1 dist)</td>"));
		assert_non_null(strstr(html, "<p class=\"notes legend\">"));
		/* one mark: the mean of the disturbed cell, not every statistic */
		assert_non_null(strstr(html, "class=\"dist\""));
		assert_null(strstr(strstr(html, "class=\"dist\"") + 1, "class=\"dist\" title"));
		free(html);
	}
	cmp_free(&t);
	free_docs(a, b);
}

static void test_quiet_unmarked(void **state)
{
	static char *paths[3] = { "r1.json", "r2.json", "r3.json" };
	struct cmp_opts o = { .primary_only = true, .quiet = true };
	json_t *a[3];
	struct resultset runs[2];
	struct cmp_table t;
	char *out, *html = NULL;
	size_t len = 0;
	FILE *f;

	for (unsigned i = 0; i < 3; i++)
		a[i] = run_of("6.18-a", 100 + i, false);
	n_runs(&runs[0], a, paths, 3);
	n_runs(&runs[1], a, paths, 3);
	assert_int_equal(cmp_build(runs, 2, &o, &t), FB_OK);
	out = print_to_string(&t, CMP_TEXT, true);
	assert_null(strstr(out, "dist"));
	free(out);
	f = open_memstream(&html, &len);
	cmp_html_group(f, &t, &t.groups[0]);
	cmp_html_dist_legend(f, &t);
	fclose(f);
	assert_null(strstr(html, "dist"));
	free(html);
	cmp_free(&t);
	for (unsigned i = 0; i < 3; i++)
		json_decref(a[i]);
}

/* The fields of the CSV record at line (quoted commas are not separators). */
static unsigned csv_fields(const char *line)
{
	unsigned n = 1;
	bool quoted = false;

	for (const char *p = line; *p && *p != '\r'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			n++;
	}
	return n;
}

/* The paired rows in compare's CSV: one table, the paired columns at the end. */
static void test_csv_paired_rows(void **state)
{
	json_t *a[3], *b[3];
	struct cmp_table t;
	char *out, *line;

	build_table(a, b, &t);
	t.paired =
	    json_pack("[{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:b, s:f, s:I, s:I, s:I, s:s, "
		      "s:[f,f], s:f, s:f}]",
		      "label", "6.18-b", "run", "r2.json", "bench", "pf1", "ncpus", (json_int_t)1,
		      "variant", "=HYPERLINK(\"x\")", "base", "@base", "metric", "pages/s",
		      "higher_better", 1, "change_pct", -4.5, "pairs", (json_int_t)12, "left_out",
		      (json_int_t)1, "max_gap", (json_int_t)1, "verdict", "worse", "interval_pct",
		      -6.0, -3.0, "p", 0.001, "threshold_pct", 2.0);
	out = print_to_string(&t, CMP_CSV, false);
	/* the header: the columns of before, then kind and the paired ones */
	assert_non_null(strstr(out, ",disturbed_runs,broken_runs,kind,run,base_variant,left_out,"
				    "max_gap,interval_lo_pct,interval_hi_pct,threshold_pct,"
				    "verdict\r\n"));
	assert_non_null(strstr(out, ",0,0,cell,,,,,,,,\r\n"));
	assert_non_null(strstr(out, ",1,0,cell,,,,,,,,\r\n")); /* the disturbed run */
	line = strstr(out, ",paired,");
	assert_non_null(line);
	while (line > out && line[-1] != '\n')
		line--;
	/* formula-like strings from a result are text in a spreadsheet */
	assert_non_null(strstr(line, "pf1,fault,pages/s,\"'=HYPERLINK(\"\"x\"\")\",1,true,1,"
				     "6.18-b,12,,,,,,,,-4.5,,true,true,0.001,,,,,paired,r2.json,"
				     "\"'@base\",1,1,-6,-3,2,worse\r\n"));
	/* one table: every record as wide as the header */
	assert_int_equal(csv_fields(out), 34);
	assert_int_equal(csv_fields(line), 34);
	assert_int_equal(csv_fields(strstr(out, "\n") + 1), 34);
	free(out);
	cmp_free(&t);
	free_docs(a, b);
}

static void write_doc(json_t *doc, const char *name)
{
	assert_int_equal(json_dump_file(doc, at(name), 0), 0);
}

static void test_history_marks(void **state)
{
	json_t *q = run_of("n1", 100, false), *d = run_of("n2", 100, true);
	struct history h = { .bench = "pf1", .ncpus = -1 };
	struct noise_models none = { 0 };
	unsigned marked = 0;

	json_object_set_new(json_object_get(d, "system"), "date",
			    json_string("2026-11-02T02:00:00Z"));
	assert_int_equal(mkdir(at("res"), 0755), 0);
	write_doc(q, "res/pf1-1.json");
	write_doc(d, "res/pf1-2.json");
	h.models = &none;
	assert_int_equal(history_load(&h, at("res"), NULL), FB_OK);
	assert_int_equal(h.npoints, 2);
	assert_int_equal(h.disturbed, 1);
	for (unsigned i = 0; i < h.npoints; i++)
		if (h.points[i].disturbed) {
			marked++;
			assert_string_equal(h.points[i].label, "n2");
		}
	assert_int_equal(marked, 1);
	history_free(&h);
	json_decref(q);
	json_decref(d);
}

static int setup(void **state)
{
	return scratch_make("disturb");
}

static int teardown(void **state)
{
	return scratch_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),	       cmocka_unit_test(test_runs_figure_and_views),
		cmocka_unit_test(test_quiet_unmarked), cmocka_unit_test(test_csv_paired_rows),
		cmocka_unit_test(test_history_marks),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, setup, teardown);
}
