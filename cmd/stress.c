// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench stress: the race reproducers of stress/ (listed in
 * stress/registry.c) as a command whose exit status `git bisect run`
 * understands: 0 nothing found, 1 corruption (offset, expected and seen
 * pattern printed), a kernel bug report in the kernel log or a hung worker,
 * 125 cannot run or cannot decide here, 2 bad usage, 128 + signal when
 * interrupted.
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
	{ .name = "time",
	  .type = OPT_DOUBLE,
	  .def = "10",
	  .min = 0.1,
	  .max = 86400,
	  .help = "seconds to run",
	  .off = S(time) },
	{ .name = "seed",
	  .type = OPT_INT,
	  .def = "0",
	  .min = 0,
	  .max = 1e15,
	  .help = "random seed; 0 picks one from the clock (it is printed, for repeating a run)",
	  .off = S(seed) },
	{ .name = "dir",
	  .type = OPT_STR,
	  .def = ".",
	  .help = "directory for the test files (unnamed, gone at exit); invalidate needs a disk "
		  "filesystem",
	  .off = S(dir) },
	{ .name = "size",
	  .type = OPT_SIZE,
	  .def = "0",
	  .help = "0: the test's default. invalidate, truncate: the file (8M); migrate: the memset "
		  "child's memory (min(256M, 5% of MemAvailable))",
	  .off = S(size) },
	{ .name = "workers",
	  .type = OPT_INT,
	  .def = "0",
	  .min = 0,
	  .max = 256,
	  .help = "0: from the CPU count. invalidate: writers + readers (2 per CPU); truncate: "
		  "readers; migrate: faulting children (punchers: half as many)",
	  .off = S(workers) },
	{ .name = "plant-corruption",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "self-test of the checker: plant one wrong page during the run; it must then "
		  "exit 1",
	  .off = S(plant_corruption) },
	{ .name = "quiet",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "print only errors, corruption, kernel bug reports and hangs",
	  .off = S(quiet) },
	{ .name = "watchdog",
	  .type = OPT_DOUBLE,
	  .def = "60",
	  .min = 0,
	  .max = 3600,
	  .help = "seconds without progress before a worker counts as hung (its kernel stack and "
		  "the blocked tasks are reported, exit 1); 0: off",
	  .off = S(watchdog) },
	{ .name = "output",
	  .type = OPT_STR,
	  .help = "write the result (verdict, kernel log lines, hung workers' stacks) as JSON to "
		  "this new file",
	  .off = S(output) },
	{ .name = "scale",
	  .type = OPT_ENUM,
	  .def = "bounded",
	  .choices = "bounded|seed",
	  .help = "migrate: bounded (the defaults above) or seed: the 2010 report's recipe, long "
		  "and heavy (100 faulting children, memset of 1.5x RAM where swap can take it, "
		  "otherwise a third of the memory available, kernbench alongside); give --time "
		  "600",
	  .off = S(scale) },
	OPT_END
};

static int usage(FILE *f)
{
	const struct stress_test *const *t;

	fprintf(f, "usage: faultbench stress <test> [options]\n\ntests:\n");
	for (t = stress_registry; *t; t++)
		fprintf(f, "  %-14s %s\n", (*t)->name, (*t)->summary);
	fprintf(f, "\nexit status: 0 nothing found, 1 corruption, a kernel bug reported in the "
		   "kernel log\nor a hung worker, 125 cannot run or decide here (git bisect run's "
		   "skip),\n2 bad usage, 128+N interrupted by signal N\n\noptions:\n");
	opt_print_help(f, stress_options);
	return f == stdout ? FB_OK : FB_USAGE;
}

/* "'x' is not a stress test (invalidate, truncate, ...)", the names from the registry. */
static int unknown_test(const char *name)
{
	const struct stress_test *const *t;
	char names[512] = "";
	size_t len = 0;

	for (t = stress_registry; *t && len < sizeof(names); t++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				t == stress_registry ? "" : ", ", (*t)->name);
	return fb_usage("'%s' is not a stress test (%s); see 'faultbench stress --help'", name,
			names);
}

int cmd_stress(int argc, char **argv)
{
	struct stress_opts o;
	struct opt_binding b = { stress_options, &o };
	const struct stress_test *test;
	int next = 0, err;

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
	test = stress_lookup(argv[1]);
	if (!test)
		return unknown_test(argv[1]);
	if (o.scale == STRESS_SCALE_SEED && !test->seed_scale)
		return fb_usage("option '--scale': '%s' has no seed recipe (migrate has)",
				test->name);
	o.argc = argc;
	o.argv = argv;
	fb_install_signal_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	return test->run(&o);
}
