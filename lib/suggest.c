// SPDX-License-Identifier: GPL-2.0
/*
 * Suggestions for a mistyped name (see suggest.h).  The weights are git's:
 * a missing character (insertion, 1) is the likeliest typo, a wrong one
 * (substitution, 2) less, an extra one (deletion, 3) least, and two swapped
 * characters cost nothing.  git suggests when the score is below 7.
 */
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "util.h"

#define SIMILARITY_FLOOR 7

int fb_levenshtein(const char *s1, const char *s2, int w, int s, int a, int d)
{
	size_t len1 = strlen(s1), len2 = strlen(s2);
	int *row0 = xcalloc(len2 + 1, sizeof(int));
	int *row1 = xcalloc(len2 + 1, sizeof(int));
	int *row2 = xcalloc(len2 + 1, sizeof(int));
	int dist;

	for (size_t j = 0; j <= len2; j++)
		row1[j] = (int)j * a;
	for (size_t i = 0; i < len1; i++) {
		int *tmp;

		row2[0] = (int)(i + 1) * d;
		for (size_t j = 0; j < len2; j++) {
			int *c = &row2[j + 1];

			*c = row1[j] + s * (s1[i] != s2[j]); /* substitution */
			if (i > 0 && j > 0 && s1[i - 1] == s2[j] && s1[i] == s2[j - 1] &&
			    *c > row0[j - 1] + w)
				*c = row0[j - 1] + w; /* swap */
			if (*c > row1[j + 1] + d)
				*c = row1[j + 1] + d; /* deletion */
			if (*c > row2[j] + a)
				*c = row2[j] + a; /* insertion */
		}
		tmp = row0;
		row0 = row1;
		row1 = row2;
		row2 = tmp;
	}
	dist = row1[len2];
	free(row0);
	free(row1);
	free(row2);
	return dist;
}

void fb_suggest_init(struct fb_suggest *s, const char *typed)
{
	memset(s, 0, sizeof(*s));
	s->typed = typed;
	s->best = SIMILARITY_FLOOR;
}

void fb_suggest_add(struct fb_suggest *s, const char *candidate)
{
	size_t tl = strlen(s->typed);
	int score;

	if (!tl || !strcmp(candidate, s->typed))
		return;
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], candidate))
			return;
	/* as git: a prefix is the best match, else the distance plus one */
	if (!strncmp(candidate, s->typed, tl))
		score = 0;
	else
		score = fb_levenshtein(s->typed, candidate, 0, 2, 1, 3) + 1;
	if (score > s->best)
		return;
	if (score < s->best) {
		s->best = score;
		s->n = 0;
	}
	if (score < SIMILARITY_FLOOR && s->n < FB_SUGGEST_MAX)
		s->names[s->n++] = candidate;
}

const char *fb_suggest_hint(const struct fb_suggest *s, const char *prefix, char *buf, size_t len)
{
	size_t used;

	buf[0] = '\0';
	if (!s->n)
		return buf;
	used = (size_t)snprintf(buf, len, "; did you mean %s", s->n > 1 ? "one of " : "");
	for (unsigned i = 0; i < s->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s'%s%s'", i ? ", " : "", prefix,
					 s->names[i]);
	if (used < len)
		snprintf(buf + used, len - used, "?");
	return buf;
}
