// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of issue 23's security part (docs/hardening.md): files created
 * never through a planted link (fb_create, fb_open_append, spawn's
 * SPAWN_FILE/SPAWN_APPEND, fb_mkdir_below), the compiler flags kernbench
 * takes, CSV formula injection, PostgreSQL passwords in messages, and
 * control characters shown escaped (fb_printable, fb_esc, every message).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend.h"
#include "ccflags.h"
#include "csv.h"
#include "spawn.h"
#include "store.h"
#include "util.h"

#include "scratch.h"

/* A victim file holding "keep", and a link to it at name. */
static void plant(const char *name)
{
	FILE *f = fopen(at("victim"), "w");

	assert_non_null(f);
	fputs("keep", f);
	assert_int_equal(fclose(f), 0);
	unlink(at(name));
	assert_int_equal(symlink(at("victim"), at(name)), 0);
}

static void victim_kept(void)
{
	char *text = read_text_file(at("victim"));

	assert_non_null(text);
	assert_string_equal(text, "keep");
	free(text);
}

static void test_create_never_through_a_link(void **state)
{
	struct stat st;
	int fd;

	plant("log");
	/* a new file: the link is there, so nothing is opened */
	assert_int_equal(fb_create(at("log"), FB_NEW), -EEXIST);
	/* replacing: the link itself is replaced by a new, empty file */
	fd = fb_create(at("log"), FB_REPLACE);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "new", 3), 3);
	close(fd);
	victim_kept();
	assert_int_equal(lstat(at("log"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 3);
	unlink(at("log"));
}

static void test_append_never_through_a_link(void **state)
{
	int fd;

	plant("app");
	assert_true(fb_open_append(at("app")) < 0);
	victim_kept();
	/* a hard link to someone else's file is not appended to either */
	unlink(at("app"));
	assert_int_equal(link(at("victim"), at("app")), 0);
	assert_int_equal(fb_open_append(at("app")), -EPERM);
	victim_kept();
	unlink(at("app"));
	/* a FIFO does not block the open, and is refused */
	assert_int_equal(mkfifo(at("app"), 0600), 0);
	assert_true(fb_open_append(at("app")) < 0);
	unlink(at("app"));
	/* a plain file of ours: appended to */
	fd = fb_open_append(at("app"));
	assert_true(fd >= 0);
	close(fd);
	unlink(at("app"));
}

/* The S1 reproducer's path: a program's output into a planted link. */
static void test_spawn_output_not_through_a_link(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "echo out", NULL };
	char *out = xstrdup(at("out.log")), *err = xstrdup(at("err.log")), *text;
	struct spawn sp = { .argv = argv, .out = { SPAWN_FILE, .path = out } };

	plant("out.log");
	assert_int_equal(spawn_run(&sp), 0);
	spawn_clear(&sp);
	victim_kept();
	text = read_text_file(at("out.log"));
	assert_string_equal(text, "out\n");
	free(text);
	unlink(at("out.log"));

	plant("err.log");
	sp = (struct spawn){ .argv = argv, .out = { SPAWN_APPEND, .path = err } };
	assert_int_not_equal(spawn_run(&sp), 0); /* cannot open its stdout: not started */
	spawn_clear(&sp);
	victim_kept();
	unlink(at("err.log"));
	free(out);
	free(err);
}

static void test_mkdir_below(void **state)
{
	struct stat st;

	assert_int_equal(mkdir(at("elsewhere"), 0700), 0);
	assert_int_equal(symlink(at("elsewhere"), at("linked")), 0);
	/* the base the user named may be a link; a directory below it may not */
	assert_int_equal(fb_mkdir_below(scratch_dir, "linked"), -ELOOP);
	assert_int_equal(fb_mkdir_below(at("linked"), "a/b"), 0);
	assert_int_equal(stat(at("elsewhere/a/b"), &st), 0);
	assert_int_equal(mkdir(at("real"), 0700), 0);
	assert_int_equal(symlink(at("elsewhere"), at("real/x")), 0);
	assert_int_equal(fb_mkdir_below(at("real"), "x/1"), -ELOOP);
	assert_int_equal(stat(at("elsewhere/1"), &st), -1);
	assert_int_equal(fb_mkdir_below(at("real"), "../real"), -EINVAL);
	assert_int_equal(fb_mkdir_below(at("real"), "y/1"), 0);
	assert_int_equal(stat(at("real/y/1"), &st), 0);
	assert_true(S_ISDIR(st.st_mode));
}

