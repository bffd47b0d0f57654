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
	{ "cpus", OPT_STR, "pow2", 0, 0, NULL,
	  "worker counts: list and ranges (1,2,4,8-16), pow2, walk (1, core, LLC, node, "
	  "package, machine) or max", R(cpus) },
	{ "mode", OPT_ENUM, "threads", 0, 0, "threads|processes",
	  "workers are threads of one process or processes of their own", R(mode) },
	{ "placement", OPT_ENUM, "compact", 0, 0, "compact|spread",
	  "compact fills a node before the next (SMT siblings last); spread rotates "
	  "across packages and nodes, then L3 caches within a node, then cores (SMT "
	  "siblings last)", R(placement) },
	{ "samples", OPT_INT, "5", 1, 100000, NULL, "samples per step after warm-up", R(samples) },
	{ "sample-time", OPT_DOUBLE, "0.5", 0.01, 3600, NULL, "seconds per sample", R(sample_time) },
	{ "warmup", OPT_DOUBLE, "1", 0, 3600, NULL, "seconds of warm-up, discarded", R(warmup) },
	{ "repeat", OPT_INT, "1", 1, 1000, NULL,
	  "repeat the whole sweep N times, steps interleaved (the unit of replication "
	  "for comparisons)", R(repeat) },
	{ "label", OPT_STR, "default", 0, 0, NULL,
	  "variant name, kernel-patch style: 6.18-vanilla", R(label) },
	{ "output", OPT_STR, NULL, 0, 0, NULL,
	  "result file or directory (default results/<label>/)", R(output) },
	{ "dir", OPT_STR, NULL, 0, 0, NULL,
	  "directory for disk-backed benchmark files (default: the output directory)", R(dir) },
	{ "topology", OPT_STR, NULL, 0, 0, NULL,
	  "hwloc synthetic description or XML file; planning only (topo)", R(topology) },
	{ "format", OPT_ENUM, "text", 0, 0, "text|json|csv",
	  "what to print on stdout: the table, the result document, or one CSV record per "
	  "step and metric", R(format) },
	{ "oversubscribe", OPT_BOOL, "off", 0, 0, NULL,
	  "allow more workers than PUs (PUs reused round-robin)", R(oversubscribe) },
	{ "event", OPT_STR, NULL, 0, 0, NULL,
	  "extra perf events per worker: perf names or tracepoints sys:name, comma list", R(events) },
	{ "profile", OPT_BOOL, "off", 0, 0, NULL,
	  "perf record -g on the CPUs of one step, top symbols into the result", R(profile) },
	{ "profile-cpus", OPT_INT, "0", 0, 1 << 20, NULL,
	  "the step (worker count) to profile; 0: the largest", R(profile_cpus) },
	{ "mem", OPT_STR, "local", 0, 0, NULL,
	  "NUMA placement: local, node:N, interleave, remote, preferred:N", R(mem) },
	{ "progress", OPT_BOOL, "on", 0, 0, NULL,
	  "live progress line on a terminal (stderr)", R(progress) },
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
