// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the interference parsers (engine/interference.c).  The input
 * is read as /proc/.../schedstat, /proc/.../status, /proc/stat (for CPUs 0,
 * 1 and 4095) and /proc/pressure/cpu text.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "interference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned cpus[] = { 0, 1, 4095 };
	char *s = fuzz_string(data, size);
	uint64_t a, b;

	intf_parse_schedstat(s, &a, &b);
	intf_parse_ctxt(s, &a, &b);
	for (unsigned i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		intf_parse_stat_cpu(s, cpus[i], &a, &b);
	intf_parse_psi_some(s, &a);
	free(s);
	return 0;
}