static void test_cflags(void **state)
{
	static const char *const good[] = {
		"-O2",
		"-O",
		"-Os",
		"-Ofast",
		"-Wall",
		"-Wextra",
		"-Werror=format",
		"-Wno-unused",
		"-w",
		"-pedantic",
		"-march=native",
		"-mtune=znver4",
		"-DFOO",
		"-DFOO=1",
		"-U_FORTIFY_SOURCE",
		"-g",
		"-g3",
		"-ggdb",
		"-gdwarf-5",
		"-fno-omit-frame-pointer",
		"-fPIC",
		"-fsanitize=address",
		"-std=gnu11",
		"-pipe",
	};
	/* each of these runs a program, reads a file of flags, or writes elsewhere */
	static const char *const bad[] = {
		"-wrapper",
		"/usr/bin/mkdir,-p,/tmp/PWNED,--",
		"-fplugin=/tmp/x.so",
		"-fplugin-arg-x-y=z",
		"-B/tmp",
		"-B",
		"-o",
		"@file",
		"-include",
		"-Wl,-plugin",
		"-Wa,--defsym,x=1",
		"-Wp,-MD,/tmp/x",
		"-specs=x",
		"-fuse-ld=gold",
		"-fprofile-generate=/tmp",
		"-fdump-tree-all",
		"-flto",
		"-DX=/etc/passwd",
		"-D",
		"-D1X",
		"-UX=1",
		"-save-temps=obj",
		"-MF",
		"x",
		"-O2;id",
		"-O$(id)",
		"-O2`id`",
		"-fcompare-debug=-fplugin=x",
		"-march=",
		"-Ox",
		"--sysroot=x",
		"-iquote",
		"-x",
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!cc_flag_ok(good[i]))
			fail_msg("refused %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cc_flag_ok(bad[i]))
			fail_msg("took %s", bad[i]);
	assert_null(cc_flags_refused("-O2  -g -Wall", buf, sizeof(buf)));
	assert_null(cc_flags_refused("", buf, sizeof(buf)));
	assert_string_equal(
	    cc_flags_refused("-O2 -wrapper /usr/bin/mkdir,-p,/tmp/PWNED,--", buf, sizeof(buf)),
	    "-wrapper");
	/* --cc: a C compiler, never another program make would run */
	assert_true(cc_compiler_name_ok("cc"));
	assert_true(cc_compiler_name_ok("gcc-14"));
	assert_true(cc_compiler_name_ok("/usr/bin/x86_64-linux-gnu-gcc-12"));
	assert_true(cc_compiler_name_ok("clang-19"));
	assert_false(cc_compiler_name_ok("sh"));
	assert_false(cc_compiler_name_ok("/usr/bin/python3"));
	assert_false(cc_compiler_name_ok("/tmp/evil"));
	assert_false(cc_compiler_name_ok("notgcc"));
	assert_false(cc_compiler_name_ok("gcc-"));
	/* a flag longer than the buffer is refused, not checked cut short */
	assert_non_null(cc_flags_refused("-DAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", buf, 8));
}

static char *csv_of(const char *s)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	csv_field(f, s, true);
	fclose(f);
	return out;
}

