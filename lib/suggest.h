/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "did you mean '--sample-time'?" for a mistyped option, subcommand or
 * benchmark, ranked as git ranks a mistyped command (help.c): a candidate
 * the typed word is a prefix of first, then the weighted edit distance of
 * git's levenshtein(typed, candidate, 0, 2, 1, 3), and only when close enough.
 */
#ifndef FB_SUGGEST_H
#define FB_SUGGEST_H

#include <stddef.h>

/*
 * Damerau-Levenshtein distance from s1 to s2 with costs per operation:
 * w swap of two adjacent characters, s substitution, a insertion, d deletion
 * (git's levenshtein.c, the same arguments).
 */
int fb_levenshtein(const char *s1, const char *s2, int w, int s, int a, int d);

#define FB_SUGGEST_MAX 4

/* The best candidates seen so far (those tied for the best score). */
struct fb_suggest {
	const char *typed;
	int best; /* score of names[]; lower is closer */
	unsigned n;
	const char *names[FB_SUGGEST_MAX];
};

void fb_suggest_init(struct fb_suggest *s, const char *typed);
/* Consider a candidate; candidates equal to one seen are ignored. */
void fb_suggest_add(struct fb_suggest *s, const char *candidate);
/*
 * "; did you mean 'x'?" or "; did you mean one of 'x', 'y'?" with prefix
 * put before each name ("--" for options), into buf; "" when nothing was close.
 */
const char *fb_suggest_hint(const struct fb_suggest *s, const char *prefix, char *buf, size_t len);

#endif
