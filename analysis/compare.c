// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison table: mmtests' compare-kernels layout (what mm developers
 * already read in changelogs), LKP's "base ±%stddev %change new" view,
 * markdown and JSON, all from one table of per-repeat values.
 *
 * Statistics follow mmtests: rates (higher is better) are summarised with the
 * harmonic mean, times with the arithmetic mean, and every percentage is
 * "positive means better".  A significance mark is a claim about a kernel:
 * it must survive when both sides are run again tomorrow.  So the test is on
 * per-run values against run-to-run noise (compare.h), the stars of one
 * column are a Benjamini-Hochberg family (many rows, few false ones), and
 * every tested row also says how large a change it could have detected.  When
 * no test can run there is no mark, and the output says once why and what
 * would make one possible: silently starring everything, as mmtests does
 * without its R backend, would be worse than no test at all.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "csv.h"
#include "jsonfile.h"
#include "labels.h"
#include "opt.h"
#include "paired.h"
#include "profile_cmp.h"
#include "rerun.h"
#include "stats.h"
#include "util.h"
#include "validity.h"

/* ---- building the table ---------------------------------------------------- */

struct build {
	struct cmp_table *t;
	const struct cmp_opts *o;
	/* per group: metric and variant names in order of first appearance, for sorting */
	char ***morder, ***vorder;
	unsigned *nm, *nv;
	bool *warned_missing;
	unsigned *next_run; /* per column: run numbers handed out */
};

static unsigned name_index(char ***list, unsigned *n, const char *name)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i], name))
			return i;
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrdup(name);
	return i;
}

static struct cmp_group *find_group(struct cmp_table *t, const char *name)
{
	unsigned g;

	for (g = 0; g < t->ngroups; g++)
		if (!strcmp(t->groups[g].name, name))
			return &t->groups[g];
	return NULL;
}

static struct cmp_group *add_group(struct build *b, json_t *doc)
{
	struct cmp_table *t = b->t;
	struct cmp_group *g;
	unsigned i = t->ngroups++;

	t->groups = xrealloc(t->groups, t->ngroups * sizeof(*t->groups));
	b->morder = xrealloc(b->morder, t->ngroups * sizeof(*b->morder));
	b->vorder = xrealloc(b->vorder, t->ngroups * sizeof(*b->vorder));
	b->nm = xrealloc(b->nm, t->ngroups * sizeof(*b->nm));
	b->nv = xrealloc(b->nv, t->ngroups * sizeof(*b->nv));
	b->morder[i] = b->vorder[i] = NULL;
	b->nm[i] = b->nv[i] = 0;
	g = &t->groups[i];
	memset(g, 0, sizeof(*g));
	g->name = xstrdup(rs_doc_name(doc));
	g->bench = xstrdup(json_string_value(json_object_get(doc, "bench")));
	g->docs = xcalloc(t->ncols, sizeof(*g->docs));
	/* the document outlives the table: its strings can be borrowed */
	g->ratio_metric = json_string_value(json_object_get(doc, "ratio_metric"));
	return g;
}

/*
 * A matrix option (dio's buffer=thp,4k) may differ: its variants are matched
 * by name.  The result says which options are matrix options; files written
 * before it did are read by what the steps show, never by asking the
 * benchmark code built into this binary, which may be another version.
 */
static bool is_matrix_option(json_t *doc, const char *key)
{
	json_t *e;
	size_t i;

	json_array_foreach (json_object_get(doc, "matrix_options"), i, e)
		if (json_is_string(e) && !strcmp(json_string_value(e), key))
			return true;
	return false;
}

/* The first key whose value differs between two objects (either may be NULL), or NULL. */
static const char *first_difference(json_t *a, json_t *b, json_t *docs[2], const char *const *only)
{
	const char *key;
	json_t *v;
	unsigned i;

	if (only) {
		for (i = 0; only[i]; i++)
			if (!json_equal(json_object_get(a, only[i]), json_object_get(b, only[i])) &&
			    (json_object_get(a, only[i]) || json_object_get(b, only[i])))
				return only[i];
		return NULL;
	}
	json_object_foreach (a, key, v)
		if (!json_equal(v, json_object_get(b, key)) && !is_matrix_option(docs[0], key) &&
		    !is_matrix_option(docs[1], key))
			return key;
	json_object_foreach (b, key, v)
		if (!json_object_get(a, key) && !is_matrix_option(docs[1], key))
			return key;
	return NULL;
}

static char *json_short(json_t *v)
{
	char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	return s ? s : xstrdup("(unset)");
}

/* Run options that change what is measured: a difference refuses the comparison. */
static const char *const run_keys_refuse[] = { "mode", "placement", "mem", "oversubscribe", NULL };
/* Run options that change only the precision: warn. */
static const char *const run_keys_warn[] = { "samples", "sample-time", "warmup", NULL };

static int refuse_params(const char *what, const char *key, json_t *a, json_t *b, const char *name,
			 const char *la, const char *lb)
{
	char *va = json_short(json_object_get(a, key)), *vb = json_short(json_object_get(b, key));
	int ret = fb_usage("cannot compare %s: %s '%s' differs (%s in %s, %s in %s)", name, what,
			   key, va, la, vb, lb);

	free(va);
	free(vb);
	return ret;
}

/* --counters of a run; results made before the option had only full's counters. */
static const char *perf_counters(json_t *run)
{
	json_t *v = json_object_get(run, "counters");

	return json_is_string(v) ? json_string_value(v) : "full";
}

static int check_params(json_t *base, json_t *doc, const char *name, const char *la, const char *lb,
			bool quiet)
{
	json_t *docs[2] = { base, doc };
	json_t *pa = json_object_get(base, "params"), *pb = json_object_get(doc, "params");
	json_t *ra = json_object_get(base, "run"), *rb = json_object_get(doc, "run");
	const char *key;

	key = first_difference(pa, pb, docs, NULL);
	if (key)
		return refuse_params("parameter", key, pa, pb, name, la, lb);
	key = first_difference(ra, rb, docs, run_keys_refuse);
	if (key)
		return refuse_params("run option", key, ra, rb, name, la, lb);
	key = first_difference(ra, rb, docs, run_keys_warn);
	if (key && !quiet)
		fb_warn("%s: run option '%s' differs between %s and %s: the precision differs",
			name, key, la, lb);
	if (!quiet && strcmp(perf_counters(ra), perf_counters(rb)))
		fb_warn("%s: run option 'counters' differs (%s in %s, %s in %s): full's perf "
			"page-fault events cost a one-page fault 2-3%% (docs/selftest.md)",
			name, perf_counters(ra), la, perf_counters(rb), lb);
	return FB_OK;
}

/* Machine settings that change page-fault figures more than most patches do. */
static const char *const system_keys[] = { "hostname",		 "cpu_model",
					   "topology",		 "thp",
					   "fault_around_bytes", "numa_balancing",
					   "cpufreq_governors",	 NULL };

static void warn_system(json_t *base, json_t *doc, const char *la, const char *lb)
{
	json_t *sa = json_object_get(base, "system"), *sb = json_object_get(doc, "system");
	const char *key = first_difference(sa, sb, NULL, system_keys);

	static const char *const topology[] = { "topology", NULL };

	/* the full topology (caches, distances) beside system's one-line summary */
	if (!key)
		key = first_difference(base, doc, NULL, topology);
	if (key)
		fb_warn("the machines differ: system '%s' of %s is not that of %s; the comparison "
			"may show the machine, not the change",
			key, lb, la);
}

static bool wanted_metric(const struct cmp_opts *o, json_t *doc, const char *name)
{
	unsigned i;

	if (o && o->metrics) {
		for (i = 0; i < o->nmetrics; i++)
			if (!strcmp(o->metrics[i], name))
				return true;
		return false;
	}
	if (o && o->all)
		return true;
	{
		json_t *extra;
		size_t k;

		/* The benchmark's own table shape (kernbench: elapsed, user, system, cpu%). */
		json_array_foreach (json_object_get(doc, "table_metrics"), k, extra)
			if (json_is_string(extra) && !strcmp(json_string_value(extra), name))
				return true;
	}
	{
		const char *p = cmp_primary_metric(doc);

		if (p && !strcmp(p, name))
			return true;
	}
	return !(o && o->primary_only) && cmp_is_evidence(name);
}

