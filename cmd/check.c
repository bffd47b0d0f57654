// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench check --baseline RUN --candidate RUN: a regression gate with the
 * exit statuses "git bisect run" understands, and three honest answers:
 *
 *   1    a change worse than --threshold that is significant against the
 *        run-to-run noise (Benjamini-Hochberg over the rows checked);
 *   0    no such change, AND every row could have seen one: its detectable
 *        effect (80% power) is within the threshold.  "ok" is a claim that
 *        a regression of that size would have been caught;
 *   125  anything else: the noise (or the lack of run-to-run information)
 *        hides regressions of the threshold's size.  It prints what would
 *        make the question decidable: runs a side, or a noise model.
 *
 * Never "ok" for a change it could not have judged: a -50% that is not
 * significant with this much noise is undecided, not good.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "noise.h"
#include "opt.h"
#include "resultset.h"
#include "store.h"
#include "stats.h"
#include "util.h"

struct check_cmd_opts {
	struct opt_strlist baseline, candidate;
	const char *threshold; /* parsed by cmp_parse_percent() */
	const char *metric;
	const char *noise;
	const char *store;
};

#define K(field) offsetof(struct check_cmd_opts, field)

const struct opt check_options[] = {
	{ .name = "baseline",
	  .type = OPT_STRLIST,
	  .off = K(baseline),
	  .help = "the RUN to measure against (required; repeatable: several RUNs are one "
		  "side, each result file one run, e.g. the reference nights)" },
	{ .name = "candidate",
	  .type = OPT_STRLIST,
	  .off = K(candidate),
	  .help = "the RUN under test (required; repeatable like --baseline)" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = K(threshold),
	  .help = "a regression is a significant change worse than this percentage (2 or 2%)" },
	{ .name = "metric",
	  .type = OPT_STR,
	  .off = K(metric),
	  .help = "the metric to check; without it, each benchmark's headline metric" },
	OPT_NOISE(K(noise)),
	{ .name = "store",
	  .type = OPT_STR,
	  .off = K(store),
	  .help = "the store RUNs 'store:key=value,...' select from: an SQLite file or "
		  "postgresql://... (default " STORE_DEFAULT ")" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench check --baseline RUN --candidate RUN [options]\n"
		"\n"
		"Exit status: 1 a regression worse than the threshold, significant against the\n"
		"run-to-run noise; 0 none, and every step could have shown one of the threshold's\n"
		"size; 125 cannot decide (too much noise for the runs given, no run-to-run\n"
		"information, parameters differ): what 'git bisect run' expects.\n\noptions:\n");
	opt_print_help(f, check_options);
	return FB_USAGE;
}

struct verdict {
	unsigned regressions, undecided, ok, no_info, broken;
	unsigned most_runs; /* runs a side the worst decidable-in-principle row needs */
	bool over;	    /* some row needs more than the limit */
};

static void undecided_row(const struct cmp_group *g, const char *name, const struct cmp_row *r,
			  double pct, double threshold, struct verdict *v)
{
	const struct cmp_verdict *vd = &r->verdicts[1];

	v->undecided++;
	if (!vd->tested) {
		v->no_info++;
		printf("undecided  %s %s: %+.2f%%; %u baseline and %u candidate run%s and no noise "
		       "model: no run-to-run information\n",
		       fb_esc(g->name), name, pct, vd->runs_a, vd->runs_b,
		       vd->runs_b == 1 ? "" : "s");
		return;
	}
	{
		char det[32];

		cmp_fmt_detect(det, sizeof(det), vd->detect_pct);
		printf("undecided  %s %s: %+.2f%%%s; detectable %s > threshold %.2f%% (",
		       fb_esc(g->name), name, pct,
		       vd->significant ? ", significant" : ", not significant", det, threshold);
	}
	if (vd->runs_needed) {
		printf("needs %u runs a side)\n", vd->runs_needed);
		if (vd->runs_needed > v->most_runs)
			v->most_runs = vd->runs_needed;
	} else {
		printf("needs over 1000 runs a side)\n");
		v->over = true;
	}
}

static void check_row(const struct cmp_group *g, const struct cmp_row *r, double threshold,
		      struct verdict *v)
{
	const struct cmp_verdict *vd = &r->verdicts[1];
	struct cmp_stats base, cand;
	char name[160], runs[160];
	double pct;

