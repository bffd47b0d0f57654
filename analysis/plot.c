// SPDX-License-Identifier: GPL-2.0
/*
 * gnuplot output.  The data go to a .dat file (one gnuplot "index" block per
 * series) and the drawing to a .gp script that writes both a PNG (pngcairo)
 * and an SVG; gnuplot runs in the output directory so the script names its
 * files without paths and keeps working when the directory is moved.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsfile.h"
#include "plot.h"
#include "spawn.h"
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

/*
 * A gnuplot string from text that may come from a result file: single-quoted,
 * where gnuplot expands neither backslashes, backquotes (command
 * substitution) nor '@' macros; a quote is doubled.  Backquotes and control
 * characters are replaced all the same, so no gnuplot version, and no later
 * edit of the script into double quotes, can run a command from a label.
 * Newlines become the expression '."\n".'.
 */
void plot_put_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("'.\"\\n\".'", f);
		else if (c == '\'')
			fputs("''", f);
		else if (c == '`' || c < 0x20 || c >= 0x7f)
			fputc('?', f);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

/* A title as a .dat comment: one line, printable, whatever it holds. */
static void put_comment(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, f);
	fputc('\n', f);
}

static int write_dat(FILE *f, const void *arg)
{
	const struct plot_spec *p = arg;
	unsigned i, k;

	fprintf(f, "# faultbench plot data: %s\n", p->name);
	fprintf(f, "# one block per series (gnuplot 'index N'); columns: x y y_min y_max\n");
	fprintf(f, "# x: %s\n",
		p->xaxis == PLOT_X_TIME ? "seconds since the epoch (UTC)" : "CPUs (workers)");
	for (i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];

		fprintf(f, "%s# series %u: ", i ? "\n\n" : "", i);
		put_comment(f, s->title);
		for (k = 0; k < s->n; k++)
			fprintf(f, "%.10g %.10g %.10g %.10g\n", s->x[k], s->y[k], s->ylo[k],
				s->yhi[k]);
	}
	return ferror(f);
}

unsigned plot_color(unsigned i)
{
	/* Tableau 10: distinct in print, on a projector and for most colour-blind readers */
	static const unsigned pal[] = { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd,
					0x8c564b, 0xe377c2, 0x7f7f7f, 0xbcbd22, 0x17becf };

	return pal[i % ARRAY_SIZE(pal)];
}

void plot_si(double v, char *buf, size_t len)
{
	static const struct {
		double scale;
		const char *prefix;
	} si[] = { { 1e12, "T" }, { 1e9, "G" }, { 1e6, "M" }, { 1e3, "k" } };
	unsigned i;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(si); i++)
		/* 999999.9 would print as "1e+03k": round first, then choose the prefix */
		if (fabs(v) >= si[i].scale * 0.9995) {
			snprintf(buf, len, "%.3g%s", v / si[i].scale, si[i].prefix);
			return;
		}
	snprintf(buf, len, "%.3g", v == 0 ? 0 : v);
}

double plot_tick_step(double max, double *top)
{
	static const double nice[] = { 1, 2, 2.5, 5, 10 };
	double raw, mag, step = 0;
	unsigned i;

	*top = max;
	if (!isfinite(max) || max <= 0)
		return 0;
	raw = max / 6;
	mag = pow(10, floor(log10(raw)));
	for (i = 0; i < ARRAY_SIZE(nice); i++) {
		step = nice[i] * mag;
		if (step >= raw)
			break;
	}
	/* a little air above the highest point, so its marker is not cut */
	*top = ceil(max * 1.04 / step) * step;
	return step;
}

/* The largest value drawn, spread included. */
static double data_max(const struct plot_spec *p)
{
	double m = isfinite(p->hline) ? p->hline : 0;

	for (unsigned i = 0; i < p->nseries; i++)
		for (unsigned k = 0; k < p->series[i].n; k++) {
			const struct plot_series *s = &p->series[i];
			double v = s->yhi[k] > s->y[k] ? s->yhi[k] : s->y[k];

			if (isfinite(v) && v > m)
				m = v;
		}
	return m;
}