bool cmp_is_evidence(const char *metric)
{
	return strstr(metric, "/1000") != NULL;
}

static struct cmp_row *find_row(struct cmp_group *g, const char *metric, const char *variant,
				unsigned ncpus)
{
	unsigned i;

	for (i = 0; i < g->nrows; i++)
		if (g->rows[i].ncpus == ncpus && !strcmp(g->rows[i].metric, metric) &&
		    !strcmp(g->rows[i].variant, variant))
			return &g->rows[i];
	return NULL;
}

static void cell_add(struct cmp_cell *c, double v, unsigned run)
{
	c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
	c->run = xrealloc(c->run, (c->n + 1) * sizeof(*c->run));
	c->run[c->n] = run;
	c->v[c->n++] = v;
}

/*
 * A step contributes its value, or, where each sample is an independent run
 * (kernbench's clean builds), every sample: those are replicates too.
 */
static void add_values(struct cmp_cell *c, json_t *m, json_t *val, bool replicate_samples,
		       unsigned run)
{
	json_t *s;
	size_t k;
	unsigned added = 0;

	if (replicate_samples)
		json_array_foreach (json_object_get(m, "samples"), k, s)
			if (json_is_number(s) && isfinite(json_number_value(s))) {
				cell_add(c, json_number_value(s), run);
				added++;
			}
	if (!added)
		cell_add(c, json_number_value(val), run);
}

/* A row (metric, variant, CPU count) of one run left out for a value no measurement gives. */
struct broken_key {
	const char *metric; /* NULL: every metric of the step (its headline is broken) */
	const char *variant;
	long long ncpus;
	const char *why; /* what is wrong with the value */
};

/* Why this row of the run is left out, or NULL. */
static const char *is_broken(const struct broken_key *k, unsigned n, const char *metric,
			     const char *variant, long long ncpus)
{
	for (unsigned i = 0; i < n; i++)
		if (k[i].ncpus == ncpus && !strcmp(k[i].variant, variant) &&
		    (!k[i].metric || !strcmp(k[i].metric, metric)))
			return k[i].why;
	return NULL;
}

/*
 * The rows of this run that hold an impossible value in some repeat: the run
 * is left out of each (a run's value is the mean of its repeats, and a mean
 * over a repeat that counted nothing is no measurement of the kernel).  A
 * step that did not complete is left out by itself, as before.  One message
 * per step, naming the file, the step and what is wrong.
 */
static struct broken_key *find_broken(struct build *b, json_t *doc, const char *path, bool samples,
				      unsigned *nkeys)
{
	const char *primary = cmp_primary_metric(doc), *mname;
	struct broken_key *k = NULL;
	json_t *step, *m;
	size_t i;

	*nkeys = 0;
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		const char *variant = json_string_value(json_object_get(step, "variant"));
		const char *first = NULL, *why = NULL;
		bool whole = false;
		unsigned nbad = 0;

		if (json_is_false(json_object_get(step, "complete")))
			continue;
		json_object_foreach (json_object_get(step, "metrics"), mname, m) {
			const char *w;

			if (!wanted_metric(b->o, doc, mname) ||
			    !(w = rs_metric_problem(m, samples)))
				continue;
			if (!first) {
				first = mname;
				why = w;
			}
			whole |= primary && !strcmp(mname, primary);
			nbad++;
			k = xrealloc(k, (*nkeys + 1) * sizeof(*k));
			k[*nkeys] = (struct broken_key){ .metric = mname,
							 .variant = variant ? variant : "",
							 .ncpus = json_integer_value(
							     json_object_get(step, "ncpus")),
							 .why = w };
			(*nkeys)++;
		}
		if (whole) {
			k = xrealloc(k, (*nkeys + 1) * sizeof(*k));
			k[*nkeys] = (struct broken_key){
				.metric = NULL,
				.variant = variant ? variant : "",
				.ncpus = json_integer_value(json_object_get(step, "ncpus")),
				.why = "left out with its step, whose headline is broken"
			};
			(*nkeys)++;
		}
		if (first) {
			char name[200];

			rs_step_name(doc, step, name, sizeof(name));
			fb_warn("%s: %s: %s is %s%s; this run is left out of %s at this step", path,
				name, first, why, nbad > 1 ? " (and other metrics)" : "",
				whole ? "every metric" : "that metric");
		}
	}
	return k;
}

static void add_steps(struct build *b, struct cmp_group *g, unsigned gi, unsigned col, json_t *doc,
		      const char *path, unsigned run)
{
	bool replicate_samples = json_is_true(json_object_get(doc, "samples_are_replicates"));
	json_t *step, *m;
	const char *mname;
	size_t i;
	unsigned nbroken;
	struct broken_key *broken = find_broken(b, doc, path, replicate_samples, &nbroken);

	b->t->broken += nbroken > 0; /* runs with a value left out */

	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		const char *variant = json_string_value(json_object_get(step, "variant"));
		json_t *nc = json_object_get(step, "ncpus");
		bool disturbed = rs_step_disturbed(step);

		/* An interrupted step measured less than asked for: never mix it in. */
		if (json_is_false(json_object_get(step, "complete")) || !json_is_integer(nc) ||
		    json_integer_value(nc) < 0 || json_integer_value(nc) > UINT32_MAX)
			continue;
		/* a noise model is the machine undisturbed: a disturbed step says nothing of it */
		if (disturbed && b->o && b->o->skip_disturbed)
			continue;
		if (!variant)
			variant = "";
		json_object_foreach (json_object_get(step, "metrics"), mname, m) {
			json_t *val = json_object_get(m, "value");
			struct cmp_row *r;
			const char *bad =
			    is_broken(broken, nbroken, mname, variant, json_integer_value(nc));

			if (!wanted_metric(b->o, doc, mname) ||
			    (!bad && (!json_is_number(val) || !isfinite(json_number_value(val)))))
				continue;
			r = find_row(g, mname, variant, (unsigned)json_integer_value(nc));
			if (!r) {
				g->rows = xrealloc(g->rows, (g->nrows + 1) * sizeof(*g->rows));
				r = &g->rows[g->nrows++];
				memset(r, 0, sizeof(*r));
				r->metric = xstrdup(mname);
				r->variant = xstrdup(variant);
				r->ncpus = (unsigned)json_integer_value(nc);
				/* null: neither (pages/fault), summarised as a rate */
				r->neither = json_is_null(json_object_get(m, "higher_better"));
				r->higher_better =
				    r->neither || json_is_true(json_object_get(m, "higher_better"));
				r->cells = xcalloc(b->t->ncols, sizeof(*r->cells));
				r->verdicts = xcalloc(b->t->ncols, sizeof(*r->verdicts));
				r->tested_metric = !cmp_is_evidence(mname);
				name_index(&b->morder[gi], &b->nm[gi], mname);
				name_index(&b->vorder[gi], &b->nv[gi], variant);
			}
			if (bad) {
				struct cmp_cell *c = &r->cells[col];

				/* counted once per run, at its first repeat */
				if (c->last_broken_run != run + 1) {
					c->broken++;
					c->last_broken_run = run + 1;
				}
				if (!c->broken_path) {
					c->broken_path = path;
					c->broken_why = bad;
				}
				continue;
			}
			if (disturbed) {
				struct cmp_cell *c = &r->cells[col];

				if (c->last_disturbed_run != run + 1) {
					c->disturbed++;
					c->last_disturbed_run = run + 1;
				}
				if (!c->disturbed_path)
					c->disturbed_path = path;
			}
			add_values(&r->cells[col], m, val, replicate_samples, run);
		}
	}
	free(broken);
}

static struct build *sort_ctx;
static unsigned sort_group;

static int row_order(const void *pa, const void *pb)
{
	const struct cmp_row *a = pa, *b = pb;
	struct build *s = sort_ctx;
	unsigned g = sort_group;
	unsigned ma = name_index(&s->morder[g], &s->nm[g], a->metric);
	unsigned mb = name_index(&s->morder[g], &s->nm[g], b->metric);
	unsigned va = name_index(&s->vorder[g], &s->nv[g], a->variant);
	unsigned vb = name_index(&s->vorder[g], &s->nv[g], b->variant);

	if (ma != mb)
		return ma < mb ? -1 : 1;
	if (va != vb)
		return va < vb ? -1 : 1;
	return a->ncpus < b->ncpus ? -1 : a->ncpus > b->ncpus;
}

