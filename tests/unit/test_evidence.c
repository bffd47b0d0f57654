// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/evidence.c and engine/tracefs.c on this machine's real
 * kernel: counters are attached to the test's own thread, which then faults
 * pages, sleeps and makes system calls.  Hardware events may or may not exist:
 * either they count or they are listed as not counted with the reason, and
 * creation never fails because of them.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "evidence.h"
#include "runopts.h"
#include "tracefs.h"
#include "util.h"

static int find(const struct evidence *ev, const char *name)
{
	unsigned i;

	for (i = 0; i < evidence_count(ev); i++)
		if (!strcmp(evidence_name(ev, i), name))
			return (int)i;
	return -1;
}

static void touch_pages(size_t n)
{
	long ps = page_size();
	volatile char *p =
	    mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t i;

	assert_true(p != MAP_FAILED);
	for (i = 0; i < n; i++)
		p[i * ps] = 1;
	munmap((void *)p, n * ps);
}

static void test_software_events_count(void **state)
{
	uint64_t before[FB_MAX_EVENTS] = { 0 }, after[FB_MAX_EVENTS] = { 0 };
	struct evidence *ev;
	int pf, minf, ts;

	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 1), FB_OK);
	assert_non_null(ev);
	pf = find(ev, "page-faults");
	minf = find(ev, "minor-faults");
	ts = find(ev, "task-clock");
	assert_true(pf >= 0 && minf >= 0 && ts >= 0);
	assert_true(find(ev, "major-faults") >= 0);
	assert_true(find(ev, "context-switches") >= 0);
	assert_true(find(ev, "cpu-migrations") >= 0);
	evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
	evidence_read(ev, 0, before);
	touch_pages(256);
	evidence_read(ev, 0, after);
	assert_true(after[pf] - before[pf] >= 256);
	assert_true(after[minf] - before[minf] >= 256);
	assert_true(after[ts] > before[ts]);
	evidence_destroy(ev);
}

static void test_hardware_supported_or_recorded(void **state)
{
	struct evidence *ev;
	json_t *d, *nc;
	const char *names[] = { "cycles", "instructions" };
	unsigned i;

	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, "cycles,instructions", 2), FB_OK);
	d = evidence_describe(ev);
	nc = json_object_get(d, "not_counted");
	assert_non_null(nc);
	for (i = 0; i < 2; i++) {
		json_t *why = json_object_get(nc, names[i]);

		/* exactly one of: counted, or recorded with a reason */
		assert_true((find(ev, names[i]) >= 0) != (why != NULL));
		if (why)
			assert_non_null(strstr(json_string_value(why), "not supported"));
	}
	json_decref(d);
	evidence_destroy(ev);
}

static void test_tracepoint_counts(void **state)
{
	uint64_t before[FB_MAX_EVENTS] = { 0 }, after[FB_MAX_EVENTS] = { 0 };
	struct evidence *ev;
	char why[256];
	int k, kd, i;

	if (!tracefs_dir(why, sizeof(why)))
		skip();
	assert_int_equal(
	    evidence_create(&ev, COUNTERS_FULL, "sched:sched_switch,syscalls:sys_enter_getppid", 1),
	    FB_OK);
	k = find(ev, "sched:sched_switch");
	kd = find(ev, "sched:sched_switch/D");
	assert_true(k >= 0 && kd >= 0);
	evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
	evidence_read(ev, 0, before);
	for (i = 0; i < 5; i++)
		usleep(1000); /* S-state sleeps: counted by sched_switch, not by the D filter */
	evidence_read(ev, 0, after);
	assert_true(after[k] - before[k] >= 5);
	assert_true(after[kd] - before[kd] < 5);
	i = find(ev, "syscalls:sys_enter_getppid");
	if (i >= 0) {
		evidence_read(ev, 0, before);
		for (k = 0; k < 10; k++)
			syscall(SYS_getppid);
		evidence_read(ev, 0, after);
		assert_int_equal(after[i] - before[i], 10);
	}
	evidence_destroy(ev);
}

/*
 * A D-state sleep on demand: an O_DIRECT read waits for the device in
 * TASK_UNINTERRUPTIBLE.  Skipped where the scratch directory refuses O_DIRECT.
 */
