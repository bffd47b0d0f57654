// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench history DIR --bench NAME: one metric at one step over time,
 * across every result under DIR (a year of nightly runs is 1,000+ files),
 * with change points against a rolling baseline.
 *
 * Speed: each file is read once (gzip inflated transparently) and a file
 * that does not even contain the benchmark's name as a JSON string is not
 * parsed at all; a parsed document is reduced at once to the few values
 * needed and freed, so memory stays flat however many files there are.
 *
 * Change points: a run is flagged when its mean differs from the median of
 * the previous --window runs by more than --threshold AND Welch's test of its
 * repeats against the pooled repeats of that window says p < 0.05.  The
 * pooled window carries night-to-night variation, which makes the test
 * conservative against ordinary drift.  A run with a single repeat cannot
 * be tested; it is marked '?' when it is beyond the threshold and outside the
 * window's range.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmds.h"
#include "compare.h"
#include "opt.h"
#include "plot.h"
#include "resultset.h"
#include "stats.h"
#include "util.h"

struct history_cmd_opts {
	const char *bench, *metric, *variant;
	long long cpus;	       /* no default: left at -1, "choose" */
	const char *threshold; /* parsed by cmp_parse_percent() */
	long long window;
	const char *plot;
};

#define H(field) offsetof(struct history_cmd_opts, field)

static const struct opt history_options[] = {
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
	  .help = "a change point differs from the rolling baseline by more than this "
		  "percentage (2 or 2%) and significantly" },
	{ .name = "window",
	  .type = OPT_INT,
	  .def = "7",
	  .min = 3,
	  .max = 64,
	  .off = H(window),
	  .help = "the rolling baseline is the median of this many previous runs" },
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
		"marks change points against the median of the previous --window runs.\n"
		"\noptions:\n");
	opt_print_help(f, history_options);
	return FB_USAGE;
}

struct point {
	char date[32];
	time_t when;
	char *label, *path;
	double *v;
	unsigned n;
	double mean, min, max;
	double baseline; /* median of the window, NAN when too short */
	double change;	 /* percent, positive = better */
	char mark;	 /* ' ', '*' (significant), '?' (untestable but beyond) */
};

struct history {
	const char *bench;
	char *metric;
	char *variant;
	long ncpus; /* -1: choose */
	bool higher_better;
	unsigned npoints;
	struct point *points;
	unsigned files, parsed;
};

/* Quick test before parsing: the name must appear as a JSON string. */
static bool mentions(const char *text, size_t len, const char *name)
{
	char needle[160];
	int n = snprintf(needle, sizeof(needle), "\"%s\"", name);

	return n > 0 && (size_t)n < sizeof(needle) && memmem(text, len, needle, (size_t)n);
}

/* Choose metric and variant from the first result of the benchmark. */
static void choose_defaults(struct history *h, json_t *doc)
{
	json_t *step;
	size_t i;

	if (!h->metric) {
		const char *m = cmp_primary_metric(doc);

		h->metric = xstrdup(m ? m : "?");
	}
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		const char *v = json_string_value(json_object_get(step, "variant"));

		if (!h->variant)
			h->variant = xstrdup(v ? v : "");
	}
}

static void largest_ncpus(struct history *h, json_t *doc)
{
	json_t *step;
	size_t i;
	long best = -1;

	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		long nc = (long)json_integer_value(json_object_get(step, "ncpus"));

		if (json_object_get(json_object_get(step, "metrics"), h->metric) && nc > best)
			best = nc;
	}
	h->ncpus = best;
}

