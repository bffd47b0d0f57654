// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/sysinfo.c: every key is present whatever this machine
 * lacks, the kernel release is uname's, and choice files parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "sysinfo.h"

static void test_keys_present(void **state)
{
	static const char *const keys[] = {
		"kernel",
		"hostname",
		"cpu_model",
		"topology",
		"memory",
		"thp",
		"fault_around_bytes",
		"cpufreq_governors",
		"virtualization",
		"perf_event_paranoid",
		"numa_balancing",
		"date",
	};
	json_t *o = sysinfo_collect(NULL);

	assert_non_null(o);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (!json_object_get(o, keys[i]))
			fail_msg("missing key %s", keys[i]);
	}
	/* no topology given: recorded as unknown, not invented */
	assert_true(json_is_null(json_object_get(o, "topology")));
	assert_true(json_is_object(json_object_get(o, "thp")));
	assert_non_null(json_object_get(json_object_get(o, "thp"), "enabled"));
	assert_non_null(json_object_get(json_object_get(o, "thp"), "mthp"));
	/* fault_around_bytes: a number, or a reason starting with "unreadable" */
	json_t *fab = json_object_get(o, "fault_around_bytes");
	assert_true(json_is_integer(fab) ||
		    (json_is_string(fab) && !strncmp(json_string_value(fab), "unreadable", 10)));
	json_t *gov = json_object_get(o, "cpufreq_governors");
	assert_true(json_is_array(gov) || !strcmp(json_string_value(gov), "none"));
	json_t *date = json_object_get(o, "date");
	assert_true(json_is_string(date));
	assert_int_equal(strlen(json_string_value(date)), strlen("2026-01-01T00:00:00Z"));
	/* it serialises: results files depend on it */
	char *s = json_dumps(o, 0);
	assert_non_null(s);
	free(s);
	json_decref(o);
}

static void test_kernel_release_is_unames(void **state)
{
	struct utsname u;
	json_t *o = sysinfo_collect(NULL);
	json_t *k = json_object_get(o, "kernel");

	assert_int_equal(uname(&u), 0);
	assert_string_equal(json_string_value(json_object_get(k, "release")), u.release);
	assert_string_equal(json_string_value(json_object_get(k, "version")), u.version);
	assert_true(json_is_string(json_object_get(k, "cmdline")));
	json_t *mem = json_object_get(o, "memory");
	assert_true(json_is_integer(mem) && json_integer_value(mem) > 0);
	json_decref(o);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/fb-sysinfo-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void check_choice(const char *text, const char *want)
{
	char *path = write_tmp(text), *got = sysfs_selected_choice(path);

	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
	free(got);
	unlink(path);
	free(path);
}

static void test_selected_choice(void **state)
{
	check_choice("always [madvise] never\n", "madvise");
	check_choice("[always] madvise never\n", "always");
	check_choice("always within_size advise [never] deny force\n", "never");
	check_choice("always madvise never\n", NULL);
	check_choice("[]\n", NULL);
	check_choice("", NULL);
	assert_null(sysfs_selected_choice("/nonexistent/fb/choice"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_present),
		cmocka_unit_test(test_kernel_release_is_unames),
		cmocka_unit_test(test_selected_choice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
