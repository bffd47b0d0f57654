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
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmds.h"
#include "config.h"
#include "util.h"

static const char usage_text[] =
    "usage: faultbench suite FILE.ini [--label NAME] [--results DIR] [--dry-run]\n"
    "\n"
    "Runs every job of FILE.ini into DIR/NAME/ (default results/<kernel release>/)\n"
    "and prints a summary.  A job that cannot run here is shown as skipped and the\n"
    "suite goes on.  Exit status 0 when every job ran or was skipped, 1 otherwise.\n"
    "  --dry-run   validate the file and print the command of every job\n";

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
static char **job_argv(const struct config *cfg, unsigned i, const char *label, const char *out)
{
	unsigned n, k;
	char **opts = config_job_options(cfg, i, &n);
	char **argv = xcalloc(n + 8, sizeof(*argv)); /* 7 fixed words and the NULL */

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
	return argv;
}

static void print_argv(FILE *f, char **argv)
{
	for (char **a = argv; *a; a++)
		fprintf(f, "%s%s", a == argv ? "" : " ", *a);
	fputc('\n', f);
}

static int run_job(char **argv)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return fb_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "faultbench: exec /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	st = wait_child(pid);
	return st < 0 ? fb_fail("waitpid: %s", strerror(-st)) : st;
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

static char *default_label(void)
{
	struct utsname u;

	return xstrdup(uname(&u) == 0 ? u.release : "default");
}

int cmd_suite(int argc, char **argv)
{
	static const struct option longopts[] = { { "label", required_argument, NULL, 'l' },
						  { "results", required_argument, NULL, 'r' },
						  { "dry-run", no_argument, NULL, 'n' },
						  { "help", no_argument, NULL, 'h' },
						  { NULL, 0, NULL, 0 } };
	const char *results = "results";
	char *label = NULL, *out;
	bool dry = false;
	struct config cfg;
	struct job_result *res;
	unsigned i, n = 0;
	int c, ret = FB_OK;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			free(label);
			label = xstrdup(optarg);
			break;
		case 'r':
			results = optarg;
			break;
		case 'n':
			dry = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			free(label);
			return FB_OK;
		default:
			free(label);
			return fb_usage("suite: unknown option '%s'; see 'faultbench suite --help'",
					argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		free(label);
		fputs(usage_text, stderr);
		return FB_USAGE;
	}
	if (!label)
		label = default_label();
	if (!*label || strchr(label, '/')) {
		free(label);
		return fb_usage("option '--label': a label names a directory: no '/', not empty");
	}
	ret = config_load(argv[optind], &cfg);
	if (ret) {
		config_free(&cfg);
		free(label);
		return ret;
	}
	out = xasprintf("%s/%s/", results, label);
	/* Ctrl-C is for the job running; the suite then prints its summary and stops. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	res = xcalloc(cfg.njobs, sizeof(*res));
	for (i = 0; i < cfg.njobs; i++, n++) {
		char **jargv = job_argv(&cfg, i, label, out);
		double t0 = now_monotonic();

		if (dry) {
			print_argv(stdout, jargv);
			config_free_argv(jargv);
			continue;
		}
		printf("== job %u/%u %s: ", i + 1, cfg.njobs, cfg.jobs[i].name);
		print_argv(stdout, jargv);
		res[i].status = run_job(jargv);
		res[i].seconds = now_monotonic() - t0;
		config_free_argv(jargv);
		/* Ctrl-C reaches the job first; the suite stops with it. */
		if (res[i].status == 128 + SIGINT || res[i].status == 128 + SIGTERM) {
			n++;
			break;
		}
	}
	if (!dry) {
		print_summary(&cfg, res, n, out);
		for (i = 0; i < n; i++)
			if (res[i].status != FB_OK && res[i].status != FB_SKIP)
				ret = FB_FAIL;
	}
	free(res);
	free(out);
	free(label);
	config_free(&cfg);
	return ret;
}
