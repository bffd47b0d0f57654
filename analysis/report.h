/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTML report: a folder (index.html, report.js, figures/, results/)
 * that any browser shows from disk, with no server and no network: per
 * benchmark the comparison table, its figures and profile, the systems side
 * by side with their differences marked, and copies of the result files it
 * was made from; or, from a results directory, the trend of each benchmark
 * with its change points.  Reads result files only.
 *
 * Everything taken from a result is escaped (html.h), and the page carries a
 * Content-Security-Policy that allows no inline script and nothing from
 * elsewhere: a string that escaped escaping still could not run.
 */
#ifndef FB_REPORT_H
#define FB_REPORT_H

#include "noise.h"
#include "resultset.h"

struct report_opts {
	const char *dir;		  /* the report folder: created, files in it replaced */
	const struct noise_models *noise; /* for the stars, or NULL */
	double detect_pct;		  /* compare --detect */
	const char *metric;		  /* the figures' metric; NULL: each headline metric */
};

/* From RUNs (first = baseline), as compare takes them.  FB_OK, FB_USAGE or FB_FAIL. */
int report_runs(struct resultset *runs, unsigned nruns, const struct report_opts *o);

struct report_history_opts {
	const char *dir;	    /* the report folder */
	const char *results;	    /* a results directory or a "store:" selector */
	const char *store;	    /* read results through this store (history_load()) */
	const char *const *benches; /* NULL-terminated; NULL: every benchmark found */
	const char *metric;	    /* NULL: each benchmark's headline metric */
	long ncpus;		    /* -1: each benchmark's largest step */
	double threshold;	    /* percent */
	unsigned min_segment;
	const struct noise_models *noise;
};

int report_history(const struct report_history_opts *o);

#endif
