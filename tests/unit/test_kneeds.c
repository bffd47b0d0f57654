// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/kneeds.c: the kernel features a vm guest's command asks
 * for, found in every form an option can take (arguments, a shell line, a
 * suite config), and judged against a .config text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "kneeds.h"
#include "util.h"

#define MAX 16

/* The symbols found, space-separated, into buf. */
static const char *syms(int argc, const char *const *argv, int shell, const char *ini,
			unsigned nodes, char *buf, size_t len)
{
	struct kneed k[MAX];
	size_t n = kneeds_find(argc, argv, shell, ini, nodes, k, MAX);

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? " " : "", k[i].sym);
	kneeds_free(k, n);
	return buf;
}

#define LIST(...) ((const char *const[]){ __VA_ARGS__ })
/* argc, argv of a literal list */
#define ARGS(...) (int)ARRAY_SIZE(LIST(__VA_ARGS__)), LIST(__VA_ARGS__)

static void options_forms(void **state)
{
	char b[512];

	(void)state;
	/* the default command needs nothing on a 1-node guest */
	assert_string_equal(syms(ARGS("run", "pf1"), 0, NULL, 1, b, sizeof(b)), "");
	assert_string_equal(syms(ARGS("run", "fault", "--page=thp"), 0, NULL, 1, b, sizeof(b)),
			    "CONFIG_TRANSPARENT_HUGEPAGE");
	assert_string_equal(
	    syms(ARGS("run", "fault", "--page", "4k,thp"), 0, NULL, 1, b, sizeof(b)),
	    "CONFIG_TRANSPARENT_HUGEPAGE");
	/* fault's 4k is MADV_NOHUGEPAGE, which a kernel without THP refuses too */
	assert_string_equal(syms(ARGS("run", "fault", "--page=4k"), 0, NULL, 1, b, sizeof(b)),
			    "CONFIG_TRANSPARENT_HUGEPAGE");
	assert_string_equal(syms(ARGS("run", "fault", "--page=default"), 0, NULL, 1, b, sizeof(b)),
			    "");
	/* "thpx" is not thp, and a value that merely contains it neither */
	assert_string_equal(syms(ARGS("run", "fault", "--page=thpx"), 0, NULL, 1, b, sizeof(b)),
			    "");
	assert_string_equal(
	    syms(ARGS("run", "dio", "--buffer=hugetlb,thp"), 0, NULL, 1, b, sizeof(b)),
	    "CONFIG_TRANSPARENT_HUGEPAGE CONFIG_HUGETLBFS");
	/* switches: bare, =on, --no- */
	assert_string_equal(
	    syms(ARGS("run", "pf1", "--profile", "--cpus", "1"), 0, NULL, 1, b, sizeof(b)),
	    "CONFIG_PERF_EVENTS");
	assert_string_equal(syms(ARGS("run", "pf1", "--profile=off"), 0, NULL, 1, b, sizeof(b)),
			    "");
	assert_string_equal(syms(ARGS("run", "pf1", "--no-profile"), 0, NULL, 1, b, sizeof(b)), "");
	assert_string_equal(
	    syms(ARGS("run", "pagelock", "--no-fault-around"), 0, NULL, 1, b, sizeof(b)),
	    "CONFIG_USERFAULTFD");
	assert_string_equal(
	    syms(ARGS("run", "pagelock", "--large-folios", "on"), 0, NULL, 1, b, sizeof(b)),
	    "CONFIG_TRANSPARENT_HUGEPAGE");
	/* --mem: anything but local; --event: any */
	assert_string_equal(syms(ARGS("run", "pf1", "--mem", "local"), 0, NULL, 1, b, sizeof(b)),
			    "");
	assert_string_equal(syms(ARGS("run", "pf1", "--mem=node:1", "--event", "dTLB-load-misses"),
				 0, NULL, 1, b, sizeof(b)),
			    "CONFIG_NUMA CONFIG_PERF_EVENTS");
	/* a guest of several nodes needs NUMA from ACPI, once each */
	assert_string_equal(syms(ARGS("run", "pf1", "--mem=interleave"), 0, NULL, 2, b, sizeof(b)),
			    "CONFIG_NUMA CONFIG_ACPI_NUMA");
}

static void shell_and_ini(void **state)
{
	char b[512];
	const char *ini = "[global]\n; page = thp is a comment\ncpus = 1\n\n[fault]\n"
			  "  page   =  4k,thp \r\n[pf1]\nprofile = yes\n";

	(void)state;
	assert_string_equal(syms(ARGS("faultbench run fault --page 'thp' && faultbench run pf1 "
				      "--event=\"cycles\""),
				 1, NULL, 1, b, sizeof(b)),
			    "CONFIG_TRANSPARENT_HUGEPAGE CONFIG_PERF_EVENTS");
	assert_string_equal(syms(ARGS("suite", "x.ini"), 0, ini, 1, b, sizeof(b)),
			    "CONFIG_TRANSPARENT_HUGEPAGE CONFIG_PERF_EVENTS");
	assert_string_equal(
	    syms(ARGS("suite", "x.ini"), 0, "[a]\npage=default\nmem = local\n", 1, b, sizeof(b)),
	    "");
}

static void judged_against_config(void **state)
{
	const char *rt =
	    "CONFIG_NUMA=y\nCONFIG_PERF_EVENTS=y\n# CONFIG_TRANSPARENT_HUGEPAGE is not set\n";
	struct kneed k[MAX];
	const struct kneed *u;
	size_t n;

	(void)state;
	n = kneeds_find(ARGS("run", "fault", "--page=thp", "--mem", "node:1"), 0, NULL, 1, k, MAX);
	assert_int_equal(n, 2);
	u = kneeds_unmet(rt, k, n);
	assert_non_null(u);
	assert_string_equal(u->sym, "CONFIG_TRANSPARENT_HUGEPAGE");
	assert_non_null(strstr(u->why, "--page=thp"));
	assert_non_null(strstr(u->why, "transparent huge pages"));
	/* no .config: not judged */
	assert_null(kneeds_unmet(NULL, k, n));
	kneeds_free(k, n);
	n = kneeds_find(ARGS("run", "pf1", "--mem", "node:1"), 0, NULL, 2, k, MAX);
	assert_null(kneeds_unmet("CONFIG_NUMA=y\nCONFIG_ACPI_NUMA=y\n", k, n));
	assert_string_equal(kneeds_unmet("CONFIG_NUMA=y\n", k, n)->sym, "CONFIG_ACPI_NUMA");
	kneeds_free(k, n);
	/* more needs than room: bounded */
	n = kneeds_find(ARGS("run", "dio", "--buffer=hugetlb,thp", "--profile"), 0, NULL, 2, k, 2);
	assert_int_equal(n, 2);
	kneeds_free(k, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_forms),
		cmocka_unit_test(shell_and_ini),
		cmocka_unit_test(judged_against_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
