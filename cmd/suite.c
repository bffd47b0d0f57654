// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench suite FILE.ini --label NAME: run every job of a config into
 * results/NAME/ and print a summary.
 *
 * Each job runs as "faultbench run BENCH --key=value ... --label NAME -o
 * results/NAME/" by executing this very binary, so a job is exactly what a
 * user would type (and can paste from the summary to rerun one), and a job
 * that crashes or leaks cannot take the rest of the suite with it.
 */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "config.h"
#include "opt.h"
#include "runs.h"
#include "spawn.h"
#include "store.h"
#include "util.h"

struct suite_cmd_opts {
	const char *label;
	const char *results;
	const char *store;
	bool dry_run;
	long long runs; /* taken out of argv by runs_take_option() */
};

#define S(field) offsetof(struct suite_cmd_opts, field)

const struct opt suite_options[] = {
	{ .name = "label",
	  .type = OPT_STR,
	  .off = S(label),
	  .help = "label of every run, and the directory under DIR they go to; without it, "
		  "the kernel release" },
	{ .name = "runs",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 1000,
	  .off = S(runs),
	  .help = "run the whole suite N times into the label, each a faultbench process of its "
		  "own: the runs a star needs (3 or more a side)" },
	{ .name = "results",
	  .type = OPT_STR,
	  .def = "results",
	  .off = S(results),
	  .help = "DIR: the results go to DIR/NAME/" },
	{ .name = "store",
	  .type = OPT_STR,
	  .off = S(store),
	  .help = "index every result into this store too: an SQLite file or postgresql://... "
		  "(default DIR/faultbench.db; 'none': the files alone)" },
	{ .name = "dry-run",
	  .type = OPT_BOOL,
	  .def = "off",
	  .off = S(dry_run),
	  .help = "validate the file and print the command of every job" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench suite FILE.ini [--label NAME] [--results DIR] [options]\n"
		   "\n"
		   "Runs every job of FILE.ini into DIR/NAME/ and prints a summary.  A job that\n"
		   "cannot run here is shown as skipped and the suite goes on.  Exit status 0\n"
		   "when every job ran or was skipped, 1 otherwise.\n\noptions:\n");
	opt_print_help(f, suite_options);
	return FB_USAGE;
}

struct job_result {
	int status; /* exit status of "faultbench run", or 128 + signal */
	double seconds;
};

static const char *status_word(int status)
{
	switch (status) {
	case FB_OK:
		return "ok";
	case FB_SKIP:
		return "skipped";
	case FB_USAGE:
		return "FAILED (bad options)";
	default:
		return status >= 128 ? "INTERRUPTED" : "FAILED";
	}
}

/* The command line of job i, NULL-terminated; argv[0] is "faultbench". */
static char **job_argv(const struct config *cfg, unsigned i, const char *label, const char *out,
		       const char *store)
{
	unsigned n, k;
	char **opts = config_job_options(cfg, i, &n);
	char **argv = xcalloc(n + 10, sizeof(*argv)); /* 9 fixed words and the NULL */

	argv[0] = xstrdup("faultbench");
	argv[1] = xstrdup("run");
	argv[2] = xstrdup(cfg->jobs[i].bench);
	for (k = 0; k < n; k++)
		argv[3 + k] = opts[k];
	free(opts);
	argv[3 + n] = xstrdup("--label");
	argv[4 + n] = xstrdup(label);
	argv[5 + n] = xstrdup("-o");
	argv[6 + n] = xstrdup(out);
	argv[7 + n] = xstrdup("--store");
	argv[8 + n] = xstrdup(store);
	return argv;
}

static void print_argv(FILE *f, char **argv)
{
	for (char **a = argv; *a; a++) {
		/* a PostgreSQL URL's password is never printed */
		char *shown = a > argv && !strcmp(a[-1], "--store") ? store_redact(*a) : NULL;

		fprintf(f, "%s%s", a == argv ? "" : " ", fb_esc(shown ? shown : *a));
		free(shown);
	}
	fputc('\n', f);
}

/*
 * Run one job and wait for it.  A SIGINT or SIGTERM sent to the suite alone
 * (kill PID, a service manager) is passed on to the job, which stops and
 * keeps what it measured; Ctrl-C reaches both through the process group.
 */
static int run_job(char **argv)
{
	return spawn_self_wait(argv);
}

static void print_summary(const struct config *cfg, const struct job_result *res, unsigned n,
			  const char *out)
{
	unsigned i, ok = 0, skipped = 0, failed = 0;

	printf("\nsuite %s: %u job%s, results in %s\n", cfg->path, cfg->njobs,
	       cfg->njobs == 1 ? "" : "s", out);
	printf("  %-24s %-12s %-22s %8s\n", "job", "bench", "status", "seconds");
	for (i = 0; i < cfg->njobs; i++) {
		if (i >= n) {
			printf("  %-24s %-12s %-22s %8s\n", cfg->jobs[i].name, cfg->jobs[i].bench,
			       "not run", "-");
			continue;
		}
		printf("  %-24s %-12s %-22s %8.1f\n", cfg->jobs[i].name, cfg->jobs[i].bench,
		       status_word(res[i].status), res[i].seconds);
		if (res[i].status == FB_OK)
			ok++;
		else if (res[i].status == FB_SKIP)
			skipped++;
		else
			failed++;
	}
	printf("  %u ok, %u skipped, %u failed%s\n", ok, skipped, failed,
	       n < cfg->njobs ? ", the rest not run (interrupted)" : "");
}

