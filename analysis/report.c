// SPDX-License-Identifier: GPL-2.0
/*
 * The HTML report (report.h).  The page is static: tables and <img> tags of
 * SVG files beside it.  report.js, the only script, runs after the page has
 * loaded and marks on <body> how many figures loaded and how many failed
 * (data-figures-loaded, data-figures-failed), shows a warning when one
 * failed, and is what the e2e test reads back from headless Chromium.  The
 * page reads the same without it.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compare.h"
#include "compare_html.h"
#include "disturb.h"
#include "figures.h"
#include "history.h"
#include "html.h"
#include "plot.h"
#include "report.h"
#include "store.h"
#include "util.h"

#define FIG_DIR "figures"
#define RES_DIR "results"

static const char report_js[] =
    "// faultbench report: marks on <body> whether every figure loaded (read back by\n"
    "// tests/e2e/test_report.sh through headless Chromium) and warns when one did not.\n"
    "window.addEventListener('load', function () {\n"
    "\tvar ok = 0, failed = [];\n"
    "\tfor (var i = 0; i < document.images.length; i++) {\n"
    "\t\tvar img = document.images[i];\n"
    "\t\tif (img.complete && img.naturalWidth > 0)\n"
    "\t\t\tok++;\n"
    "\t\telse\n"
    "\t\t\tfailed.push(img.getAttribute('src'));\n"
    "\t}\n"
    "\tdocument.body.setAttribute('data-figures-loaded', ok);\n"
    "\tdocument.body.setAttribute('data-figures-failed', failed.length);\n"
    "\tif (failed.length) {\n"
    "\t\tvar p = document.createElement('p');\n"
    "\t\tp.className = 'warn';\n"
    "\t\tp.textContent = 'figures that did not load: ' + failed.join(', ');\n"
    "\t\tdocument.body.insertBefore(p, document.body.firstChild);\n"
    "\t}\n"
    "\tdocument.body.setAttribute('data-report-ready', '1');\n"
    "});\n";

static const char report_css[] =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1200px;color:#222;"
    "padding:0 1em}\n"
    "h1{font-size:1.5em}h2{border-bottom:1px solid #ccc;margin-top:2em}\n"
    "table{border-collapse:collapse;margin:.8em 0}\n"
    "th,td{padding:2px 8px;border-bottom:1px solid #eee;text-align:right;"
    "font-variant-numeric:tabular-nums;vertical-align:top}\n"
    "thead th{border-bottom:2px solid #999;text-align:right}\n"
    "th[scope=row]{text-align:left;font-weight:normal;color:#555}\n"
    "th.rowname,th.sym{color:#222;font-family:monospace}\n"
    "tbody.evidence{background:#fafafa}\n"
    "td.better.sig{color:#17643a}td.worse.sig{color:#a01c1c}\n"
    "td.sig{font-weight:bold;background:#fff6d6}span.pct{color:#888}\n"
    "td.aux{color:#777}\n"
    /* the mark alone is coloured: a cell's colour says "starred" (compare_html.c) */
    "span.dist{color:#a05a00;font-weight:bold}\n"
    "table.meta td,table.meta th{text-align:left;max-width:28em;word-break:break-all;"
    "font-family:monospace;font-size:12px}\n"
    "tr.diff td{background:#fff0c2}tr.diff th::after{content:' \\2260';color:#a01c1c}\n"
    /* one figure a row at its drawn width: two side by side shrink the axis text unreadable */
    ".figs{display:grid;grid-template-columns:1fr;gap:1em}\n"
    "figure{margin:0}figure img{width:1024px;max-width:100%;height:auto;border:1px solid #eee}\n"
    "figcaption{color:#555;font-size:12px}\n"
    ".notes{color:#444;font-size:13px}.warn{background:#ffe0e0;padding:.5em;"
    "border:1px solid #d88}\n"
    "span.mark-reg{color:#a01c1c;font-weight:bold}span.mark-imp{color:#17643a;"
    "font-weight:bold}span.mark-out{color:#777}\n"
    "nav ul{columns:3}\n";

/* ---- the files of the folder ---------------------------------------------- */

