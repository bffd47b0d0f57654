// SPDX-License-Identifier: GPL-2.0
/*
 * The verdicts of a comparison table: which differences earn a star, and how
 * large a difference each row could have detected.  See compare.h for why
 * the replicate is a run, not a repeat.
 *
 * Per row and candidate column:
 *  - each run's value is the harmonic (rates) or arithmetic mean of its
 *    repeats; rates are compared on a log scale, since they are ratio-scale
 *    and their noise grows with them (a 5% wobble of 1M faults/s is 50k);
 *    rows with a zero or negative value stay on the plain scale;
 *  - the run-to-run variance comes from the runs (when a side has two or
 *    more), from the noise model of this machine, or both pooled; when the
 *    runs vary significantly more than the model says (F test, 1%), the
 *    model is stale or the machine busier than when it was measured, and
 *    only the runs are used;
 *  - Student's t on the difference of the per-run means;
 *  - the stars of one column are a Benjamini-Hochberg family over its tested
 *    rows at a false discovery rate of CMP_ALPHA: a table of 40 rows must
 *    not carry two false stars by chance;
 *  - the detectable effect uses alpha / m (m tested rows), the level BH
 *    applies to a row that changes alone: a missing star means "smaller
 *    than this, or not there", never "no change".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats.h"
#include "util.h"

#define MODEL_F_ALPHA	0.01 /* runs vs model: disagreement worth saying */
#define MAX_RUNS_NEEDED 1000
/* rare by chance: an A/A run of the model's conditions is kept out about 1 time in 1000 */
#define MODEL_SPREAD_ALPHA 0.001
#define MODEL_SPREAD_RATIO 4.0 /* within-run variance this many times the model's: "far beyond" */

unsigned cmp_cell_runs(const struct cmp_cell *c, bool hb, double *out, double *repeats)
{
	unsigned nr = 0, i, k;
	double *vals = xmalloc((c->n ? c->n : 1) * sizeof(*vals));

	for (i = 0; i < c->n; i++) {
		unsigned nv = 0;
		bool seen = false;

		for (k = 0; k < i && !seen; k++)
			seen = c->run[k] == c->run[i];
		if (seen)
			continue;
		for (k = i; k < c->n; k++)
			if (c->run[k] == c->run[i])
				vals[nv++] = c->v[k];
		out[nr] = hb ? stats_hmean(vals, nv) : stats_mean(vals, nv);
		/* a stalled repeat (rate 0) has no reciprocal: the plain mean then */
		if (isnan(out[nr]))
			out[nr] = stats_mean(vals, nv);
		nr++;
	}
	free(vals);
	if (repeats)
		*repeats = nr ? (double)c->n / nr : NAN;
	return nr;
}

static double scaled(double v, bool log_scale)
{
	return log_scale ? log(v) : v;
}

double cmp_cell_within_var(const struct cmp_cell *c, bool log_scale, double *df)
{
	double *y = xmalloc((c->n ? c->n : 1) * sizeof(*y)), var;

	for (unsigned i = 0; i < c->n; i++)
		y[i] = c->v[i] > 0 || !log_scale ? scaled(c->v[i], log_scale) : NAN;
	var = stats_pooled_var(y, c->run, c->n, df);
	free(y);
	return isfinite(var) ? var : NAN;
}

static bool all_positive(const double *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (!(v[i] > 0))
			return false;
	return true;
}

/* The change in percent, positive = better, from a difference on the test scale. */
static double change_pct(double diff, double base, bool log_scale, bool hb)
{
	if (log_scale)
		return 100 * (exp(hb ? diff : -diff) - 1);
	return 100 * (hb ? diff : -diff) / fabs(base);
}

/* A detectable difference on the test scale, as a percentage of the baseline. */
static double detect_pct(double d, double base, bool log_scale)
{
	if (isnan(d))
		return NAN;
	return log_scale ? 100 * (exp(d) - 1) : 100 * d / fabs(base);
}

struct sides {
	double *y;	/* both sides' per-run values, test scale: a's first */
	unsigned *side; /* 0 or 1 */
	unsigned na, nb;
	double mean_a, mean_b, base; /* base: the baseline's mean on the plain scale */
};

