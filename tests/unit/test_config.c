// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for suite configuration files (engine/config.c): keys are validated
 * through the same options tables as the command line, and every error names
 * the file, the line and the option.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "util.h"

static char path[] = "/tmp/fb-test-config.XXXXXX";

static const char *write_ini(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	unlink(path);
	return 0;
}

/* The error mentions each of the words. */
static void error_names(const char *a, const char *b)
{
	const char *e = fb_last_error();

	assert_non_null(e);
	assert_non_null(strstr(e, a));
	if (b)
		assert_non_null(strstr(e, b));
}

static void test_good_config(void **state)
{
	struct config cfg;
	unsigned n;
	char **opts;

	write_ini("; comment\n"
		  "[global]\n"
		  "description = test\n"
		  "repeat = 3\n"
		  "cpus = walk\n"
		  "\n"
		  "[pf1]\n"
		  "[sweep]\n"
		  "bench = nopage\n"
		  "cpus = 1,2\n"
		  "size = 2M\n");
	assert_int_equal(config_load(path, &cfg), FB_OK);
	assert_int_equal(cfg.njobs, 2);
	assert_string_equal(cfg.jobs[0].bench, "pf1"); /* the section name */
	assert_int_equal(cfg.jobs[0].nkv, 0);
	assert_string_equal(cfg.jobs[1].name, "sweep");
	assert_string_equal(cfg.jobs[1].bench, "nopage");
	opts = config_job_options(&cfg, 1, &n);
	assert_int_equal(n, 3);
	/* the job's own cpus replaces the global one */
	assert_string_equal(opts[0], "--repeat=3");
	assert_string_equal(opts[1], "--cpus=1,2");
	assert_string_equal(opts[2], "--size=2M");
	assert_null(opts[3]);
	config_free_argv(opts);
	opts = config_job_options(&cfg, 0, &n);
	assert_int_equal(n, 2);
	config_free_argv(opts);
	config_free(&cfg);
}

static void test_unknown_key(void **state)
{
	struct config cfg;

	write_ini("[global]\nrepeat = 3\n[pf1]\ncpus = 1\nbogus = 7\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":5:", "'bogus'");
	error_names(path, NULL);
	config_free(&cfg);
}

static void test_bad_value(void **state)
{
	struct config cfg;

	write_ini("[global]\nrepeat = many\n[pf1]\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2", "'repeat'");
	config_free(&cfg);
	write_ini("[pf1]\nbacking = hugetlbx\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2:", "'backing'");
	config_free(&cfg);
	write_ini("[pf1]\nrepeat = 0\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2:", "out of range");
	config_free(&cfg);
}

static void test_unknown_bench(void **state)
{
	struct config cfg;

	write_ini("[global]\nrepeat = 3\n\n[nosuchbench]\ncpus = 1\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":4:", "'nosuchbench'");
	config_free(&cfg);
}

static void test_structure_errors(void **state)
{
	struct config cfg;

	write_ini("repeat = 3\n[pf1]\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":1:", "outside a section");
	config_free(&cfg);
	write_ini("[pf1]\nthis line has no equals sign\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2:", "syntax");
	config_free(&cfg);
	write_ini("[global]\nrepeat = 3\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names("no job", NULL);
	config_free(&cfg);
	write_ini("[pf1]\nlabel = x\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2:", "'label'");
	config_free(&cfg);
	write_ini("[global]\nbench = pf1\n[pf1]\n");
	assert_int_equal(config_load(path, &cfg), FB_USAGE);
	error_names(":2:", "'bench'");
	config_free(&cfg);
	assert_int_equal(config_load("/nonexistent/x.ini", &cfg), FB_USAGE);
	config_free(&cfg);
}

static void test_shipped_configs(void **state)
{
	static const char *const files[] = { "configs/quick.ini", "configs/changelog.ini",
					     "configs/nightly.ini" };
	struct config cfg;

	/* run from the repository root (make unit); elsewhere there is nothing to check */
	for (unsigned i = 0; i < 3; i++) {
		if (access(files[i], R_OK))
			continue;
		assert_int_equal(config_load(files[i], &cfg), FB_OK);
		assert_true(cfg.njobs > 0);
		config_free(&cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_config),	 cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_value),	 cmocka_unit_test(test_unknown_bench),
		cmocka_unit_test(test_structure_errors), cmocka_unit_test(test_shipped_configs),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, setup, teardown);
}
