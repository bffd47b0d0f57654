// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench vm: boot a kernel in a qemu guest with a given NUMA topology and
 * run a faultbench command line inside it, then bring the results back.
 *
 * It is a kernel developer's fastest loop (build a kernel, measure it, no
 * reboot of the host) and the way to exercise 64-CPU, 4-node plans on a small
 * machine.  The guest runner is the library's vm/ (vm/vm.h): this file parses
 * the command line, checks it before anything is looked up or booted, and
 * hands over to one boot or to interleaved boots of several kernels.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmds.h"
#include "fsfile.h"
#include "util.h"
#include "vm.h"

static int usage(FILE *f)
{
	char *self = fsfile_self_dir(), *scripts = self ? vm_scripts_dir(self) : NULL;
	char real[PATH_MAX];

	fprintf(f,
		"usage: faultbench vm --kernel PATH [options] -- <faultbench command line>\n\n"
		"Boot PATH in a qemu guest with the NUMA topology given, run the faultbench\n"
		"command line there (in a scratch ext4 disk) and copy the result files it\n"
		"wrote to the host's results directory, with the guest's kernel and topology\n"
		"under \"vm\".  Example:\n"
		"  faultbench vm --kernel \"$(%s/fetch-kernel.sh)\" --numa 4x16 --smt 2 \\\n"
		"      -- run nopage --cpus walk\n"
		"(fetch-kernel.sh downloads Debian's cloud kernel into ~/.cache, installs\n"
		"nothing, and prints its path.)\n"
		"A kernel of your own with NVMe or ext4 as modules: --modules DIR (its\n"
		"INSTALL_MOD_PATH, or the build tree).  --mem is the guest's RAM; run's --mem\n"
		"(memory placement) goes after '--'.\n\noptions:\n",
		scripts && realpath(scripts, real) ? real : "scripts/vm");
	free(scripts);
	free(self);
	opt_print_help(f, vm_options);
	return FB_USAGE;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o;
	struct vm_kernel *ks;
	int err, npos;

	/* Ctrl-C stops the guest (qemu is our child) and removes the work directory. */
	fb_install_signal_handlers();
	err = vm_parse_options(&o, argc, argv, usage, &npos);
	if (err) {
		vm_opts_free(&o);
		return err < 0 ? FB_OK : err;
	}
	err = vm_check_options(&o, fb_mem_available());
	if (!err && !o.kernel.n)
		err = vm_check_kernel(NULL);
	ks = xcalloc(o.kernel.n + 1, sizeof(*ks));
	if (!err)
		err = vm_prepare_kernels(&o, ks, npos, argv + 1);
	if (!err)
		err = vm_check_guest_run(&o, npos, argv + 1);
	if (!err && (o.kernel.n > 1 || o.boots > 1))
		err = vm_boot_interleaved(&o, ks, npos, argv + 1);
	else if (!err)
		err = vm_boot_once(&o, &ks[0], npos, argv + 1);
	vm_free_kernels(ks, o.kernel.n);
	vm_opts_free(&o);
	return err;
}
