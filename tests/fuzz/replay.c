// SPDX-License-Identifier: GPL-2.0
/*
 * A main() for the fuzz targets where libFuzzer is not used (gcc builds, and
 * "make check"): every file given, or every file of every directory given,
 * goes once through LLVMFuzzerTestOneInput().  A crash or a sanitizer report
 * fails the run, so each corpus file is a regression test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "util.h"

static unsigned replayed;

static void replay_file(const char *path)
{
	size_t len = 0, cap = 4096;
	uint8_t *buf = malloc(cap);
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f || !buf) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		exit(2);
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && !(buf = realloc(buf, cap *= 2)))
			abort();
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	replayed++;
}

static void replay_dir(const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);
		struct stat st;

		if (names[i]->d_name[0] != '.' && !stat(path, &st) && S_ISREG(st.st_mode))
			replay_file(path);
		free(path);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		struct stat st;

		if (!stat(argv[i], &st) && S_ISDIR(st.st_mode))
			replay_dir(argv[i]);
		else
			replay_file(argv[i]);
	}
	printf("replay %s: %u inputs, no finding\n", argc > 0 ? argv[0] : "?", replayed);
	return 0;
}