	cmp_row_name(r, name, sizeof(name));
	for (unsigned side = 0; side < 2; side++)
		if (!r->cells[side].n && r->cells[side].broken) {
			char shown[512]; /* a path from a store: never raw to a terminal */

			/* every run of a side was left out: no value is left to judge */
			v->undecided++;
			v->broken++;
			printf("undecided  %s %s: no valid %s value: %s: %s is %s\n", g->name, name,
			       side ? "candidate" : "baseline",
			       fb_printable(r->cells[side].broken_path, shown, sizeof(shown)),
			       r->metric, r->cells[side].broken_why);
			return;
		}
	if (!r->cells[0].n || !r->cells[1].n)
		return; /* a step only one side has: compare shows it, nothing to judge */
	cmp_cell_stats(&r->cells[0], r->higher_better, &base);
	cmp_cell_stats(&r->cells[1], r->higher_better, &cand);
	pct = vd->tested ? vd->diff_pct : 100 * stats_pdiff(base.mean, cand.mean, r->higher_better);
	switch (cmp_check_row(r, threshold)) {
	case CHECK_REGRESSION:
		v->regressions++;
		printf("REGRESSION %s %s: %.2f -> %.2f (%+.2f%%, worse; q=%.3g, %u vs %u runs)\n",
		       fb_esc(g->name), name, base.mean, cand.mean, pct, vd->q, vd->runs_a,
		       vd->runs_b);
		break;
	case CHECK_OK:
		v->ok++;
		printf("ok         %s %s: %.2f -> %.2f (%+.2f%%%s; detectable +-%.2f%%)\n",
		       fb_esc(g->name), name, base.mean, cand.mean, pct,
		       vd->significant ? ", significant" : "",
		       vd->detect_pct); /* within the threshold: never capped */
		break;
	case CHECK_UNDECIDED:
		undecided_row(g, name, r, pct, threshold, v);
		break;
	}
	/* under the row it concerns, as compare's Runs row says it */
	if (cmp_fmt_row_disturbed(r, 2, runs, sizeof(runs)))
		printf("           disturbed: %s (baseline vs candidate: runs measured while other "
		       "work took CPU time from the workers)\n",
		       runs);
}

/* A metric the baseline does not have is a mistake in the command, not "undecided". */
static bool baseline_has_rows(const struct cmp_table *t)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++)
			if (t->groups[g].rows[r].cells[0].n || t->groups[g].rows[r].cells[0].broken)
				return true;
	return false;
}

/* FB_OK, FB_USAGE, or -1 after printing --help. */
static int parse_options(struct check_cmd_opts *c, double *threshold, int argc, char **argv)
{
	struct opt_binding b = { check_options, c };
	int npos, ret;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret;
	if (cmp_parse_percent("threshold", c->threshold, threshold))
		return FB_USAGE;
	if (!c->baseline.n || !c->candidate.n || npos)
		return usage(stderr);
	return FB_OK;
}

/* The table of both runs; FB_UNDECIDED when their parameters differ. */
static int build_table(const struct check_cmd_opts *c, struct resultset *runs, struct cmp_table *t,
		       const struct noise_models *models, double threshold)
{
	struct cmp_opts o = { .primary_only = true, .quiet = false, .noise = models };
	int ret;

	o.detect_pct = threshold;
	if (c->metric) {
		o.metrics = &c->metric;
		o.nmetrics = 1;
	}
	if (c->store && !*c->store)
		return fb_usage("option '--store' is empty; name a store (an SQLite file or "
				"postgresql://...)");
	ret = resultset_load_merged(&runs[0], c->baseline.v, c->baseline.n, c->store);
	if (!ret)
		ret = resultset_load_merged(&runs[1], c->candidate.v, c->candidate.n, c->store);
	if (!ret) {
		ret = cmp_build(runs, 2, &o, t);
		/* Mismatched parameters: the question has no answer, which is not "bad". */
		if (ret == FB_USAGE)
			ret = FB_UNDECIDED;
	}
	if (!ret && !baseline_has_rows(t))
		ret = fb_usage("check: the baseline %s has no complete step%s%s%s", runs[0].arg,
			       c->metric ? " with metric '" : "", c->metric ? c->metric : "",
			       c->metric ? "'" : "");
	return ret;
}