static void free_build(struct build *b)
{
	unsigned g, i;

	for (g = 0; g < b->t->ngroups; g++) {
		for (i = 0; i < b->nm[g]; i++)
			free(b->morder[g][i]);
		for (i = 0; i < b->nv[g]; i++)
			free(b->vorder[g][i]);
		free(b->morder[g]);
		free(b->vorder[g]);
	}
	free(b->morder);
	free(b->vorder);
	free(b->nm);
	free(b->nv);
	free(b->next_run);
}

static int add_doc(struct build *b, unsigned col, json_t *doc, const char *path)
{
	struct cmp_table *t = b->t;
	struct cmp_group *g = find_group(t, rs_doc_name(doc));
	int ret;

	if (!g) {
		if (col > 0) {
			if (!b->o || !b->o->quiet)
				fb_warn("%s: '%s' has no baseline in %s; left out", path,
					rs_doc_name(doc), t->labels[0]);
			return FB_OK;
		}
		g = add_group(b, doc);
	}
	if (g->docs[col]) {
		/* Several files of one benchmark in one RUN are more repeats of it. */
		ret = check_params(g->docs[col], doc, g->name, path, t->labels[col], true);
		if (ret)
			return ret;
	} else {
		g->docs[col] = doc;
		if (col > 0) {
			ret = check_params(g->docs[0], doc, g->name, t->labels[0], t->labels[col],
					   b->o && b->o->quiet);
			if (ret)
				return ret;
			if (!b->o || !b->o->quiet)
				warn_system(g->docs[0], doc, t->labels[0], t->labels[col]);
		}
	}
	/* one result file is one run: the replicate of every test */
	add_steps(b, g, (unsigned)(g - t->groups), col, doc, path, b->next_run[col]++);
	return FB_OK;
}

int cmp_build(struct resultset *runs, unsigned nruns, const struct cmp_opts *o, struct cmp_table *t)
{
	struct build b = { .t = t, .o = o };
	unsigned c, i, g;
	int ret = FB_OK;

	memset(t, 0, sizeof(*t));
	b.next_run = xcalloc(nruns, sizeof(*b.next_run));
	t->ncols = nruns;
	t->labels = xcalloc(nruns, sizeof(*t->labels));
	for (c = 0; c < nruns; c++)
		t->labels[c] = xstrdup(fb_esc(runs[c].label)); /* a directory's name, too */
	{
		json_t **first = xcalloc(nruns, sizeof(*first));

		for (c = 0; c < nruns; c++)
			first[c] = runs[c].n ? runs[c].docs[0] : NULL;
		/* two machines' lab-3 are two columns: never one header twice */
		labels_make_distinct(t->labels, first, nruns);
		free(first);
	}
	for (c = 0; c < nruns && !ret; c++)
		for (i = 0; i < runs[c].n && !ret; i++)
			ret = add_doc(&b, c, runs[c].docs[i], runs[c].paths[i]);
	for (g = 0; g < t->ngroups && !ret; g++) {
		sort_ctx = &b;
		sort_group = g;
		if (t->groups[g].nrows)
			qsort(t->groups[g].rows, t->groups[g].nrows, sizeof(struct cmp_row),
			      row_order);
		for (c = 1; c < nruns; c++)
			if (!t->groups[g].docs[c] && (!o || !o->quiet))
				fb_warn("%s has no '%s' results", t->labels[c], t->groups[g].name);
	}
	free_build(&b);
	for (c = 1; c < nruns && !ret; c++) {
		bool any = false;

		for (g = 0; g < t->ngroups; g++)
			any |= t->groups[g].docs[c] != NULL;
		/* a column of nothing but dashes is a mistake in the command, not a result */
		if (!any)
			ret = fb_usage("%s has no benchmark in common with the baseline %s",
				       t->labels[c], t->labels[0]);
	}
	if (!ret)
		cmp_analyse(t, o);
	return ret;
}

void cmp_free(struct cmp_table *t)
{
	unsigned g, r, c;

	for (g = 0; g < t->ngroups; g++) {
		struct cmp_group *gr = &t->groups[g];

		for (r = 0; r < gr->nrows; r++) {
			for (c = 0; c < t->ncols; c++) {
				free(gr->rows[r].cells[c].v);
				free(gr->rows[r].cells[c].run);
			}
			free(gr->rows[r].cells);
			free(gr->rows[r].verdicts);
			free(gr->rows[r].metric);
			free(gr->rows[r].variant);
		}
		free(gr->rows);
		free(gr->docs);
		free(gr->name);
		free(gr->bench);
	}
	free(t->groups);
	for (c = 0; c < t->ncols; c++)
		free(t->labels[c]);
	free(t->labels);
	free(t->family);
	free(t->models_used);
	json_decref(t->paired);
	memset(t, 0, sizeof(*t));
}

int cmp_parse_percent(const char *opt, const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || (*end && strcmp(end, "%")) || !(v >= 0))
		return fb_usage("option '--%s': '%s' is not a percentage (e.g. 2%%)", opt, s);
	/* changes are shares of the baseline on a log scale: no run loses more than all of it */
	if (v >= 100)
		return fb_usage("option '--%s': '%s' is not a percentage below 100%%: a change is "
				"a share of the baseline, and a run falls by less than all of it "
				"(half the speed or twice the time is 50%%, a tenth 90%%)",
				opt, s);
	*out = v;
	return FB_OK;
}

const char *cmp_primary_metric(json_t *doc)
{
	json_t *step = json_array_get(json_object_get(doc, "steps"), 0);
	json_t *metrics = json_object_get(step, "metrics");
	const char *c0 = json_string_value(json_array_get(json_object_get(step, "counters"), 0));
	const char *headline = json_string_value(json_object_get(doc, "headline_metric"));
	void *it;

	/* The benchmark names its headline (kernbench: elapsed); older files do not. */
	if (headline && (it = json_object_iter_at(metrics, headline)))
		return json_object_iter_key(it);
	if (c0) {
		char name[80];

		snprintf(name, sizeof(name), "%s/s", c0);
		it = json_object_iter_at(metrics, name);
		if (it)
			return json_object_iter_key(it);
	}
	it = json_object_iter(metrics);
	return it ? json_object_iter_key(it) : NULL;
}

/* ---- statistics ------------------------------------------------------------ */

void cmp_cell_stats(const struct cmp_cell *c, bool hb, struct cmp_stats *s)
{
	s->n = c->n;
	s->min = stats_min(c->v, c->n);
	s->max = stats_max(c->v, c->n);
	s->mean = hb ? stats_hmean(c->v, c->n) : stats_mean(c->v, c->n);
	/* A rate of 0 (a stalled repeat) is data: the harmonic mean's limit is 0. */
	if (hb && isnan(s->mean) && c->n && s->min == 0)
		s->mean = 0;
	s->stddev = stats_stddev(c->v, c->n);
	s->cov = 100 * stats_cov(c->v, c->n);
	s->bmean = hb ? stats_best_hmean(c->v, c->n, 95, hb) : stats_best_amean(c->v, c->n, 95, hb);
}

bool cmp_testable(const struct cmp_row *r, unsigned col)
{
	return col > 0 && r->verdicts[col].tested;
}

bool cmp_significant(const struct cmp_row *r, unsigned col, double *p)
{
	if (p)
		*p = NAN;
	if (!cmp_testable(r, col))
		return false;
	if (p)
		*p = r->verdicts[col].q;
	return r->verdicts[col].significant;
}

void cmp_row_name(const struct cmp_row *r, char *buf, size_t len)
{
	const char *eq = strchr(r->variant, '=');
	const char *v = eq ? eq + 1 : r->variant;

	/* names from result files: printable for the terminal, whatever they hold */
	if (*v)
		snprintf(buf, len, "%s:%s-%u", fb_esc(v), fb_esc(r->metric), r->ncpus);
	else
		snprintf(buf, len, "%s-%u", fb_esc(r->metric), r->ncpus);
}

