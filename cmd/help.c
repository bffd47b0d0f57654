// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench help COMMAND: the command's manual page, as git help does.
 * The pages are not written by hand: faultbench help --man [COMMAND] prints
 * faultbench(1) or faultbench-COMMAND(1) in roff from the same tables that
 * drive the command line, config files and --help (fb_commands[], the
 * options tables, the benchmark registry), so they cannot drift; the build
 * writes them all with --man-dir DIR.  faultbench --complete WORD... answers
 * the bash completion script from those tables too.  How a page is written
 * in roff is lib/man.c's, completion's matching lib/complete.c's, where BENCH
 * stands on run's command line engine/runargs.c's; what the pages say and
 * which tables a command line completes from is here.
 */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "complete.h"
#include "man.h"
#include "registry.h"
#include "runargs.h"
#include "runopts.h"
#include "suggest.h"
#include "util.h"

static void man_benchmarks(FILE *f)
{
	fprintf(f, ".SH BENCHMARKS\n");
	for (const struct bench_entry *e = bench_registry; e->name; e++) {
		if (e->preset)
			continue;
		fprintf(f, ".SS %s\n", e->name);
		man_line(f, e->bench->summary);
		if (e->bench->run_defaults) {
			fprintf(f, ".PP\nRun defaults: ");
			man_line(f, e->bench->run_defaults);
		}
		if (e->bench->ignores_options) {
			fprintf(f, ".PP\nCommon options without effect here: ");
			man_line(f, e->bench->ignores_options);
		}
		man_options(f, e->bench->opts);
	}
	fprintf(f, ".SS Presets\nA preset is a benchmark with options set; the user's own "
		   "options still win.\n");
	for (const struct bench_entry *e = bench_registry; e->name; e++) {
		if (!e->preset)
			continue;
		fprintf(f, ".TP\n.B %s\n", e->name);
		man_line(f, e->summary);
		fprintf(f, ".br\n= %s ", e->bench->name);
		man_line(f, e->preset);
	}
}

static void man_synopsis(FILE *f, const struct command *c)
{
	fprintf(f, ".SH SYNOPSIS\n.B faultbench %s\n", c->name);
	if (c->opts)
		fprintf(f, ".RI [ options ]\n");
	if (c->args && *c->args) {
		fprintf(f, ".I ");
		man_line(f, c->args);
	}
}

/* What compare's table says beyond its numbers: stars, Runs, Detect. */
static void man_reading_compare(FILE *f)
{
	fprintf(f,
		".SH READING THE TABLE\n"
		"The first \\fIRUN\\fR is the baseline.  A \\fIRUN\\fR is a result file, a "
		"directory of them (one label: each file in it is one run) or a store "
		"selection.  Each cell is the statistic of a column and, in brackets, its change "
		"against the baseline, positive when better.\n"
		".TP\n.B *\\-8.10%%*\n"
		"A star: the change is beyond what separate runs of one kernel on this machine "
		"show.  Per-run values are tested (Student's t, on a log scale for rates) against "
		"the run-to-run variance from several runs a side and/or the machine's noise model "
		"(\\fBfaultbench noise\\fR), at most 5%% false stars per column "
		"(Benjamini-Hochberg).  No star means \\(lqnot shown\\(rq, never \\(lqno "
		"change\\(rq; with one run a side and no noise model there is no star at all.\n"
		".TP\n.B Runs\n"
		"How many runs (result files) each column has at that row: the replicates of the "
		"test.  Repeats inside one run (\\-\\-repeat) are not runs.  "
		"\\fBfaultbench run \\-\\-runs\\fR \\fIN\\fR and \\fBfaultbench suite "
		"\\-\\-runs\\fR \\fIN\\fR make N runs into one label; the footer prints the "
		"command that gives a side enough runs for a verdict.\n"
		".TP\n.B Detect\n"
		"The smallest change that row could have starred with 80%% power, with the runs "
		"given: an unstarred change smaller than Detect was not measurable, not "
		"absent.  The footer says how many runs a side would detect \\-\\-detect "
		"(default 5%%).\n");
}

/* faultbench-COMMAND(1) */
static void man_command(FILE *f, const struct command *c)
{
	char name[64];

	snprintf(name, sizeof(name), "faultbench-%s", c->name);
	man_header(f, name, c->summary);
	man_synopsis(f, c);
	fprintf(f, ".SH DESCRIPTION\n");
	man_line(f, c->summary);
	fprintf(f, ".PP\n\\fBfaultbench %s \\-\\-help\\fR prints the same options.\n", c->name);
	if (c->opts) {
		fprintf(f, ".SH OPTIONS\n");
		man_options(f, c->opts);
	}
	if (!strcmp(c->name, "run")) {
		fprintf(f, ".TP\n.B \\-o \\fIFILE|DIR\\fR\nSame as \\-\\-output.\n");
		fprintf(f, ".PP\nOptions may come before or after \\fIBENCH\\fR.\n");
		man_benchmarks(f);
	}
	if (!strcmp(c->name, "compare"))
		man_reading_compare(f);
	man_exit_status(f);
	fprintf(f, ".SH SEE ALSO\n.BR faultbench (1)\n");
}

