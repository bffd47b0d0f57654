// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench report RUN... -o DIR: the HTML report of a comparison (the
 * tables of compare, the figures of plot, the systems side by side, copies
 * of the result files), and faultbench report --history RESULTS -o DIR: the
 * trend of each benchmark with its change points.  analysis/report.c
 * writes it; see docs/report.md.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "noise.h"
#include "opt.h"
#include "report.h"
#include "resultset.h"
#include "store.h"
#include "util.h"

struct report_cmd_opts {
	const char *output;
	const char *history;
	struct opt_strlist bench;
	const char *metric;
	long long cpus;
	const char *threshold;
	long long min_segment;
	const char *noise;
	const char *detect;
	const char *store;
};

#define R(field) offsetof(struct report_cmd_opts, field)

const struct opt report_options[] = {
	{ .name = "output",
	  .type = OPT_STR,
	  .def = "report",
	  .off = R(output),
	  .help = "the report folder (-o DIR): index.html, report.js, figures/, results/" },
	{ .name = "history",
	  .type = OPT_STR,
	  .off = R(history),
	  .help = "a results directory or a store selection (store:machine=big1), as history "
		  "takes: the trend of each benchmark over time, with change points, instead of a "
		  "comparison of RUNs" },
	{ .name = "store",
	  .type = OPT_STR,
	  .off = R(store),
	  .help = "the store 'store:key=value,...' selects from: an SQLite file or "
		  "postgresql://... (default " STORE_DEFAULT "); with --history and a "
		  "directory, read its results from this store's index" },
	{ .name = "bench",
	  .type = OPT_STRLIST,
	  .off = R(bench),
	  .help = "--history: only these benchmarks (repeatable, or a comma list)" },
	{ .name = "metric",
	  .type = OPT_STR,
	  .off = R(metric),
	  .help = "the metric of the figures and trends; without it, each headline metric" },
	{ .name = "cpus",
	  .type = OPT_INT,
	  .min = 1,
	  .max = 65536,
	  .off = R(cpus),
	  .help = "--history: the step (worker count); without it, each benchmark's largest" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = R(threshold),
	  .help = "--history: a change point moves the level by more than this (2 or 2%)" },
	{ .name = "min-segment",
	  .type = OPT_INT,
	  .def = "2",
	  .min = 1,
	  .max = 64,
	  .off = R(min_segment),
	  .help = "--history: runs a level must last to be a level" },
	OPT_NOISE(R(noise)),
	{ .name = "detect",
	  .type = OPT_STR,
	  .def = "5%",
	  .off = R(detect),
	  .help = "say how many runs a side would detect a change of this size (2 or 2%)" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench report RUN... [-o DIR] [options]\n"
		"   or: faultbench report --history RESULTS [-o DIR] [options]\n"
		"\n"
		"Writes a static HTML report into DIR (default: report/) and prints the path of\n"
		"its index.html: per benchmark the comparison table (the first RUN is the\n"
		"baseline), the scaling and efficiency figures, the profile, the systems side\n"
		"by side and copies of the result files; or, with --history, the trend of\n"
		"each benchmark under RESULTS with its change points.  Any browser shows it\n"
		"from disk: no server, no network (docs/report.md).\n\noptions:\n");
	opt_print_help(f, report_options);
	return FB_USAGE;
}

/* Each --bench value is a comma list; argv's strings are cut in place (they live until exit). */
static const char **collect_benches(const struct opt_strlist *given)
{
	const char **list = NULL;
	unsigned n = 0;
	char *save = NULL, *tok;

	if (!given->n)
		return NULL;
	for (unsigned i = 0; i < given->n; i++)
		for (tok = strtok_r((char *)given->v[i], ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			list = xrealloc(list, (n + 2) * sizeof(*list));
			list[n++] = tok;
			list[n] = NULL;
		}
	return list;
}

static int report_of_history(const struct report_cmd_opts *c, const struct noise_models *models)
{
	struct report_history_opts o = {
		.dir = c->output,
		.results = c->history,
		.metric = c->metric,
		.ncpus = c->cpus > 0 ? (long)c->cpus : -1,
		.min_segment = (unsigned)c->min_segment,
		.noise = models,
	};
	const char **benches = collect_benches(&c->bench);
	int ret = cmp_parse_percent("threshold", c->threshold, &o.threshold);

	/* a directory walked, or read through a store, as history reads it */
	o.store = c->store;
	o.benches = benches;
	if (!ret)
		ret = report_history(&o);
	free(benches);
	return ret;
}

static int report_of_runs(char **args, unsigned nruns, const struct report_cmd_opts *c,
			  const struct noise_models *models)
{
	struct report_opts o = { .dir = c->output, .noise = models, .metric = c->metric };
	struct resultset *runs = NULL;
	int ret = cmp_parse_percent("detect", c->detect, &o.detect_pct);

	if (!ret)
		ret = resultset_load_all(&runs, args, nruns, c->store);
	if (!ret)
		ret = report_runs(runs, nruns, &o);
	if (runs)
		resultset_free_all(runs, nruns);
	return ret;
}

int cmd_report(int argc, char **argv)
{
	struct report_cmd_opts c;
	struct opt_binding b = { report_options, &c };
	struct noise_models models = { 0 };
	int nruns, ret;

	c.cpus = -1; /* no default: the defaults leave it alone */
	ret = opt_parse_command(&b, argc, argv, true, usage, &nruns);
	if (ret) {
		free(c.bench.v);
		return ret < 0 ? FB_OK : ret;
	}
	/* compare's 'all': a report's tables have every metric; figures each headline */
	if (c.metric && !strcmp(c.metric, "all"))
		c.metric = NULL;
	if (!*c.output)
		ret = fb_usage("option '--output' is empty; name a directory");
	else if (c.history && nruns > 0)
		ret = fb_usage("--history takes a results directory, not RUNs ('%s')", argv[1]);
	else if (!c.history && nruns < 1)
		ret = usage(stderr);
	else if (!c.history && c.bench.n)
		ret = fb_usage("option '--bench' goes with --history");
	if (!ret)
		ret = noise_load_option(&models, c.noise);
	if (!ret && c.history)
		ret = report_of_history(&c, &models);
	else if (!ret)
		ret = report_of_runs(argv + 1, (unsigned)nruns, &c, &models);
	noise_free(&models);
	free(c.bench.v);
	return ret;
}
