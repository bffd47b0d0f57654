// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the machine-metadata parsers (engine/sysinfo.c, lib/util.c),
 * the input being a /proc or /sys file: cpuinfo fields, meminfo sizes,
 * /proc/self/cgroup (v1 and v2 paths), a sysfs "[selected]" choice file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "sysinfo.h"
#include "util.h"

static void field(const char *s, const char *key)
{
	char *copy = strdup(s), *v = sysinfo_field(copy, key);

	free(v);
	free(copy);
}

static void cgroup(const char *s, bool v2)
{
	char *copy = strdup(s), *p = fb_cgroup_path_in(copy, v2);

	free(p);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), path[64], *choice;
	int fd;

	field(s, "model name");
	field(s, "flags");
	fb_meminfo_bytes(s, "MemAvailable:");
	cgroup(s, true);
	cgroup(s, false);
	fd = fuzz_memfd(data, size, path, sizeof(path));
	if (fd >= 0) {
		choice = sysfs_selected_choice(path);
		free(choice);
		close(fd);
	}
	free(s);
	return 0;
}
