// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench stress: the race reproducers of stress/stress.c as a command whose
 * exit status `git bisect run` understands: 0 nothing found, 1 corruption
 * (offset, expected and seen pattern printed), a kernel bug report in the
 * kernel log or a hung worker, 125 cannot run or cannot decide here, 2 bad
 * usage, 128 + signal when interrupted.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cmds.h"
#include "opt.h"
#include "stress.h"
#include "util.h"

#define S(field) offsetof(struct stress_opts, field)

const struct opt stress_options[] = {
	{ "time", OPT_DOUBLE, "10", 0.1, 86400, NULL, "seconds to run", S(time) },
	{ "seed", OPT_INT, "0", 0, 1e15, NULL,
	  "random seed; 0 picks one from the clock (it is printed, for repeating a run)", S(seed) },
	{ "dir", OPT_STR, ".", 0, 0, NULL,
	  "directory for the test files (unnamed, gone at exit); invalidate needs a disk "
	  "filesystem",
	  S(dir) },
	{ "size", OPT_SIZE, "0", 0, 0, NULL,
	  "0: the test's default. invalidate, truncate: the file (8M); migrate: the memset "
	  "child's memory (min(256M, 5% of MemAvailable))",
	  S(size) },
	{ "workers", OPT_INT, "0", 0, 256, NULL,
	  "0: from the CPU count. invalidate: writers + readers (2 per CPU); truncate: readers; "
	  "migrate: faulting children (punchers: half as many)",
	  S(workers) },
	{ "plant-corruption", OPT_BOOL, "off", 0, 0, NULL,
	  "self-test of the checker: plant one wrong page during the run; it must then exit 1",
	  S(plant_corruption) },
	{ "quiet", OPT_BOOL, "off", 0, 0, NULL,
	  "print only errors, corruption, kernel bug reports and hangs", S(quiet) },
	{ "watchdog", OPT_DOUBLE, "60", 0, 3600, NULL,
	  "seconds without progress before a worker counts as hung (its kernel stack and the "
	  "blocked tasks are reported, exit 1); 0: off",
	  S(watchdog) },
	{ "output", OPT_STR, NULL, 0, 0, NULL,
	  "write the result (verdict, kernel log lines, hung workers' stacks) as JSON to this "
	  "new file",
	  S(output) },
	OPT_END
};

static const struct {
	const char *name;
	int (*fn)(const struct stress_opts *o);
	const char *summary;
} tests[] = {
	{ "invalidate", stress_invalidate,
	  "O_DIRECT writes vs faults on a MAP_SHARED mapping of the same file" },
	{ "truncate", stress_truncate,
	  "truncate/extend vs faults: SIGBUS only beyond EOF, never stale data" },
	{ "migrate", stress_migrate,
	  "fault, hole-punch, exec and memset children under compaction and move_pages" },
	{ "zap-coherence", stress_zap_coherence,
	  "mapping, buffered and O_DIRECT writes vs zapped ptes, write-back, dropped cache" },
	{ "thp-split-dio", stress_thp_split_dio,
	  "O_DIRECT through huge pages' tail pages while they are split and collapsed" },
	{ "anon-vma", stress_anon_vma,
	  "deep fork trees write COW pages and exit while compaction walks the rmap" },
};

static int usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: faultbench stress <test> [options]\n\ntests:\n");
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		fprintf(f, "  %-14s %s\n", tests[i].name, tests[i].summary);
	fprintf(f, "\nexit status: 0 nothing found, 1 corruption, a kernel bug reported in the "
		   "kernel log\nor a hung worker, 125 cannot run or decide here (git bisect run's "
		   "skip),\n2 bad usage, 128+N interrupted by signal N\n\noptions:\n");
	opt_print_help(f, stress_options);
	return f == stdout ? FB_OK : FB_USAGE;
}

int cmd_stress(int argc, char **argv)
{
	struct stress_opts o;
	struct opt_binding b = { stress_options, &o };
	int next = 0, err;
	size_t i;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return usage(stdout);
	opt_set_defaults(stress_options, &o);
	/* opt_parse_argv() starts at argv[0]; skip the subcommand and the test name. */
	err = opt_parse_argv(&b, 1, argc - 2, argv + 2, &next);
	if (err < 0)
		return usage(stdout);
	if (err)
		return err;
	if (next + 2 < argc)
		return fb_usage("stress takes one test name, got '%s' too; see 'faultbench stress "
				"--help'",
				argv[next + 2]);
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (strcmp(tests[i].name, argv[1]))
			continue;
		o.argc = argc;
		o.argv = argv;
		fb_install_signal_handlers();
		setvbuf(stdout, NULL, _IOLBF, 0);
		return tests[i].fn(&o);
	}
	return fb_usage("'%s' is not a stress test (invalidate, truncate, migrate, zap-coherence, "
			"thp-split-dio, anon-vma); see "
			"'faultbench stress --help'",
			argv[1]);
}
