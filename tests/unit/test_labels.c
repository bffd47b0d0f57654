// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for analysis/labels.c: whatever the labels, two columns never
 * get one header (the same label on two machines, labels sharing a prefix or
 * a suffix longer than the view's width, and labels alike at both ends).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "labels.h"
#include "util.h"

static json_t *doc_of(const char *host, const char *release)
{
	return json_pack("{s:{s:s,s:{s:s}}}", "system", "hostname", host, "kernel", "release",
			 release);
}

static void fit(const char *a, const char *b, unsigned width, const char *ha, const char *hb,
		bool numbered)
{
	char *labels[] = { (char *)a, (char *)b }, *heads[2];

	assert_int_equal(labels_fit(labels, 2, width, heads), numbered);
	assert_string_equal(heads[0], ha);
	assert_string_equal(heads[1], hb);
	assert_true(strlen(heads[0]) <= width && strlen(heads[1]) <= width);
	labels_free(heads, 2);
}

static void test_fit(void **state)
{
	(void)state;
	fit("base", "new", 17, "base", "new", false);
	fit("6.18.44-fc-v1272-20261201", "6.18.44-fc-v1272-20261202", 17, "..-v1272-20261201",
	    "..-v1272-20261202", false);
	fit("base-kernel-with-long-name", "test-kernel-with-long-name", 17, "base-kernel-wit..",
	    "test-kernel-wit..", false);
	fit("a-long-common-part-a-and-a-long-suffix", "a-long-common-part-b-and-a-long-suffix", 17,
	    "#1", "#2", true);
}

static void test_distinct(void **state)
{
	json_t *docs[4] = { doc_of("big1", "6.18"), doc_of("big2", "6.18"), doc_of("big1", "6.18"),
			    doc_of("big1", "6.19") };
	char *l[4];

	(void)state;
	/* two machines */
	l[0] = xstrdup("lab-3");
	l[1] = xstrdup("lab-3");
	labels_make_distinct(l, docs, 2);
	assert_string_equal(l[0], "lab-3@big1");
	assert_string_equal(l[1], "lab-3@big2");
	free(l[0]);
	free(l[1]);
	/* one machine, two kernels */
	l[0] = xstrdup("x");
	l[1] = xstrdup("x");
	labels_make_distinct(l, docs + 2, 2);
	assert_string_equal(l[0], "x@6.18");
	assert_string_equal(l[1], "x@6.19");
	free(l[0]);
	free(l[1]);
	/* nothing tells them apart but the column; distinct labels are left alone */
	l[0] = xstrdup("x");
	l[1] = xstrdup("y");
	l[2] = xstrdup("x");
	labels_make_distinct(l, (json_t *const[]){ docs[0], docs[1], docs[2] }, 3);
	assert_string_equal(l[0], "x#1");
	assert_string_equal(l[1], "y");
	assert_string_equal(l[2], "x#3");
	for (int i = 0; i < 3; i++)
		free(l[i]);
	for (int i = 0; i < 4; i++)
		json_decref(docs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fit),
		cmocka_unit_test(test_distinct),
	};

	return cmocka_run_group_tests_name("labels", tests, NULL, NULL);
}
