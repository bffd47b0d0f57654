// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the store (store/): the selector parser, table-style; the
 * schema and its migrations on SQLite (a store at an older version is
 * upgraded by a writer and by a reader, or refused when it cannot be, a
 * newer or foreign one refused by both); step_values.disturbed of schema 3,
 * from a store made at schema 2 by hand and from store_add(); adding a
 * document twice; and the walk order of origins.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "backend.h"
#include "store.h"
#include "util.h"

#include "synth.h"

static void test_selector_ok(void **state)
{
	struct store_sel s;

	assert_int_equal(store_sel_parse("", &s), FB_OK);
	assert_null(s.machine);
	assert_string_equal(s.since, "");
	store_sel_free(&s);
	assert_int_equal(
	    store_sel_parse("machine=big1,label=6.18-rc3,kernel=6.18.0-rc3+,bench=pf1", &s), FB_OK);
	assert_string_equal(s.machine, "big1");
	assert_string_equal(s.label, "6.18-rc3");
	assert_string_equal(s.kernel, "6.18.0-rc3+");
	assert_string_equal(s.bench, "pf1");
	store_sel_free(&s);
	assert_int_equal(store_sel_parse("since=2026-01-31,until=2026-02-01", &s), FB_OK);
	assert_string_equal(s.since, "2026-01-31T00:00:00Z");
	assert_string_equal(s.until, "2026-02-01T23:59:59Z"); /* the whole day */
	store_sel_free(&s);
	assert_int_equal(store_sel_parse("until=2026-02-01T02:03:04Z", &s), FB_OK);
	assert_string_equal(s.until, "2026-02-01T02:03:04Z");
	store_sel_free(&s);
}

static void test_selector_refused(void **state)
{
	static const char *const bad[] = {
		"machine",
		"foo=1",
		"label=a,label=b",
		",",
		"label=a,",
		"label=a,,bench=b",
		"label=../x",
		"label=",
		"label=a b",
		"machine=big1;rm",
		"since=2026-13-01",
		"since=2026-02-30",
		"since=26-01-01",
		"since=2026-01-01T25:00:00",
		"since=2026-01-01x",
		"since=2026-03-01,until=2026-02-01",
		"=x",
		"bench=pf1=2",
	};
	struct store_sel s;
	bool was = fb_set_quiet(true);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (store_sel_parse(bad[i], &s) != FB_USAGE)
			fail_msg("selector '%s' was accepted", bad[i]);
		assert_null(s.buf);
	}
	fb_set_quiet(was);
}

static void test_walk_order(void **state)
{
	/* a walk reads directory a/ (the name "a") before the file a-c */
	assert_true(store_walk_cmp("/r/a/b.json", "/r/a-c.json") < 0);
	assert_true(store_walk_cmp("/r/a.json", "/r/a/x.json") > 0);
	assert_true(store_walk_cmp("/r/b", "/r/b") == 0);
}

static char *temp_db(void)
{
	char *path = xstrdup("/tmp/fb-store-unit.XXXXXX");
	int fd = mkstemp(path);

	close(fd);
	unlink(path);
	return path;
}

static void sql(const char *path, const char *statement)
{
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, statement, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

static void test_migrations(void **state)
{
	char *path = temp_db();
	struct store *s = xcalloc(1, sizeof(*s)), *t;
	bool was = fb_set_quiet(true);
	int v = 0;

	/* a store left at version 1 by an older faultbench */
	s->e = &store_sqlite;
	s->target = xstrdup(path);
	s->conninfo = xstrdup(path);
	assert_int_equal(s->e->open(s, true), FB_OK);
	assert_int_equal(store_migrate(s, 1), FB_OK);
	store_close(s);
	/* a reader upgrades it: a store keeps working across versions */
	assert_int_equal(store_open(&t, path, STORE_READ), FB_OK);
	assert_int_equal(store_schema_version(t, &v), FB_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
	store_close(t);
	/* and so does a writer */
	assert_int_equal(store_open(&t, path, STORE_WRITE), FB_OK);
	store_close(t);
	/* newer than this faultbench: refused, reading or writing */
	sql(path, "UPDATE fb_meta SET value = '99' WHERE key = 'schema_version'");
	assert_int_equal(store_open(&t, path, STORE_READ), FB_USAGE);
	assert_int_equal(store_open(&t, path, STORE_WRITE), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "newer"));
	/* someone else's fb_meta */
	sql(path, "UPDATE fb_meta SET value = 'other' WHERE key = 'application'");
	assert_int_equal(store_open(&t, path, STORE_WRITE), FB_USAGE);
	unlink(path);
	/* someone else's tables */
	sql(path, "CREATE TABLE runs (x)");
	assert_int_equal(store_open(&t, path, STORE_WRITE), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "other tables"));
	unlink(path);
	/* reading never creates */
	assert_int_equal(store_open(&t, path, STORE_READ), FB_USAGE);
	assert_int_equal(access(path, F_OK), -1);
	fb_set_quiet(was);
	free(path);
}

