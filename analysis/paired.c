// SPDX-License-Identifier: GPL-2.0
/*
 * The within-run paired verdict for variants (paired.h): per CPU count,
 * every variant against the run's first, on the headline metric, by a
 * Wilcoxon signed-rank test on the per-repeat log ratios.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>

#include "paired.h"
#include "util.h"

/*
 * Did the hypervisor steal more than steal_max of a sample's time from a
 * pinned CPU?  One /proc/stat tick of it is within the reading's error
 * (the sample's "tick", as the engine's own rule allows).
 */
static bool sample_stolen(json_t *smp, double steal_max)
{
	json_t *intf = json_object_get(smp, "interference"), *v;
	double tick = json_number_value(json_object_get(intf, "tick"));
	size_t p;

	json_array_foreach (json_object_get(intf, "steal"), p, v)
		if (json_is_number(v) && json_number_value(v) - tick > steal_max)
			return true;
	return false;
}

/*
 * The workers' CPU time (perf task-clock) per page counted, over a step's
 * samples: what a slower fault path costs, whatever share of the CPU the
 * workers got.  Samples the hypervisor stole from are left out: a vCPU it
 * stopped keeps its guest clock running, so stolen time lands in
 * task-clock.  Another task on the worker's CPU, or a wait on its run
 * queue, takes wall time, not the worker's CPU time, so those samples stay
 * (both sides of a pair share what such a host does to the caches).  NAN
 * without task-clock events or counted pages.
 */
static double step_cpu_per_page(json_t *step, double steal_max)
{
	json_t *events = json_object_get(step, "events"), *smp, *w, *ev;
	double ns = 0, pages = 0;
	size_t i, j, tc;

	json_array_foreach (events, tc, ev)
		if (!strcmp(json_string_value(ev) ?: "", "task-clock"))
			break;
	if (tc >= json_array_size(events))
		return NAN;
	json_array_foreach (json_object_get(step, "samples"), i, smp) {
		if (sample_stolen(smp, steal_max))
			continue;
		json_array_foreach (json_object_get(smp, "workers"), j, w) {
			ns += json_number_value(json_array_get(json_object_get(w, "ev"), tc));
			pages += json_number_value(json_array_get(json_object_get(w, "count"), 0));
		}
	}
	return pages > 0 ? ns / pages : NAN;
}

/* The steal bound the run was judged by (its "interference.bounds"), else the default. */
static double steal_bound(json_t *doc)
{
	json_t *b = json_object_get(json_object_get(json_object_get(doc, "interference"), "bounds"),
				    "steal_max");

	return json_is_number(b) ? json_number_value(b) : 0.02;
}

/*
 * A step's value of metric, or NAN when it is missing, broken or disturbed
 * for it: the headline metric leaves out a disturbed step (another task or
 * the hypervisor took wall time from it); the CPU time per page only its
 * stolen samples (step_cpu_per_page).
 */
static double step_value(json_t *step, const char *metric, double steal_max, bool *higher_better)
{
	json_t *m = json_object_get(json_object_get(step, "metrics"), metric);
	double v;

	if (!json_is_true(json_object_get(step, "complete")))
		return NAN;
	if (!strcmp(metric, PAIRED_CPU_METRIC)) {
		*higher_better = false;
		v = step_cpu_per_page(step, steal_max);
	} else {
		/* interference is recorded by newer engines; no key: unknown, kept */
		if (!m || json_is_true(
			      json_object_get(json_object_get(step, "interference"), "disturbed")))
			return NAN;
		*higher_better = !json_is_false(json_object_get(m, "higher_better"));
		v = json_number_value(json_object_get(m, "value"));
	}
	return isfinite(v) && v > 0 ? v : NAN;
}

static json_t *find_step(json_t *steps, const char *variant, unsigned ncpus, json_int_t repeat)
{
	size_t i;
	json_t *s;

	json_array_foreach (steps, i, s)
		if (json_integer_value(json_object_get(s, "repeat")) == repeat &&
		    json_integer_value(json_object_get(s, "ncpus")) == (json_int_t)ncpus &&
		    !strcmp(json_string_value(json_object_get(s, "variant")) ?: "", variant))
			return s;
	return NULL;
}

/*
 * P(W+ <= w) for the Wilcoxon signed-rank statistic of n pairs under the
 * null (each rank's sign a fair coin): counts of rank subsets by their sum,
 * exactly for n <= PAIRED_EXACT_MAX, else the normal approximation.
 */