/* ---- output ---------------------------------------------------------------- */

/* A markdown cell from a string of a result file: '|', newlines or HTML cannot break the table. */
static void md_cell(FILE *f, const char *s)
{
	char *e = fb_md_escape(s);

	fprintf(f, " %s |", e);
	free(e);
}

const char *cmp_stat_name(enum cmp_stat_kind k, bool hb)
{
	static const char *const names[] = { "Min", NULL, "Stddev", "CoeffVar", "Max", NULL };

	if (k == CMP_ST_MEAN)
		return hb ? "Hmean" : "Amean";
	if (k == CMP_ST_BMEAN)
		return hb ? "BHmean-95" : "BAmean-95";
	return names[k];
}

double cmp_stat_value(const struct cmp_stats *s, enum cmp_stat_kind k)
{
	const double v[] = { s->min, s->mean, s->stddev, s->cov, s->max, s->bmean };

	return s->n ? v[k] : NAN;
}

double cmp_stat_pdiff(double base, double v, enum cmp_stat_kind k, bool hb)
{
	if (k == CMP_ST_STDDEV || k == CMP_ST_COV)
		hb = false;
	if (base == 0 && v == 0)
		return 0;
	return 100 * stats_pdiff(base, v, hb);
}

static void fmt_value(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e15)
		snprintf(buf, len, "%.6e", v); /* no 300-digit columns from a bogus value */
	else
		snprintf(buf, len, "%.2f", v);
}

struct out {
	bool untested; /* a row of the tested family had no test somewhere */
	char untested_example[160];
	char more_runs[2][1024]; /* the commands that would give a verdict: baseline, column */
};

static void note_untestable(struct out *out, const struct cmp_group *g, const struct cmp_row *r,
			    unsigned col)
{
	char name[128];

	if (out->untested || !r->tested_metric)
		return;
	out->untested = true;
	cmp_row_name(r, name, sizeof(name));
	snprintf(out->untested_example, sizeof(out->untested_example), "%s %s: %u vs %u run%s",
		 fb_esc(g->name), name, r->verdicts[col].runs_a, r->verdicts[col].runs_b,
		 r->verdicts[col].runs_b == 1 ? "" : "s");
	if (r->verdicts[col].runs_a < 3 && g->docs[0])
		rerun_command(g->docs[0], 3 - r->verdicts[col].runs_a, out->more_runs[0],
			      sizeof(out->more_runs[0]));
	if (r->verdicts[col].runs_b < 3 && g->docs[col])
		rerun_command(g->docs[col], 3 - r->verdicts[col].runs_b, out->more_runs[1],
			      sizeof(out->more_runs[1]));
}

static const char *source_name(enum cmp_var_source s)
{
	static const char *const names[] = { "none", "the runs", "the noise model",
					     "the runs and the noise model" };

	return names[s];
}

/* The range of runs a side the tested rows need for the target; 0 max: over the limit. */
static void runs_range(const struct cmp_table *t, unsigned *lo, unsigned *hi, bool *over,
		       char *lo_row, char *hi_row, size_t len)
{
	*lo = *hi = 0;
	*over = false;
	for (unsigned c = 1; c < t->ncols; c++)
		for (unsigned g = 0; g < t->ngroups; g++)
			for (unsigned r = 0; r < t->groups[g].nrows; r++) {
				const struct cmp_row *row = &t->groups[g].rows[r];
				const struct cmp_verdict *v = &row->verdicts[c];
				char name[128];

				if (!row->tested_metric || !v->tested)
					continue;
				cmp_row_name(row, name, sizeof(name));
				if (!v->runs_needed) {
					*over = true;
					snprintf(hi_row, len, "%s %s", fb_esc(t->groups[g].name),
						 name);
					continue;
				}
				if (!*lo || v->runs_needed < *lo) {
					*lo = v->runs_needed;
					snprintf(lo_row, len, "%s %s", fb_esc(t->groups[g].name),
						 name);
				}
				if (v->runs_needed > *hi && !*over) {
					*hi = v->runs_needed;
					snprintf(hi_row, len, "%s %s", fb_esc(t->groups[g].name),
						 name);
				}
			}
}

/* A tested verdict, and whether every tested row took its variance from the same source. */
static const struct cmp_verdict *any_tested(const struct cmp_table *t, bool *one_source)
{
	const struct cmp_verdict *first = NULL;

	*one_source = true;
	for (unsigned c = 1; c < t->ncols; c++)
		for (unsigned g = 0; g < t->ngroups; g++)
			for (unsigned r = 0; r < t->groups[g].nrows; r++) {
				const struct cmp_verdict *v = &t->groups[g].rows[r].verdicts[c];

				if (!t->groups[g].rows[r].tested_metric || !v->tested)
					continue;
				if (!first)
					first = v;
				else if (v->source != first->source)
					*one_source = false;
			}
	return first;
}

/*
 * A name, path or model field in a note: printable, and under markdown
 * ("Note: " lines) escaped as well, so '|', '<b>' or '*' print as typed.
 */
static const char *note_text(const char *s, bool md)
{
	static char ring[6][1024];
	static unsigned next;
	char *e;

	if (!md)
		return fb_esc(s);
	e = fb_md_escape(fb_esc(s));
	snprintf(ring[next % 6], sizeof(ring[0]), "%s", e);
	free(e);
	return ring[next++ % 6];
}

/* The first row a model was given for but not used, and why: false when none. */
static bool model_unused_reason(const struct cmp_table *t, char *buf, size_t len)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++) {
			const struct cmp_row *row = &t->groups[g].rows[r];

			if (!row->tested_metric)
				continue;
			if (noise_why_unmatched(t->noise, t->groups[g].docs[0], t->groups[g].name,
						row->variant, row->ncpus, row->metric, buf, len))
				return true;
		}
	return false;
}

void cmp_print_model(FILE *f, const struct noise_model *m, const char *prefix)
{
	json_t *c = m->conditions;
	json_t *intf = json_object_get(c, "interference");

	fprintf(f, "%snoise model: %s (%s, kernel %s, %s", prefix, note_text(m->path, *prefix),
		note_text(m->hostname, *prefix), note_text(m->kernel, *prefix),
		note_text(m->date, *prefix));
	if (m->runs)
		fprintf(f, "; %u runs, df %u", m->runs, m->runs - 1);
	if (json_is_number(json_object_get(c, "loadavg")))
		fprintf(f, "; load %.2f", json_number_value(json_object_get(c, "loadavg")));
	if (json_is_integer(json_object_get(intf, "runs_disturbed")))
		fprintf(f, "; %lld disturbed runs left out",
			(long long)json_integer_value(json_object_get(intf, "runs_disturbed")));
	else if (c)
		fprintf(f, "; interference unknown");
	fprintf(f, ")\n");
}

void cmp_fmt_detect(char *buf, size_t len, double pct)
{
	if (isnan(pct))
		snprintf(buf, len, "-");
	else if (pct > CMP_DETECT_CAP)
		snprintf(buf, len, ">%.0f%%", CMP_DETECT_CAP);
	else
		snprintf(buf, len, "+-%.2f%%", pct);
}

/*
 * The first cell with a run left out for an impossible value (broken) or
 * measured disturbed, and where it stands.
 */
static const struct cmp_cell *first_cell_with(const struct cmp_table *t, bool broken,
					      const struct cmp_group **gp,
					      const struct cmp_row **rp)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++)
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct cmp_cell *cell = &t->groups[g].rows[r].cells[c];

				if (broken ? cell->broken : cell->disturbed) {
					*gp = &t->groups[g];
					*rp = &t->groups[g].rows[r];
					return cell;
				}
			}
	return NULL;
}

