/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Profiles side by side: for a step profiled in every run compared, its top
 * kernel symbols as shares of all samples with the change, and under each
 * symbol its heaviest call chains with theirs (LKP's perf-profile.self and
 * perf-profile.calltrace rows).  Reads both shapes of a result: the step's
 * own steps[].extra.profile, and the one run-wide evidence.profile of older
 * results.
 */
#ifndef FB_PROFILE_CMP_H
#define FB_PROFILE_CMP_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#define PCMP_SYMBOLS 10 /* symbols a table shows */
#define PCMP_CHAINS  3	/* chains under each */

/* A step with a profile: the variant ("" for none) and worker count. */
struct pcmp_step {
	const char *variant;
	unsigned ncpus;
};

/*
 * The profile (an object with "top") of the step (variant, ncpus) in a
 * result, or NULL.  An older result's evidence.profile counts as the profile
 * of the step it names (ncpus, variant), or of the largest step when it names
 * none.
 */
json_t *pcmp_step_profile(json_t *doc, const char *variant, unsigned ncpus);
/* The profiled steps of a result, by worker count; *steps malloc'd. */
unsigned pcmp_profiled_steps(json_t *doc, struct pcmp_step **steps);
/* The profile of a result's largest profiled step, or NULL (one table in the HTML report). */
json_t *pcmp_largest_profile(json_t *doc);

struct pcmp_chain {
	char *path;  /* the callers, innermost first, joined by ';' */
	double *pct; /* per column, % of all samples; NAN: not among that run's chains */
};

struct pcmp_symbol {
	char *symbol;
	double *pct; /* per column; NAN: not among that run's top symbols */
	unsigned nchains;
	struct pcmp_chain *chains;
};

struct pcmp_diff {
	unsigned ncols;
	unsigned nsyms;
	struct pcmp_symbol *syms; /* by their largest share in any column */
};

/*
 * The top PCMP_SYMBOLS symbols of the profiles (one per column, each with
 * "top") and their top PCMP_CHAINS chains.  Chains that differ only by
 * unresolved user-space addresses ("0x1") are one chain, their shares added.
 */
void pcmp_diff_build(json_t *const *profiles, unsigned ncols, struct pcmp_diff *d);
void pcmp_diff_free(struct pcmp_diff *d);
/* The change of the last column against the first; missing counts as 0. */
double pcmp_delta(const double *pct, unsigned ncols);

/*
 * For every step profiled in all of docs[0..ncols-1]: its table (text or
 * markdown), or as JSON [{variant, ncpus, symbols [{symbol, percent [...],
 * delta, chains [{callers [...], percent [...], delta}]}]}].
 */
void pcmp_print(FILE *f, json_t *const *docs, unsigned ncols, char *const *labels, bool markdown);
json_t *pcmp_json(json_t *const *docs, unsigned ncols);

#endif
