// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/guest_run.c: the guest's "run BENCH OPTIONS" prepared on
 * the host as run prepares it (engine/prepare.c) and checked against the
 * guest's topology, so that what the guest would refuse is refused before a
 * boot, and what it would accept is never refused here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "vm.h"

#define ARGC(a) ((int)ARRAY_SIZE(a) - 1)

static int check(const char *numa, long long smt, bool shell, char **argv, int argc)
{
	struct vm_opts o;

	opt_set_defaults(vm_options, &o);
	o.numa = numa;
	o.smt = smt;
	o.shell = shell;
	return vm_check_guest_run(&o, argc, argv);
}

#define CHECK(numa, smt, ...)                                                                      \
	check(numa, smt, false, (char *[]){ __VA_ARGS__, NULL },                                   \
	      (int)ARRAY_SIZE(((char *[]){ __VA_ARGS__ })))

static void accepted(void **state)
{
	(void)state;
	assert_int_equal(CHECK("2x4", 1, "run", "pf1"), FB_OK);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--cpus", "walk", "--mem", "node:1"), FB_OK);
	assert_int_equal(CHECK("4x16", 2, "run", "nopage", "--cpus", "1,2,64", "--placement",
			       "spread", "--store", "none", "--runs=2"),
			 FB_OK);
	assert_int_equal(CHECK("1x2", 1, "run", "fault", "--page=4k,thp", "--cpus", "max"), FB_OK);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--cpus", "16", "--oversubscribe"), FB_OK);
	/* the guest's help, another command, options before the benchmark, a shell line */
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--help"), FB_OK);
	assert_int_equal(CHECK("2x4", 1, "topo", "--cpus", "999"), FB_OK);
	/* BENCH after options, as run takes it (engine/runargs.c) */
	assert_int_equal(CHECK("2x4", 1, "run", "--cpus", "1", "pf1"), FB_OK);
	assert_int_equal(
	    CHECK("2x4", 1, "run", "--runs", "2", "--store", "none", "-o", "x/", "pf1"), FB_OK);
	assert_int_equal(CHECK("2x4", 1, "run", "--cpus", "8"), FB_OK);
	assert_int_equal(check("2x4", 1, true, (char *[]){ "run", "nonsense", NULL }, 2), FB_OK);
}

static void refused(void **state)
{
	(void)state;
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--cpus", "9"), FB_USAGE);
	assert_string_equal(fb_last_error(), "vm: the guest's command was refused on the host, "
					     "before a boot (a guest of --numa 2x4, --smt 1)");
	assert_int_equal(CHECK("2x4", 1, "run", "pf9"), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "vm: the guest's command was refused on the host"));
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--bogus"), FB_USAGE);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--samples", "0"), FB_USAGE);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--label", "../x"), FB_USAGE);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--topology", "pack:1 pu:1"), FB_USAGE);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "stray"), FB_USAGE);
	assert_int_equal(CHECK("2x4", 1, "run", "--cpus", "9", "pf1"), FB_USAGE);
	assert_int_equal(CHECK("1x2", 1, "run", "pf1", "--profile", "--profile-cpus", "3"),
			 FB_USAGE);
	/* a node the guest lacks: the guest's run says so (a skip there) */
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--mem", "node:2"), FB_OK);
	assert_int_equal(CHECK("2x4", 1, "run", "pf1", "--mem", "bogus"), FB_USAGE);
	/* a malformed --numa is the topology's error */
	assert_int_equal(CHECK("2y4", 1, "run", "pf1"), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "option '--numa'"));
}

static void topology_spec(void **state)
{
	struct vm_topology t = { .nodes = 4, .cpus_per_node = 16, .smt = 2 };
	char *s = vm_guest_topology_spec(&t);

	(void)state;
	assert_string_equal(s, "pack:4 numa:1 core:8 pu:2");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(accepted),
		cmocka_unit_test(refused),
		cmocka_unit_test(topology_spec),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