static void test_d_state_sleeps_counted(void **state)
{
	uint64_t before[FB_MAX_EVENTS] = { 0 }, after[FB_MAX_EVENTS] = { 0 };
	char path[] = "/var/tmp/fb-test-evidence.XXXXXX", proc[64];
	static char data[1 << 16];
	struct evidence *ev;
	void *buf = NULL;
	int fd, dfd, kd, i;

	fd = mkstemp(path);
	if (fd < 0)
		skip();
	unlink(path);
	memset(data, 1, sizeof(data));
	for (i = 0; i < 20; i++)
		assert_int_equal(write(fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(fsync(fd), 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	dfd = open(proc, O_RDONLY | O_DIRECT);
	if (dfd < 0) {
		close(fd);
		skip();
	}
	assert_int_equal(posix_memalign(&buf, 4096, sizeof(data)), 0);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 1), FB_OK);
	kd = find(ev, "sched:sched_switch/D");
	if (kd < 0) {
		/* no tracefs here: the describe output must say why */
		json_t *d = evidence_describe(ev);

		assert_non_null(
		    json_object_get(json_object_get(d, "not_counted"), "sched:sched_switch/D"));
		json_decref(d);
	} else {
		evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
		evidence_read(ev, 0, before);
		for (i = 0; i < 20; i++)
			assert_int_equal(pread(dfd, buf, sizeof(data), (off_t)i * sizeof(data)),
					 sizeof(data));
		evidence_read(ev, 0, after);
		assert_true(after[kd] - before[kd] >= 1);
	}
	evidence_destroy(ev);
	free(buf);
	close(dfd);
	close(fd);
}

static void test_unknown_names_are_usage_errors(void **state)
{
	struct evidence *ev = (void *)1;

	fb_set_quiet(true);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, "sched:no_such_tracepoint", 1),
			 FB_USAGE);
	assert_null(ev);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, "sched:sched_switch/X", 1), FB_USAGE);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, "sched::", 1), FB_USAGE);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, "../../etc:passwd", 1), FB_USAGE);
	fb_set_quiet(false);
	/* empty items and repeats are harmless */
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, ",page-faults,,page-faults", 1),
			 FB_OK);
	evidence_destroy(ev);
}

static void test_unattached_reads_zero(void **state)
{
	uint64_t v[FB_MAX_EVENTS];
	struct evidence *ev;
	unsigned i;

	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 3), FB_OK);
	memset(v, 0xff, sizeof(v));
	evidence_read(ev, 2, v);
	for (i = 0; i < evidence_count(ev); i++)
		assert_true(v[i] == 0);
	/* a task that does not exist: recorded, not fatal */
	evidence_attach(ev, 1, 0x3fffffff);
	{
		json_t *d = evidence_describe(ev);

		assert_non_null(json_object_get(d, "attach_errors"));
		json_decref(d);
	}
	evidence_destroy(ev);
	evidence_destroy(NULL);
}

/* Perf counters this process holds open (anon_inode:[perf_event] fds). */
static unsigned perf_fds(void)
{
	char path[64], link[64];
	unsigned n = 0;

	for (int fd = 0; fd < 4096; fd++) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		len = readlink(path, link, sizeof(link) - 1);
		if (len < 0)
			continue;
		link[len] = '\0';
		n += !strcmp(link, "anon_inode:[perf_event]");
	}
	return n;
}

/*
 * The probe counters stay open after the evidence is gone (the static keys
 * behind them stay on), once per event for the life of the process: a second
 * create and destroy adds none.
 */
static void test_probes_hold_the_keys(void **state)
{
	struct evidence *ev;
	unsigned held, held_again;

	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 2), FB_OK);
	evidence_attach(ev, 1, (pid_t)syscall(SYS_gettid));
	evidence_destroy(ev);
	held = perf_fds();
	/* page-faults, minor-faults, major-faults, context-switches, cpu-migrations, task-clock */
	assert_true(held >= 6);
	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 1), FB_OK);
	evidence_destroy(ev);
	held_again = perf_fds();
	assert_int_equal(held, held_again);
}

/* Software events come from one group read: the same instant for all of them. */
static void test_group_read_is_one_instant(void **state)
{
	uint64_t before[FB_MAX_EVENTS] = { 0 }, after[FB_MAX_EVENTS] = { 0 };
	struct evidence *ev;
	json_t *d;
	int pf, minf, majf;

	assert_int_equal(evidence_create(&ev, COUNTERS_FULL, NULL, 1), FB_OK);
	pf = find(ev, "page-faults");
	minf = find(ev, "minor-faults");
	majf = find(ev, "major-faults");
	evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
	evidence_read(ev, 0, before);
	touch_pages(64);
	evidence_read(ev, 0, after);
	assert_true(after[pf] - before[pf] >= 64);
	assert_int_equal(after[pf] - before[pf],
			 (after[minf] - before[minf]) + (after[majf] - before[majf]));
	d = evidence_describe(ev);
	assert_non_null(strstr(json_string_value(json_object_get(d, "read")), "one group"));
	json_decref(d);
	evidence_destroy(ev);
}

