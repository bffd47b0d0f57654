// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the directory walk of history, report --history and compare
 * DIR (analysis/resultset.c, analysis/history.c).  The input describes a
 * small tree, one entry per line: "d NAME" a directory, "f NAME CONTENT" a
 * file (CONTENT to the end of the line, "\n" for a newline), "l NAME TARGET"
 * a symbolic link; NAME is relative, without "..".  The tree is made in a
 * private directory, walked, read as a history of pf1 and as a RUN, and
 * removed.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "history.h"
#include "resultset.h"
#include "util.h"

#define MAX_ENTRIES 32

static bool name_ok(const char *name)
{
	return *name && *name != '/' && !strstr(name, "..") && strlen(name) < 64;
}

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void make_entry(const char *root, char *line)
{
	char kind = line[0], *name = line + 2, *rest, *path;

	if (strlen(line) < 3 || line[1] != ' ')
		return;
	rest = strchr(name, ' ');
	if (rest)
		*rest++ = '\0';
	if (!name_ok(name))
		return;
	path = xasprintf("%s/%s", root, name);
	if (kind == 'd') {
		mkdir(path, 0700);
	} else if (kind == 'f' && rest) {
		FILE *f = fopen(path, "w");

		unescape(rest);
		if (f) {
			fputs(rest, f);
			fclose(f);
		}
	} else if (kind == 'l' && rest && (name_ok(rest) || !strncmp(rest, "/proc/", 6))) {
		/* a link inside the tree, or into /proc (a walk must not go there) */
		if (symlink(rest, path) && errno != EEXIST)
			(void)0;
	}
	free(path);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char root[] = "/tmp/fb-fuzz-walk-XXXXXX", *s = fuzz_string(data, size), *line, *save = NULL;
	struct history h = { .bench = "pf1", .ncpus = -1 };
	struct resultset rs = { 0 };
	char **names = NULL;
	unsigned n = 0, entries = 0;

	fb_set_quiet(true);
	if (!mkdtemp(root)) {
		free(s);
		return 0;
	}
	for (line = strtok_r(s, "\n", &save); line && entries < MAX_ENTRIES;
	     line = strtok_r(NULL, "\n", &save), entries++)
		make_entry(root, line);
	if (!history_load(&h, root, NULL))
		history_analyse(&h, 2, 0.02);
	history_free(&h);
	history_benches(root, NULL, &names, &n);
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
	resultset_load(&rs, root, NULL);
	resultset_free(&rs);
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(s);
	return 0;
}
