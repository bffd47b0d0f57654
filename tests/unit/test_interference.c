// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of engine/interference.c, the pure parts: the parsers of
 * /proc/.../schedstat, the context switches of /proc/.../status, the per-CPU
 * lines of /proc/stat and /proc/pressure/cpu (fixture text from the
 * development VM, kernel 6.18, and broken variants), the disturbed rule at
 * and around each bound, and a step's summary and JSON keys (CONTRACT of
 * issue 22).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "interference.h"
#include "util.h"

/* /proc/1/schedstat on the development VM. */
static const char schedstat_text[] = "183570394 8574645 397\n";

/* The end of /proc/self/status on the development VM. */
static const char status_text[] = "Cpus_allowed:\t3\n"
				  "Cpus_allowed_list:\t0-1\n"
				  "Mems_allowed_list:\t0\n"
				  "voluntary_ctxt_switches:\t17\n"
				  "nonvoluntary_ctxt_switches:\t4\n";

/* /proc/stat of the development VM, with a cpu10 added to tell it from cpu1. */
static const char stat_text[] = "cpu  11307 45 12230 24709 696 0 150 17 0 0\n"
				"cpu0 5295 24 7957 11117 184 0 17 6 0 0\n"
				"cpu1 6012 21 4273 13591 511 0 132 10 0 0\n"
				"cpu10 1 2 3 4 5 6 7 8 0 0\n"
				"intr 2630179 0 9 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
				"ctxt 4433542\n"
				"cpu2 this is not a cpu line\n";

/* /proc/pressure/cpu on the development VM. */
static const char psi_text[] = "some avg10=9.84 avg60=30.73 avg300=13.34 total=50673964\n"
			       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";

static void test_schedstat(void **state)
{
	uint64_t exec = 0, delay = 0;

	assert_int_equal(intf_parse_schedstat(schedstat_text, &exec, &delay), 0);
	assert_int_equal(exec, 183570394);
	assert_int_equal(delay, 8574645);
	/* a kernel without SCHED_INFO prints zeros: a reading, not an error */
	assert_int_equal(intf_parse_schedstat("0 0 0\n", &exec, &delay), 0);
	assert_int_equal(exec, 0);
	assert_int_equal(intf_parse_schedstat("", &exec, &delay), -1);
	assert_int_equal(intf_parse_schedstat("12\n", &exec, &delay), -1);
	assert_int_equal(intf_parse_schedstat("x y z\n", &exec, &delay), -1);
	assert_int_equal(intf_parse_schedstat(NULL, &exec, &delay), -1);
}

static void test_ctxt(void **state)
{
	uint64_t vol = 0, invol = 0;

	assert_int_equal(intf_parse_ctxt(status_text, &vol, &invol), 0);
	assert_int_equal(vol, 17);
	/* "nonvoluntary_ctxt_switches" must not be read as "voluntary_..." */
	assert_int_equal(invol, 4);
	assert_int_equal(intf_parse_ctxt("nonvoluntary_ctxt_switches:\t4\n"
					 "voluntary_ctxt_switches:\t9\n",
					 &vol, &invol),
			 0);
	assert_int_equal(vol, 9);
	assert_int_equal(invol, 4);
	assert_int_equal(intf_parse_ctxt("voluntary_ctxt_switches:\t9\n", &vol, &invol), -1);
	assert_int_equal(intf_parse_ctxt("voluntary_ctxt_switches: x\n"
					 "nonvoluntary_ctxt_switches:\t4\n",
					 &vol, &invol),
			 -1);
	assert_int_equal(intf_parse_ctxt(NULL, &vol, &invol), -1);
}

static void test_stat_cpu(void **state)
{
	uint64_t busy = 0, steal = 0;

	assert_int_equal(intf_parse_stat_cpu(stat_text, 0, &busy, &steal), 0);
	/* user + nice + system + irq + softirq; not idle, iowait */
	assert_int_equal(busy, 5295 + 24 + 7957 + 0 + 17);
	assert_int_equal(steal, 6);
	assert_int_equal(intf_parse_stat_cpu(stat_text, 1, &busy, &steal), 0);
	assert_int_equal(busy, 6012 + 21 + 4273 + 0 + 132);
	assert_int_equal(steal, 10);
	assert_int_equal(intf_parse_stat_cpu(stat_text, 10, &busy, &steal), 0);
	assert_int_equal(busy, 1 + 2 + 3 + 6 + 7);
	assert_int_equal(steal, 8);
	/* after the per-CPU lines nothing counts; an offline CPU has no line */
	assert_int_equal(intf_parse_stat_cpu(stat_text, 2, &busy, &steal), -1);
	assert_int_equal(intf_parse_stat_cpu(stat_text, 3, &busy, &steal), -1);
	assert_int_equal(intf_parse_stat_cpu("cpu0 1 2 3\n", 0, &busy, &steal), -1);
	assert_int_equal(intf_parse_stat_cpu("", 0, &busy, &steal), -1);
}

static void test_psi(void **state)
{
	uint64_t total = 0;

	assert_int_equal(intf_parse_psi_some(psi_text, &total), 0);
	assert_int_equal(total, 50673964);
	assert_int_equal(intf_parse_psi_some("full avg10=0.00 total=5\n", &total), -1);
	/* total= of the "full" line is not the "some" figure */
	assert_int_equal(intf_parse_psi_some("some avg10=0.00\nfull total=5\n", &total), -1);
	assert_int_equal(intf_parse_psi_some(NULL, &total), -1);
}

