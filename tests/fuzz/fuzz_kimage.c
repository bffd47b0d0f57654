// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: what vm reads of a kernel a user names.  The input is both a
 * kernel image's first bytes (the setup header and the version string it
 * points to) and a .config text.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "kimage.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	char *rel = kimage_release_from(data, size);

	fb_set_quiet(true);
	free(rel);
	kimage_size_from(data, size);
	kconfig_value(s, "CONFIG_BLK_DEV_NVME");
	kconfig_value(s, "CONFIG_EXT4_FS");
	free(s);
	return 0;
}
