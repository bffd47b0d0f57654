// SPDX-License-Identifier: GPL-2.0
/*
 * --runs N (runs.h): N separate runs of one benchmark or suite into one label.
 * Each is a new faultbench process (the running binary, /proc/self/exe) so
 * that every run starts from a fresh address space, allocator and page cache
 * state of its own, as a run on another night would: repeats inside one
 * process are not independent replicates (docs/compare.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "runs.h"
#include "spawn.h"
#include "util.h"

static int parse_runs(const char *v, long *n)
{
	char *end;

	*n = strtol(v, &end, 10);
	if (!*v || *end || *n < 1 || *n > 1000)
		return fb_usage("option '--runs': '%s' is not a count from 1 to 1000", v);
	return FB_OK;
}

int runs_take_option(int *argc, char **argv, long *n)
{
	const char *v = NULL;

	*n = 1;
	if (!opt_take(argc, argv, "runs", &v))
		return FB_OK;
	if (!*v)
		return fb_usage("option '--runs' needs a value");
	return parse_runs(v, n);
}

int runs_output_is_file(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *v = NULL;

		if (!strncmp(argv[i], "--output=", 9))
			v = argv[i] + 9;
		else if ((!strcmp(argv[i], "--output") || !strcmp(argv[i], "-o")) && i + 1 < argc)
			v = argv[i + 1];
		if (v && strlen(v) > 5 && !strcmp(v + strlen(v) - 5, ".json"))
			return 1;
	}
	return 0;
}

int runs_repeat(int argc, char **argv, long n)
{
	const char **args = xcalloc((size_t)argc + 2, sizeof(*args));
	int code = 0;

	if (runs_output_is_file(argc, argv)) {
		free(args);
		return fb_usage("option '--runs': %ld runs need a directory for '--output', "
				"not one .json file",
				n);
	}
	args[0] = "faultbench";
	for (int i = 0; i < argc; i++)
		args[i + 1] = argv[i];
	fb_install_signal_handlers();
	for (long r = 1; r <= n && !code; r++) {
		struct spawn sp = { .argv = args,
				    .file = "/proc/self/exe",
				    .pass_interrupt = true };
		char why[256];

		fprintf(stderr, "faultbench: run %ld of %ld\n", r, n);
		code = spawn_run(&sp);
		if (code)
			fprintf(stderr,
				"faultbench: run %ld of %ld %s; the %ld before it are kept\n", r, n,
				spawn_describe(&sp, why, sizeof(why)), r - 1);
		spawn_clear(&sp);
		if (fb_interrupted && !code)
			code = 128 + fb_interrupted;
	}
	free(args);
	return code;
}
