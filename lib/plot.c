// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot output.  The data go to a .dat file (one gnuplot "index" block per
 * series) and the drawing to a .gp script that writes both a PNG (pngcairo)
 * and an SVG; gnuplot runs in the output directory so the script names its
 * files without paths and keeps working when the directory is moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "util.h"

void plot_series_add(struct plot_series *s, double x, double y, double ylo, double yhi)
{
	s->x = xrealloc(s->x, (s->n + 1) * sizeof(double));
	s->y = xrealloc(s->y, (s->n + 1) * sizeof(double));
	s->ylo = xrealloc(s->ylo, (s->n + 1) * sizeof(double));
	s->yhi = xrealloc(s->yhi, (s->n + 1) * sizeof(double));
	s->x[s->n] = x;
	s->y[s->n] = y;
	s->ylo[s->n] = isnan(ylo) ? y : ylo;
	s->yhi[s->n] = isnan(yhi) ? y : yhi;
	s->n++;
}

void plot_series_free(struct plot_series *s)
{
	free(s->title);
	free(s->x);
	free(s->y);
	free(s->ylo);
	free(s->yhi);
	memset(s, 0, sizeof(*s));
}

/* A gnuplot double-quoted string: backslash and quote escaped, newlines as \n. */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static int write_dat(const struct plot_spec *p, const char *path)
{
	FILE *f = fopen(path, "w");
	unsigned i, k;

	if (!f)
		return fb_usage("cannot write '%s': %s", path, strerror(errno));
	fprintf(f, "# faultbench plot data: %s\n", p->name);
	fprintf(f, "# one block per series (gnuplot 'index N'); columns: x y y_min y_max\n");
	fprintf(f, "# x: %s\n",
		p->xaxis == PLOT_X_TIME ? "seconds since the epoch (UTC)" : "CPUs (workers)");
	for (i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];

		fprintf(f, "%s# series %u: %s\n", i ? "\n\n" : "", i, s->title);
		for (k = 0; k < s->n; k++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", s->x[k], s->y[k], s->ylo[k],
				s->yhi[k]);
	}
	return fclose(f) ? fb_usage("cannot write '%s': %s", path, strerror(errno)) : FB_OK;
}

static void write_plot_command(FILE *f, const struct plot_spec *p)
{
	unsigned i, drawn = 0;

	fprintf(f, "plot ");
	for (i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		const char *style = s->points_only ? "using 1:2 with points pt 7 ps 1.5"
				    : s->line_only ? "using 1:2 with lines lw 2"
						   : "using 1:2:3:4 with yerrorlines pt 7 ps 0.5";

		if (!s->n)
			continue;
		fprintf(f, "%s\"%s.dat\" index %u %s title ", drawn++ ? ", \\\n     " : "", p->name,
			i, style);
		put_string(f, s->title);
		fprintf(f, " noenhanced");
	}
	if (!isnan(p->hline))
		fprintf(f, "%s%g with lines dt 2 lc rgb \"gray40\" notitle",
			drawn ? ", \\\n     " : "", p->hline);
	fprintf(f, "\n");
}

/* Every point of every series at the same x? */
static bool single_x(const struct plot_spec *p)
{
	double x = NAN;

	for (unsigned i = 0; i < p->nseries; i++)
		for (unsigned k = 0; k < p->series[i].n; k++) {
			if (isnan(x))
				x = p->series[i].x[k];
			else if (p->series[i].x[k] != x)
				return false;
		}
	return true;
}

static int write_gp(const struct plot_spec *p, const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return fb_usage("cannot write '%s': %s", path, strerror(errno));
	fprintf(f, "# Written by faultbench plot; edit at will and re-run: gnuplot %s.gp\n",
		p->name);
	fprintf(f, "# Data: %s.dat (x, y, min, max per series).\n", p->name);
	fprintf(f, "set terminal pngcairo size 1024,640 font \",10\"\n");
	fprintf(f, "set output \"%s.png\"\n", p->name);
	fprintf(f, "set title ");
	put_string(f, p->title);
	fprintf(f, " noenhanced\nset ylabel ");
	put_string(f, p->ylabel);
	fprintf(f, " noenhanced\n");
	if (single_x(p)) {
		/* one step (or one night): give gnuplot a range around it */
		double x = p->series[0].n ? p->series[0].x[0] : 1;

		if (p->xaxis == PLOT_X_CPUS)
			fprintf(f, "set xrange [%g:%g]\n", x / 2, x * 2);
		else
			fprintf(f, "set xrange [%.0f:%.0f]\n", x - 86400, x + 86400);
	}
	if (p->xaxis == PLOT_X_CPUS) {
		/* Sweeps double the CPU count: a log2 axis spaces the steps evenly. */
		fprintf(f, "set xlabel \"CPUs (workers), log2 scale\"\n");
		fprintf(f, "set logscale x 2\nset offsets graph 0.05, graph 0.05, 0, 0\n");
	} else {
		fprintf(f, "set xlabel \"date (UTC)\"\n");
		fprintf(f, "set xdata time\nset timefmt \"%%s\"\nset format x \"%%Y-%%m-%%d\"\n");
		fprintf(f, "set xtics rotate by -30\n");
	}
	fprintf(f, "set yrange [0:*]\nset grid\nset key top left box opaque\n");
	fprintf(f, "set style data yerrorlines\nset bars small\n");
	write_plot_command(f, p);
	fprintf(f, "\nset terminal svg size 1024,640 dynamic font \",10\"\n");
	fprintf(f, "set output \"%s.svg\"\nreplot\n", p->name);
	return fclose(f) ? fb_usage("cannot write '%s': %s", path, strerror(errno)) : FB_OK;
}

/* gnuplot, in dir, on the script; its stdout is not ours (stdout may be a table). */
static int run_gnuplot(const char *dir, const char *script)
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return fb_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		if (chdir(dir) < 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	st = wait_child(pid);
	if (st == 127)
		return fb_fail("gnuplot is not installed (Debian: apt-get install gnuplot-nox); "
			       "the script %s/%s is ready for it",
			       dir, script);
	if (st)
		return fb_fail("gnuplot failed on %s/%s", dir, script);
	return FB_OK;
}

int plot_write(const struct plot_spec *p)
{
	char *dat = xasprintf("%s/%s.dat", p->dir, p->name);
	char *gp = xasprintf("%s/%s.gp", p->dir, p->name);
	char *script = xasprintf("%s.gp", p->name);
	int ret = mkdir_p(p->dir);

	if (ret)
		ret = fb_usage("cannot create '%s': %s", p->dir, strerror(-ret));
	if (!ret)
		ret = write_dat(p, dat);
	if (!ret)
		ret = write_gp(p, gp);
	if (!ret)
		ret = run_gnuplot(p->dir, script);
	free(dat);
	free(gp);
	free(script);
	return ret;
}
