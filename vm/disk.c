// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's scratch disk: a sparse ext4 image, the guest command's working
 * directory, from which the host reads the results afterwards (vm/extract.c).
 */
#include <stdlib.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"
#include "vm.h"

/*
 * Inode tables and journal are initialised here rather than lazily: the
 * guest's ext4lazyinit thread would otherwise zero them in the background
 * while the benchmark runs.
 */
int vm_make_disk(struct vm *vm)
{
	char *size = xasprintf("%lluM", vm->o->disk / VM_MiB);
	char *mkfs = spawn_find_program("mkfs.ext4", "/sbin:/usr/sbin");
	char *args[] = { mkfs,
			 "-q",
			 "-F",
			 "-E",
			 "lazy_itable_init=0,lazy_journal_init=0,nodiscard",
			 "-L",
			 "fbscratch",
			 vm->disk,
			 size,
			 NULL };
	int ret;

	if (!mkfs) {
		free(size);
		return fb_skip("vm: mkfs.ext4 not found (apt-get install e2fsprogs)");
	}
	unlink(vm->disk);
	ret = vm_run_logged(args, vm->qemu_log);
	free(size);
	free(mkfs);
	if (ret)
		return fb_fail("mkfs.ext4 of the scratch disk failed (exit %d)", ret);
	return FB_OK;
}
