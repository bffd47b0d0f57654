// SPDX-License-Identifier: GPL-2.0
/*
 * Every benchmark and preset faultbench knows: one line each.
 */
#include <string.h>

#include "registry.h"
#include "suggest.h"

/*
 * Every benchmark, one line each: the name of its "const struct bench
 * bench_<name>" (bench/<name>.c), in the order "faultbench list" prints them.
 * A new benchmark is a new file and one line here; nothing else to edit.
 */
#define FB_BENCHMARKS(X)                                                                           \
	X(fault)                                                                                   \
	X(pagelock)                                                                                \
	X(aim9)                                                                                    \
	X(kernbench)                                                                               \
	X(threads)                                                                                 \
	X(sysbench)                                                                                \
	X(dio)

#define FB_DECLARE(n) extern const struct bench bench_##n;
FB_BENCHMARKS(FB_DECLARE)
#define FB_ENTRY(n) { .name = #n, .bench = &bench_##n },

/* The benchmarks, then the presets: a benchmark with options set, one line each. */
const struct bench_entry bench_registry[] = {
	FB_BENCHMARKS(FB_ENTRY){ .name = "nopage",
				 .bench = &bench_fault,
				 .preset =
				     "--backing=tmpfs --map=shared --touch=read --sharing=same",
				 .summary = "all workers read-fault the same pages of one shared "
					    "tmpfs file (2006's 64-CPU test)" },
	/* will-it-scale's tests map 128 MiB per task: on disk files the size also
	 * decides how far readahead ramps up the page-cache folio sizes */
	{ .name = "pf1",
	  .bench = &bench_fault,
	  .preset = "--backing=anon --map=private --touch=write --sharing=own --size=128M",
	  .summary = "anonymous write faults, own memory (will-it-scale page_fault1)" },
	{ .name = "pf2",
	  .bench = &bench_fault,
	  .preset = "--backing=tmpfs --map=private --touch=write --sharing=own --size=128M",
	  .summary = "private file write faults (COW), own file (page_fault2)" },
	{ .name = "pf3",
	  .bench = &bench_fault,
	  .preset = "--backing=tmpfs --map=shared --touch=write --sharing=own --size=128M",
	  .summary = "shared file write faults, own file (page_fault3)" },
	{ .name = "pf4",
	  .bench = &bench_fault,
	  .preset = "--backing=tmpfs --map=private --touch=read --sharing=own --size=128M",
	  .summary = "private file read faults, own file (will-it-scale request #37)" },
	{ .name = NULL }
};

const struct bench_entry *bench_lookup(const char *name)
{
	const struct bench_entry *e;

	for (e = bench_registry; e->name; e++)
		if (!strcmp(e->name, name))
			return e;
	return NULL;
}

const char *bench_suggest_hint(const char *typed, char *buf, size_t len)
{
	struct fb_suggest s;

	fb_suggest_init(&s, typed);
	for (const struct bench_entry *e = bench_registry; e->name; e++)
		fb_suggest_add(&s, e->name);
	return fb_suggest_hint(&s, "", buf, len);
}
