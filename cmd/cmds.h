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

/* Every subcommand, NULL-terminated (cmd/main.c). */
extern const struct command fb_commands[];

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_ab(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_noise(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_hold_keys(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_help(int argc, char **argv);
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
extern const struct opt plot_options[];
extern const struct opt report_options[];
extern const struct opt store_options[];
extern const struct opt stress_options[];
extern const struct opt suite_options[];
extern const struct opt topo_cmd_options[];
extern const struct opt vm_options[];

#endif