/* Runs left out (impossible values), disturbed runs, rows not judged against the model. */
static void print_validity_notes(FILE *f, const struct cmp_table *t, const char *prefix)
{
	const struct cmp_group *g;
	const struct cmp_row *r;
	const struct cmp_cell *c = first_cell_with(t, true, &g, &r);
	char name[160]; /* paths may come from a store: never raw to a terminal (note_text) */

	if (c) {
		cmp_row_name(r, name, sizeof(name));
		fprintf(f,
			"%sleft out: %u run%s held a value no measurement gives (zero, negative, "
			"NaN or infinite; e.g. %s %s in %s: %s), each from the rows where it did: "
			"never averaged, starred or put in a noise model\n",
			prefix, t->broken, t->broken == 1 ? "" : "s", note_text(g->name, *prefix),
			note_text(name, *prefix), note_text(c->broken_path, *prefix),
			note_text(c->broken_why, *prefix));
	}
	c = first_cell_with(t, false, &g, &r);
	if (c)
		fprintf(f,
			"%sdisturbed: %u cell%s hold runs measured while other work took CPU time "
			"from them (Runs \"3 (1 dist)\"; e.g. %s): judged on the runs alone, never "
			"against a noise model\n",
			prefix, t->disturbed, t->disturbed == 1 ? "" : "s",
			note_text(c->disturbed_path, *prefix));
	if (t->skipped_disturbed)
		fprintf(f,
			"%s%u row%s not judged against the noise model: a run was disturbed "
			"(e.g. %s)\n",
			prefix, t->skipped_disturbed, t->skipped_disturbed == 1 ? "" : "s",
			note_text(t->skipped_disturbed_run, *prefix));
	if (t->skipped_spread)
		fprintf(f,
			"%s%u row%s not judged against the noise model: the spread of the repeats "
			"inside the runs is far beyond the model's (over %.0fx its variance; e.g. "
			"%s): other conditions than the model's\n",
			prefix, t->skipped_spread, t->skipped_spread == 1 ? "" : "s", 4.0,
			note_text(t->skipped_spread_run, *prefix));
}

/* Say once how the stars were decided, what Detect means, and what is missing. */
static void print_verdict_notes(FILE *f, const struct cmp_table *t, const struct out *out,
				const char *prefix)
{
	bool one_source;
	const struct cmp_verdict *v = any_tested(t, &one_source);
	char lo_row[200] = "", hi_row[200] = "";
	unsigned lo, hi, i;
	bool over;

	if (t->ncols < 2)
		return;
	if (v) {
		fprintf(
		    f,
		    "%sstars: t-test of the per-run values (a run is one result file; log scale "
		    "for rates), run-to-run variance from %s; Benjamini-Hochberg, false "
		    "discovery rate %.0f%% over the %u tested rows of %s\n",
		    prefix, source_name(v->source), 100 * CMP_ALPHA, t->family[1],
		    t->ncols > 2 ? "each column" : "the column");
		for (i = 0; i < t->nmodels_used; i++)
			cmp_print_model(f, t->models_used[i], prefix);
		if (t->model_min_runs && t->model_min_runs < CMP_MODEL_MIN_RUNS)
			fprintf(
			    f,
			    "%swarning: the noise model has only %u runs (df %u) behind some "
			    "step: its variance is rough and the stars and Detect with it; %d or "
			    "more runs are advised ('faultbench noise --runs 10')\n",
			    prefix, t->model_min_runs, t->model_min_runs - 1, CMP_MODEL_MIN_RUNS);
		runs_range(t, &lo, &hi, &over, lo_row, hi_row, sizeof(lo_row));
		fprintf(
		    f,
		    "%sDetect: the smallest change a row stars with %.0f%% power, with the runs "
		    "given; runs a side for %.2f%% (--detect): ",
		    prefix, 100 * CMP_POWER, t->detect_target);
		if (lo && (hi > lo || over))
			fprintf(f, "%u (%s) to %s%u (%s)\n", lo, note_text(lo_row, *prefix),
				over ? "over " : "", over ? 1000 : hi, note_text(hi_row, *prefix));
		else if (lo)
			fprintf(f, "%u\n", lo);
		else
			fprintf(f, "over 1000 (%s)\n", note_text(hi_row, *prefix));
	}
	if (t->nmodels_given && !t->nmodels_used) {
		char why[512];

		/* one that fits but was kept out (disturbed runs...) is said below */
		if (model_unused_reason(t, why, sizeof(why)))
			fprintf(f,
				"%snoise model not used: %s (a model is used only for the machine "
				"and the benchmark parameters it was measured with)\n",
				prefix, why);
	}
	print_validity_notes(f, t, prefix);
	if (t->disagreeing_rows)
		fprintf(f,
			"%s%u row%s: the runs vary significantly more than the noise model says "
			"(stale model or busier machine): tested on the runs alone\n",
			prefix, t->disagreeing_rows, t->disagreeing_rows == 1 ? "" : "s");
	if (t->exceeding_rows)
		fprintf(f,
			"%s%u row%s: the runs vary significantly less than the noise model says: "
			"the model's larger variance was pooled in\n",
			prefix, t->exceeding_rows, t->exceeding_rows == 1 ? "" : "s");
	if (out->untested) {
		fprintf(
		    f,
		    "%sno star where a row has no run-to-run information (e.g. %s): a star must "
		    "beat the difference between runs, not between repeats of one run; measure "
		    "this machine's once with 'faultbench noise configs/quick.ini', or give each "
		    "side 3 or more runs (result files of the benchmark in its RUN)",
		    prefix, note_text(out->untested_example, *prefix));
		if (*out->more_runs[0] || *out->more_runs[1])
			fprintf(f, "; for a verdict, run then compare again:");
		fprintf(f, "\n");
		for (int k = 0; k < 2; k++)
			if (*out->more_runs[k])
				fprintf(f, "%s  %s\n", prefix, fb_esc(out->more_runs[k]));
	}
}

/*
 * A header on two lines: a label told apart by its machine or kernel
 * ("lab-3@big1") above its '@', else cut at the dash nearest its middle, the
 * narrowest column (the whole label is the two lines read together).
 */
static unsigned label_split(const char *label, char *top, char *bottom, size_t len)
{
	const char *dash = strrchr(label, '@'), *mid = label + strlen(label) / 2;

	for (const char *p = label; *p && !strchr(label, '@'); p++)
		if (*p == '-' && p > label && p[1] && (!dash || labs(p - mid) < labs(dash - mid)))
			dash = p;

	if (dash) {
		snprintf(top, len, "%.*s", (int)(dash - label), label);
		snprintf(bottom, len, "%s", dash + (*dash == '-'));
	} else {
		top[0] = '\0';
		snprintf(bottom, len, "%s", label);
	}
	return (unsigned)(strlen(top) > strlen(bottom) ? strlen(top) : strlen(bottom));
}

/* The cell's "( 5.35%)" or, significant, "* 5.35%*": 11 characters. */
static void fmt_pct(char *buf, size_t len, double pct, bool star)
{
	if (isnan(pct))
		snprintf(buf, len, " (%8s)", "-");
	else if (fabs(pct) >= 1e5) /* no 150-digit percentage from a huge (if valid) value */
		snprintf(buf, len, star ? " *%.1e%%*" : " (%.1e%%)", pct);
	else if (star)
		snprintf(buf, len, " *%7.2f%%*", pct);
	else
		snprintf(buf, len, " (%7.2f%%)", pct);
}

/*
 * Per step profiled in every column: its top symbols side by side with the
 * change of the last against the first in percentage points, and their
 * heaviest call chains (analysis/profile_cmp.c).
 */
static void print_profile(FILE *f, const struct cmp_table *t, const struct cmp_group *g,
			  bool markdown)
{
	pcmp_print(f, g->docs, t->ncols, t->labels, markdown);
}

/* Widths of the row-name and value columns for a group. */
static void measure(const struct cmp_table *t, const struct cmp_group *g, unsigned *wname,
		    unsigned *wval)
{
	char buf[160];
	struct cmp_stats s;
	unsigned r, c, k;

	*wname = 8;
	*wval = 8;
	for (r = 0; r < g->nrows; r++) {
		cmp_row_name(&g->rows[r], buf, sizeof(buf));
		if (strlen(buf) > *wname)
			*wname = (unsigned)strlen(buf);
		for (c = 0; c < t->ncols; c++) {
			cmp_cell_stats(&g->rows[r].cells[c], g->rows[r].higher_better, &s);
			for (k = 0; k < CMP_ST_N; k++) {
				fmt_value(buf, sizeof(buf), cmp_stat_value(&s, k));
				if (strlen(buf) > *wval)
					*wval = (unsigned)strlen(buf);
			}
		}
	}
	for (c = 0; c < t->ncols; c++) {
		char top[128], bottom[128];
		unsigned w = label_split(t->labels[c], top, bottom, sizeof(top));

		if (w > *wval + 11)
			*wval = w - 11;
	}
}

