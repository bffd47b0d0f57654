// SPDX-License-Identifier: GPL-2.0
/*
 * Completion candidates from the options tables (complete.h): what the
 * command line takes is what completes, so the two cannot drift.
 */
#include <stdbool.h>
#include <string.h>

#include "complete.h"

void complete_words(FILE *f, const char *cur, const char *const *words, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strncmp(words[i], cur, strlen(cur)))
			fprintf(f, "%s\n", words[i]);
}

void complete_options(FILE *f, const char *cur, const struct opt *table)
{
	for (const struct opt *o = table; o && o->name; o++) {
		char buf[96];

		snprintf(buf, sizeof(buf), "--%s%s", o->name, o->type == OPT_BOOL ? "" : "=");
		if (!strncmp(buf, cur, strlen(cur)))
			fprintf(f, "%s\n", buf);
	}
}

const struct opt *complete_find_opt(const struct opt *const *tables, size_t nt, const char *name,
				    size_t len)
{
	for (size_t i = 0; i < nt; i++)
		for (const struct opt *o = tables[i]; o && o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, name, len))
				return o;
	return NULL;
}

/* The choice (n bytes at p) is already an item of the list cur[0..head). */
static bool listed(const char *cur, size_t head, const char *p, size_t n)
{
	for (size_t i = 0; i < head;) {
		size_t len = strcspn(cur + i, ",");

		if (len == n && !strncmp(cur + i, p, n))
			return true;
		i += len + 1;
	}
	return false;
}

void complete_choices(FILE *f, const struct opt *o, const char *prefix, const char *cur)
{
	const char *last = o->type == OPT_ENUMSET ? strrchr(cur, ',') : NULL;
	size_t head = last ? (size_t)(last + 1 - cur) : 0;
	const char *p = o->choices;

	if (!p) {
		if (o->type == OPT_BOOL)
			p = "on|off";
		else
			return;
	}
	while (*p) {
		size_t n = strcspn(p, "|");

		if (n >= strlen(cur + head) && !strncmp(p, cur + head, strlen(cur + head)) &&
		    !listed(cur, head, p, n))
			fprintf(f, "%s%.*s%.*s\n", prefix, (int)head, cur, (int)n, p);
		p += n + (p[n] == '|');
	}
}
