// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench: microbenchmarks for the scalability of the Linux page-fault path.
 * Subcommands in the style of git and perf.
 */
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "runopts.h"
#include "util.h"

/* clang-format off */
#define FB_COMMAND_ENTRY(id, n, o, a, s) \
	{ .name = n, .fn = cmd_##id, .opts = o, .args = a, .summary = s },

const struct command fb_commands[] = {
	FB_COMMANDS(FB_COMMAND_ENTRY)
	{ .name = NULL }
};
/* clang-format on */

static int usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: faultbench <command> [options]\n\ncommands:\n");
	for (c = fb_commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "\n'faultbench <command> --help' shows a command's options.\n");
	return f == stdout ? FB_OK : FB_USAGE;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (!strcmp(argv[1], "help") && argc == 2))
		return usage(stdout);
	/* hidden: the bash completion script asks here (scripts/faultbench.bash) */
	if (!strcmp(argv[1], "--complete"))
		return cmd_complete(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {
		printf("faultbench %s\n", fb_version);
		return FB_OK;
	}
	for (c = fb_commands; c->name; c++)
		if (!strcmp(c->name, argv[1])) {
			fb_command = c->name;
			/* a SIGINT/SIGTERM it caught is in its status, however late it came */
			return fb_exit_status(c->fn(argc - 1, argv + 1));
		}
	return cmd_unknown(argv[1]);
}
