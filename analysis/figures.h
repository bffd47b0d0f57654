/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The figures of one benchmark across the runs of a comparison table, for
 * plot and report: throughput and per-CPU efficiency against CPUs, and for
 * variant runs (pagelock same/disjoint, dio thp/4k) each variant's ratio to
 * the first.  Drawn by gnuplot through plot.h; reads the table only.
 *
 * Figures meant to be pasted into a cover letter: a one-line title (the
 * benchmark, the machine, the kernel), the parameters in human units in a
 * small line under it, SI ticks, min-max as shaded bands, one colour per
 * label in every figure (its column in the table), and a thin line per NUMA
 * node where a step spans nodes and the result has per-node metrics.
 */
#ifndef FB_FIGURES_H
#define FB_FIGURES_H

#include <stddef.h>
#include <jansson.h>

#include "compare.h"

struct fig {
	char *name; /* file name without extension: NAME.svg, NAME.png, ... */
	char *what; /* "throughput", "efficiency", "ratio" */
};

struct fig_list {
	unsigned n;
	struct fig *figs;
};

/*
 * Draw the figures of group g into dir, of metric (NULL: the group's
 * headline metric), appending what was written to *out.  FB_OK (also when
 * there was nothing to draw: a warning says so), FB_FAIL or FB_USAGE.
 */
int fig_plot_group(const char *dir, const struct cmp_table *t, const struct cmp_group *g,
		   const char *metric, struct fig_list *out);
void fig_list_free(struct fig_list *l);

/*
 * A benchmark's parameters for people: "backing tmpfs, size 64 MiB,
 * fault-around on" (sizes in binary units, booleans as on/off).
 */
void fig_describe_params(json_t *params, char *buf, size_t len);
/* A byte count in binary units when exact ("64 MiB", "4 KiB"), else "N bytes". */
void fig_bytes(unsigned long long v, char *buf, size_t len);

#endif