static int put_text(FILE *f, const void *arg)
{
	fputs(arg, f);
	return ferror(f);
}

/* A whole file as it is (.json.gz stays compressed), at most RS_MAX_BYTES. */
static char *read_raw(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)RS_MAX_BYTES) {
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	*len = got;
	return buf;
}

struct blob {
	const char *data;
	size_t len;
};

static int put_blob(FILE *f, const void *arg)
{
	const struct blob *b = arg;

	return fwrite(b->data, 1, b->len, f) != b->len || ferror(f);
}

/*
 * A copy of a result file into DIR/results/COL/, under its own name when
 * that is a plain name, else "run-N": the report carries its evidence.
 * Returns the link relative to index.html, or NULL when it could not copy.
 */
static char *copy_result(const char *dir, unsigned col, unsigned i, const char *path)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const char *ext = strstr(base, ".json.gz") ? ".json.gz" : ".json";
	char *stem = xstrdup(base), *to = xasprintf("%s/" RES_DIR "/%u", dir, col + 1);
	char *e = strstr(stem, ext), *link = NULL, *data;
	struct blob b;
	int ret;

	if (e)
		*e = '\0';
	if (!fb_name_ok(stem)) {
		free(stem);
		stem = xasprintf("run-%u", i + 1);
	}
	data = read_raw(path, &b.len);
	b.data = data;
	/* DIR/results/N below the report folder: never into a link planted there */
	ret = data ? fb_mkdir_below(dir, to + strlen(dir) + 1) : -errno;
	if (!ret)
		ret = fb_write_file(to, stem, ext, FB_REPLACE, put_blob, &b, NULL);
	if (ret)
		fb_warn("cannot copy '%s' into the report: %s", path, strerror(-ret));
	else
		link = xasprintf(RES_DIR "/%u/%s%s", col + 1, stem, ext);
	free(data);
	free(stem);
	free(to);
	return link;
}

/* ---- page parts ------------------------------------------------------------ */

static void page_head(FILE *f, const char *title)
{
	char now[32];

	fb_utc_now(now, sizeof(now), true);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		   /* nothing from elsewhere, no inline script: see report.h */
		   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		   "img-src 'self'; style-src 'unsafe-inline'; script-src 'self'\">\n"
		   "<title>");
	html_put(f, title);
	fprintf(f,
		"</title>\n<style>\n%s</style>\n<script src=\"report.js\"></script>\n"
		"</head>\n<body>\n<h1>",
		report_css);
	html_put(f, title);
	fprintf(f, "</h1>\n<p class=\"notes\">written by faultbench ");
	html_put(f, fb_version);
	fprintf(f,
		" at %s from result files only; every figure is an SVG file beside this "
		"page, drawn by gnuplot (the .gp script and .dat data that drew it are there "
		"too).</p>\n",
		now);
}

static void page_tail(FILE *f)
{
	fprintf(f, "</body>\n</html>\n");
}

static void put_figure(FILE *f, const struct fig *fig, const char *caption)
{
	fprintf(f, "<figure><img src=\"" FIG_DIR "/");
	html_put(f, fig->name);
	fprintf(f, ".svg\" alt=\"");
	html_put(f, caption);
	fprintf(f, "\" width=\"1024\" height=\"640\"><figcaption>");
	html_put(f, caption);
	fprintf(f, " &mdash; <a href=\"" FIG_DIR "/");
	html_put(f, fig->name);
	fprintf(f, ".png\">PNG</a>, <a href=\"" FIG_DIR "/");
	html_put(f, fig->name);
	fprintf(f, ".gp\">gnuplot script</a></figcaption></figure>\n");
}

/* ---- systems side by side ------------------------------------------------- */

struct meta {
	unsigned n, ncols;
	char **keys;
	char ***vals; /* [key][col], NULL when absent */
};

static unsigned meta_key(struct meta *m, const char *key)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->keys[i], key))
			return i;
	m->keys = xrealloc(m->keys, (m->n + 1) * sizeof(*m->keys));
	m->vals = xrealloc(m->vals, (m->n + 1) * sizeof(*m->vals));
	m->keys[m->n] = xstrdup(key);
	m->vals[m->n] = xcalloc(m->ncols, sizeof(char *));
	return m->n++;
}

