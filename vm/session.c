// SPDX-License-Identifier: GPL-2.0
/*
 * A session of boots: one boot of one kernel (work directory, initramfs,
 * disk, boot, results), or several kernels compared the way kernels must
 * be, boot by boot in turn, then the compare table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsfile.h"
#include "spawn.h"
#include "util.h"
#include "vm.h"

static int make_work_dir(struct vm *vm)
{
	const char *tmp = getenv("TMPDIR");
	char *templ = xasprintf("%s/fb-vm.XXXXXX", tmp && *tmp ? tmp : "/tmp");

	if (fsfile_mkdtemp(templ, "vm", FB_FAIL)) {
		free(templ);
		return FB_FAIL;
	}
	vm->work = templ;
	vm->initrd = xasprintf("%s/initrd.cpio", templ);
	vm->disk = xasprintf("%s/scratch.ext4", templ);
	vm->console = xasprintf("%s/console.log", templ);
	vm->qemu_log = xasprintf("%s/qemu.log", templ);
	return FB_OK;
}

static void vm_free(struct vm *vm)
{
	free(vm->work);
	free(vm->initrd);
	free(vm->disk);
	free(vm->console);
	free(vm->qemu_log);
	free(vm->exe_dir);
	free(vm->fallback_reason);
	free(vm->qemu_version);
	free(vm->append_used);
	free(vm->retry_reason);
}

/* Work directory, initramfs, disk, then the boot. */
static int prepare_and_boot(struct vm *vm, const struct vm_kernel *k, int argc, char **argv)
{
	const struct vm_topology *t = &vm->topo;
	int err = make_work_dir(vm);

	if (!err)
		err = vm_build_initramfs(vm, argc, argv);
	if (!err)
		err = vm_make_disk(vm);
	if (err)
		return err;
	vm->qemu_version = vm_qemu_version(vm->o->qemu);
	fprintf(stderr,
		"faultbench: vm: booting %s: %u node%s x %u vCPUs (SMT %u), %llu MiB of "
		"guest memory (--mem)\n",
		k->path, t->nodes, t->nodes == 1 ? "" : "s", t->cpus_per_node, t->smt,
		t->node_mem_mib * t->nodes);
	if (k->modules)
		fprintf(stderr, "faultbench: vm: modules of %s from %s\n", k->release, k->modules);
	return vm_boot_with_accel(vm);
}

/* After a boot: the guest's own complaint, or its results. *kept_said: the work dir was named. */
static int after_boot(struct vm *vm, bool *kept_said)
{
	char *guest_err = vm_guest_error(vm);
	int err;

	fprintf(stderr, "faultbench: vm: %s guest booted in %.1f s\n", vm->accel_used,
		vm->boot_seconds);
	if (guest_err) {
		/* the console once, then where it is, then the guest's own words */
		vm_print_tail("guest console", vm->console, 20);
		fprintf(stderr, "faultbench: vm: work directory kept: %s\n", vm->work);
		*kept_said = true;
		err = fb_fail("vm: the guest: %s", guest_err);
		free(guest_err);
		return err;
	}
	if (vm_extract(vm)) {
		vm_print_tail("guest console", vm->console, 30);
		return fb_fail("vm: could not read the results off the scratch disk");
	}
	return vm_collect(vm);
}

int vm_boot_once(const struct vm_opts *o, const struct vm_kernel *k, int argc, char **argv)
{
	struct vm vm = { .o = o, .kernel = k->path, .modules = k->modules };
	bool kept_said = false, keep;
	int err;

	err = vm_topology_parse(o, &vm.topo, NULL);
	if (err)
		return err;
	vm.exe_dir = fsfile_self_dir();
	err = prepare_and_boot(&vm, k, argc, argv);
	if (!err)
		err = after_boot(&vm, &kept_said);
	if (fb_interrupted)
		err = 128 + fb_interrupted;
	keep = kept_said || o->keep || (err && err != FB_SKIP && err != FB_USAGE && vm.work);
	if (keep && !kept_said)
		fprintf(stderr, "faultbench: vm: work directory kept: %s\n", vm.work);
	if (!keep && vm.work)
		fsfile_remove_tree(vm.work);
	/* the last line: the guest's output, with its own message, is above */
	if (vm.guest_status && !fb_interrupted)
		fb_error(vm.guest_status, "vm: the command in the guest exited with status %d",
			 vm.guest_status);
	vm_free(&vm);
	return err;
}

/* After every boot of several kernels: their compare table. */
static int compare_kernels(const struct vm_opts *o, char **labels)
{
	unsigned n = o->kernel.n, k;
	char **cmp = xcalloc(n + 3, sizeof(*cmp));
	int err;

	cmp[0] = "faultbench";
	cmp[1] = "compare";
	for (k = 0; k < n; k++)
		cmp[2 + k] = xasprintf("%s/%s", o->results, labels[k]);
	printf("\n== faultbench compare");
	for (k = 0; k < n; k++)
		printf(" %s", cmp[2 + k]);
	printf("   (%lld boot%s each, interleaved)\n", o->boots, o->boots == 1 ? "" : "s");
	err = spawn_self_wait(cmp);
	for (k = 0; k < n; k++)
		free(cmp[2 + k]);
	free(cmp);
	return err;
}

/*
 * Boot by boot, in turn, so that the host's drift over the hours hits every
 * kernel alike, and each boot is one run (one result file per benchmark),
 * the replicate of compare's test.
 */
int vm_boot_interleaved(const struct vm_opts *o, const struct vm_kernel *ks, int argc, char **argv)
{
	unsigned n = o->kernel.n, k;
	char **labels = NULL;
	int err = vm_check_interleavable(o, argc, argv);

	if (!err)
		err = vm_labels(o, &labels);
	for (long long b = 0; b < o->boots && !err; b++)
		for (k = 0; k < n && !err; k++) {
			char **cmd = vm_with_label(argc, argv, labels[k]);

			fprintf(stderr, "faultbench: vm: boot %lld of %lld of %s (label %s)\n",
				b + 1, o->boots, o->kernel.v[k], labels[k]);
			err = vm_boot_once(o, &ks[k], argc + 2, cmd);
			free(cmd);
			if (err)
				fb_warn(
				    "vm: boot %lld of %s ended with status %d; the runs so far are "
				    "under %s/",
				    b + 1, labels[k], err, o->results);
		}
	if (!err && n > 1)
		err = compare_kernels(o, labels);
	else if (!err)
		printf("\n%lld runs of %s in %s/%s/: 'faultbench noise --from %s/%s' makes a noise "
		       "model of them\n",
		       o->boots, labels[0], o->results, labels[0], o->results, labels[0]);
	vm_free_list(labels, labels ? n : 0);
	return err;
}