/* check --noise FILE: say why a model given was not used, rather than nothing. */
static void print_model_unused(const struct cmp_table *t)
{
	char why[512];

	if (!t->nmodels_given || t->nmodels_used)
		return;
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++) {
			const struct cmp_row *row = &t->groups[g].rows[r];

			if (noise_why_unmatched(t->noise, t->groups[g].docs[0], t->groups[g].name,
						row->variant, row->ncpus, row->metric, why,
						sizeof(why))) {
				printf("check: noise model not used: %s\n", fb_esc(why));
				return;
			}
		}
	if (t->skipped_disturbed)
		printf("check: noise model not used: a run was disturbed (%s)\n",
		       fb_esc(t->skipped_disturbed_run));
	else if (t->skipped_spread)
		printf("check: noise model not used: the spread inside the runs is far beyond "
		       "the model's (%s)\n",
		       fb_esc(t->skipped_spread_run));
	else if (t->disagreeing_rows)
		printf("check: noise model not used: the runs vary significantly more than it "
		       "says (stale model or busier machine)\n");
}

/*
 * A candidate with a value no measurement gives, or measured disturbed, must
 * never become a reference night (scripts/nightly.sh looks for this line).
 */
static void print_not_reference(const struct cmp_table *t)
{
	unsigned broken = 0, disturbed = 0;

	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++) {
			broken += t->groups[g].rows[r].cells[1].broken;
			disturbed += t->groups[g].rows[r].cells[1].disturbed;
		}
	if (broken)
		printf("check: not a reference: the candidate has a value no measurement gives "
		       "(runs left out of %u row%s)\n",
		       broken, broken == 1 ? "" : "s");
	if (disturbed)
		printf("check: not a reference: the candidate was measured disturbed (runs in %u "
		       "row%s)\n",
		       disturbed, disturbed == 1 ? "" : "s");
}

static int verdict(const struct cmp_table *t, double threshold)
{
	struct verdict v = { 0 };

	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++)
			check_row(&t->groups[g], &t->groups[g].rows[r], threshold, &v);
	for (unsigned i = 0; i < t->nmodels_used; i++)
		cmp_print_model(stdout, t->models_used[i], "");
	if (t->model_min_runs && t->model_min_runs < CMP_MODEL_MIN_RUNS)
		printf("check: warning: the noise model has only %u runs (df %u) behind some step: "
		       "%d or more are advised\n",
		       t->model_min_runs, t->model_min_runs - 1, CMP_MODEL_MIN_RUNS);
	print_model_unused(t);
	print_not_reference(t);
	if (v.regressions) {
		printf("check: %u regression%s worse than %.2f%%, significant against run-to-run "
		       "noise (Benjamini-Hochberg over %u steps)\n",
		       v.regressions, v.regressions > 1 ? "s" : "", threshold, t->family[1]);
		return FB_FAIL;
	}
	if (v.undecided || !v.ok) {
		printf("check: cannot decide: %u of %u steps could not have shown a %.2f%% "
		       "regression\n",
		       v.undecided, v.undecided + v.ok, threshold);
		if (v.broken)
			printf("check: %u step%s had no valid value left on a side (see above): "
			       "nothing to judge there\n",
			       v.broken, v.broken == 1 ? "" : "s");
		if (v.no_info)
			printf(
			    "check: for run-to-run information, measure this machine's noise once "
			    "with the suite compared ('faultbench noise configs/quick.ini', or "
			    "nightly.ini) or give each side 3 or more runs\n");
		if (v.most_runs || v.over)
			printf("check: with this noise, %s%u runs a side would decide every step "
			       "(or raise --threshold)\n",
			       v.over ? "over " : "", v.over ? 1000 : v.most_runs);
		return FB_UNDECIDED;
	}
	printf("check: no regression worse than %.2f%% (%u steps, each could have shown one)\n",
	       threshold, v.ok);
	return FB_OK;
}

int cmd_check(int argc, char **argv)
{
	struct check_cmd_opts c;
	struct resultset runs[2] = { 0 };
	struct cmp_table t = { 0 };
	struct noise_models models = { 0 };
	double threshold;
	int ret;

	ret = parse_options(&c, &threshold, argc, argv);
	if (ret) {
		free(c.baseline.v);
		free(c.candidate.v);
		return ret < 0 ? FB_OK : ret;
	}
	ret = noise_load_option(&models, c.noise);
	if (!ret)
		ret = build_table(&c, runs, &t, &models, threshold);
	if (!ret)
		ret = verdict(&t, threshold);
	cmp_free(&t);
	resultset_free(&runs[0]);
	resultset_free(&runs[1]);
	noise_free(&models);
	free(c.baseline.v);
	free(c.candidate.v);
	return ret;
}
