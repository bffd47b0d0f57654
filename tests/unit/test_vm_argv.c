// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/qemu_argv.c: qemu's command line per guest topology
 * (NUMA nodes, CPUs, SMT, memory, host-node binding), per accelerator, and
 * with the user's --append and --qemu-args.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "vm.h"

#define GiB (1024ULL * VM_MiB)

static bool any_node(unsigned node)
{
	return node < 8;
}

/* The boot of kernel K on numa/smt/mem, its files in /w. */
static void setup_vm(struct vm *vm, struct vm_opts *o, const char *numa, long long smt,
		     unsigned long long mem, const char *host_nodes)
{
	opt_set_defaults(vm_options, o);
	o->numa = numa;
	o->smt = smt;
	o->mem = mem;
	o->host_nodes = host_nodes;
	*vm = (struct vm){ .o = o, .kernel = "/k/bzImage" };
	vm->initrd = "/w/initrd.cpio";
	vm->disk = "/w/scratch.ext4";
	vm->console = "/w/console.log";
	assert_int_equal(vm_topology_parse(o, &vm->topo, any_node), FB_OK);
}

/* The argv as one line, arguments separated by spaces. */
static char *joined(char **a)
{
	size_t len = 1;
	char *s;

	for (char **p = a; *p; p++)
		len += strlen(*p) + 1;
	s = xcalloc(1, len);
	for (char **p = a; *p; p++) {
		strcat(s, *p);
		if (p[1])
			strcat(s, " ");
	}
	return s;
}

/* The argument after flag's first occurrence at or after from, or NULL. */
static const char *after(char **a, const char *flag, unsigned nth)
{
	for (char **p = a; *p; p++)
		if (!strcmp(*p, flag) && !nth--)
			return p[1];
	return NULL;
}

static unsigned count(char **a, const char *flag)
{
	unsigned n = 0;

	for (char **p = a; *p; p++)
		n += !strcmp(*p, flag);
	return n;
}

static void two_nodes_tcg(void **state)
{
	struct vm_opts o;
	struct vm vm;
	char **a, *s;

	(void)state;
	setup_vm(&vm, &o, "2x4", 1, 4 * GiB, NULL);
	a = vm_qemu_argv(&vm, VM_ACCEL_TCG, "/usr/bin/qemu-system-x86_64");
	assert_string_equal(a[0], "/usr/bin/qemu-system-x86_64");
	assert_string_equal(after(a, "-accel", 0), "tcg,thread=multi");
	assert_string_equal(after(a, "-cpu", 0), "Skylake-Server-v4");
	assert_string_equal(after(a, "-m", 0), "4096M");
	assert_string_equal(after(a, "-smp", 0), "8,sockets=2,cores=4,threads=1");
	assert_int_equal(count(a, "-numa"), 2);
	assert_string_equal(after(a, "-object", 0), "memory-backend-ram,id=mem0,size=2048M");
	assert_string_equal(after(a, "-numa", 0), "node,nodeid=0,cpus=0-3,memdev=mem0");
	assert_string_equal(after(a, "-object", 1), "memory-backend-ram,id=mem1,size=2048M");
	assert_string_equal(after(a, "-numa", 1), "node,nodeid=1,cpus=4-7,memdev=mem1");
	assert_string_equal(after(a, "-kernel", 0), "/k/bzImage");
	assert_string_equal(after(a, "-initrd", 0), "/w/initrd.cpio");
	assert_string_equal(after(a, "-append", 0),
			    "console=ttyS0 panic=-1 rdinit=/init no_timer_check maxcpus=1 "
			    "fb_online_cpus tsc=reliable");
	assert_string_equal(vm.append_used, after(a, "-append", 0));
	assert_string_equal(after(a, "-drive", 0),
			    "file=/w/scratch.ext4,format=raw,if=none,id=scratch,cache=unsafe");
	assert_string_equal(after(a, "-serial", 0), "file:/w/console.log");
	assert_string_equal(after(a, "-monitor", 0), "none");
	assert_int_equal(count(a, "-no-reboot"), 1);
	s = joined(a);
	assert_non_null(strstr(s, "-nodefaults -no-user-config -display none"));
	free(s);
	vm_free_argv(a);
	free(vm.append_used);
}