static void test_csv_formulas(void **state)
{
	static const char *const cases[][2] = {
		{ "=cmd|' /C calc'!A0", "\"'=cmd|' /C calc'!A0\"" },
		{ "+1+1", "\"'+1+1\"" },
		{ "-x", "\"'-x\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"" },
		{ "- 1", "\"'- 1\"" },
		/* numbers and plain text stay as they are */
		{ "-3.5", "-3.5" },
		{ "+2", "+2" },
		{ "-1e3", "-1e3" },
		{ "pages/s", "pages/s" },
		{ "a=b", "a=b" },
		{ "", "" },
		/* control characters shown as \xNN; CR, LF, TAB quoted as RFC 4180 has it */
		{ "v\x1b]0;T\x07", "v\\x1b]0;T\\x07" },
		{ "two\nlines", "\"two\nlines\"" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = csv_of(cases[i][0]);

		assert_string_equal(out, cases[i][1]);
		free(out);
	}
	assert_true(csv_formula_like("\t=1"));
	assert_true(csv_formula_like("\r=1"));
	assert_false(csv_formula_like("-0.25"));
}

static void redacted(const char *target, const char *want)
{
	char *r = store_redact(target);

	assert_string_equal(r, want);
	free(r);
}

static void test_pg_passwords(void **state)
{
	char *m;

	redacted("postgresql://u:s3cr3t@localhost:1/x", "postgresql://u:***@localhost:1/x");
	redacted("POSTGRESQL://u:s3cr3t@db/fb", "POSTGRESQL://u:***@db/fb");
	redacted("postgres://u@db/fb?password=s3cr3t", "postgres://u@db/fb?password=***");
	redacted("postgresql://db/fb?sslmode=disable&password=s3cr3t&connect_timeout=2",
		 "postgresql://db/fb?sslmode=disable&password=***&connect_timeout=2");
	redacted("postgresql://db/fb?pass%77ord=s3cr3t", "postgresql://db/fb?pass%77ord=***");
	redacted("postgresql://db/fb?sslpassword=k", "postgresql://db/fb?sslpassword=***");
	redacted("postgresql://u@db:5432/fb", "postgresql://u@db:5432/fb");
	redacted("results/faultbench.db", "results/faultbench.db");
	/* libpq repeats a token it cannot decode: the secret is masked there too */
	m = store_mask_secrets("postgresql://u:s3%zzcr3t@db/x",
			       "invalid percent-encoded token: \"s3%zzcr3t\"");
	assert_string_equal(m, "invalid percent-encoded token: \"***\"");
	free(m);
	m = store_mask_secrets("postgresql://db/x?password=a%zzb&sslmode=x", "token \"a%zzb\"");
	assert_string_equal(m, "token \"***\"");
	free(m);
}

static void test_url_stores(void **state)
{
	struct store *s = NULL;
	bool quiet = fb_set_quiet(true);
	struct stat st;

	/* a URL of another kind is an error, never an SQLite file named after it */
	assert_int_equal(chdir(scratch_dir), 0);
	assert_int_equal(store_open(&s, "mysql://u:s3cr3t@db/fb", STORE_WRITE), FB_USAGE);
	assert_null(s);
	assert_null(strstr(fb_last_error(), "s3cr3t"));
	assert_int_equal(stat("mysql:", &st), -1);
	fb_set_quiet(quiet);
}

static void test_control_characters(void **state)
{
	char buf[128];
	char *md;

	/* C0, DEL, C1 (U+009B is CSI on some terminals), bidi overrides */
	assert_string_equal(fb_printable("a\x1b]0;T\x07", buf, sizeof(buf)), "a\\x1b]0;T\\x07");
	assert_string_equal(fb_printable("x\xc2\x9b"
					 "2J",
					 buf, sizeof(buf)),
			    "x\\xc2\\x9b2J");
	assert_string_equal(fb_printable("ab\xe2\x80\xae"
					 "cd",
					 buf, sizeof(buf)),
			    "ab\\xe2\\x80\\xaecd");
	assert_string_equal(fb_printable("\xe2\x81\xa6", buf, sizeof(buf)), "\\xe2\\x81\\xa6");
	/* printable non-ASCII stays */
	assert_string_equal(fb_printable("caf\xc3\xa9 \xc2\xa0", buf, sizeof(buf)),
			    "caf\xc3\xa9 \xc2\xa0");
	assert_string_equal(fb_esc("d\x1b[2J/r.json"), "d\\x1b[2J/r.json");
	/* every message: newlines kept, the rest escaped */
	bool quiet = fb_set_quiet(true);
	fb_usage("cannot read '%s'", "h/d\x1b[2J/x.json");
	assert_string_equal(fb_last_error(), "cannot read 'h/d\\x1b[2J/x.json'");
	fb_set_quiet(quiet);
	/* markdown: C1 and bidi controls become spaces, like C0 ones */
	md = fb_md_escape("a\xc2\x9b"
			  "b\xe2\x80\xae"
			  "c");
	assert_string_equal(md, "a b c");
	free(md);
}

static int setup(void **state)
{
	return scratch_make("security");
}

static int teardown(void **state)
{
	return scratch_remove();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_never_through_a_link),
		cmocka_unit_test(test_append_never_through_a_link),
		cmocka_unit_test(test_spawn_output_not_through_a_link),
		cmocka_unit_test(test_mkdir_below),
		cmocka_unit_test(test_cflags),
		cmocka_unit_test(test_csv_formulas),
		cmocka_unit_test(test_pg_passwords),
		cmocka_unit_test(test_url_stores),
		cmocka_unit_test(test_control_characters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
