// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the store's selector parser (the text after "store:" of a RUN
 * argument), whose values reach SQL as bound parameters and messages.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "store.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct store_sel sel;

	fb_set_quiet(true);
	if (store_sel_parse(text, &sel) == FB_OK) {
		/* what was accepted is a name, or a full UTC time */
		if ((sel.label && !fb_name_ok(sel.label)) ||
		    (sel.bench && !fb_name_ok(sel.bench)) || (*sel.since && sel.since[19] != 'Z') ||
		    (*sel.until && sel.until[19] != 'Z'))
			abort();
		store_sel_free(&sel);
	}
	free(text);
	return 0;
}
