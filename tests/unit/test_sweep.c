// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of a run's variants (engine/sweep.c): one per combination of
 * the matrix options' values, named by the values of the options given
 * several, --knob's values innermost and first in the name; and the perf -C
 * list of a step's PUs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sweep.h"
#include "util.h"

struct toy_params {
	unsigned buffer, sharing, single;
	long long size;
};

#define P(field) offsetof(struct toy_params, field)

static const struct opt toy_opts[] = { { .name = "buffer",
					 .type = OPT_ENUMSET,
					 .def = "4k,thp",
					 .choices = "4k|thp|hugetlb",
					 .matrix = true,
					 .off = P(buffer) },
				       { .name = "sharing",
					 .type = OPT_ENUMSET,
					 .def = "own,shared",
					 .choices = "own|shared",
					 .matrix = true,
					 .off = P(sharing) },
				       { .name = "single",
					 .type = OPT_ENUMSET,
					 .def = "b",
					 .choices = "a|b",
					 .matrix = true,
					 .off = P(single) },
				       OPT_END };

static const struct bench toy = {
	.name = "toy",
	.opts = toy_opts,
	.params_size = sizeof(struct toy_params),
};

static void test_matrix_combinations(void **state)
{
	struct toy_params p = { .buffer = 0x3, .sharing = 0x3, .single = 0x2, .size = 7 };
	static const char *const names[] = { "4k/own", "thp/own", "4k/shared", "thp/shared" };
	struct sweep sw = { 0 };

	sweep_variants(&sw, &toy, &p);
	assert_int_equal(sw.nvariants, 4);
	for (unsigned v = 0; v < 4; v++) {
		const struct toy_params *vp = sw.variants[v].params;

		/* one value each; an option given one value names nothing */
		assert_string_equal(sw.variants[v].name, names[v]);
		assert_int_equal(vp->buffer, 1u << (v % 2));
		assert_int_equal(vp->sharing, 1u << (v / 2));
		assert_int_equal(vp->single, 0x2);
		assert_int_equal(vp->size, 7);
	}
	sweep_free(&sw);
	assert_int_equal(sw.nvariants, 0);
}

static void test_knob_innermost(void **state)
{
	struct toy_params p = { .buffer = 0x5, .sharing = 0x1, .single = 0x1 };
	struct knob k = { .name = "enabled", .values = { "never", "always" }, .nvalues = 2 };
	struct sweep sw = { .knob = &k };

	sweep_variants(&sw, &toy, &p);
	assert_int_equal(sw.nvariants, 4);
	assert_string_equal(sw.variants[0].name, "enabled=never/4k");
	assert_string_equal(sw.variants[1].name, "enabled=always/4k");
	assert_string_equal(sw.variants[2].name, "enabled=never/hugetlb");
	assert_string_equal(sw.variants[3].name, "enabled=always/hugetlb");
	assert_int_equal(sw.variants[1].knob_value, 1);
	assert_int_equal(((struct toy_params *)sw.variants[2].params)->buffer, 0x4);
	sweep_free(&sw);

	/* no matrix option with several values: the knob's value alone */
	p.buffer = 0x1;
	sweep_variants(&sw, &toy, &p);
	assert_int_equal(sw.nvariants, 2);
	assert_string_equal(sw.variants[0].name, "enabled=never");
	sweep_free(&sw);
}

static void test_pu_list(void **state)
{
	unsigned pus[] = { 0, 4, 0, 1, 4 };
	struct cpu_step cs = { .ncpus = 5, .pus = pus };
	char *list = sweep_pu_list(&cs);

	/* --oversubscribe puts workers on a PU twice: perf names it once */
	assert_string_equal(list, "0,4,1");
	free(list);
	cs.ncpus = 1;
	list = sweep_pu_list(&cs);
	assert_string_equal(list, "0");
	free(list);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrix_combinations),
		cmocka_unit_test(test_knob_innermost),
		cmocka_unit_test(test_pu_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
