/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CSV output as RFC 4180 has it: fields separated by commas, records ended by
 * CRLF, a field quoted when it holds a comma, a quote, a CR or LF (or begins
 * or ends with a blank, which some readers strip), quotes inside doubled.
 * Numbers in their shortest exact form; a missing value is an empty field.
 * Text that a spreadsheet would run as a formula is made text (csv_field).
 */
#ifndef FB_CSV_H
#define FB_CSV_H

#include <stdbool.h>
#include <stdio.h>

/* Would a spreadsheet take s as a formula (= + - @ TAB CR first, and not a number)? */
bool csv_formula_like(const char *s);
/*
 * One field; first: the row's first field (no comma before it).  A field
 * csv_formula_like() gets a leading ' and quotes (OWASP's CSV injection rule).
 */
void csv_field(FILE *f, const char *s, bool first);
/* A number: shortest form that reads back exactly; NaN or inf: empty. */
void csv_num(FILE *f, double v, bool first);
void csv_uint(FILE *f, unsigned long long v, bool first);
void csv_end_row(FILE *f);

#endif