/* Objects flattened to dotted keys ("thp.enabled"); arrays and scalars as compact JSON. */
static void meta_add(struct meta *m, unsigned col, const char *prefix, json_t *v, int depth)
{
	const char *key;
	json_t *sub;

	if (json_is_object(v) && depth < 4) {
		json_object_foreach (v, key, sub) {
			char *k = *prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);

			meta_add(m, col, k, sub, depth + 1);
			free(k);
		}
		return;
	}
	unsigned i = meta_key(m, prefix);

	free(m->vals[i][col]);
	if (json_is_string(v))
		m->vals[i][col] = xstrdup(json_string_value(v));
	else
		m->vals[i][col] = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
}

static void meta_free(struct meta *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		for (unsigned c = 0; c < m->ncols; c++)
			free(m->vals[i][c]);
		free(m->vals[i]);
		free(m->keys[i]);
	}
	free(m->vals);
	free(m->keys);
}

/* The system of each run's first result file, one column each, differences marked. */
static void put_systems(FILE *f, struct resultset *runs, unsigned nruns)
{
	struct meta m = { .ncols = nruns };
	unsigned i, c, ndiff = 0;

	for (c = 0; c < nruns; c++) {
		json_t *doc = runs[c].n ? runs[c].docs[0] : NULL;

		meta_add(&m, c, "faultbench_version", json_object_get(doc, "faultbench_version"),
			 0);
		meta_add(&m, c, "", json_object_get(doc, "system"), 0);
		meta_add(&m, c, "topology",
			 json_object_get(json_object_get(doc, "topology"), "description"), 1);
	}
	for (i = 0; i < m.n; i++)
		for (c = 1; c < nruns; c++)
			if (!m.vals[i][c] != !m.vals[i][0] ||
			    (m.vals[i][c] && strcmp(m.vals[i][c], m.vals[i][0]))) {
				ndiff++;
				break;
			}
	fprintf(f, "<h2 id=\"systems\">Systems</h2>\n<p>The machine and kernel of each run "
		   "(its first result file)");
	if (nruns > 1)
		fprintf(f,
			"; %u of %u settings differ (marked &ne;): the kernel release differing "
			"is the point of a comparison, anything else may be what the table shows",
			ndiff, m.n);
	fprintf(f, ".</p>\n<table class=\"meta\">\n<thead><tr><th></th>");
	for (c = 0; c < nruns; c++) {
		fprintf(f, "<th scope=\"col\">");
		html_put(f, runs[c].label);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < m.n; i++) {
		bool diff = false;

		for (c = 1; c < nruns; c++)
			diff |= !m.vals[i][c] != !m.vals[i][0] ||
				(m.vals[i][c] && strcmp(m.vals[i][c], m.vals[i][0]));
		fprintf(f, "<tr%s><th scope=\"row\">", diff ? " class=\"diff\"" : "");
		html_put(f, m.keys[i]);
		fprintf(f, "</th>");
		for (c = 0; c < nruns; c++) {
			fprintf(f, "<td>");
			html_put(f, m.vals[i][c] ? m.vals[i][c] : "-");
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
	meta_free(&m);
}

/* ---- the report of runs ----------------------------------------------------- */

struct runs_page {
	const struct report_opts *o;
	struct resultset *runs;
	unsigned nruns;
	const struct cmp_table *t;
	struct fig_list *figs; /* per group */
	char ***links;	       /* [run][file] */
	bool figures_failed;
};

/*
 * Per result file, in the order of the files column: how many of its steps
 * were measured disturbed and the worst figures (disturb.h); a disturbed
 * file's line is marked as its cells are.
 */
static void put_interference(FILE *f, const struct resultset *rs)
{
	for (unsigned i = 0; i < rs->n; i++) {
		struct disturb_sum s;
		bool known = disturb_doc(rs->docs[i], -1, NULL, &s);
		char line[256];

		disturb_fmt(&s, known, line, sizeof(line));
		if (s.disturbed)
			fprintf(f, "<span class=\"dist\">" CMP_HTML_DIST_MARK " ");
		html_put(f, line);
		fprintf(f, "%s%s", s.disturbed ? "</span>" : "", i + 1 < rs->n ? "<br>" : "");
	}
}

static void put_runs_table(FILE *f, const struct runs_page *p)
{
	fprintf(f, "<h2 id=\"runs\">Runs</h2>\n<p>The first is the baseline; each result file "
		   "is one run (the replicate of a star's test); copies of the files are in "
		   "<code>" RES_DIR "/</code>.</p>\n<table class=\"meta\">\n<thead><tr>"
		   "<th>label</th><th>as given</th><th>kernel</th><th>host</th>"
		   "<th>result files</th><th>interference (per file)</th></tr></thead>\n"
		   "<tbody>\n");
	for (unsigned c = 0; c < p->nruns; c++) {
		struct resultset *rs = &p->runs[c];
		json_t *sys = json_object_get(rs->n ? rs->docs[0] : NULL, "system");

		fprintf(f, "<tr><th scope=\"row\">");
		html_put(f, rs->label);
		fprintf(f, "</th><td>");
		html_put(f, rs->arg);
		fprintf(f, "</td><td>");
		html_put(
		    f, json_string_value(json_object_get(json_object_get(sys, "kernel"), "release"))
			   ?: "?");
		fprintf(f, "</td><td>");
		html_put(f, json_string_value(json_object_get(sys, "hostname")) ?: "?");
		fprintf(f, "</td><td>");
		for (unsigned i = 0; i < rs->n; i++) {
			const char *name = strrchr(rs->paths[i], '/');

			name = name ? name + 1 : rs->paths[i];
			if (p->links[c][i]) {
				fprintf(f, "<a href=\"");
				html_put(f, p->links[c][i]);
				fprintf(f, "\">");
				html_put(f, name);
				fprintf(f, "</a>");
			} else {
				html_put(f, name);
			}
			fprintf(f, "%s", i + 1 < rs->n ? "<br>" : "");
		}
		fprintf(f, "</td><td>");
		put_interference(f, rs);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
}

static void put_group(FILE *f, const struct runs_page *p, unsigned gi)
{
	const struct cmp_group *g = &p->t->groups[gi];
	char params[1024];

	fprintf(f, "<section class=\"bench\" id=\"g%u\">\n<h2>", gi);
	html_put(f, g->name);
	if (strcmp(g->name, g->bench)) {
		fprintf(f, " <small>(");
		html_put(f, g->bench);
		fprintf(f, ")</small>");
	}
	fprintf(f, "</h2>\n<p class=\"params\">");
	fig_describe_params(json_object_get(g->docs[0], "params"), params, sizeof(params));
	html_put(f, params);
	fprintf(f, "</p>\n");
	cmp_html_group(f, p->t, g);
	fprintf(f, "<div class=\"figs\">\n");
	for (unsigned i = 0; i < p->figs[gi].n; i++) {
		const struct fig *fig = &p->figs[gi].figs[i];
		char *cap = xasprintf("%s: %s", g->name, fig->what);

		put_figure(f, fig, cap);
		free(cap);
	}
	fprintf(f, "</div>\n");
	cmp_html_profile(f, p->t, g);
	fprintf(f, "</section>\n");
}

static int write_runs_page(FILE *f, const void *arg)
{
	const struct runs_page *p = arg;
	char *title = xstrdup("faultbench report: ");
	unsigned c, g;

	for (c = 0; c < p->nruns; c++) {
		char *t = xasprintf("%s%s%s", title, c ? " vs " : "", p->runs[c].label);

		free(title);
		title = t;
	}
	page_head(f, title);
	free(title);
	if (p->figures_failed)
		fprintf(f, "<p class=\"warn\">Some figures could not be drawn (is gnuplot "
			   "installed?); the tables are complete.</p>\n");
	fprintf(f, "<nav><ul>\n<li><a href=\"#runs\">Runs</a></li>\n");
	for (g = 0; g < p->t->ngroups; g++) {
		fprintf(f, "<li><a href=\"#g%u\">", g);
		html_put(f, p->t->groups[g].name);
		fprintf(f, "</a></li>\n");
	}
	fprintf(f, "<li><a href=\"#notes\">How to read the tables</a></li>\n"
		   "<li><a href=\"#systems\">Systems</a></li>\n</ul></nav>\n");
	put_runs_table(f, p);
	for (g = 0; g < p->t->ngroups; g++)
		put_group(f, p, g);
	fprintf(f, "<h2 id=\"notes\">How to read the tables</h2>\n<p class=\"notes\">As "
		   "<code>faultbench compare</code> (docs/compare.md): rates are summarised "
		   "with the harmonic mean, times with the arithmetic mean; a percentage is "
		   "against the baseline and positive means better; a starred, bold cell is "
		   "significant against run-to-run noise; Detect is the smallest change a star "
		   "would catch with the runs given.</p>\n");
	cmp_html_dist_legend(f, p->t);
	cmp_html_notes(f, p->t);
	put_systems(f, p->runs, p->nruns);
	page_tail(f);
	return ferror(f);
}

static int write_common(const char *dir)
{
	/* the figures' folder below DIR is ours: a link planted there is refused */
	int ret = fb_mkdir_below(dir, FIG_DIR);

	if (ret)
		return fb_usage("cannot create '%s/" FIG_DIR "': %s", dir,
				ret == -ELOOP ? "it is a symbolic link; the report writes into "
						"directories, never through a link"
					      : strerror(-ret));
	ret = fb_write_file(dir, "report", ".js", FB_REPLACE, put_text, report_js, NULL);
	if (ret)
		return fb_usage("cannot write into '%s': %s", dir, strerror(-ret));
	return FB_OK;
}

static int publish_index(const char *dir, int (*fn)(FILE *, const void *), const void *arg)
{
	int ret = fb_write_file(dir, "index", ".html", FB_REPLACE, fn, arg, NULL);

	if (ret)
		return fb_usage("cannot write '%s/index.html': %s", dir, strerror(-ret));
	printf("%s/index.html\n", dir);
	return FB_OK;
}

int report_runs(struct resultset *runs, unsigned nruns, const struct report_opts *o)
{
	struct cmp_opts co = { .noise = o->noise, .detect_pct = o->detect_pct };
	struct cmp_opts all = { .all = true, .quiet = true, .detect_pct = o->detect_pct };
	struct cmp_table t = { 0 }, ta = { 0 };
	struct runs_page p = { .o = o, .runs = runs, .nruns = nruns, .t = &t };
	char *figdir = xasprintf("%s/" FIG_DIR, o->dir);
	unsigned c, i, g;
	int ret;

	ret = cmp_build(runs, nruns, &co, &t);
	if (!ret && (!t.ngroups || !t.groups[0].nrows))
		ret = fb_usage("nothing to report: no complete step in %s", runs[0].arg);
	/* the figures need every metric (per-node ones too); the table only the tested */
	if (!ret)
		ret = cmp_build(runs, nruns, &all, &ta);
	if (!ret)
		ret = write_common(o->dir);
	if (ret)
		goto out;
	p.figs = xcalloc(t.ngroups, sizeof(*p.figs));
	for (g = 0; g < t.ngroups && g < ta.ngroups; g++) {
		/* a table is what a report cannot do without; a figure it can */
		int r = fig_plot_group(figdir, &ta, &ta.groups[g], o->metric, &p.figs[g]);

		if (r == FB_USAGE && o->metric) {
			ret = r;
			break;
		}
		p.figures_failed |= r != FB_OK;
	}
	p.links = xcalloc(nruns, sizeof(*p.links));
	for (c = 0; c < nruns; c++) {
		p.links[c] = xcalloc(runs[c].n + 1, sizeof(**p.links));
		for (i = 0; i < runs[c].n; i++)
			p.links[c][i] = copy_result(o->dir, c, i, runs[c].paths[i]);
	}
	if (!ret)
		ret = publish_index(o->dir, write_runs_page, &p);
	for (c = 0; c < nruns; c++) {
		for (i = 0; i < runs[c].n; i++)
			free(p.links[c][i]);
		free(p.links[c]);
	}
	free(p.links);
	for (g = 0; g < t.ngroups; g++)
		fig_list_free(&p.figs[g]);
	free(p.figs);
out:
	cmp_free(&t);
	cmp_free(&ta);
	free(figdir);
	return ret;
}

/* ---- the report of a history ---------------------------------------------- */

struct trend {
	struct history h;
	char fig[160]; /* figure name, "" when not drawn */
};

struct history_page {
	const struct report_history_opts *o;
	struct trend *trends;
	unsigned n;
	char *reference; /* nightly.sh's reference nights, when the directory has them */
};

static void put_point_mark(FILE *f, const struct point *pt)
{
	if (pt->mark == '*')
		fprintf(f, "<span class=\"%s\">%s %+.2f%%</span>",
			pt->change < 0 ? "mark-reg" : "mark-imp",
			pt->change < 0 ? "regression" : "improvement", pt->change);
	else if (pt->mark == 'o')
		fprintf(f, "<span class=\"mark-out\">outlier %+.2f%%</span>", pt->change);
}

static void put_trend(FILE *f, const struct history_page *hp, unsigned k)
{
	const struct trend *tr = &hp->trends[k];
	const struct history *h = &tr->h;

	fprintf(f, "<section class=\"bench\" id=\"t%u\">\n<h2>", k);
	html_printf(f, "%s: %s at %ld CPU%s%s%s", h->bench, h->metric, h->ncpus,
		    h->ncpus == 1 ? "" : "s", *h->variant ? ", " : "", h->variant);
	fprintf(f, "</h2>\n<p>");
	html_printf(f,
		    "%u runs (%s is better); run-to-run noise %.2f%% from %s; %u change "
		    "point%s (the level moved by more than %.2f%%), %u outlier%s.",
		    h->npoints, h->higher_better ? "higher" : "lower", 100 * h->sigma,
		    h->sigma_from ? h->sigma_from : "?", h->nchanges, h->nchanges == 1 ? "" : "s",
		    hp->o->threshold, h->noutliers, h->noutliers == 1 ? "" : "s");
	if (h->disturbed)
		fprintf(f,
			" <span class=\"dist\">" CMP_HTML_DIST_MARK "</span> %u run%s measured "
			"disturbed (other work took CPU time from the workers beyond the bounds, "
			"docs/compare.md &ldquo;Interference&rdquo;): marked, kept in the series.",
			h->disturbed, h->disturbed == 1 ? "" : "s");
	fprintf(f, "</p>\n");
	if (*tr->fig) {
		struct fig fig = { .name = (char *)tr->fig, .what = (char *)"trend" };
		char *cap = xasprintf("%s %s over time; change points and outliers marked",
				      h->bench, h->metric);

		put_figure(f, &fig, cap);
		free(cap);
	}
	fprintf(f,
		"<table class=\"cmp\">\n<thead><tr><th>date (UTC)</th><th>label</th>"
		"<th>repeats</th><th>%s</th><th>level</th><th>verdict</th><th>file</th>"
		"</tr></thead>\n<tbody>\n",
		h->higher_better ? "Hmean" : "Amean");
	for (unsigned i = 0; i < h->npoints; i++) {
		const struct point *pt = &h->points[i];

		fprintf(f, "<tr><th scope=\"row\">");
		html_put(f, pt->date);
		fprintf(f, "</th><th scope=\"row\" class=\"rowname\">");
		html_put(f, pt->label);
		fprintf(f, "</th><td>%u</td><td>%.2f", pt->n, pt->mean);
		if (pt->disturbed)
			fprintf(
			    f,
			    " <span class=\"dist\" title=\"measured disturbed\">" CMP_HTML_DIST_MARK
			    "</span>");
		fprintf(f, "</td><td>%.2f</td><td>", pt->level);
		put_point_mark(f, pt);
		if (pt->disturbed)
			fprintf(f, "%s<span class=\"dist\">disturbed</span>",
				pt->mark != ' ' ? " " : "");
		fprintf(f, "</td><td class=\"aux\">");
		html_put(f, pt->path);
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</tbody></table>\n</section>\n");
}

static int write_history_page(FILE *f, const void *arg)
{
	const struct history_page *hp = arg;
	char *title = xasprintf("faultbench history: %s", hp->o->results);

	page_head(f, title);
	free(title);
	fprintf(f,
		"<p>Each result file is one run, summarised by the mean of its repeats; "
		"change points: binary segmentation with the CUSUM statistic of a mean shift "
		"against the run-to-run noise (alpha %.2f, a level lasts %u runs or more; "
		"docs/compare.md).  A regression or improvement is a level that moved; an "
		"outlier is one run far off its level.</p>\n",
		CMP_ALPHA, hp->o->min_segment);
	if (hp->reference) {
		fprintf(f, "<p>Nightly reference nights (<code>reference</code>, "
			   "scripts/nightly.sh): <code>");
		html_put(f, hp->reference);
		fprintf(f, "</code></p>\n");
	}
	fprintf(f, "<nav><ul>\n");
	for (unsigned k = 0; k < hp->n; k++) {
		fprintf(f, "<li><a href=\"#t%u\">", k);
		html_put(f, hp->trends[k].h.bench);
		fprintf(f, "</a> ");
		if (hp->trends[k].h.nchanges)
			fprintf(f, "<span class=\"mark-reg\">%u change point%s</span>",
				hp->trends[k].h.nchanges, hp->trends[k].h.nchanges == 1 ? "" : "s");
		fprintf(f, "</li>\n");
	}
	fprintf(f, "</ul></nav>\n");
	for (unsigned k = 0; k < hp->n; k++)
		put_trend(f, hp, k);
	page_tail(f);
	return ferror(f);
}

static int load_trend(const struct report_history_opts *o, const char *bench, const char *figdir,
		      struct trend *tr, bool *figures_failed)
{
	struct history *h = &tr->h;
	int ret;

	memset(tr, 0, sizeof(*tr));
	h->bench = bench;
	h->metric = o->metric ? xstrdup(o->metric) : NULL;
	h->ncpus = o->ncpus;
	h->models = o->noise;
	ret = history_load(h, o->results, o->store);
	if (ret)
		return ret;
	history_analyse(h, o->min_segment, o->threshold);
	snprintf(tr->fig, sizeof(tr->fig), "%s-trend", bench);
	if (history_plot(h, figdir, tr->fig)) {
		tr->fig[0] = '\0';
		*figures_failed = true;
	}
	return FB_OK;
}

int report_history(const struct report_history_opts *o)
{
	struct history_page hp = { .o = o };
	char **found = NULL, *figdir = xasprintf("%s/" FIG_DIR, o->dir), *ref;
	const char *const *benches = o->benches;
	unsigned nfound = 0, k;
	bool figures_failed = false;
	int ret = FB_OK;

	if (!benches) {
		ret = history_benches(o->results, o->store, &found, &nfound);
		if (!ret && !nfound)
			ret = fb_usage("no faultbench result under '%s'", o->results);
		benches = (const char *const *)found;
	}
	if (!ret)
		ret = write_common(o->dir);
	for (k = 0; !ret && benches[k]; k++) {
		hp.trends = xrealloc(hp.trends, (hp.n + 1) * sizeof(*hp.trends));
		ret = load_trend(o, benches[k], figdir, &hp.trends[hp.n], &figures_failed);
		hp.n++;
	}
	ref = xasprintf("%s/reference", o->results);
	hp.reference = store_is_selector(o->results) ? NULL : read_text_file(ref);
	free(ref);
	if (hp.reference && !fb_utf8_ok(hp.reference)) {
		free(hp.reference);
		hp.reference = NULL;
	}
	if (!ret && figures_failed)
		fb_warn("some trend figures could not be drawn; the tables are complete");
	if (!ret)
		ret = publish_index(o->dir, write_history_page, &hp);
	for (k = 0; k < hp.n; k++)
		history_free(&hp.trends[k].h);
	free(hp.trends);
	free(hp.reference);
	for (k = 0; k < nfound; k++)
		free(found[k]);
	free(found);
	free(figdir);
	return ret;
}
