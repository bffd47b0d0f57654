// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/pattern.c and the judges of stress/invalidate.c and
 * stress/truncate.c: each checker is fed a deliberately wrong page and must
 * catch it, name the right offset and say what it saw instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pattern.h"
#include "stress.h"

#define NUNITS 16
#define BASE   0x100000ULL
#define SEED   42

static uint64_t *make_range(uint64_t gen)
{
	uint64_t *buf = aligned_alloc(PATTERN_UNIT, NUNITS * PATTERN_UNIT);

	assert_non_null(buf);
	pattern_fill_range(buf, NUNITS * PATTERN_UNIT, BASE, gen, SEED);
	return buf;
}

static uint64_t *unit(uint64_t *buf, unsigned i)
{
	return buf + i * PATTERN_WORDS;
}

static void test_good_range_passes(void **state)
{
	uint64_t *buf = make_range(3);
	struct pattern_mismatch m;

	assert_true(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 3, 3, &m));
	assert_true(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 1, 5, &m));
	/* a different seed or generation is not accepted */
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED + 1, 3, 3, &m));
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 4, 9, &m));
	free(buf);
}

static void test_stale_page_caught(void **state)
{
	uint64_t *buf = make_range(7);
	struct pattern_mismatch m;
	char text[512];

	pattern_fill(unit(buf, 5), BASE + 5 * PATTERN_UNIT, 6, SEED);
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 7, 7, &m));
	assert_int_equal(m.offset, BASE + 5 * PATTERN_UNIT);
	assert_int_equal(m.seen, PATTERN_SEEN_VALID);
	assert_int_equal(m.seen_gen, 6);
	assert_int_equal(m.seen_offset, BASE + 5 * PATTERN_UNIT);
	assert_int_equal(m.bad_word, 2); /* the generation word */
	assert_int_equal(m.bad_expected, 7);
	assert_int_equal(m.bad_seen, 6);
	pattern_describe(&m, text, sizeof(text));
	assert_non_null(strstr(text, "offset 0x105000"));
	assert_non_null(strstr(text, "expected gen 7"));
	assert_non_null(strstr(text, "seen gen 6"));
	assert_non_null(strstr(text, "stale"));
	free(buf);
}

static void test_misplaced_page_caught(void **state)
{
	uint64_t *buf = make_range(1);
	struct pattern_mismatch m;
	char text[512];

	/* unit 7 holds unit 8's data, as a page mapped at the wrong offset would */
	memcpy(unit(buf, 7), unit(buf, 8), PATTERN_UNIT);
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 1, 1, &m));
	assert_int_equal(m.offset, BASE + 7 * PATTERN_UNIT);
	assert_int_equal(m.seen, PATTERN_SEEN_VALID);
	assert_int_equal(m.seen_offset, BASE + 8 * PATTERN_UNIT);
	assert_int_equal(m.bad_word, 1);
	pattern_describe(&m, text, sizeof(text));
	assert_non_null(strstr(text, "another offset"));
	free(buf);
}

static void test_zero_page_caught(void **state)
{
	uint64_t *buf = make_range(2);
	struct pattern_mismatch m;

	memset(unit(buf, 3), 0, PATTERN_UNIT);
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 2, 2, &m));
	assert_int_equal(m.offset, BASE + 3 * PATTERN_UNIT);
	assert_int_equal(m.seen, PATTERN_SEEN_ZERO);
	/* zeros are right where generation 0 (a hole) is expected, data is not */
	assert_true(pattern_check(unit(buf, 3), BASE + 3 * PATTERN_UNIT, SEED, 0, 0, &m));
	assert_false(pattern_check(unit(buf, 4), BASE + 4 * PATTERN_UNIT, SEED, 0, 0, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_VALID);
	free(buf);
}

static void test_flipped_word_caught(void **state)
{
	uint64_t *buf = make_range(4), good;
	struct pattern_mismatch m;

	good = unit(buf, 9)[100];
	unit(buf, 9)[100] ^= 1ULL << 17;
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 4, 4, &m));
	assert_int_equal(m.offset, BASE + 9 * PATTERN_UNIT);
	assert_int_equal(m.seen, PATTERN_SEEN_TORN);
	assert_int_equal(m.bad_word, 100);
	assert_int_equal(m.bad_expected, good);
	assert_int_equal(m.bad_seen, good ^ (1ULL << 17));
	free(buf);
}

static void test_garbage_caught(void **state)
{
	uint64_t *buf = make_range(4);
	struct pattern_mismatch m;

	memset(unit(buf, 15), 0xab, PATTERN_UNIT);
	assert_false(pattern_check_range(buf, NUNITS * PATTERN_UNIT, BASE, SEED, 4, 4, &m));
	assert_int_equal(m.offset, BASE + 15 * PATTERN_UNIT);
	assert_int_equal(m.seen, PATTERN_SEEN_GARBAGE);
	assert_int_equal(m.bad_word, 0);
	free(buf);
}

