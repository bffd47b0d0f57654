// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what faultbench campaign reads.  The input is tried as a
 * plan (INI), as a saved state (JSON: a state.json a crash may have left
 * anywhere in its life), and as a kernel command line for the marker.
 */
#include <stdlib.h>
#include <jansson.h>

#include "campaign.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), err[256];
	struct campaign c;
	json_t *j;

	fb_set_quiet(true);
	if (!campaign_parse_plan(s, &c, err, sizeof(err)))
		campaign_free(&c);
	j = json_loadb((const char *)data, size, 0, NULL);
	if (j && !campaign_from_json(j, &c, err, sizeof(err))) {
		struct campaign_facts f = { "b", s, "r", 1 };
		json_t *back = campaign_to_json(&c);

		/* a state read back decides without crashing, whatever it says */
		campaign_decide(&c, &f);
		json_decref(back);
		campaign_free(&c);
	}
	json_decref(j);
	campaign_marker(s, "ab");
	free(s);
	return 0;
}
