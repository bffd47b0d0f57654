// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of bench/selftest.c: the bare loop's idea of each preset is
 * the preset's (bench/registry.c) option for option, the judge fails a
 * point outside either bound and says which, and the bare loop itself runs
 * and counts one fault per page of private anonymous memory.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "registry.h"
#include "runopts.h"
#include "selftest.h"
#include "util.h"

static bool has(const char *preset, const char *opt)
{
	return strstr(preset, opt) != NULL;
}

static void test_presets_match_registry(void **state)
{
	char size[32];

	(void)state;
	for (const struct selftest_preset *p = selftest_presets; p->name; p++) {
		const struct bench_entry *e = bench_lookup(p->name);

		assert_non_null(e);
		assert_non_null(e->preset);
		assert_true(has(e->preset, p->file ? "--backing=tmpfs" : "--backing=anon"));
		assert_true(has(e->preset, p->shared ? "--map=shared" : "--map=private"));
		assert_true(has(e->preset, p->write ? "--touch=write" : "--touch=read"));
		assert_true(has(e->preset, p->same ? "--sharing=same" : "--sharing=own"));
		snprintf(size, sizeof(size), "--size=%zuM", p->size >> 20);
		/* a preset without --size has the fault benchmark's default, 64M */
		assert_true(has(e->preset, size) ||
			    (!has(e->preset, "--size") && p->size == 64 << 20));
		/* nothing else: an option the bare loop does not copy would go unnoticed */
		assert_false(has(e->preset, "--page") || has(e->preset, "--zap") ||
			     has(e->preset, "--file-state") || has(e->preset, "--fault-around"));
	}
	assert_null(selftest_preset("pf9"));
}

static void test_judge(void **state)
{
	char why[128];
	struct selftest_point ok = { .ratio = 0.95, .harness_ppf = 11.8, .bare_ppf = 11.75 };
	struct selftest_point slow = { .ratio = 0.5, .harness_ppf = 1, .bare_ppf = 1 };
	struct selftest_point huge = { .ratio = 1.0, .harness_ppf = 512, .bare_ppf = 1 };
	struct selftest_point nan = { .ratio = NAN, .harness_ppf = 1, .bare_ppf = 1 };

	(void)state;
	assert_true(selftest_judge(&ok, 0.1, 0.01, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_false(selftest_judge(&slow, 0.1, 0.01, why, sizeof(why)));
	assert_non_null(strstr(why, "ratio 0.500"));
	assert_true(selftest_judge(&slow, 0.6, 0.01, why, sizeof(why)));
	assert_false(selftest_judge(&huge, 0.1, 0.01, why, sizeof(why)));
	assert_non_null(strstr(why, "pages/fault"));
	assert_false(selftest_judge(&nan, 10, 10, why, sizeof(why)));
	/* outside the bound, inside the bare loop's own spread: unsteady, not a failure */
	slow.ratio = 0.8;
	slow.bare_spread = 0.3;
	assert_int_equal(selftest_judge(&slow, 0.1, 0.01, why, sizeof(why)), SELFTEST_UNSTEADY);
	assert_non_null(strstr(why, "own spread of 30.0%"));
	slow.ratio = 0.6;
	assert_int_equal(selftest_judge(&slow, 0.1, 0.01, why, sizeof(why)), SELFTEST_FAIL);
	/* pages per fault against their own spread: 512 against 1 is never within it */
	huge.bare_spread = 1000;
	huge.bare_ppf_spread = 0.02;
	assert_int_equal(selftest_judge(&huge, 0.1, 0.01, why, sizeof(why)), SELFTEST_FAIL);
	huge.harness_ppf = 1.015;
	assert_int_equal(selftest_judge(&huge, 0.1, 0.01, why, sizeof(why)), SELFTEST_UNSTEADY);
	assert_non_null(strstr(why, "pages/fault 1.015"));
}

static void test_bare_loop_counts(void **state)
{
	const struct selftest_preset *pf1 = selftest_preset("pf1");
	struct bare_result r;
	unsigned cpu = 0;
	const char *what;

	(void)state;
	struct bare_spec s = {
		.p = pf1, .size = 1 << 20, .cpus = &cpu, .n = 1, .secs = 0.01, .counters = -1
	};

	assert_int_equal(bare_loop_run(&s, &r, &what), 0);
	assert_true(r.pages >= 256 && r.pages % 256 == 0);
	assert_true(r.pages_per_s > 0);
	/* private anonymous stores: one fault per page, whole passes only */
	assert_true(r.faults >= r.pages && r.faults <= r.pages + r.pages / 64);
}

/* With the harness's counters on its thread the loop runs and counts the same. */
static void test_bare_loop_with_counters(void **state)
{
	const struct selftest_preset *pf1 = selftest_preset("pf1");
	struct bare_result r;
	unsigned cpu = 0;
	const char *what;
	struct bare_spec s = { .p = pf1,
			       .size = 1 << 20,
			       .cpus = &cpu,
			       .n = 1,
			       .secs = 0.01,
			       .counters = COUNTERS_FULL };

	(void)state;
	assert_int_equal(bare_loop_fork(&s, &r, &what), 0);
	assert_true(r.pages >= 256 && r.faults >= r.pages && r.cpu_ns > 0);
	s.counters = COUNTERS_MINIMAL;
	assert_int_equal(bare_loop_run(&s, &r, &what), 0);
	assert_true(r.pages >= 256 && r.faults >= r.pages && r.cpu_ns > 0);
}

static bool argv_has(const struct harness_cmd *c, const char *arg)
{
	for (unsigned i = 0; c->argv[i]; i++)
		if (!strcmp(c->argv[i], arg))
			return true;
	return false;
}

/* The harness's command: the preset, its backing and directory, --counters when asked. */
static void test_harness_cmd(void **state)
{
	struct selftest_opts o = { .time = 2, .warmup = 1 };
	struct selftest_ctx pc = { .o = &o,
				   .p = selftest_preset("pf3"),
				   .backing = "file",
				   .file_dir = "/d",
				   .ncpus = 2 };
	struct harness_cmd c;

	(void)state;
	harness_cmd_build(&c, &pc, "out.json");
	assert_string_equal(c.argv[0], "faultbench");
	assert_string_equal(c.argv[2], "pf3");
	assert_true(argv_has(&c, "--backing=file") && argv_has(&c, "--dir=/d"));
	assert_true(argv_has(&c, "--sample-time") && argv_has(&c, "0.5"));
	assert_true(argv_has(&c, "out.json") && argv_has(&c, "2"));
	for (unsigned i = 0; c.argv[i]; i++)
		assert_null(strstr(c.argv[i], "--counters"));
	harness_cmd_free(&c);
	o.counters = 1 + COUNTERS_NONE;
	o.size = 4 << 20;
	pc.backing = "tmpfs";
	harness_cmd_build(&c, &pc, "out.json");
	assert_true(argv_has(&c, "--counters=none") && argv_has(&c, "--tmpfs-dir=/d"));
	assert_true(argv_has(&c, "--size=4194304"));
	harness_cmd_free(&c);
}

/* A result file's figures: pages/s, pages/fault, the unsampled share and the PUs. */
static void test_harness_read(void **state)
{
	char path[] = "/tmp/test_selftest_XXXXXX";
	int fd = mkstemp(path);
	struct harness_fig h;
	const char *doc =
	    "{\"steps\": [{\"pus\": [1, 0], \"metrics\": {\"pages/s\": {\"value\": 1000.5},"
	    " \"pages/fault\": {\"value\": 11.8}}, \"extra\": {\"faults\": {\"total\": 400,"
	    " \"unsampled\": 100}}, \"samples\": [{\"t\": 0.5, \"interference\": {\"share\":"
	    " [0.5, 1.0]}, \"workers\": [{\"count\": [1000, 1]}, {\"count\": [500, 1]}]}]}]}";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	assert_int_equal(harness_read(path, &h), FB_OK);
	assert_true(h.pages_per_s == 1000.5 && h.ppf == 11.8 && h.unsampled_share == 0.25);
	/* (0.5 * 0.5 s + 1.0 * 0.5 s) of CPU over 1500 pages */
	assert_true(fabs(h.cpu_ns_per_page - 0.75e9 / 1500) < 1e-6);
	assert_int_equal(h.npus, 2);
	assert_int_equal(h.pus[0], 1);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, "{}", 2), 2);
	close(fd);
	assert_int_equal(harness_read(path, &h), FB_FAIL);
	unlink(path);
}

