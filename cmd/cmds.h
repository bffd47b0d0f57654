/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands: int cmd_NAME(int argc, char **argv), argv[0] is the subcommand. */
#ifndef FB_CMDS_H
#define FB_CMDS_H

#include "opt.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	/* Its options table, for the man page and completion (NULL: none). */
	const struct opt *opts;
	/* What follows the options in its synopsis: "RUN...", "BENCH" */
	const char *args;
};

/*
 * Every subcommand, one entry each, in the order 'faultbench --help' lists
 * them: X(id, name, options table or NULL, what follows the options, summary).
 * Its function is int cmd_<id>(int argc, char **argv).  A new subcommand is
 * its file and one entry here (cmd/main.c builds the table from this list).
 */
/* clang-format off */
#define FB_COMMANDS(X)								\
	X(list, "list", NULL, "",						\
	  "list benchmarks and presets")					\
	X(selftest, "selftest", selftest_options, "",				\
	  "first on a new machine or kernel: does each preset measure what a bare loop does?") \
	X(run, "run", run_options, "BENCH",					\
	  "run a benchmark as a sweep over CPU counts")				\
	X(topo, "topo", topo_cmd_options, "",					\
	  "show the machine and the CPU plan of a sweep")			\
	X(compare, "compare", compare_options, "RUN...",			\
	  "compare runs: the changelog table (first RUN is the baseline)")	\
	X(ab, "ab", ab_options, "",						\
	  "adaptive A/B: alternate runs until a paired test decides (0 within, 1 worse, 125 undecided)") \
	X(check, "check", check_options, "",					\
	  "regression gate: exit 0 good, 1 regression, 125 undecided")		\
	X(suite, "suite", suite_options, "FILE.ini",				\
	  "run every job of a config file (configs/*.ini) into results/LABEL/")	\
	X(stress, "stress", stress_options, "TEST",				\
	  "self-checking race reproducers (exit 0 ok, 1 corruption, 125 skip)")	\
	X(vm, "vm", vm_options, "-- COMMAND...",				\
	  "boot a kernel in a qemu NUMA guest and run a command there")		\
	X(campaign, "campaign", campaign_options, "start PLAN.ini|status|stop|resume|unit", \
	  "boots of several kernels on this machine through kexec, then compare") \
	X(hold_keys, "hold-keys", hold_options, "",				\
	  "keep perf's kernel static keys on between runs (VM guests)")		\
	X(plot, "plot", plot_options, "RUN...",					\
	  "plot runs with gnuplot: scaling, efficiency, variant ratios")	\
	X(history, "history", history_options, "DIR",				\
	  "a metric over time across runs, with change points")			\
	X(noise, "noise", noise_options, "CONFIG.ini",				\
	  "measure this machine's run-to-run noise: what a star must beat")	\
	X(report, "report", report_options, "RUN...",				\
	  "a static HTML report of runs (or of a history) for a browser")	\
	X(store, "store", store_options, "import|init|info",			\
	  "the results store: import result files, SQLite or PostgreSQL")	\
	X(help, "help", NULL, "[COMMAND]",					\
	  "a command's manual page (faultbench-COMMAND(1)), or this list")
/* clang-format on */

#define FB_DECLARE_COMMAND(id, name, opts, args, summary) int cmd_##id(int argc, char **argv);
FB_COMMANDS(FB_DECLARE_COMMAND)
#undef FB_DECLARE_COMMAND

/* Every subcommand, NULL-terminated (cmd/main.c, from FB_COMMANDS). */
extern const struct command fb_commands[];

/* "'NAME' is not a faultbench command; did you mean ...?", FB_USAGE (cmd/help.c). */
int cmd_unknown(const char *name);
/* faultbench --complete WORD...: completion candidates, one a line (cmd/help.c). */
int cmd_complete(int argc, char **argv);

/* The subcommands' options tables, defined in cmd/<name>.c */
extern const struct opt ab_options[];
extern const struct opt check_options[];
extern const struct opt compare_options[];
extern const struct opt history_options[];
extern const struct opt hold_options[];
extern const struct opt noise_options[];
extern const struct opt selftest_options[];
extern const struct opt plot_options[];
extern const struct opt report_options[];
extern const struct opt store_options[];
extern const struct opt stress_options[];
extern const struct opt suite_options[];
extern const struct opt topo_cmd_options[];
extern const struct opt vm_options[];
extern const struct opt campaign_options[];

#endif
