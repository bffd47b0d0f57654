// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: a hwloc XML topology (--topology FILE.xml), the input being
 * the file: hwloc's reader, the PU cap, faultbench's scan of the PUs, and a
 * plan of every power of two spread over it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fuzz.h"
#include "topo.h"
#include "util.h"

/*
 * libhwloc 2.9 leaks the objects it made when its XML reader gives up on a
 * broken file (found by make fuzz: hwloc_alloc_setup_object under
 * hwloc_topology_load, after which faultbench destroys the topology).  Not
 * ours to fix, and small: LeakSanitizer is told to ignore libhwloc's leaks.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libhwloc.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct cpu_plan p = { 0 };
	struct topo *t;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/fb-fuzz-topo-%d.xml", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	fb_set_quiet(true);
	if (!topo_load(&t, path)) {
		if (!topo_plan(t, "pow2", PLACE_SPREAD, false, &p))
			cpu_plan_free(&p);
		topo_free(t);
	}
	unlink(path);
	return 0;
}
