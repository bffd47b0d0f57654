// SPDX-License-Identifier: GPL-2.0
/*
 * "did you mean" for what compare, history and report are given (nearby.h):
 * a mistyped label or benchmark should cost one glance, not a directory
 * listing.  The ranking is lib/suggest's, as for options and commands.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "nearby.h"
#include "suggest.h"
#include "util.h"

const char *nearby_run_hint(const char *arg, char *buf, size_t len)
{
	const char *slash = strrchr(arg, '/');
	char *dir = slash ? xasprintf("%.*s", (int)(slash - arg), arg) : xstrdup("results");
	char *prefix = slash ? xasprintf("%s/", dir) : xstrdup("");
	DIR *d = opendir(*dir ? dir : "/");
	char **names = NULL;
	size_t n = 0;
	struct fb_suggest s;
	struct dirent *e;

	buf[0] = '\0';
	fb_suggest_init(&s, slash ? slash + 1 : arg);
	while (d && (e = readdir(d)) && n < 100000) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n] = xstrdup(e->d_name);
		fb_suggest_add(&s, names[n++]);
	}
	if (d)
		closedir(d);
	fb_suggest_hint(&s, prefix, buf, len);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(prefix);
	free(dir);
	return buf;
}

const char *nearby_name_hint(const char *typed, char *const *names, unsigned n, char *buf,
			     size_t len)
{
	struct fb_suggest s;

	buf[0] = '\0';
	fb_suggest_init(&s, typed);
	for (unsigned i = 0; i < n; i++)
		fb_suggest_add(&s, names[i]);
	return fb_suggest_hint(&s, "", buf, len);
}
