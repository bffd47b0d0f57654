// SPDX-License-Identifier: GPL-2.0
/*
 * Self-describing data patterns for the stress tests (see pattern.h).
 *
 * The body is a hash of (seed, offset, generation, word index) so that two
 * different units never share content: a page that the kernel maps at the
 * wrong offset, or keeps from an older generation, is told apart from a torn
 * or zeroed one.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "pattern.h"

#define PATTERN_MAGIC 0x4642504154544e31ULL /* "FBPATTN1" */
#define HDR_WORDS     4

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* One key per unit; every body word is derived from it and its index. */
static uint64_t unit_key(uint64_t offset, uint64_t gen, uint64_t seed)
{
	return splitmix64(seed ^ splitmix64(offset ^ splitmix64(gen)));
}

static uint64_t word_of(uint64_t key, uint64_t offset, uint64_t gen, uint64_t seed, size_t i)
{
	if (!gen)
		return 0;
	switch (i) {
	case 0:
		return PATTERN_MAGIC;
	case 1:
		return offset;
	case 2:
		return gen;
	case 3:
		return seed;
	}
	return splitmix64(key + i);
}

static uint64_t expected_word(uint64_t offset, uint64_t gen, uint64_t seed, size_t i)
{
	return word_of(unit_key(offset, gen, seed), offset, gen, seed, i);
}

void pattern_fill(void *unit, uint64_t offset, uint64_t gen, uint64_t seed)
{
	uint64_t *w = unit, key = unit_key(offset, gen, seed);
	size_t i;

	for (i = 0; i < PATTERN_WORDS; i++)
		w[i] = word_of(key, offset, gen, seed, i);
}

void pattern_fill_range(void *buf, size_t len, uint64_t base, uint64_t gen, uint64_t seed)
{
	size_t off;

	for (off = 0; off + PATTERN_UNIT <= len; off += PATTERN_UNIT)
		pattern_fill((char *)buf + off, base + off, gen, seed);
}

/* Index of the first word of w that differs from the pattern, or PATTERN_WORDS. */
static size_t first_difference(const uint64_t *w, uint64_t offset, uint64_t gen, uint64_t seed)
{
	uint64_t key = unit_key(offset, gen, seed);
	size_t i;

	for (i = 0; i < PATTERN_WORDS; i++)
		if (w[i] != word_of(key, offset, gen, seed, i))
			return i;
	return PATTERN_WORDS;
}

static bool all_zero(const uint64_t *w)
{
	size_t i;

	for (i = 0; i < PATTERN_WORDS; i++)
		if (w[i])
			return false;
	return true;
}

/* What a snapshot that did not match holds. */
static void classify(const uint64_t *w, struct pattern_mismatch *m)
{
	uint64_t report_gen = m->exp_gen_max ? m->exp_gen_max : m->exp_gen_min;

	m->seen_offset = m->seen_gen = m->seen_seed = 0;
	if (all_zero(w)) {
		m->seen = PATTERN_SEEN_ZERO;
	} else if (w[0] == PATTERN_MAGIC && w[2]) {
		m->seen_offset = w[1];
		m->seen_gen = w[2];
		m->seen_seed = w[3];
		m->seen = first_difference(w, w[1], w[2], w[3]) == PATTERN_WORDS
			      ? PATTERN_SEEN_VALID
			      : PATTERN_SEEN_TORN;
	} else {
		m->seen = PATTERN_SEEN_GARBAGE;
	}
	m->bad_word = first_difference(w, m->offset, report_gen, m->exp_seed);
	if (m->bad_word == PATTERN_WORDS) /* zeros when a generation >= 1 was required */
		m->bad_word = 0;
	m->bad_expected = expected_word(m->offset, report_gen, m->exp_seed, m->bad_word);
	m->bad_seen = w[m->bad_word];
}

