// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench history DIR --bench NAME: one metric at one step over time,
 * across every result under DIR (a year of nightly runs is 1,000+ files),
 * with the change points of the series.
 *
 * The series, its change points and its plot are analysis/history.c's,
 * from the files or through a store (--store, or "store:label=...") alike:
 * the same points come out, in the same order (docs/store.md).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "history.h"
#include "noise.h"
#include "opt.h"
#include "store.h"
#include "util.h"

struct history_cmd_opts {
	const char *bench, *metric, *variant;
	long long cpus;	       /* no default: left at -1, "choose" */
	const char *threshold; /* parsed by cmp_parse_percent() */
	long long min_segment;
	const char *plot;
	const char *noise;
	const char *store;
};

#define H(field) offsetof(struct history_cmd_opts, field)

const struct opt history_options[] = {
	{ .name = "bench",
	  .type = OPT_STR,
	  .off = H(bench),
	  .help = "the benchmark or preset whose results to list (required)" },
	{ .name = "metric",
	  .type = OPT_STR,
	  .off = H(metric),
	  .help = "the metric; without it, the headline metric of the first result found" },
	{ .name = "cpus",
	  .type = OPT_INT,
	  .min = 1,
	  .max = 65536,
	  .off = H(cpus),
	  .help = "the step (worker count); without it, the largest of the first result found" },
	{ .name = "variant",
	  .type = OPT_STR,
	  .off = H(variant),
	  .help = "the variant; without it, the first variant of the first result found" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = H(threshold),
	  .help = "report a change point when the level moves by more than this percentage "
		  "(2 or 2%)" },
	{ .name = "min-segment",
	  .type = OPT_INT,
	  .def = "2",
	  .min = 1,
	  .max = 64,
	  .off = H(min_segment),
	  .help = "runs a level must last to be a level: fewer is an outlier, not a shift" },
	OPT_NOISE(H(noise)),
	{ .name = "store",
	  .type = OPT_STR,
	  .off = H(store),
	  .help = "read DIR's results from this store's index (an SQLite file or "
		  "postgresql://...), or the store a DIR of 'store:key=value,...' selects from "
		  "(default " STORE_DEFAULT ")" },
	{ .name = "plot",
	  .type = OPT_STR,
	  .off = H(plot),
	  .help = "also plot the history into FILE.png, with its .svg, .gp and .dat" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench history DIR|store:SELECTOR --bench NAME [options]\n"
		   "\n"
		   "Lists a metric at one step over every result of NAME under DIR (searched\n"
		   "recursively; .json and .json.gz; with --store, from the store's index) or\n"
		   "picked from a store (store:machine=big1,since=2026-01-01), oldest first by\n"
		   "the date in the results, and\n"
		   "marks change points: binary segmentation with the CUSUM statistic of a mean\n"
		   "shift, against the run-to-run noise (docs/compare.md).\n"
		   "\noptions:\n");
	opt_print_help(f, history_options);
	return FB_USAGE;
}
/* A level in 14 columns: never 300 digits from a huge (if possible) value. */
static const char *fmt_level(char *buf, size_t len, double v)
{
	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e12)
		snprintf(buf, len, "%.6e", v);
	else
		snprintf(buf, len, "%.2f", v);
	return buf;
}

