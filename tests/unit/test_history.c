// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of history's one builder (analysis/history.c): the same series
 * from a directory of result files and from a store's index of them (the
 * directory through --store, or a store: selector), with the same rules: a
 * run with a value no measurement gives is left out whole from either, and
 * the benchmarks of a report's trends are found in either.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "history.h"
#include "resultset.h"
#include "store.h"
#include "util.h"

#include "scratch.h"
#include "synth.h"

static const unsigned cpus[] = { 1, 2 };
static struct noise_models no_models;

/*
 * Run i: a night's pf1 at 1 and 2 CPUs, two repeats; run 2 has an impossible
 * 0; run 1's second repeat at 2 CPUs and run 3's first at 1 CPU were measured
 * disturbed (steps 3 and 0), the other steps of runs 1 and 3 quiet.
 */
static json_t *night(unsigned i)
{
	double v[4] = { 100 + i, 101 + i, 180 + i, 182 + i };
	char label[32], date[32];
	json_t *doc, *step;
	size_t k;

	if (i == 2)
		v[3] = 0;
	snprintf(label, sizeof(label), "night-%u", i);
	doc = synth(label, "pages/s", true, cpus, 2, 2, v, NULL);
	json_array_foreach (json_object_get(doc, "steps"), k, step)
		if (i == 1 || i == 3)
			json_object_set_new(step, "interference",
					    json_pack("{sb}", "disturbed",
						      (i == 1 && k == 3) || (i == 3 && k == 0)));
	snprintf(date, sizeof(date), "2026-11-%02uT02:00:00Z", 10 - i); /* newest first on disk */
	json_object_set_new(json_object_get(doc, "system"), "date", json_string(date));
	return doc;
}

/* Four result files under res/, indexed into st.db as store import does. */
static void make_results(void)
{
	struct store *s;
	char *real;

	assert_int_equal(mkdir(at("res"), 0755), 0);
	assert_int_equal(store_open(&s, at("st.db"), STORE_WRITE), FB_OK);
	for (unsigned i = 0; i < 4; i++) {
		char name[32], *path, *text, *origin;
		json_t *doc = night(i), *parsed;
		bool added;
		FILE *f;

		snprintf(name, sizeof(name), "res/pf1-%u.json", i);
		path = at(name);
		text = json_dumps(doc, JSON_INDENT(1));
		f = fopen(path, "w");
		assert_non_null(f);
		fputs(text, f);
		fclose(f);
		origin = realpath(path, NULL);
		parsed = rs_parse(origin, text, strlen(text));
		assert_non_null(parsed);
		assert_int_equal(store_add(s, parsed, text, strlen(text), origin, &added), FB_OK);
		assert_true(added);
		json_decref(parsed);
		json_decref(doc);
		free(origin);
		free(text);
	}
	store_close(s);
	real = realpath(scratch_dir, NULL);
	assert_string_equal(real, scratch_dir); /* origins under the same path as res/ */
	free(real);
}

static void load(struct history *h, const char *where, const char *store, long ncpus)
{
	memset(h, 0, sizeof(*h));
	h->bench = "pf1";
	h->ncpus = ncpus;
	h->models = &no_models;
	assert_int_equal(history_load(h, where, store), FB_OK);
}

static void same_series(const struct history *a, const struct history *b, bool same_paths)
{
	assert_string_equal(a->metric, b->metric);
	assert_string_equal(a->variant, b->variant);
	assert_int_equal(a->ncpus, b->ncpus);
	assert_int_equal(a->higher_better, b->higher_better);
	assert_int_equal(a->left_out, b->left_out);
	assert_int_equal(a->npoints, b->npoints);
	for (unsigned i = 0; i < a->npoints; i++) {
		assert_string_equal(a->points[i].date, b->points[i].date);
		assert_string_equal(a->points[i].label, b->points[i].label);
		assert_int_equal(a->points[i].n, b->points[i].n);
		assert_int_equal(a->points[i].disturbed, b->points[i].disturbed);
		for (unsigned k = 0; k < a->points[i].n; k++)
			assert_true(a->points[i].v[k] == b->points[i].v[k]);
		if (same_paths)
			assert_string_equal(a->points[i].path, b->points[i].path);
	}
}

static void test_files_and_store_alike(void **state)
{
	char *dir = xstrdup(at("res")), *db = xstrdup(at("st.db"));
	struct history f, s, q;

	make_results();
	fb_set_quiet(true); /* the left-out run's warning */
	load(&f, dir, NULL, -1);
	load(&s, dir, db, -1);
	load(&q, "store:since=2026-01-01", db, -1);
	/* the largest step; the broken night left out whole, oldest first */
	assert_int_equal(f.ncpus, 2);
	assert_int_equal(f.npoints, 3);
	assert_int_equal(f.left_out, 1);
	assert_string_equal(f.points[0].label, "night-3");
	assert_string_equal(f.points[2].label, "night-0");
	assert_true(f.points[2].v[1] == 182);
	/* marked disturbed from the files and from the store alike (step_values.disturbed) */
	assert_true(f.points[1].disturbed && !f.points[0].disturbed && !f.points[2].disturbed);
	assert_int_equal(f.disturbed, 1);
	assert_int_equal(s.disturbed, 1);
	same_series(&f, &s, true);
	same_series(&f, &q, false);
	history_free(&f);
	history_free(&s);
	history_free(&q);

	/* at 1 CPU the broken night has all its values: it is in */
	load(&f, dir, NULL, 1);
	load(&s, dir, db, 1);
	assert_int_equal(f.npoints, 4);
	assert_true(f.points[0].disturbed && !f.points[2].disturbed);
	same_series(&f, &s, true);
	history_free(&f);
	history_free(&s);
	fb_set_quiet(false);
	free(dir);
	free(db);
}

static void test_benches_and_refusals(void **state)
{
	char *dir = xstrdup(at("res")), *db = xstrdup(at("st.db")), **names = NULL;
	struct history h = { .bench = "pf1", .ncpus = -1, .models = &no_models };
	unsigned n = 0;

	assert_int_equal(history_benches(dir, db, &names, &n), FB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(names[0], "pf1");
	free(names[0]);
	free(names);
	fb_set_quiet(true);
	/* a directory that is not one, a store that is not there, a bad selector */
	assert_int_equal(history_load(&h, at("res/pf1-0.json"), db), FB_USAGE);
	assert_int_equal(history_load(&h, dir, at("none.db")), FB_USAGE);
	assert_int_equal(history_load(&h, "store:when=now", db), FB_USAGE);
	fb_set_quiet(false);
	history_free(&h);
	free(dir);
	free(db);
}

static int setup(void **state)
{
	return scratch_make("history");
}

static int teardown(void **state)
{
	return scratch_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_and_store_alike),
		cmocka_unit_test(test_benches_and_refusals),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