static void big_smt_kvm_bound(void **state)
{
	struct vm_opts o;
	struct vm vm;
	char **a;

	(void)state;
	setup_vm(&vm, &o, "4x16", 2, 8 * GiB, "0,1,2,3");
	a = vm_qemu_argv(&vm, VM_ACCEL_KVM, "qemu");
	assert_string_equal(after(a, "-accel", 0), "kvm");
	assert_string_equal(after(a, "-cpu", 0), "host");
	assert_string_equal(after(a, "-m", 0), "8192M");
	assert_string_equal(after(a, "-smp", 0), "64,sockets=4,cores=8,threads=2");
	assert_int_equal(count(a, "-numa"), 4);
	assert_int_equal(count(a, "-object"), 4);
	assert_string_equal(after(a, "-object", 3),
			    "memory-backend-ram,id=mem3,size=2048M,host-nodes=3,policy=bind");
	assert_string_equal(after(a, "-numa", 3), "node,nodeid=3,cpus=48-63,memdev=mem3");
	/* KVM needs none of TCG's boot parameters */
	assert_string_equal(after(a, "-append", 0), "console=ttyS0 panic=-1 rdinit=/init");
	vm_free_argv(a);
	free(vm.append_used);
}

static void one_cpu_and_user_args(void **state)
{
	struct vm_opts o;
	struct vm vm;
	char **a;

	(void)state;
	setup_vm(&vm, &o, "1x1", 1, 256 * VM_MiB, NULL);
	o.append = "quiet";
	o.qemu_args = "-monitor unix:/tmp/m.sock,server,nowait  -s";
	a = vm_qemu_argv(&vm, VM_ACCEL_TCG, "qemu");
	/* one vCPU: nothing to bring online later */
	assert_string_equal(after(a, "-append", 0),
			    "console=ttyS0 panic=-1 rdinit=/init no_timer_check quiet");
	assert_string_equal(after(a, "-smp", 0), "1,sockets=1,cores=1,threads=1");
	/* the user's monitor replaces ours; their words at the end, split at spaces */
	assert_int_equal(count(a, "-monitor"), 1);
	assert_string_equal(after(a, "-monitor", 0), "unix:/tmp/m.sock,server,nowait");
	assert_int_equal(count(a, "-s"), 1);
	vm_free_argv(a);
	free(vm.append_used);
	/* the user choosing the CPUs online: no maxcpus=1 of ours */
	setup_vm(&vm, &o, "2x2", 1, 1 * GiB, "1");
	o.append = "maxcpus=2";
	assert_string_equal(vm_tcg_boot_params(&vm, VM_ACCEL_TCG), " no_timer_check");
	assert_string_equal(vm_tcg_boot_params(&vm, VM_ACCEL_KVM), "");
	a = vm_qemu_argv(&vm, VM_ACCEL_TCG, "qemu");
	assert_string_equal(after(a, "-object", 1),
			    "memory-backend-ram,id=mem1,size=512M,host-nodes=1,policy=bind");
	vm_free_argv(a);
	free(vm.append_used);
}

/* A --qemu-args of many words is cut at the array's end, never past it. */
static void long_user_args(void **state)
{
	struct vm_opts o;
	struct vm vm;
	char *many = xcalloc(1, 4001), **a;
	unsigned n = 0;

	(void)state;
	memset(many, 'x', 4000);
	for (unsigned i = 1; i < 4000; i += 2)
		many[i] = ' ';
	setup_vm(&vm, &o, "2x4", 1, 4 * GiB, NULL);
	o.qemu_args = many;
	a = vm_qemu_argv(&vm, VM_ACCEL_TCG, "qemu");
	for (char **p = a; *p; p++)
		n++;
	assert_true(n > 2000);
	vm_free_argv(a);
	free(vm.append_used);
	free(many);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(two_nodes_tcg),
		cmocka_unit_test(big_smt_kvm_bound),
		cmocka_unit_test(one_cpu_and_user_args),
		cmocka_unit_test(long_user_args),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
