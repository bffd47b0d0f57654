// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench history DIR --bench NAME: one metric at one step over time,
 * across every result under DIR (a year of nightly runs is 1,000+ files),
 * with the change points of the series.
 *
 * Speed: each file is read once (gzip inflated transparently) and a file
 * that does not even contain the benchmark's name as a JSON string is not
 * parsed at all; a parsed document is reduced at once to the few values
 * needed and freed, so memory stays flat however many files there are.
 *
 * From a store (--store, or a RUN "store:label=..."): the index answers
 * which runs and which values (store/), and only the documents the defaults
 * and the noise model are chosen from are read whole; the same points come
 * out, in the same order, so the answer is the same as from the files
 * (docs/store.md).
 *
 * Change points: each result file is one run, summarised by the mean of its
 * repeats (harmonic for rates), on a log scale for rates.  The series is cut
 * by binary segmentation with the CUSUM statistic of a mean shift (stats.h):
 * a shift is found once, where it happened, not on every night until a
 * rolling baseline catches up.  The noise sigma is the run-to-run spread of
 * the machine's noise model when there is one and the series agrees with it,
 * else the series' own, estimated from successive differences (robust to the
 * shifts themselves).  A change point is reported when the level moves by
 * more than --threshold; a single run far off its level is an outlier, not a
 * shift.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

#include "cmds.h"
#include "compare.h"
#include "noise.h"
#include "opt.h"
#include "plot.h"
#include "resultset.h"
#include "stats.h"
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
	fprintf(f,
		"usage: faultbench history DIR|store:SELECTOR --bench NAME [options]\n"
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
	const struct noise_models *models;
	bool have_model; /* var_model from the model matching the first result */
	double var_model, df_model, model_repeats, var_within;
	const char *model_path;
	/* found by find_changes */
	bool log_scale;
	double sigma, sigma_series, df_series;
	const char *sigma_from;
	unsigned nchanges, noutliers;
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

/* The noise model's entry for this series, if the machine and parameters match. */
static void find_model(struct history *h, json_t *doc)
{
	const struct noise_model *m;
	const struct noise_entry *e =
	    noise_find(h->models, doc, h->bench, h->variant, (unsigned)h->ncpus, h->metric, &m);

	if (!e || !e->log_scale)
		return;
	h->have_model = true;
	h->df_model = e->df_run;
	h->model_repeats = e->repeats;
	h->model_path = m->path;
	/* the within-run part is rescaled to the series' repeats in find_changes */
	h->var_model = e->var_run - e->var_within / e->repeats;
	if (h->var_model < 0)
		h->var_model = 0;
	h->var_within = e->var_within;
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
		if (!h->have_model)
			find_model(h, doc);
		add_point(h, doc, path);
	}
	json_decref(doc);
	return 0;
}

/* ---- from a store --------------------------------------------------------- */

/* visit()'s choices from one document, without its point: the store gives those. */
static void choose_from(struct history *h, json_t *doc)
{
	if (!h->metric || !h->variant)
		choose_defaults(h, doc);
	if (h->ncpus < 0)
		largest_ncpus(h, doc);
	if (!h->have_model)
		find_model(h, doc);
}

static bool model_for(const struct history *h, const char *machine)
{
	for (unsigned i = 0; i < h->models->n; i++)
		if (h->models->m[i].hostname && !strcmp(h->models->m[i].hostname, machine))
			return true;
	return false;
}

/*
 * The documents visit() would choose metric, variant, step and noise model
 * from: the first ones in walk order until each is chosen.  Only a machine
 * with a model of its own can have one, so no other document is read.
 */
static int choose_from_store(struct history *h, struct store *s, const struct store_entry *e,
			     size_t n)
{
	for (size_t i = 0; i < n; i++) {
		bool defaults = !h->metric || !h->variant || h->ncpus < 0;
		json_t *doc;

		if (!defaults && (h->have_model || !model_for(h, e[i].machine)))
			continue;
		doc = store_document(s, e[i].id);
		if (!doc)
			return FB_USAGE;
		h->parsed++;
		choose_from(h, doc);
		json_decref(doc);
		if (!(!h->metric || !h->variant || h->ncpus < 0) &&
		    (h->have_model || !h->models->n))
			break;
	}
	return FB_OK;
}

static int by_id(const void *a, const void *b)
{
	long long x = (*(const struct store_entry *const *)a)->id;
	long long y = (*(const struct store_entry *const *)b)->id;

	return (x > y) - (x < y);
}

