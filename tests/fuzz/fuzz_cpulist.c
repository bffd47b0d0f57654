// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the CPU list and topology parsers.  The input is up to three
 * lines: a hwloc synthetic topology (--topology), a --cpus list, and flags
 * (a '1' in the first place: spread; in the second: oversubscribe).  The CPU
 * list is parsed alone as well, against 1 to 4096 PUs.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "topo.h"
#include "util.h"

/* Larger machines are correct but slow to load: the fuzzer wants many inputs. */
#define FUZZ_MAX_PUS 256

static char *next_line(char **s)
{
	char *line = *s, *nl;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl)
		*nl = '\0';
	*s = nl ? nl + 1 : NULL;
	return line;
}

static void plan(const char *spec, const char *cpus, const char *flags)
{
	struct cpu_plan p = { 0 };
	struct topo *t;

	/* an XML path would read any file; plans of this machine are fuzzed by cpus alone */
	if (strchr(spec, '/') || strstr(spec, ".xml") || topo_synthetic_pus(spec) > FUZZ_MAX_PUS)
		return;
	if (topo_load(&t, spec))
		return;
	if (!topo_plan(t, cpus, flags[0] == '1' ? PLACE_SPREAD : PLACE_COMPACT,
		       flags[0] && flags[1] == '1', &p)) {
		for (unsigned i = 0; i < p.nsteps; i++) {
			unsigned nodes, packages, cores;

			topo_step_coverage(t, &p.steps[i], &nodes, &packages, &cores);
		}
	}
	cpu_plan_free(&p);
	topo_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *rest = s;
	const char *spec = next_line(&rest), *cpus = next_line(&rest), *flags = next_line(&rest);
	unsigned *counts, n;

	fb_set_quiet(true);
	if (!cpus)
		cpus = "";
	if (!flags)
		flags = "";
	for (unsigned max = 1; max <= 4096; max *= 64) {
		if (!cpu_counts_parse(cpus, max, &counts, &n))
			free(counts);
	}
	plan(spec, cpus, flags);
	free(s);
	return 0;
}
