// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench noise: measure how much this machine's results vary from run to
 * run when nothing changes, and store it as the machine's noise model
 * (analysis/noise.h), which compare, check and history use to decide what a
 * star is.
 *
 *   faultbench noise CONFIG.ini [--runs K]   run the suite K times, as K
 *                                            separate invocations, then derive
 *   faultbench noise --from RUN...           derive from runs made already
 *                                            (e.g. nights of an unchanged kernel)
 *
 * Why separate invocations: repeats inside one run share the page cache, the
 * memory layout and the background load of the moment; runs minutes apart
 * (and, better, boots apart) do not.  Comparisons between kernels are always
 * between runs, so their noise is what a difference has to beat.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cmds.h"
#include "compare.h"
#include "noise.h"
#include "opt.h"
#include "spawn.h"
#include "util.h"

struct noise_cmd_opts {
	long long runs;
	const char *label, *results, *output;
	struct opt_strlist from;
};

#define N(field) offsetof(struct noise_cmd_opts, field)

const struct opt noise_options[] = {
	{ .name = "runs",
	  .type = OPT_INT,
	  .def = "10",
	  .min = 3,
	  .max = 1000,
	  .off = N(runs),
	  .help = "separate runs of the suite; their spread is the model (df = runs - 1)" },
	{ .name = "label",
	  .type = OPT_STR,
	  .off = N(label),
	  .help = "the runs' label (default: noise-<kernel release>-<date>)" },
	{ .name = "results",
	  .type = OPT_STR,
	  .def = "results",
	  .off = N(results),
	  .help = "where the runs go (RESULTS/LABEL/) and the model (RESULTS/noise/)" },
	{ .name = "output",
	  .type = OPT_STR,
	  .off = N(output),
	  .help = "the model's file (default: RESULTS/noise/<hostname>-<date>.json)" },
	{ .name = "from",
	  .type = OPT_STRLIST,
	  .off = N(from),
	  .help = "derive from these RUNs (repeatable): every result file is one run; runs "
		  "nothing" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: faultbench noise CONFIG.ini [--runs K] [options]\n"
		"       faultbench noise --from RUN [--from RUN...] [-o FILE]\n"
		"\n"
		"Measures the run-to-run noise of this machine: the suite is run K times as\n"
		"separate invocations (or existing runs are read), and for every benchmark,\n"
		"variant, step and metric the variance of a run's value is stored.  compare,\n"
		"check and history find the model in results/noise/ and star only changes\n"
		"beyond it.  Run it on a quiet machine, with the kernel and settings you compare\n"
		"on; repeat it when the machine changes.\n\noptions:\n");
	opt_print_help(f, noise_options);
	return FB_USAGE;
}

/* fb_utc_now() as a string of its own, for the model's fields. */
static char *utc_stamp(bool iso)
{
	char buf[32];

	fb_utc_now(buf, sizeof(buf), iso);
	return xstrdup(buf);
}

/*
 * Every option, and the suite itself (suite --dry-run checks each job as run
 * would), before the first run: a bad --label or --results was refused only
 * by the first suite, after noise had started (issue 23 D4, D8).
 */
static int check_before_running(const char *config, const struct noise_cmd_opts *c,
				const char *label)
{
	char *argv[] = { "faultbench", "suite",	      (char *)config, (char *)"--dry-run",
			 "--label",    (char *)label, "--results",    (char *)c->results,
			 NULL };
	int ret = fb_check_name(c->label ? "option '--label'"
					 : "the kernel release (the default label; give --label)",
				label);

	if (!ret && !*c->results)
		ret = fb_usage("option '--results' is empty; name a directory");
	if (!ret && c->output && !*c->output)
		ret = fb_usage("option '--output' is empty; name a file");
	if (!ret) {
		/* its job list goes nowhere: only its verdict on the config matters */
		struct spawn sp = { .argv = (const char *const *)argv,
				    .file = "/proc/self/exe",
				    .pass_interrupt = true,
				    .out = { SPAWN_NULL } };

		ret = spawn_run(&sp);
		spawn_clear(&sp);
		if (fb_interrupted)
			ret = fb_error(128 + fb_interrupted,
				       "noise: interrupted while checking '%s'; nothing was run",
				       config);
	}
	return ret;
}

/* K separate suite runs into RESULTS/LABEL/; FB_OK or the failing run's status. */
static int run_suites(const char *config, const struct noise_cmd_opts *c, const char *label)
{
	for (long long i = 0; i < c->runs; i++) {
		char *argv[] = { "faultbench",	"suite",     (char *)config,	 "--label",
				 (char *)label, "--results", (char *)c->results, NULL };
		int st;

		printf("== noise: run %lld of %lld\n", i + 1, c->runs);
		st = spawn_self_wait(argv);
		if (fb_interrupted)
			return fb_error(128 + fb_interrupted,
					"noise: interrupted in run %lld of %lld; the %lld finished "
					"runs are in %s/%s/",
					i + 1, c->runs, i, c->results, label);
		/* a skipped job leaves the suite's status at 0: only failures stop here */
		if (st)
			return fb_error(st >= 128 ? st : FB_FAIL,
					"noise: run %lld of %lld ended with status %d; the %lld "
					"finished runs are in %s/%s/ ('faultbench noise --from' "
					"derives from them)",
					i + 1, c->runs, st, i, c->results, label);
	}
	return FB_OK;
}

