// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the profile's parsing (engine/profile.c) and its comparison
 * (analysis/profile_cmp.c).  The perf report text is real: captured on the
 * development VM from `faultbench run pf1 --cpus 1,2 --profile-cpus all`
 * (perf 6.1, cpu-clock, kernel 6.18) with the command profile_finish() runs,
 * in tests/unit/fixtures/perf-report-pf1-2cpus.txt.
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

#include "profile.h"
#include "profile_cmp.h"
#include "util.h"

/* The fixture beside this file (the tests run from the top of the tree). */
static char *fixture(void)
{
	char *dir = xstrdup(__FILE__), *slash = strrchr(dir, '/'), *path, *text;

	if (slash)
		*slash = '\0';
	path = xasprintf("%s/fixtures/perf-report-pf1-2cpus.txt", slash ? dir : ".");
	text = read_text_file(path);
	assert_non_null(text);
	free(path);
	free(dir);
	return text;
}

/* {"top": [...]} as profile_finish() stores it, from the fixture. */
static json_t *fixture_profile(void)
{
	char *text = fixture();
	json_t *p = json_object();

	json_object_set_new(p, "top", profile_parse_report(text, p));
	free(text);
	return p;
}

static void test_parse_report(void **state)
{
	json_t *p = fixture_profile(), *top = json_object_get(p, "top"), *first, *e;
	size_t i;

	assert_string_equal(json_string_value(json_object_get(p, "samples")), "19K");
	assert_string_equal(json_string_value(json_object_get(p, "event")), "cpu-clock:pppH");
	first = json_array_get(top, 0);
	assert_string_equal(json_string_value(json_object_get(first, "symbol")), "exc_page_fault");
	assert_true(fabs(json_number_value(json_object_get(first, "percent")) - 7.19) < 1e-9);
	/* as perf printed them: the symbol itself is not a caller, addresses are kept */
	e = json_array_get(json_object_get(first, "callers"), 0);
	assert_true(fabs(json_number_value(json_object_get(e, "percent")) - 3.00) < 1e-9);
	assert_int_equal(json_array_size(json_object_get(e, "callers")), 3);
	assert_string_equal(json_string_value(json_array_get(json_object_get(e, "callers"), 0)),
			    "asm_exc_page_fault");
	assert_int_equal(json_array_size(json_object_get(first, "callers")), 2);
	/* kernel symbols only: fault_worker_loop [.] and another tenant's are not there */
	json_array_foreach (top, i, e) {
		const char *s = json_string_value(json_object_get(e, "symbol"));

		assert_string_not_equal(s, "fault_worker_loop");
		assert_string_not_equal(s, "ht_lookup_with_hash");
	}
	assert_true(json_array_size(top) > 10 && json_array_size(top) <= 20);
	json_decref(p);
}

static void test_parse_counts(void **state)
{
	static const char *const bad[] = { "",
					   "0",
					   "1,",
					   ",1",
					   "-1",
					   " 4",
					   "+4",
					   "4x",
					   "all",
					   "1,,2",
					   "99999999999999999999",
					   "2000000" };
	unsigned *c, n;

	assert_int_equal(profile_parse_counts("1,64", &c, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 64);
	free(c);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(profile_parse_counts(bad[i], &c, &n), -1);
		assert_null(c);
		assert_int_equal(n, 0);
	}
}

static const struct pcmp_symbol *find(const struct pcmp_diff *d, const char *sym)
{
	for (unsigned i = 0; i < d->nsyms; i++)
		if (!strcmp(d->syms[i].symbol, sym))
			return &d->syms[i];
	return NULL;
}

/* The same profile twice: no change, and chains split by addresses are one. */
static void test_diff_merges_unresolved(void **state)
{
	json_t *p = fixture_profile();
	json_t *const both[] = { p, p };
	const struct pcmp_symbol *s;
	struct pcmp_diff d;

	pcmp_diff_build(both, 2, &d);
	assert_int_equal(d.nsyms, PCMP_SYMBOLS);
	s = &d.syms[0];
	assert_string_equal(s->symbol, "exc_page_fault");
	/* "...;fault_worker_loop;0x1" 3.00% and "...;0" 2.41%: one chain */
	assert_int_equal(s->nchains, 1);
	assert_string_equal(s->chains[0].path, "asm_exc_page_fault;fault_worker_loop");
	assert_true(fabs(s->chains[0].pct[0] - 5.41) < 1e-9);
	assert_true(fabs(pcmp_delta(s->chains[0].pct, 2)) < 1e-12);
	/* clear_page_erms: three chains, by share */
	s = find(&d, "clear_page_erms");
	assert_non_null(s);
	assert_true(s->nchains <= PCMP_CHAINS);
	for (unsigned j = 1; j < s->nchains; j++)
		assert_true(s->chains[j - 1].pct[0] >= s->chains[j].pct[0]);
	for (unsigned i = 1; i < d.nsyms; i++)
		assert_true(d.syms[i - 1].pct[0] >= d.syms[i].pct[0]);
	pcmp_diff_free(&d);
	json_decref(p);
}

static json_t *profile_of(const char *json)
{
	json_error_t err;
	json_t *p = json_loads(json, 0, &err);

	assert_non_null(p);
	return p;
}

