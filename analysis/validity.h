/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which values of a result may become a verdict.  One set of rules for every
 * document analysis reads, from a file or from the store: a document a run
 * could not have written is refused whole (rs_check_doc), and a value no
 * measurement can give (zero, negative, NaN or infinite rates, a step that
 * did not complete) is left out, said once, and never averaged, starred or
 * put in a noise model or a nightly reference (rs_metric_problem).
 */
#ifndef FB_VALIDITY_H
#define FB_VALIDITY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/*
 * The checks every result document passes, wherever it was read from: an
 * object with schema_version 1..RS_SCHEMA_VERSION, bench, steps (objects
 * with an integer ncpus), and names a run could have written.  FB_OK, or
 * FB_USAGE with a message naming where (a path, or the store's origin).
 */
int rs_check_doc(const char *where, json_t *doc);

/*
 * Why the value of metric m (an object of a step's "metrics") cannot be a
 * measurement, or NULL when it can.  Rates (higher_better) must be finite
 * and positive: a rate of 0 is a repeat that counted nothing (no CPU time, a
 * pass longer than a sample), not a figure.  Other metrics (times, evidence
 * ratios) must be finite and not negative.  With samples (replicates),
 * each sample is held to the same rule.
 */
const char *rs_metric_problem(json_t *m, bool samples_too);

/* The same rule for one number (a store's indexed value): why not, or NULL. */
const char *rs_number_problem(double v, bool higher_better);

/* The step's "disturbed" interference flag (CONTRACT: steps[i].interference). */
bool rs_step_disturbed(json_t *step);
/* The run's: top-level interference.disturbed, or any step's. */
bool rs_doc_disturbed(json_t *doc);

/* "pf1 repeat 1, 2 CPUs, variant on" for messages about one step. */
void rs_step_name(json_t *doc, json_t *step, char *buf, size_t len);

/*
 * Text from Python's json module may hold NaN, Infinity and -Infinity, which
 * are not JSON: a copy with each (outside strings) turned into the string
 * "NaN", "Infinity" or "-Infinity", so that the value is refused by name
 * instead of the whole file failing to parse.  NULL when there is none.
 */
char *rs_quote_nonfinite(const char *text, size_t len, size_t *outlen);

#endif