/* The points of entries e (in walk order) from the values, which come by run id. */
static void points_from_values(struct history *h, struct store_entry *e, size_t n,
			       const struct store_value *v, size_t nv, char **paths)
{
	struct store_entry **byid = xmalloc((n + 1) * sizeof(*byid));
	struct point *pts = xcalloc(n + 1, sizeof(*pts));
	size_t i, k;
	long long last = -1;

	for (i = 0; i < n; i++)
		byid[i] = &e[i];
	qsort(byid, n, sizeof(*byid), by_id);
	for (k = 0; k < nv; k++) {
		struct store_entry key = { .id = v[k].run_id }, *pk = &key, **hit;
		struct point *pt;

		hit = bsearch(&pk, byid, n, sizeof(*byid), by_id);
		if (!hit)
			continue; /* a run outside DIR */
		pt = &pts[*hit - e];
		pt->v = xrealloc(pt->v, (pt->n + 1) * sizeof(double));
		pt->v[pt->n++] = v[k].value;
		/* visit() keeps the direction of the last value it meets in walk order */
		if (*hit - e >= last) {
			last = *hit - e;
			h->higher_better = v[k].higher_better;
		}
	}
	for (i = 0; i < n; i++) {
		struct point pt = pts[i];

		if (!pt.n)
			continue;
		snprintf(pt.date, sizeof(pt.date), "%s", e[i].date);
		pt.when = parse_date(e[i].date);
		pt.label = xstrdup(e[i].label);
		pt.path = paths[i];
		paths[i] = NULL;
		h->points = xrealloc(h->points, (h->npoints + 1) * sizeof(*h->points));
		h->points[h->npoints++] = pt;
	}
	free(pts);
	free(byid);
}

/*
 * DIR through the store: the runs indexed from files under it, each under
 * the path a walk of DIR would give it (the tie-break of equal dates).
 */
static size_t keep_under(const char *dir, struct store_entry *e, size_t n, char **paths)
{
	char *real = realpath(dir, NULL);
	size_t k = 0, len;

	if (!real)
		return 0;
	len = strlen(real);
	for (size_t i = 0; i < n; i++) {
		const char *o = e[i].origin;

		if (strncmp(o, real, len) || (len > 1 && o[len] != '/')) {
			free(e[i].origin);
			free(e[i].date);
			free(e[i].label);
			free(e[i].machine);
			continue;
		}
		paths[k] = xasprintf("%s%s", dir, o + (len > 1 ? len : 0));
		e[k++] = e[i];
	}
	free(real);
	return k;
}

