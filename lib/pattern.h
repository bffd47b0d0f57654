/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Self-describing data patterns for the stress tests.  Every 4 KiB unit of a
 * file or buffer carries a header (magic, file offset, generation, seed) and a
 * body derived from those four, so a checker that finds a wrong page can say
 * not only that it is wrong but what it is: a stale generation of the same
 * offset, another offset's data (a misplaced page), zeros (a lost write or a
 * hole), or garbage.  Generation 0 means "all zeros" (a hole or a fresh extent).
 */
#ifndef FB_PATTERN_H
#define FB_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The unit of a pattern; independent of the system page size on purpose. */
#define PATTERN_UNIT  4096u
#define PATTERN_WORDS (PATTERN_UNIT / sizeof(uint64_t))

enum pattern_seen {
	PATTERN_SEEN_OK,	/* matched */
	PATTERN_SEEN_ZERO,	/* all zeros */
	PATTERN_SEEN_VALID,	/* a whole, consistent pattern, but not the one expected */
	PATTERN_SEEN_TORN,	/* a valid header with a body that does not match it */
	PATTERN_SEEN_GARBAGE,	/* no pattern header at all */
	PATTERN_SEEN_SIGBUS,	/* the access faulted with SIGBUS (set by callers) */
	PATTERN_SEEN_NO_SIGBUS, /* the access should have faulted and did not (set by callers) */
};

/* What a checker found wrong: enough to print one line a kernel developer can act on. */
struct pattern_mismatch {
	uint64_t offset;		   /* file (or buffer) offset of the unit checked */
	uint64_t exp_gen_min, exp_gen_max; /* generations that would have been accepted */
	uint64_t exp_seed;
	enum pattern_seen seen;
	uint64_t seen_offset, seen_gen, seen_seed; /* from the header, when it had one */
	size_t bad_word;			   /* first word that differs (index in the unit) */
	uint64_t bad_expected, bad_seen;	   /* ... its expected and seen values */
};

/* Fill one unit with the pattern of (offset, gen, seed); gen 0 fills zeros. */
void pattern_fill(void *unit, uint64_t offset, uint64_t gen, uint64_t seed);
/* Fill len bytes (a multiple of PATTERN_UNIT) starting at file offset base. */
void pattern_fill_range(void *buf, size_t len, uint64_t base, uint64_t gen, uint64_t seed);

/*
 * Check one unit expected at offset with seed and a generation in
 * [gen_min, gen_max] (gen 0 accepts zeros).  True when it matches; false with
 * *m describing what was seen instead.  The unit is read with volatile loads
 * word by word, so it may be a live mapping that changes under the reader.
 */
bool pattern_check(const void *unit, uint64_t offset, uint64_t seed, uint64_t gen_min,
		   uint64_t gen_max, struct pattern_mismatch *m);
/* Check len bytes from base, all expected at one generation range; first mismatch in *m. */
bool pattern_check_range(const void *buf, size_t len, uint64_t base, uint64_t seed,
			 uint64_t gen_min, uint64_t gen_max, struct pattern_mismatch *m);

/*
 * "offset 0x1000: expected gen 7 seed 0x2a, seen gen 6 of offset 0x1000 (stale)"
 * into buf; returns buf.
 */
const char *pattern_describe(const struct pattern_mismatch *m, char *buf, size_t len);

#endif
