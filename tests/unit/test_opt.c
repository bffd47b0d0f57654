// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of options tables: parsing, bounds, enums and matrix sets,
 * messages naming the option, defaults, help and JSON.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "opt.h"
#include "runopts.h"
#include "util.h"

struct params {
	bool flag;
	long long n;
	unsigned long long size;
	double x;
	const char *name;
	int kind;
	unsigned set;
};

#define P(f) offsetof(struct params, f)
static const struct opt table[] = {
	{ "flag", OPT_BOOL, "off", 0, 0, NULL, "a flag", P(flag) },
	{ "n", OPT_INT, "3", 1, 10, NULL, "a count", P(n) },
	{ "size", OPT_SIZE, "4k", 4096, 1ULL << 30, NULL, "a size", P(size) },
	{ "x", OPT_DOUBLE, "0.5", 0.01, 2, NULL, "a number", P(x) },
	{ "name", OPT_STR, NULL, 0, 0, NULL, "a name", P(name) },
	{ "kind", OPT_ENUM, "b", 0, 0, "a|b|c", "a kind", P(kind) },
	{ "set", OPT_ENUMSET, "a", 0, 0, "a|b|c", "a set", P(set), .matrix = true },
	OPT_END
};

static int parse(struct params *p, int argc, char **argv)
{
	struct opt_binding b = { table, p };
	int next;

	opt_set_defaults(table, p);
	return opt_parse_argv(&b, 1, argc, argv, &next);
}

static void test_defaults(void **state)
{
	struct params p;

	opt_set_defaults(table, &p);
	assert_false(p.flag);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.size, 4096);
	assert_true(p.x == 0.5);
	assert_null(p.name);
	assert_int_equal(p.kind, 1);
	assert_int_equal(p.set, 1);
}

static void test_good_values(void **state)
{
	char *argv[] = { "--flag", "--n=7", "--size",	"2M",	     "--x=1.5",
			 "--name", "hi",    "--kind=c", "--set=c,a", "rest" };
	struct params p;
	struct opt_binding b = { table, &p };
	int next;

	opt_set_defaults(table, &p);
	assert_int_equal(opt_parse_argv(&b, 1, ARRAY_SIZE(argv), argv, &next), FB_OK);
	assert_int_equal(next, 9);
	assert_true(p.flag);
	assert_int_equal(p.n, 7);
	assert_int_equal(p.size, 2 << 20);
	assert_true(p.x == 1.5);
	assert_string_equal(p.name, "hi");
	assert_int_equal(p.kind, 2);
	assert_int_equal(p.set, 5);
}

static void test_no_prefix_and_bool_words(void **state)
{
	char *argv1[] = { "--flag=on", "--no-flag" };
	char *argv2[] = { "--flag=yes" };
	struct params p;

	assert_int_equal(parse(&p, 2, argv1), FB_OK);
	assert_false(p.flag);
	assert_int_equal(parse(&p, 1, argv2), FB_OK);
	assert_true(p.flag);
}

static void expect_bad(const char *arg, const char *fragment)
{
	char *argv[] = { (char *)arg };
	struct params p;

	assert_int_equal(parse(&p, 1, argv), FB_USAGE);
	if (!strstr(fb_last_error(), fragment))
		fail_msg("'%s': message '%s' lacks '%s'", arg, fb_last_error(), fragment);
}

static void test_bad_values(void **state)
{
	expect_bad("--n=0", "option '--n': '0' is out of range");
	expect_bad("--n=11", "out of range");
	expect_bad("--n=3x", "is not an integer");
	expect_bad("--size=1k", "out of range");
	expect_bad("--size=lots", "is not a size");
	expect_bad("--x=nan", "is not a number");
	expect_bad("--kind=d", "is not one of a|b|c");
	expect_bad("--set=a,d", "has 'd'");
	expect_bad("--set=", "is empty");
	expect_bad("--flag=maybe", "is not on or off");
	expect_bad("--nope", "unknown option '--nope'");
	expect_bad("-q", "unknown option '-q'");
	expect_bad("--n", "needs a value");
}

static void test_help_flag(void **state)
{
	char *argv[] = { "--n=2", "--help" };
	struct params p;

	assert_int_equal(parse(&p, 2, argv), -1);
}

static void test_config_style(void **state)
{
	struct params p;
	struct opt_binding b = { table, &p };

	opt_set_defaults(table, &p);
	assert_int_equal(opt_set_by_name(&b, 1, "n", "4", "x.ini:3"), FB_OK);
	assert_int_equal(p.n, 4);
	assert_int_equal(opt_set_by_name(&b, 1, "n", "40", "x.ini:4"), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "x.ini:4: option 'n'"));
	assert_int_equal(opt_set_by_name(&b, 1, "zz", "1", "x.ini:5"), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "x.ini:5: unknown option 'zz'"));
}

static void test_format_and_json(void **state)
{
	struct params p;
	char buf[64];
	json_t *j;

	opt_set_defaults(table, &p);
	p.set = 6;
	opt_format(opt_find(table, "set"), &p, buf, sizeof(buf));
	assert_string_equal(buf, "b,c");
	opt_format(opt_find(table, "kind"), &p, buf, sizeof(buf));
	assert_string_equal(buf, "b");
	j = opt_to_json(table, &p);
	assert_int_equal(json_integer_value(json_object_get(j, "n")), 3);
	assert_string_equal(json_string_value(json_object_get(j, "set")), "b,c");
	assert_true(json_is_null(json_object_get(j, "name")));
	json_decref(j);
}

