// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench check --baseline RUN --candidate RUN: a regression gate with the
 * exit statuses "git bisect run" understands: 0 good, 1 bad (a significant
 * regression beyond the threshold), 125 cannot decide (too few repeats,
 * mismatched parameters, nothing in common).
 *
 * A regression needs both: a change beyond the threshold (so a tiny but
 * significant drift does not fail a nightly run) and Welch's test at
 * alpha 0.05 over the repeats (so one noisy step does not either).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "opt.h"
#include "stats.h"
#include "util.h"

struct check_cmd_opts {
	const char *baseline, *candidate;
	const char *threshold; /* parsed by cmp_parse_percent() */
	const char *metric;
};

#define K(field) offsetof(struct check_cmd_opts, field)

static const struct opt check_options[] = {
	{ .name = "baseline",
	  .type = OPT_STR,
	  .off = K(baseline),
	  .help = "the RUN to measure against (required)" },
	{ .name = "candidate",
	  .type = OPT_STR,
	  .off = K(candidate),
	  .help = "the RUN under test (required)" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = K(threshold),
	  .help = "a regression is a significant change worse than this percentage (2 or 2%)" },
	{ .name = "metric",
	  .type = OPT_STR,
	  .off = K(metric),
	  .help = "the metric to check; without it, each benchmark's headline metric" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench check --baseline RUN --candidate RUN [options]\n"
		"\n"
		"Exit status: 0 no significant regression, 1 a significant regression beyond the\n"
		"threshold (printed), 125 cannot decide (fewer than 3 repeats, parameters differ,\n"
		"no step in common): what 'git bisect run' expects.\n\noptions:\n");
	opt_print_help(f, check_options);
	return FB_USAGE;
}

struct verdict {
	unsigned regressions, untestable, tested;
};

static void check_row(const struct cmp_group *g, const struct cmp_row *r, double threshold,
		      struct verdict *v)
{
	struct cmp_stats base, cand;
	char name[160];
	double pct, p;
	bool sig;

	cmp_row_name(r, name, sizeof(name));
	if (!cmp_testable(r, 1)) {
		v->untestable++;
		printf("undecided  %s %s: %u baseline and %u candidate repeats (need %d each)\n",
		       g->name, name, r->cells[0].n, r->cells[1].n, CMP_MIN_REPEATS);
		return;
	}
	cmp_cell_stats(&r->cells[0], r->higher_better, &base);
	cmp_cell_stats(&r->cells[1], r->higher_better, &cand);
	pct = 100 * stats_pdiff(base.mean, cand.mean, r->higher_better);
	sig = cmp_significant(r, 1, &p);
	v->tested++;
	if (sig && pct < -threshold) {
		v->regressions++;
		printf("REGRESSION %s %s: %.2f -> %.2f (%+.2f%%, worse; p=%.3g)\n", g->name, name,
		       base.mean, cand.mean, pct, p);
	} else {
		printf("ok         %s %s: %.2f -> %.2f (%+.2f%%%s)\n", g->name, name, base.mean,
		       cand.mean, pct, sig ? ", significant" : "");
	}
}

/* A metric the baseline does not have is a mistake in the command, not "undecided". */
static bool baseline_has_rows(const struct cmp_table *t)
{
	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++)
			if (t->groups[g].rows[r].cells[0].n)
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
	if (!c->baseline || !c->candidate || npos)
		return usage(stderr);
	return FB_OK;
}

/* The table of both runs; FB_UNDECIDED when their parameters differ. */
static int build_table(const struct check_cmd_opts *c, struct resultset *runs, struct cmp_table *t)
{
	struct cmp_opts o = { .primary_only = true, .quiet = false };
	int ret;

	if (c->metric) {
		o.metrics = &c->metric;
		o.nmetrics = 1;
	}
	ret = resultset_load(&runs[0], c->baseline);
	if (!ret)
		ret = resultset_load(&runs[1], c->candidate);
	if (!ret) {
		ret = cmp_build(runs, 2, &o, t);
		/* Mismatched parameters: the question has no answer, which is not "bad". */
		if (ret == FB_USAGE)
			ret = FB_UNDECIDED;
	}
	if (!ret && !baseline_has_rows(t))
		ret = fb_usage("check: the baseline %s has no complete step%s%s%s", c->baseline,
			       c->metric ? " with metric '" : "", c->metric ? c->metric : "",
			       c->metric ? "'" : "");
	return ret;
}

static int verdict(const struct cmp_table *t, double threshold)
{
	struct verdict v = { 0 };

	for (unsigned g = 0; g < t->ngroups; g++)
		for (unsigned r = 0; r < t->groups[g].nrows; r++)
			check_row(&t->groups[g], &t->groups[g].rows[r], threshold, &v);
	if (v.regressions) {
		printf("check: %u significant regression%s beyond %.2f%%\n", v.regressions,
		       v.regressions > 1 ? "s" : "", threshold);
		return FB_FAIL;
	}
	if (v.untestable || !v.tested)
		return fb_error(FB_UNDECIDED, "check: cannot decide: %s",
				v.tested ? "some steps have too few repeats"
					 : "no step with enough repeats in common");
	printf("check: no significant regression beyond %.2f%% (%u steps tested)\n", threshold,
	       v.tested);
	return FB_OK;
}

int cmd_check(int argc, char **argv)
{
	struct check_cmd_opts c;
	struct resultset runs[2] = { 0 };
	struct cmp_table t = { 0 };
	double threshold;
	int ret;

	ret = parse_options(&c, &threshold, argc, argv);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	ret = build_table(&c, runs, &t);
	if (!ret)
		ret = verdict(&t, threshold);
	cmp_free(&t);
	resultset_free(&runs[0]);
	resultset_free(&runs[1]);
	return ret;
}
