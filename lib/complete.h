/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bash completion from the options tables (faultbench --complete WORD...):
 * the candidates for the word being completed, one a line.  Which tables
 * apply to a command line is the caller's (cmd/help.c).
 */
#ifndef FB_COMPLETE_H
#define FB_COMPLETE_H

#include <stddef.h>
#include <stdio.h>

#include "opt.h"

/* Each of words[0..n) that starts with cur. */
void complete_words(FILE *f, const char *cur, const char *const *words, size_t n);
/* "--name" (or "--name=" when it takes a value) for each option of table matching cur. */
void complete_options(FILE *f, const char *cur, const struct opt *table);
/* The option of the first of tables[0..nt) named by len bytes at name, or NULL. */
const struct opt *complete_find_opt(const struct opt *const *tables, size_t nt, const char *name,
				    size_t len);
/*
 * The values of o that match cur, each after prefix: its choices (on|off
 * for a switch); a LIST completes its last item, never one listed already.
 */
void complete_choices(FILE *f, const struct opt *o, const char *prefix, const char *cur);

#endif