/* faultbench(1): the commands, the common run options, every benchmark. */
static void man_main(FILE *f)
{
	man_header(f, "faultbench",
		   "microbenchmarks for the scalability of the Linux page-fault path");
	fprintf(f, ".SH SYNOPSIS\n.B faultbench\n.I command\n.RI [ options ]\n"
		   ".SH DESCRIPTION\n"
		   "faultbench runs pinned workers (threads or processes) on 1 CPU up to every CPU "
		   "of a machine, counts the faults the kernel really took, and writes results "
		   "that compare across kernels and patches: changelog tables, figures, and a "
		   "nightly regression gate with an exit status.\n"
		   ".PP\nEach command has a page of its own, \\fBfaultbench\\-\\fICOMMAND\\fR(1), "
		   "which \\fBfaultbench help \\fICOMMAND\\fR opens.\n"
		   ".SH COMMANDS\n");
	for (const struct command *c = fb_commands; c->name; c++) {
		fprintf(f, ".TP\n.B %s\n", c->name);
		man_line(f, c->summary);
	}
	fprintf(f, ".SH COMMON RUN OPTIONS\nEvery benchmark takes these (\\fBfaultbench run\\fR), "
		   "and config files (\\fBfaultbench suite\\fR) use the same names as keys.\n");
	man_options(f, run_options);
	man_benchmarks(f);
	man_exit_status(f);
	fprintf(f, ".SH FILES\n.TP\n.I results/LABEL/\nwhere runs are written by default\n"
		   ".TP\n.I share/faultbench/configs/\nthe shipped suites (quick, changelog, "
		   "nightly) beside the installed binary\n");
	fprintf(f, ".SH SEE ALSO\n");
	for (const struct command *c = fb_commands; c->name; c++)
		fprintf(f, ".BR faultbench\\-%s (1)%s\n", c->name, c[1].name ? "," : "");
}