/* What one run has and the other does not counts as 0 in the change. */
static void test_diff_missing(void **state)
{
	json_t *a = profile_of("{\"top\": [{\"symbol\": \"s1\", \"percent\": 30.0, \"callers\": ["
			       "{\"percent\": 20.0, \"callers\": [\"f\", \"g\", \"0\"]},"
			       "{\"percent\": 5.0, \"callers\": [\"h\"]}]},"
			       "{\"symbol\": \"gone\", \"percent\": 5.0, \"callers\": []}]}");
	json_t *b = profile_of("{\"top\": [{\"symbol\": \"s1\", \"percent\": 31.5, \"callers\": ["
			       "{\"percent\": 18.0, \"callers\": [\"f\", \"g\", \"0x7f\"]},"
			       "{\"percent\": 9.0, \"callers\": [\"k\"]}]},"
			       "{\"symbol\": \"new\", \"percent\": 2.0, \"callers\": []}]}");
	json_t *const ab[] = { a, b };
	const struct pcmp_symbol *s;
	struct pcmp_diff d;

	pcmp_diff_build(ab, 2, &d);
	assert_int_equal(d.nsyms, 3);
	s = find(&d, "s1");
	assert_true(fabs(pcmp_delta(s->pct, 2) - 1.5) < 1e-9);
	assert_int_equal(s->nchains, 3);
	assert_string_equal(s->chains[0].path, "f;g");
	assert_true(fabs(pcmp_delta(s->chains[0].pct, 2) + 2.0) < 1e-9);
	assert_string_equal(s->chains[1].path, "k");
	assert_true(isnan(s->chains[1].pct[0]));
	assert_true(fabs(pcmp_delta(s->chains[1].pct, 2) - 9.0) < 1e-9);
	s = find(&d, "gone");
	assert_true(isnan(s->pct[1]));
	assert_true(fabs(pcmp_delta(s->pct, 2) + 5.0) < 1e-9);
	pcmp_diff_free(&d);
	json_decref(a);
	json_decref(b);
}

/* A result with per-step profiles, and an older one with its one run-wide profile. */
static json_t *doc_new(double pct)
{
	return json_pack("{s:{}, s:[{s:i, s:s, s:{}}, {s:i, s:s, s:{s:{s:[{s:s, s:f, s:[]}]}}}]}",
			 "evidence", "steps", "ncpus", 1, "variant", "", "extra", "ncpus", 2,
			 "variant", "", "extra", "profile", "top", "symbol", "clear_page_erms",
			 "percent", pct, "callers");
}

static json_t *doc_old(bool with_ncpus)
{
	json_t *d = json_pack("{s:{s:{s:[{s:s, s:f, s:[]}]}}, s:[{s:i}, {s:i}]}", "evidence",
			      "profile", "top", "symbol", "clear_page_erms", "percent", 30.0,
			      "callers", "steps", "ncpus", 1, "ncpus", 2);

	if (with_ncpus)
		json_object_set_new(json_object_get(json_object_get(d, "evidence"), "profile"),
				    "ncpus", json_integer(2));
	return d;
}

static void test_both_shapes(void **state)
{
	json_t *docs[] = { doc_old(false), doc_old(true), doc_new(31.5) };
	struct pcmp_step *steps;

	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(pcmp_profiled_steps(docs[i], &steps), 1);
		assert_int_equal(steps[0].ncpus, 2);
		assert_string_equal(steps[0].variant, "");
		free(steps);
		assert_non_null(pcmp_step_profile(docs[i], "", 2));
		assert_null(pcmp_step_profile(docs[i], "", 1));
		assert_non_null(pcmp_largest_profile(docs[i]));
	}
	for (unsigned i = 0; i < 3; i++)
		json_decref(docs[i]);
}

static char *print(json_t *const *docs, unsigned n, bool markdown)
{
	char *labels[] = { "base", "new" }, *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	pcmp_print(f, docs, n, labels, markdown);
	fclose(f);
	return buf;
}

static void test_print(void **state)
{
	json_t *old = doc_old(true), *new = doc_new(31.5), *none = json_pack("{s:[]}", "steps");
	json_t *const pair[] = { old, new }, *const half[] = { old, none };
	json_t *j;
	char *out;

	out = print(pair, 2, false);
	assert_non_null(strstr(out, "Top profile symbols, 2 CPUs (% of samples)"));
	assert_non_null(strstr(out, "delta\n"));
	assert_non_null(strstr(out, "+1.50\n"));
	assert_null(strstr(out, "(no callers)"));
	free(out);
	out = print(pair, 2, true);
	assert_non_null(strstr(out, "| delta |\n|---|---:|---:|---:|\n"));
	free(out);
	/* only when both runs have the step's profile */
	out = print(half, 2, false);
	assert_string_equal(out, "");
	free(out);
	j = pcmp_json(pair, 2);
	assert_int_equal(json_array_size(j), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0), "ncpus")), 2);
	json_decref(j);
	j = pcmp_json(half, 2);
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	json_decref(old);
	json_decref(new);
	json_decref(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_report),
		cmocka_unit_test(test_parse_counts),
		cmocka_unit_test(test_diff_merges_unresolved),
		cmocka_unit_test(test_diff_missing),
		cmocka_unit_test(test_both_shapes),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
