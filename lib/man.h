/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Manual pages in roff from the options tables (help --man, the build's
 * man/ pages), and the same page as plain text where man(1) is missing.
 * What a page says is the caller's (cmd/help.c); how it is written is here.
 */
#ifndef FB_MAN_H
#define FB_MAN_H

#include <stdio.h>

#include "opt.h"

/*
 * Text as roff: a backslash printed as \e, '-' as \- (a hyphen-minus that
 * copies and searches as one), a line never starting with '.' or '\'', and
 * a possible break (\:) after '|', ',' and '/' in long lists of choices.
 */
void man_text(FILE *f, const char *s);
/* man_text() and a newline. */
void man_line(FILE *f, const char *s);
/* The page's .TH and NAME: "name \- what". */
void man_header(FILE *f, const char *name, const char *what);
/* One .TP paragraph per option: name, help, choices, default, bounds. */
void man_options(FILE *f, const struct opt *table);
/* EXIT STATUS: what every faultbench command's status means. */
void man_exit_status(FILE *f);
/*
 * A page (roff, as man_*() write it) as plain text into out: section names
 * on their own line, paragraphs and tagged items indented, font escapes and
 * "\-" taken off.  Rough, but every word of the page is there.
 */
void man_plain(FILE *out, const char *roff);
/*
 * Write a page to path with write(f, arg): a link planted there is replaced,
 * never written through.  FB_OK or FB_FAIL with a message.
 */
int man_write_page(const char *path, void (*write)(FILE *f, const void *arg), const void *arg);

#endif
