// SPDX-License-Identifier: GPL-2.0
/*
 * The figures of a benchmark across runs (figures.h): scaling, efficiency
 * and variant ratios, for plot and report.  Everything taken from a result
 * (labels, hostnames, kernel releases, parameter values) reaches gnuplot
 * only through plot_put_string(), which expands nothing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "plot.h"
#include "util.h"

void fig_list_free(struct fig_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		free(l->figs[i].name);
		free(l->figs[i].what);
	}
	free(l->figs);
	memset(l, 0, sizeof(*l));
}

void fig_bytes(unsigned long long v, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
	int u = -1;

	while (u < 3 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu bytes", v);
	else
		snprintf(buf, len, "%llu %s", v, unit[u]);
}

/* Integers that are sizes: by name ("size", "bytes"), or a large multiple of 4 KiB. */
static bool is_size(const char *key, json_int_t v)
{
	if (strstr(key, "size") || strstr(key, "bytes"))
		return v >= 1024;
	return v >= (1 << 20) && v % 4096 == 0;
}

void fig_describe_params(json_t *params, char *buf, size_t len)
{
	const char *key;
	json_t *v;
	size_t n = 0;

	buf[0] = '\0';
	json_object_foreach (params, key, v) {
		char val[128];

		if (json_is_boolean(v))
			snprintf(val, sizeof(val), "%s", json_is_true(v) ? "on" : "off");
		else if (json_is_integer(v) && is_size(key, json_integer_value(v)))
			fig_bytes((unsigned long long)json_integer_value(v), val, sizeof(val));
		else if (json_is_integer(v))
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		else if (json_is_real(v))
			snprintf(val, sizeof(val), "%g", json_real_value(v));
		else if (json_is_string(v) && *json_string_value(v))
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		else
			continue; /* unset: nothing to say */
		if (n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s %s", n ? ", " : "", key, val);
	}
}

struct plotter {
	const char *dir;
	const struct cmp_table *t;
	const struct cmp_group *g;
	const char *metric;
	char **variants;
	unsigned nvariants;
	char title_where[512]; /* "on vm (AMD EPYC, 2 PUs), Linux 6.18.44" */
	char subtitle[1024];
	struct fig_list *out;
};

static const char *variant_value(const char *variant)
{
	const char *eq = strchr(variant, '=');

	return eq ? eq + 1 : variant;
}

static const char *kernel_of(json_t *doc)
{
	return json_string_value(
	    json_object_get(json_object_get(json_object_get(doc, "system"), "kernel"), "release"));
}

/* "Intel Xeon Processor" of "Intel Xeon Processor (Skylake, IBRS, no TSX)" */
static void short_model(const char *model, char *buf, size_t len)
{
	const char *paren = strchr(model, '(');
	int n = paren ? (int)(paren - model) : (int)strlen(model);

	while (n > 0 && model[n - 1] == ' ')
		n--;
	snprintf(buf, len, "%.*s", n > 48 ? 48 : n, model);
}

/* "4 nodes, 64 PUs" or "2 PUs" from the result's topology */
static void short_topology(json_t *doc, char *buf, size_t len)
{
	json_t *topo = json_object_get(doc, "topology");
	json_int_t nodes = json_integer_value(json_object_get(topo, "nodes"));
	json_int_t pus = json_integer_value(json_object_get(topo, "pus"));

	if (pus <= 0)
		snprintf(buf, len, "?");
	else if (nodes > 1)
		snprintf(buf, len, "%lld nodes, %lld PUs", (long long)nodes, (long long)pus);
	else
		snprintf(buf, len, "%lld PUs", (long long)pus);
}

/* "on HOST (CPU MODEL, N PUs), Linux K" or "..., 3 kernels": the where of a title. */
static void make_where(struct plotter *pl)
{
	json_t *doc = pl->g->docs[0], *sys = json_object_get(doc, "system");
	const char *k0 = kernel_of(doc) ?: "?", *host;
	char kernels[160], model[64], topo[64];
	unsigned c, nk = 1;

	host = json_string_value(json_object_get(sys, "hostname")) ?: "?";
	short_model(json_string_value(json_object_get(sys, "cpu_model")) ?: "?", model,
		    sizeof(model));
	short_topology(doc, topo, sizeof(topo));
	snprintf(kernels, sizeof(kernels), "Linux %.100s", k0);
	for (c = 1; c < pl->t->ncols; c++) {
		const char *k = pl->g->docs[c] ? kernel_of(pl->g->docs[c]) : NULL;

		if (k && strcmp(k, k0)) {
			nk++;
			if (nk == 2)
				snprintf(kernels, sizeof(kernels), "Linux %.60s vs %.60s", k0, k);
			else
				snprintf(kernels, sizeof(kernels), "%u kernels (see the key)", nk);
		}
	}
	snprintf(pl->title_where, sizeof(pl->title_where), "on %.40s (%s, %s), %s", host, model,
		 topo, kernels);
}

/* "fault: backing tmpfs, ...; threads, compact, 3 repeats of 3 x 0.2 s" */
static void make_subtitle(struct plotter *pl)
{
	json_t *doc = pl->g->docs[0], *run = json_object_get(doc, "run");
	char params[768];
	size_t n;

	fig_describe_params(json_object_get(doc, "params"), params, sizeof(params));
	n = (size_t)snprintf(pl->subtitle, sizeof(pl->subtitle), "%s%s%s",
			     strcmp(pl->g->name, pl->g->bench) ? pl->g->bench : "",
			     strcmp(pl->g->name, pl->g->bench) && *params ? ": " : "", params);
	if (n < sizeof(pl->subtitle) && json_is_string(json_object_get(run, "mode")))
		snprintf(pl->subtitle + n, sizeof(pl->subtitle) - n, "%s%s, %s placement",
			 n ? "; " : "", json_string_value(json_object_get(run, "mode")),
			 json_string_value(json_object_get(run, "placement")) ?: "?");
}

static struct plot_series *add_series(struct plot_spec *p, const char *title)
{
	p->series = xrealloc(p->series, (p->nseries + 1) * sizeof(*p->series));
	memset(&p->series[p->nseries], 0, sizeof(*p->series));
	p->series[p->nseries].title = xstrdup(title);
	return &p->series[p->nseries++];
}

static void free_spec(struct plot_spec *p)
{
	for (unsigned i = 0; i < p->nseries; i++)
		plot_series_free(&p->series[i]);
	free(p->series);
}

/*
 * One colour per label in every figure (its column); with a single label,
 * one per variant.  Variants of a label differ by dash and marker.
 */
static void style_series(const struct plotter *pl, struct plot_series *s, unsigned c, unsigned v)
{
	s->band = true;
	if (pl->t->ncols > 1) {
		s->color = c + 1;
		s->dash = v;
	} else {
		s->color = v + 1;
	}
	s->point = v;
}

static char *series_title(const struct plotter *pl, unsigned c, const char *variant)
{
	if (*variant)
		return xasprintf("%s %s", pl->t->labels[c], variant_value(variant));
	return xstrdup(pl->t->labels[c]);
}

static int emit(struct plotter *pl, struct plot_spec *p, const char *what)
{
	int ret = plot_write(p);

	if (!ret) {
		struct fig_list *l = pl->out;

		l->figs = xrealloc(l->figs, (l->n + 1) * sizeof(*l->figs));
		l->figs[l->n].name = xstrdup(p->name);
		l->figs[l->n++].what = xstrdup(what);
	}
	free_spec(p);
	return ret;
}

/* "pages/s@node2" of metric "pages/s": 2; -1 for anything else. */
static int node_of_metric(const char *name, const char *metric)
{
	size_t n = strlen(metric);
	char *end;
	long node;

	if (strncmp(name, metric, n) || strncmp(name + n, "@node", 5))
		return -1;
	node = strtol(name + n + 5, &end, 10);
	return *end || end == name + n + 5 || node < 0 || node > 65535 ? -1 : (int)node;
}

/*
 * A thin line per node for label c and variant v: each node's share of the
 * steps that span several nodes (runner: mem_derive_per_node), so a node
 * that falls behind (remote memory, a contended lock's home) shows.
 */
static void add_node_series(struct plotter *pl, struct plot_spec *p, unsigned c, unsigned v,
			    const struct plot_series *parent)
{
	const struct cmp_group *g = pl->g;
	int seen[64] = { 0 };

	for (unsigned r = 0; r < g->nrows; r++) {
		int node = node_of_metric(g->rows[r].metric, pl->metric);
		struct plot_series *s;
		char *title, *st;

		if (node < 0 || node >= 64 || seen[node] ||
		    strcmp(g->rows[r].variant, pl->variants[v]))
			continue;
		seen[node] = 1;
		st = series_title(pl, c, pl->variants[v]);
		title = xasprintf("%s node %d", st, node);
		s = add_series(p, title);
		free(title);
		free(st);
		s->thin = true;
		s->color = parent->color;
		s->dash = parent->dash;
		s->point = (unsigned)node + 1;
		for (unsigned k = 0; k < g->nrows; k++) {
			const struct cmp_row *row = &g->rows[k];
			struct cmp_stats cs;

			if (strcmp(row->metric, g->rows[r].metric) ||
			    strcmp(row->variant, pl->variants[v]) || !row->cells[c].n)
				continue;
			cmp_cell_stats(&row->cells[c], row->higher_better, &cs);
			plot_series_add(s, row->ncpus, cs.mean, NAN, NAN);
		}
	}
}

/*
 * The efficiency band at a step: each repeat's value per CPU against the same
 * repeat's at the smallest step (the same run, the same place in it), min to
 * max.  Dividing every repeat by the smallest step's mean instead drew that
 * step's own band as its repeats' min/mean to max/mean (0.87 to 1.28 at
 * 1 CPU for pagelock in docs/data/verdicts/aa/aa-01-a and -b; 2.65 for a
 * noisier run, whose fastest repeat was 2.65 times the harmonic mean), where
 * efficiency is 1 by definition.  NAN when no repeat pairs up.
 */
static void efficiency_band(const struct cmp_cell *base, unsigned base_cpus,
			    const struct cmp_cell *cell, unsigned cpus, double *lo, double *hi)
{
	*lo = *hi = NAN;
	for (unsigned i = 0; i < cell->n; i++) {
		unsigned nth = 0, seen = 0;

		for (unsigned j = 0; j < i; j++)
			nth += cell->run[j] == cell->run[i];
		for (unsigned j = 0; j < base->n; j++) {
			double e;

			if (base->run[j] != cell->run[i] || seen++ != nth)
				continue;
			e = cell->v[i] / cpus / (base->v[j] / base_cpus);
			if (isfinite(e)) {
				*lo = isnan(*lo) ? e : fmin(*lo, e);
				*hi = isnan(*hi) ? e : fmax(*hi, e);
			}
			break;
		}
	}
}

/* Throughput, and per-CPU efficiency relative to the smallest step of each line. */
static int plot_scaling(struct plotter *pl, bool efficiency)
{
	const struct cmp_group *g = pl->g;
	struct plot_spec p = { .dir = pl->dir, .hline = efficiency ? 1 : NAN };
	char name[256], title[1024], ylabel[160];
	unsigned c, v, r;
	bool hb = true;

	for (c = 0; c < pl->t->ncols; c++)
		for (v = 0; v < pl->nvariants; v++) {
			struct plot_series *s;
			char *st = series_title(pl, c, pl->variants[v]);
			double base = NAN;
			const struct cmp_row *base_row = NULL;

			s = add_series(&p, st);
			free(st);
			style_series(pl, s, c, v);
			for (r = 0; r < g->nrows; r++) {
				const struct cmp_row *row = &g->rows[r];
				struct cmp_stats cs;
				double k, lo, hi;

				if (strcmp(row->metric, pl->metric) ||
				    strcmp(row->variant, pl->variants[v]) || !row->cells[c].n)
					continue;
				hb = row->higher_better;
				cmp_cell_stats(&row->cells[c], hb, &cs);
				if (!efficiency) {
					plot_series_add(s, row->ncpus, cs.mean, cs.min, cs.max);
					continue;
				}
				/* per CPU, relative to the first (smallest) step: 1 = linear */
				if (isnan(base)) {
					base = cs.mean / row->ncpus;
					base_row = row;
				}
				k = 1.0 / row->ncpus / base;
				efficiency_band(&base_row->cells[c], base_row->ncpus,
						&row->cells[c], row->ncpus, &lo, &hi);
				plot_series_add(s, row->ncpus, cs.mean * k, lo, hi);
			}
			if (!efficiency) {
				struct plot_series parent = *s;

				add_node_series(pl, &p, c, v, &parent);
			}
		}
	if (efficiency && !hb) {
		free_spec(&p);
		return FB_OK; /* a time per operation has no per-CPU efficiency to speak of */
	}
	snprintf(name, sizeof(name), "%s-%s", g->name, efficiency ? "efficiency" : "throughput");
	p.name = name;
	snprintf(title, sizeof(title), "%s %s %s", g->name,
		 efficiency ? "per-CPU efficiency" : "scaling", pl->title_where);
	p.title = title;
	p.subtitle = pl->subtitle;
	if (efficiency)
		snprintf(ylabel, sizeof(ylabel), "%s per CPU / the same at the smallest step",
			 pl->metric);
	else
		snprintf(ylabel, sizeof(ylabel), "%s (%s is better; band: min-max of repeats)",
			 pl->metric, hb ? "higher" : "lower");
	p.ylabel = ylabel;
	return emit(pl, &p, efficiency ? "efficiency" : "throughput");
}

static const struct cmp_row *find(const struct cmp_group *g, const char *metric,
				  const char *variant, unsigned ncpus)
{
	for (unsigned r = 0; r < g->nrows; r++)
		if (g->rows[r].ncpus == ncpus && !strcmp(g->rows[r].metric, metric) &&
		    !strcmp(g->rows[r].variant, variant))
			return &g->rows[r];
	return NULL;
}

/* Each variant against the first: pagelock same/disjoint, dio thp/4k. */
static int plot_ratio(struct plotter *pl)
{
	const struct cmp_group *g = pl->g;
	const char *metric = pl->metric;
	struct plot_spec p = { .dir = pl->dir, .hline = 1 };
	char name[256], title[1024], ylabel[256];
	unsigned c, v, r;

	for (r = 0; r < g->nrows; r++)
		if (!strcmp(g->rows[r].metric, g->ratio_metric))
			metric = g->ratio_metric;
	for (c = 0; c < pl->t->ncols; c++)
		for (v = 1; v < pl->nvariants; v++) {
			char *st =
			    xasprintf("%s %s/%s", pl->t->labels[c], variant_value(pl->variants[v]),
				      variant_value(pl->variants[0]));
			struct plot_series *s = add_series(&p, st);

			free(st);
			style_series(pl, s, c, v);
			for (r = 0; r < g->nrows; r++) {
				const struct cmp_row *row = &g->rows[r], *b;
				struct cmp_stats a, z;

				if (strcmp(row->metric, metric) ||
				    strcmp(row->variant, pl->variants[v]) || !row->cells[c].n)
					continue;
				b = find(g, metric, pl->variants[0], row->ncpus);
				if (!b || !b->cells[c].n)
					continue;
				cmp_cell_stats(&row->cells[c], row->higher_better, &a);
				cmp_cell_stats(&b->cells[c], row->higher_better, &z);
				plot_series_add(s, row->ncpus, a.mean / z.mean, NAN, NAN);
			}
		}
	snprintf(name, sizeof(name), "%s-ratio", g->name);
	p.name = name;
	snprintf(title, sizeof(title), "%s %s ratio to '%s' %s", g->name, metric,
		 variant_value(pl->variants[0]), pl->title_where);
	p.title = title;
	p.subtitle = pl->subtitle;
	snprintf(ylabel, sizeof(ylabel), "%s ratio (variant / %s)", metric,
		 variant_value(pl->variants[0]));
	p.ylabel = ylabel;
	return emit(pl, &p, "ratio");
}

int fig_plot_group(const char *dir, const struct cmp_table *t, const struct cmp_group *g,
		   const char *metric, struct fig_list *out)
{
	struct plotter pl = { .dir = dir, .t = t, .g = g, .out = out };
	unsigned r, i;
	int ret;

	pl.metric = metric ? metric : cmp_primary_metric(g->docs[0]);
	if (!pl.metric)
		return fb_usage("%s: no metric to plot", g->name);
	for (r = 0; r < g->nrows; r++) {
		if (strcmp(g->rows[r].metric, pl.metric))
			continue;
		for (i = 0; i < pl.nvariants && strcmp(pl.variants[i], g->rows[r].variant); i++)
			;
		if (i == pl.nvariants) {
			pl.variants = xrealloc(pl.variants, (i + 1) * sizeof(char *));
			pl.variants[pl.nvariants++] = g->rows[r].variant;
		}
	}
	if (!pl.nvariants) {
		fb_warn("%s: no complete step with metric '%s'; not plotted", g->name, pl.metric);
		return FB_OK;
	}
	make_where(&pl);
	make_subtitle(&pl);
	ret = plot_scaling(&pl, false);
	if (!ret)
		ret = plot_scaling(&pl, true);
	/* only where the result says the variants are alternatives of one another */
	if (!ret && pl.nvariants > 1 && g->ratio_metric)
		ret = plot_ratio(&pl);
	free(pl.variants);
	return ret;
}
