// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the fault benchmark's --page check (bench/fault.c): the
 * default gives no advice and runs on every kernel, 4k and thp are madvise()
 * calls that a kernel without THP refuses, so they are skipped there with a
 * message at check time, not an EINVAL in a worker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fault_priv.h"
#include "util.h"

#define BIT(x) (1u << (x))

static void test_default_runs_everywhere(void **state)
{
	(void)state;
	assert_int_equal(fault_check_page(BIT(PAGE_DEFAULT), NULL), FB_OK);
	assert_int_equal(fault_check_page(BIT(PAGE_DEFAULT), "never"), FB_OK);
	assert_int_equal(fault_check_page(BIT(PAGE_DEFAULT), "always"), FB_OK);
}

static void test_no_thp_kernel(void **state)
{
	(void)state;
	assert_int_equal(fault_check_page(BIT(PAGE_4K), NULL), FB_SKIP);
	assert_non_null(strstr(fb_last_error(), "--page=4k"));
	assert_non_null(strstr(fb_last_error(), "--page=default"));
	assert_int_equal(fault_check_page(BIT(PAGE_DEFAULT) | BIT(PAGE_THP), NULL), FB_SKIP);
	assert_non_null(strstr(fb_last_error(), "--page=thp"));
}

static void test_thp_modes(void **state)
{
	(void)state;
	assert_int_equal(fault_check_page(BIT(PAGE_4K), "never"), FB_OK);
	assert_int_equal(fault_check_page(BIT(PAGE_THP), "never"), FB_SKIP);
	assert_int_equal(fault_check_page(BIT(PAGE_4K) | BIT(PAGE_THP), "madvise"), FB_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_runs_everywhere),
		cmocka_unit_test(test_no_thp_kernel),
		cmocka_unit_test(test_thp_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
