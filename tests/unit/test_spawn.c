// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/spawn.c: exit statuses and signals decoded into one code
 * and a message, capture of both streams (more than a pipe holds), files and
 * descriptors as streams, the environment, the working directory, a missing
 * program told apart from one that exits 127, and a timeout that stops the
 * whole process group (SIGTERM, then SIGKILL for a child that ignores it).
 * No assertion depends on how long anything takes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "spawn.h"
#include "util.h"

#define SH(script) ((const char *const[]){ "sh", "-c", script, NULL })

static char *describe(const struct spawn *s)
{
	static char buf[256];

	return (char *)spawn_describe(s, buf, sizeof(buf));
}

static void test_exit_status(void **state)
{
	struct spawn s = { .argv = SH("exit 3") };

	assert_int_equal(spawn_run(&s), 3);
	assert_int_equal(s.end, SPAWN_EXITED);
	assert_string_equal(describe(&s), "exited with status 3");
	spawn_clear(&s);

	s = (struct spawn){ .argv = SH("true") };
	assert_int_equal(spawn_run(&s), 0);
	assert_int_equal(s.end, SPAWN_EXITED);
	spawn_clear(&s);
}

static void test_signal(void **state)
{
	struct spawn s = { .argv = SH("kill -9 $$") };

	assert_int_equal(spawn_run(&s), 128 + SIGKILL);
	assert_int_equal(s.end, SPAWN_KILLED);
	assert_non_null(strstr(describe(&s), "killed by signal 9"));
	spawn_clear(&s);
}

static void test_missing_program(void **state)
{
	struct spawn s = { .argv = (const char *const[]){ "fb-no-such-program", NULL } };

	assert_int_equal(spawn_start(&s), -ENOENT);
	assert_int_equal(s.end, SPAWN_NOT_RUN);
	assert_int_equal(spawn_finish(&s), 127);
	assert_true(spawn_not_found(&s));
	assert_string_equal(describe(&s),
			    "cannot run 'fb-no-such-program': No such file or directory");
	spawn_clear(&s);

	/* a path that is not executable fails at exec, reported the same way */
	s = (struct spawn){ .argv = (const char *const[]){ "x", NULL }, .file = "/dev/null" };
	assert_int_equal(spawn_run(&s), 127);
	assert_int_equal(s.end, SPAWN_NOT_RUN);
	assert_int_equal(s.err_no, EACCES);
	assert_string_equal(describe(&s), "cannot run '/dev/null': Permission denied");
	spawn_clear(&s);

	/* a program that exits 127 ran: not the same thing */
	s = (struct spawn){ .argv = SH("exit 127") };
	assert_int_equal(spawn_run(&s), 127);
	assert_int_equal(s.end, SPAWN_EXITED);
	spawn_clear(&s);
}

static void test_capture(void **state)
{
	/* more than a pipe's 64 KiB on each stream: both must be read as they come */
	struct spawn s = {
		.argv = SH("head -c 300000 /dev/zero | tr '\\0' o; echo; "
			   "head -c 200000 /dev/zero | tr '\\0' e >&2; echo end"),
		.out = { SPAWN_CAPTURE },
		.err = { SPAWN_CAPTURE },
	};

	assert_int_equal(spawn_run(&s), 0);
	assert_int_equal(s.out_len, 300000 + 1 + 4);
	assert_int_equal(strlen(s.out_buf), s.out_len);
	assert_string_equal(s.out_buf + 300001, "end\n");
	assert_int_equal(s.err_len, 200000);
	assert_int_equal(strspn(s.err_buf, "e"), 200000);
	spawn_clear(&s);

	/* nothing written: an empty string, not NULL */
	s = (struct spawn){ .argv = SH("true"), .out = { SPAWN_CAPTURE } };
	assert_int_equal(spawn_run(&s), 0);
	assert_string_equal(s.out_buf, "");
	spawn_clear(&s);

	/* 2>&1 into the capture */
	s = (struct spawn){ .argv = SH("echo a; echo b >&2"),
			    .out = { SPAWN_CAPTURE },
			    .err = { SPAWN_TO_STDOUT } };
	assert_int_equal(spawn_run(&s), 0);
	assert_string_equal(s.out_buf, "a\nb\n");
	spawn_clear(&s);
}

