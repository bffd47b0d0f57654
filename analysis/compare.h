/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison engine behind compare, check and plot: it matches the steps
 * of several RUNs (first = baseline) by benchmark, variant and CPU count and
 * keeps, per column, the per-repeat values of every metric there, each tagged
 * with the run (result file) it came from.
 *
 * The unit of replication is the run.  Kernels are compared across runs
 * (another boot, another night), and runs of one kernel minutes apart differ
 * by more than the repeats inside one run do: the repeats share the machine's
 * state of the moment.  So a significance test compares per-run values (each
 * run's own mean of its repeats), on a log scale for rates, against a
 * run-to-run variance taken from the runs themselves (several runs a side)
 * and/or from the machine's noise model (noise.h).  With neither, there is
 * no test and no star.  Samples inside a repeat never enter a test.
 */
#ifndef FB_COMPARE_H
#define FB_COMPARE_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

#include "noise.h"
#include "resultset.h"

#define CMP_ALPHA  0.05 /* false discovery rate of the stars, per column */
#define CMP_POWER  0.80 /* for the detectable effect */
#define CMP_MIN_DF 2	/* run-to-run degrees of freedom a test needs at least */

/* Per-repeat values of one metric at one step, in one column. */
struct cmp_cell {
	double *v;
	unsigned *run; /* the run (result file) of each value, numbered per column */
	unsigned n;
	/* runs left out of this cell: a value no measurement gives (validity.h) */
	unsigned broken;
	const char *broken_why, *broken_path; /* the first one's, borrowed */
	/* runs in the cell measured while other work disturbed them (interference keys) */
	unsigned disturbed;
	const char *disturbed_path;		      /* the first one's, borrowed */
	unsigned last_broken_run, last_disturbed_run; /* while building: run + 1 last counted */
};

/* Where a test's run-to-run variance came from. */
enum cmp_var_source { VAR_NONE, VAR_RUNS, VAR_MODEL, VAR_POOLED };

/* The verdict on one row of one column against the baseline column. */
struct cmp_verdict {
	bool tested;	  /* a test ran: false when there is no run-to-run information */
	bool significant; /* q <= CMP_ALPHA */
	bool log_scale;
	enum cmp_var_source source;
	bool model_disagrees; /* the runs vary significantly more than the model says */
	bool model_exceeds;   /* ... or significantly less */
	/* a model matched but was not used: a run was disturbed, or its spread is far beyond */
	bool model_skipped_disturbed, model_skipped_spread;
	double model_run_pct; /* the matching model entry's run-to-run figure (noise_run_pct), or
				 NAN */
	unsigned runs_a, runs_b;
	double repeats;	      /* mean repeats a run */
	double var, df;	      /* variance of one run's value (test scale) and its df */
	double df_model;      /* the part of df that came from the noise model */
	double se;	      /* standard error of the difference, test scale */
	double base;	      /* the baseline's mean of its per-run values, plain scale */
	double p, q;	      /* raw and Benjamini-Hochberg adjusted */
	double diff_pct;      /* of the per-run means, positive = better */
	double detect_pct;    /* smallest change a star is CMP_POWER likely to catch */
	unsigned runs_needed; /* a side, for a detectable change of cmp_opts.detect_pct */
};

struct cmp_row {
	char *metric;  /* "faults/s" */
	char *variant; /* "buffer=thp" or "" */
	unsigned ncpus;
	bool higher_better;
	bool neither;		      /* no better direction: "higher_better": null (pages/fault) */
	bool tested_metric;	      /* in the family of tested rows (not evidence) */
	struct cmp_cell *cells;	      /* one per column */
	struct cmp_verdict *verdicts; /* one per column; [0] unused */
};

/* One benchmark (or preset) across the runs compared. */
struct cmp_group {
	char *name; /* "pf1", or the benchmark name */
	char *bench;
	json_t **docs;		  /* per column: its first document of this group, or NULL */
	const char *ratio_metric; /* from the result: the metric compared between variants */
	unsigned nrows;
	struct cmp_row *rows; /* by metric, then variant, then CPU count */
};

struct cmp_table {
	unsigned ncols;
	char **labels; /* per column */
	unsigned ngroups;
	struct cmp_group *groups;
	/* filled by cmp_build's analysis */
	unsigned *family; /* per column: rows tested, the BH family size */
	double detect_target;
	const struct noise_model **models_used; /* distinct, nmodels_used */
	unsigned nmodels_used, nmodels_given;
	unsigned disagreeing_rows, exceeding_rows; /* tested rows the model disagrees with */
	/* tested rows not judged against the model, and the first run that made it so */
	unsigned skipped_disturbed, skipped_spread;
	char skipped_disturbed_run[256], skipped_spread_run[256];
	unsigned broken;		  /* runs left out of some row for an impossible value */
	unsigned disturbed;		  /* cells with a disturbed run */
	unsigned model_min_runs;	  /* fewest runs behind a model entry used (0: none used) */
	const struct noise_models *noise; /* the models given (cmp_opts.noise), borrowed */
	json_t
	    *paired; /* owned: the paired rows for --format json and csv (paired_json), or NULL */
};

/* Which metrics: by default the primary metric and the kernel-side evidence. */
struct cmp_opts {
	const char *const *metrics; /* only these */
	unsigned nmetrics;
	bool all;			  /* every metric of the steps */
	bool primary_only;		  /* not even the evidence */
	bool quiet;			  /* no warnings about differing machines */
	const struct noise_models *noise; /* the machine's between-run noise, or NULL */
	double detect_pct;		  /* runs needed for this detectable change (default 5) */
	double threshold_pct;		  /* the paired verdict's practical size (paired.h) */
	bool skip_disturbed;		  /* leave disturbed steps out (noise models) */
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
/* The verdicts of every row and column (analysis/verdict.c); cmp_build calls it. */
void cmp_analyse(struct cmp_table *t, const struct cmp_opts *o);

/*
 * A noise model from a one-column table whose RUN holds K runs of one
 * kernel: per row, the variance of the per-run values (df K - 1) and of the
 * repeats within a run.  Rows with fewer than 2 runs are left out.
 */
void cmp_derive_noise(const struct cmp_table *t, struct noise_model *m);

/*
 * check's verdict on a row of a two-column table: a regression is worse than
 * threshold percent and starred; ok needs a detectable effect within the
 * threshold; anything else is undecided.
 */
enum cmp_check { CHECK_OK, CHECK_REGRESSION, CHECK_UNDECIDED };
enum cmp_check cmp_check_row(const struct cmp_row *r, double threshold);

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

/* The rows of a cell's summary, in the order the tables print them (text, HTML, CSV). */
enum cmp_stat_kind {
	CMP_ST_MIN,
	CMP_ST_MEAN,
	CMP_ST_STDDEV,
	CMP_ST_COV,
	CMP_ST_MAX,
	CMP_ST_BMEAN,
	CMP_ST_N
};
/* "Min", "Hmean" or "Amean" by direction, ... */
const char *cmp_stat_name(enum cmp_stat_kind k, bool higher_better);
/* The summary's value of kind k; NAN for an empty cell. */
double cmp_stat_value(const struct cmp_stats *s, enum cmp_stat_kind k);
/* Percent, positive means better; a smaller spread is better whatever the metric's direction. */
double cmp_stat_pdiff(double base, double v, enum cmp_stat_kind k, bool higher_better);

/* A significance test ran for this row and column (see struct cmp_verdict). */
bool cmp_testable(const struct cmp_row *r, unsigned col);
/*
 * The row's star in column col: significant after Benjamini-Hochberg over the
 * column's tested rows.  False when no test could run.  *p gets the
 * adjusted p-value (q) or NAN.
 */
bool cmp_significant(const struct cmp_row *r, unsigned col, double *p);

/*
 * Per-run values of a cell: each run's harmonic (rates) or arithmetic mean of
 * its repeats, in run order, into out[] (cell->n entries at most); returns
 * how many runs, and the mean number of repeats a run in *repeats.
 */
unsigned cmp_cell_runs(const struct cmp_cell *c, bool higher_better, double *out, double *repeats);
/* Within-run variance of log (or plain) repeats around their run's mean, and its df. */
double cmp_cell_within_var(const struct cmp_cell *c, bool log_scale, double *df);

/*
 * The Runs figure of a cell: "3", or "3 (1 dist)" when one of its 3 runs was
 * measured disturbed (interference).  The mmtests and LKP views, the HTML
 * report and check all mark disturbed runs with it.
 */
void cmp_fmt_runs(const struct cmp_row *r, unsigned col, char *buf, size_t len);
/* "runs 3 (1 dist) vs 3" over every column when a cell of the row has a disturbed run, else false.
 */
bool cmp_fmt_row_disturbed(const struct cmp_row *r, unsigned ncols, char *buf, size_t len);

/* The row's name in tables: "faults/s-64", with a variant "thp:MiB/s-2". */
void cmp_row_name(const struct cmp_row *r, char *buf, size_t len);

/*
 * Fewer runs than this behind a noise model entry: allowed, but every table
 * using it says so (a variance from 4 runs is off by a factor of 2 as often
 * as not).
 */
#define CMP_MODEL_MIN_RUNS 8
/* A detectable change larger than this is printed as ">100%": beyond it, nothing can be said. */
#define CMP_DETECT_CAP 100.0
/* "+-4.20%" or ">100%": Detect as people read it. */
void cmp_fmt_detect(char *buf, size_t len, double pct);
/* "noise model: PATH (host, kernel, date; runs, df, load, disturbed runs left out)" */
void cmp_print_model(FILE *f, const struct noise_model *m, const char *prefix);

enum cmp_format { CMP_TEXT, CMP_MARKDOWN, CMP_JSON, CMP_CSV };
void cmp_print(FILE *f, const struct cmp_table *t, enum cmp_format fmt, bool lkp);

#endif