static time_t parse_date(const char *s)
{
	struct tm tm = { 0 };

	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

static void add_point(struct history *h, json_t *doc, const char *path)
{
	const char *date =
	    json_string_value(json_object_get(json_object_get(doc, "system"), "date"));
	const char *label = json_string_value(json_object_get(doc, "label"));
	struct point pt = { 0 };
	json_t *step;
	size_t i;

	if (!date)
		date = json_string_value(json_object_get(doc, "start_time"));
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		const char *v = json_string_value(json_object_get(step, "variant"));
		json_t *m = json_object_get(json_object_get(step, "metrics"), h->metric);
		json_t *val = json_object_get(m, "value");

		if (json_is_false(json_object_get(step, "complete")) || !json_is_number(val) ||
		    json_integer_value(json_object_get(step, "ncpus")) != h->ncpus ||
		    strcmp(v ? v : "", h->variant))
			continue;
		h->higher_better = json_is_true(json_object_get(m, "higher_better"));
		pt.v = xrealloc(pt.v, (pt.n + 1) * sizeof(double));
		pt.v[pt.n++] = json_number_value(val);
	}
	if (!pt.n)
		return;
	snprintf(pt.date, sizeof(pt.date), "%s", date ? date : "?");
	pt.when = parse_date(date);
	pt.label = xstrdup(label ? label : "?");
	pt.path = xstrdup(path);
	h->points = xrealloc(h->points, (h->npoints + 1) * sizeof(*h->points));
	h->points[h->npoints++] = pt;
}

static int visit(const char *path, void *arg)
{
	struct history *h = arg;
	size_t len;
	char *text = rs_read_file(path, &len);
	json_error_t err;
	json_t *doc;
	const char *name;

	h->files++;
	if (!text) {
		fb_warn("cannot read '%s'; skipped", path);
		return 0;
	}
	if (!mentions(text, len, h->bench)) {
		free(text);
		return 0;
	}
	doc = json_loadb(text, len, 0, &err);
	free(text);
	h->parsed++;
	if (!doc) {
		fb_warn("'%s' line %d: %s; skipped", path, err.line, err.text);
		return 0;
	}
	name = rs_doc_name(doc);
	/* a preset is a benchmark of its own here: pf1 and nopage never mix */
	if (name && !strcmp(name, h->bench)) {
		if (!h->metric || !h->variant)
			choose_defaults(h, doc);
		if (h->ncpus < 0)
			largest_ncpus(h, doc);
		add_point(h, doc, path);
	}
	json_decref(doc);
	return 0;
}

static int by_date(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c ? c : strcmp(x->path, y->path);
}

static void find_changes(struct history *h, unsigned window, double threshold)
{
	unsigned i, j, k;

	for (i = 0; i < h->npoints; i++) {
		struct point *p = &h->points[i];
		unsigned from = i > window ? i - window : 0, nw = i - from, npool = 0;
		double means[64], *pool = NULL, wmin = INFINITY, wmax = -INFINITY;
		struct welch w;

		p->mean = h->higher_better ? stats_hmean(p->v, p->n) : stats_mean(p->v, p->n);
		if (isnan(p->mean))
			p->mean = stats_mean(p->v, p->n);
		p->min = stats_min(p->v, p->n);
		p->max = stats_max(p->v, p->n);
		p->baseline = p->change = NAN;
		p->mark = ' ';
		if (nw < 3)
			continue; /* a baseline of one or two nights is not a baseline */
		for (j = from; j < i; j++) {
			means[j - from] = h->points[j].mean;
			wmin = fmin(wmin, h->points[j].mean);
			wmax = fmax(wmax, h->points[j].mean);
			pool = xrealloc(pool, (npool + h->points[j].n) * sizeof(double));
			for (k = 0; k < h->points[j].n; k++)
				pool[npool++] = h->points[j].v[k];
		}
		p->baseline = stats_median(means, nw);
		p->change = 100 * stats_pdiff(p->baseline, p->mean, h->higher_better);
		if (!(fabs(p->change) > threshold)) {
			free(pool);
			continue;
		}
		w = stats_welch(p->v, p->n, pool, npool);
		if (w.valid && p->n >= 2)
			p->mark = w.p < CMP_ALPHA ? '*' : ' ';
		else if (p->mean < wmin || p->mean > wmax)
			p->mark = '?';
		free(pool);
	}
}

