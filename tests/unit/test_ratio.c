// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of engine/ratio.c: the totals a ratio metric divides, per sample
 * and over the step (sum over sum, not the mean of ratios), scale, and no
 * figure (NAN) for a zero denominator.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ratio.h"
#include "util.h"

/* Two workers, two samples of 1 s and 3 s. */
static void make_step(struct step_result *r)
{
	static uint64_t count[2][2][FB_MAX_COUNTERS] = {
		{ { 10, 1 }, { 30, 2 } },
		{ { 100, 0 }, { 200, 0 } },
	};
	static uint64_t minflt[2][2] = { { 4, 6 }, { 0, 0 } };
	static uint64_t majflt[2][2] = { { 0, 0 }, { 0, 0 } };
	static uint64_t ev[2][2][FB_MAX_EVENTS] = {
		{ { 5, 10 }, { 5, 10 } },
		{ { 0, 1 }, { 0, 2 } },
	};
	static struct sample samples[2];

	memset(r, 0, sizeof(*r));
	r->ncpus = 2;
	r->nsamples = 2;
	r->samples = samples;
	for (unsigned s = 0; s < 2; s++) {
		samples[s] = (struct sample){ .t = s ? 3 : 1,
					      .count = count[s],
					      .minflt = minflt[s],
					      .majflt = majflt[s],
					      .ev = ev[s] };
	}
}

static void free_metrics(struct step_result *r)
{
	for (unsigned m = 0; m < r->nmetrics; m++)
		free(r->metrics[m].v);
	free(r->metrics);
}

static void test_totals(void **state)
{
	struct step_result r;

	make_step(&r);
	assert_true(step_total(&r, 0, STEP_TOTAL(TOTAL_COUNT, 0)) == 40);
	assert_true(step_total(&r, 0, STEP_TOTAL(TOTAL_COUNT, 1)) == 3);
	assert_true(step_total(&r, 0, STEP_TOTAL(TOTAL_FAULTS, 0)) == 10);
	assert_true(step_total(&r, 1, STEP_TOTAL(TOTAL_MAJFAULTS, 0)) == 0);
	assert_true(step_total(&r, 0, STEP_TOTAL(TOTAL_EVENT, 1)) == 20);
	assert_true(step_total(&r, 1, STEP_TOTAL(TOTAL_TIME, 0)) == 3);
	assert_true(step_total(&r, 1, STEP_TOTAL(TOTAL_CPU_TIME, 0)) == 6);
	/* a sample without perf events counts none */
	r.samples[1].ev = NULL;
	assert_true(step_total(&r, 1, STEP_TOTAL(TOTAL_EVENT, 0)) == 0);
}

static void test_ratio(void **state)
{
	struct step_result r;
	struct metric *m;

	make_step(&r);
	m = step_add_ratio(&r, "pages/s", true, STEP_TOTAL(TOTAL_COUNT, 0),
			   STEP_TOTAL(TOTAL_TIME, 0), 1);
	assert_string_equal(m->name, "pages/s");
	assert_true(m->higher_better);
	assert_int_equal(m->n, 2);
	assert_true(m->v[0] == 40);
	assert_true(m->v[1] == 100);
	/* over the step: 340 pages in 4 s, not the mean of 40 and 100 */
	assert_true(m->value == 85);

	/* no faults in the second sample: no figure for it, the step's still counts */
	m = step_add_ratio(&r, "sleeps/1000faults", false, STEP_TOTAL(TOTAL_EVENT, 0),
			   STEP_TOTAL(TOTAL_FAULTS, 0), 1000);
	assert_false(m->higher_better);
	assert_true(m->v[0] == 1000);
	assert_true(isnan(m->v[1]));
	assert_true(m->value == 1000);

	/* nothing at all below the line: NAN, not 0 or infinity */
	m = step_add_ratio(&r, "x/majfault", true, STEP_TOTAL(TOTAL_COUNT, 0),
			   STEP_TOTAL(TOTAL_MAJFAULTS, 0), 1);
	assert_true(isnan(m->value));
	assert_int_equal(r.nmetrics, 3);
	free_metrics(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_ratio),
	};

	return cmocka_run_group_tests_name("ratio", tests, NULL, NULL);
}
