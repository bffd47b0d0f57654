// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the /proc/self/smaps reader of the folio report
 * (engine/folio.c), the input being smaps text, summed over two ranges.
 */
#include <stdlib.h>
#include <string.h>

#include "folio.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *copy = strdup(s);
	struct folio_report r;

	memset(&r, 0, sizeof(r));
	folio_parse_smaps(s, 0x1000, 0x7fffffffffff, &r);
	memset(&r, 0, sizeof(r));
	folio_parse_smaps(copy, 0x7f0000000000, 0x7f0000200000, &r);
	free(copy);
	free(s);
	return 0;
}
