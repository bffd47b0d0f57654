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
#include <cmocka.h>

#include "registry.h"
#include "selftest.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets_match_registry),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_bare_loop_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
