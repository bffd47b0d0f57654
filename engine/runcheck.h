/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks of a run's options that need more than the options table:
 * names, paths, this machine's CPUs and memory.  engine/prepare.c calls them
 * in run's order for "faultbench run" and suite configs (also with
 * --dry-run) alike, so a config passes validation exactly when its jobs'
 * options would be accepted by run.
 */
#ifndef FB_RUNCHECK_H
#define FB_RUNCHECK_H

#include "bench.h"

/*
 * Text options: --label a usable name (fb_name_ok()), --output and --dir not
 * empty, no --topology (run measures this machine).  where: NULL on the
 * command line, "FILE:LINE" in a config.  FB_OK or FB_USAGE.
 */
int run_opts_check_text(const struct run_opts *ro, const char *where);

/*
 * The largest step of plan against the memory available and the free space
 * of the filesystem its files are in (rundir: ro->dir): FB_OK, or FB_USAGE
 * naming the step, what it needs and what there is.
 */
int run_check_plan_memory(const struct bench *b, const void *params, const char *rundir,
			  const struct cpu_plan *plan);

/*
 * For a --size the user did not give (the benchmark's or preset's default):
 * halve it until the plan's largest step fits in 90% of the memory
 * available and its files in the free space of their filesystem, with a
 * warning naming both sizes (unless quiet), so a default sweep to 64 workers
 * in a 4 GiB guest, or pf2's 128 MiB in Docker's 64 MiB /dev/shm, runs
 * instead of meeting the OOM killer or a SIGBUS.  True when it changed the size.
 */
bool run_fit_size(const struct bench *b, void *params, const char *rundir,
		  const struct cpu_plan *plan, bool quiet);

/*
 * The checks of a run against this machine once its plan and --mem are
 * known, in the order run makes them: sizes against the memory available,
 * the largest step's need, the memory policy here, the benchmark's check().
 * "faultbench run" and a suite's validation of a job call this one sequence.
 */
int run_check_plan(const struct bench *b, const void *params, const struct run_opts *ro,
		   const struct topo *t, const struct cpu_plan *plan, const struct mem_policy *mp);

/*
 * Where a run writes, by one rule for run, suites and every benchmark: the
 * output directory is --output's directory when it names a .json file,
 * --output itself otherwise, results/<label> without it; the benchmark's
 * working directory (ro->dir) is --dir, else the output directory.  Decided
 * before any benchmark's check(), which therefore always sees ro->dir set.
 * Nothing is created.  Returns the output directory, malloc'd; when ro->dir
 * was unset it points at a copy the caller frees through *dir_alloc.
 */
char *run_decide_dirs(struct run_opts *ro, char **dir_alloc);

#endif
