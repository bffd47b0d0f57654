// SPDX-License-Identifier: GPL-2.0
/*
 * history DIR --bench NAME: one metric at one step over time,
 * across every result under DIR (a year of nightly runs is 1,000+ files),
 * with the change points of the series.
 *
 * Speed: each file is read once (gzip inflated transparently) and a file
 * that does not even contain the benchmark's name as a JSON string is not
 * parsed at all; a parsed document is reduced at once to the few values
 * needed and freed, so memory stays flat however many files there are.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <gsl/gsl_cdf.h>

#include "compare.h"
#include "disturb.h"
#include "history.h"
#include "nearby.h"
#include "plot.h"
#include "resultset.h"
#include "stats.h"
#include "store.h"
#include "util.h"
#include "validity.h"

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

time_t history_parse_date(const char *s)
{
	struct tm tm = { 0 };

	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

/*
 * One value of a run's point, from a file's step or a store's indexed value
 * alike: a value no measurement gives never becomes a level (validity.h), and
 * the whole run is left out (as compare does: never a mean over what
 * remains).  The direction is the last good value's, in walk order.
 */
static void point_value(struct history *h, struct point *pt, bool *broken, double v,
			bool higher_better, const char *problem, const char *path, const char *step)
{
	if (problem) {
		fb_warn("%s: %s: %s is %s; this run is left out", path, step, h->metric, problem);
		h->left_out++;
		*broken = true;
		return;
	}
	h->higher_better = higher_better;
	pt->v = xrealloc(pt->v, (pt->n + 1) * sizeof(double));
	pt->v[pt->n++] = v;
}

/* The run's point joins the series, unless it has no value or a broken one. */
static void point_keep(struct history *h, struct point *pt, bool broken, const char *date,
		       const char *label, const char *path)
{
	if (!pt->n || broken) {
		free(pt->v);
		return;
	}
	snprintf(pt->date, sizeof(pt->date), "%s", date ? date : "?");
	pt->when = history_parse_date(date);
	pt->label = xstrdup(label ? label : "?");
	pt->path = xstrdup(path);
	h->disturbed += pt->disturbed;
	h->points = xrealloc(h->points, (h->npoints + 1) * sizeof(*h->points));
	h->points[h->npoints++] = *pt;
}

static void add_point(struct history *h, json_t *doc, const char *path)
{
	const char *date =
	    json_string_value(json_object_get(json_object_get(doc, "system"), "date"));
	struct point pt = { 0 };
	struct disturb_sum ds;
	json_t *step;
	size_t i;
	bool broken = false;

	if (!date)
		date = json_string_value(json_object_get(doc, "start_time"));
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		const char *v = json_string_value(json_object_get(step, "variant"));
		json_t *m = json_object_get(json_object_get(step, "metrics"), h->metric);
		const char *problem;
		char name[200] = "";

		if (json_is_false(json_object_get(step, "complete")) || !m ||
		    json_integer_value(json_object_get(step, "ncpus")) != h->ncpus ||
		    strcmp(v ? v : "", h->variant))
			continue;
		problem = rs_metric_problem(m, false);
		if (problem)
			rs_step_name(doc, step, name, sizeof(name));
		/* null: neither, read as higher */
		point_value(h, &pt, &broken, json_number_value(json_object_get(m, "value")),
			    !json_is_false(json_object_get(m, "higher_better")), problem, path,
			    name);
	}
	/* shown, not left out: the level is the user's to judge, knowing it */
	pt.disturbed = disturb_doc(doc, h->ncpus, h->variant, &ds) && ds.disturbed;
	point_keep(h, &pt, broken, date, json_string_value(json_object_get(doc, "label")), path);
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
	h->model_e = e;
	h->df_model = e->df_run;
	h->model_repeats = e->repeats;
	h->model_path = m->path;
	/* the figure noise prints; the sigma is rescaled to the series' repeats (same function) */
	h->model_pct = noise_run_pct(e, e->repeats);
}

