// SPDX-License-Identifier: GPL-2.0
/*
 * The exact command that gives a compared column more runs (rerun.h): a
 * footer saying "give each side 3 or more runs" leaves the user to find out
 * how; the result file knows the command line it came from.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "rerun.h"
#include "resultset.h"

/* Words a shell takes as they are; anything else is single-quoted. */
static bool plain(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr(
			"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./,:=@%+-",
			*s))
			return false;
	return true;
}

static size_t put(char *buf, size_t len, size_t n, const char *word)
{
	if (n >= len)
		return n;
	if (plain(word))
		return n + (size_t)snprintf(buf + n, len - n, " %s", word);
	n += (size_t)snprintf(buf + n, len - n, " '");
	for (; *word && n + 5 < len; word++) {
		unsigned char c = (unsigned char)*word;

		if (c == '\'')
			n += (size_t)snprintf(buf + n, len - n, "'\\''");
		else
			buf[n++] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	buf[n < len ? n : len - 1] = '\0';
	return n + (size_t)snprintf(buf + n, n < len ? len - n : 0, "'");
}

static bool is_json_file(const char *s)
{
	size_t n = strlen(s);

	return n > 5 && !strcmp(s + n - 5, ".json");
}

void rerun_command(json_t *doc, unsigned more, char *buf, size_t len)
{
	json_t *cl = json_object_get(doc, "command_line");
	size_t n = (size_t)snprintf(buf, len, "faultbench"), k, size = json_array_size(cl);
	char count[32];

	snprintf(count, sizeof(count), "%u", more);
	if (size < 2 || strcmp(json_string_value(json_array_get(cl, 0)) ?: "", "run")) {
		const char *label = json_string_value(json_object_get(doc, "label"));

		n = put(buf, len, n, "run");
		n = put(buf, len, n, rs_doc_name(doc) ?: "BENCH");
		n = put(buf, len, n, "--label");
		n = put(buf, len, n, label ?: "LABEL");
		n = put(buf, len, n, "--runs");
		n = put(buf, len, n, count);
		if (n < len)
			snprintf(buf + n, len - n, " (with the options its runs had)");
		return;
	}
	for (k = 0; k < size; k++) {
		const char *w = json_string_value(json_array_get(cl, k)) ?: "";
		const char *next = json_string_value(json_array_get(cl, k + 1)) ?: "";

		if (!strcmp(w, "--runs") ||
		    ((!strcmp(w, "--output") || !strcmp(w, "-o")) && is_json_file(next))) {
			k++;
			continue;
		}
		if (!strncmp(w, "--runs=", 7) || (!strncmp(w, "--output=", 9) && is_json_file(w)))
			continue;
		n = put(buf, len, n, w);
	}
	n = put(buf, len, n, "--runs");
	put(buf, len, n, count);
}