/* Arms alternate ABC CBA; the summary is medians of per-round differences. */
static void test_cost_summary(void **state)
{
	struct bare_result r[3][COST_ARMS] = {
		{ { 100, 1000, 1000, 1000000 },
		  { 99, 1000, 1000, 1010000 },
		  { 95, 1000, 1000, 1050000 } },
		{ { 50, 1000, 1000, 2000000 },
		  { 49, 1000, 1000, 2010000 },
		  { 46, 1000, 1000, 2060000 } },
		{ { 100, 1000, 1000, 1000000 },
		  { 100, 1000, 1000, 1020000 },
		  { 94, 1000, 1000, 1040000 } },
	};
	struct cost_fig f;

	(void)state;
	assert_int_equal(cost_arm_order(0, 0), COST_NONE);
	assert_int_equal(cost_arm_order(0, 2), COST_FULL);
	assert_int_equal(cost_arm_order(1, 0), COST_FULL);
	assert_int_equal(cost_arm_order(1, 2), COST_NONE);
	cost_summarize((const struct bare_result(*)[COST_ARMS])r, 3, &f);
	assert_true(f.ns_per_fault[COST_NONE] == 1000);
	assert_true(f.extra_ns[COST_NONE] == 0);
	assert_true(f.extra_ns[COST_MINIMAL] == 10);		   /* 10, 10, 20 */
	assert_true(f.extra_ns[COST_FULL] == 50);		   /* 50, 60, 40 */
	assert_true(fabs(f.rate_ratio[COST_FULL] - 0.94) < 1e-12); /* 0.95, 0.92, 0.94 */
	assert_true(f.ppf[COST_FULL] == 1);
}

static void test_check_opts(void **state)
{
	struct selftest_opts o = { .presets = "pf1,nopage", .backings = "file" };

	(void)state;
	assert_int_equal(selftest_check_opts(&o), FB_OK);
	o.presets = "pf1,pf9";
	assert_int_equal(selftest_check_opts(&o), FB_USAGE);
	o.presets = "pf1";
	o.backings = "tmpfs,nfs";
	assert_int_equal(selftest_check_opts(&o), FB_USAGE);
	assert_true(selftest_in_list("a,bb,c", "bb"));
	assert_false(selftest_in_list("a,bbb,c", "bb"));
	assert_false(selftest_in_list(NULL, "a"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets_match_registry),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_bare_loop_counts),
		cmocka_unit_test(test_bare_loop_with_counters),
		cmocka_unit_test(test_harness_cmd),
		cmocka_unit_test(test_harness_read),
		cmocka_unit_test(test_cost_summary),
		cmocka_unit_test(test_check_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
