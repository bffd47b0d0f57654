/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernbench as a load alongside a stress test: `faultbench run kernbench` in
 * a directory of its own, stopped with SIGTERM (see kernbench_load.c).
 */
#ifndef FB_STRESS_KERNBENCH_LOAD_H
#define FB_STRESS_KERNBENCH_LOAD_H

#include <limits.h>
#include <stddef.h>

struct kb_load {
	char exe[PATH_MAX];	    /* this faultbench binary */
	char dir[PATH_MAX];	    /* its directory under --dir; "" when there is none */
	char result[PATH_MAX + 32]; /* its (incomplete) result, removed at the end */
	char log[PATH_MAX + 32];    /* its stdout and stderr, removed at the end */
	char why[256];		    /* why it cannot run here */
};

/* Check that make and cc are there and create its directory in dir; 0 or -errno (why set). */
int kb_load_prepare(struct kb_load *l, const char *dir);
/* In the forked child: become `faultbench run kernbench ...`; does not return. */
void kb_load_exec(const struct kb_load *l) __attribute__((noreturn));
/*
 * After it was reaped: the builds it finished, and its files and directory
 * removed; the last line it printed in note.
 */
unsigned kb_load_finish(struct kb_load *l, char *note, size_t len);

#endif