/*
 * Is the spread of the repeats inside this cell's runs far beyond the
 * model's (F test at MODEL_F_ALPHA and over MODEL_SPREAD_RATIO times its
 * variance)?  Then these runs were measured under other conditions than the
 * model (a busier machine, another setting), and the model says nothing
 * about them.
 */
static bool spread_beyond(const struct cmp_cell *c, const struct noise_entry *e, bool log_scale)
{
	double df, var = cmp_cell_within_var(c, log_scale, &df);

	if (!(df >= 1) || !(e->df_within >= 1) || !(e->var_within > 0) || !isfinite(var))
		return false;
	return var > MODEL_SPREAD_RATIO * e->var_within &&
	       stats_f_upper(var / e->var_within, df, e->df_within) < MODEL_SPREAD_ALPHA;
}

/* The first run of the row that keeps the model out, for the footer. */
static void note_skip(char *buf, size_t len, const struct cmp_group *g, const struct cmp_row *r,
		      const char *path)
{
	char name[128];

	if (*buf)
		return;
	cmp_row_name(r, name, sizeof(name));
	snprintf(buf, len, "%s %s: %s", g->name, name, path ? path : "?");
}

static void model_variance(struct cmp_table *t, struct cmp_verdict *v, const struct cmp_opts *o,
			   const struct cmp_group *g, const struct cmp_row *r, unsigned col,
			   double *var_m, double *df_m, const struct noise_model **used)
{
	const struct noise_entry *e = NULL;
	const struct cmp_cell *a = &r->cells[0], *b = &r->cells[col];

	*var_m = NAN;
	*df_m = 0;
	*used = NULL;
	if (o && o->noise)
		e = noise_find(o->noise, g->docs[0], g->name, r->variant, r->ncpus, r->metric,
			       used);
	if (e)
		v->model_run_pct = noise_run_pct(e, e->repeats);
	/* a model of log values says nothing about a row on the plain scale */
	if (!e || e->log_scale != v->log_scale) {
		*used = NULL;
		return;
	}
	/* a model is the machine undisturbed: a disturbed run is judged on the runs alone */
	if (a->disturbed || b->disturbed) {
		v->model_skipped_disturbed = true;
		if (r->tested_metric) {
			t->skipped_disturbed++;
			note_skip(t->skipped_disturbed_run, sizeof(t->skipped_disturbed_run), g, r,
				  a->disturbed ? a->disturbed_path : b->disturbed_path);
		}
		*used = NULL;
		return;
	}
	if (spread_beyond(a, e, v->log_scale) || spread_beyond(b, e, v->log_scale)) {
		v->model_skipped_spread = true;
		if (r->tested_metric) {
			t->skipped_spread++;
			note_skip(t->skipped_spread_run, sizeof(t->skipped_spread_run), g, r,
				  json_string_value(json_object_get(
				      spread_beyond(a, e, v->log_scale) ? g->docs[0] : g->docs[col],
				      "label")));
		}
		*used = NULL;
		return;
	}
	*var_m = noise_var_for(e, v->repeats);
	*df_m = e->df_run;
	if (r->tested_metric && (!t->model_min_runs || e->runs < t->model_min_runs))
		t->model_min_runs = e->runs ? e->runs : (unsigned)(e->df_run + 1);
}

/* Choose the run-to-run variance: runs, model, or both pooled. */
static void choose_variance(struct cmp_verdict *v, double var_d, double df_d, double var_m,
			    double df_m)
{
	bool have_model = df_m >= 1 && var_m > 0, have_runs = df_d >= 1 && var_d >= 0;

	v->source = VAR_NONE;
	if (have_model && have_runs && var_d > 0) {
		double f = var_d / var_m;

		if (stats_f_upper(f, df_d, df_m) < MODEL_F_ALPHA) {
			v->model_disagrees = true;
			have_model = false;
		} else if (stats_f_upper(1 / f, df_m, df_d) < MODEL_F_ALPHA) {
			v->model_exceeds = true; /* pooled all the same: the cautious side */
		}
	}
	if (have_model && have_runs) {
		v->source = VAR_POOLED;
		v->var = (df_m * var_m + df_d * var_d) / (df_m + df_d);
		v->df = df_m + df_d;
	} else if (have_model) {
		v->source = VAR_MODEL;
		v->var = var_m;
		v->df = df_m;
	} else if (have_runs) {
		v->source = VAR_RUNS;
		v->var = var_d;
		v->df = df_d;
	}
}

