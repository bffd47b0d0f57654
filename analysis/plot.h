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
	double *x, *y, *ylo, *yhi; /* ylo/yhi: the spread (min-max); may be NULL */
	bool points_only;	   /* marks (change points) rather than a line */
	bool line_only;		   /* a plain line (a rolling baseline), no spread */
	/*
	 * The spread as a shaded band behind the line rather than error bars:
	 * several variants' bars at one x overlap into one unreadable bar, their
	 * bands stay apart (a series of one point still gets a bar).
	 */
	bool band;
	bool thin;	/* a secondary line (a node's share of a step): thin, small marks */
	unsigned color; /* 0: gnuplot's choice; else plot_color() + 1 */
	unsigned dash;	/* 0 solid; 1.. gnuplot dash types 2.. */
	unsigned point; /* 0: filled circle; 1..: other shapes */
};

enum plot_xaxis {
	PLOT_X_CPUS, /* log2 axis of worker counts */
	PLOT_X_TIME, /* x is seconds since the epoch, shown as dates */
};

struct plot_spec {
	const char *dir;      /* where the files go */
	const char *name;     /* file name without extension */
	const char *title;    /* one line: what, where (benchmark, machine, kernel) */
	const char *subtitle; /* a smaller line under it (parameters), or NULL */
	const char *ylabel;   /* with its unit: "pages/s" */
	enum plot_xaxis xaxis;
	double hline; /* a reference line (1.0 for ratios); NAN for none */
	unsigned nseries;
	struct plot_series *series;
};

/*
 * The palette: colour i (0-based, wraps around) as 0xRRGGBB.  Callers assign
 * i from a label's place in the whole set of runs, so one kernel has one
 * colour in every figure of a report.
 */
unsigned plot_color(unsigned i);
/*
 * v with an SI prefix and at most 3 significant digits: 450000 -> "450k",
 * 1234567 -> "1.23M", 0.5 -> "0.5", NAN -> "-".  For axis ticks and tables.
 */
void plot_si(double v, char *buf, size_t len);
/*
 * Evenly spaced ticks from 0 to above max at a 1/2/2.5/5 x 10^k step, about
 * 5 to 10 of them: their step, and the axis top in *top.  0 when max is not
 * a positive finite number.
 */
double plot_tick_step(double max, double *top);

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

/*
 * TEXT cut into lines of at most WIDTH bytes after a ", " where it can
 * (*LINES: n malloc'ed strings, the array malloc'ed too); returns n.  The
 * subtitle's lines: at 9 points a 1024-pixel figure holds about 150
 * characters; PLOT_SUBTITLE_CHARS leaves room for wide letters.
 */
#define PLOT_SUBTITLE_CHARS 120
unsigned plot_wrap(const char *text, unsigned width, char ***lines);

#endif
