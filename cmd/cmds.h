/* SPDX-License-Identifier: GPL-2.0 */
/* The subcommands: int cmd_NAME(int argc, char **argv), argv[0] is the subcommand. */
#ifndef FB_CMDS_H
#define FB_CMDS_H

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_noise(int argc, char **argv);
int cmd_stress(int argc, char **argv);
int cmd_vm(int argc, char **argv);
int cmd_hold_keys(int argc, char **argv);
int cmd_store(int argc, char **argv);

#endif