/* Unit 0 becomes the first half of generation a and the second half of generation b. */
static void make_torn(uint64_t *buf, uint64_t off, uint64_t a, uint64_t b)
{
	uint64_t other[PATTERN_WORDS];

	pattern_fill(buf, off, a, SEED);
	pattern_fill(other, off, b, SEED);
	memcpy(buf + PATTERN_WORDS / 2, other + PATTERN_WORDS / 2, PATTERN_UNIT / 2);
}

static void test_invalidate_judge(void **state)
{
	uint64_t *buf = make_range(5), off = BASE;
	struct pattern_mismatch m;
	bool strict;

	/* nothing in flight: exactly the published generation */
	assert_true(stress_judge_invalidate(buf, off, SEED, 5, 5, &strict, &m));
	assert_true(strict);
	/* the write of 6 returned, the page still shows 5: the bug this test hunts */
	assert_false(stress_judge_invalidate(buf, off, SEED, 6, 6, &strict, &m));
	assert_true(strict);
	assert_int_equal(m.offset, off);
	assert_int_equal(m.seen_gen, 5);
	assert_int_equal(m.exp_gen_min, 6);
	/* 6 in flight: 5 or 6 are both right, 4 is not */
	assert_true(stress_judge_invalidate(buf, off, SEED, 5, 6, &strict, &m));
	assert_false(strict);
	pattern_fill(buf, off, 4, SEED);
	assert_false(stress_judge_invalidate(buf, off, SEED, 5, 6, &strict, &m));
	assert_int_equal(m.seen_gen, 4);
	/* torn between 5 and 6 while 6 was in flight: not judged; with nothing in flight: caught */
	make_torn(buf, off, 5, 6);
	assert_true(stress_judge_invalidate(buf, off, SEED, 5, 6, &strict, &m));
	assert_false(stress_judge_invalidate(buf, off, SEED, 6, 6, &strict, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_TORN);
	/* torn with a stale half while in flight is still caught */
	make_torn(buf, off, 3, 6);
	assert_false(stress_judge_invalidate(buf, off, SEED, 5, 6, &strict, &m));
	/* zeros are never right once generation 1 was written */
	memset(buf, 0, PATTERN_UNIT);
	assert_false(stress_judge_invalidate(buf, off, SEED, 5, 6, &strict, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_ZERO);
	free(buf);
}

static void test_truncate_judge(void **state)
{
	uint64_t *buf = make_range(3), size = BASE + 4 * PATTERN_UNIT;
	struct pattern_mismatch m;

	/* inside EOF: the data; beyond: SIGBUS */
	assert_true(stress_judge_truncate(buf, false, BASE, size, SEED, 3, &m));
	assert_true(stress_judge_truncate(NULL, true, size, size, SEED, 0, &m));
	assert_true(stress_judge_truncate(NULL, true, size + PATTERN_UNIT, size, SEED, 0, &m));
	/* SIGBUS inside EOF */
	assert_false(stress_judge_truncate(NULL, true, BASE, size, SEED, 3, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_SIGBUS);
	assert_int_equal(m.offset, BASE);
	/* readable beyond EOF */
	assert_false(stress_judge_truncate(unit(buf, 4), false, size, size, SEED, 3, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_NO_SIGBUS);
	assert_int_equal(m.offset, size);
	/* after extension the page must read zeros, not the data from before the cut */
	assert_false(
	    stress_judge_truncate(unit(buf, 1), false, BASE + PATTERN_UNIT, size, SEED, 0, &m));
	assert_int_equal(m.seen, PATTERN_SEEN_VALID);
	assert_int_equal(m.offset, BASE + PATTERN_UNIT);
	/* a rewritten page that shows the previous generation */
	assert_false(
	    stress_judge_truncate(unit(buf, 2), false, BASE + 2 * PATTERN_UNIT, size, SEED, 4, &m));
	assert_int_equal(m.seen_gen, 3);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_range_passes),
		cmocka_unit_test(test_stale_page_caught),
		cmocka_unit_test(test_misplaced_page_caught),
		cmocka_unit_test(test_zero_page_caught),
		cmocka_unit_test(test_flipped_word_caught),
		cmocka_unit_test(test_garbage_caught),
		cmocka_unit_test(test_invalidate_judge),
		cmocka_unit_test(test_truncate_judge),
	};

	return cmocka_run_group_tests_name("pattern", tests, NULL, NULL);
}
