// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench history DIR --bench NAME: one metric at one step over time,
 * across every result under DIR (a year of nightly runs is 1,000+ files),
 * with the change points of the series.
 *
 * The series, its change points and its plot are analysis/history.c's.
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
#include "util.h"

struct history_cmd_opts {
	const char *bench, *metric, *variant;
	long long cpus;	       /* no default: left at -1, "choose" */
	const char *threshold; /* parsed by cmp_parse_percent() */
	long long min_segment;
	const char *plot;
	const char *noise;
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
	{ .name = "plot",
	  .type = OPT_STR,
	  .off = H(plot),
	  .help = "also plot the history into FILE.png, with its .svg, .gp and .dat" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench history DIR --bench NAME [options]\n"
		"\n"
		"Lists a metric at one step over every result of NAME under DIR (searched\n"
		"recursively; .json and .json.gz), oldest first by the date in the results, and\n"
		"marks change points: binary segmentation with the CUSUM statistic of a mean\n"
		"shift, against the run-to-run noise (docs/compare.md).\n"
		"\noptions:\n");
	opt_print_help(f, history_options);
	return FB_USAGE;
}
static void print_history(const struct history *h, const char *dir, unsigned min_segment,
			  double threshold)
{
	unsigned i;

	printf("%s %s at %ld CPU%s%s%s (%s is better): %u runs under %s\n", h->bench, h->metric,
	       h->ncpus, h->ncpus == 1 ? "" : "s", *h->variant ? ", " : "", h->variant,
	       h->higher_better ? "higher" : "lower", h->npoints, dir);
	printf("run-to-run noise: %.2f%% from %s", 100 * h->sigma, h->sigma_from);
	if (h->have_model)
		printf("; model %s: %.2f%%, series: %.2f%%", h->model_path,
		       100 * sqrt(h->var_model + h->var_within / h->model_repeats),
		       100 * h->sigma_series);
	printf("\nchange points: binary segmentation, CUSUM of a mean shift, alpha %.2f, a level "
	       "lasts %u runs or more; * level moved by more than %.2f%%, o outlier\n\n",
	       CMP_ALPHA, min_segment, threshold);
	printf("%-20s  %-24s %3s %14s %14s %9s\n", "date", "label", "n",
	       h->higher_better ? "Hmean" : "Amean", "level", "change");
	for (i = 0; i < h->npoints; i++) {
		const struct point *p = &h->points[i];
		char chg[32] = "";

		if (!isnan(p->change))
			snprintf(chg, sizeof(chg), "%+.2f%%", p->change);
		printf("%-20.20s  %-24.24s %3u %14.2f %14.2f %9s", p->date, p->label, p->n, p->mean,
		       p->level, chg);
		if (p->mark == '*')
			printf(" * %s", p->change < 0 ? "regression" : "improvement");
		else if (p->mark == 'o')
			printf(" o outlier");
		putchar('\n');
	}
	printf("\n%u change point%s, %u outlier%s\n", h->nchanges, h->nchanges == 1 ? "" : "s",
	       h->noutliers, h->noutliers == 1 ? "" : "s");
}
/* history --plot FILE[.png|.svg]: the directory and name of the plot files. */
static int plot_file(const struct history *h, const char *file)
{
	char *dir = xstrdup(file), *slash = strrchr(dir, '/'), *name, *dot;
	int ret;

	name = xstrdup(slash ? slash + 1 : file);
	if (slash)
		*slash = '\0';
	dot = strstr(name, ".png");
	if (!dot)
		dot = strstr(name, ".svg");
	if (dot)
		*dot = '\0';
	ret = history_plot(h, slash ? dir : ".", name);
	if (!ret)
		printf("\n%s/%s.png\n%s/%s.svg\n", slash ? dir : ".", name, slash ? dir : ".", name);
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
	ret = history_load(&h, dir);
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
