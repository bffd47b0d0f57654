/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark registry: every benchmark and every named preset is one line
 * of the table in bench/registry.c.
 */
#ifndef FB_BENCH_H
#define FB_BENCH_H

#include <stddef.h>

#include "runner.h"

struct bench_entry {
	const char *name;		/* what the user types: "fault", "nopage", "pf1" */
	const struct bench *bench;
	const char *preset;		/* options applied before the user's, "--backing=tmpfs ..."; NULL */
	const char *summary;		/* for presets; benchmarks use bench->summary */
};

extern const struct bench_entry bench_registry[];
const struct bench_entry *bench_lookup(const char *name);
/* "; did you mean 'nopage'?" for a name that is not one, or "" (suggest.h). */
const char *bench_suggest_hint(const char *typed, char *buf, size_t len);

/* Benchmarks, defined in bench/<name>.c */
extern const struct bench bench_fault;
extern const struct bench bench_pagelock;
extern const struct bench bench_dio;
extern const struct bench bench_aim9;
extern const struct bench bench_kernbench;
extern const struct bench bench_threads;
extern const struct bench bench_sysbench;

#endif
