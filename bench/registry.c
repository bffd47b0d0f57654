// SPDX-License-Identifier: GPL-2.0
/*
 * Every benchmark and preset faultbench knows: one line each.
 */
#include <string.h>

#include "bench.h"

const struct bench_entry bench_registry[] = {
	{ "fault", &bench_fault, NULL, NULL },
	{ "nopage", &bench_fault, "--backing=tmpfs --map=shared --touch=read --sharing=same",
	  "all workers read-fault the same pages of one shared tmpfs file (2006's 64-CPU test)" },
	/* will-it-scale's tests map 128 MiB per task: on disk files the size also
	 * decides how far readahead ramps up the page-cache folio sizes */
	{ "pf1", &bench_fault, "--backing=anon --map=private --touch=write --sharing=own"
	  " --size=128M",
	  "anonymous write faults, own memory (will-it-scale page_fault1)" },
	{ "pf2", &bench_fault, "--backing=tmpfs --map=private --touch=write --sharing=own"
	  " --size=128M",
	  "private file write faults (COW), own file (page_fault2)" },
	{ "pf3", &bench_fault, "--backing=tmpfs --map=shared --touch=write --sharing=own"
	  " --size=128M",
	  "shared file write faults, own file (page_fault3)" },
	{ "pf4", &bench_fault, "--backing=tmpfs --map=private --touch=read --sharing=own"
	  " --size=128M",
	  "private file read faults, own file (will-it-scale request #37)" },
	{ "pagelock", &bench_pagelock, NULL, NULL },
	{ "aim9", &bench_aim9, NULL, NULL },
	{ "kernbench", &bench_kernbench, NULL, NULL },
	{ "threads", &bench_threads, NULL, NULL },
	{ "sysbench", &bench_sysbench, NULL, NULL },
	{ "dio", &bench_dio, NULL, NULL },
	/* new benchmarks: one line above this comment */
	{ NULL, NULL, NULL, NULL }
};

const struct bench_entry *bench_lookup(const char *name)
{
	const struct bench_entry *e;

	for (e = bench_registry; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}
