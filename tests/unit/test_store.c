// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the store (store/): the selector parser, table-style; the
 * schema and its migrations on SQLite (a store at an older version is
 * upgraded by a writer and refused by a reader, a newer or foreign one
 * refused by both); adding a document twice; and the walk order of origins.
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
	assert_int_equal(store_open(&t, path, STORE_READ), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "schema 1"));
	/* a writer upgrades it, then it reads */
	assert_int_equal(store_open(&t, path, STORE_WRITE), FB_OK);
	store_close(t);
	assert_int_equal(store_open(&t, path, STORE_READ), FB_OK);
	assert_int_equal(store_schema_version(t, &v), FB_OK);
	assert_int_equal(v, STORE_SCHEMA_VERSION);
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
		cmocka_unit_test(test_selector_ok), cmocka_unit_test(test_selector_refused),
		cmocka_unit_test(test_walk_order),  cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_add_twice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
