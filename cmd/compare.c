// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench compare RUN...: the table for a patch changelog.  The first RUN
 * is the baseline; see docs/compare.md for how to read it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "util.h"

static const char usage_text[] =
    "usage: faultbench compare [options] RUN...\n"
    "\n"
    "RUN is a result file (.json, .json.gz), a directory of them or a label under\n"
    "results/; the first RUN is the baseline.\n"
    "\n"
    "  --format text|markdown|json   output format (default text: mmtests' layout)\n"
    "  --view lkp                    LKP's 'base ±%stddev %change new ±%stddev metric'\n"
    "  --metric M                    only metric M (repeatable, or a comma list);\n"
    "                                'all' for every metric.  Default: the headline\n"
    "                                metric and the kernel-side evidence (per 1000 faults)\n"
    "  --primary                     only each benchmark's headline metric\n";

/* Split "a,b" into the list; the strings point into arg (argv lives until exit). */
static void add_metrics(const char ***list, unsigned *n, char *arg)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		(*list)[(*n)++] = tok;
	}
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = { { "format", required_argument, NULL, 'f' },
						  { "view", required_argument, NULL, 'v' },
						  { "metric", required_argument, NULL, 'm' },
						  { "primary", no_argument, NULL, 'p' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	enum cmp_format fmt = CMP_TEXT;
	struct cmp_opts o = { 0 };
	const char **metrics = NULL;
	struct resultset *runs;
	struct cmp_table t = { 0 };
	bool lkp = false;
	int c, nruns, ret = FB_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				fmt = CMP_TEXT;
			else if (!strcmp(optarg, "markdown"))
				fmt = CMP_MARKDOWN;
			else if (!strcmp(optarg, "json"))
				fmt = CMP_JSON;
			else
				return fb_usage(
				    "option '--format': '%s' is not text, markdown or json",
				    optarg);
			break;
		case 'v':
			if (strcmp(optarg, "lkp") && strcmp(optarg, "mmtests"))
				return fb_usage("option '--view': '%s' is not lkp or mmtests",
						optarg);
			lkp = !strcmp(optarg, "lkp");
			break;
		case 'm':
			if (!strcmp(optarg, "all"))
				o.all = true;
			else
				add_metrics(&metrics, &o.nmetrics, optarg);
			break;
		case 'p':
			o.primary_only = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return FB_OK;
		default:
			free(metrics);
			return fb_usage(
			    "compare: unknown option '%s'; see 'faultbench compare --help'",
			    argv[optind - 1]);
		}
	}
	o.metrics = metrics;
	nruns = argc - optind;
	if (nruns < 1) {
		free(metrics);
		fputs(usage_text, stderr);
		return FB_USAGE;
	}
	ret = resultset_load_all(&runs, argv + optind, (unsigned)nruns);
	if (!ret)
		ret = cmp_build(runs, (unsigned)nruns, &o, &t);
	if (!ret) {
		if (!t.ngroups || !t.groups[0].nrows)
			ret =
			    fb_usage("nothing to compare: no complete step with the metrics asked "
				     "for in %s",
				     runs[0].arg);
		else
			cmp_print(stdout, &t, fmt, lkp);
	}
	cmp_free(&t);
	resultset_free_all(runs, (unsigned)nruns);
	free(metrics);
	return ret;
}
