// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the monitors' parsers (engine/monitor.c).  The input is read
 * as /proc/vmstat or numastat text ("key value" lines) and as
 * /proc/interrupts text (its CPU header and TLB line), with the workers on
 * CPUs 0, 1, 5 and 4095.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "monitor.h"

static void count(const char *key, size_t len, uint64_t value, void *arg)
{
	unsigned *n = arg;

	*n += monitor_vmstat_wanted(key, len) && value != 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned pus[] = { 0, 1, 5, 4095 };
	char *s = fuzz_string(data, size);
	uint64_t total, workers;
	unsigned n = 0;

	monitor_parse_kv(s, count, &n);
	if (!monitor_parse_tlb(s, pus, 4, &total, &workers) && workers > total)
		abort(); /* the workers' CPUs are a subset of all */
	free(s);
	return 0;
}
