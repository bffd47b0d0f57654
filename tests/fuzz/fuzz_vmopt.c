// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: faultbench vm's options (vm/options.c, vm/topology.c) and
 * what is built from them without a boot: the input is vm's argv, one
 * argument per line.  Parsed as cmd_vm parses it, checked as it checks it
 * (a host of 16 GiB with NUMA nodes 0-3), then the guest topology, the
 * labels of several kernels, the guest's command script and the qemu
 * command line are made from it, and the guest's run command is prepared
 * on the host as vm does before a boot (vm/guest_run.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"
#include "vm.h"

#define MAX_ARGS 64

static int split(char *s, char **argv)
{
	int n = 0;

	argv[n++] = "vm";
	for (char *tok = s; tok && n < MAX_ARGS; n++) {
		char *nl = strchr(tok, '\n');

		argv[n] = tok;
		if (nl)
			*nl = '\0';
		tok = nl ? nl + 1 : NULL;
	}
	argv[n] = NULL;
	return n;
}

static int quiet_usage(FILE *f)
{
	(void)f;
	return FB_USAGE;
}

static bool four_nodes(unsigned node)
{
	return node < 4;
}

/* The qemu command line of a guest of topology t: each string non-empty, the array ended. */
static void build_argv(const struct vm_opts *o)
{
	struct vm vm = { .o = o, .kernel = "/k", .initrd = "/i", .disk = "/d", .console = "/c" };
	char **a;

	if (vm_topology_parse(o, &vm.topo, four_nodes))
		return;
	for (int accel = VM_ACCEL_KVM; accel <= VM_ACCEL_TCG; accel++) {
		a = vm_qemu_argv(&vm, (enum vm_accel)accel, "qemu");
		if (!a[0] || strcmp(a[0], "qemu"))
			abort();
		vm_free_argv(a);
	}
	free(vm.append_used);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *argv[MAX_ARGS + 1], *buf = NULL, **labels = NULL;
	struct vm_opts o;
	int argc, npos, err;
	size_t len = 0;
	FILE *f;

	fb_set_quiet(true);
	argc = split(s, argv);
	err = vm_parse_options(&o, argc, argv, quiet_usage, &npos);
	if (!err)
		err = vm_check_options(&o, 16ULL << 30);
	if (!err) {
		build_argv(&o);
		vm_check_guest_run(&o, npos, argv + 1);
		vm_suite_config_arg(&o, npos, argv + 1);
		if (!vm_check_interleavable(&o, npos, argv + 1) && o.kernel.n) {
			vm_labels(&o, &labels);
			vm_free_list(labels, o.kernel.n);
		}
		f = open_memstream(&buf, &len);
		if (f) {
			vm_write_guest_command(f, o.shell, npos, argv + 1);
			fclose(f);
		}
		free(buf);
	}
	vm_opts_free(&o);
	free(s);
	return 0;
}
