/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTML text from untrusted strings: everything a result file carries
 * (labels, host names, kernel command lines, symbols) reaches the report
 * through these, never through a bare fprintf("%s").
 */
#ifndef FB_HTML_H
#define FB_HTML_H

#include <stdio.h>

/*
 * s as HTML text or a quoted attribute value: & < > " ' as entities, control
 * characters as spaces, and when s is not valid UTF-8 every byte above 0x7f
 * as U+FFFD (a browser would otherwise guess an encoding).
 */
void html_put(FILE *f, const char *s);
/* A formatted string, escaped: html_printf(f, "%s on %s", label, host). */
void html_printf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
