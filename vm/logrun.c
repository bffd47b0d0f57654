// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers the vm files share: running a tool (mkinitramfs.sh, mkfs,
 * debugfs) with its output appended to the boot's qemu.log, where a failure
 * is explained, and two tests on names.
 */
#include <string.h>
#include <sys/stat.h>

#include "spawn.h"
#include "vm.h"

int vm_run_logged(char *const argv[], const char *log)
{
	struct spawn sp = { .argv = (const char *const *)argv };
	int code;

	if (log) {
		sp.out = (struct spawn_io){ SPAWN_APPEND, .path = log };
		sp.err = (struct spawn_io){ SPAWN_TO_STDOUT };
	}
	code = spawn_run(&sp);
	spawn_clear(&sp);
	return code;
}

bool vm_is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

bool vm_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}
