// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the one preparation of a run (engine/prepare.c) where it is
 * pure: the order of defaults, run defaults, preset and the user's options,
 * the "given by the user" flags of lib/opt that the size rule asks, and
 * --profile-cpus against a plan.  The checks against this machine are
 * exercised by tests/e2e/test_prepare.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "opt.h"
#include "prepare.h"
#include "registry.h"
#include "util.h"

/* The value of option name of the prepared plan, as it would be typed. */
static const char *value_of(struct run_prep *p, const char *name)
{
	static char buf[64];
	struct opt_binding b[2];
	unsigned nb = run_prep_bindings(p, b);

	for (unsigned i = 0; i < nb; i++) {
		const struct opt *o = opt_find(b[i].table, name);

		if (o) {
			opt_format(o, b[i].params, buf, sizeof(buf));
			return buf;
		}
	}
	return NULL;
}

static int parse(struct run_prep *p, int argc, char **argv)
{
	struct opt_binding b[2];
	unsigned nb = run_prep_bindings(p, b);
	int next;

	return opt_parse_argv(b, nb, argc, argv, &next);
}

/* A preset's values and a benchmark's run defaults are set, not given. */
static void test_builtin_not_given(void **state)
{
	struct run_prep p;

	(void)state;
	run_prep_init(&p, bench_lookup("pf2"));
	assert_string_equal(value_of(&p, "backing"), "tmpfs"); /* the preset */
	assert_string_equal(value_of(&p, "size"), "134217728");
	assert_false(run_prep_given(&p, "size"));
	assert_false(run_prep_given(&p, "backing"));
	run_prep_free(&p);

	run_prep_init(&p, bench_lookup("aim9"));
	assert_string_equal(value_of(&p, "mode"), "processes"); /* its run defaults */
	assert_false(run_prep_given(&p, "mode"));
	run_prep_free(&p);
}

/* The user's options come after the preset's and are flagged given. */
static void test_user_options_given(void **state)
{
	char *argv[] = { "--size=4M", "--cpus", "1", "--no-progress", "--backing", "anon" };
	struct run_prep p;

	(void)state;
	run_prep_init(&p, bench_lookup("pf2"));
	assert_int_equal(parse(&p, 6, argv), FB_OK);
	assert_string_equal(value_of(&p, "size"), "4194304");
	assert_string_equal(value_of(&p, "backing"), "anon");
	assert_true(run_prep_given(&p, "size"));
	assert_true(run_prep_given(&p, "cpus"));
	assert_true(run_prep_given(&p, "progress")); /* --no-X is given too */
	assert_false(run_prep_given(&p, "samples"));
	assert_false(run_prep_given(&p, "map")); /* the preset's */
	assert_false(run_prep_given(&p, "no-such-option"));
	run_prep_free(&p);
}

/* A config key is given like a command-line option; a refused value is not. */
static void test_config_keys_given(void **state)
{
	struct opt_binding b[2];
	struct run_prep p;
	unsigned nb;

	(void)state;
	run_prep_init(&p, bench_lookup("pf1"));
	nb = run_prep_bindings(&p, b);
	assert_int_equal(opt_set_by_name(b, nb, "size", "8M", "x.ini:2"), FB_OK);
	assert_int_equal(opt_set_by_name(b, nb, "samples", "many", "x.ini:3"), FB_USAGE);
	assert_true(run_prep_given(&p, "size"));
	assert_false(run_prep_given(&p, "samples"));
	run_prep_free(&p);
}

/* Without a given flag array (built-in values), nothing is flagged. */
static void test_opt_given_without_flags(void **state)
{
	struct run_opts ro;
	struct opt_binding b = { run_options, &ro, NULL };
	char *argv[] = { "--cpus=1" };
	int next;

	(void)state;
	opt_set_defaults(run_options, &ro);
	assert_int_equal(opt_parse_argv(&b, 1, 1, argv, &next), FB_OK);
	assert_false(opt_given(&b, "cpus"));
	assert_true(opt_count(run_options) > 10);
}

static struct cpu_plan plan_of(unsigned n, const unsigned *counts)
{
	struct cpu_plan plan = { n, xcalloc(n, sizeof(struct cpu_step)) };

	for (unsigned i = 0; i < n; i++)
		plan.steps[i].ncpus = counts[i];
	return plan;
}

static void test_profile_choose(void **state)
{
	static const unsigned steps[] = { 1, 2, 4 };
	struct cpu_plan plan = plan_of(3, steps);
	unsigned *c, n;
	bool profile = false;

	(void)state;
	/* neither --profile nor --profile-cpus: nothing profiled */
	assert_int_equal(run_prep_profile_choose(NULL, &profile, &plan, &c, &n), FB_OK);
	assert_int_equal(n, 0);
	free(c);
	/* --profile: the largest step */
	profile = true;
	assert_int_equal(run_prep_profile_choose(NULL, &profile, &plan, &c, &n), FB_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c[0], 4);
	free(c);
	/* --profile-cpus implies --profile */
	profile = false;
	assert_int_equal(run_prep_profile_choose("1,4", &profile, &plan, &c, &n), FB_OK);
	assert_true(profile);
	assert_int_equal(n, 2);
	assert_int_equal(c[0], 1);
	assert_int_equal(c[1], 4);
	free(c);
	assert_int_equal(run_prep_profile_choose("all", &profile, &plan, &c, &n), FB_OK);
	assert_int_equal(n, 3);
	free(c);
	/* a count that is no step, or no count at all, is refused */
	assert_int_equal(run_prep_profile_choose("3", &profile, &plan, &c, &n), FB_USAGE);
	free(c);
	assert_int_equal(run_prep_profile_choose("abc", &profile, &plan, &c, &n), FB_USAGE);
	free(c);
	free(plan.steps);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_not_given),
		cmocka_unit_test(test_user_options_given),
		cmocka_unit_test(test_config_keys_given),
		cmocka_unit_test(test_opt_given_without_flags),
		cmocka_unit_test(test_profile_choose),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
