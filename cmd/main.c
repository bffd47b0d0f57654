// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench: microbenchmarks for the scalability of the Linux page-fault path.
 * Subcommands in the style of git and perf.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "runopts.h"
#include "util.h"

const struct command fb_commands[] = {
	{ .name = "list", .fn = cmd_list, .args = "",
	  .summary = "list benchmarks and presets" },
	{ .name = "run", .fn = cmd_run, .opts = run_options, .args = "BENCH",
	  .summary = "run a benchmark as a sweep over CPU counts" },
	{ .name = "topo", .fn = cmd_topo, .opts = topo_cmd_options, .args = "",
	  .summary = "show the machine and the CPU plan of a sweep" },
	{ .name = "compare", .fn = cmd_compare, .opts = compare_options, .args = "RUN...",
	  .summary = "compare runs: the changelog table (first RUN is the baseline)" },
	{ .name = "ab", .fn = cmd_ab, .opts = ab_options, .args = "",
	  .summary = "adaptive A/B: alternate runs until a paired test decides (0 within, 1 worse, "
		     "125 undecided)" },
	{ .name = "check", .fn = cmd_check, .opts = check_options, .args = "",
	  .summary = "regression gate: exit 0 good, 1 regression, 125 undecided" },
	{ .name = "suite", .fn = cmd_suite, .opts = suite_options, .args = "FILE.ini",
	  .summary = "run every job of a config file (configs/*.ini) into results/LABEL/" },
	{ .name = "stress", .fn = cmd_stress, .opts = stress_options, .args = "TEST",
	  .summary = "self-checking race reproducers (exit 0 ok, 1 corruption, 125 skip)" },
	{ .name = "vm", .fn = cmd_vm, .opts = vm_options, .args = "-- COMMAND...",
	  .summary = "boot a kernel in a qemu NUMA guest and run a command there" },
	{ .name = "hold-keys", .fn = cmd_hold_keys, .opts = hold_options, .args = "",
	  .summary = "keep perf's kernel static keys on between runs (VM guests)" },
	{ .name = "plot", .fn = cmd_plot, .opts = plot_options, .args = "RUN...",
	  .summary = "plot runs with gnuplot: scaling, efficiency, variant ratios" },
	{ .name = "history", .fn = cmd_history, .opts = history_options, .args = "DIR",
	  .summary = "a metric over time across runs, with change points" },
	{ .name = "noise", .fn = cmd_noise, .opts = noise_options, .args = "CONFIG.ini",
	  .summary = "measure this machine's run-to-run noise: what a star must beat" },
	{ .name = "report", .fn = cmd_report, .opts = report_options, .args = "RUN...",
	  .summary = "a static HTML report of runs (or of a history) for a browser" },
	{ .name = "store", .fn = cmd_store, .opts = store_options, .args = "import|init|info",
	  .summary = "the results store: import result files, SQLite or PostgreSQL" },
	{ .name = "help", .fn = cmd_help, .args = "[COMMAND]",
	  .summary = "a command's manual page (faultbench-COMMAND(1)), or this list" },
	/* new subcommands: one line above this comment */
	{ .name = NULL }
};

static int usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: faultbench <command> [options]\n\ncommands:\n");
	for (c = fb_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'faultbench <command> --help' shows a command's options.\n");
	return f == stdout ? FB_OK : FB_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2))
		return usage(stdout);
	/* hidden: the bash completion script asks here (scripts/faultbench.bash) */
	if (!strcmp(argv[1], "--complete"))
		return cmd_complete(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("faultbench %s\n", fb_version);
		return FB_OK;
	}
	for (c = fb_commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	return cmd_unknown(argv[1]);
}
