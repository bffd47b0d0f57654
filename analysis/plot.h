/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Plots through gnuplot: for every image, the data file and the gnuplot
 * script that drew it are written beside it (NAME.dat, NAME.gp, NAME.png,
 * NAME.svg), so a user can edit the script for a cover letter and re-run
 * "gnuplot NAME.gp" in that directory.  Nothing here ever runs a benchmark.
 */
#ifndef FB_PLOT_H
#define FB_PLOT_H

#include <stdbool.h>
#include <stdio.h>

struct plot_series {
	char *title;
	unsigned n;
	double *x, *y, *ylo, *yhi; /* ylo/yhi: error bars (min-max); may be NULL */
	bool points_only;	   /* marks (change points) rather than a line */
	bool line_only;		   /* a plain line (a rolling baseline), no bars */
};

enum plot_xaxis {
	PLOT_X_CPUS, /* log2 axis of worker counts */
	PLOT_X_TIME, /* x is seconds since the epoch, shown as dates */
};

struct plot_spec {
	const char *dir;    /* where the files go */
	const char *name;   /* file name without extension */
	const char *title;  /* lines separated by '\n' */
	const char *ylabel; /* with its unit: "pages/s" */
	enum plot_xaxis xaxis;
	double hline; /* a reference line (1.0 for ratios); NAN for none */
	unsigned nseries;
	struct plot_series *series;
};

void plot_series_add(struct plot_series *s, double x, double y, double ylo, double yhi);
void plot_series_free(struct plot_series *s);

/*
 * A plot name (a file name without extension) follows the name grammar of
 * fb_name_ok(): no '/', no leading '-' or '.'.  FB_OK or FB_USAGE naming what.
 */
int plot_check_name(const char *what, const char *name);
/* s as a gnuplot string constant that expands nothing (see plot.c). */
void plot_put_string(FILE *f, const char *s);

/*
 * Write NAME.dat and NAME.gp into dir and run gnuplot there for NAME.png
 * and NAME.svg.  Each file replaces any of its name in dir by rename(), so a
 * link planted there is never followed.  FB_OK, FB_FAIL (gnuplot missing or
 * failed: the .gp and .dat stay so the user can see why), FB_USAGE (dir
 * empty or not writable, or NAME not a usable file name).
 */
int plot_write(const struct plot_spec *p);

#endif
