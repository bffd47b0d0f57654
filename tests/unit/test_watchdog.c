// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for stress/watchdog.c: a worker that never makes progress is
 * reported, with its state and kernel stack (or why the stack could not be
 * read), and the run is told to stop; a worker that has returned is not
 * watched; a thread that does not end is not joined without a limit.
 *
 * No test depends on how fast anything runs: each waits for the outcome
 * itself (the stop flag), with a generous cap only so that a broken
 * watchdog fails the test instead of hanging it.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kmsg.h"
#include "util.h"
#include "watchdog.h"

#define CAP_SECONDS 120.0

static void wait_for_stop(int *stop)
{
	double cap = now_monotonic() + CAP_SECONDS;

	while (!__atomic_load_n(stop, __ATOMIC_ACQUIRE) && now_monotonic() < cap)
		usleep(10000);
	assert_true(__atomic_load_n(stop, __ATOMIC_ACQUIRE));
}

static int stall_release;

/* A worker thread that stops making progress until released. */
static void *stalled_worker(void *arg)
{
	struct wd_worker *w = arg;

	wd_enter(w);
	wd_beat(w);
	while (!__atomic_load_n(&stall_release, __ATOMIC_ACQUIRE))
		usleep(10000);
	wd_leave(w);
	return NULL;
}

static void test_stalled_worker_reported(void **state)
{
	struct kmsg_log k = { .fd = -1, .source = KMSG_NONE };
	struct watchdog wd;
	pthread_t th;
	int stop = 0;

	wd_init(&wd, 2, 0.2, &k, &stop);
	wd_name(&wd, 0, "done worker");
	wd_name(&wd, 1, "stalled worker");
	wd_leave(&wd.w[0]); /* returned at once: never reported */
	stall_release = 0;
	assert_int_equal(pthread_create(&th, NULL, stalled_worker, &wd.w[1]), 0);
	assert_int_equal(wd_start(&wd), 0);
	wait_for_stop(&stop);
	wd_stop(&wd);
	assert_int_equal(wd.nstalls, 1);
	assert_int_equal(wd.stalls[0].worker, 1);
	assert_true(wd.stalls[0].idle >= 0.2);
	assert_non_null(strstr(wd.stalls[0].why, "no progress"));
	/* As root the stack itself, otherwise the reason; never nothing. */
	assert_true(strlen(wd.stalls[0].stack) > 0);
	assert_non_null(wd.stalls[0].state);
	/* With no readable kernel log there is no blocked-task list, and it says why. */
	assert_int_equal(wd.nblocked, 0);
	assert_non_null(strstr(wd.blocked_why, "not readable"));
	__atomic_store_n(&stall_release, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	wd_free(&wd);
}

/* Never started (no wd_enter): hung from the start, reported as such. */
static void test_never_started_reported(void **state)
{
	struct kmsg_log k = { .fd = -1, .source = KMSG_NONE };
	struct watchdog wd;
	json_t *j, *hung;
	int stop = 0;

	wd_init(&wd, 1, 0.1, &k, &stop);
	wd_name(&wd, 0, "lazy worker");
	assert_int_equal(wd_start(&wd), 0);
	wait_for_stop(&stop);
	wd_stop(&wd);
	assert_int_equal(wd.nstalls, 1);
	assert_string_equal(wd.stalls[0].state, "not started");
	j = wd_to_json(&wd);
	hung = json_object_get(j, "hung");
	assert_int_equal(json_array_size(hung), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(hung, 0), "worker")),
			    "lazy worker");
	json_decref(j);
	wd_free(&wd);
}

/* Timeout 0: nothing is watched, however long a worker stalls. */
static void test_timeout_zero_watches_nothing(void **state)
{
	struct kmsg_log k = { .fd = -1, .source = KMSG_NONE };
	struct watchdog wd;
	int stop = 0;

	wd_init(&wd, 1, 0, &k, &stop);
	assert_int_equal(wd_start(&wd), 0);
	usleep(300000);
	wd_stop(&wd);
	assert_int_equal(wd.nstalls, 0);
	assert_int_equal(stop, 0);
	wd_free(&wd);
}

/* A thread that does not end by the deadline is reported, not waited for. */
static void test_join_has_a_limit(void **state)
{
	struct kmsg_log k = { .fd = -1, .source = KMSG_NONE };
	struct watchdog wd;
	pthread_t th;
	int stop = 0;

	wd_init(&wd, 1, 0, &k, &stop);
	wd_name(&wd, 0, "stuck worker");
	stall_release = 0;
	assert_int_equal(pthread_create(&th, NULL, stalled_worker, &wd.w[0]), 0);
	assert_false(wd_join(&wd, 0, th, now_monotonic() + 0.05));
	assert_int_equal(wd.nstalls, 1);
	assert_non_null(strstr(wd.stalls[0].why, "not ended"));
	assert_int_equal(stop, 1);
	__atomic_store_n(&stall_release, 1, __ATOMIC_RELEASE);
	assert_true(wd_join(&wd, 0, th, now_monotonic() + CAP_SECONDS));
	wd_free(&wd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stalled_worker_reported),
		cmocka_unit_test(test_never_started_reported),
		cmocka_unit_test(test_timeout_zero_watches_nothing),
		cmocka_unit_test(test_join_has_a_limit),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
