// SPDX-License-Identifier: GPL-2.0
/*
 * Column headers people can tell apart (labels.h): identical labels of
 * different runs are told apart by what differs between the runs (machine,
 * kernel), and headers cut to a view's width keep the part that differs.
 */
#include <stdlib.h>
#include <string.h>

#include "labels.h"
#include "util.h"

static const char *sys_str(json_t *doc, const char *key, const char *sub)
{
	json_t *v = json_object_get(json_object_get(doc, "system"), key);

	if (sub)
		v = json_object_get(v, sub);
	return json_is_string(v) ? json_string_value(v) : "";
}

static const char *hostname(json_t *doc)
{
	return sys_str(doc, "hostname", NULL);
}

static const char *kernel(json_t *doc)
{
	return sys_str(doc, "kernel", "release");
}

/* A label with a machine's name: control characters of a crafted result never reach a terminal. */
static char *with_suffix(const char *label, const char *what)
{
	char *s = xasprintf("%s@%s", label, what);

	for (char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return s;
}

static bool all_distinct(char *const *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (!strcmp(s[i], s[j]))
				return false;
	return true;
}

/* Among the columns labelled like column C, does WHAT tell any two apart? */
static bool differs(char **labels, json_t *const *docs, unsigned n, unsigned c,
		    const char *(*what)(json_t *))
{
	for (unsigned j = 0; j < n; j++)
		if (j != c && !strcmp(labels[j], labels[c]) && docs[j] && docs[c] &&
		    strcmp(what(docs[j]), what(docs[c])))
			return true;
	return false;
}

void labels_make_distinct(char **labels, json_t *const *docs, unsigned n)
{
	char **out;

	if (all_distinct(labels, n))
		return;
	out = xcalloc(n, sizeof(*out));
	for (unsigned c = 0; c < n; c++) {
		if (differs(labels, docs, n, c, hostname))
			out[c] = with_suffix(labels[c], hostname(docs[c]));
		else if (differs(labels, docs, n, c, kernel))
			out[c] = with_suffix(labels[c], kernel(docs[c]));
		else
			out[c] = xstrdup(labels[c]);
	}
	/* still alike (same machine and kernel, or three columns of two machines) */
	for (unsigned c = 0; c < n; c++) {
		bool alike = false;

		for (unsigned j = 0; j < n; j++)
			alike |= j != c && !strcmp(out[j], out[c]);
		free(labels[c]);
		labels[c] = alike ? xasprintf("%s#%u", out[c], c + 1) : xstrdup(out[c]);
	}
	for (unsigned c = 0; c < n; c++)
		free(out[c]);
	free(out);
}

static void cut(char *const *labels, unsigned n, unsigned width, bool tail, char **heads)
{
	for (unsigned c = 0; c < n; c++) {
		size_t len = strlen(labels[c]);

		if (len <= width || width < 3)
			heads[c] = xstrdup(labels[c]);
		else if (tail)
			heads[c] = xasprintf("..%s", labels[c] + len - (width - 2));
		else
			heads[c] = xasprintf("%.*s..", (int)(width - 2), labels[c]);
	}
}

bool labels_fit(char *const *labels, unsigned n, unsigned width, char **heads)
{
	for (int tail = 1; tail >= 0; tail--) {
		cut(labels, n, width, tail, heads);
		if (all_distinct(heads, n))
			return false;
		labels_free(heads, n);
	}
	for (unsigned c = 0; c < n; c++)
		heads[c] = xasprintf("#%u", c + 1);
	return true;
}

void labels_free(char **heads, unsigned n)
{
	for (unsigned c = 0; c < n; c++) {
		free(heads[c]);
		heads[c] = NULL;
	}
}

void labels_legend(FILE *f, char *const *labels, json_t *const *docs, unsigned n)
{
	for (unsigned c = 0; c < n; c++) {
		char *line = docs[c] ? xasprintf("#%-3u %s  (machine %s, kernel %s)", c + 1,
						 labels[c], hostname(docs[c]), kernel(docs[c]))
				     : xasprintf("#%-3u %s", c + 1, labels[c]);

		for (char *p = line; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		fprintf(f, "%s\n", line);
		free(line);
	}
}
