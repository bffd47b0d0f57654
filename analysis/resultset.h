/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading result files for compare, plot, check and history: a RUN given on
 * the command line is a result file (.json or .json.gz), a directory of them,
 * a label under results/, or runs of a store ("store:label=6.18-rc3").
 */
#ifndef FB_RESULTSET_H
#define FB_RESULTSET_H

#include <stdbool.h>
#include <jansson.h>

/*
 * A result file larger than this (after gunzip) is refused: a 4 MB .json.gz
 * can inflate to gigabytes.  The largest real result is a few megabytes.
 */
#define RS_MAX_BYTES (256u << 20)
#define RS_MAX_TEXT  "256 MiB"
/* rs_walk() descends this deep at most. */
#define RS_MAX_DEPTH 32

/* One RUN argument: every result document it names, in file-name order. */
struct resultset {
	char *arg;   /* as given */
	char *label; /* "label" of the first document, else the argument */
	unsigned n;
	json_t **docs;
	char **paths;
};

/*
 * The newest result schema this reader knows.  It is the analysis side's own
 * copy of engine/results.h's FB_SCHEMA_VERSION (analysis includes nothing of
 * the engine); tests/unit/test_results.c checks that the two agree.
 */
#define RS_SCHEMA_VERSION 2

/*
 * Read one result file, gzip-compressed or not (zlib reads both).  NULL with
 * a message naming the file on failure; a document without schema_version,
 * bench and steps is refused as "not a faultbench result".  Older schemas are
 * brought up to the current one in memory (version 1 files: matrix_options
 * read from the steps' variants), so the rest of analysis sees one schema.
 */
json_t *rs_load_file(const char *path);
/* The same checks on a file's text already read (store import). */
json_t *rs_parse(const char *path, const char *text, size_t len);
/* true when DOC is a faultbench result (not a noise model, not stress output) */
bool rs_is_result_doc(json_t *doc);

/*
 * Only the parsing of rs_parse(), without its checks or messages (history
 * reads every JSON file under a directory, noise models included): duplicate
 * keys refused, NaN and Infinity read as strings that validity.h names.
 */
json_t *rs_parse_text(const char *text, size_t len, json_error_t *err);

/* Does the name end in .json or .json.gz? */
bool rs_is_result_name(const char *name);

/*
 * Load a RUN argument; FB_OK or FB_USAGE with a message.  A "store:..." RUN
 * is read from store (--store; NULL: results/faultbench.db), here and in
 * the functions below.
 */
int resultset_load(struct resultset *rs, const char *arg, const char *store);
void resultset_free(struct resultset *rs);
/* Load n RUN arguments into a new array *runs (freed by resultset_free_all). */
int resultset_load_all(struct resultset **runs, char *const *args, unsigned n, const char *store);
void resultset_free_all(struct resultset *runs, unsigned n);
/*
 * Several RUN arguments as one RUN: every result file of each is one run of
 * the same side (check's reference nights, noise's runs).  Labelled by the
 * first.  FB_OK or FB_USAGE with a message.
 */
int resultset_load_merged(struct resultset *rs, const char *const *args, unsigned n,
			  const char *store);

/*
 * Call fn for every result file under dir, depth first, in name order
 * (so dated names come out in date order), each directory and file once
 * however many links lead to it, RS_MAX_DEPTH levels at most.  fn returns nonzero to stop,
 * or RS_WALK_SKIP for a file it skipped (after a warning saying why).  A directory
 * below dir that cannot be read, or in /proc or /sys, is skipped with a warning;
 * the skipped entries are counted in a last warning.
 * Returns FB_OK, FB_USAGE when dir cannot be read, or fn's nonzero value.
 */
#define RS_WALK_SKIP (-1)
int rs_walk(const char *dir, bool recursive, int (*fn)(const char *path, void *arg), void *arg);

/*
 * Read a whole regular file, inflating gzip transparently; NULL when
 * unreadable, with errno EINVAL (not a regular file), EFBIG (over
 * RS_MAX_BYTES), 0 (gzip error) or the error of open().
 */
char *rs_read_file(const char *path, size_t *len);

/* "pf1" for a preset, else the benchmark name. */
const char *rs_doc_name(json_t *doc);

#endif
