// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of what help and completion are made of: roff from an options
 * table (lib/man.c) and back to plain text, completion candidates
 * (lib/complete.c), and where BENCH stands on run's command line
 * (engine/runargs.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "complete.h"
#include "man.h"
#include "runargs.h"
#include "util.h"

struct toy {
	unsigned set;
	long long n;
	bool quiet;
};

static const struct opt toy_opts[] = { { .name = "set",
					 .type = OPT_ENUMSET,
					 .def = "a",
					 .choices = "a|b|c",
					 .matrix = true,
					 .help = "which-ones",
					 .off = offsetof(struct toy, set) },
				       { .name = "n",
					 .type = OPT_INT,
					 .def = "2",
					 .min = 1,
					 .max = 9,
					 .help = ".starts with a dot",
					 .off = offsetof(struct toy, n) },
				       { .name = "quiet",
					 .type = OPT_BOOL,
					 .help = "say less",
					 .off = offsetof(struct toy, quiet) },
				       OPT_END };

/* What fn(f) writes, as a string (free it). */
#define CAPTURE(buf, call)                                                                         \
	do {                                                                                       \
		size_t len_;                                                                       \
		FILE *f = open_memstream(&(buf), &len_);                                           \
		assert_non_null(f);                                                                \
		call;                                                                              \
		fclose(f);                                                                         \
	} while (0)

static void test_roff_escapes(void **state)
{
	char *out = NULL;

	CAPTURE(out, man_text(f, ".a\\b-c|d"));
	/* no request from a leading dot; backslash and minus escaped; a break after '|' */
	assert_string_equal(out, "\\&.a\\eb\\-c|\\:d");
	free(out);
}

static void test_options_page(void **state)
{
	char *out = NULL;

	CAPTURE(out, man_options(f, toy_opts));
	assert_non_null(strstr(out, ".B \\-\\-set=\\fILIST\\fR\nwhich\\-ones\n"));
	assert_non_null(strstr(out, "Any of: a|\\:b|\\:c (each value given runs as a variant)."));
	assert_non_null(strstr(out, "\\&.starts with a dot\n"));
	assert_non_null(strstr(out, "Also \\-\\-no\\-quiet."));
	assert_non_null(strstr(out, "Default: none.\n"));
	free(out);
}

static void test_plain_text(void **state)
{
	char *out = NULL;

	CAPTURE(out, man_plain(f, ".\\\" a comment\n.SH NAME\nfoo \\- \\fBbar\\fR\n.TP\n"
				  ".B \"\\-\\-x\"\na|\\:b\n"));
	assert_string_equal(out, "NAME\n       foo - bar\n\n       --x\n       a|b\n");
	free(out);
}

static void test_completion(void **state)
{
	char *out = NULL;
	const struct opt *tables[] = { toy_opts };

	CAPTURE(out, complete_options(f, "--", toy_opts));
	assert_string_equal(out, "--set=\n--n=\n--quiet\n");
	free(out);
	/* a LIST completes its last item, never one given already */
	CAPTURE(out, complete_choices(f, &toy_opts[0], "--set=", "a,"));
	assert_string_equal(out, "--set=a,b\n--set=a,c\n");
	free(out);
	CAPTURE(out, complete_choices(f, &toy_opts[2], "", "o"));
	assert_string_equal(out, "on\noff\n");
	free(out);
	assert_ptr_equal(complete_find_opt(tables, 1, "n=3", 1), &toy_opts[1]);
	assert_null(complete_find_opt(tables, 1, "se", 2));
}

static void test_bench_word(void **state)
{
	char *a1[] = { "run", "--cpus", "2", "-o", "x", "--threads", "pf1", "--size=1M" };
	char *a2[] = { "run", "--cpus=2", "--", "pf1" };
	char *a3[] = { "run", "--cpus" };

	assert_true(run_word_takes_value("--cpus"));
	assert_true(run_word_takes_value("-o"));
	assert_false(run_word_takes_value("--cpus=2"));
	assert_false(run_word_takes_value("--threads"));
	assert_false(run_word_takes_value("pf1"));
	/* a benchmark's option: BENCH may come after it */
	assert_true(run_word_takes_value("--backing"));
	assert_int_equal(run_bench_word(8, a1, 1), 6);
	assert_int_equal(run_bench_word(4, a2, 1), -1);
	assert_int_equal(run_bench_word(2, a3, 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roff_escapes), cmocka_unit_test(test_options_page),
		cmocka_unit_test(test_plain_text),   cmocka_unit_test(test_completion),
		cmocka_unit_test(test_bench_word),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
