/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One metric at one step over time across every result under a directory
 * (a year of nightly runs is 1,000+ files), with the change points of the
 * series: for history and for the report's trend pages.  See history.c.
 */
#ifndef FB_HISTORY_H
#define FB_HISTORY_H

#include <stdbool.h>
#include <time.h>
#include <jansson.h>

#include "noise.h"
#include "resultset.h"

struct point {
	char date[32];
	time_t when;
	char *label, *path;
	double *v;
	unsigned n;
	double mean, min, max;
	double level;  /* the mean of its segment (plain scale) */
	double change; /* at a change point: percent against the previous level */
	char mark;     /* ' ', '*' change point, 'o' outlier */
	/* the step was measured disturbed in some repeat (disturb.h; the store's
	 * step_values.disturbed) */
	bool disturbed;
};

/* The series: set bench (and optionally metric, variant, ncpus >= 1) and models, then load. */
struct history {
	const char *bench;
	char *metric;
	char *variant;
	long ncpus; /* -1: choose */
	bool higher_better;
	unsigned npoints;
	struct point *points;
	unsigned files, parsed;
	unsigned skipped; /* .json files that are not JSON: one line for all */
	const struct noise_models *models;
	bool have_model; /* model_e: the model's entry matching the first result */
	const struct noise_entry *model_e;
	double df_model, model_repeats;
	double model_pct; /* the model's run-to-run figure, as noise prints it (noise_run_pct) */
	const char *model_path;
	unsigned left_out;  /* values left out: impossible (validity.h) */
	unsigned disturbed; /* points measured disturbed */
	/* found by find_changes */
	bool log_scale;
	double sigma, sigma_series, df_series;
	double series_repeats; /* mean repeats a run in the series */
	const char *sigma_from;
	unsigned nchanges, noutliers;
};
/*
 * Every result of h->bench that where names, oldest first: a directory of
 * result files walked, or, through a store (store: its target; NULL and
 * where a "store:" selector: STORE_DEFAULT), the runs a selector picks or
 * those indexed from files under the directory.  The same rules make the
 * same series from either (docs/store.md).  FB_OK or FB_USAGE.
 */
int history_load(struct history *h, const char *where, const char *store);
/* A result's date ("2026-12-02T11:00:00...") as UTC seconds, 0 if unreadable. */
time_t history_parse_date(const char *s);
/*
 * Levels, change points ('*': the level moved by more than threshold
 * percent) and outliers ('o') of the loaded series.
 */
void history_analyse(struct history *h, unsigned min_segment, double threshold);
/* The trend into dir/name.{png,svg,gp,dat}: values, levels, change points marked. */
int history_plot(const struct history *h, const char *dir, const char *name);
void history_free(struct history *h);

/*
 * The benchmark (and preset) names of every result where names (as
 * history_load() reads it), in order of first appearance: the report's list
 * of trends.  *names is NULL-terminated.
 */
int history_benches(const char *where, const char *store, char ***names, unsigned *n);

#endif