/* y from 0 with SI tick labels ("450k", "1.2M") rather than gnuplot's "450000". */
static void write_yaxis(FILE *f, const struct plot_spec *p)
{
	double top, step = plot_tick_step(data_max(p), &top);
	char lab[32];

	if (step <= 0) {
		fprintf(f, "set yrange [0:*]\n");
		return;
	}
	fprintf(f, "set yrange [0:%.10g]\nset ytics (", top);
	for (unsigned i = 0; i * step <= top * (1 + 1e-9); i++) {
		plot_si(i * step, lab, sizeof(lab));
		fprintf(f, "%s\"%s\" %.10g", i ? ", " : "", lab, i * step);
	}
	fprintf(f, ")\n");
}

static void put_style(FILE *f, const struct plot_series *s)
{
	if (s->color)
		fprintf(f, " lc rgb \"#%06x\"", plot_color(s->color - 1));
	if (s->dash)
		fprintf(f, " dt %u", s->dash + 1);
}

/* gnuplot's filled point types, in an order that tells them apart */
static unsigned point_type(unsigned i)
{
	static const unsigned pt[] = { 7, 5, 9, 13, 11, 15 };

	return pt[i % ARRAY_SIZE(pt)];
}

static void write_series(FILE *f, const struct plot_spec *p, unsigned i, unsigned *drawn)
{
	const struct plot_series *s = &p->series[i];
	const char *sep = ", \\\n     ";

	if (s->points_only) {
		fprintf(f, "%s'%s.dat' index %u using 1:2 with points pt 7 ps 1.5",
			*drawn ? sep : "", p->name, i);
	} else if (s->thin) {
		fprintf(f, "%s'%s.dat' index %u using 1:2 with linespoints lw 1 pt %u ps 0.6",
			*drawn ? sep : "", p->name, i, point_type(s->point));
	} else if (s->line_only) {
		fprintf(f, "%s'%s.dat' index %u using 1:2 with lines lw 2", *drawn ? sep : "",
			p->name, i);
	} else if (s->band && s->n > 1) {
		/* the band first, untitled, so the line is drawn over it */
		fprintf(f, "%s'%s.dat' index %u using 1:3:4 with filledcurves", *drawn ? sep : "",
			p->name, i);
		put_style(f, s);
		fprintf(f, " fs transparent solid 0.18 noborder notitle");
		fprintf(f, "%s'%s.dat' index %u using 1:2 with linespoints lw 2 pt %u ps 0.8", sep,
			p->name, i, point_type(s->point));
	} else {
		fprintf(f, "%s'%s.dat' index %u using 1:2:3:4 with yerrorlines lw 2 pt %u ps 0.8",
			*drawn ? sep : "", p->name, i, point_type(s->point));
	}
	put_style(f, s);
	fprintf(f, " title ");
	plot_put_string(f, s->title);
	fprintf(f, " noenhanced");
	(*drawn)++;
}

