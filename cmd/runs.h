/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --runs N of run and suite: N separate runs into one label, each a process
 * of its own (cmd/runs.c).  A run is the unit of replication: a star needs
 * several a side, and the repeats inside one process share its machine state.
 */
#ifndef FB_CMD_RUNS_H
#define FB_CMD_RUNS_H

/*
 * Take "--runs N" / "--runs=N" out of ARGV (ARGV[0] is the subcommand; up to a
 * "--"), into *n (1 when absent).  FB_USAGE with a message when N is no count
 * from 1 to 1000.
 */
int runs_take_option(int *argc, char **argv, long *n);

/*
 * Run "faultbench ARGV..." N times, one after the other, each a separate
 * invocation through lib/spawn; stops at the first that fails (its exit
 * status, 130 or 143 for an interrupt).  Refuses --output FILE.json (FB_USAGE):
 * N runs need a directory.
 */
int runs_repeat(int argc, char **argv, long n);

/* Does ARGV name the suite/run's output as one .json file? */
int runs_output_is_file(int argc, char **argv);

#endif
