// SPDX-License-Identifier: GPL-2.0
/*
 * The comparison table as HTML (compare_html.h).  Numbers come from the
 * table model of compare.c (cmp_cell_stats, the verdicts); only their
 * layout is here.  Every string of a result goes through html_put().
 *
 * A cell's percentage is "positive means better", as in the text table.
 * Only a starred change is coloured (class better/worse sig): a colour says
 * "this is real", and an unstarred change is noise until the test says
 * otherwise, so it stays grey however large.  The text says the same without
 * colour (a star, a sign), so a printout or a screen reader loses nothing.
 * A spread (Stddev, CoeffVar) has no better or worse to sign: it is shown as
 * a ratio to the baseline's ("x2.10"), never as "-1748.47%".
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_html.h"
#include "html.h"
#include "profile_cmp.h"
#include "util.h"

static void put_value(FILE *f, double v)
{
	if (isnan(v))
		fputs("-", f);
	else if (fabs(v) >= 1e15)
		fprintf(f, "%.6e", v);
	else
		fprintf(f, "%.2f", v);
}

static void put_cell(FILE *f, const struct cmp_row *r, unsigned c, enum cmp_stat_kind k)
{
	struct cmp_stats base, s;
	double d = NAN;
	bool star = false;

	cmp_cell_stats(&r->cells[0], r->higher_better, &base);
	cmp_cell_stats(&r->cells[c], r->higher_better, &s);
	if (c > 0 && s.n && base.n)
		d = cmp_stat_pdiff(cmp_stat_value(&base, k), cmp_stat_value(&s, k), k,
				   r->higher_better);
	if (k == CMP_ST_MEAN && c > 0)
		star = cmp_significant(r, c, NULL);
	fprintf(f, "<td");
	if (star && !isnan(d) && d != 0)
		fprintf(f, " class=\"%s sig\"", d > 0 ? "better" : "worse");
	fprintf(f, ">");
	put_value(f, cmp_stat_value(&s, k));
	/* the mean carries the verdict: its runs measured disturbed are marked there */
	if (k == CMP_ST_MEAN && r->cells[c].disturbed)
		fprintf(f,
			" <span class=\"dist\" title=\"%u of its runs measured "
			"disturbed\">" CMP_HTML_DIST_MARK "</span>",
			r->cells[c].disturbed);
	if (k == CMP_ST_STDDEV || k == CMP_ST_COV) {
		double b = cmp_stat_value(&base, k), v = cmp_stat_value(&s, k);

		if (c > 0 && b > 0 && isfinite(v))
			fprintf(
			    f,
			    " <span class=\"pct\" title=\"of the baseline's\">(&times;%.2f)</span>",
			    v / b);
	} else if (!isnan(d)) {
		if (star)
			fprintf(f, " <b title=\"significant\">*%.2f%%*</b>", d);
		else
			fprintf(f, " <span class=\"pct\">(%.2f%%)</span>", d);
	}
	fprintf(f, "</td>");
}

static void put_row_head(FILE *f, const char *stat, const struct cmp_row *r)
{
	char name[200];

	cmp_row_name(r, name, sizeof(name));
	fprintf(f, "<tr><th scope=\"row\">%s</th><th scope=\"row\" class=\"rowname\">", stat);
	html_put(f, name);
	fprintf(f, "</th>");
}

/*
 * Runs (the replicates of the test; "3 (1 dist)" when one was measured
 * disturbed) and Detect (the smallest change a star would catch).
 */
static void put_run_rows(FILE *f, const struct cmp_table *t, const struct cmp_group *g,
			 unsigned start, unsigned end)
{
	for (int kind = 0; kind < 2; kind++)
		for (unsigned i = start; i < end; i++) {
			const struct cmp_row *row = &g->rows[i];

			put_row_head(f, kind ? "Detect" : "Runs", row);
			for (unsigned c = 0; c < t->ncols; c++) {
				const struct cmp_cell *cell = &row->cells[c];
				const struct cmp_verdict *v = &row->verdicts[c];

				fprintf(f, "<td class=\"aux%s\">",
					cell->disturbed ? " disturbed" : "");
				if (!kind) {
					char runs[64];

					/* "3 (1 dist)", as compare prints it */
					cmp_fmt_runs(row, c, runs, sizeof(runs));
					html_put(f, runs);
				} else if (c > 0 && v->tested && isfinite(v->detect_pct)) {
					fprintf(f, "&plusmn;%.2f%%", v->detect_pct);
				} else {
					fprintf(f, "-");
				}
				fprintf(f, "</td>");
			}
			fprintf(f, "</tr>\n");
		}
}

