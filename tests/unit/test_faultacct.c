// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of engine/faultacct.c: sampled + unsampled is each worker's
 * final count, the unsampled faults split into before, between and after
 * the samples, an unknown or inconsistent count is null (never a made-up
 * figure), and the run's harness share is what the workers leave.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "faultacct.h"

/* Two workers, two samples: worker 0 took 10 + 20 faults in them, worker 1 5 + 5. */
static void make_step(struct step_result *r)
{
	static uint64_t minflt[2][2] = { { 9, 5 }, { 20, 5 } };
	static uint64_t majflt[2][2] = { { 1, 0 }, { 0, 0 } };
	static struct sample samples[2];

	memset(r, 0, sizeof(*r));
	r->ncpus = 2;
	r->nsamples = 2;
	r->samples = samples;
	for (unsigned s = 0; s < 2; s++)
		samples[s] = (struct sample){ .t = 1, .minflt = minflt[s], .majflt = majflt[s] };
}

static json_int_t get(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void test_step_split(void **state)
{
	struct step_result r;
	/* worker 0: 100 before, 30 sampled + 4 between, 6 after; worker 1: 50, 10, 0, 1 */
	struct fault_marks m[2] = { { 100, 134, 140, true }, { 50, 60, 61, true } };
	json_t *o;

	(void)state;
	make_step(&r);
	o = fault_acct_step_json(&r, m, 2);
	assert_int_equal(get(o, "sampled"), 40);
	assert_int_equal(get(o, "total"), 201);
	assert_int_equal(get(o, "unsampled"), 161);
	assert_int_equal(get(o, "before_samples"), 150);
	assert_int_equal(get(o, "between_samples"), 4);
	assert_int_equal(get(o, "after_samples"), 7);
	assert_int_equal(get(json_array_get(json_object_get(o, "per_worker"), 1), "unsampled"), 51);
	json_decref(o);
}

static void test_unknown_is_null(void **state)
{
	struct step_result r;
	struct fault_marks failed[2] = { { 100, 134, 140, true }, { 50, 60, 0, false } };
	/* fewer faults between the marks than in the samples: inconsistent */
	struct fault_marks odd[2] = { { 100, 110, 140, true }, { 50, 60, 61, true } };
	json_t *o;

	(void)state;
	make_step(&r);
	o = fault_acct_step_json(&r, failed, 2);
	assert_int_equal(get(o, "sampled"), 40);
	assert_true(json_is_null(json_object_get(o, "unsampled")));
	assert_true(json_is_null(json_object_get(o, "total")));
	json_decref(o);
	o = fault_acct_step_json(&r, odd, 2);
	assert_true(json_is_null(json_object_get(o, "unsampled")));
	json_decref(o);
}

static void test_run_harness(void **state)
{
	struct step_result steps[2];
	struct fault_marks m[2] = { { 100, 134, 140, true }, { 50, 60, 61, true } };
	json_t *o;

	(void)state;
	make_step(&steps[0]);
	steps[0].extra = json_object();
	json_object_set_new(steps[0].extra, "faults", fault_acct_step_json(&steps[0], m, 2));
	memset(&steps[1], 0, sizeof(steps[1]));
	steps[1].extra = json_object(); /* a run_step benchmark: nothing to count */
	o = fault_acct_run_json(steps, 2, 1000);
	assert_int_equal(get(o, "workers_sampled"), 40);
	assert_int_equal(get(o, "workers_unsampled"), 161);
	assert_int_equal(get(o, "harness"), 799);
	assert_int_equal(get(o, "total"), 1000);
	json_decref(o);
	/* a process count below the workers' is not believable: no harness figure */
	o = fault_acct_run_json(steps, 1, 100);
	assert_true(json_is_null(json_object_get(o, "harness")));
	json_decref(o);
	json_decref(steps[0].extra);
	json_decref(steps[1].extra);
}

static void test_process_faults(void **state)
{
	uint64_t a, b;
	char *p;

	(void)state;
	a = fault_acct_process_faults();
	p = malloc(1 << 22);
	assert_non_null(p);
	for (size_t i = 0; i < (1 << 22); i += 4096)
		*(volatile char *)(p + i) = 1;
	b = fault_acct_process_faults();
	free(p);
	assert_true(a > 0);
	assert_true(b > a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_split),
		cmocka_unit_test(test_unknown_is_null),
		cmocka_unit_test(test_run_harness),
		cmocka_unit_test(test_process_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
