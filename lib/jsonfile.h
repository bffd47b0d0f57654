/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing JSON: every real in the shortest form that reads back as the same
 * double (0.05, not jansson's %.17g 0.050000000000000003, and not a rounded
 * %.10g that loses the last bits), and a document to a new file: written
 * under a temporary name and linked into place, so a reader never sees half a
 * file and an existing file (an earlier run's result) is never overwritten.
 */
#ifndef FB_JSONFILE_H
#define FB_JSONFILE_H

#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

/*
 * v as the shortest "%.Ng" that strtod() reads back as v, in JSON's real
 * syntax as jansson writes it: "0.1", "5e-324", "1.0" (a '.' or an exponent
 * always, so it reads back as a real), no '+' or leading zeros in exponents.
 * Needs 32 bytes for any finite v.
 */
void fb_fmt_shortest(char *buf, size_t len, double v);

/*
 * json_dumpf() with flags (JSON_INDENT, ...), reals as fb_fmt_shortest();
 * any JSON_REAL_PRECISION in flags is ignored.
 */
int fb_json_dumpf(const json_t *doc, FILE *f, size_t flags);

/* FB_OK, or FB_FAIL with the reason printed. */
int json_write_new_file(json_t *doc, const char *path);

#endif
