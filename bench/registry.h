/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The table of benchmarks and presets (bench/registry.c) and how to find one
 * by name.  Apart from bench.h (what a benchmark implements), so that who
 * looks benchmarks up is visible in the includes: cmd/ and the suite
 * config reader (engine/config.c) do, a benchmark never does.
 */
#ifndef FB_REGISTRY_H
#define FB_REGISTRY_H

#include <stddef.h>

#include "bench.h"

struct bench_entry {
	const char *name; /* what the user types: "fault", "nopage", "pf1" */
	const struct bench *bench;
	const char *preset;  /* options applied before the user's, "--backing=tmpfs ..."; NULL */
	const char *summary; /* for presets; benchmarks use bench->summary */
};

extern const struct bench_entry bench_registry[];
const struct bench_entry *bench_lookup(const char *name);
/* "; did you mean 'nopage'?" for a name that is not one, or "" (suggest.h). */
const char *bench_suggest_hint(const char *typed, char *buf, size_t len);

#endif
