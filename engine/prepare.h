/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One way from a benchmark entry and the user's option values to a checked,
 * runnable plan: the table defaults, the benchmark's run defaults, the
 * preset, the user's options (command line or config), then every check in
 * the order a run makes them (text options, --mem, --cpus on this machine,
 * --profile-cpus, the size rule, memory, the benchmark's check()).
 * "faultbench run" and a suite's validation both go through it, so a config
 * passes "suite --dry-run" exactly when run would accept its jobs.
 */
#ifndef FB_PREPARE_H
#define FB_PREPARE_H

#include <stdbool.h>

#include "mempolicy.h"
#include "opt.h"
#include "registry.h"
#include "runopts.h"
#include "topo.h"

struct run_prep {
	const struct bench_entry *entry;
	const struct bench *b;
	void *params;		       /* the benchmark's options */
	struct run_opts ro;	       /* the options every run shares */
	bool *ro_given, *params_given; /* set by the user, per option (lib/opt.h) */
	char *run_defaults_args;       /* OPT_STR values of the built-in options point into them */
	char *preset_args;
	/* decided by run_prep_check() */
	struct topo *topo;
	bool topo_borrowed; /* the caller's: not freed here */
	struct cpu_plan plan;
	struct mem_policy mem;
	char *outdir;		  /* where results go (run_decide_dirs()); nothing created */
	char *dir_alloc;	  /* ro.dir when it is the output directory */
	unsigned *profile_counts; /* worker counts of the steps --profile records */
	unsigned nprofile;
};

/*
 * Start a plan for entry e: the tables' defaults, then the benchmark's run
 * defaults, then the preset, none of them flagged as given by the user.
 */
void run_prep_init(struct run_prep *p, const struct bench_entry *e);

/*
 * The bindings the user's options are set through (opt_parse_argv(),
 * opt_set_by_name()): run options first, then the benchmark's.  Returns how
 * many of b[2] it filled.
 */
unsigned run_prep_bindings(struct run_prep *p, struct opt_binding b[2]);

/* Did the user (command line or config) set option name? */
bool run_prep_given(const struct run_prep *p, const char *name);

/*
 * Every check of the options against this machine, in the order run makes
 * them; machine: this machine's topology when the caller loaded it already
 * (a suite checks many jobs), NULL to load it into p->topo; where: NULL on
 * the command line, "FILE:LINE" in a config (for the text options).  A
 * --size the user did not give is halved to fit (with a warning unless
 * quiet).  FB_OK, FB_USAGE (refused), FB_SKIP or FB_FAIL (can not run
 * here), the message printed.
 */
int run_prep_check(struct run_prep *p, struct topo *machine, const char *where, bool quiet);

/*
 * --profile-cpus against the plan: the steps --profile records, by worker
 * count ("1,64", "all", else the largest step).  A count that is no step of
 * the plan is refused.  Pure: no machine state.
 */
int run_prep_profile_choose(const char *spec, bool *profile, const struct cpu_plan *plan,
			    unsigned **counts, unsigned *n);

/* Is a step of ncpus workers profiled? */
bool run_prep_profiles(const struct run_prep *p, unsigned ncpus);

void run_prep_free(struct run_prep *p);

#endif