bool pattern_check(const void *unit, uint64_t offset, uint64_t seed, uint64_t gen_min,
		   uint64_t gen_max, struct pattern_mismatch *m)
{
	const volatile uint64_t *src = unit;
	uint64_t w[PATTERN_WORDS];
	size_t i;

	/*
	 * Take a snapshot first: the unit may be a mapping that changes while
	 * it is read, and the verdict and the report must describe one state.
	 */
	for (i = 0; i < PATTERN_WORDS; i++)
		w[i] = src[i];

	if (gen_min == 0 && all_zero(w))
		return true;
	if (w[0] == PATTERN_MAGIC && w[1] == offset && w[3] == seed && w[2] >= gen_min &&
	    w[2] <= gen_max && w[2] && first_difference(w, offset, w[2], seed) == PATTERN_WORDS)
		return true;

	memset(m, 0, sizeof(*m));
	m->offset = offset;
	m->exp_gen_min = gen_min;
	m->exp_gen_max = gen_max;
	m->exp_seed = seed;
	classify(w, m);
	return false;
}

bool pattern_check_range(const void *buf, size_t len, uint64_t base, uint64_t seed,
			 uint64_t gen_min, uint64_t gen_max, struct pattern_mismatch *m)
{
	size_t off;

	for (off = 0; off + PATTERN_UNIT <= len; off += PATTERN_UNIT)
		if (!pattern_check((const char *)buf + off, base + off, seed, gen_min, gen_max, m))
			return false;
	return true;
}

static const char *verdict(const struct pattern_mismatch *m)
{
	if (m->seen_offset != m->offset)
		return "data of another offset";
	if (m->seen_seed != m->exp_seed)
		return "data of another run (seed)";
	if (m->seen_gen < m->exp_gen_min)
		return "stale";
	if (m->seen_gen > m->exp_gen_max)
		return "newer than any write started";
	return "unexpected generation";
}

const char *pattern_describe(const struct pattern_mismatch *m, char *buf, size_t len)
{
	char exp[96], seen[160];

	if (m->exp_gen_min == m->exp_gen_max)
		snprintf(exp, sizeof(exp), "gen %" PRIu64, m->exp_gen_min);
	else
		snprintf(exp, sizeof(exp), "gen %" PRIu64 "..%" PRIu64, m->exp_gen_min,
			 m->exp_gen_max);
	if (m->exp_gen_min == 0 && m->exp_gen_max == 0)
		snprintf(exp, sizeof(exp), "zeros");

	switch (m->seen) {
	case PATTERN_SEEN_OK:
		snprintf(seen, sizeof(seen), "the expected data");
		break;
	case PATTERN_SEEN_ZERO:
		snprintf(seen, sizeof(seen), "zeros");
		break;
	case PATTERN_SEEN_VALID:
	case PATTERN_SEEN_TORN:
		snprintf(seen, sizeof(seen),
			 "gen %" PRIu64 " of offset 0x%" PRIx64 " seed 0x%" PRIx64 " (%s%s)",
			 m->seen_gen, m->seen_offset, m->seen_seed, verdict(m),
			 m->seen == PATTERN_SEEN_TORN ? ", torn" : "");
		break;
	case PATTERN_SEEN_GARBAGE:
		snprintf(seen, sizeof(seen), "no pattern (garbage)");
		break;
	case PATTERN_SEEN_SIGBUS:
		snprintf(seen, sizeof(seen), "SIGBUS inside EOF");
		break;
	case PATTERN_SEEN_NO_SIGBUS:
		snprintf(seen, sizeof(seen), "no SIGBUS beyond EOF");
		break;
	}
	if (m->seen == PATTERN_SEEN_SIGBUS || m->seen == PATTERN_SEEN_NO_SIGBUS)
		snprintf(buf, len, "offset 0x%" PRIx64 ": expected %s, seen %s", m->offset,
			 m->seen == PATTERN_SEEN_NO_SIGBUS ? "SIGBUS (beyond EOF)" : exp, seen);
	else
		snprintf(buf, len,
			 "offset 0x%" PRIx64 ": expected %s seed 0x%" PRIx64 ", seen %s; "
			 "first bad word at +0x%zx: expected 0x%016" PRIx64 " seen 0x%016" PRIx64,
			 m->offset, exp, m->exp_seed, seen, m->bad_word * sizeof(uint64_t),
			 m->bad_expected, m->bad_seen);
	return buf;
}
