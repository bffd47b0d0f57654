// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what vm finds in a guest's command of the kernel features it
 * needs (lib/kneeds.c).  The input is tried as a shell line, as a suite
 * config, and as a .config to judge the needs against.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "kneeds.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	const char *argv[] = { s };
	struct kneed k[8];
	size_t n;

	fb_set_quiet(true);
	n = kneeds_find(1, argv, 1, s, 2, k, 8);
	kneeds_unmet(s, k, n);
	kneeds_free(k, n);
	n = kneeds_find(1, argv, 0, NULL, 1, k, 8);
	kneeds_free(k, n);
	free(s);
	return 0;
}
