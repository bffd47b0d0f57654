// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench list: every benchmark and preset with a one-line summary.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "registry.h"
#include "util.h"

int cmd_list(int argc, char **argv)
{
	const struct bench_entry *e;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: faultbench list\n");
		return FB_OK;
	}
	if (argc > 1)
		return fb_usage("list takes no arguments");
	printf("benchmarks:\n");
	for (e = bench_registry; e->name; e++)
		if (!e->preset)
			printf("  %-12s %s\n", e->name, e->bench->summary);
	printf("\npresets (a benchmark with options set):\n");
	for (e = bench_registry; e->name; e++)
		if (e->preset)
			printf("  %-12s %s\n               = %s %s\n", e->name, e->summary,
			       e->bench->name, e->preset);
	printf("\n'faultbench run NAME --help' shows a benchmark's options.\n");
	return FB_OK;
}
