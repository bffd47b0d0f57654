// SPDX-License-Identifier: GPL-2.0
/*
 * The qemu command line of one boot: the guest's NUMA topology (one package
 * and one memory backend per node), the accelerator and its CPU model, the
 * kernel, initramfs and scratch disk, the serial console into a file, and
 * the kernel parameters a TCG guest needs.  Pure: the unit tests check it per
 * topology without starting qemu.
 */
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "vm.h"

/*
 * Under TCG the guest boots on one CPU and its init brings the others online
 * after `faultbench hold-keys` has switched perf's static keys on.  Why:
 * every static-key switch rewrites kernel text with text_poke_bp() (int3 on
 * the site, IPIs to every CPU), and with many vCPUs under qemu's TCG that
 * froze the guest: 2x4 guests about one run in five when counters were opened
 * and closed at each step, 64-vCPU guests at boot ("sched_clock: Marking
 * stable") and when the first counter was opened.  On one CPU the switches
 * need no other CPU.  Not when the user's --append chooses the CPUs.
 *
 * tsc=reliable: CPUs brought online after boot fail the kernel's TSC sync
 * check under TCG, and the guest falls back to the HPET clocksource, whose
 * every read is an emulated MMIO access (a 64-worker step took three times
 * as long).  TCG derives every vCPU's TSC from one host clock, so they agree.
 *
 * no_timer_check: on a loaded host the emulated guest is too slow for the
 * kernel's check that the IO-APIC timer ticks, and panics ("IO-APIC + timer
 * doesn't work!"), seen here at load 120 on 2 cores.
 */
const char *vm_tcg_boot_params(const struct vm *vm, enum vm_accel accel)
{
	const char *a = vm->o->append ? vm->o->append : "";

	if (accel == VM_ACCEL_KVM)
		return "";
	if (vm->topo.vcpus == 1 || strstr(a, "maxcpus=") || strstr(a, "nr_cpus="))
		return " no_timer_check";
	return " no_timer_check maxcpus=1 fb_online_cpus tsc=reliable";
}

#define ADD(...) (a[n++] = xasprintf(__VA_ARGS__))

/* -object memory-backend-ram and -numa node, for each guest node. */
static unsigned add_nodes(const struct vm *vm, char **a, unsigned n)
{
	const struct vm_topology *t = &vm->topo;

	for (unsigned i = 0; i < t->nodes; i++) {
		ADD("-object");
		if (t->bound)
			ADD("memory-backend-ram,id=mem%u,size=%lluM,host-nodes=%u,policy=bind", i,
			    t->node_mem_mib, t->host_node[i]);
		else
			ADD("memory-backend-ram,id=mem%u,size=%lluM", i, t->node_mem_mib);
		ADD("-numa");
		ADD("node,nodeid=%u,cpus=%u-%u,memdev=mem%u", i, i * t->cpus_per_node,
		    (i + 1) * t->cpus_per_node - 1, i);
	}
	return n;
}

/* --qemu-args split at spaces, up to max - 1 entries of a in all. */
static unsigned add_user_args(const char *args, char **a, unsigned n, unsigned max)
{
	char *copy = xstrdup(args), *save = NULL, *w;

	for (w = strtok_r(copy, " ", &save); w && n < max - 1; w = strtok_r(NULL, " ", &save))
		ADD("%s", w);
	free(copy);
	return n;
}

char **vm_qemu_argv(struct vm *vm, enum vm_accel accel, const char *qemu)
{
	const struct vm_topology *t = &vm->topo;
	const char *user = vm->o->qemu_args;
	unsigned n = 0, max = 64 + 4 * t->nodes + (user ? (unsigned)strlen(user) : 0);
	char **a = xcalloc(max, sizeof(*a));

	ADD("%s", qemu);
	ADD("-nodefaults");
	ADD("-no-user-config");
	ADD("-display");
	ADD("none");
	if (!user || !strstr(user, "-monitor")) {
		ADD("-monitor");
		ADD("none");
	}
	/* The init powers off; a panic reboots (panic=-1), which -no-reboot turns into an exit. */
	ADD("-no-reboot");
	ADD("-accel");
	ADD("%s", accel == VM_ACCEL_KVM ? "kvm" : "tcg,thread=multi");
	ADD("-cpu");
	/*
	 * TCG: a fixed Intel model rather than "max", which is AMD-flavoured here
	 * (hiding SMT siblings from the guest) and may turn on 5-level paging.
	 * Features TCG lacks (AVX-512) are left out with a warning in qemu.log.
	 * Nehalem, which TCG implements fully, hung a 64-vCPU boot here.
	 */
	ADD("%s", accel == VM_ACCEL_KVM ? "host" : "Skylake-Server-v4");
	ADD("-m");
	ADD("%lluM", t->node_mem_mib * t->nodes);
	ADD("-smp");
	ADD("%u,sockets=%u,cores=%u,threads=%u", t->vcpus, t->nodes, t->cpus_per_node / t->smt,
	    t->smt);
	n = add_nodes(vm, a, n);
	ADD("-kernel");
	ADD("%s", vm->kernel);
	ADD("-initrd");
	ADD("%s", vm->initrd);
	ADD("-append");
	ADD("console=ttyS0 panic=-1 rdinit=/init%s%s%s", vm_tcg_boot_params(vm, accel),
	    vm->o->append ? " " : "", vm->o->append ? vm->o->append : "");
	free(vm->append_used);
	vm->append_used = xstrdup(a[n - 1]);
	ADD("-drive");
	ADD("file=%s,format=raw,if=none,id=scratch,cache=unsafe", vm->disk);
	ADD("-device");
	ADD("nvme,drive=scratch,serial=fbscratch");
	ADD("-serial");
	ADD("file:%s", vm->console);
	if (user)
		n = add_user_args(user, a, n, max);
	return a;
}

#undef ADD

void vm_free_argv(char **a)
{
	for (char **p = a; p && *p; p++)
		free(*p);
	free(a);
}
