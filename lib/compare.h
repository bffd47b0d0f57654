/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison engine behind compare, check and plot: it matches the steps
 * of several runs (first = baseline) by benchmark, variant and CPU count and
 * keeps, per run, the per-repeat values of every metric there.  The unit of
 * replication is one repeat of a step: samples inside one run are not
 * independent, so they never enter a significance test.
 */
#ifndef FB_COMPARE_H
#define FB_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "resultset.h"

#define CMP_ALPHA	0.05
#define CMP_MIN_REPEATS 3 /* per side, for a significance mark */

/* Per-repeat values of one metric at one step, in one run. */
struct cmp_cell {
	double *v;
	unsigned n;
};

struct cmp_row {
	char *metric;  /* "faults/s" */
	char *variant; /* "buffer=thp" or "" */
	unsigned ncpus;
	bool higher_better;
	struct cmp_cell *cells; /* one per column */
};

/* One benchmark (or preset) across the runs compared. */
struct cmp_group {
	char *name; /* "pf1", or the benchmark name */
	char *bench;
	json_t **docs; /* per column: its first document of this group, or NULL */
	unsigned nrows;
	struct cmp_row *rows; /* by metric, then variant, then CPU count */
};

struct cmp_table {
	unsigned ncols;
	char **labels; /* per column */
	unsigned ngroups;
	struct cmp_group *groups;
};

/* Which metrics: by default the primary metric and the kernel-side evidence. */
struct cmp_opts {
	const char *const *metrics; /* only these */
	unsigned nmetrics;
	bool all;	   /* every metric of the steps */
	bool primary_only; /* not even the evidence */
	bool quiet;	   /* no warnings about differing machines */
};

/*
 * Build the table from runs[0] (the baseline) and the others.  Refuses with
 * FB_USAGE, naming the parameter, when the runs' benchmark parameters differ;
 * warns when the machine, topology or THP settings differ (the kernel
 * release differing is the point of comparing, so that is not warned about).
 */
int cmp_build(struct resultset *runs, unsigned nruns, const struct cmp_opts *o,
	      struct cmp_table *t);
void cmp_free(struct cmp_table *t);

/* Kernel-side evidence metrics ("sleeps/1000faults"): shown as extra mean rows. */
bool cmp_is_evidence(const char *metric);

/* The headline metric of a result: the rate of counter 0 ("pages/s"), else the first. */
const char *cmp_primary_metric(json_t *doc);
/* "2" or "2%" for option --opt, in [0, 100); FB_OK or FB_USAGE naming the option. */
int cmp_parse_percent(const char *opt, const char *s, double *out);

struct cmp_stats {
	unsigned n;
	double min, mean, stddev, cov, max, bmean; /* mean: hmean or amean by direction */
};
void cmp_cell_stats(const struct cmp_cell *c, bool higher_better, struct cmp_stats *s);

/* Both sides have CMP_MIN_REPEATS values: a significance test may be run. */
bool cmp_testable(const struct cmp_row *r, unsigned col);
/*
 * Welch's test of column col against the baseline at CMP_ALPHA.  False when it
 * could not run (too few repeats, no variance): never a mark then.  *p gets
 * the p-value or NAN.
 */
bool cmp_significant(const struct cmp_row *r, unsigned col, double *p);

/* The row's name in tables: "faults/s-64", with a variant "thp:MiB/s-2". */
void cmp_row_name(const struct cmp_row *r, char *buf, size_t len);

enum cmp_format { CMP_TEXT, CMP_MARKDOWN, CMP_JSON };
void cmp_print(FILE *f, const struct cmp_table *t, enum cmp_format fmt, bool lkp);

#endif
