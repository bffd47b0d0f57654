/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "faultbench selftest" (cmd/selftest.c): does the harness measure what a
 * bare loop of the same pattern measures, on this machine and filesystem?
 * This holds the bare loop (a few lines of mmap, touch, munmap, timed with
 * clock_gettime and counted with getrusage, none of the harness's code) and
 * the rules that judge a point.  docs/selftest.md says why and how.
 */
#ifndef FB_SELFTEST_H
#define FB_SELFTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One preset as the bare loop runs it: must be the preset's pattern (unit-tested). */
struct selftest_preset {
	const char *name; /* "pf3": a preset of bench/registry.c */
	bool file;	  /* backed by a file: tmpfs and --dir; else anonymous */
	bool shared;	  /* MAP_SHARED */
	bool write;	  /* store, else load */
	bool same;	  /* every worker maps one file (--sharing=same) */
	size_t size;	  /* the preset's --size */
};

extern const struct selftest_preset selftest_presets[]; /* NULL name ends it */
const struct selftest_preset *selftest_preset(const char *name);

struct bare_result {
	double pages_per_s;	/* sum over the threads of pages / their window */
	uint64_t pages, faults; /* in the windows, all threads */
};

/*
 * Run the pattern in n threads, thread i pinned to cpus[i], its files in dir
 * (ignored for anonymous memory): each passes "mmap, touch every page,
 * munmap" for warmup seconds, then counts whole passes for secs more.
 * size overrides the preset's when nonzero.  0 or -errno (*what names the step).
 */
int bare_loop_run(const struct selftest_preset *p, const char *dir, size_t size,
		  const unsigned *cpus, unsigned n, double warmup, double secs,
		  struct bare_result *out, const char **what);

/* The measured figures of one point (a preset, a backing, a CPU count), medians of rounds. */
struct selftest_point {
	double ratio;	    /* harness pages/s / bare pages/s */
	double harness_ppf; /* pages per fault, harness (its samples) */
	double bare_ppf;    /* pages per fault, bare loop (its window) */
};

/*
 * Judge a point: FB_OK-like true when the ratio is within 1 +- ratio_bound
 * and pages per fault agree within count_bound (relative); why says what
 * failed ("ratio 0.52 outside 0.90-1.10", "pages/fault 11.80 vs 1.00").
 */
bool selftest_judge(const struct selftest_point *pt, double ratio_bound, double count_bound,
		    char *why, size_t len);

#endif
