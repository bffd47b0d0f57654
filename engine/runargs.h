/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "faultbench run [options] BENCH [options]", as git takes its options:
 * which word of run's command line is BENCH.  One rule for run itself and
 * for its completion (cmd/run.c, cmd/help.c).
 */
#ifndef FB_RUNARGS_H
#define FB_RUNARGS_H

#include <stdbool.h>

/*
 * Does word, an option of run ("-o", or "--name" without '='), take the next
 * word as its value?  Any benchmark's option counts: BENCH may come after it.
 */
bool run_word_takes_value(const char *word);
/*
 * The index of BENCH among argv[from..argc): the first word that is no
 * option nor an option's value, before any "--"; -1 when there is none.
 */
int run_bench_word(int argc, char *const *argv, int from);

#endif