static void print_entry(const struct noise_entry *e)
{
	char name[200];

	snprintf(name, sizeof(name), "%s %s%s%s-%u", fb_esc(e->name), fb_esc(e->variant),
		 *e->variant ? ":" : "", fb_esc(e->metric), e->ncpus);
	/* the one run-to-run figure compare and history print too (noise_run_pct) */
	if (e->log_scale)
		printf("  %-40.40s %5u %4.0f %13.2f %16.2f\n", name, e->runs, e->df_run,
		       noise_run_pct(e, e->repeats), 100 * sqrt(e->var_within));
	else
		printf("  %-40.40s %5u %4.0f %13s %16s   (plain scale)\n", name, e->runs, e->df_run,
		       "-", "-");
}

/* The model's headline rows, for people; the model keeps every metric. */
static void print_model(const struct cmp_table *t, const struct noise_model *m)
{
	unsigned fewest = 0;

	printf("  %-40s %5s %4s %13s %16s\n", "step", "runs", "df", "run-to-run %",
	       "within a run %");
	for (unsigned g = 0; g < t->ngroups; g++) {
		const char *primary = cmp_primary_metric(t->groups[g].docs[0]);

		for (unsigned i = 0; i < m->n; i++)
			if (primary && !strcmp(m->e[i].metric, primary) &&
			    !strcmp(m->e[i].name, t->groups[g].name)) {
				print_entry(&m->e[i]);
				if (!fewest || m->e[i].runs < fewest)
					fewest = m->e[i].runs;
			}
	}
	if (fewest && fewest < CMP_MODEL_MIN_RUNS)
		fb_warn("the model has only %u runs (df %u) behind some step: a variance from so "
			"few runs is rough, and every table using it will say so; %d or more "
			"runs are advised (--runs 10)",
			fewest, fewest - 1, CMP_MODEL_MIN_RUNS);
}

/* The 1-minute load now, for the model's conditions; NAN when unknown. */
static double loadavg_now(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double load = NAN;

	if (f && fscanf(f, "%lf", &load) != 1)
		load = NAN;
	if (f)
		fclose(f);
	return load;
}

static int derive_and_save(const struct noise_cmd_opts *c, const struct opt_strlist *from)
{
	struct resultset all;
	/* disturbed steps are left out: a model is the machine undisturbed */
	struct cmp_opts o = { .all = true, .quiet = true, .skip_disturbed = true };
	struct cmp_table t = { 0 };
	struct noise_model m;
	char *path = NULL;
	int ret;

	ret = resultset_load_merged(&all, from->v, from->n, NULL);
	if (!ret)
		ret = cmp_build(&all, 1, &o, &t);
	if (!ret && !t.ngroups)
		ret = fb_usage("noise: no complete step in the runs given");
	if (ret)
		goto out;
	noise_model_init(&m, all.docs[0]);
	m.date = utc_stamp(true);
	m.version = xstrdup(fb_version);
	m.runs = all.n;
	m.conditions = noise_conditions(&all, loadavg_now());
	printf("noise model of %s (%s), kernel %s, from %u result files:\n", fb_esc(m.hostname),
	       fb_esc(m.cpu_model), fb_esc(m.kernel), all.n);
	{
		json_t *in = json_object_get(m.conditions, "interference");

		if (json_is_integer(json_object_get(in, "runs_disturbed")) &&
		    json_integer_value(json_object_get(in, "runs_disturbed")))
			printf(
			    "  %lld of the runs were disturbed: their disturbed steps are left "
			    "out\n",
			    (long long)json_integer_value(json_object_get(in, "runs_disturbed")));
		else if (!in || json_is_null(in))
			printf("  interference unknown (results without interference figures)\n");
	}
	cmp_derive_noise(&t, &m);
	print_model(&t, &m);
	if (!m.n) {
		ret = fb_usage("noise: no step has 2 or more runs: a noise model needs several "
			       "runs of each benchmark (each result file is one run)");
	} else {
		if (c->output) {
			path = xstrdup(c->output);
		} else {
			char *stamp = utc_stamp(false);
			char *dir = xasprintf("%s/noise", c->results);

			/* DIR/noise: never into a link planted there */
			if (fb_mkdir_below(c->results, "noise"))
				ret =
				    fb_fail("cannot create '%s' (a symbolic link is refused)", dir);
			/* the host name comes from a result file: never a path of its own */
			path = xasprintf("%s/%s-%s.json", dir,
					 fb_name_ok(m.hostname) ? m.hostname : "machine", stamp);
			free(stamp);
			free(dir);
		}
		if (!ret)
			ret = noise_save(&m, path, noise_sources(&all));
		if (!ret)
			printf("model: %s\n", path);
	}
	noise_model_free(&m);
out:
	free(path);
	cmp_free(&t);
	resultset_free(&all);
	return ret;
}

int cmd_noise(int argc, char **argv)
{
	struct noise_cmd_opts c;
	struct opt_binding b = { noise_options, &c };
	struct opt_strlist from = { 0 };
	char *label = NULL, *dir = NULL;
	int npos, ret;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret < 0)
		return FB_OK;
	if (ret)
		return ret;
	if ((npos == 1) == (c.from.n > 0)) {
		free(c.from.v);
		return usage(stderr);
	}
	if (npos == 1) {
		char *stamp = utc_stamp(false);
		struct utsname u;

		/* Ctrl-C or SIGTERM stops the suite running, then noise */
		fb_install_signal_handlers();
		if (uname(&u))
			snprintf(u.release, sizeof(u.release), "unknown");
		label = c.label ? xstrdup(c.label) : xasprintf("noise-%s-%s", u.release, stamp);
		free(stamp);
		ret = check_before_running(argv[1], &c, label);
		if (!ret)
			ret = run_suites(argv[1], &c, label);
		dir = xasprintf("%s/%s", c.results, label);
		from.n = 1;
		from.v = (const char **)&dir;
	} else {
		from = c.from;
	}
	if (!ret)
		ret = derive_and_save(&c, &from);
	free(label);
	free(dir);
	free(c.from.v);
	return ret;
}