static void print_cell(FILE *f, const struct cmp_group *g, const struct cmp_row *r, unsigned c,
		       enum cmp_stat_kind k, unsigned wval, bool markdown, struct out *out)
{
	struct cmp_stats base, s;
	char val[64], pct[64];
	bool star = false;
	double d;

	cmp_cell_stats(&r->cells[0], r->higher_better, &base);
	cmp_cell_stats(&r->cells[c], r->higher_better, &s);
	fmt_value(val, sizeof(val), cmp_stat_value(&s, k));
	d = c == 0 ? 0
		   : cmp_stat_pdiff(cmp_stat_value(&base, k), cmp_stat_value(&s, k), k,
				    r->higher_better);
	if (k == CMP_ST_MEAN && c > 0) {
		if (!cmp_testable(r, c) && r->cells[0].n && r->cells[c].n)
			note_untestable(out, g, r, c);
		star = cmp_significant(r, c, NULL);
	}
	if (!s.n)
		d = NAN;
	if (markdown) {
		if (isnan(d))
			fprintf(f, " %s |", val);
		else if (star)
			fprintf(f, " %s \\*%.2f%%\\* |", val, d);
		else
			fprintf(f, " %s (%.2f%%) |", val, d);
		return;
	}
	fmt_pct(pct, sizeof(pct), d, star);
	fprintf(f, "%*s%s", (int)wval + 1, val, pct);
}

void cmp_fmt_runs(const struct cmp_row *r, unsigned col, char *buf, size_t len)
{
	const struct cmp_cell *cell = &r->cells[col];
	double *tmp = xmalloc((cell->n + 1) * sizeof(*tmp));
	unsigned nr = cmp_cell_runs(cell, r->higher_better, tmp, NULL);

	free(tmp);
	/* "3 (1 dist)": one of the 3 runs was disturbed (the footer says what that means) */
	if (cell->disturbed)
		snprintf(buf, len, "%u (%u dist)", nr, cell->disturbed);
	else
		snprintf(buf, len, "%u", nr);
}

bool cmp_fmt_row_disturbed(const struct cmp_row *r, unsigned ncols, char *buf, size_t len)
{
	bool any = false;
	size_t used = 0;

	for (unsigned c = 0; c < ncols; c++)
		any |= r->cells[c].disturbed > 0;
	if (!any)
		return false;
	used = (size_t)snprintf(buf, len, "runs ");
	for (unsigned c = 0; c < ncols && used < len; c++) {
		char one[64];

		cmp_fmt_runs(r, c, one, sizeof(one));
		used += (size_t)snprintf(buf + used, len - used, "%s%s", c ? " vs " : "", one);
	}
	return true;
}

/*
 * After a tested metric's statistics: how many runs each column has (the
 * replicates of the test) and the smallest change each candidate row could
 * have starred, so that a missing star can be read.
 */
static void print_run_rows(FILE *f, const struct cmp_table *t, const struct cmp_group *g,
			   unsigned start, unsigned end, unsigned wname, unsigned wval,
			   bool markdown)
{
	char name[160], val[64];

	static const char *const kinds[] = { "Runs", "Detect", "Noise" };

	for (int kind = 0; kind < 3; kind++)
		for (unsigned i = start; i < end; i++) {
			const struct cmp_row *row = &g->rows[i];
			bool model = false;

			/* Noise: the model's run-to-run figure, the one 'noise' and history print
			 */
			for (unsigned c = 1; c < t->ncols; c++)
				model |= isfinite(row->verdicts[c].model_run_pct);
			if (kind == 2 && !model)
				continue;
			cmp_row_name(row, name, sizeof(name));
			if (markdown) {
				fprintf(f, "| %s |", kinds[kind]);
				md_cell(f, name);
			} else {
				fprintf(f, "%-9s %-*s", kinds[kind], (int)wname, name);
			}
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct cmp_verdict *v = &row->verdicts[c];

				if (kind == 0) {
					cmp_fmt_runs(row, c, val, sizeof(val));
				} else if (kind == 2 && c > 0 && isfinite(v->model_run_pct)) {
					snprintf(val, sizeof(val), "%.2f%%", v->model_run_pct);
				} else if (kind == 1 && c > 0 && v->tested) {
					cmp_fmt_detect(val, sizeof(val), v->detect_pct);
				} else {
					snprintf(val, sizeof(val), "-");
				}
				if (markdown)
					fprintf(f, " %s |", val);
				else /* no trailing blanks after the last column */
					fprintf(f, "%*s%*s", (int)wval + 1, val,
						c + 1 < t->ncols ? 11 : 0, "");
			}
			fprintf(f, "\n");
		}
}