static bool load_sides(struct sides *s, const struct cmp_row *r, unsigned col, double *rep)
{
	const struct cmp_cell *a = &r->cells[0], *b = &r->cells[col];
	double ra, rb;
	unsigned i;

	s->y = xmalloc((a->n + b->n + 1) * sizeof(*s->y));
	s->side = xmalloc((a->n + b->n + 1) * sizeof(*s->side));
	s->na = cmp_cell_runs(a, r->higher_better, s->y, &ra);
	s->nb = cmp_cell_runs(b, r->higher_better, s->y + s->na, &rb);
	if (!s->na || !s->nb)
		return false;
	*rep = (ra * s->na + rb * s->nb) / (s->na + s->nb);
	s->base = r->higher_better ? stats_hmean(s->y, s->na) : stats_mean(s->y, s->na);
	if (isnan(s->base))
		s->base = stats_mean(s->y, s->na);
	for (i = 0; i < s->na + s->nb; i++)
		s->side[i] = i >= s->na;
	return true;
}

static void verdict_row(struct cmp_table *t, const struct cmp_group *g, struct cmp_row *r,
			unsigned col, const struct cmp_opts *o)
{
	struct cmp_verdict *v = &r->verdicts[col];
	struct sides s = { 0 };
	const struct noise_model *used;
	double var_d, df_d, var_m, df_m;
	struct runtest rt;
	unsigned i;

	memset(v, 0, sizeof(*v));
	v->p = v->q = v->diff_pct = v->detect_pct = v->model_run_pct = NAN;
	if (!load_sides(&s, r, col, &v->repeats))
		goto out;
	v->runs_a = s.na;
	v->runs_b = s.nb;
	v->log_scale = all_positive(s.y, s.na + s.nb);
	for (i = 0; i < s.na + s.nb; i++)
		s.y[i] = scaled(s.y[i], v->log_scale);
	s.mean_a = stats_mean(s.y, s.na);
	s.mean_b = stats_mean(s.y + s.na, s.nb);
	v->diff_pct = change_pct(s.mean_b - s.mean_a, s.base, v->log_scale, r->higher_better);
	var_d = stats_pooled_var(s.y, s.side, s.na + s.nb, &df_d);
	model_variance(t, v, o, g, r, col, &var_m, &df_m, &used);
	choose_variance(v, var_d, df_d, var_m, df_m);
	if (used && (v->source == VAR_MODEL || v->source == VAR_POOLED)) {
		for (i = 0; i < t->nmodels_used && t->models_used[i] != used; i++)
			;
		if (i == t->nmodels_used) {
			t->models_used = xrealloc(t->models_used,
						  (t->nmodels_used + 1) * sizeof(*t->models_used));
			t->models_used[t->nmodels_used++] = used;
		}
	}
	if (r->tested_metric) {
		t->disagreeing_rows += v->model_disagrees;
		t->exceeding_rows += v->model_exceeds;
	}
	if (v->source == VAR_NONE || v->df < CMP_MIN_DF)
		goto out;
	rt = stats_runtest(s.mean_a, s.na, s.mean_b, s.nb, v->var, v->df);
	v->tested = rt.valid;
	v->p = rt.p;
	v->se = rt.se;
	v->base = s.base;
	v->df_model = v->source == VAR_MODEL ? v->df : v->source == VAR_POOLED ? df_m : 0;
out:
	free(s.y);
	free(s.side);
}

/* Runs a side for a detectable change of target percent, 0 when over MAX_RUNS_NEEDED. */
static unsigned runs_needed(const struct cmp_verdict *v, double alpha_row, double target)
{
	double want = v->log_scale ? log(1 + target / 100) : target / 100 * fabs(v->base);

	for (unsigned k = 1; k <= MAX_RUNS_NEEDED; k++) {
		/* k runs a side add 2(k - 1) degrees of freedom to the model's */
		double df = v->df_model + 2.0 * (k - 1);
		double d = stats_detectable(sqrt(v->var * 2.0 / k), df, alpha_row, CMP_POWER);

		if (d <= want)
			return k;
	}
	return 0;
}