/* One worker on one PU, quiet: a share of 0.995, no wait, nothing else there. */
static struct intf_sample *quiet_sample(void)
{
	struct intf_sample *s = intf_sample_alloc(1, 1);

	s->share[0] = 0.995;
	s->wait[0] = 0.001;
	s->nvcsw[0] = 0;
	s->nivcsw[0] = 1;
	s->pu[0] = 0;
	s->other[0] = 0;
	s->steal[0] = 0;
	s->tick_frac = 0.02; /* a 10 ms tick in a 0.5 s sample */
	return s;
}

static void test_rule(void **state)
{
	const struct intf_bounds *b = &intf_bounds;
	struct intf_sample *s = quiet_sample();

	assert_false(intf_sample_judge(s, b));
	/* a hog on the same PU: half the CPU, half the time waiting */
	s->share[0] = 0.5;
	assert_true(intf_sample_judge(s, b));
	s->share[0] = b->share_min; /* at the bound is within it */
	assert_false(intf_sample_judge(s, b));
	s->share[0] = b->share_min - 0.001;
	assert_true(intf_sample_judge(s, b));
	/* a worker that blocked by itself: its share says nothing, its wait does */
	s->nvcsw[0] = 3;
	assert_false(intf_sample_judge(s, b));
	s->wait[0] = b->wait_max + 0.001;
	assert_true(intf_sample_judge(s, b));
	intf_sample_free(s);

	/* other and steal: only beyond the bound by more than their granularity */
	s = quiet_sample();
	s->other[0] = b->other_max + 2 * s->tick_frac;
	assert_false(intf_sample_judge(s, b));
	s->other[0] = b->other_max + 2 * s->tick_frac + 0.001;
	assert_true(intf_sample_judge(s, b));
	s->other[0] = 0;
	s->steal[0] = b->steal_max + s->tick_frac;
	assert_false(intf_sample_judge(s, b));
	s->steal[0] = b->steal_max + s->tick_frac + 0.001;
	assert_true(intf_sample_judge(s, b));
	intf_sample_free(s);

	/* unknown figures (NAN, -1) never make a sample disturbed */
	s = quiet_sample();
	s->share[0] = s->wait[0] = s->other[0] = s->steal[0] = s->tick_frac = NAN;
	s->nvcsw[0] = s->nivcsw[0] = -1;
	assert_false(intf_sample_judge(s, b));
	intf_sample_free(s);
}

static void test_step_summary(void **state)
{
	struct sample samples[3] = { 0 };
	struct step_result r = { .ncpus = 1, .nsamples = 3, .samples = samples };
	struct intf_step st;
	json_t *o, *b;

	intf_step_summary(&r, &st);
	assert_false(st.known); /* older data: unknown, never "quiet" */

	for (unsigned k = 0; k < 3; k++)
		samples[k].intf = quiet_sample();
	samples[1].intf->share[0] = 0.5;
	samples[1].intf->wait[0] = 0.49;
	samples[2].intf->steal[0] = 0.01;
	samples[2].intf->psi_some = 0.3;
	samples[2].intf->retries = 2;
	for (unsigned k = 0; k < 3; k++)
		intf_sample_judge(samples[k].intf, &intf_bounds);
	intf_step_summary(&r, &st);
	assert_true(st.known);
	assert_int_equal(st.samples, 3);
	assert_int_equal(st.samples_disturbed, 1);
	assert_int_equal(st.retries, 2);
	assert_true(st.disturbed);
	assert_float_equal(st.share_min, 0.5, 1e-12);
	assert_float_equal(st.wait_max, 0.49, 1e-12);
	assert_float_equal(st.steal_max, 0.01, 1e-12);
	assert_float_equal(st.psi_some, 0.3, 1e-12);

	/* the keys of the shared contract */
	o = intf_step_json(&st);
	for (const char *const *k =
		 (const char *const[]){ "share_min", "wait_max", "other_max", "steal_max",
					"psi_some", "samples", "samples_disturbed", "disturbed",
					"retries", NULL };
	     *k; k++)
		assert_non_null(json_object_get(o, *k));
	assert_true(json_is_true(json_object_get(o, "disturbed")));
	json_decref(o);
	o = intf_sample_json(samples[1].intf);
	for (const char *const *k = (const char *const[]){ "share", "wait", "nivcsw", "other",
							   "steal", "psi_some", "disturbed", NULL };
	     *k; k++)
		assert_non_null(json_object_get(o, *k));
	assert_true(json_is_array(json_object_get(o, "share")));
	assert_true(json_is_null(json_object_get(o, "psi_some"))); /* NAN: no PSI */
	json_decref(o);
	b = intf_bounds_json(&intf_bounds);
	assert_float_equal(json_real_value(json_object_get(b, "share_min")), 0.97, 1e-12);
	assert_float_equal(json_real_value(json_object_get(b, "steal_max")), 0.02, 1e-12);
	json_decref(b);
	for (unsigned k = 0; k < 3; k++)
		intf_sample_free(samples[k].intf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedstat), cmocka_unit_test(test_ctxt),
		cmocka_unit_test(test_stat_cpu),  cmocka_unit_test(test_psi),
		cmocka_unit_test(test_rule),	  cmocka_unit_test(test_step_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
