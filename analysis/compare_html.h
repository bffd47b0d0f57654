/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The comparison table (compare.h) as HTML for the report: the same rows as
 * the text layout (statistics per metric, the percentage against the
 * baseline, stars, the Runs and Detect rows), from the same table model, so
 * the page and the changelog table never disagree.
 */
#ifndef FB_COMPARE_HTML_H
#define FB_COMPARE_HTML_H

#include <stdio.h>

#include "compare.h"

/*
 * The mark after a mean whose cell holds runs measured disturbed (<span
 * class="dist">), and the legend line that explains it.
 */
#define CMP_HTML_DIST_MARK "&#8224;"
void cmp_html_dist_legend(FILE *f, const struct cmp_table *t);

/* One benchmark's table: <table class="cmp">. */
void cmp_html_group(FILE *f, const struct cmp_table *t, const struct cmp_group *g);
/* How the stars were decided and what is missing, as compare prints them: <ul class="notes">. */
void cmp_html_notes(FILE *f, const struct cmp_table *t);
/* The top profile symbols of each column with the change against the baseline; nothing without. */
void cmp_html_profile(FILE *f, const struct cmp_table *t, const struct cmp_group *g);

#endif