/* The choices of metric, variant, step and noise model a document makes, until made. */
static void history_choose(struct history *h, json_t *doc)
{
	if (!h->metric || !h->variant)
		choose_defaults(h, doc);
	if (h->ncpus < 0)
		largest_ncpus(h, doc);
	if (!h->have_model)
		find_model(h, doc);
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
		h->skipped++;
		return 0;
	}
	if (!mentions(text, len, h->bench)) {
		free(text);
		return 0;
	}
	doc = rs_parse_text(text, len, &err);
	free(text);
	h->parsed++;
	if (!doc) {
		h->skipped++;
		return 0;
	}
	name = rs_doc_name(doc);
	/* a preset is a benchmark of its own here: pf1 and nopage never mix */
	if (name && !strcmp(name, h->bench)) {
		history_choose(h, doc);
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
	h->series_repeats = repeats;
	if (h->have_model)
		var_m = noise_var_for(h->model_e, repeats);
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

/*
 * One line for every file under DIR that could not be read as JSON, instead
 * of one per file: a results folder may hold anything beside the runs.  JSON
 * that is not a run (a noise model, a stress test's output) is no news at all.
 */
static void warn_skipped(unsigned n, const char *dir)
{
	if (n)
		fb_warn("%u .json file%s under '%s' could not be read as JSON; skipped", n,
			n == 1 ? "" : "s", dir);
}

/* "; did you mean 'pf1'?" among the benchmarks under DIR, for a --bench none has. */
static void bench_hint(const char *bench, const char *dir, char *hint, size_t len)
{
	struct stat st;
	char **names = NULL;
	unsigned n = 0;

	if (stat(dir, &st) || !S_ISDIR(st.st_mode) || history_benches(dir, NULL, &names, &n))
		return;
	nearby_name_hint(bench, names, n, hint, len);
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* The series' ending once its points are in: the error when none, else sorted by date. */
static int history_finish(struct history *h, const char *dir)
{
	int ret = FB_OK;

	if (!h->npoints) {
		char step[32] = "its largest step";

		char hint[256] = "";

		if (h->ncpus > 0)
			snprintf(step, sizeof(step), "%ld CPUs", h->ncpus);
		if (!h->parsed)
			bench_hint(h->bench, dir, hint, sizeof(hint));
		ret = fb_usage("no result of '%s' with %s at %s under '%s' (%u files read)%s",
			       h->bench, h->metric ? h->metric : "its metric", step, dir, h->files,
			       hint);
	} else {
		qsort(h->points, h->npoints, sizeof(*h->points), by_date);
	}
	warn_skipped(h->skipped, dir);
	return ret;
}

void history_analyse(struct history *h, unsigned min_segment, double threshold)
{
	find_changes(h, min_segment, threshold);
}

int history_plot(const struct history *h, const char *dir, const char *name)
{
	struct plot_series s[3] = { { 0 } };
	struct plot_spec p = { .xaxis = PLOT_X_TIME, .hline = NAN, .nseries = 3, .series = s };
	char title[512], subtitle[256], ylabel[160];
	unsigned i;
	int ret;

	s[0].title = xasprintf("%s (band: min-max of repeats)", h->metric);
	s[0].band = true;
	s[0].color = 1;
	s[1].title = xstrdup("level between change points");
	s[1].line_only = true;
	s[1].color = 8;
	s[2].title = xstrdup("change point or outlier");
	s[2].points_only = true;
	s[2].color = 4;
	for (i = 0; i < h->npoints; i++) {
		const struct point *pt = &h->points[i];

		plot_series_add(&s[0], (double)pt->when, pt->mean, pt->min, pt->max);
		plot_series_add(&s[1], (double)pt->when, pt->level, NAN, NAN);
		if (pt->mark != ' ')
			plot_series_add(&s[2], (double)pt->when, pt->mean, NAN, NAN);
	}
	snprintf(title, sizeof(title), "%s %s at %ld CPU%s%s%s over time", h->bench, h->metric,
		 h->ncpus, h->ncpus == 1 ? "" : "s", *h->variant ? ", " : "", h->variant);
	snprintf(subtitle, sizeof(subtitle),
		 "%u runs; change points: CUSUM binary segmentation, %u change point%s, %u "
		 "outlier%s",
		 h->npoints, h->nchanges, h->nchanges == 1 ? "" : "s", h->noutliers,
		 h->noutliers == 1 ? "" : "s");
	snprintf(ylabel, sizeof(ylabel), "%s (%s is better)", h->metric,
		 h->higher_better ? "higher" : "lower");
	p.dir = dir;
	p.name = name;
	p.title = title;
	p.subtitle = subtitle;
	p.ylabel = ylabel;
	ret = plot_write(&p);
	for (i = 0; i < 3; i++)
		plot_series_free(&s[i]);
	return ret;
}

void history_free(struct history *h)
{
	for (unsigned i = 0; i < h->npoints; i++) {
		free(h->points[i].v);
		free(h->points[i].label);
		free(h->points[i].path);
	}
	free(h->points);
	free(h->metric);
	free(h->variant);
	h->points = NULL;
	h->metric = h->variant = NULL;
	h->npoints = 0;
}

struct bench_names {
	char **names;
	unsigned n, skipped;
};

static void add_bench_name(struct bench_names *b, const char *name);

/* Cheap: only files that look like results are parsed, and each is dropped at once. */
static int collect_bench(const char *path, void *arg)
{
	struct bench_names *b = arg;
	size_t len;
	char *text = rs_read_file(path, &len);
	json_t *doc = text ? json_loadb(text, len, 0, NULL) : NULL;
	const char *name = rs_is_result_doc(doc) ? rs_doc_name(doc) : NULL;

	free(text);
	if (!doc)
		b->skipped++;
	add_bench_name(b, name);
	json_decref(doc);
	return 0;
}

static void add_bench_name(struct bench_names *b, const char *name)
{
	unsigned i;

	for (i = 0; name && i < b->n && strcmp(b->names[i], name); i++)
		;
	if (name && i == b->n && fb_name_ok(name)) {
		b->names = xrealloc(b->names, (b->n + 2) * sizeof(*b->names));
		b->names[b->n++] = xstrdup(name);
		b->names[b->n] = NULL;
	}
}

/* ---- through a store's index ------------------------------------------- */

/* The runs a store answers for: a selector's, or those indexed from files under a directory. */
struct store_runs {
	struct store *s;
	struct store_sel sel;
	struct store_entry *e;
	char **paths; /* each run's path as the walk of the directory would give it */
	size_t n;     /* the runs picked: e[0..n) */
	size_t nlist; /* the runs listed (e[n..nlist): not under the directory) */
};

/*
 * DIR through the store: the runs indexed from files under it, each under
 * the path a walk of DIR would give it (the tie-break of equal dates).
 */
static void keep_under(const char *dir, struct store_runs *r)
{
	char *real = realpath(dir, NULL);
	size_t k = 0, len = real ? strlen(real) : 0;

	for (size_t i = 0; i < r->n; i++) {
		const char *o = r->e[i].origin;
		struct store_entry kept = r->e[i];

		if (!real || strncmp(o, real, len) || (len > 1 && o[len] != '/'))
			continue;
		r->paths[k] = xasprintf("%s%s", dir, o + (len > 1 ? len : 0));
		/* swapped, not overwritten: the rest stay in the list, freed with it */
		r->e[i] = r->e[k];
		r->e[k++] = kept;
	}
	r->n = k;
	free(real);
}

static void store_runs_close(struct store_runs *r)
{
	for (size_t i = 0; r->paths && i < r->n; i++)
		free(r->paths[i]);
	free(r->paths);
	store_list_free(r->e, r->nlist);
	store_close(r->s);
	store_sel_free(&r->sel);
}

/*
 * Open target (NULL: STORE_DEFAULT) and list the runs of name (NULL: any)
 * that where picks: a "store:" selector, or a directory whose files were
 * indexed.  FB_OK or FB_USAGE with a message.
 */
static int store_runs_open(struct store_runs *r, const char *where, const char *target,
			   const char *name)
{
	bool selector = store_is_selector(where);
	int ret = selector ? store_sel_parse(where + strlen(STORE_PREFIX), &r->sel) : FB_OK;
	struct stat st;

	if (!ret && !selector && stat(where, &st))
		ret = fb_usage("cannot read directory '%s': %s", where, strerror(errno));
	else if (!ret && !selector && !S_ISDIR(st.st_mode))
		ret = fb_usage("cannot read directory '%s': not a directory", where);
	if (!ret)
		ret = store_open(&r->s, target ? target : STORE_DEFAULT, STORE_READ);
	if (!ret)
		ret = store_list(r->s, &r->sel, name, &r->e, &r->n);
	if (ret)
		return ret;
	r->nlist = r->n;
	r->paths = xcalloc(r->n + 1, sizeof(*r->paths));
	if (selector)
		for (size_t i = 0; i < r->n; i++)
			r->paths[i] = xstrdup(r->e[i].origin);
	else
		keep_under(where, r);
	return FB_OK;
}

/* The document of run i, with the checks of a file (validity.h): a store document was one. */
static json_t *store_run_doc(struct store_runs *r, size_t i)
{
	json_t *doc = store_document(r->s, r->e[i].id);

	if (doc && rs_check_doc(r->e[i].origin, doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static bool model_for(const struct history *h, const char *machine)
{
	for (unsigned i = 0; i < h->models->n; i++)
		if (h->models->m[i].hostname && !strcmp(h->models->m[i].hostname, machine))
			return true;
	return false;
}

static bool chosen(const struct history *h)
{
	return h->metric && h->variant && h->ncpus >= 0;
}

/*
 * The documents a walk would choose metric, variant, step and noise model
 * from: the first ones in walk order until each is chosen.  Only a machine
 * with a model of its own can have one, so no other document is read.
 */
static int choose_from_store(struct history *h, struct store_runs *r)
{
	for (size_t i = 0; i < r->n; i++) {
		json_t *doc;

		if (chosen(h) && (h->have_model || !model_for(h, r->e[i].machine)))
			continue;
		doc = store_run_doc(r, i);
		if (!doc)
			return FB_USAGE;
		h->parsed++;
		history_choose(h, doc);
		json_decref(doc);
		if (chosen(h) && (h->have_model || !h->models->n))
			break;
	}
	return FB_OK;
}

/* A value and the run (index in walk order) it belongs to. */
struct run_value {
	size_t run, k;
	const struct store_value *v;
};

static int by_id(const void *a, const void *b)
{
	long long x = (*(const struct store_entry *const *)a)->id;
	long long y = (*(const struct store_entry *const *)b)->id;

	return (x > y) - (x < y);
}

static int by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int by_run(const void *a, const void *b)
{
	const struct run_value *x = a, *y = b;

	if (x->run != y->run)
		return (x->run > y->run) - (x->run < y->run);
	return (x->k > y->k) - (x->k < y->k);
}

/*
 * The values (by run id, then step order) put in walk order, then each run's
 * point made as a file's is, value by value (point_value()), and marked
 * disturbed when its id is among dist's (sorted), as add_point() marks it.
 */
static void points_from_values(struct history *h, struct store_runs *r, const struct store_value *v,
			       size_t nv, const long long *dist, size_t ndist)
{
	struct store_entry **byid = xmalloc((r->n + 1) * sizeof(*byid));
	struct run_value *rv = xmalloc((nv + 1) * sizeof(*rv));
	char step[64];
	size_t i, k, m = 0;

	for (i = 0; i < r->n; i++)
		byid[i] = &r->e[i];
	qsort(byid, r->n, sizeof(*byid), by_id);
	for (k = 0; k < nv; k++) {
		struct store_entry key = { .id = v[k].run_id }, *pk = &key, **hit;

		hit = bsearch(&pk, byid, r->n, sizeof(*byid), by_id);
		if (hit) /* else a run outside DIR */
			rv[m++] =
			    (struct run_value){ .run = (size_t)(*hit - r->e), .k = k, .v = &v[k] };
	}
	qsort(rv, m, sizeof(*rv), by_run);
	snprintf(step, sizeof(step), "the step at %ld CPUs", h->ncpus);
	for (k = 0; k < m;) {
		size_t run = rv[k].run;
		struct point pt = { 0 };
		bool broken = false;

		for (; k < m && rv[k].run == run; k++)
			point_value(h, &pt, &broken, rv[k].v->value, rv[k].v->higher_better,
				    rs_number_problem(rv[k].v->value, rv[k].v->higher_better),
				    r->paths[run], step);
		pt.disturbed =
		    ndist && bsearch(&r->e[run].id, dist, ndist, sizeof(*dist), by_value);
		point_keep(h, &pt, broken, r->e[run].date, r->e[run].label, r->paths[run]);
	}
	free(rv);
	free(byid);
}

static int history_from_store(struct history *h, const char *where, const char *target)
{
	struct store_runs r = { 0 };
	struct store_value *v = NULL;
	long long *dist = NULL;
	size_t nv = 0, ndist = 0;
	int ret = store_runs_open(&r, where, target, h->bench);

	if (!ret) {
		h->files = (unsigned)r.n;
		ret = choose_from_store(h, &r);
	}
	if (!ret && r.n && chosen(h))
		ret = store_values(r.s, &r.sel, h->bench, h->metric, h->ncpus, h->variant, &v, &nv);
	if (!ret && nv)
		ret = store_disturbed_runs(r.s, &r.sel, h->bench, h->ncpus, h->variant, &dist,
					   &ndist);
	if (!ret) {
		if (ndist)
			qsort(dist, ndist, sizeof(*dist), by_value);
		points_from_values(h, &r, v, nv, dist, ndist);
	}
	free(dist);
	free(v);
	store_runs_close(&r);
	return ret ? ret : history_finish(h, where);
}

/* The benchmark names of a store's runs: each document read (report --history). */
static int benches_from_store(const char *where, const char *target, struct bench_names *b)
{
	struct store_runs r = { 0 };
	int ret = store_runs_open(&r, where, target, NULL);

	for (size_t i = 0; !ret && i < r.n; i++) {
		json_t *doc = store_run_doc(&r, i);

		if (!doc)
			ret = FB_USAGE;
		add_bench_name(b, rs_doc_name(doc));
		json_decref(doc);
	}
	store_runs_close(&r);
	return ret;
}

int history_load(struct history *h, const char *where, const char *store)
{
	int ret;

	if (store || store_is_selector(where))
		return history_from_store(h, where, store);
	ret = rs_walk(where, true, visit, h);
	return ret ? ret : history_finish(h, where);
}

int history_benches(const char *where, const char *store, char ***names, unsigned *n)
{
	struct bench_names b = { 0 };
	int ret;

	if (store || store_is_selector(where)) {
		ret = benches_from_store(where, store, &b);
	} else {
		ret = rs_walk(where, true, collect_bench, &b);
		warn_skipped(b.skipped, where);
	}
	*names = b.names;
	*n = b.n;
	return ret;
}
