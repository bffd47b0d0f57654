/* SPDX-License-Identifier: GPL-2.0 */
/* "did you mean" for a RUN or a benchmark that is not there (analysis/nearby.c). */
#ifndef FB_NEARBY_H
#define FB_NEARBY_H

#include <stddef.h>

/*
 * "; did you mean 'results/6.18-vanilla'?" for a RUN that does not exist: the
 * closest names in its directory (results/ for a bare label), else "".
 */
const char *nearby_run_hint(const char *arg, char *buf, size_t len);

/* The same among NAMES[0..n) (benchmarks found under a directory). */
const char *nearby_name_hint(const char *typed, char *const *names, unsigned n, char *buf,
			     size_t len);

#endif
