// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the report's HTML (analysis/html.c, analysis/compare_html.c)
 * and the plots' number formatting (analysis/plot.c, analysis/figures.c):
 * escaping of strings from result files, the table of a synthetic
 * comparison with markup in its labels and parameters, SI ticks and
 * parameters in human units.  The real page in a real browser is
 * tests/e2e/test_report.sh.
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
#include "compare_html.h"
#include "figures.h"
#include "html.h"
#include "plot.h"
#include "util.h"

#include "synth.h"

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "6.18-rc1", "6.18-rc1" },
		{ "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;" },
		{ "line\nbreak\ttab", "line break tab" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },	  /* valid UTF-8 stays */
		{ "bad\xff\xfe", "bad&#xfffd;&#xfffd;" }, /* invalid: replaced */
		{ "", "" },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		char *e = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&e, &len);

		assert_non_null(m);
		html_put(m, cases[i].in);
		assert_int_equal(fclose(m), 0);

		assert_string_equal(e, cases[i].out);
		free(e);
	}
}

static void test_si(void **state)
{
	static const struct {
		double v;
		const char *s;
	} cases[] = {
		{ 0, "0" },	    { 450000, "450k" }, { 1200000, "1.2M" }, { 1234567, "1.23M" },
		{ 999999.9, "1M" }, { 0.5, "0.5" },	{ 2.5e9, "2.5G" },   { 950, "950" },
		{ NAN, "-" },	    { -3000, "-3k" },	{ 100000, "100k" },
	};
	char buf[32];

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		plot_si(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].s);
	}
}

static void test_ticks(void **state)
{
	double top, step;

	step = plot_tick_step(527000, &top);
	assert_true(step == 100000);
	assert_true(top >= 527000 && top <= 600000);
	step = plot_tick_step(1.02, &top); /* an efficiency axis */
	assert_true(step == 0.2 || step == 0.25);
	assert_true(top >= 1.02 && top <= 1.4);
	assert_true(plot_tick_step(0, &top) == 0);
	assert_true(plot_tick_step(NAN, &top) == 0);
}

static void test_params_human(void **state)
{
	json_t *p = json_pack("{s:i, s:b, s:s, s:i, s:s}", "size", 67108864, "fault-around", 1,
			      "backing", "tmpfs", "workers-per-cpu", 2, "empty", "");
	char buf[256], b2[32];

	fig_describe_params(p, buf, sizeof(buf));
	assert_non_null(strstr(buf, "size 64 MiB"));
	assert_non_null(strstr(buf, "fault-around on"));
	assert_non_null(strstr(buf, "backing tmpfs"));
	assert_non_null(strstr(buf, "workers-per-cpu 2"));
	assert_null(strstr(buf, "67108864"));
	assert_null(strstr(buf, "true"));
	assert_null(strstr(buf, "empty"));
	fig_bytes(4096, b2, sizeof(b2));
	assert_string_equal(b2, "4 KiB");
	fig_bytes(1000, b2, sizeof(b2));
	assert_string_equal(b2, "1000 bytes");
	json_decref(p);
}

static char *render(const struct cmp_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	for (unsigned g = 0; g < t->ngroups; g++) {
		cmp_html_group(m, t, &t->groups[g]);
		cmp_html_profile(m, t, &t->groups[g]);
	}
	cmp_html_notes(m, t);
	fclose(m);
	return buf;
}

/* A comparison whose labels, variant and profile symbol carry markup. */
static void test_table_html(void **state)
{
	static const unsigned nc[] = { 1, 2 };
	const double va[] = { 100, 101, 200, 202 }, vb[] = { 110, 111, 190, 191 };
	json_t *a = synth("a<b>", "pages/s", true, nc, 2, 2, va, "pattern=<i>x</i>");
	json_t *b = synth("c&d", "pages/s", true, nc, 2, 2, vb, "pattern=<i>x</i>");
	json_t *prof = json_pack("{s:{s:[{s:s,s:f}]}}", "profile", "top", "symbol", "<sym>&co",
				 "percent", 12.5);
	static char pa[] = "a.json", pb[] = "b.json";
	char *ppa = pa, *ppb = pb, *out;
	struct resultset runs[2];
	struct cmp_table t;

	json_object_set_new(b, "evidence", prof);
	one_run(&runs[0], &a, &ppa, "a<b>");
	one_run(&runs[1], &b, &ppb, "c&d");
	assert_int_equal(cmp_build(runs, 2, NULL, &t), FB_OK);
	out = render(&t);
	assert_non_null(strstr(out, "<table class=\"cmp\">"));
	assert_non_null(strstr(out, "a&lt;b&gt;"));
	assert_non_null(strstr(out, "c&amp;d"));
	assert_non_null(strstr(out, "&lt;i&gt;x&lt;/i&gt;:pages/s-2"));
	assert_non_null(strstr(out, "&lt;sym&gt;&amp;co"));
	assert_null(strstr(out, "<b>"));
	assert_null(strstr(out, "<i>"));
	assert_null(strstr(out, "<sym>"));
	/* the same statistics as the text table: Hmean row, +10% at 1 CPU shown */
	assert_non_null(strstr(out, "<th scope=\"row\">Hmean</th>"));
	assert_non_null(strstr(out, "<span class=\"pct\">(10.00%)</span>"));
	/* but not coloured: only a starred change is (better/worse sig) */
	assert_null(strstr(out, "class=\"better"));
	assert_null(strstr(out, "class=\"worse"));
	assert_non_null(strstr(out, "<th scope=\"row\">Runs</th>"));
	/* one run a side: no star, and compare's note says why */
	assert_null(strstr(out, "title=\"significant\""));
	assert_non_null(strstr(out, "no star where a row has no run-to-run information"));
	free(out);
	cmp_free(&t);
	json_decref(a);
	json_decref(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),	   cmocka_unit_test(test_si),
		cmocka_unit_test(test_ticks),	   cmocka_unit_test(test_params_human),
		cmocka_unit_test(test_table_html),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
