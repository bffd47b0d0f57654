// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of a campaign's machine side (engine/campaign_host.c) that need
 * no root: the boot's facts from a stand-in /proc, the default kernel command
 * line, commands made absolute, the systemd unit's text, the lock, 'stop'
 * while a resume runs, and the state saved where resume reads it.
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

#include "campaign_host.h"
#include "util.h"

#include "scratch.h"

static const char plan[] = "[campaign]\n"
			   "command = suite plan.ini --runs 2\n"
			   "[kernel a]\n"
			   "kernel = /boot/vmlinuz-a\n"
			   "append = root=/dev/vda ro\n"
			   "[kernel b]\n"
			   "kernel = /boot/vmlinuz-b\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void parse(struct campaign *c)
{
	char err[256];

	assert_int_equal(campaign_parse_plan(plan, c, err, sizeof(err)), 0);
}

static void test_default_append(void **state)
{
	struct campaign_host x = { .dir = scratch_dir, .proc = scratch_dir };
	struct campaign c;
	char *line;

	write_file(at("cmdline"), "BOOT_IMAGE=/vmlinuz root=/dev/sda1 fb_campaign=ab.1 quiet\n");
	line = campaign_host_proc_line(&x, "cmdline", "cmdline");
	assert_string_equal(line, "BOOT_IMAGE=/vmlinuz root=/dev/sda1 fb_campaign=ab.1 quiet");
	free(line);
	parse(&c);
	campaign_host_default_append(&x, &c);
	/* a's own append stays; b boots with this boot's line less the loader's and ours */
	assert_string_equal(c.kernels[0].append, "root=/dev/vda ro");
	assert_string_equal(c.kernels[1].append, "root=/dev/sda1 quiet");
	campaign_free(&c);
}

static void test_absolute_command(void **state)
{
	struct campaign c;
	char *cwd = getcwd(NULL, 0);

	assert_int_equal(chdir(scratch_dir), 0);
	write_file("plan.ini", "");
	parse(&c);
	campaign_absolute_command(&c);
	/* the file became absolute; options and words without a dot stay */
	assert_string_equal(c.command[0], "suite");
	assert_int_equal(c.command[1][0], '/');
	assert_non_null(strstr(c.command[1], "/plan.ini"));
	assert_string_equal(c.command[2], "--runs");
	assert_string_equal(c.command[3], "2");
	campaign_free(&c);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
}

static void test_unit_text(void **state)
{
	struct campaign_host x = { .dir = "/var/lib/fb", .unit_dir = "/etc/systemd/system" };
	char *t = campaign_host_unit_text(&x, "/usr/bin/faultbench");

	assert_non_null(strstr(t, "ConditionPathExists=/var/lib/fb/state.json\n"));
	assert_non_null(strstr(t, "ExecStart=/usr/bin/faultbench campaign resume --dir "
				  "/var/lib/fb --unit-dir /etc/systemd/system\n"));
	assert_non_null(strstr(t, "Type=oneshot\n"));
	free(t);
}

static void test_lock_and_stop(void **state)
{
	struct campaign_host x = { .dir = scratch_dir };
	int fd = campaign_host_lock(&x);

	assert_true(fd >= 0);
	/* a second holder: refused while the first holds it */
	assert_int_equal(campaign_host_lock(&x), -1);
	assert_false(campaign_host_ops.stop_requested(&x));
	assert_int_equal(campaign_host_stop_meanwhile(&x), FB_OK);
	assert_true(campaign_host_ops.stop_requested(&x));
	close(fd);
	fd = campaign_host_lock(&x);
	assert_true(fd >= 0);
	close(fd);
}

static void test_save(void **state)
{
	struct campaign_host x = { .dir = scratch_dir };
	struct campaign c, back;
	char err[256];
	json_t *j;

	parse(&c);
	strcpy(c.id, "0123abcd");
	assert_int_equal(campaign_host_save(&x, &c), 0);
	j = json_load_file(at("state.json"), 0, NULL);
	assert_non_null(j);
	assert_int_equal(campaign_from_json(j, &back, err, sizeof(err)), 0);
	assert_string_equal(back.id, "0123abcd");
	assert_int_equal(back.nboots, c.nboots);
	json_decref(j);
	campaign_free(&back);
	campaign_free(&c);
}

static int setup(void **state)
{
	return scratch_make("campaign-host");
}

static int teardown(void **state)
{
	return scratch_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_append), cmocka_unit_test(test_absolute_command),
		cmocka_unit_test(test_unit_text),      cmocka_unit_test(test_lock_and_stop),
		cmocka_unit_test(test_save),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
