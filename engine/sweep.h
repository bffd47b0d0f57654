/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A run's sweep once its plan is checked (prepare.h): the variants (each
 * combination of the matrix options' values, and --knob's values), then
 * repeats x steps x variants in ABBA order, the last variant of the first
 * repeat profiled where --profile asks.  See sweep.c.
 */
#ifndef FB_SWEEP_H
#define FB_SWEEP_H

#include <stdbool.h>

#include "bench.h"
#include "knob.h"
#include "prepare.h"
#include "results.h"
#include "runner.h"
#include "topo.h"

/* One combination of matrix option values: a params copy with one bit each. */
struct variant {
	void *params;
	char name[64];
	unsigned knob_value; /* index into --knob's values */
};

struct sweep {
	const struct run_env *env;   /* bench, options, topology, memory policy */
	const struct run_prep *prep; /* which steps are profiled */
	const struct cpu_plan *plan; /* the steps */
	const char *name;	     /* the benchmark or preset: perf.data names, progress */
	const char *outdir, *stamp;  /* where and under which time perf.data goes */
	struct knob *knob;	     /* --knob, or NULL */
	struct variant *variants;    /* sweep_variants() */
	unsigned nvariants;
};

/*
 * The variants of params: matrix options with several values expand into
 * one variant per combination, named by those values joined with '/'
 * ("thp/own"); --knob's values innermost, named "enabled=never/thp/own".
 */
void sweep_variants(struct sweep *sw, const struct bench *b, const void *params);
/*
 * Run every step of every variant into run->steps (run->nsteps: those with
 * samples, measured before a failure too).  FB_OK, or the first step's
 * failure (FB_FAIL, 128 + signal).
 */
int sweep_run(struct sweep *sw, struct run *run);
void sweep_free(struct sweep *sw);

/* The step's PUs as a perf -C list: "0,1,4" (each once: --oversubscribe reuses PUs). */
char *sweep_pu_list(const struct cpu_step *cs);

#endif