void cmp_html_group(FILE *f, const struct cmp_table *t, const struct cmp_group *g)
{
	unsigned start, r, c, i;
	int k;

	fprintf(f, "<table class=\"cmp\">\n<thead><tr><th></th><th></th>");
	for (c = 0; c < t->ncols; c++) {
		fprintf(f, "<th scope=\"col\">");
		html_put(f, t->labels[c]);
		fprintf(f, "%s</th>", c ? "" : "<br><small>baseline</small>");
	}
	fprintf(f, "</tr></thead>\n");
	for (start = 0; start < g->nrows; start = r) {
		/* one tbody per metric: rows of one metric, grouped by statistic */
		for (r = start; r < g->nrows && !strcmp(g->rows[r].metric, g->rows[start].metric);)
			r++;
		fprintf(f, "<tbody%s>\n",
			cmp_is_evidence(g->rows[start].metric) ? " class=\"evidence\"" : "");
		for (k = 0; k < CMP_ST_N; k++) {
			/* evidence explains the headline figure: its mean is enough */
			if (k != CMP_ST_MEAN && cmp_is_evidence(g->rows[start].metric))
				continue;
			for (i = start; i < r; i++) {
				const struct cmp_row *row = &g->rows[i];

				put_row_head(
				    f, cmp_stat_name((enum cmp_stat_kind)k, row->higher_better),
				    row);
				for (c = 0; c < t->ncols; c++)
					put_cell(f, row, c, (enum cmp_stat_kind)k);
				fprintf(f, "</tr>\n");
			}
		}
		if (g->rows[start].tested_metric && t->ncols > 1)
			put_run_rows(f, t, g, start, r);
		fprintf(f, "</tbody>\n");
	}
	fprintf(f, "</table>\n");
}

void cmp_html_dist_legend(FILE *f, const struct cmp_table *t)
{
	if (!t->disturbed)
		return;
	fprintf(f,
		"<p class=\"notes legend\"><span class=\"dist\">" CMP_HTML_DIST_MARK "</span> "
		"after a mean: some of the cell's runs were measured disturbed (other work took "
		"CPU time from the workers beyond the bounds, docs/compare.md "
		"&ldquo;Interference&rdquo;); Runs says how many, as "
		"<code>3 (1 dist)</code>.  %u cell%s of the tables hold such runs; the table of "
		"runs says which result files and how badly.</p>\n",
		t->disturbed, t->disturbed == 1 ? "" : "s");
}

/*
 * compare's own notes, taken from its JSON output rather than re-worded
 * here: one source for what a star means.
 */
void cmp_html_notes(FILE *f, const struct cmp_table *t)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);
	json_t *root, *note;

	if (!m)
		return;
	cmp_print(m, t, CMP_JSON, false);
	fclose(m);
	root = json_loadb(buf, len, 0, NULL);
	free(buf);
	if (json_array_size(json_object_get(root, "notes"))) {
		fprintf(f, "<ul class=\"notes\">\n");
		json_array_foreach (json_object_get(root, "notes"), i, note) {
			fprintf(f, "<li>");
			html_put(f, json_string_value(note) ?: "");
			fprintf(f, "</li>\n");
		}
		fprintf(f, "</ul>\n");
	}
	json_decref(root);
}

/* The largest profiled step's: the report shows one profile table. */
static json_t *profile_top(const struct cmp_group *g, unsigned c)
{
	return json_object_get(pcmp_largest_profile(g->docs[c]), "top");
}

static double symbol_pct(json_t *top, const char *sym)
{
	json_t *e;
	size_t k;

	json_array_foreach (top, k, e) {
		const char *s = json_string_value(json_object_get(e, "symbol"));

		if (s && !strcmp(s, sym) && json_is_number(json_object_get(e, "percent")))
			return json_number_value(json_object_get(e, "percent"));
	}
	return NAN;
}

void cmp_html_profile(FILE *f, const struct cmp_table *t, const struct cmp_group *g)
{
	const char **syms = NULL;
	unsigned nsyms = 0, c, i;
	json_t *e;
	size_t k;

	for (c = 0; c < t->ncols; c++)
		json_array_foreach (profile_top(g, c), k, e) {
			const char *s = json_string_value(json_object_get(e, "symbol"));

			for (i = 0; s && k < 10 && i < nsyms && strcmp(syms[i], s); i++)
				;
			if (s && k < 10 && i == nsyms) {
				syms = xrealloc(syms, (nsyms + 1) * sizeof(*syms));
				syms[nsyms++] = s;
			}
		}
	if (!nsyms)
		return;
	fprintf(f, "<table class=\"profile\">\n<thead><tr><th>top profile symbols "
		   "(%% of samples; change in points against the baseline)</th>");
	for (c = 0; c < t->ncols; c++) {
		fprintf(f, "<th scope=\"col\">");
		html_put(f, t->labels[c]);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr></thead>\n<tbody>\n");
	for (i = 0; i < nsyms; i++) {
		double base = symbol_pct(profile_top(g, 0), syms[i]);

		fprintf(f, "<tr><th scope=\"row\" class=\"sym\">");
		html_put(f, syms[i]);
		fprintf(f, "</th>");
		for (c = 0; c < t->ncols; c++) {
			double pct = symbol_pct(profile_top(g, c), syms[i]);

			if (isnan(pct)) {
				fprintf(f, "<td>-</td>");
				continue;
			}
			fprintf(f, "<td>%.2f", pct);
			if (c > 0 && !isnan(base))
				fprintf(f, " <span class=\"pct\">(%+.2f)</span>", pct - base);
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n");
	free(syms);
}