/* The store at path made at version upto, as the faultbench of then left it. */
static void old_store(const char *path, int upto)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->e = &store_sqlite;
	s->target = xstrdup(path);
	s->conninfo = xstrdup(path);
	assert_int_equal(s->e->open(s, true), FB_OK);
	assert_int_equal(store_migrate(s, upto), FB_OK);
	store_close(s);
}

/* Steps 0-3 (1 CPU, 2 CPUs; two repeats) with interference as faultbench writes it. */
static json_t *interfered(const char *label, json_t *const intf[4])
{
	static const unsigned nc[] = { 1, 2 };
	static const double v[] = { 100, 110, 200, 190 };
	json_t *doc = synth(label, "pages/s", true, nc, 2, 2, v, NULL), *step;
	size_t i;

	json_array_foreach (json_object_get(doc, "steps"), i, step)
		if (intf[i])
			json_object_set_new(step, "interference", intf[i]);
	return doc;
}

static json_t *intf(json_t *disturbed)
{
	return json_pack("{sfso}", "share_min", 0.62, "disturbed", disturbed);
}

/* A run added by the schema-2 writer: its row, document and values, without disturbed. */
static void add_v2_run(const char *path, json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	sqlite3_stmt *st;
	sqlite3 *h;
	json_t *step;
	size_t i;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
				      "INSERT INTO runs (content_hash, origin, bench, name, date, "
				      "complete, indexed_at, params) VALUES ('h1', '/r/l1/a.json', "
				      "'fault', 'pf1', '2026-11-01T02:00:00Z', 1, "
				      "'2026-11-01T03:00:00Z', '{}')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(h, "INSERT INTO documents VALUES (1, ?1)", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "INSERT INTO step_values VALUES (1, ?1, ?2, '', ?3, 1, "
					    "'pages/s', ?4, 1, NULL, NULL, NULL, NULL, NULL, NULL)",
					    -1, &st, NULL),
			 SQLITE_OK);
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		json_t *m = json_object_get(json_object_get(step, "metrics"), "pages/s");

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
		sqlite3_bind_int64(st, 2, json_integer_value(json_object_get(step, "repeat")));
		sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(step, "ncpus")));
		sqlite3_bind_double(st, 4, json_number_value(json_object_get(m, "value")));
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	free(text);
}

/* step_values.disturbed of run id as "0 1 - 0" ('-': NULL), by step. */
static void disturbed_column(const char *path, int id, char *out)
{
	sqlite3_stmt *st;
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT disturbed FROM step_values WHERE run_id = ?1 "
					    "ORDER BY step",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, id);
	*out = '\0';
	while (sqlite3_step(st) == SQLITE_ROW)
		strcat(out, sqlite3_column_type(st, 0) == SQLITE_NULL ? "-"
			    : sqlite3_column_int(st, 0)		      ? "1"
								      : "0");
	sqlite3_finalize(st);
	sqlite3_close(h);
}

static void assert_disturbed_runs(struct store *s, long ncpus, size_t n, long long first)
{
	struct store_sel all = { 0 };
	long long *ids = NULL;
	size_t got = 0;

	assert_int_equal(store_disturbed_runs(s, &all, "pf1", ncpus, "", &ids, &got), FB_OK);
	assert_int_equal(got, n);
	if (n)
		assert_int_equal(ids[0], first);
	free(ids);
}

/*
 * A store made at schema 2 holding a run with a disturbed step: opened, to
 * read, it is upgraded and the column filled from the stored document as
 * history's reading of the file has it (only "disturbed": true is; a step
 * without figures is unknown); a run added after has it from store_add().
 */