/* getopt_long()'s order: options between and after positionals, all after "--" positional. */
static void test_options_anywhere(void **state)
{
	char *argv[] = { "A", "--n", "4", "B", "--flag", "--", "--n=5", "C" };
	struct params p;
	struct opt_binding b = { table, &p };
	int npos;

	opt_set_defaults(table, &p);
	assert_int_equal(opt_parse_mixed(&b, 1, ARRAY_SIZE(argv), argv, &npos), FB_OK);
	assert_int_equal(npos, 4);
	assert_string_equal(argv[0], "A");
	assert_string_equal(argv[1], "B");
	assert_string_equal(argv[2], "--n=5");
	assert_string_equal(argv[3], "C");
	assert_int_equal(p.n, 4);
	assert_true(p.flag);
}

static int usage_calls;

static int count_usage(FILE *f)
{
	usage_calls++;
	return FB_USAGE;
}

/*
 * A subcommand's argv: defaults first; positionals end at argv[1..] in both
 * modes (not mixed: from the first one on, "--" dropped); --help calls usage.
 */
static void test_parse_command(void **state)
{
	char *plain[] = { "cmd", "--n", "4", "--", "x", "--n=5" };
	char *mixed[] = { "cmd", "A", "--flag", "B" };
	char *help[] = { "cmd", "--help" };
	struct params p;
	struct opt_binding b = { table, &p };
	int npos;

	p.n = 99;
	assert_int_equal(opt_parse_command(&b, ARRAY_SIZE(plain), plain, false, count_usage, &npos),
			 FB_OK);
	assert_int_equal(p.n, 4);
	assert_int_equal(npos, 2);
	assert_string_equal(plain[1], "x");
	assert_string_equal(plain[2], "--n=5");
	assert_int_equal(opt_parse_command(&b, ARRAY_SIZE(mixed), mixed, true, count_usage, &npos),
			 FB_OK);
	assert_int_equal(p.n, 3); /* the default again */
	assert_true(p.flag);
	assert_int_equal(npos, 2);
	assert_string_equal(mixed[1], "A");
	assert_string_equal(mixed[2], "B");
	usage_calls = 0;
	assert_int_equal(opt_parse_command(&b, ARRAY_SIZE(help), help, true, count_usage, &npos),
			 -1);
	assert_int_equal(usage_calls, 1);
}

struct list_params {
	struct opt_strlist names;
};

static const struct opt list_table[] = {
	{ .name = "name",
	  .type = OPT_STRLIST,
	  .help = "names",
	  .off = offsetof(struct list_params, names) },
	OPT_END,
};

/* A repeatable option keeps every value, in order; it prints and records them all. */
static void test_strlist(void **state)
{
	char *argv[] = { "--name", "a,b", "x", "--name=c" };
	struct list_params p;
	struct opt_binding b = { list_table, &p };
	char buf[64];
	json_t *j;
	int npos;

	opt_set_defaults(list_table, &p);
	assert_int_equal(p.names.n, 0);
	assert_int_equal(opt_parse_mixed(&b, 1, ARRAY_SIZE(argv), argv, &npos), FB_OK);
	assert_int_equal(npos, 1);
	assert_int_equal(p.names.n, 2);
	assert_string_equal(p.names.v[0], "a,b");
	assert_string_equal(p.names.v[1], "c");
	opt_format(&list_table[0], &p, buf, sizeof(buf));
	assert_string_equal(buf, "a,b,c");
	j = opt_to_json(list_table, &p);
	assert_string_equal(json_string_value(json_object_get(j, "name")), "a,b,c");
	json_decref(j);
	free(p.names.v);
}

/* The shipped run options table parses its own defaults (abort()s otherwise). */
static void test_run_options_defaults(void **state)
{
	struct run_opts ro;

	opt_set_defaults(run_options, &ro);
	assert_string_equal(ro.cpus, "pow2");
	assert_int_equal(ro.samples, 5);
	assert_true(ro.sample_time == 0.5);
	assert_true(ro.warmup == 1.0);
}

/* --store and --runs are taken out of argv before parsing, up to "--", the last one winning. */
static void test_take(void **state)
{
	char *argv[] = { "run",	 "pf1",	     "--store=a.db", "--cpus",	"1", "--store",
			 "b.db", "--storex", "--",	     "--store", "c", NULL };
	int argc = 11;
	const char *v = NULL;

	assert_int_equal(opt_take(&argc, argv, "store", &v), 2);
	assert_string_equal(v, "b.db");
	assert_int_equal(argc, 8);
	assert_string_equal(argv[2], "--cpus");
	assert_string_equal(argv[4], "--storex");
	assert_string_equal(argv[5], "--");
	assert_string_equal(argv[6], "--store");
	assert_string_equal(argv[7], "c");
	assert_null(argv[8]);
	/* none: argv and *value untouched */
	v = "kept";
	assert_int_equal(opt_take(&argc, argv, "runs", &v), 0);
	assert_string_equal(v, "kept");
	assert_int_equal(argc, 8);
	/* a last "--runs" without its value gives "" */
	char *argv2[] = { "suite", "q.ini", "--runs", NULL };
	int argc2 = 3;

	assert_int_equal(opt_take(&argc2, argv2, "runs", &v), 1);
	assert_string_equal(v, "");
	assert_int_equal(argc2, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_no_prefix_and_bool_words),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_help_flag),
		cmocka_unit_test(test_config_style),
		cmocka_unit_test(test_format_and_json),
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_strlist),
		cmocka_unit_test(test_parse_command),
		cmocka_unit_test(test_run_options_defaults),
		cmocka_unit_test(test_take),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests_name("opt", tests, NULL, NULL);
}
