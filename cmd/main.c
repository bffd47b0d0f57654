// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench: microbenchmarks for the scalability of the Linux page-fault path.
 * Subcommands in the style of git and perf.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "util.h"

static const struct command commands[] = {
	{ "list", cmd_list, "list benchmarks and presets" },
	{ "run", cmd_run, "run a benchmark as a sweep over CPU counts" },
	{ "topo", cmd_topo, "show the machine and the CPU plan of a sweep" },
	{ "compare", cmd_compare, "compare runs: the changelog table (first RUN is the baseline)" },
	{ "check", cmd_check, "regression gate: exit 0 good, 1 regression, 125 undecided" },
	{ "suite", cmd_suite,
	  "run every job of a config file (configs/*.ini) into results/LABEL/" },
	{ "stress", cmd_stress,
	  "self-checking race reproducers (exit 0 ok, 1 corruption, 125 skip)" },
	{ "vm", cmd_vm, "boot a kernel in a qemu NUMA guest and run a command there" },
	{ "hold-keys", cmd_hold_keys,
	  "keep perf's kernel static keys on between runs (VM guests)" },
	{ "plot", cmd_plot, "plot runs with gnuplot: scaling, efficiency, variant ratios" },
	{ "history", cmd_history, "a metric over time across runs, with change points" },
	{ "noise", cmd_noise, "measure this machine's run-to-run noise: what a star must beat" },
	{ "store", cmd_store, "the results store: import result files, SQLite or PostgreSQL" },
	/* new subcommands: one line above this comment */
	{ NULL, NULL, NULL }
};

static int usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: faultbench <command> [options]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'faultbench <command> --help' shows a command's options.\n");
	return f == stdout ? FB_OK : FB_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage(stdout);
	if (!strcmp(argv[1], "--version")) {
		printf("faultbench %s\n", fb_version);
		return FB_OK;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[1]))
			return c->fn(argc - 1, argv + 1);
	return fb_usage("'%s' is not a faultbench command; see 'faultbench --help'", argv[1]);
}