static void print_group_text(FILE *f, const struct cmp_table *t, const struct cmp_group *g,
			     bool markdown, struct out *out)
{
	unsigned wname, wval, c, r, k, start;
	char top[128], bottom[128], name[160];

	measure(t, g, &wname, &wval);
	if (markdown) {
		char *e = fb_md_escape(g->name);

		fprintf(f, "**%s**\n\n| | |", e);
		free(e);
		for (c = 0; c < t->ncols; c++)
			md_cell(f, t->labels[c]);
		fprintf(f, "\n|---|---|");
		for (c = 0; c < t->ncols; c++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
	} else {
		fprintf(f, "%s\n", fb_esc(g->name));
		bool any_top = false;

		for (c = 0; c < t->ncols; c++)
			any_top |= strchr(t->labels[c], '-') != NULL;
		for (int line = !any_top; line < 2; line++) {
			fprintf(f, "%*s", (int)(10 + wname), "");
			for (c = 0; c < t->ncols; c++) {
				label_split(t->labels[c], top, bottom, sizeof(top));
				fprintf(f, "%*s", (int)(wval + 12), line ? bottom : top);
			}
			fprintf(f, "\n");
		}
	}
	for (start = 0; start < g->nrows; start = r) {
		/* one block per metric: rows of one metric, grouped by statistic */
		for (r = start; r < g->nrows && !strcmp(g->rows[r].metric, g->rows[start].metric);)
			r++;
		if (start > 0 && !markdown)
			fprintf(f, "\n");
		for (k = 0; k < CMP_ST_N; k++) {
			/* evidence explains the headline figure: its mean is enough */
			if (k != CMP_ST_MEAN && cmp_is_evidence(g->rows[start].metric))
				continue;
			for (unsigned i = start; i < r; i++) {
				const struct cmp_row *row = &g->rows[i];

				cmp_row_name(row, name, sizeof(name));
				if (markdown) {
					fprintf(f, "| %s |", cmp_stat_name(k, row->higher_better));
					md_cell(f, name);
				} else {
					fprintf(f, "%-9s %-*s",
						cmp_stat_name(k, row->higher_better), (int)wname,
						name);
				}
				for (c = 0; c < t->ncols; c++)
					print_cell(f, g, row, c, k, wval, markdown, out);
				fprintf(f, "\n");
			}
		}
		if (g->rows[start].tested_metric && t->ncols > 1)
			print_run_rows(f, t, g, start, r, wname, wval, markdown);
	}
	print_profile(f, t, g, markdown);
}

/* LKP: "base ±%stddev  %change  new ±%stddev  metric"; %change is the raw change. */
static void print_group_lkp(FILE *f, const struct cmp_table *t, const struct cmp_group *g,
			    struct out *out)
{
	unsigned c, r;
	char name[160], runs[512];
	char **heads = xcalloc(t->ncols, sizeof(*heads));

	/* 17 columns: cut labels keep the part that tells them apart */
	if (labels_fit(t->labels, t->ncols, 17, heads))
		labels_legend(f, t->labels, g->docs, t->ncols);
	fprintf(f, "%17s %9s", heads[0], "");
	for (c = 1; c < t->ncols; c++)
		fprintf(f, " %10s%17s %9s", "", heads[c], "");
	labels_free(heads, t->ncols);
	free(heads);
	/* "±" is two bytes in UTF-8: one more byte of width for the same columns */
	fprintf(f, "\n%17s %10s", "value", "±%stddev");
	for (c = 1; c < t->ncols; c++)
		fprintf(f, " %10s%17s %10s", "%change", "value", "±%stddev");
	fprintf(f, "  metric\n");
	for (r = 0; r < g->nrows; r++) {
		const struct cmp_row *row = &g->rows[r];
		struct cmp_stats base, s;

		cmp_cell_stats(&row->cells[0], row->higher_better, &base);
		for (c = 0; c < t->ncols; c++) {
			char val[64], sd[32], chg[32];

			cmp_cell_stats(&row->cells[c], row->higher_better, &s);
			fmt_value(val, sizeof(val), s.n ? s.mean : NAN);
			if (s.n > 1 && !isnan(s.cov))
				snprintf(sd, sizeof(sd), "±%5.1f%%", s.cov);
			else
				snprintf(sd, sizeof(sd), "%s", "");
			if (c > 0) {
				double ch = 100 * (s.mean - base.mean) / base.mean;

				if (!s.n || !base.n || isnan(ch))
					snprintf(chg, sizeof(chg), "-");
				else
					snprintf(chg, sizeof(chg), "%+.1f%%%s", ch,
						 cmp_significant(row, c, NULL) ? "*" : "");
				if (!cmp_testable(row, c) && row->cells[0].n && row->cells[c].n)
					note_untestable(out, g, row, c);
				fprintf(f, " %10s", chg);
			}
			fprintf(f, "%17s %*s", val, *sd ? 10 : 9, sd);
		}
		cmp_row_name(row, name, sizeof(name));
		fprintf(f, "  %s.%s", fb_esc(g->name), name);
		/* the Runs row of the mmtests view, on the line itself: one line is pasted */
		if (cmp_fmt_row_disturbed(row, t->ncols, runs, sizeof(runs)))
			fprintf(f, "  [%s]", runs);
		fprintf(f, "\n");
	}
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *table_json(const struct cmp_table *t, struct out *out)
{
	json_t *root = json_object(), *groups = json_array(), *labels = json_array();
	unsigned g, r, c;

	for (c = 0; c < t->ncols; c++)
		json_array_append_new(labels, json_string(t->labels[c]));
	json_object_set_new(root, "columns", labels);
	json_object_set_new(root, "false_discovery_rate", json_real(CMP_ALPHA));
	json_object_set_new(root, "power", json_real(CMP_POWER));
	json_object_set_new(root, "detect_target_pct", json_real(t->detect_target));
	json_object_set_new(root, "method",
			    json_string("t-test of per-run values (log scale for rates) against "
					"run-to-run variance; Benjamini-Hochberg per column"));
	for (g = 0; g < t->ngroups; g++) {
		const struct cmp_group *gr = &t->groups[g];
		json_t *jg = json_object(), *rows = json_array();

		json_object_set_new(jg, "name", json_string(gr->name));
		json_object_set_new(jg, "bench", json_string(gr->bench));
		json_object_set_new(jg, "params",
				    json_deep_copy(json_object_get(gr->docs[0], "params")));
		for (r = 0; r < gr->nrows; r++) {
			const struct cmp_row *row = &gr->rows[r];
			json_t *jr = json_object(), *cells = json_array();
			struct cmp_stats base, s;

			cmp_cell_stats(&row->cells[0], row->higher_better, &base);
			json_object_set_new(jr, "metric", json_string(row->metric));
			json_object_set_new(jr, "variant", json_string(row->variant));
			json_object_set_new(jr, "ncpus", json_integer(row->ncpus));
			json_object_set_new(jr, "higher_better", json_boolean(row->higher_better));
			for (c = 0; c < t->ncols; c++) {
				json_t *jc = json_object(), *vals = json_array();
				double p;
				bool sig = cmp_significant(row, c, &p);

				cmp_cell_stats(&row->cells[c], row->higher_better, &s);
				for (unsigned i = 0; i < row->cells[c].n; i++)
					json_array_append_new(vals, json_real(row->cells[c].v[i]));
				json_object_set_new(jc, "values", vals);
				json_object_set_new(jc, "n", json_integer(s.n));
				/* runs measured disturbed, and runs left out for an impossible
				 * value */
				json_object_set_new(jc, "disturbed_runs",
						    json_integer(row->cells[c].disturbed));
				json_object_set_new(jc, "broken_runs",
						    json_integer(row->cells[c].broken));
				json_object_set_new(jc, "min", num(s.min));
				json_object_set_new(jc, row->higher_better ? "hmean" : "amean",
						    num(s.mean));
				json_object_set_new(jc, "stddev", num(s.stddev));
				json_object_set_new(jc, "coeffvar_pct", num(s.cov));
				json_object_set_new(jc, "max", num(s.max));
				json_object_set_new(
				    jc, row->higher_better ? "bhmean95" : "bamean95", num(s.bmean));
				if (c > 0) {
					const struct cmp_verdict *v = &row->verdicts[c];

					json_object_set_new(
					    jc, "pdiff_pct",
					    num(cmp_stat_pdiff(base.mean, s.mean, CMP_ST_MEAN,
							       row->higher_better)));
					json_object_set_new(jc, "runs", json_integer(v->runs_b));
					json_object_set_new(jc, "run_change_pct", num(v->diff_pct));
					json_object_set_new(jc, "p", num(v->tested ? v->p : NAN));
					json_object_set_new(jc, "q", num(p));
					json_object_set_new(jc, "tested",
							    json_boolean(cmp_testable(row, c)));
					json_object_set_new(jc, "significant", json_boolean(sig));
					json_object_set_new(jc, "variance_from",
							    json_string(source_name(v->source)));
					json_object_set_new(jc, "df", num(v->tested ? v->df : NAN));
					json_object_set_new(jc, "log_scale",
							    json_boolean(v->log_scale));
					json_object_set_new(jc, "detectable_pct",
							    num(v->tested ? v->detect_pct : NAN));
					json_object_set_new(jc, "runs_needed",
							    v->tested && v->runs_needed
								? json_integer(v->runs_needed)
								: json_null());
					json_object_set_new(jc, "model_disagrees",
							    json_boolean(v->model_disagrees));
					json_object_set_new(jc, "model_run_pct",
							    num(v->model_run_pct));
					json_object_set_new(
					    jc, "model_not_used",
					    v->model_skipped_disturbed ? json_string("disturbed")
					    : v->model_skipped_spread  ? json_string("spread")
								       : json_null());
					if (!cmp_testable(row, c) && row->cells[0].n &&
					    row->cells[c].n)
						note_untestable(out, gr, row, c);
				}
				json_array_append_new(cells, jc);
			}
			json_object_set_new(jr, "cells", cells);
			json_array_append_new(rows, jr);
		}
		json_object_set_new(jg, "rows", rows);
		{
			/* per column: the top of its largest profiled step, or null (as before) */
			json_t *prof = json_array();

			for (c = 0; c < t->ncols; c++) {
				json_t *top =
				    json_object_get(pcmp_largest_profile(gr->docs[c]), "top");

				json_array_append_new(prof,
						      top ? json_deep_copy(top) : json_null());
			}
			json_object_set_new(jg, "profile_top", prof);
			/* per step profiled in every column: symbols and call chains */
			json_object_set_new(jg, "profiles", pcmp_json(gr->docs, t->ncols));
		}
		json_array_append_new(groups, jg);
	}
	json_object_set_new(root, "groups", groups);
	return root;
}

/* The columns only a paired row fills: kind "cell" rows leave them empty. */
static const char *const csv_paired_head[] = { "kind",
					       "run",
					       "base_variant",
					       "left_out",
					       "max_gap",
					       "interval_lo_pct",
					       "interval_hi_pct",
					       "threshold_pct",
					       "verdict" };

static void csv_json_num(FILE *f, json_t *v)
{
	csv_num(f, json_is_number(v) ? json_number_value(v) : NAN, false);
}

static void csv_json_uint(FILE *f, json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		csv_uint(f, (unsigned long long)json_integer_value(v), false);
	else
		csv_field(f, "", false);
}

static void csv_empty(FILE *f, unsigned n)
{
	while (n--)
		csv_field(f, "", false);
}

/*
 * A paired row (paired_json()) as a record of the same table: the columns
 * both kinds have keep their meaning (n: the pairs; pdiff_pct: B against its
 * base variant A, positive = better; p: Wilcoxon's; significant: p <=
 * PAIRED_ALPHA), the statistics of a cell stay empty, and the paired
 * columns at the end say the rest.  Every string is a result's: csv_field
 * makes one a spreadsheet would run as a formula text.
 */
static void csv_paired_row(FILE *f, const struct cmp_table *t, json_t *pr)
{
	const char *name = json_string_value(json_object_get(pr, "bench")) ?: "";
	const char *label = json_string_value(json_object_get(pr, "label"));
	const struct cmp_group *g = find_group((struct cmp_table *)t, name);
	json_t *hb = json_object_get(pr, "higher_better"), *p = json_object_get(pr, "p");
	json_t *iv = json_object_get(pr, "interval_pct");
	unsigned col = t->ncols;

	for (unsigned c = 0; label && c < t->ncols; c++)
		if (!strcmp(t->labels[c], label)) {
			col = c;
			break;
		}
	csv_field(f, name, true);
	csv_field(f, g ? g->bench : name, false);
	csv_field(f, json_string_value(json_object_get(pr, "metric")) ?: "", false);
	csv_field(f, json_string_value(json_object_get(pr, "variant")) ?: "", false);
	csv_json_uint(f, json_object_get(pr, "ncpus"));
	csv_field(f, json_is_true(hb) ? "true" : json_is_false(hb) ? "false" : "", false);
	if (col < t->ncols)
		csv_uint(f, col, false);
	else
		csv_field(f, "", false);
	csv_field(f, label ?: "", false);
	csv_json_uint(f, json_object_get(pr, "pairs"));
	csv_empty(f, 7); /* min .. bmean95: a pair has no cell statistics */
	csv_json_num(f, json_object_get(pr, "change_pct"));
	csv_field(f, "", false); /* runs: the pairs are in one run */
	csv_field(f, json_is_number(p) ? "true" : "false", false);
	csv_field(f, json_is_number(p) && json_number_value(p) <= PAIRED_ALPHA ? "true" : "false",
		  false);
	csv_json_num(f, p);
	csv_empty(f, 4); /* q, detectable_pct, disturbed_runs, broken_runs: see left_out */
	csv_field(f, "paired", false);
	csv_field(f, json_string_value(json_object_get(pr, "run")) ?: "", false);
	csv_field(f, json_string_value(json_object_get(pr, "base")) ?: "", false);
	csv_json_uint(f, json_object_get(pr, "left_out"));
	csv_json_uint(f, json_object_get(pr, "max_gap"));
	csv_json_num(f, json_array_get(iv, 0));
	csv_json_num(f, json_array_get(iv, 1));
	csv_json_num(f, json_object_get(pr, "threshold_pct"));
	csv_field(f, json_string_value(json_object_get(pr, "verdict")) ?: "", false);
	csv_end_row(f);
}

/*
 * One CSV record per row and column: the same figures as the JSON cells.
 * mean is the harmonic mean for rates (higher_better), else the arithmetic.
 * Then, in the same table (kind "paired", filled from t->paired when the
 * caller set it), the within-run paired rows: one table a spreadsheet reads
 * whole, filtered on kind.
 */
static void print_csv(FILE *f, const struct cmp_table *t)
{
	static const char *const head[] = { "group",	  "bench",	    "metric",
					    "variant",	  "cpus",	    "higher_better",
					    "column",	  "label",	    "n",
					    "min",	  "hmean",	    "amean",
					    "stddev",	  "cov_pct",	    "max",
					    "bmean95",	  "pdiff_pct",	    "runs",
					    "tested",	  "significant",    "p",
					    "q",	  "detectable_pct", "disturbed_runs",
					    "broken_runs" };

	json_t *pr;
	size_t k;

	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		csv_field(f, head[i], i == 0);
	for (size_t i = 0; i < ARRAY_SIZE(csv_paired_head); i++)
		csv_field(f, csv_paired_head[i], false);
	csv_end_row(f);
	for (unsigned g = 0; g < t->ngroups; g++) {
		const struct cmp_group *gr = &t->groups[g];

		for (unsigned r = 0; r < gr->nrows; r++) {
			const struct cmp_row *row = &gr->rows[r];
			struct cmp_stats base, s;

			cmp_cell_stats(&row->cells[0], row->higher_better, &base);
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct cmp_verdict *v = &row->verdicts[c];
				bool tested = cmp_testable(row, c);
				double q;
				bool sig = cmp_significant(row, c, &q);

				cmp_cell_stats(&row->cells[c], row->higher_better, &s);
				csv_field(f, gr->name, true);
				csv_field(f, gr->bench, false);
				csv_field(f, row->metric, false);
				csv_field(f, row->variant, false);
				csv_uint(f, row->ncpus, false);
				csv_field(f,
					  row->neither	       ? ""
					  : row->higher_better ? "true"
							       : "false",
					  false);
				csv_uint(f, c, false);
				csv_field(f, t->labels[c], false);
				csv_uint(f, s.n, false);
				csv_num(f, cmp_stat_value(&s, CMP_ST_MIN), false);
				/* the mean the table shows, under its own name: harmonic for rates
				 */
				csv_num(f,
					row->higher_better ? cmp_stat_value(&s, CMP_ST_MEAN) : NAN,
					false);
				csv_num(f,
					row->higher_better ? NAN : cmp_stat_value(&s, CMP_ST_MEAN),
					false);
				csv_num(f, cmp_stat_value(&s, CMP_ST_STDDEV), false);
				csv_num(f, cmp_stat_value(&s, CMP_ST_COV), false);
				csv_num(f, cmp_stat_value(&s, CMP_ST_MAX), false);
				csv_num(f, cmp_stat_value(&s, CMP_ST_BMEAN), false);
				csv_num(f,
					c ? cmp_stat_pdiff(base.mean, s.mean, CMP_ST_MEAN,
							   row->higher_better)
					  : NAN,
					false);
				if (c)
					csv_uint(f, v->runs_b, false);
				else
					csv_field(f, "", false);
				csv_field(f, c ? (tested ? "true" : "false") : "", false);
				csv_field(f, c ? (sig ? "true" : "false") : "", false);
				csv_num(f, c && tested ? v->p : NAN, false);
				csv_num(f, q, false);
				csv_num(f, c && tested ? v->detect_pct : NAN, false);
				csv_uint(f, row->cells[c].disturbed, false);
				csv_uint(f, row->cells[c].broken, false);
				csv_field(f, "cell", false);
				csv_empty(f, ARRAY_SIZE(csv_paired_head) - 1);
				csv_end_row(f);
			}
		}
	}
	json_array_foreach (t->paired, k, pr)
		csv_paired_row(f, t, pr);
}

void cmp_print(FILE *f, const struct cmp_table *t, enum cmp_format fmt, bool lkp)
{
	struct out out = { 0 };
	unsigned g;

	if (fmt == CMP_CSV) {
		print_csv(f, t);
		return;
	}
	if (fmt == CMP_JSON) {
		json_t *root = table_json(t, &out);
		json_t *notes = json_array();
		char *buf = NULL, *line, *save = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);

		if (m) {
			print_verdict_notes(m, t, &out, "");
			fclose(m);
			for (line = strtok_r(buf, "\n", &save); line;
			     line = strtok_r(NULL, "\n", &save))
				json_array_append_new(notes, json_string(line));
			free(buf);
		}
		json_object_set_new(root, "notes", notes);
		if (t->paired)
			json_object_set(root, "paired", t->paired);
		fb_json_dumpf(root, f, JSON_INDENT(2));
		fputc('\n', f);
		json_decref(root);
		return;
	}
	for (g = 0; g < t->ngroups; g++) {
		if (g > 0)
			fprintf(f, "\n");
		if (lkp) {
			print_group_lkp(f, t, &t->groups[g], &out);
			print_profile(f, t, &t->groups[g], false);
		} else {
			print_group_text(f, t, &t->groups[g], fmt == CMP_MARKDOWN, &out);
		}
	}
	if (t->ncols > 1)
		fprintf(f, "\n");
	print_verdict_notes(f, t, &out, fmt == CMP_MARKDOWN ? "Note: " : "");
}
