// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the result reader, the input being a result file (.json or
 * .json.gz: zlib reads both): size caps, JSON, the checks of a faultbench
 * result and of the names in it.
 */
#include <unistd.h>

#include "fuzz.h"
#include "resultset.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_memfd(data, size, path, sizeof(path));
	json_t *doc;

	if (fd < 0)
		return 0;
	fb_set_quiet(true);
	doc = rs_load_file(path);
	if (doc) {
		const char *name = rs_doc_name(doc);

		if (name)
			fb_name_ok(name);
		json_decref(doc);
	}
	close(fd);
	return 0;
}