/* The BH family of one column: adjusted p-values, stars, detectable effects. */
static void finish_column(struct cmp_table *t, unsigned col, double target)
{
	double *p = NULL, *q;
	struct cmp_verdict **vs = NULL;
	unsigned n = 0, i, g, r;
	size_t m;

	for (g = 0; g < t->ngroups; g++)
		for (r = 0; r < t->groups[g].nrows; r++) {
			struct cmp_row *row = &t->groups[g].rows[r];

			if (!row->tested_metric || !row->verdicts[col].tested)
				continue;
			p = xrealloc(p, (n + 1) * sizeof(*p));
			vs = xrealloc(vs, (n + 1) * sizeof(*vs));
			p[n] = row->verdicts[col].p;
			vs[n++] = &row->verdicts[col];
		}
	q = xmalloc((n ? n : 1) * sizeof(*q));
	m = stats_bh_adjust(p, n, q);
	t->family[col] = (unsigned)m;
	for (i = 0; i < n; i++) {
		struct cmp_verdict *v = vs[i];
		double alpha_row = CMP_ALPHA / (double)m;

		v->q = q[i];
		v->significant = q[i] <= CMP_ALPHA;
		v->detect_pct = detect_pct(stats_detectable(v->se, v->df, alpha_row, CMP_POWER),
					   v->base, v->log_scale);
		v->runs_needed = runs_needed(v, alpha_row, target);
	}
	free(p);
	free(q);
	free(vs);
}

void cmp_analyse(struct cmp_table *t, const struct cmp_opts *o)
{
	unsigned c, g, r;

	t->detect_target = o && o->detect_pct > 0 ? o->detect_pct : 5;
	t->nmodels_given = o && o->noise ? o->noise->n : 0;
	t->noise = o ? o->noise : NULL;
	t->disturbed = 0;
	for (g = 0; g < t->ngroups; g++)
		for (r = 0; r < t->groups[g].nrows; r++)
			for (c = 0; c < t->ncols; c++)
				t->disturbed += t->groups[g].rows[r].cells[c].disturbed > 0;
	t->family = xcalloc(t->ncols, sizeof(*t->family));
	for (c = 1; c < t->ncols; c++) {
		for (g = 0; g < t->ngroups; g++)
			for (r = 0; r < t->groups[g].nrows; r++)
				verdict_row(t, &t->groups[g], &t->groups[g].rows[r], c, o);
		finish_column(t, c, t->detect_target);
	}
}

/* A noise model entry from one row of a one-column table; false if under 2 runs. */
static bool row_entry(const struct cmp_group *g, const struct cmp_row *r, struct noise_entry *e)
{
	const struct cmp_cell *c = &r->cells[0];
	double *y = xmalloc((c->n + 1) * sizeof(*y));
	unsigned k, i;
	bool log_scale = true;

	memset(e, 0, sizeof(*e));
	k = cmp_cell_runs(c, r->higher_better, y, &e->repeats);
	for (i = 0; i < k; i++)
		log_scale &= y[i] > 0;
	for (i = 0; i < k; i++)
		y[i] = scaled(y[i], log_scale);
	e->name = g->name;
	e->variant = r->variant;
	e->metric = r->metric;
	e->ncpus = r->ncpus;
	e->log_scale = log_scale;
	e->runs = k;
	e->var_run = k >= 2 ? pow(stats_stddev(y, k), 2) : NAN;
	e->df_run = k - 1.0;
	e->var_within = cmp_cell_within_var(c, log_scale, &e->df_within);
	free(y);
	return k >= 2 && isfinite(e->var_run);
}

void cmp_derive_noise(const struct cmp_table *t, struct noise_model *m)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++) {
			struct noise_entry e;

			if (row_entry(&t->groups[g], &t->groups[g].rows[r], &e))
				noise_model_add(m, &e,
						json_object_get(t->groups[g].docs[0], "params"));
		}
}

enum cmp_check cmp_check_row(const struct cmp_row *r, double threshold)
{
	const struct cmp_verdict *v = &r->verdicts[1];

	if (v->tested && v->significant && v->diff_pct < -threshold)
		return CHECK_REGRESSION;
	/* "ok" is a claim: a regression of the threshold's size would have shown */
	if (v->tested && v->detect_pct <= threshold)
		return CHECK_OK;
	return CHECK_UNDECIDED;
}
