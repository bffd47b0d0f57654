// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench compare RUN...: the table for a patch changelog.  The first RUN
 * is the baseline; see docs/compare.md for how to read it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "compare.h"
#include "noise.h"
#include "opt.h"
#include "paired.h"
#include "resultset.h"
#include "store.h"
#include "util.h"

struct compare_cmd_opts {
	int format; /* enum cmp_format: the choices are listed in its order */
	int view;   /* 0 mmtests, 1 lkp */
	struct opt_strlist metric;
	bool primary;
	const char *noise;
	const char *store;
	const char *detect;    /* parsed by cmp_parse_percent() */
	const char *threshold; /* the paired verdict's practical size, as check's */
};

#define C(field) offsetof(struct compare_cmd_opts, field)

const struct opt compare_options[] = {
	{ .name = "format",
	  .type = OPT_ENUM,
	  .def = "text",
	  .choices = "text|markdown|json|csv",
	  .off = C(format),
	  .help = "output format (text: mmtests' layout; csv: one record per row and run, then "
		  "the within-run paired rows, kind paired)" },
	{ .name = "view",
	  .type = OPT_ENUM,
	  .def = "mmtests",
	  .choices = "mmtests|lkp",
	  .off = C(view),
	  .help = "lkp: LKP's 'base ±%stddev %change new ±%stddev metric'" },
	{ .name = "metric",
	  .type = OPT_STRLIST,
	  .off = C(metric),
	  .help = "only these metrics (repeatable, or a comma list); 'all' for every metric.  "
		  "Without it: the headline metric and the kernel-side evidence (per 1000 "
		  "faults)" },
	{ .name = "primary",
	  .type = OPT_BOOL,
	  .def = "off",
	  .off = C(primary),
	  .help = "only each benchmark's headline metric" },
	OPT_NOISE(C(noise)),
	{ .name = "store",
	  .type = OPT_STR,
	  .off = C(store),
	  .help = "the store RUNs 'store:key=value,...' select from: an SQLite file or "
		  "postgresql://... (default " STORE_DEFAULT ")" },
	{ .name = "detect",
	  .type = OPT_STR,
	  .def = "5%",
	  .off = C(detect),
	  .help = "say how many runs a side would detect a change of this size (2 or 2%)" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = C(threshold),
	  .help = "the paired verdict within a run calls a significant change worse or better "
		  "only beyond this (2 or 2%; as check's)" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench compare [options] RUN...\n"
		   "\n"
		   "RUN is a result file (.json, .json.gz), a directory of them, a label under\n"
		   "results/ or runs of a store (store:label=6.18-rc3,machine=big1; --store);\n"
		   "the first RUN is the baseline.  Each result file is one run: the\n"
		   "replicate of the significance test.  A star means the change is beyond what\n"
		   "runs of one kernel on this machine show (docs/compare.md).\n\noptions:\n");
	opt_print_help(f, compare_options);
	return FB_USAGE;
}

/*
 * Each --metric value is 'all' or a comma list, split into o->metrics.  The
 * strings are argv's own, cut in place: argv lives until exit.
 */
static void collect_metrics(const struct opt_strlist *given, struct cmp_opts *o, const char ***list)
{
	char *save = NULL, *tok;

	for (unsigned i = 0; i < given->n; i++) {
		if (!strcmp(given->v[i], "all")) {
			o->all = true;
			continue;
		}
		for (tok = strtok_r((char *)given->v[i], ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			*list = xrealloc(*list, (o->nmetrics + 1) * sizeof(**list));
			(*list)[o->nmetrics++] = tok;
		}
	}
	o->metrics = *list;
}

static int compare_runs(char **args, unsigned nruns, const struct cmp_opts *o,
			const struct compare_cmd_opts *c)
{
	struct resultset *runs = NULL;
	struct cmp_table t = { 0 };
	int ret;

	if (c->store && !*c->store)
		return fb_usage("option '--store' is empty; name a store (an SQLite file or "
				"postgresql://...)");
	ret = resultset_load_all(&runs, args, nruns, c->store);
	if (!ret)
		ret = cmp_build(runs, nruns, o, &t);
	if (!ret && (c->format == CMP_JSON || c->format == CMP_CSV))
		t.paired = paired_json(runs, nruns, o->threshold_pct);
	if (!ret && (!t.ngroups || !t.groups[0].nrows))
		ret = fb_usage(
		    "nothing to compare: no complete step with the metrics asked for in %s",
		    runs[0].arg);
	else if (!ret)
		cmp_print(stdout, &t, (enum cmp_format)c->format, c->view == 1);
	/* a run's interleaved variants, judged within it (analysis/paired.h) */
	if (!ret && c->format <= 1)
		paired_print(stdout, runs, nruns, o->threshold_pct);
	cmp_free(&t);
	resultset_free_all(runs, nruns);
	return ret;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_cmd_opts c;
	struct opt_binding b = { compare_options, &c };
	struct cmp_opts o = { 0 };
	struct noise_models models = { 0 };
	const char **metrics = NULL;
	int nruns, ret;

	/* Options may follow the RUNs; the RUNs end up at argv[1..nruns]. */
	ret = opt_parse_command(&b, argc, argv, true, usage, &nruns);
	if (ret < 0) {
		ret = FB_OK;
	} else if (!ret && nruns < 1) {
		ret = usage(stderr);
	} else if (!ret) {
		o.primary_only = c.primary;
		o.noise = &models;
		collect_metrics(&c.metric, &o, &metrics);
		ret = cmp_parse_percent("detect", c.detect, &o.detect_pct);
		if (!ret)
			ret = cmp_parse_percent("threshold", c.threshold, &o.threshold_pct);
		if (!ret)
			ret = noise_load_option(&models, c.noise);
		if (!ret)
			ret = compare_runs(argv + 1, (unsigned)nruns, &o, &c);
	}
	noise_free(&models);
	free(metrics);
	free(c.metric.v);
	return ret;
}