static void print_history(const struct history *h, const char *dir, unsigned min_segment,
			  double threshold)
{
	unsigned i;
	int wl = 24; /* the whole label: cut, two nights' labels would read alike */

	for (i = 0; i < h->npoints; i++)
		if ((int)strlen(h->points[i].label) > wl)
			wl = (int)strlen(h->points[i].label);
	/* names from result files and directories: printable (fb_esc) */
	printf("%s %s at %ld CPU%s%s%s (%s is better): %u runs under %s\n", fb_esc(h->bench),
	       fb_esc(h->metric), h->ncpus, h->ncpus == 1 ? "" : "s", *h->variant ? ", " : "",
	       fb_esc(h->variant), h->higher_better ? "higher" : "lower", h->npoints, fb_esc(dir));
	if (isfinite(h->sigma))
		printf("run-to-run noise: %.2f%% from %s", 100 * h->sigma, h->sigma_from);
	else
		printf("run-to-run noise: unknown (%u run%s and no noise model for this step: no "
		       "change point can be tested)",
		       h->npoints, h->npoints == 1 ? "" : "s");
	/* the model's figure is the one 'noise' and compare print for this step */
	if (h->have_model) {
		printf("; model %s: %.2f%% (runs of %.3g repeats)", fb_esc(h->model_path),
		       h->model_pct, h->model_repeats);
		if (fabs(h->series_repeats - h->model_repeats) > 1e-9)
			printf(", %.2f%% for this series' %.3g",
			       100 * sqrt(noise_var_for(h->model_e, h->series_repeats)),
			       h->series_repeats);
		if (isfinite(h->sigma_series))
			printf("; series: %.2f%%", 100 * h->sigma_series);
	}
	if (h->have_model && h->model_e->runs && h->model_e->runs < CMP_MODEL_MIN_RUNS)
		printf("\nwarning: the noise model has only %u runs (df %.0f) for this step: its "
		       "variance is rough; %d or more runs are advised",
		       h->model_e->runs, h->model_e->df_run, CMP_MODEL_MIN_RUNS);
	if (h->left_out)
		printf("\nleft out: %u value%s no measurement gives (zero, negative, NaN or "
		       "infinite; see the warnings)",
		       h->left_out, h->left_out == 1 ? "" : "s");
	if (h->disturbed)
		printf("\ndisturbed: %u run%s measured while other work took CPU time from the "
		       "workers (interference beyond the bounds, docs/compare.md): marked "
		       "\"(disturbed)\", kept in the series",
		       h->disturbed, h->disturbed == 1 ? "" : "s");
	printf("\nchange points: binary segmentation, CUSUM of a mean shift, alpha %.2f, a level "
	       "lasts %u runs or more; * level moved by more than %.2f%%, o outlier\n\n",
	       CMP_ALPHA, min_segment, threshold);
	printf("%-20s  %-*s %3s %14s %14s %9s\n", "date", wl, "label", "n",
	       h->higher_better ? "Hmean" : "Amean", "level", "change");
	for (i = 0; i < h->npoints; i++) {
		const struct point *p = &h->points[i];
		char chg[32] = "", mean[32], level[32];

		if (!isnan(p->change))
			snprintf(chg, sizeof(chg), fabs(p->change) < 1e5 ? "%+.2f%%" : "%+.2e%%",
				 p->change);
		printf("%-20.20s  %-*s %3u %14s %14s %9s", fb_esc(p->date), wl, fb_esc(p->label),
		       p->n, fmt_level(mean, sizeof(mean), p->mean),
		       fmt_level(level, sizeof(level), p->level), chg);
		if (p->mark == '*')
			printf(" * %s", p->change < 0 ? "regression" : "improvement");
		else if (p->mark == 'o')
			printf(" o outlier");
		if (p->disturbed)
			printf(" (disturbed)");
		putchar('\n');
	}
	printf("\n%u change point%s, %u outlier%s\n", h->nchanges, h->nchanges == 1 ? "" : "s",
	       h->noutliers, h->noutliers == 1 ? "" : "s");
}
/*
 * history --plot FILE[.png|.svg]: the directory ("." when none) and the name
 * of the plot files, without the extension.  Both malloc'd.
 */
static void split_plot_file(const char *file, char **dir, char **name)
{
	const char *slash = strrchr(file, '/');
	char *dot;

	*dir = xstrdup(slash ? file : ".");
	if (slash)
		(*dir)[slash - file] = '\0';
	*name = xstrdup(slash ? slash + 1 : file);
	dot = strstr(*name, ".png");
	if (!dot)
		dot = strstr(*name, ".svg");
	if (dot)
		*dot = '\0';
}

static int plot_file(const struct history *h, const char *file)
{
	char *dir, *name;
	int ret;

	split_plot_file(file, &dir, &name);
	ret = history_plot(h, dir, name);
	if (!ret)
		printf("\n%s/%s.png\n%s/%s.svg\n", fb_esc(dir), name, fb_esc(dir), name);
	free(dir);
	free(name);
	return ret;
}

/*
 * --plot checked before the history is read and printed, as plot_file() will
 * use it: not empty, and a name (the plot name rule; its directory is made
 * if need be).  It was refused only after everything had been printed.
 */
static int check_plot_option(const char *file)
{
	char *dir, *name;
	int ret;

	if (!file)
		return FB_OK;
	if (!*file)
		return fb_usage("option '--plot' is empty; name a file (FILE.png)");
	split_plot_file(file, &dir, &name);
	ret = fb_check_name("option '--plot'", name);
	free(dir);
	free(name);
	return ret;
}

/* FB_OK with DIR at argv[1], FB_USAGE, or -1 after printing --help. */
static int parse_options(struct history_cmd_opts *c, double *threshold, int argc, char **argv)
{
	struct opt_binding b = { history_options, c };
	int npos, ret;

	c->cpus = -1; /* no default: the defaults leave it alone */
	/* DIR may come first: "history DIR --bench NAME" */
	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret;
	if (cmp_parse_percent("threshold", c->threshold, threshold))
		return FB_USAGE;
	if (npos != 1 || !c->bench)
		return usage(stderr);
	return FB_OK;
}
int cmd_history(int argc, char **argv)
{
	struct history_cmd_opts c;
	struct history h = { 0 };
	struct noise_models models = { 0 };
	double threshold;
	const char *dir;
	int ret;

	ret = parse_options(&c, &threshold, argc, argv);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	ret = check_plot_option(c.plot);
	if (!ret)
		ret = noise_load_option(&models, c.noise);
	if (ret) {
		noise_free(&models);
		return ret;
	}
	h.models = &models;
	dir = argv[1];
	h.bench = c.bench;
	h.metric = c.metric ? xstrdup(c.metric) : NULL;
	h.variant = c.variant ? xstrdup(c.variant) : NULL;
	h.ncpus = (long)c.cpus;
	ret = history_load(&h, dir, c.store);
	if (!ret) {
		history_analyse(&h, (unsigned)c.min_segment, threshold);
		print_history(&h, dir, (unsigned)c.min_segment, threshold);
		if (c.plot)
			ret = plot_file(&h, c.plot);
	}
	history_free(&h);
	noise_free(&models);
	return ret;
}
