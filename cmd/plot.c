// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench plot RUN... -o DIR: throughput against CPUs (one line per run and
 * variant, min-max error bars over the repeats), per-CPU efficiency against
 * CPUs, and for variant runs (pagelock same/disjoint, dio thp/4k) the ratio of
 * each variant to the first.  Reads results only; never runs a benchmark.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "opt.h"
#include "plot.h"
#include "stats.h"
#include "util.h"

struct plot_cmd_opts {
	const char *output;
	const char *metric;
};

#define P(field) offsetof(struct plot_cmd_opts, field)

const struct opt plot_options[] = {
	{ .name = "output",
	  .type = OPT_STR,
	  .def = "plots",
	  .off = P(output),
	  .help = "directory to write the plots into (-o DIR)" },
	{ .name = "metric",
	  .type = OPT_STR,
	  .off = P(metric),
	  .help = "the metric to plot; without it, each benchmark's headline metric" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench plot RUN... [-o DIR] [options]\n"
		   "\n"
		   "Writes DIR/<bench>-throughput, -efficiency and (variant runs) -ratio as .png\n"
		   "and .svg, each with the .gp script and .dat data that drew it.\n"
		   "\noptions:\n");
	opt_print_help(f, plot_options);
	return FB_USAGE;
}

/* Append "text" to a title, starting a new line when the current one is long. */
static void title_add(char *buf, size_t len, const char *text)
{
	size_t n = strlen(buf);
	const char *nl = strrchr(buf, '\n');
	size_t cur = nl ? n - (size_t)(nl + 1 - buf) : n;

	snprintf(buf + n, len - n, "%s%s", cur + strlen(text) > 110 ? "\n" : (cur ? " " : ""),
		 text);
}

static void make_title(char *buf, size_t len, const struct cmp_table *t, const struct cmp_group *g,
		       const char *what)
{
	json_t *doc = g->docs[0], *sys = json_object_get(doc, "system"), *v;
	const char *key;
	char item[256];
	unsigned c;

	if (strcmp(g->name, g->bench))
		snprintf(buf, len, "%s (%s): %s\n", g->name, g->bench, what);
	else
		snprintf(buf, len, "%s: %s\n", g->name, what);
	json_object_foreach (json_object_get(doc, "params"), key, v) {
		char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);

		snprintf(item, sizeof(item), "%s=%s", key,
			 json_is_string(v) ? json_string_value(v)
			 : s		   ? s
					   : "?");
		free(s);
		title_add(buf, len, item);
	}
	snprintf(item, sizeof(item), "\n%s, %s, %s;",
		 json_string_value(json_object_get(sys, "hostname")) ?: "?",
		 json_string_value(json_object_get(sys, "cpu_model")) ?: "?",
		 json_string_value(json_object_get(sys, "topology")) ?: "?");
	strncat(buf, item, len - strlen(buf) - 1);
	for (c = 0; c < t->ncols; c++) {
		json_t *k = json_object_get(
		    json_object_get(json_object_get(g->docs[c], "system"), "kernel"), "release");

		snprintf(item, sizeof(item), "%s: %s%s", t->labels[c], json_string_value(k) ?: "?",
			 c + 1 < t->ncols ? "," : "");
		title_add(buf, len, item);
	}
}

static const char *variant_value(const char *variant)
{
	const char *eq = strchr(variant, '=');

	return eq ? eq + 1 : variant;
}

struct plotter {
	const char *dir;
	const struct cmp_table *t;
	const struct cmp_group *g;
	const char *metric;
	char **variants;
	unsigned nvariants;
	unsigned written;
};

static void add_series(struct plot_spec *p, const char *title)
{
	p->series = xrealloc(p->series, (p->nseries + 1) * sizeof(*p->series));
	memset(&p->series[p->nseries], 0, sizeof(*p->series));
	p->series[p->nseries++].title = xstrdup(title);
}

static void free_spec(struct plot_spec *p)
{
	for (unsigned i = 0; i < p->nseries; i++)
		plot_series_free(&p->series[i]);
	free(p->series);
}

static char *series_title(const struct plotter *pl, unsigned c, const char *variant)
{
	if (*variant)
		return xasprintf("%s %s", pl->t->labels[c], variant_value(variant));
	return xstrdup(pl->t->labels[c]);
}

static int emit(struct plotter *pl, struct plot_spec *p)
{
	int ret = plot_write(p);

	if (!ret) {
		printf("%s/%s.png\n%s/%s.svg\n", p->dir, p->name, p->dir, p->name);
		pl->written++;
	}
	free_spec(p);
	return ret;
}

