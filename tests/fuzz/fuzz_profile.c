// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the profile's parsers and what compare does with their
 * output.  The first line is a --profile-cpus list; the rest is perf report
 * text (engine/profile.c), whose symbols and chains then go through the
 * comparison (analysis/profile_cmp.c) against themselves, as a result's
 * profile would.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "profile.h"
#include "profile_cmp.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *nl = strchr(s, '\n');
	json_t *p = json_object(), *both[2];
	struct pcmp_diff d;
	unsigned *counts, n;

	fb_set_quiet(true);
	if (nl)
		*nl = '\0';
	if (!profile_parse_counts(s, &counts, &n))
		free(counts);
	json_object_set_new(p, "top", profile_parse_report(nl ? nl + 1 : s + strlen(s), p));
	both[0] = both[1] = p;
	pcmp_diff_build(both, 2, &d);
	pcmp_diff_free(&d);
	json_decref(p);
	free(s);
	return 0;
}
