/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Race reproducers: bounded, self-checking stress tests whose exit status
 * `git bisect run` understands (0 nothing found, 1 corruption, a kernel bug
 * report in the kernel log or a hung worker, 125 cannot run or cannot decide
 * here, 128 + signal when interrupted).
 *
 *  invalidate  O_DIRECT writes versus page faults on a MAP_SHARED mapping of
 *              the same file (invalidate_inode_pages2 versus the fault path)
 *  truncate    truncate and extend versus page faults: SIGBUS only beyond EOF,
 *              zeros after an extension, never stale data
 *  migrate     the 2010 migration-race recipe: faulting, hole punching, exec
 *              and memset children while memory is compacted (and, with
 *              several NUMA nodes, moved with move_pages)
 *  zap-coherence  stores through a MAP_SHARED mapping, buffered and O_DIRECT
 *              writes, each read back all three ways, while other threads
 *              zap the ptes, write back and drop the page cache; at the end
 *              the data must be on disk
 *  thp-split-dio  O_DIRECT reads and writes through tail pages of huge pages
 *              while other threads split them (mprotect, MADV_DONTNEED,
 *              munmap of one page) and collapse them again
 *  anon-vma    deep fork trees sharing anonymous pages write, check and exit
 *              while compaction walks their anon_vma chains (rmap)
 *
 * The judging of one page is a pure function of what was read and what the
 * writers had published, so the unit tests can feed it planted wrong pages.
 */
#ifndef FB_STRESS_H
#define FB_STRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "pattern.h"

struct stress_opts {
	double time;		 /* seconds */
	long long seed;		 /* 0: from the clock (printed, so a run can be repeated) */
	const char *dir;	 /* where the test files are created */
	unsigned long long size; /* file or memory size; 0: the test's default */
	long long workers;	 /* 0: from the CPU count */
	bool plant_corruption;	 /* self-test: plant one wrong page, expect exit 1 */
	bool quiet;		 /* no per-run summary on stdout */
	double watchdog;	 /* seconds without progress: a hung worker; 0 off */
	const char *output;	 /* the result as JSON to this new file, or NULL */
	int scale;		 /* enum stress_scale */
	int argc;		 /* the command line, for the result */
	char **argv;
};

/*
 * --scale: bounded (the default: a few hundred MiB, one child per CPU, fit
 * for make check on a shared machine) or seed (the seed report's own recipe,
 * as far as this machine can take it safely: long and heavy).
 */
enum stress_scale { STRESS_SCALE_BOUNDED, STRESS_SCALE_SEED };

/* A race reproducer: stress/<name>.c defines one, stress/registry.c lists it. */
struct stress_test {
	const char *name;    /* what the user types: "zap-coherence" */
	const char *summary; /* one line for --help */
	int (*run)(const struct stress_opts *o);
	bool seed_scale; /* has a --scale seed recipe */
};

/* Every race reproducer, in the order --help lists them; NULL-terminated. */
extern const struct stress_test *const stress_registry[];
const struct stress_test *stress_lookup(const char *name);

/*
 * invalidate: judge one page copied from the mapping.  published_before is the
 * generation whose O_DIRECT write had returned before the copy began;
 * started_after the newest generation whose write had started when the copy
 * ended.  With no write in flight (equal) the page must be exactly that
 * generation; with one in flight it may be any whole generation in between,
 * and a page torn between two of them is not judged (a read from disk racing
 * the write may legitimately mix them).  Anything older, zeros, another
 * offset's data or garbage is corruption.  *strict tells which case it was.
 */
bool stress_judge_invalidate(const void *unit, uint64_t offset, uint64_t seed,
			     uint64_t published_before, uint64_t started_after, bool *strict,
			     struct pattern_mismatch *m);

/*
 * truncate: judge one access to the page at offset of a file that was size
 * bytes long during the whole access (no truncate or write in flight).
 * sigbus: whether the access faulted; unit: the copy (ignored on SIGBUS);
 * gen: the generation written there since the last extension (0: zeros).
 */
bool stress_judge_truncate(const void *unit, bool sigbus, uint64_t offset, uint64_t size,
			   uint64_t seed, uint64_t gen, struct pattern_mismatch *m);

#endif