static void test_disturbed_upgrade(void **state)
{
	char *path = temp_db(), *text, col[8];
	json_t *a = interfered("l1", (json_t *const[4]){ intf(json_false()), intf(json_true()),
							 NULL, intf(json_integer(1)) });
	json_t *b = interfered("l2", (json_t *const[4]){ intf(json_true()), intf(json_false()),
							 intf(json_true()), intf(json_false()) });
	struct store *s;
	bool added, was;
	int v = 0;

	old_store(path, 2);
	add_v2_run(path, a);
	was = fb_set_quiet(true);
	assert_int_equal(store_open(&s, path, STORE_READ), FB_OK);
	fb_set_quiet(was);
	assert_int_equal(store_schema_version(s, &v), FB_OK);
	assert_int_equal(v, 3);
	disturbed_column(path, 1, col);
	assert_string_equal(col, "01-0");
	/* history's question: which runs have a disturbed step at 2 CPUs, at 1 */
	assert_disturbed_runs(s, 2, 1, 1);
	assert_disturbed_runs(s, 1, 0, 0);
	store_close(s);
	/* written by this version */
	text = json_dumps(b, 0);
	assert_int_equal(store_open(&s, path, STORE_WRITE), FB_OK);
	assert_int_equal(store_add(s, b, text, strlen(text), "/r/l2/b.json", &added), FB_OK);
	assert_true(added);
	disturbed_column(path, 2, col);
	assert_string_equal(col, "1010");
	assert_disturbed_runs(s, 1, 1, 2);
	store_close(s);
	unlink(path);
	free(path);
	free(text);
	json_decref(a);
	json_decref(b);
}

/*
 * A schema-2 store that cannot be upgraded (here: a column of that name
 * added by hand) is refused with the command that upgrades it, and left
 * at version 2: the migration is one transaction.
 */
static void test_upgrade_refused(void **state)
{
	char *path = temp_db();
	struct store *s;
	bool was = fb_set_quiet(true);
	int v = 0;

	old_store(path, 2);
	sql(path, "ALTER TABLE step_values ADD COLUMN disturbed text");
	assert_int_equal(store_open(&s, path, STORE_READ), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "cannot upgrade it"));
	assert_non_null(strstr(fb_last_error(), "store init --store"));
	assert_int_equal(store_open(&s, path, STORE_WRITE), FB_USAGE);
	fb_set_quiet(was);
	s = xcalloc(1, sizeof(*s));
	s->e = &store_sqlite;
	s->target = xstrdup(path);
	s->conninfo = xstrdup(path);
	assert_int_equal(s->e->open(s, false), FB_OK);
	assert_int_equal(store_schema_version(s, &v), FB_OK);
	assert_int_equal(v, 2);
	store_close(s);
	unlink(path);
	free(path);
}

static void test_add_twice(void **state)
{
	static const unsigned nc[] = { 1, 2 };
	static const double v[] = { 100, 110, 200, 190 };
	char *path = temp_db(), *text;
	json_t *doc = synth("l1", "pages/s", true, nc, 2, 2, v, NULL);
	struct store *s;
	struct store_sel all = { 0 };
	struct store_value *vals;
	struct store_entry *e;
	size_t n;
	bool added;

	text = json_dumps(doc, 0);
	assert_int_equal(store_open(&s, path, STORE_WRITE), FB_OK);
	assert_int_equal(store_add(s, doc, text, strlen(text), "/r/l1/pf1.json", &added), FB_OK);
	assert_true(added);
	assert_int_equal(store_add(s, doc, text, strlen(text), "/r/copy/pf1.json", &added), FB_OK);
	assert_false(added); /* the same bytes: the same run */
	assert_int_equal(store_list(s, &all, "pf1", &e, &n), FB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].origin, "/r/l1/pf1.json");
	assert_string_equal(e[0].label, "l1");
	assert_string_equal(e[0].date, "2026-11-01T02:00:00Z");
	store_list_free(e, n);
	assert_int_equal(store_values(s, &all, "pf1", "pages/s", 2, "", &vals, &n), FB_OK);
	assert_int_equal(n, 2);
	/* values[s * nrep + r], steps repeat-major: at 2 CPUs 200 then 190 */
	assert_true(vals[0].value == 200 && vals[1].value == 190 && vals[0].higher_better);
	free(vals);
	{
		json_t *back = store_document(s, 1);

		assert_true(json_equal(back, doc));
		json_decref(back);
	}
	store_close(s);
	unlink(path);
	free(path);
	free(text);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selector_ok),	cmocka_unit_test(test_selector_refused),
		cmocka_unit_test(test_walk_order),	cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_add_twice),	cmocka_unit_test(test_disturbed_upgrade),
		cmocka_unit_test(test_upgrade_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