static void test_files_and_fds(void **state)
{
	char path[] = "/tmp/fb-test-spawn.XXXXXX", *text;
	int fd = mkstemp(path), fds[2];
	struct spawn s = { .argv = SH("echo one"), .out = { SPAWN_FILE, .path = path } };

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(spawn_run(&s), 0);
	spawn_clear(&s);
	s = (struct spawn){ .argv = SH("echo two >&2"), .err = { SPAWN_APPEND, .path = path } };
	assert_int_equal(spawn_run(&s), 0);
	spawn_clear(&s);
	text = read_text_file(path);
	assert_string_equal(text, "one\ntwo\n");
	free(text);
	/* truncated by SPAWN_FILE */
	s = (struct spawn){ .argv = SH("echo three"), .out = { SPAWN_FILE, .path = path } };
	assert_int_equal(spawn_run(&s), 0);
	spawn_clear(&s);
	text = read_text_file(path);
	assert_string_equal(text, "three\n");
	free(text);

	/* stdin from a descriptor of ours, which stays open here */
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	s = (struct spawn){ .argv = SH("cat"),
			    .in = { SPAWN_FD, .fd = fd },
			    .out = { SPAWN_CAPTURE } };
	assert_int_equal(spawn_run(&s), 0);
	assert_string_equal(s.out_buf, "three\n");
	assert_true(fcntl(fd, F_GETFD) >= 0);
	spawn_clear(&s);
	close(fd);

	/* stdin from /dev/null: cat ends at once */
	s = (struct spawn){ .argv = SH("cat"), .in = { SPAWN_NULL }, .out = { SPAWN_CAPTURE } };
	assert_int_equal(spawn_run(&s), 0);
	assert_string_equal(s.out_buf, "");
	spawn_clear(&s);

	/* stdout to a pipe of ours */
	assert_int_equal(pipe(fds), 0);
	s = (struct spawn){ .argv = SH("echo piped"), .out = { SPAWN_FD, .fd = fds[1] } };
	assert_int_equal(spawn_run(&s), 0);
	spawn_clear(&s);
	close(fds[1]);
	char buf[32] = "";
	assert_int_equal(read(fds[0], buf, sizeof(buf) - 1), 6);
	assert_string_equal(buf, "piped\n");
	close(fds[0]);

	/* a file that cannot be opened: not run, and said so */
	s = (struct spawn){ .argv = SH("true"),
			    .out = { SPAWN_FILE, .path = "/nonexistent-dir/x" } };
	assert_int_equal(spawn_run(&s), 127);
	assert_int_equal(s.end, SPAWN_NOT_RUN);
	assert_int_equal(s.err_no, ENOENT);
	spawn_clear(&s);
	unlink(path);
}

static void test_env_and_dir(void **state)
{
	struct spawn s = {
		.argv = SH("echo \"$FB_SPAWN_T-${FB_SPAWN_GONE-unset}-$(pwd)\""),
		.env = (const char *const[]){ "FB_SPAWN_T=1", "FB_SPAWN_GONE", NULL },
		.dir = "/",
		.out = { SPAWN_CAPTURE },
	};

	setenv("FB_SPAWN_GONE", "here", 1);
	setenv("FB_SPAWN_T", "old", 1);
	assert_int_equal(spawn_run(&s), 0);
	assert_string_equal(s.out_buf, "1-unset-/\n");
	/* ours is untouched */
	assert_string_equal(getenv("FB_SPAWN_GONE"), "here");
	spawn_clear(&s);

	s = (struct spawn){ .argv = SH("true"), .dir = "/nonexistent-dir" };
	assert_int_equal(spawn_run(&s), 127);
	assert_int_equal(s.end, SPAWN_NOT_RUN);
	assert_int_equal(s.err_no, ENOENT);
	assert_non_null(strstr(describe(&s), "chdir"));
	assert_false(spawn_not_found(&s));
	spawn_clear(&s);
}

/* child_setup: runs in the child before exec */
static void ignore_term(void *arg)
{
	signal(SIGTERM, SIG_IGN);
}