#define PAIRED_EXACT_MAX 200

static double signed_rank_cdf(unsigned n, double w)
{
	unsigned max = n * (n + 1) / 2;
	double *count, total = 0, below = 0;

	if (w < 0)
		return 0;
	if (n > PAIRED_EXACT_MAX) {
		double mean = n * (n + 1) / 4.0, sd = sqrt(n * (n + 1) * (2 * n + 1) / 24.0);

		return gsl_cdf_ugaussian_P((w + 0.5 - mean) / sd);
	}
	count = xcalloc(max + 1, sizeof(double));
	count[0] = 1;
	for (unsigned k = 1; k <= n; k++)
		for (unsigned s = max; s >= k; s--)
			count[s] += count[s - k];
	for (unsigned s = 0; s <= max; s++) {
		total += count[s];
		if (s <= w)
			below += count[s];
	}
	free(count);
	return below / total;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Wilcoxon's signed-rank test and the Hodges-Lehmann estimate with its
 * interval (from the Walsh averages (d_i + d_j) / 2, i <= j): one repeat
 * the host starved (a step at 1% of its CPU, seen on the shared VM) moves
 * a t-test's mean by its whole size, but these by one rank.
 */
static void pair_stats(struct paired_row *r, const double *d)
{
	unsigned n = r->pairs, m = n * (n + 1) / 2, k, j, i;
	double *walsh, wplus = 0, lower;

	r->mean = r->lo = r->hi = r->p = NAN;
	if (!n)
		return;
	walsh = xcalloc(m, sizeof(double));
	for (i = 0, k = 0; i < n; i++)
		for (j = i; j < n; j++)
			walsh[k++] = (d[i] + d[j]) / 2;
	qsort(walsh, m, sizeof(double), cmp_double);
	r->mean = m % 2 ? walsh[m / 2] : (walsh[m / 2 - 1] + walsh[m / 2]) / 2;
	if (n >= 2) {
		/* W+ (ties by mid-rank) = the number of positive Walsh averages */
		for (i = 0; i < m; i++)
			wplus += walsh[i] > 0 ? 1 : walsh[i] == 0 ? 0.5 : 0;
		lower = signed_rank_cdf(n, wplus < m - wplus ? wplus : m - wplus);
		r->p = fmin(1, 2 * lower);
		/* the interval: drop the c lowest and highest, P(W+ <= c - 1) <= alpha/2 */
		for (k = 0; k < m / 2 && signed_rank_cdf(n, k) <= PAIRED_ALPHA / 2; k++)
			;
		if (k > 0) {
			r->lo = walsh[k - 1];
			r->hi = walsh[m - k];
		}
	}
	free(walsh);
}

/* base against variant at ncpus over the repeats 0 .. nrep - 1. */
static void analyse_pair(json_t *steps, const char *metric, double steal_max, struct paired_row *r,
			 json_int_t nrep)
{
	double *d = xcalloc((size_t)nrep, sizeof(double));

	for (json_int_t rep = 0; rep < nrep; rep++) {
		json_t *a = find_step(steps, r->base, r->ncpus, rep);
		json_t *b = find_step(steps, r->variant, r->ncpus, rep);
		double va = a ? step_value(a, metric, steal_max, &r->higher_better) : NAN;
		double vb = b ? step_value(b, metric, steal_max, &r->higher_better) : NAN;
		json_int_t gap;

		if (isnan(va) || isnan(vb)) {
			r->skipped++;
			continue;
		}
		gap = json_integer_value(json_object_get(b, "index")) -
		      json_integer_value(json_object_get(a, "index"));
		if ((unsigned)llabs(gap) > r->max_gap)
			r->max_gap = (unsigned)llabs(gap);
		d[r->pairs++] = log(vb / va);
	}
	pair_stats(r, d);
	free(d);
}

/* The distinct variant names and CPU counts of the steps, in first-seen order. */
static void collect(json_t *steps, const char ***variants, unsigned *nv, unsigned **cpus,
		    unsigned *nc, json_int_t *nrep)
{
	size_t i;
	json_t *s;

	*nv = *nc = 0;
	*nrep = 0;
	json_array_foreach (steps, i, s) {
		const char *v = json_string_value(json_object_get(s, "variant")) ?: "";
		unsigned c = (unsigned)json_integer_value(json_object_get(s, "ncpus"));
		json_int_t rep = json_integer_value(json_object_get(s, "repeat"));
		unsigned k;

		if (rep + 1 > *nrep)
			*nrep = rep + 1;
		for (k = 0; k < *nv && strcmp((*variants)[k], v); k++)
			;
		if (k == *nv) {
			*variants = xrealloc(*variants, (*nv + 1) * sizeof(**variants));
			(*variants)[(*nv)++] = v;
		}
		for (k = 0; k < *nc && (*cpus)[k] != c; k++)
			;
		if (k == *nc) {
			*cpus = xrealloc(*cpus, (*nc + 1) * sizeof(**cpus));
			(*cpus)[(*nc)++] = c;
		}
	}
}

/*
 * The baseline of variant v: the first variant that differs from it only in
 * the first part of its name ("cost=150/4k" against "cost=0/4k", "thp/own"
 * against "4k/own"), or NULL when v is such a first one itself.
 */
static const char *base_of(const char **variants, unsigned v)
{
	const char *rest = strchr(variants[v], '/') ?: "";

	for (unsigned k = 0; k < v; k++)
		if (!strcmp(strchr(variants[k], '/') ?: "", rest))
			return variants[k];
	return NULL;
}

void paired_analyse(json_t *doc, double threshold_pct, struct paired_row **rows, unsigned *n)
{
	json_t *steps = json_object_get(doc, "steps");
	const char *headline = json_string_value(json_object_get(doc, "headline_metric"));
	const char *metrics[2] = { headline, PAIRED_CPU_METRIC };
	const char **variants = NULL;
	unsigned *cpus = NULL, nv, nc;
	json_int_t nrep;

	*rows = NULL;
	*n = 0;
	if (!headline || !json_is_array(steps))
		return;
	collect(steps, &variants, &nv, &cpus, &nc, &nrep);
	if (nv >= 2 && nrep >= 2) {
		*rows = xcalloc((size_t)nc * (nv - 1) * 2, sizeof(**rows));
		for (unsigned c = 0; c < nc; c++)
			for (unsigned v = 1; v < nv; v++)
				for (unsigned k = 0; k < 2; k++) {
					const char *base = base_of(variants, v);
					struct paired_row *r = &(*rows)[*n];

					if (!base)
						continue;
					*r = (struct paired_row){ .ncpus = cpus[c],
								  .base = base,
								  .variant = variants[v],
								  .metric = metrics[k],
								  .higher_better = true,
								  .threshold = threshold_pct };
					analyse_pair(steps, metrics[k], steal_bound(doc), r, nrep);
					/* no task-clock in the result: no CPU-time row */
					if (r->pairs || !k)
						(*n)++;
				}
	}
	free(variants);
	free(cpus);
}

double paired_pct(const struct paired_row *r, double log_ratio)
{
	double pct = (exp(log_ratio) - 1) * 100;

	return r->higher_better ? pct : -pct;
}

/*
 * Significance alone would call a real but tiny change "worse": two
 * variants' positions in the ABBA order differ by 0.3-1.1% on the
 * development VM (A/A trials, docs/compare.md).  As check does, a change
 * is worse or better only when it is significant and its estimate is
 * beyond the threshold; a significant change inside it says so.
 */
const char *paired_verdict(const struct paired_row *r)
{
	double pct = paired_pct(r, r->mean);

	if (isnan(r->p) || r->p > PAIRED_ALPHA)
		return "no difference shown";
	if (fabs(pct) <= r->threshold)
		return pct < 0 ? "worse, within the threshold" : "better, within the threshold";
	return pct < 0 ? "worse" : "better";
}

static void print_row(FILE *f, const char *bench, const struct paired_row *r)
{
	double a = paired_pct(r, r->lo), b = paired_pct(r, r->hi);

	fprintf(f, "  %-8s %4u  %s vs %s  %s %+.2f%%", bench, r->ncpus, fb_esc(r->variant),
		fb_esc(r->base), r->metric, paired_pct(r, r->mean));
	if (!isnan(r->lo))
		fprintf(f, " [%+.2f%%, %+.2f%%]", a < b ? a : b, a < b ? b : a);
	if (!isnan(r->p))
		fprintf(f, "  p=%.3g", r->p);
	fprintf(f, "  %u pairs", r->pairs);
	if (r->skipped)
		fprintf(f, " (%u left out: missing, broken or disturbed)", r->skipped);
	if (r->max_gap > 1)
		fprintf(f, " (not adjacent: up to %u steps apart)", r->max_gap);
	fprintf(f, "  %s\n", paired_verdict(r));
}

/* The name a row is printed under: the preset, else the benchmark. */
static const char *bench_name(json_t *doc)
{
	return json_string_value(json_object_get(doc, "preset"))
		   ?: json_string_value(json_object_get(doc, "bench"));
}

/* "pf1-20261207-171956.json" of ".../res/lab/pf1-20261207-171956.json" */
static const char *last_part(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

void paired_print(FILE *f, const struct resultset *runs, unsigned nruns, double threshold_pct)
{
	bool header = false;

	for (unsigned i = 0; i < nruns; i++)
		for (unsigned j = 0; j < runs[i].n; j++) {
			struct paired_row *rows;
			unsigned n;
			const char *bench = bench_name(runs[i].docs[j]);

			paired_analyse(runs[i].docs[j], threshold_pct, &rows, &n);
			if (n && !header) {
				fprintf(
				    f,
				    "\nPaired within each run (variants interleaved ABBA by "
				    "repeat; ln(B/A) per repeat: Hodges-Lehmann, %.0f%% interval, "
				    "Wilcoxon signed-rank p; "
				    "positive = better; worse or better: p <= %.2g and beyond "
				    "%.3g%%):\n",
				    (1 - PAIRED_ALPHA) * 100, PAIRED_ALPHA, threshold_pct);
				header = true;
			}
			/*
			 * The run by its label and file name: the same whether it was
			 * read from a directory or from a store (which keeps absolute
			 * paths); printable, as everything taken from a result.
			 */
			if (n)
				fprintf(f, " %s: %s\n", fb_esc(runs[i].label),
					fb_esc(runs[i].paths ? last_part(runs[i].paths[j])
							     : runs[i].arg));
			for (unsigned k = 0; k < n; k++)
				print_row(f, fb_esc(bench ? bench : "?"), &rows[k]);
			free(rows);
		}
}

static json_t *pct_or_null(const struct paired_row *r, double log_ratio)
{
	return isnan(log_ratio) ? json_null() : json_real(paired_pct(r, log_ratio));
}

static json_t *row_json(const struct resultset *run, unsigned j, const struct paired_row *r)
{
	double a = paired_pct(r, r->lo), b = paired_pct(r, r->hi);
	json_t *o =
	    json_pack("{s:s?, s:s, s:s?, s:I, s:s, s:s, s:s, s:b, s:o, s:I, s:I, s:I, s:s}",
		      "label", run->label, "run", run->paths ? last_part(run->paths[j]) : run->arg,
		      "bench", bench_name(run->docs[j]), "ncpus", (json_int_t)r->ncpus, "variant",
		      r->variant, "base", r->base, "metric", r->metric, "higher_better",
		      r->higher_better, "change_pct", pct_or_null(r, r->mean), "pairs",
		      (json_int_t)r->pairs, "left_out", (json_int_t)r->skipped, "max_gap",
		      (json_int_t)r->max_gap, "verdict", paired_verdict(r));

	json_object_set_new(o, "interval_pct",
			    isnan(r->lo) ? json_null()
					 : json_pack("[f,f]", fmin(a, b), fmax(a, b)));
	json_object_set_new(o, "p", isnan(r->p) ? json_null() : json_real(r->p));
	json_object_set_new(o, "threshold_pct", json_real(r->threshold));
	return o;
}

json_t *paired_json(const struct resultset *runs, unsigned nruns, double threshold_pct)
{
	json_t *out = json_array();

	for (unsigned i = 0; i < nruns; i++)
		for (unsigned j = 0; j < runs[i].n; j++) {
			struct paired_row *rows;
			unsigned n;

			paired_analyse(runs[i].docs[j], threshold_pct, &rows, &n);
			for (unsigned k = 0; k < n; k++)
				json_array_append_new(out, row_json(&runs[i], j, &rows[k]));
			free(rows);
		}
	return out;
}

/* Geometric mean over the repeats of a run's valid values at (variant, ncpus). */
static double run_value(json_t *steps, const char *metric, double steal_max, const char *variant,
			json_int_t ncpus, bool *hb)
{
	double sum = 0, v;
	unsigned n = 0;
	size_t i;
	json_t *s;

	json_array_foreach (steps, i, s) {
		if (json_integer_value(json_object_get(s, "ncpus")) != ncpus ||
		    strcmp(json_string_value(json_object_get(s, "variant")) ?: "", variant))
			continue;
		v = step_value(s, metric, steal_max, hb);
		if (isnan(v))
			continue;
		sum += log(v);
		n++;
	}
	return n ? exp(sum / n) : NAN;
}

int paired_run_ratio(json_t *a, json_t *b, bool cpu, double *d, bool *higher_better, double *va,
		     double *vb)
{
	const char *metric =
	    cpu ? PAIRED_CPU_METRIC : json_string_value(json_object_get(a, "headline_metric"));
	json_t *sa = json_object_get(a, "steps"), *sb = json_object_get(b, "steps"), *s;
	double sum = 0;
	unsigned n = 0;
	size_t i;

	/* the CPU time per page leaves out only the steps steal moved (step_value) */
	if (!cpu &&
	    (json_is_true(json_object_get(json_object_get(a, "interference"), "disturbed")) ||
	     json_is_true(json_object_get(json_object_get(b, "interference"), "disturbed"))))
		return FB_UNDECIDED;
	*higher_better = true;
	json_array_foreach (sa, i, s) {
		const char *variant = json_string_value(json_object_get(s, "variant")) ?: "";
		json_int_t ncpus = json_integer_value(json_object_get(s, "ncpus"));
		double x, y;

		/* each (variant, ncpus) once: its first step, repeat 0 */
		if (!metric || json_integer_value(json_object_get(s, "repeat")) != 0)
			continue;
		x = run_value(sa, metric, steal_bound(a), variant, ncpus, higher_better);
		/* B's variant is named by its own knob value: match by position */
		y = run_value(sb, metric, steal_bound(b),
			      json_string_value(json_object_get(json_array_get(sb, i), "variant"))
				  ?: "",
			      ncpus, higher_better);
		if (isnan(x) || isnan(y))
			continue;
		if (!n) {
			*va = x;
			*vb = y;
		}
		sum += log(y / x);
		n++;
	}
	/* a run that counted nothing valid is broken, not a zero: the pair is redone */
	if (!n)
		return FB_UNDECIDED;
	*d = sum / n;
	return FB_OK;
}

/*
 * One repeat's observation for ab's within-run design: the mean over every
 * (CPU count, variant against its base) of ln(B / A) at that repeat, over
 * the pairs valid for the metric.  NAN when none is.
 */
static double repeat_ratio(json_t *doc, const char *metric, const char **variants, unsigned nv,
			   const unsigned *cpus, unsigned nc, json_int_t rep, bool *hb, double *va,
			   double *vb)
{
	json_t *steps = json_object_get(doc, "steps");
	double sum = 0, steal_max = steal_bound(doc);
	unsigned n = 0;

	for (unsigned c = 0; c < nc; c++)
		for (unsigned v = 1; v < nv; v++) {
			const char *base = base_of(variants, v);
			json_t *a = base ? find_step(steps, base, cpus[c], rep) : NULL;
			json_t *b = a ? find_step(steps, variants[v], cpus[c], rep) : NULL;
			double x = a ? step_value(a, metric, steal_max, hb) : NAN;
			double y = b ? step_value(b, metric, steal_max, hb) : NAN;

			if (isnan(x) || isnan(y))
				continue;
			if (isnan(*va)) {
				*va = x;
				*vb = y;
			}
			sum += log(y / x);
			n++;
		}
	return n ? sum / n : NAN;
}

void paired_repeat_ratios(json_t *doc, bool cpu, struct paired_obs *obs)
{
	const char *metric =
	    cpu ? PAIRED_CPU_METRIC : json_string_value(json_object_get(doc, "headline_metric"));
	const char **variants = NULL;
	unsigned *cpus = NULL, nv, nc;
	json_int_t nrep;

	*obs = (struct paired_obs){ .higher_better = true, .va = NAN, .vb = NAN };
	if (!metric || !json_is_array(json_object_get(doc, "steps")))
		return;
	collect(json_object_get(doc, "steps"), &variants, &nv, &cpus, &nc, &nrep);
	if (nv >= 2) {
		obs->d = xcalloc((size_t)nrep, sizeof(double));
		for (json_int_t rep = 0; rep < nrep; rep++) {
			double d = repeat_ratio(doc, metric, variants, nv, cpus, nc, rep,
						&obs->higher_better, &obs->va, &obs->vb);

			if (isnan(d))
				obs->left_out++;
			else
				obs->d[obs->n++] = d;
		}
	}
	free(variants);
	free(cpus);
}
