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
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "stats.h"
#include "util.h"

static const char usage_text[] =
    "usage: faultbench check --baseline RUN --candidate RUN [--threshold 2%] [--metric M]\n"
    "\n"
    "Exit status: 0 no significant regression, 1 a significant regression beyond the\n"
    "threshold (printed), 125 cannot decide (fewer than 3 repeats, parameters differ,\n"
    "no step in common): what 'git bisect run' expects.  Default metric: each\n"
    "benchmark's headline metric.\n";

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

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = { { "baseline", required_argument, NULL, 'b' },
						  { "candidate", required_argument, NULL, 'c' },
						  { "threshold", required_argument, NULL, 't' },
						  { "metric", required_argument, NULL, 'm' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	const char *base = NULL, *cand = NULL, *metric = NULL;
	double threshold = 2;
	struct resultset runs[2] = { 0 };
	struct cmp_opts o = { .primary_only = true, .quiet = false };
	struct cmp_table t = { 0 };
	struct verdict v = { 0 };
	unsigned g, r;
	int c, ret;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			base = optarg;
			break;
		case 'c':
			cand = optarg;
			break;
		case 't':
			if (cmp_parse_percent("threshold", optarg, &threshold))
				return FB_USAGE;
			break;
		case 'm':
			metric = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return FB_OK;
		default:
			return fb_usage("check: unknown option '%s'; see 'faultbench check --help'",
					argv[optind - 1]);
		}
	}
	if (!base || !cand || optind < argc) {
		fputs(usage_text, stderr);
		return FB_USAGE;
	}
	if (metric) {
		o.metrics = &metric;
		o.nmetrics = 1;
	}
	ret = resultset_load(&runs[0], base);
	if (!ret)
		ret = resultset_load(&runs[1], cand);
	if (!ret) {
		ret = cmp_build(runs, 2, &o, &t);
		/* Mismatched parameters: the question has no answer, which is not "bad". */
		if (ret == FB_USAGE)
			ret = FB_UNDECIDED;
	}
	if (!ret && !baseline_has_rows(&t))
		ret = fb_usage("check: the baseline %s has no complete step%s%s%s", base,
			       metric ? " with metric '" : "", metric ? metric : "",
			       metric ? "'" : "");
	for (g = 0; g < t.ngroups && !ret; g++)
		for (r = 0; r < t.groups[g].nrows; r++)
			check_row(&t.groups[g], &t.groups[g].rows[r], threshold, &v);
	if (!ret) {
		if (v.regressions) {
			printf("check: %u significant regression%s beyond %.2f%%\n", v.regressions,
			       v.regressions > 1 ? "s" : "", threshold);
			ret = FB_FAIL;
		} else if (v.untestable || !v.tested) {
			ret = fb_error(FB_UNDECIDED, "check: cannot decide: %s",
				       v.tested ? "some steps have too few repeats"
						: "no step with enough repeats in common");
		} else {
			printf("check: no significant regression beyond %.2f%% (%u steps tested)\n",
			       threshold, v.tested);
		}
	}
	cmp_free(&t);
	resultset_free(&runs[0]);
	resultset_free(&runs[1]);
	return ret;
}
