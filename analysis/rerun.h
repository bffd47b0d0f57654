/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The command that adds runs to a compared column (analysis/rerun.c): what
 * compare's footer prints when a side has too few runs for a verdict.
 */
#ifndef FB_RERUN_H
#define FB_RERUN_H

#include <jansson.h>
#include <stddef.h>

/*
 * "faultbench run pf1 --cpus 1,2 --label 6.18-a --runs 2" into BUF: the
 * command line DOC was made with (its command_line), without its --runs and
 * a one-file --output (the new runs go to the label's directory), asking for
 * MORE runs.  Arguments are shell-quoted where they need it.  Without a
 * recorded command line: "faultbench run BENCH --label LABEL --runs N" and
 * the same options as before.
 */
void rerun_command(json_t *doc, unsigned more, char *buf, size_t len);

#endif