static void test_timeout_kills(void **state)
{
	struct spawn s = { .argv = SH("exec sleep 1000"), .timeout = 0.2 };

	assert_int_equal(spawn_run(&s), 128 + SIGTERM);
	assert_int_equal(s.end, SPAWN_TIMED_OUT);
	assert_string_equal(describe(&s),
			    "timed out after 0.2 s (killed by signal 15 (Terminated))");
	spawn_clear(&s);

	/* SIGTERM ignored (inherited through exec): SIGKILL after the grace period */
	s = (struct spawn){ .argv = SH("exec sleep 1000"),
			    .timeout = 0.1,
			    .grace = 0.1,
			    .child_setup = ignore_term };
	assert_int_equal(spawn_run(&s), 128 + SIGKILL);
	assert_int_equal(s.end, SPAWN_TIMED_OUT);
	spawn_clear(&s);
}

static void test_timeout_kills_group(void **state)
{
	int fds[2], st;
	char line[32] = "";
	pid_t grandchild;
	FILE *f;
	struct spawn s = {
		.argv = SH("sleep 1000 & echo $!; wait"),
		.own_group = true,
		.timeout = 0.1,
	};

	/* the orphaned grandchild comes back to us, to be waited for */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	s.out = (struct spawn_io){ SPAWN_FD, .fd = fds[1] };
	assert_int_equal(spawn_start(&s), 0);
	close(fds[1]);
	f = fdopen(fds[0], "r");
	assert_non_null(fgets(line, sizeof(line), f));
	fclose(f);
	grandchild = atoi(line);
	assert_true(grandchild > 0);
	/* SIGTERM for the whole group; SIGKILL only for one that outlived the grace */
	assert_true(spawn_finish(&s) == 128 + SIGTERM || s.code == 128 + SIGKILL);
	assert_int_equal(s.end, SPAWN_TIMED_OUT);
	assert_int_equal(waitpid(grandchild, &st, 0), grandchild);
	assert_true(WIFSIGNALED(st));
	assert_true(WTERMSIG(st) == SIGTERM || WTERMSIG(st) == SIGKILL);
	spawn_clear(&s);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_stop_and_poll(void **state)
{
	struct spawn s = { .argv = SH("exec sleep 1000"), .own_group = true };

	assert_int_equal(spawn_start(&s), 0);
	assert_false(spawn_exited(&s));
	assert_false(spawn_stop(&s, SIGINT, 30));
	assert_true(spawn_exited(&s));
	assert_int_equal(s.code, 128 + SIGINT);
	assert_int_equal(s.end, SPAWN_KILLED);
	/* finishing a reaped child only reports */
	assert_int_equal(spawn_finish(&s), 128 + SIGINT);
	spawn_clear(&s);
}

static void test_rusage(void **state)
{
	struct spawn s = { .argv = SH("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done") };

	assert_int_equal(spawn_run(&s), 0);
	/* the shell touched memory: its own faults are in the rusage */
	assert_true(s.ru.ru_minflt > 0);
	spawn_clear(&s);
}

static void test_find_program(void **state)
{
	char *p = spawn_find_program("sh", NULL);

	assert_non_null(p);
	assert_true(p[0] == '/');
	free(p);
	assert_null(spawn_find_program("fb-no-such-program", NULL));
	assert_null(spawn_find_program("", NULL));
	/* a directory is no program */
	assert_null(spawn_find_program("/tmp", NULL));
	p = spawn_find_program("/bin/sh", NULL);
	assert_string_equal(p, "/bin/sh");
	free(p);
	/* the extra directories are searched after PATH */
	setenv("PATH", "/nonexistent-dir", 1);
	assert_null(spawn_find_program("sh", NULL));
	p = spawn_find_program("sh", "/nonexistent-dir2:/bin");
	assert_string_equal(p, "/bin/sh");
	free(p);
	setenv("PATH", "/usr/local/bin:/usr/bin:/bin", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),	cmocka_unit_test(test_signal),
		cmocka_unit_test(test_missing_program), cmocka_unit_test(test_capture),
		cmocka_unit_test(test_files_and_fds),	cmocka_unit_test(test_env_and_dir),
		cmocka_unit_test(test_timeout_kills),	cmocka_unit_test(test_timeout_kills_group),
		cmocka_unit_test(test_stop_and_poll),	cmocka_unit_test(test_rusage),
		cmocka_unit_test(test_find_program),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