static int history_from_store(struct history *h, const char *arg, const char *target)
{
	struct store_sel sel = { 0 };
	struct store *s = NULL;
	struct store_entry *e = NULL;
	struct store_value *v = NULL;
	size_t n = 0, nv = 0;
	char **paths = NULL;
	bool selector = store_is_selector(arg);
	int ret = selector ? store_sel_parse(arg + strlen(STORE_PREFIX), &sel) : FB_OK;
	struct stat st;

	if (!ret && !selector && stat(arg, &st))
		ret = fb_usage("cannot read directory '%s': %s", arg, strerror(errno));
	else if (!ret && !selector && !S_ISDIR(st.st_mode))
		ret = fb_usage("cannot read directory '%s': not a directory", arg);
	if (!ret)
		ret = store_open(&s, target ? target : STORE_DEFAULT, STORE_READ);
	if (!ret)
		ret = store_list(s, &sel, h->bench, &e, &n);
	if (!ret) {
		paths = xcalloc(n + 1, sizeof(*paths));
		if (selector)
			for (size_t i = 0; i < n; i++)
				paths[i] = xstrdup(e[i].origin);
		else
			n = keep_under(arg, e, n, paths);
		h->files = (unsigned)n;
		ret = choose_from_store(h, s, e, n);
	}
	if (!ret && n && h->metric && h->variant && h->ncpus >= 0)
		ret = store_values(s, &sel, h->bench, h->metric, h->ncpus, h->variant, &v, &nv);
	if (!ret)
		points_from_values(h, e, n, v, nv, paths);
	for (size_t i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
	free(v);
	store_list_free(e, n);
	store_close(s);
	store_sel_free(&sel);
	return ret;
}

static int by_date(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	return c ? c : strcmp(x->path, y->path);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The series' own run-to-run sigma from successive differences: the median
 * absolute difference / (0.6745 * sqrt(2)).  A shift adds one large
 * difference, which the median ignores.
 */
static double sigma_from_series(const double *y, unsigned n)
{
	double *d, s;

	if (n < 3)
		return NAN;
	d = xmalloc((n - 1) * sizeof(*d));
	for (unsigned i = 1; i < n; i++)
		d[i - 1] = fabs(y[i] - y[i - 1]);
	qsort(d, n - 1, sizeof(*d), cmp_dbl);
	s = stats_median(d, n - 1) / (0.6745 * sqrt(2));
	free(d);
	return s;
}

/* sigma: the model's, unless the series is significantly noisier (then its own). */
static void choose_sigma(struct history *h, const double *y, double repeats)
{
	double var_m = NAN;

	h->sigma_series = sigma_from_series(y, h->npoints);
	/* MAD of differences: about 0.37 of the efficiency of a variance, a rough df */
	h->df_series = h->npoints > 2 ? 0.37 * (h->npoints - 1) : 0;
	if (h->have_model)
		var_m = h->var_model + h->var_within / (repeats >= 1 ? repeats : h->model_repeats);
	if (h->have_model && var_m > 0) {
		double f = h->sigma_series * h->sigma_series / var_m;

		if (h->df_series >= 1 && stats_f_upper(f, h->df_series, h->df_model) < 0.01) {
			h->sigma = h->sigma_series;
			h->sigma_from = "the series (noisier than the noise model)";
		} else {
			h->sigma = sqrt(var_m);
			h->sigma_from = "the noise model";
		}
	} else {
		h->sigma = h->sigma_series;
		h->sigma_from = "the series (successive differences)";
	}
}

static void set_levels(struct history *h, const double *y, const size_t *cp, size_t ncp,
		       double threshold)
{
	size_t seg = 0, start = 0;

	for (unsigned i = 0; i <= h->npoints; i++) {
		bool end = i == h->npoints || (seg < ncp && i == cp[seg]);

		if (!end)
			continue;
		double level = stats_mean(y + start, i - start);

		for (size_t k = start; k < i; k++)
			h->points[k].level = h->log_scale ? exp(level) : level;
		start = i;
		if (i < h->npoints)
			seg++;
	}
	for (size_t k = 0; k < ncp; k++) {
		struct point *p = &h->points[cp[k]];
		double before = h->points[cp[k] - 1].level;

		p->change = 100 * stats_pdiff(before, p->level, h->higher_better);
		/* a real but small shift is not worth a night's alarm */
		if (fabs(p->change) > threshold) {
			p->mark = '*';
			h->nchanges++;
		}
	}
}

/* A single run far off its level (p < 0.01 / n, beyond the threshold): an outlier. */
static void mark_outliers(struct history *h, const double *y, double threshold)
{
	double z = gsl_cdf_ugaussian_Qinv(0.005 / h->npoints);

	for (unsigned i = 0; i < h->npoints; i++) {
		struct point *p = &h->points[i];
		double lv = h->log_scale ? log(p->level) : p->level;
		double pct = 100 * stats_pdiff(p->level, p->mean, h->higher_better);

		if (p->mark == ' ' && fabs(y[i] - lv) > z * h->sigma && fabs(pct) > threshold) {
			p->mark = 'o';
			p->change = pct;
			h->noutliers++;
		}
	}
}

static void find_changes(struct history *h, unsigned min_segment, double threshold)
{
	double *y = xmalloc((h->npoints + 1) * sizeof(*y)), repeats = 0;
	size_t *cp = xmalloc((h->npoints + 1) * sizeof(*cp)), ncp = 0;
	unsigned i;

	h->log_scale = true;
	for (i = 0; i < h->npoints; i++) {
		struct point *p = &h->points[i];

		p->mean = h->higher_better ? stats_hmean(p->v, p->n) : stats_mean(p->v, p->n);
		if (isnan(p->mean))
			p->mean = stats_mean(p->v, p->n);
		p->min = stats_min(p->v, p->n);
		p->max = stats_max(p->v, p->n);
		p->change = NAN;
		p->mark = ' ';
		h->log_scale &= p->mean > 0;
		repeats += p->n;
	}
	for (i = 0; i < h->npoints; i++)
		y[i] = h->log_scale ? log(h->points[i].mean) : h->points[i].mean;
	if (!h->log_scale)
		h->have_model = false; /* models are of log values */
	choose_sigma(h, y, repeats / h->npoints);
	if (h->sigma > 0)
		ncp = stats_cusum_changes(y, h->npoints, h->sigma, CMP_ALPHA, min_segment, cp,
					  h->npoints);
	set_levels(h, y, cp, ncp, threshold);
	if (h->sigma > 0)
		mark_outliers(h, y, threshold);
	free(y);
	free(cp);
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
	s[1].title = xstrdup("level between change points");
	s[1].line_only = true;
	s[2].title = xstrdup("change point");
	s[2].points_only = true;
	for (i = 0; i < h->npoints; i++) {
		const struct point *pt = &h->points[i];

		plot_series_add(&s[0], (double)pt->when, pt->mean, pt->min, pt->max);
		plot_series_add(&s[1], (double)pt->when, pt->level, NAN, NAN);
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
	if (c.store || store_is_selector(dir))
		ret = history_from_store(&h, dir, c.store);
	else
		ret = rs_walk(dir, true, visit, &h);
	if (!ret && !h.npoints) {
		char step[32] = "its largest step";

		if (h.ncpus > 0)
			snprintf(step, sizeof(step), "%ld CPUs", h.ncpus);
		ret = fb_usage("no result of '%s' with %s at %s under '%s' (%u files read)",
			       h.bench, h.metric ? h.metric : "its metric", step, dir, h.files);
	}
	if (!ret) {
		qsort(h.points, h.npoints, sizeof(*h.points), by_date);
		find_changes(&h, (unsigned)c.min_segment, threshold);
		print_history(&h, dir, (unsigned)c.min_segment, threshold);
		if (c.plot)
			ret = history_plot(&h, c.plot);
	}
	history_free(&h);
	noise_free(&models);
	return ret;
}