/* --label, else the kernel release; malloc'd. */
static char *suite_label(const char *label)
{
	struct utsname u;

	if (label)
		return xstrdup(label);
	return xstrdup(uname(&u) == 0 ? u.release : "default");
}

/* FB_OK with FILE.ini at argv[1], FB_USAGE, or -1 after printing --help. */
static int parse_options(struct suite_cmd_opts *c, int argc, char **argv)
{
	struct opt_binding b = { suite_options, c };
	int npos, ret;

	/* "suite FILE.ini --label NAME": options may follow the file */
	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret;
	if (npos != 1)
		return usage(stderr);
	return FB_OK;
}

/* Every job in turn; the number of jobs run (the rest were interrupted). */
static unsigned run_jobs(const struct config *cfg, const char *label, const char *out,
			 const char *store, bool dry, struct job_result *res)
{
	unsigned i;

	for (i = 0; i < cfg->njobs && !fb_interrupted; i++) {
		char **jargv = job_argv(cfg, i, label, out, store);
		double t0 = now_monotonic();

		if (dry) {
			print_argv(stdout, jargv);
			config_free_argv(jargv);
			continue;
		}
		printf("== job %u/%u %s: ", i + 1, cfg->njobs, cfg->jobs[i].name);
		print_argv(stdout, jargv);
		res[i].status = run_job(jargv);
		res[i].seconds = now_monotonic() - t0;
		config_free_argv(jargv);
		/* the job was interrupted, or the suite was: either way it stops */
		if (res[i].status == 128 + SIGINT || res[i].status == 128 + SIGTERM ||
		    fb_interrupted)
			return i + 1;
	}
	return i;
}

static int label_dir_link(const char *results, const char *label)
{
	char *dir = xasprintf("%s/%s", results, label);
	struct stat st;
	int ret = FB_OK;

	if (!lstat(dir, &st) && S_ISLNK(st.st_mode))
		ret = fb_usage("option '--label': '%s' is a symbolic link; results go into a "
			       "directory of that name, never through a link",
			       dir);
	free(dir);
	return ret;
}

static int run_suite(const char *file, const char *label, const struct suite_cmd_opts *c)
{
	struct job_result *res;
	struct config cfg;
	unsigned i, n;
	char *out, *store;
	int ret;

	/*
	 * Before the config's checks, which take seconds on a large machine: a
	 * SIGTERM there ended the suite by the default action, without a summary.
	 */
	fb_install_signal_handlers();
	ret = config_load(file, &cfg);
	if (ret && fb_interrupted) {
		config_free(&cfg);
		return fb_error(128 + fb_interrupted,
				"suite: interrupted while checking '%s'; no "
				"job was run",
				file);
	}
	if (ret) {
		config_free(&cfg);
		return ret;
	}
	out = xasprintf("%s/%s/", c->results, label);
	/* DIR/LABEL: a link planted there would take every job's results elsewhere */
	ret = label_dir_link(c->results, label);
	if (ret) {
		free(out);
		config_free(&cfg);
		return ret;
	}
	/* the store beside the labels, as results/faultbench.db is beside results/LABEL/ */
	store = c->store ? xstrdup(c->store) : xasprintf("%s/faultbench.db", c->results);
	/* A signal stops the job running, then the suite prints its summary and exits 128 + it. */
	res = xcalloc(cfg.njobs, sizeof(*res));
	n = run_jobs(&cfg, label, out, store, c->dry_run, res);
	if (!c->dry_run) {
		print_summary(&cfg, res, n, out);
		for (i = 0; i < n; i++)
			if (res[i].status != FB_OK && res[i].status != FB_SKIP)
				ret = FB_FAIL;
		if (n && (res[n - 1].status == 128 + SIGINT || res[n - 1].status == 128 + SIGTERM))
			ret = res[n - 1].status;
	}
	if (fb_interrupted)
		ret = 128 + fb_interrupted;
	free(res);
	free(out);
	free(store);
	config_free(&cfg);
	return ret;
}

int cmd_suite(int argc, char **argv)
{
	struct suite_cmd_opts c;
	char *label;
	long runs;
	int ret;

	ret = runs_take_option(&argc, argv, &runs);
	if (ret)
		return ret;
	ret = parse_options(&c, argc, argv);
	if (!ret && runs > 1 && !c.dry_run)
		return runs_repeat(argc, argv, runs);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	label = suite_label(c.label);
	ret = fb_check_name(c.label ? "option '--label'"
				    : "the kernel release (the default label; "
				      "give --label)",
			    label);
	if (!ret && !*c.results)
		ret = fb_usage("option '--results' is empty; name a directory");
	if (!ret)
		ret = run_suite(argv[1], label, &c);
	free(label);
	return ret;
}
