/* SPDX-License-Identifier: GPL-2.0 */
/*
 * run --knob PATH=V1,V2: a kernel setting in a sysfs or procfs file
 * (/sys/kernel/mm/transparent_hugepage/enabled, /proc/sys/vm/...) that takes
 * each value in turn as a variant of the run, interleaved with the others,
 * so that A and B meet the same moments of a noisy host.  The file's value
 * before the run is put back when the run ends, fails or is interrupted.
 *
 * Only root may write one, only a regular file under /sys or /proc, reached
 * without following a link out of the filesystem it names (openat2
 * RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS), and only one
 * whose value can be read back (write-only files could not be restored).
 *
 * Test-only: env:FB_TEST_NAME=V1,V2 sets an environment variable of the
 * workers instead (FB_TEST_FAULT_COST_NS, docs/compare.md), so the design
 * can be tested and measured without root.
 */
#ifndef FB_KNOB_H
#define FB_KNOB_H

#include <stdbool.h>

#define KNOB_MAX_VALUES 8

struct knob {
	char *spec_copy;  /* the parsed text; the strings below point into it */
	const char *path; /* "/sys/..." or, for env, the variable's name */
	const char *name; /* what variant names show: the file's or variable's name */
	bool env;	  /* the test-only environment pseudo-knob */
	const char *values[KNOB_MAX_VALUES];
	unsigned nvalues;
	char *saved; /* the value before the run; NULL: not read, or unset (env) */
	bool saved_valid, written;
	int current; /* index of the value written last, -1: none */
};

/*
 * Parse "PATH=V1,V2,...".  FB_OK, FB_USAGE with a message naming --knob, or
 * FB_SKIP when a real knob is asked for by someone who is not root.  Checks
 * the file (it is opened and read, and its value kept for the restore), so
 * it needs no second check before the run.
 */
int knob_parse(const char *spec, struct knob *k);

/* Write value i (unless it is there already from the last call).  FB_OK or FB_FAIL. */
int knob_set(struct knob *k, unsigned i);

/*
 * Put the saved value back if anything was written; safe to call twice,
 * from the end of a run, a failure or an atexit() handler.
 */
void knob_restore(struct knob *k);
void knob_free(struct knob *k);

/*
 * Also restore k from an atexit() handler: a path that ends the process
 * without returning to the run (a fatal error in a helper) still puts the
 * setting back.  One knob at a time; knob_free() forgets it.
 */
void knob_restore_at_exit(struct knob *k);

/*
 * The variant order of an interleaved run: at repeat rep, the k-th variant
 * run.  Even repeats run the variants in their order, odd repeats in reverse
 * (ABBA...: A B | B A | A B | B A), so that a drift of the host over the run
 * falls on both sides alike and each repeat's variants are adjacent in time.
 */
unsigned knob_variant_order(unsigned rep, unsigned k, unsigned nvariants);

#endif
