// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what faultbench reads from the programs benchmarks run
 * (bench/parsers.h): sysbench's interval lines and totals, and the last line
 * of a kernbench build log, the input being that output.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "parsers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *line;
	struct sysbench_interval *iv = NULL;
	unsigned n = sysbench_parse_intervals(s, &iv);

	for (unsigned i = 0; i < n; i++)
		if (isnan(iv[i].eps) && isnan(iv[i].mibs))
			abort(); /* a line with neither is not an interval */
	free(iv);
	sysbench_find_number(s, "Total operations:");
	sysbench_find_number(s, "MiB transferred");
	line = kernbench_last_line(s);
	if (strlen(line) > size)
		abort();
	free(line);
	free(s);
	return 0;
}