/* Throughput, and per-CPU efficiency relative to the smallest step of each line. */
static int plot_scaling(struct plotter *pl, bool efficiency)
{
	const struct cmp_group *g = pl->g;
	struct plot_spec p = { .dir = pl->dir, .hline = efficiency ? 1 : NAN };
	char name[256], title[2048], ylabel[160];
	unsigned c, v, r;
	bool hb = true;

	for (c = 0; c < pl->t->ncols; c++)
		for (v = 0; v < pl->nvariants; v++) {
			struct plot_series *s;
			char *st = series_title(pl, c, pl->variants[v]);
			double base = NAN;

			add_series(&p, st);
			free(st);
			s = &p.series[p.nseries - 1];
			for (r = 0; r < g->nrows; r++) {
				const struct cmp_row *row = &g->rows[r];
				struct cmp_stats cs;
				double k;

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
				if (isnan(base))
					base = cs.mean / row->ncpus;
				k = 1.0 / row->ncpus / base;
				plot_series_add(s, row->ncpus, cs.mean * k, cs.min * k, cs.max * k);
			}
		}
	if (efficiency && !hb) {
		free_spec(&p);
		return FB_OK; /* a time per operation has no per-CPU efficiency to speak of */
	}
	snprintf(name, sizeof(name), "%s-%s", g->name, efficiency ? "efficiency" : "throughput");
	p.name = name;
	make_title(title, sizeof(title), pl->t, g,
		   efficiency ? "per-CPU efficiency vs CPUs (1 = linear scaling)"
			      : "throughput vs CPUs (mean of repeats, bars: min-max)");
	p.title = title;
	if (efficiency)
		snprintf(ylabel, sizeof(ylabel), "%s per CPU / the same at the smallest step",
			 pl->metric);
	else
		snprintf(ylabel, sizeof(ylabel), "%s (%s)", pl->metric,
			 hb ? "higher is better" : "lower is better");
	p.ylabel = ylabel;
	return emit(pl, &p);
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
	char name[256], title[2048], ylabel[256], what[256];
	unsigned c, v, r;

	if (g->ratio_metric) {
		for (r = 0; r < g->nrows; r++)
			if (!strcmp(g->rows[r].metric, g->ratio_metric))
				metric = g->ratio_metric;
	}
	for (c = 0; c < pl->t->ncols; c++)
		for (v = 1; v < pl->nvariants; v++) {
			char *st =
			    xasprintf("%s %s/%s", pl->t->labels[c], variant_value(pl->variants[v]),
				      variant_value(pl->variants[0]));
			struct plot_series *s;

			add_series(&p, st);
			free(st);
			s = &p.series[p.nseries - 1];
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
	snprintf(what, sizeof(what), "ratio of %s of each variant to '%s' vs CPUs", metric,
		 variant_value(pl->variants[0]));
	make_title(title, sizeof(title), pl->t, g, what);
	p.title = title;
	snprintf(ylabel, sizeof(ylabel), "%s ratio (variant / %s)", metric,
		 variant_value(pl->variants[0]));
	p.ylabel = ylabel;
	return emit(pl, &p);
}

/* The result names its ratio metric (pagelock, dio); the benchmark code built in is not asked. */
static bool has_ratio(const struct cmp_group *g)
{
	return g->ratio_metric != NULL;
}

static int plot_group(const char *dir, const struct cmp_table *t, const struct cmp_group *g,
		      const char *metric, unsigned *written)
{
	struct plotter pl = { .dir = dir, .t = t, .g = g };
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
	ret = plot_scaling(&pl, false);
	if (!ret)
		ret = plot_scaling(&pl, true);
	/* only where the benchmark says the variants are alternatives of one another */
	if (!ret && pl.nvariants > 1 && has_ratio(g))
		ret = plot_ratio(&pl);
	free(pl.variants);
	*written += pl.written;
	return ret;
}

static int plot_runs(char **args, unsigned nruns, const struct plot_cmd_opts *c)
{
	struct cmp_opts o = { .all = true, .quiet = true };
	struct cmp_table t = { 0 };
	struct resultset *runs;
	unsigned g, written = 0;
	int ret;

	ret = resultset_load_all(&runs, args, nruns);
	if (!ret)
		ret = cmp_build(runs, nruns, &o, &t);
	for (g = 0; g < t.ngroups && !ret; g++)
		ret = plot_group(c->output, &t, &t.groups[g], c->metric, &written);
	if (!ret && !written)
		ret = fb_usage("nothing plotted: no complete steps in %s", args[0]);
	cmp_free(&t);
	resultset_free_all(runs, nruns);
	return ret;
}

int cmd_plot(int argc, char **argv)
{
	struct plot_cmd_opts c;
	struct opt_binding b = { plot_options, &c };
	int nruns, ret;

	/* "plot A B -o DIR": the RUNs end up at argv[1..nruns] */
	ret = opt_parse_command(&b, argc, argv, true, usage, &nruns);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	if (nruns < 1)
		return usage(stderr);
	if (!*c.output)
		return fb_usage("option '--output' is empty; name a directory");
	return plot_runs(argv + 1, (unsigned)nruns, &c);
}