static void test_derive(void **state)
{
	char names[3][64] = { "page-faults", "context-switches", "sched:sched_switch/D" };
	uint64_t ev0[2][FB_MAX_EVENTS] = { { 1000, 10, 4 }, { 1000, 30, 6 } };
	uint64_t ev1[2][FB_MAX_EVENTS] = { { 500, 5, 0 }, { 1500, 0, 10 } };
	struct sample s[2] = { { .t = 1, .ev = ev0 }, { .t = 1, .ev = ev1 } };
	struct step_result r = {
		.ncpus = 2, .nsamples = 2, .samples = s, .nevents = 3, .event_names = names
	};
	const struct metric *m = NULL;
	unsigned i;

	evidence_derive(&r);
	for (i = 0; i < r.nmetrics; i++)
		if (!strcmp(r.metrics[i].name, "sleeps/1000faults"))
			m = &r.metrics[i];
	assert_non_null(m);
	assert_false(m->higher_better);
	assert_true(m->v[0] == 5.0);  /* 10 sleeps / 2000 faults */
	assert_true(m->v[1] == 5.0);  /* 10 / 2000 */
	assert_true(m->value == 5.0); /* 20 / 4000 */
	for (i = 0; i < r.nmetrics; i++)
		if (!strcmp(r.metrics[i].name, "ctxsw/1000faults"))
			m = &r.metrics[i];
	assert_true(m->value == 1000.0 * 45 / 4000);
	/* no mmap_lock tracepoint asked for: no mmap_lock figure */
	for (i = 0; i < r.nmetrics; i++)
		assert_string_not_equal(r.metrics[i].name, "mmap_lock/fault");
	for (i = 0; i < r.nmetrics; i++)
		free(r.metrics[i].v);
	free(r.metrics);
}

/*
 * --counters: minimal leaves out the events perf updates in every fault and
 * keeps the rest (task-clock still counts the worker's CPU time); none opens
 * no default event, and --event still adds to it.  Each says so.
 */
static void test_counters_modes(void **state)
{
	uint64_t before[FB_MAX_EVENTS] = { 0 }, after[FB_MAX_EVENTS] = { 0 };
	struct evidence *ev;
	json_t *d;
	int ts;

	(void)state;
	assert_int_equal(evidence_create(&ev, COUNTERS_MINIMAL, NULL, 1), FB_OK);
	assert_true(find(ev, "page-faults") < 0 && find(ev, "minor-faults") < 0 &&
		    find(ev, "major-faults") < 0);
	assert_true(find(ev, "context-switches") >= 0 && find(ev, "cpu-migrations") >= 0);
	ts = find(ev, "task-clock");
	assert_true(ts >= 0);
	evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
	evidence_read(ev, 0, before);
	touch_pages(64);
	evidence_read(ev, 0, after);
	assert_true(after[ts] > before[ts]);
	d = evidence_describe(ev);
	assert_string_equal(json_string_value(json_object_get(d, "counters")), "minimal");
	assert_non_null(
	    strstr(json_string_value(json_object_get(d, "counters_left_out")), "page-faults"));
	json_decref(d);
	evidence_destroy(ev);

	assert_int_equal(evidence_create(&ev, COUNTERS_NONE, NULL, 2), FB_OK);
	assert_int_equal(evidence_count(ev), 0);
	evidence_attach(ev, 0, (pid_t)syscall(SYS_gettid));
	evidence_read(ev, 0, after);
	d = evidence_describe(ev);
	assert_string_equal(json_string_value(json_object_get(d, "counters")), "none");
	json_decref(d);
	evidence_destroy(ev);
	assert_int_equal(evidence_create(&ev, COUNTERS_NONE, "context-switches", 1), FB_OK);
	assert_int_equal(evidence_count(ev), 1);
	evidence_destroy(ev);
	assert_string_equal(evidence_counters_name(COUNTERS_FULL), "full");
	assert_string_equal(evidence_counters_name(7), "?");
}

/* Without perf's page-faults (minimal, none) the ratios count the kernel's faults. */
static void test_derive_without_page_faults(void **state)
{
	char names[1][64] = { "context-switches" };
	uint64_t ev0[1][FB_MAX_EVENTS] = { { 10 } };
	uint64_t minflt[1] = { 1990 }, majflt[1] = { 10 };
	struct sample s = { .t = 1, .ev = ev0, .minflt = minflt, .majflt = majflt };
	struct step_result r = {
		.ncpus = 1, .nsamples = 1, .samples = &s, .nevents = 1, .event_names = names
	};
	const struct metric *m = NULL;

	(void)state;
	evidence_derive(&r);
	for (unsigned i = 0; i < r.nmetrics; i++)
		if (!strcmp(r.metrics[i].name, "ctxsw/1000faults"))
			m = &r.metrics[i];
	assert_non_null(m);
	assert_true(m->value == 5.0); /* 10 switches / 2000 faults */
	for (unsigned i = 0; i < r.nmetrics; i++)
		free(r.metrics[i].v);
	free(r.metrics);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_software_events_count),
		cmocka_unit_test(test_probes_hold_the_keys),
		cmocka_unit_test(test_group_read_is_one_instant),
		cmocka_unit_test(test_hardware_supported_or_recorded),
		cmocka_unit_test(test_tracepoint_counts),
		cmocka_unit_test(test_d_state_sleeps_counted),
		cmocka_unit_test(test_unknown_names_are_usage_errors),
		cmocka_unit_test(test_unattached_reads_zero),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_counters_modes),
		cmocka_unit_test(test_derive_without_page_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
