// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/guest_copy.c: the guest's result files reach the host's
 * --results and nothing else.  Names that are absolute, hold "..", empty or
 * "." components, control bytes or are too long are refused; links on the
 * guest's disk are never followed, links planted in --results never written
 * through; oversize files and deep trees are refused; an existing result is
 * never overwritten; the console log's name is safe whatever the guest says
 * its release is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "fsfile.h"
#include "guest_copy.h"
#include "util.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/fb-test-guestcopy.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fsfile_remove_tree(root);
	return 0;
}

static char *at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = at(rel), *slash = strrchr(p, '/');
	FILE *f;

	*slash = '\0';
	assert_int_equal(mkdir_p(p), 0);
	*slash = '/';
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static bool exists(const char *rel)
{
	char *p = at(rel);
	struct stat st;
	bool r = !lstat(p, &st);

	free(p);
	return r;
}

static void dest_names(void **state)
{
	static const char *const bad[] = { "",		"/etc/passwd",	"../x",
					   "a/../../x", "a/..",		"a//b",
					   ".",		"a/./b",	"a/",
					   "x\033]0;t", "results/../x", "./../x" };
	const char *why;
	char *d, long_name[300], *deep;

	(void)state;
	d = vm_guest_dest("/r", "L/pf1.json", &why);
	assert_string_equal(d, "/r/L/pf1.json");
	free(d);
	/* the guest's results/ and ./ are its working directory's, not a level of ours */
	d = vm_guest_dest("/r", "./results/L/pf1.json", &why);
	assert_string_equal(d, "/r/L/pf1.json");
	free(d);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		assert_null(vm_guest_dest("/r", bad[i], &why));
		assert_non_null(why);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_null(vm_guest_dest("/r", long_name, &why));
	assert_string_equal(why, "a component too long in its name");
	deep = xcalloc(1, 5000);
	for (int i = 0; i < 2400; i++)
		strcat(deep, "a/");
	strcat(deep, "x");
	assert_null(vm_guest_dest("/r", deep, &why));
	assert_string_equal(why, "a name too long");
	free(deep);
}

/* An existing result gets a -2 beside it, never overwritten. */
static void never_overwrites(void **state)
{
	const char *why;
	char *results = at("res"), *d;

	(void)state;
	put("res/L/pf1.json", "{}");
	d = vm_guest_dest(results, "L/pf1.json", &why);
	assert_non_null(d);
	assert_non_null(strstr(d, "/res/L/pf1-2.json"));
	free(d);
	put("res/L/noext", "x");
	d = vm_guest_dest(results, "L/noext", &why);
	assert_non_null(strstr(d, "/res/L/noext-2"));
	free(d);
	free(results);
}

static void copies_and_refuses(void **state)
{
	char *base = at("guest/out"), *results = at("res3"), *p, *q, *text;
	struct vm_copy c = { .meta = json_pack("{s:s}", "accel", "tcg"),
			     .max_file = 64,
			     .quiet = true };
	json_t *doc;

	(void)state;
	c.results = results;
	put("guest/out/results/L/pf1.json", "{\"schema_version\": 2}");
	put("guest/out/results/L/pf1.xml", "<topology/>");
	put("guest/out/results/L/notjson.json", "not json");
	put("guest/out/big.txt",
	    "0123456789012345678901234567890123456789012345678901234567890123456789");
	put("outside/keep", "keep");
	/* links on the guest's disk: to a host file, to a host directory, dangling */
	p = at("guest/out/results/L/passwd.json");
	assert_int_equal(symlink("/etc/passwd", p), 0);
	free(p);
	p = at("guest/out/results/dirlink");
	q = at("outside");
	assert_int_equal(symlink(q, p), 0);
	free(p);
	p = at("guest/out/results/L/dangling");
	assert_int_equal(symlink("/nonexistent", p), 0);
	free(p);
	/* a fifo: never opened (that would block) */
	p = at("guest/out/fifo");
	assert_int_equal(mkfifo(p, 0600), 0);
	free(p);
	/* a link planted in --results before the copy: not written through */
	put("guest/out/results/P/x.json", "{}");
	assert_int_equal(mkdir_p(results), 0);
	p = at("res3/P");
	assert_int_equal(symlink(q, p), 0);
	free(p);
	/* a tree deeper than VM_COPY_MAX_DEPTH */
	p = xstrdup("guest/out");
	for (int i = 0; i <= VM_COPY_MAX_DEPTH + 1; i++) {
		char *n = xasprintf("%s/d", p);

		free(p);
		p = n;
	}
	free(q);
	q = xasprintf("%s/deep.json", p);
	put(q, "{}");
	free(q);
	free(p);

	vm_copy_results(&c, base);
	assert_int_equal(c.copied, 3); /* pf1.json, pf1.xml, notjson.json */
	assert_int_equal(c.failed, 1); /* P/x.json: P is a planted link */
	/* passwd.json, dirlink, dangling, big.txt, fifo, the deep directory */
	assert_int_equal(c.refused, 6);
	p = at("res3/L/pf1.json");
	doc = json_load_file(p, 0, NULL);
	free(p);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "vm"), "accel")),
			    "tcg");
	json_decref(doc);
	p = at("res3/L/notjson.json");
	text = read_text_file(p);
	assert_string_equal(text, "not json");
	free(text);
	free(p);
	assert_false(exists("res3/L/passwd.json"));
	assert_false(exists("res3/big.txt"));
	assert_false(exists("outside/x.json"));
	assert_false(exists("outside/d"));
	p = at("outside/keep");
	text = read_text_file(p);
	assert_string_equal(text, "keep");
	free(text);
	free(p);
	json_decref(c.meta);
	free(base);
	free(results);
}

/* The console log beside the first result, named from a release made safe. */
static void console_name(void **state)
{
	char *base = at("g2/out"), *results = at("r2"), *d, *p, *q, *l;
	struct vm_copy c = { .results = results };

	(void)state;
	assert_null(vm_console_dest(&c, base, "6.1"));
	put("g2/out/results/L/pf1.json", "{}");
	d = vm_console_dest(&c, base, "6.1.0-57-amd64");
	assert_non_null(strstr(d, "/r2/L/console-6.1.0-57-amd64.log"));
	free(d);
	d = vm_console_dest(&c, base, "../../../etc/cron.d/x\033[2J");
	assert_non_null(strstr(d, "/r2/L/console-.._.._.._etc_cron.d_x__2J.log"));
	free(d);
	d = vm_console_dest(&c, base, NULL);
	assert_non_null(strstr(d, "/r2/L/console-unknown.log"));
	/* kept below --results, never through a link planted there (a fuzz finding) */
	p = at("g2/out/results/L/pf1.json");
	assert_int_equal(vm_copy_below(results, p, d), 0);
	assert_true(exists("r2/L/console-unknown.log"));
	free(d);
	q = at("outside2");
	assert_int_equal(mkdir_p(q), 0);
	l = at("r2/P");
	assert_int_equal(symlink(q, l), 0);
	d = xasprintf("%s/P/console-x.log", results);
	assert_int_equal(vm_copy_below(results, p, d), -1);
	assert_false(exists("outside2/console-x.log"));
	assert_int_equal(vm_copy_below(results, p, "/tmp/elsewhere.log"), -1);
	free(d);
	free(l);
	free(q);
	free(p);
	free(base);
	free(results);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dest_names),
		cmocka_unit_test(never_overwrites),
		cmocka_unit_test(copies_and_refuses),
		cmocka_unit_test(console_name),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, setup, teardown);
}