static void print_history(const struct history *h, const char *dir, unsigned window,
			  double threshold)
{
	unsigned i;

	printf("%s %s at %ld CPU%s%s%s (%s is better): %u runs under %s\n", h->bench, h->metric,
	       h->ncpus, h->ncpus == 1 ? "" : "s", *h->variant ? ", " : "", h->variant,
	       h->higher_better ? "higher" : "lower", h->npoints, dir);
	printf("change: against the median of the previous %u runs; * beyond %.2f%% and "
	       "significant, ? beyond and untestable\n\n",
	       window, threshold);
	printf("%-20s  %-24s %3s %14s %14s %9s\n", "date", "label", "n",
	       h->higher_better ? "Hmean" : "Amean", "baseline", "change");
	for (i = 0; i < h->npoints; i++) {
		const struct point *p = &h->points[i];
		char base[32] = "-", chg[32] = "-";

		if (!isnan(p->baseline))
			snprintf(base, sizeof(base), "%.2f", p->baseline);
		if (!isnan(p->change))
			snprintf(chg, sizeof(chg), "%+.2f%%", p->change);
		printf("%-20.20s  %-24.24s %3u %14.2f %14s %9s", p->date, p->label, p->n, p->mean,
		       base, chg);
		if (p->mark != ' ')
			printf(" %c %s", p->mark, p->change < 0 ? "regression" : "improvement");
		putchar('\n');
	}
}

static int history_plot(const struct history *h, const char *file)
{
	struct plot_series s[3] = { { 0 } };
	struct plot_spec p = { .xaxis = PLOT_X_TIME, .hline = NAN, .nseries = 3, .series = s };
	char *dir = xstrdup(file), *slash = strrchr(dir, '/'), *name, *dot;
	char title[512], ylabel[160];
	unsigned i;
	int ret;

	name = xstrdup(slash ? slash + 1 : file);
	if (slash)
		*slash = '\0';
	dot = strstr(name, ".png");
	if (!dot)
		dot = strstr(name, ".svg");
	if (dot)
		*dot = '\0';
	s[0].title = xasprintf("%s (bars: min-max of repeats)", h->metric);
	s[1].title = xstrdup("rolling baseline (median)");
	s[1].line_only = true;
	s[2].title = xstrdup("change point");
	s[2].points_only = true;
	for (i = 0; i < h->npoints; i++) {
		const struct point *pt = &h->points[i];

		plot_series_add(&s[0], (double)pt->when, pt->mean, pt->min, pt->max);
		if (!isnan(pt->baseline))
			plot_series_add(&s[1], (double)pt->when, pt->baseline, NAN, NAN);
		if (pt->mark != ' ')
			plot_series_add(&s[2], (double)pt->when, pt->mean, NAN, NAN);
	}
	snprintf(title, sizeof(title), "history of %s: %s at %ld CPUs%s%s\n%u runs", h->bench,
		 h->metric, h->ncpus, *h->variant ? ", " : "", h->variant, h->npoints);
	snprintf(ylabel, sizeof(ylabel), "%s (%s is better)", h->metric,
		 h->higher_better ? "higher" : "lower");
	p.dir = slash ? dir : ".";
	p.name = name;
	p.title = title;
	p.ylabel = ylabel;
	ret = plot_write(&p);
	if (!ret)
		printf("\n%s/%s.png\n%s/%s.svg\n", p.dir, name, p.dir, name);
	for (i = 0; i < 3; i++)
		plot_series_free(&s[i]);
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

static void history_free(struct history *h)
{
	for (unsigned i = 0; i < h->npoints; i++) {
		free(h->points[i].v);
		free(h->points[i].label);
		free(h->points[i].path);
	}
	free(h->points);
	free(h->metric);
	free(h->variant);
}

int cmd_history(int argc, char **argv)
{
	struct history_cmd_opts c;
	struct history h = { 0 };
	double threshold;
	const char *dir;
	int ret;

	ret = parse_options(&c, &threshold, argc, argv);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	dir = argv[1];
	h.bench = c.bench;
	h.metric = c.metric ? xstrdup(c.metric) : NULL;
	h.variant = c.variant ? xstrdup(c.variant) : NULL;
	h.ncpus = (long)c.cpus;
	ret = rs_walk(dir, true, visit, &h);
	if (!ret && !h.npoints)
		ret = fb_usage("no result of '%s' with %s at %ld CPUs under '%s' (%u files read)",
			       h.bench, h.metric ? h.metric : "its metric", h.ncpus, dir, h.files);
	if (!ret) {
		qsort(h.points, h.npoints, sizeof(*h.points), by_date);
		find_changes(&h, (unsigned)c.window, threshold);
		print_history(&h, dir, (unsigned)c.window, threshold);
		if (c.plot)
			ret = history_plot(&h, c.plot);
	}
	history_free(&h);
	return ret;
}
