// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench plot RUN... -o DIR: throughput against CPUs (one line per run and
 * variant, min-max of the repeats as a band), per-CPU efficiency against
 * CPUs, and for variant runs (pagelock same/disjoint, dio thp/4k) the ratio of
 * each variant to the first (analysis/figures.c draws them).  Reads results
 * only; never runs a benchmark.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "figures.h"
#include "opt.h"
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

static int plot_runs(char **args, unsigned nruns, const struct plot_cmd_opts *c)
{
	struct cmp_opts o = { .all = true, .quiet = true };
	struct cmp_table t = { 0 };
	struct fig_list figs = { 0 };
	struct resultset *runs;
	unsigned g, written = 0;
	int ret;

	ret = resultset_load_all(&runs, args, nruns, NULL);
	if (!ret)
		ret = cmp_build(runs, nruns, &o, &t);
	for (g = 0; g < t.ngroups && !ret; g++)
		ret = fig_plot_group(c->output, &t, &t.groups[g], c->metric, &figs);
	for (unsigned i = 0; i < figs.n; i++)
		printf("%s/%s.png\n%s/%s.svg\n", c->output, figs.figs[i].name, c->output,
		       figs.figs[i].name);
	written = figs.n;
	fig_list_free(&figs);
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