static const struct command *find_command(const char *name)
{
	for (const struct command *c = fb_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

/* git's "'stauts' is not a git command", with the closest commands. */
int cmd_unknown(const char *name)
{
	struct fb_suggest s;
	char hint[256];

	fb_suggest_init(&s, name);
	for (const struct command *c = fb_commands; c->name; c++)
		fb_suggest_add(&s, c->name);
	if (!fb_suggest_hint(&s, "", hint, sizeof(hint))[0])
		snprintf(hint, sizeof(hint), "; see 'faultbench --help'");
	return fb_usage("'%s' is not a faultbench command%s", name, hint);
}

/* man_write_page()'s writer: faultbench-COMMAND(1), or faultbench(1) for NULL. */
static void write_page(FILE *f, const void *arg)
{
	if (arg)
		man_command(f, arg);
	else
		man_main(f);
}

/* Every page into dir: faultbench.1 and faultbench-COMMAND.1. */
static int write_man_dir(const char *dir)
{
	char *path;
	int ret = FB_OK;

	if (mkdir_p(dir))
		return fb_fail("cannot create '%s': %s", dir, strerror(errno));
	for (const struct command *c = NULL; !ret; c = c ? c + 1 : fb_commands) {
		if (c && !c->name)
			break;
		path = c ? xasprintf("%s/faultbench-%s.1", dir, c->name)
			 : xasprintf("%s/faultbench.1", dir);
		ret = man_write_page(path, write_page, c);
		free(path);
	}
	return ret;
}

/*
 * The installed page (PREFIX/share/man/man1 beside PREFIX/bin) or the build
 * tree's (build/man), shown with man -l; NULL when there is none.
 */
static char *find_page(const char *page)
{
	static const char *const rel[] = { "../share/man/man1", "man" };
	char exe[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(rel); i++) {
		char *path = xasprintf("%s/%s/%s.1", exe, rel[i], page);

		if (!access(path, R_OK))
			return path;
		free(path);
	}
	return NULL;
}

/* The page as plain text where man(1) is not installed (man_plain()). */
static int print_page_plain(const struct command *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m)
		return fb_fail("out of memory");
	man_command(m, c);
	fclose(m);
	man_plain(stdout, buf);
	free(buf);
	return FB_OK;
}

int cmd_help(int argc, char **argv)
{
	const struct command *c = NULL;
	char *page, *name;

	if (argc >= 2 && !strcmp(argv[1], "--man-dir"))
		return argc == 3 ? write_man_dir(argv[2])
				 : fb_usage("usage: faultbench help --man-dir DIR");
	if (argc >= 2 && !strcmp(argv[1], "--man")) {
		if (argc > 3)
			return fb_usage("usage: faultbench help --man [COMMAND]");
		if (argc == 3 && !(c = find_command(argv[2])))
			return cmd_unknown(argv[2]);
		if (c)
			man_command(stdout, c);
		else
			man_main(stdout);
		return FB_OK;
	}
	if (argc != 2 || argv[1][0] == '-')
		return fb_usage("usage: faultbench help [COMMAND]");
	c = find_command(argv[1]);
	if (!c)
		return cmd_unknown(argv[1]);
	name = xasprintf("faultbench-%s", c->name);
	page = find_page(name);
	fflush(stdout);
	/*
	 * Exec in place, not lib/spawn: man and its pager must own the terminal
	 * alone, as git help does.  A waiting parent would die of the ^C meant
	 * for the pager (leaving it on the terminal), or, ignoring SIGINT, pass
	 * the ignoring on to the pager through exec.  On failure: --help below.
	 */
	/* not a terminal too: man formats the page as plain text into a pipe or file */
	if (page)
		execlp("man", "man", "-l", page, (char *)NULL);
	free(page);
	free(name);
	/* no man or no page: the same page, its roff markup taken off */
	return print_page_plain(c);
}

/* ---- completion ---- */

/* run's BENCH among ARGV[2..N): the first word that is no option nor its value. */
static const struct bench_entry *bench_word(int n, char **argv)
{
	int i = run_bench_word(n, argv, 2);

	return i < 0 ? NULL : bench_lookup(argv[i]);
}

/* "run --si<TAB>" before BENCH: the common options, then every benchmark's, once each. */
static int complete_every_bench_option(const char *cur)
{
	complete_options(stdout, cur, run_options);
	for (const struct bench_entry *e = bench_registry; e->name; e++)
		for (const struct opt *o = e->bench->opts; o && o->name; o++) {
			const struct bench_entry *d = bench_registry;

			while (d < e && !opt_find(d->bench->opts, o->name))
				d++;
			if (d == e && !opt_find(run_options, o->name) &&
			    !strncmp(o->name, cur + 2, strlen(cur + 2)))
				printf("--%s%s\n", o->name, o->type == OPT_BOOL ? "" : "=");
		}
	return FB_OK;
}

/*
 * words: the command line after "faultbench" up to the cursor, the last one
 * the word being completed (maybe "").  Prints candidates, one a line;
 * nothing means "complete file names".
 */
int cmd_complete(int argc, char **argv)
{
	const char *cur = argc > 1 ? argv[argc - 1] : "";
	const char *prev = argc > 2 ? argv[argc - 2] : NULL;
	const struct opt *tables[2] = { NULL, NULL };
	const struct command *c;
	const char *eq;
	size_t nt = 0;

	if (argc <= 2) {
		for (c = fb_commands; c->name; c++)
			complete_words(stdout, cur, &c->name, 1);
		return FB_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return FB_OK;
	if (!strcmp(c->name, "help")) {
		if (argc == 3)
			for (c = fb_commands; c->name; c++)
				complete_words(stdout, cur, &c->name, 1);
		return FB_OK;
	}
	if (!strcmp(c->name, "run")) {
		const struct bench_entry *e = bench_word(argc - 1, argv);

		/* options may come before BENCH: until it is there, any benchmark's */
		if (!e && *cur != '-' && !(prev && run_word_takes_value(prev))) {
			for (e = bench_registry; e->name; e++)
				complete_words(stdout, cur, &e->name, 1);
			return FB_OK;
		}
		tables[nt++] = run_options;
		if (e)
			tables[nt++] = e->bench->opts;
		else if (*cur == '-' && !strchr(cur, '='))
			return complete_every_bench_option(cur);
	} else if (c->opts) {
		tables[nt++] = c->opts;
	}
	/* --name=VALUE */
	if (!strncmp(cur, "--", 2) && (eq = strchr(cur, '='))) {
		const struct opt *o =
		    complete_find_opt(tables, nt, cur + 2, (size_t)(eq - cur - 2));

		/* run --backing=tm<TAB> before BENCH: the first benchmark that has it */
		for (const struct bench_entry *e = bench_registry;
		     !o && !strcmp(c->name, "run") && e->name; e++)
			o = complete_find_opt(&e->bench->opts, 1, cur + 2, (size_t)(eq - cur - 2));
		if (o)
			complete_choices(stdout, o, "", eq + 1);
		return FB_OK;
	}
	/* --name VALUE */
	if (prev && !strncmp(prev, "--", 2) && !strchr(prev, '=')) {
		const struct opt *o = complete_find_opt(tables, nt, prev + 2, strlen(prev + 2));

		for (const struct bench_entry *e = bench_registry;
		     !o && !strcmp(c->name, "run") && e->name; e++)
			o = complete_find_opt(&e->bench->opts, 1, prev + 2, strlen(prev + 2));
		if (o && o->type != OPT_BOOL) {
			complete_choices(stdout, o, "", cur);
			return FB_OK;
		}
	}
	if (*cur == '-')
		for (size_t i = 0; i < nt; i++)
			complete_options(stdout, cur, tables[i]);
	return FB_OK;
}
