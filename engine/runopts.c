// SPDX-License-Identifier: GPL-2.0
/*
 * The options every run shares.  The same table validates the command line
 * and config files and is recorded as "run" in every result.
 */
#include <stddef.h>
#include <string.h>

#include "bench.h"
#include "runopts.h"

#define R(field) offsetof(struct run_opts, field)

const struct opt run_options[] = {
	{ .name = "cpus",
	  .type = OPT_STR,
	  .def = "pow2",
	  .help = "worker counts: list and ranges (1,2,4,8-16), pow2, walk (1, core, LLC, node, "
		  "package, machine) or max",
	  .off = R(cpus) },
	{ .name = "mode",
	  .type = OPT_ENUM,
	  .def = "threads",
	  .choices = "threads|processes",
	  .help = "workers are threads of one process or processes of their own",
	  .off = R(mode) },
	{ .name = "placement",
	  .type = OPT_ENUM,
	  .def = "compact",
	  .choices = "compact|spread",
	  .help = "compact fills a node before the next (SMT siblings last); spread rotates "
		  "across packages and nodes, then L3 caches within a node, then cores (SMT "
		  "siblings last)",
	  .off = R(placement) },
	{ .name = "samples",
	  .type = OPT_INT,
	  .def = "5",
	  .min = 1,
	  .max = 100000,
	  .help = "samples per step after warm-up",
	  .off = R(samples) },
	{ .name = "sample-time",
	  .type = OPT_DOUBLE,
	  .def = "0.5",
	  .min = 0.01,
	  .max = 3600,
	  .help = "seconds per sample",
	  .off = R(sample_time) },
	{ .name = "warmup",
	  .type = OPT_DOUBLE,
	  .def = "1",
	  .max = 3600,
	  .help = "seconds of warm-up, discarded",
	  .off = R(warmup) },
	{ .name = "repeat",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 1000,
	  .help = "repeat the whole sweep N times in this run, steps interleaved (for steadier "
		  "figures; the replicates of a comparison are runs: --runs)",
	  .off = R(repeat) },
	{ .name = "runs",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 1000,
	  .help = "make N separate runs into the label, each a faultbench process of its own: "
		  "the replicates a star needs (3 or more a side)",
	  .off = R(runs) },
	{ .name = "label",
	  .type = OPT_STR,
	  .def = "default",
	  .help = "variant name, kernel-patch style: 6.18-vanilla",
	  .off = R(label) },
	{ .name = "output",
	  .type = OPT_STR,
	  .help = "result file or directory (default results/<label>/)",
	  .off = R(output) },
	{ .name = "dir",
	  .type = OPT_STR,
	  .help = "directory for disk-backed benchmark files (default: the output directory)",
	  .off = R(dir) },
	{ .name = "topology",
	  .type = OPT_STR,
	  .help = "hwloc synthetic description or XML file; planning only (topo)",
	  .off = R(topology) },
	{ .name = "format",
	  .type = OPT_ENUM,
	  .def = "text",
	  .choices = "text|json|csv",
	  .help = "what to print on stdout: the table, the result document, or one CSV record per "
		  "step and metric",
	  .off = R(format) },
	{ .name = "oversubscribe",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "allow more workers than PUs (PUs reused round-robin)",
	  .off = R(oversubscribe) },
	{ .name = "event",
	  .type = OPT_STR,
	  .help = "extra perf events per worker: perf names or tracepoints sys:name, comma list",
	  .off = R(events) },
	/*
	 * minimal by default: perf's page-faults, minor-faults and major-faults
	 * events run perf_sw_event() in every fault of the workers, which cost
	 * pf1-pf3 measurably (docs/selftest.md, "What the perf counters cost"),
	 * and count what the kernel's per-thread min_flt/maj_flt (read from /proc
	 * at the sample ends, at no cost to the worker) already count: every
	 * fault figure of a result comes from those in all three modes.
	 */
	{ .name = "counters",
	  .type = OPT_ENUM,
	  .def = "minimal",
	  .choices = "full|minimal|none",
	  .help =
	      "perf counters per worker: minimal (context switches, migrations, task-clock, "
	      "D-state sleeps, cycles/instructions: nothing that runs in each fault), full "
	      "(also perf's page-faults, minor-faults and major-faults, which cost every fault), "
	      "none (no perf_event_open; fault counts and CPU time still come from the kernel's "
	      "per-thread counts and clock); --event adds to any",
	  .off = R(counters) },
	{ .name = "profile",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "perf record -g on the CPUs of the largest step, top symbols into the result",
	  .off = R(profile) },
	{ .name = "profile-cpus",
	  .type = OPT_STR,
	  .help = "profile these steps (worker counts: 1,64 or all), each in its own perf.data; "
		  "implies --profile",
	  .off = R(profile_cpus) },
	{ .name = "mem",
	  .type = OPT_STR,
	  .def = "local",
	  .help = "NUMA placement: local, node:N, interleave, remote, preferred:N",
	  .off = R(mem) },
	{ .name = "monitors",
	  .type = OPT_BOOL,
	  .def = "on",
	  .help = "system-wide /proc/vmstat, TLB shootdown and numastat deltas per sample, "
		  "as vmstat:KEY, interrupts:TLB and numastat:nodeN:KEY metrics (shown by "
		  "compare --metric only)",
	  .off = R(monitors) },
	{ .name = "retry-disturbed",
	  .type = OPT_INT,
	  .def = "0",
	  .max = 100,
	  .help = "re-measure a sample that interference disturbed (docs/compare.md, "
		  "\"Interference\") up to N times; the result keeps how many were replaced",
	  .off = R(retry_disturbed) },
	{ .name = "knob",
	  .type = OPT_STR,
	  .help =
	      "PATH=V1,V2: a /sys or /proc setting (root only) whose values run as variants, "
	      "interleaved ABBA by repeat and restored afterwards; env:FB_TEST_NAME=V1,V2 sets a "
	      "test-only variable of the workers instead (docs/compare.md); command line only",
	  .off = R(knob) },
	{ .name = "progress",
	  .type = OPT_BOOL,
	  .def = "on",
	  .help = "live progress line on a terminal (stderr)",
	  .off = R(progress) },
	OPT_END
};

bool bench_uses_run_option(const struct bench *b, const char *name)
{
	const char *p = b->ignores_options;
	size_t len = strlen(name);

	while (p && *p) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, name, len))
			return false;
		p += n + (p[n] == ',');
	}
	return true;
}
