/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Column headers people can tell apart.  Two different runs must never print
 * the same header: two machines' "lab-3", or two kernels whose labels share
 * their first 17 characters, would otherwise read as one column twice.
 */
#ifndef FB_LABELS_H
#define FB_LABELS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/*
 * Make LABELS[0..n) distinct in place (each is malloc'ed): a label shared by
 * several columns gets "@hostname" when their machines differ, else
 * "@kernel release" when their kernels differ, else "#column".  DOCS[c] is a
 * result of column c (or NULL).
 */
void labels_make_distinct(char **labels, json_t *const *docs, unsigned n);

/*
 * Headers of at most WIDTH bytes for distinct LABELS, into HEADS[0..n)
 * (malloc'ed): the labels when they fit; else each too long one cut to its
 * tail after "..", which drops a common prefix (6.18.44-fc-v1272-20261201);
 * else cut to its head; else "#1".."#n".  Returns true when the headers are
 * numbers: the caller prints labels_legend().
 */
bool labels_fit(char *const *labels, unsigned n, unsigned width, char **heads);
void labels_free(char **heads, unsigned n);

/* "#1  lab-3@big1  (machine big1, kernel 6.18.44-fc-v1272)", a line each */
void labels_legend(FILE *f, char *const *labels, json_t *const *docs, unsigned n);

#endif