static void write_plot_command(FILE *f, const struct plot_spec *p)
{
	unsigned i, drawn = 0, any = 0;

	for (i = 0; i < p->nseries; i++)
		any += p->series[i].n > 0;
	/* every value left out (validity.h): an empty figure that says so, not a gnuplot error */
	if (!any && isnan(p->hline)) {
		fprintf(f, "set label 1 'no valid value to plot' at graph 0.5,0.5 center\n"
			   "set yrange [0:1]\nunset key\nplot -1 notitle\n");
		return;
	}
	fprintf(f, "plot ");
	for (i = 0; i < p->nseries; i++)
		if (p->series[i].n)
			write_series(f, p, i, &drawn);
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

/* The range of x over every series (seconds, for a time axis). */
static double x_span(const struct plot_spec *p)
{
	double lo = INFINITY, hi = -INFINITY;

	for (unsigned i = 0; i < p->nseries; i++)
		for (unsigned k = 0; k < p->series[i].n; k++) {
			lo = fmin(lo, p->series[i].x[k]);
			hi = fmax(hi, p->series[i].x[k]);
		}
	return hi > lo ? hi - lo : 0;
}

unsigned plot_wrap(const char *text, unsigned width, char ***lines)
{
	unsigned n = 0;

	*lines = NULL;
	while (*text) {
		size_t len = strlen(text), cut = len;

		if (len > width) {
			/* the last ", " that keeps the line within width, else a hard cut */
			cut = width;
			for (size_t i = width; i > 0; i--)
				if (text[i - 1] == ',' && text[i] == ' ') {
					cut = i;
					break;
				}
		}
		*lines = xrealloc(*lines, (n + 1) * sizeof(**lines));
		(*lines)[n++] = xasprintf("%.*s", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
	return n;
}

/*
 * One title line (what, where) and the parameters in a smaller line under
 * it: a figure pasted into a cover letter is read at a glance, and three
 * lines of raw key=value pairs are not.
 */
static void write_titles(FILE *f, const struct plot_spec *p)
{
	char **lines = NULL;
	unsigned n = p->subtitle ? plot_wrap(p->subtitle, PLOT_SUBTITLE_CHARS, &lines) : 0;

	fprintf(f, "set title ");
	plot_put_string(f, p->title);
	fprintf(f, " noenhanced font \",12\"");
	if (n)
		fprintf(f, " offset 0,%.1f", 1.2 + 1.1 * (n - 1));
	fprintf(f, "\n");
	if (n)
		fprintf(f, "set tmargin %u\n", 4 + n);
	/* one label a line, centred: a line wider than the canvas is cut at both ends */
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "set label %u ", i + 1);
		plot_put_string(f, lines[i]);
		fprintf(f,
			" at graph 0.5, graph 1 offset 0,%.1f center noenhanced font \",9\" "
			"tc rgb \"gray30\"\n",
			0.8 + 1.1 * (n - 1 - i));
		free(lines[i]);
	}
	free(lines);
}

static int write_gp(FILE *f, const void *arg)
{
	const struct plot_spec *p = arg;

	fprintf(f, "# Written by faultbench plot; edit at will and re-run: gnuplot %s.gp\n",
		p->name);
	fprintf(f, "# Data: %s.dat (x, y, min, max per series).\n", p->name);
	fprintf(f, "set terminal pngcairo size 1024,640 font \",10\"\n");
	fprintf(f, "set output '%s.png'\n", p->name);
	write_titles(f, p);
	fprintf(f, "set ylabel ");
	plot_put_string(f, p->ylabel);
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
		/* runs of one day (an A/A series) apart by hours: show the time */
		fprintf(f, "set xdata time\nset timefmt \"%%s\"\nset format x \"%s\"\n",
			x_span(p) < 3 * 86400 ? "%m-%d %H:%M" : "%Y-%m-%d");
		fprintf(f, "set xtics rotate by -30\n");
	}
	write_yaxis(f, p);
	fprintf(f, "set grid\nset key top left box opaque Left reverse\n");
	fprintf(f, "set style data yerrorlines\nset bars small\n");
	write_plot_command(f, p);
	fprintf(f, "\nset terminal svg size 1024,640 dynamic font \",10\"\n");
	fprintf(f, "set output '%s.svg'\nreplot\n", p->name);
	return ferror(f);
}

/*
 * gnuplot, in the private directory, on the script; its stdout is not ours
 * (stdout may be a table).  dir is where the script will be, for messages.
 */
static int run_gnuplot(const char *dir, const char *tdir, const char *script)
{
	struct spawn sp = {
		.argv = (const char *const[]){ "gnuplot", script, NULL },
		.dir = tdir,
		.out = { SPAWN_NULL },
	};
	char why[256];
	int ret = FB_OK;

	if (spawn_run(&sp) && spawn_not_found(&sp))
		ret = fb_fail("gnuplot is not installed (Debian: apt-get install gnuplot-nox); "
			      "the script %s/%s is ready for it",
			      dir, script);
	else if (sp.code)
		ret = fb_fail("gnuplot failed on %s/%s: %s", dir, script,
			      spawn_describe(&sp, why, sizeof(why)));
	spawn_clear(&sp);
	return ret;
}

/* A file of the private directory, under its own name in the output directory. */
static int publish(int tdfd, int dfd, const char *dir, const char *name, const char *ext)
{
	char *tmp = xasprintf("%s%s", name, ext);
	int fd = openat(tdfd, tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), ret;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	ret = fb_publish_at(tdfd, tmp, dfd, name, ext, FB_REPLACE, NULL);
	if (ret)
		fb_warn("cannot write '%s/%s': %s", dir, tmp, strerror(-ret));
	free(tmp);
	return ret;
}

/* Empty the private directory and remove it. */
static void remove_private(const char *tdir, int tdfd)
{
	DIR *d = fdopendir(dup(tdfd));
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(tdfd, e->d_name, 0);
	if (d)
		closedir(d);
	close(tdfd);
	rmdir(tdir);
}

int plot_check_name(const char *what, const char *name)
{
	return fb_check_name(what, name);
}

/*
 * Everything is made in a private directory (mkdtemp: new, mode 0700) inside
 * dir, gnuplot runs there, and each finished file is then renamed into dir:
 * a name someone planted in dir (a link to a victim) is replaced, never
 * written through, and gnuplot never opens a file outside the private one.
 */
static int write_in_private(const struct plot_spec *p, const char *tdir, int tdfd, int dfd)
{
	static const char *const exts[] = { ".dat", ".gp", ".png", ".svg" };
	char *script = xasprintf("%s.gp", p->name);
	int ret, err;
	unsigned i;

	ret = fb_write_file(tdir, p->name, ".dat", FB_NEW, write_dat, p, NULL);
	if (!ret)
		ret = fb_write_file(tdir, p->name, ".gp", FB_NEW, write_gp, p, NULL);
	if (ret) {
		free(script);
		return fb_usage("cannot write into '%s': %s", p->dir, strerror(-ret));
	}
	ret = run_gnuplot(p->dir, tdir, script);
	/* the .gp and .dat stay even when gnuplot failed: the user sees why */
	for (i = 0; i < (ret ? 2 : ARRAY_SIZE(exts)); i++) {
		err = publish(tdfd, dfd, p->dir, p->name, exts[i]);
		if (err && !ret)
			ret = FB_USAGE;
	}
	free(script);
	return ret;
}

int plot_write(const struct plot_spec *p)
{
	char *tdir;
	int ret, dfd, tdfd;

	if (!*p->dir)
		return fb_usage("the plot directory is empty: name one (-o DIR)");
	ret = plot_check_name("plot name", p->name);
	if (ret)
		return ret;
	ret = mkdir_p(p->dir);
	if (ret)
		return fb_usage("cannot create '%s': %s", p->dir, strerror(-ret));
	dfd = open(p->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fb_usage("cannot open '%s': %s", p->dir, strerror(errno));
	tdir = xasprintf("%s/.fb-plot-XXXXXX", p->dir);
	ret = fsfile_mkdtemp(tdir, "plot", FB_USAGE);
	if (!ret && (tdfd = open(tdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		ret = fb_usage("cannot write into '%s': %s", p->dir, strerror(errno));
		rmdir(tdir);
	} else if (!ret) {
		ret = write_in_private(p, tdir, tdfd, dfd);
		remove_private(tdir, tdfd);
	}
	free(tdir);
	close(dfd);
	return ret;
}
