// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench vm: boot a kernel in a qemu guest with a given NUMA topology and
 * run a faultbench command line inside it, then bring the results back.
 *
 * It is a kernel developer's fastest loop (build a kernel, measure it, no
 * reboot of the host) and the way to exercise 64-CPU, 4-node plans on a small
 * machine.  The guest is a kernel plus an initramfs of busybox-static, this
 * very faultbench binary and the libraries ldd finds for it; a sparse ext4
 * image is the scratch disk.  The command's result files are copied to the
 * disk's .fb-vm/out, which the host reads with debugfs(8) (no mount, no root
 * needed) after the guest powered off: a file on a disk survives a noisy
 * serial console, which JSON between console markers would not.
 *
 * KVM when it works, else TCG.  Under TCG every vCPU is a host thread running
 * translated code: a 64-vCPU guest on 2 host cores is good for checking that
 * plans, pinning and placement do what they say, but its timings compare only
 * with other TCG runs of the same topology on the same host.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <jansson.h>

#include "cmds.h"
#include "fsfile.h"
#include "kimage.h"
#include "kneeds.h"
#include "opt.h"
#include "spawn.h"
#include "util.h"

#define QEMU_DEFAULT "qemu-system-x86_64"
/* qemu's pc machine takes at most 255 vCPUs with x2APIC. */
#define VM_MAX_VCPUS 255
#define MiB	     (1024ULL * 1024)

struct vm_opts {
	struct opt_strlist kernel;
	struct opt_strlist modules;
	long long boots;
	const char *labels;
	const char *numa;
	long long smt;
	unsigned long long mem;
	const char *host_nodes;
	int accel; /* enum accel */
	double timeout;
	double kvm_probe;
	double boot_timeout;
	unsigned long long disk;
	const char *results;
	const char *qemu;
	const char *append;
	const char *qemu_args;
	bool shell;
	bool keep;
	bool verbose;
};

enum accel { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

#define V(field) offsetof(struct vm_opts, field)

const struct opt vm_options[] = {
	{ .name = "kernel",
	  .type = OPT_STRLIST,
	  .help =
	      "the kernel to boot (bzImage or vmlinuz); required.  Given twice or more, the "
	      "kernels "
	      "boot in turn (A, B, A, B, ...), each boot one run of its own label, and the compare "
	      "table follows",
	  .off = V(kernel) },
	{ .name = "modules",
	  .type = OPT_STRLIST,
	  .help =
	      "where the kernel's modules are: DIR of 'make modules_install INSTALL_MOD_PATH=DIR' "
	      "(DIR/lib/modules/<release>), a lib/modules/<release> directory, or the build tree; "
	      "repeatable, matched to each --kernel by its release.  Default: "
	      "X/lib/modules/<release> "
	      "for X/boot/vmlinuz-<release> (fetch-kernel.sh's layout), or the build tree of "
	      "arch/x86/boot/bzImage.  Only nvme, ext4 and their dependencies go into the guest",
	  .off = V(modules) },
	{ .name = "boots",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 1000,
	  .help =
	      "boots of each kernel, interleaved: each boot is one run, the replicate of compare's "
	      "test",
	  .off = V(boots) },
	{ .name = "labels",
	  .type = OPT_STR,
	  .help =
	      "with several kernels or boots, their labels as a comma list (default: the kernel "
	      "files' names without vmlinuz-); passed to the guest's run or suite as --label",
	  .off = V(labels) },
	{ .name = "numa",
	  .type = OPT_STR,
	  .def = "2x4",
	  .help = "guest topology NODESxCPUS: NODES NUMA nodes of CPUS vCPUs each, one package per "
		  "node",
	  .off = V(numa) },
	{ .name = "smt",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 8,
	  .help = "hardware threads per core (divides CPUS)",
	  .off = V(smt) },
	{ .name = "mem",
	  .type = OPT_SIZE,
	  .def = "4G",
	  .min = 256.0 * MiB,
	  .max = 1ULL << 42,
	  .help =
	      "the guest's RAM, split evenly across its nodes; not run's --mem (which places a "
	      "benchmark's memory on nodes: give that after '--').  The guest's run refuses a plan "
	      "whose largest step does not fit (exit 2)",
	  .off = V(mem) },
	{ .name = "host-nodes",
	  .type = OPT_STR,
	  .help =
	      "bind each guest node's memory to a host NUMA node: a comma list, one host node per "
	      "guest node (or one for all), e.g. 0,1 for --numa 2x8 (qemu's "
	      "memory-backend-ram host-nodes, policy=bind); pin the vCPU threads yourself "
	      "(docs/vm.md)",
	  .off = V(host_nodes) },
	{ .name = "accel",
	  .type = OPT_ENUM,
	  .def = "auto",
	  .choices = "auto|kvm|tcg",
	  .help = "kvm, tcg, or auto: KVM when it boots, else TCG",
	  .off = V(accel) },
	{ .name = "timeout",
	  .type = OPT_DOUBLE,
	  .def = "1800",
	  .min = 10,
	  .max = 86400,
	  .help = "seconds before the guest is killed (boot, command and power-off)",
	  .off = V(timeout) },
	{ .name = "boot-timeout",
	  .type = OPT_DOUBLE,
	  .def = "300",
	  .min = 10,
	  .max = 86400,
	  .help =
	      "seconds the guest gets to reach its init; a boot that hangs (seen with many vCPUs "
	      "under TCG) is retried once, then the run is skipped with the reason",
	  .off = V(boot_timeout) },
	{ .name = "kvm-probe",
	  .type = OPT_DOUBLE,
	  .def = "10",
	  .min = 1,
	  .max = 600,
	  .help = "seconds a KVM guest gets to print its first console line before TCG is used",
	  .off = V(kvm_probe) },
	{ .name = "disk",
	  .type = OPT_SIZE,
	  .def = "4G",
	  .min = 64.0 * MiB,
	  .max = 1ULL << 44,
	  .help = "size of the sparse scratch ext4 disk (the command's working directory)",
	  .off = V(disk) },
	{ .name = "results",
	  .type = OPT_STR,
	  .def = "results",
	  .help = "host directory the guest's result files are copied to",
	  .off = V(results) },
	{ .name = "qemu",
	  .type = OPT_STR,
	  .def = QEMU_DEFAULT,
	  .help = "the qemu binary",
	  .off = V(qemu) },
	{ .name = "append",
	  .type = OPT_STR,
	  .help = "extra kernel command line",
	  .off = V(append) },
	{ .name = "qemu-args",
	  .type = OPT_STR,
	  .help = "extra qemu arguments, split at spaces (e.g. '-monitor "
		  "unix:/tmp/m.sock,server,nowait')",
	  .off = V(qemu_args) },
	{ .name = "shell",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help =
	      "the command is a shell command line (busybox sh with set -e: the first command that "
	      "fails ends it with its status; faultbench in PATH), not faultbench arguments",
	  .off = V(shell) },
	{ .name = "keep",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "keep the work directory (initramfs, disk image, console log)",
	  .off = V(keep) },
	{ .name = "verbose",
	  .type = OPT_BOOL,
	  .def = "off",
	  .help = "copy the guest's console to stderr",
	  .off = V(verbose) },
	OPT_END
};

/* A kernel to boot and what was found with it before any boot. */
struct vm_kernel {
	const char *path;
	char *release; /* from the bzImage header, or NULL */
	char *modules; /* its lib/modules/<release> or build tree, or NULL */
	char *config;  /* its .config, or NULL */
};

/* Everything one boot needs and finds out. */
struct vm {
	const struct vm_opts *o;
	unsigned host_node[64]; /* per guest node, with --host-nodes */
	const char *kernel;	/* of this boot */
	const char *modules;	/* the kernel's modules, or NULL */
	unsigned nodes, cpus_per_node, vcpus;
	unsigned long long node_mem_mib;
	char *work; /* scratch directory of this run */
	char *initrd, *disk, *console, *qemu_log;
	char *exe_dir;
	const char *accel_used;
	char *append_used;  /* the kernel command line of the boot that ran */
	char *retry_reason; /* why a first TCG boot was discarded, or NULL */
	char *fallback_reason;
	double boot_seconds;
	char *qemu_version;
	int guest_status; /* the exit status of the guest's command */
};

static char *scripts_dir(const char *exe_dir);

static int usage(FILE *f)
{
	char *self = fsfile_self_dir(), *scripts = self ? scripts_dir(self) : NULL;
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

/*
 * --host-nodes: one host node per guest node, or one for all.  Each must be
 * a node of this host: qemu would fail with an mbind error deep in its log.
 */
static int parse_host_nodes(struct vm *vm)
{
	const char *s = vm->o->host_nodes;
	unsigned n = 0, i;
	char *end;

	while (*s) {
		unsigned long v;
		char path[64];

		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || (*end && *end != ',') || n == vm->nodes || v > 1023)
			return fb_usage(
			    "option '--host-nodes': '%s' is not a list of up to %u host "
			    "NUMA nodes (one per guest node, like 0,1)",
			    vm->o->host_nodes, vm->nodes);
		snprintf(path, sizeof(path), "/sys/devices/system/node/node%lu", v);
		if (access(path, F_OK))
			return fb_usage("option '--host-nodes': this host has no NUMA node %lu", v);
		vm->host_node[n++] = (unsigned)v;
		s = *end ? end + 1 : end;
	}
	if (n != 1 && n != vm->nodes)
		return fb_usage(
		    "option '--host-nodes': '%s' names %u host nodes for %u guest nodes "
		    "(give one per guest node, or one for all)",
		    vm->o->host_nodes, n, vm->nodes);
	for (i = n; i < vm->nodes; i++)
		vm->host_node[i] = vm->host_node[0];
	return FB_OK;
}

static int parse_topology(struct vm *vm)
{
	const char *s = vm->o->numa;
	unsigned long n, c;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || (*end != 'x' && *end != 'X') || !n || n > 64)
		return fb_usage(
		    "option '--numa': '%s' is not NODESxCPUS with 1-64 nodes (like 4x16)", s);
	s = end + 1;
	c = strtoul(s, &end, 10);
	if (errno || end == s || *end || !c || c > VM_MAX_VCPUS)
		return fb_usage("option '--numa': '%s' is not NODESxCPUS (like 4x16)", vm->o->numa);
	if (n * c > VM_MAX_VCPUS)
		return fb_usage(
		    "option '--numa': '%s' is %lu vCPUs; qemu's pc machine takes at most %d",
		    vm->o->numa, n * c, VM_MAX_VCPUS);
	if (c % (unsigned long)vm->o->smt)
		return fb_usage(
		    "option '--smt': %lld threads per core do not divide %lu CPUs per node",
		    vm->o->smt, c);
	vm->nodes = (unsigned)n;
	vm->cpus_per_node = (unsigned)c;
	vm->vcpus = (unsigned)(n * c);
	vm->node_mem_mib = vm->o->mem / MiB / n;
	if (vm->o->host_nodes && parse_host_nodes(vm))
		return FB_USAGE;
	if (vm->node_mem_mib < 128)
		return fb_usage(
		    "option '--mem': %llu MiB per node is too little; give at least 128 MiB a node",
		    vm->node_mem_mib);
	return FB_OK;
}

/* Run a command to completion with stdout/stderr into log (or inherited when NULL). */
static int run_wait(char *const argv[], const char *log)
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

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* The directory holding init and mkinitramfs.sh: $FB_VM_SCRIPTS, or next to the binary. */
static char *scripts_dir(const char *exe_dir)
{
	static const char *const rel[] = { "../scripts/vm", "scripts/vm",
					   "../share/faultbench/vm" };
	const char *env = getenv("FB_VM_SCRIPTS");
	char *d, *init;
	size_t i;

	if (env)
		return xstrdup(env);
	for (i = 0; i < ARRAY_SIZE(rel); i++) {
		d = xasprintf("%s/%s", exe_dir, rel[i]);
		init = xasprintf("%s/init", d);
		if (is_file(init)) {
			free(init);
			return d;
		}
		free(init);
		free(d);
	}
	return NULL;
}

/* A program found in PATH, then extra_dirs (or as given when it has a slash), or NULL. */
static char *find_program(const char *name, const char *extra_dirs)
{
	return spawn_find_program(name, extra_dirs);
}

/* Quote s for sh in single quotes. */
static void fput_quoted(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

static int write_guest_command(const struct vm *vm, const char *path, int argc, char **argv)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return fb_fail("cannot write %s: %s", path, strerror(errno));
	fprintf(f, "# written by faultbench vm on the host\n");
	if (vm->o->shell) {
		/* a benchmark that fails mid-line fails the boot, not only the last command */
		fprintf(f, "set -e\n");
		for (i = 0; i < argc; i++)
			fprintf(f, "%s%s", i ? " " : "", argv[i]);
	} else {
		fputs("faultbench", f);
		for (i = 0; i < argc; i++) {
			fputc(' ', f);
			fput_quoted(f, argv[i]);
		}
	}
	fputc('\n', f);
	return fclose(f) ? fb_fail("cannot write %s", path) : FB_OK;
}

/*
 * A suite's config is a file on the host: "suite FILE.ini ..." packs FILE
 * into the initramfs as /fb/conf/NAME and the guest's command names it
 * there.  The index of that argument, or -1.
 */
static int suite_config_arg(const struct vm_opts *o, int argc, char **argv)
{
	if (o->shell || argc < 2 || strcmp(argv[0], "suite"))
		return -1;
	for (int i = 1; i < argc; i++)
		if (ends_with(argv[i], ".ini") && is_file(argv[i]))
			return i;
	return -1;
}

static int build_initramfs(struct vm *vm, int argc, char **argv)
{
	char *scripts = scripts_dir(vm->exe_dir), *init, *mk, *cmd, *self, *helper = NULL, *lstopo,
	     *self_arg;
	char *guest_conf = NULL;
	char *args[16], path[PATH_MAX];
	int conf;
	unsigned n = 0;
	int ret;

	if (!scripts)
		return fb_fail(
		    "cannot find scripts/vm (the initramfs' init) next to %s; set FB_VM_SCRIPTS",
		    vm->exe_dir);
	init = xasprintf("%s/init", scripts);
	mk = xasprintf("%s/mkinitramfs.sh", scripts);
	cmd = xasprintf("%s/cmd", vm->work);
	self = xasprintf("%s/faultbench", vm->exe_dir);
	if (!is_file(self)) {
		free(self);
		self = xstrdup("/proc/self/exe");
	}
	conf = suite_config_arg(vm->o, argc, argv);
	if (conf >= 0) {
		const char *base =
		    strrchr(argv[conf], '/') ? strrchr(argv[conf], '/') + 1 : argv[conf];
		char **gargv = xcalloc((size_t)argc + 1, sizeof(*gargv));

		memcpy(gargv, argv, (size_t)argc * sizeof(*gargv));
		guest_conf = xasprintf("/fb/conf/%s", base);
		gargv[conf] = guest_conf;
		ret = write_guest_command(vm, cmd, argc, gargv);
		free(gargv);
	} else {
		ret = write_guest_command(vm, cmd, argc, argv);
	}
	if (ret)
		goto out;
	/* the guest's faultbench finds it beside itself, under its usual name */
	if (!fsfile_exec_helper(path, sizeof(path)))
		helper = xasprintf("%s=fb-exec-helper", path);
	lstopo = find_program("lstopo-no-graphics", NULL);
	args[n++] = "sh";
	args[n++] = mk;
	if (vm->modules) {
		/* the few the guest needs to reach its disk; the log names them */
		args[n++] = "-m";
		args[n++] = (char *)vm->modules;
	}
	if (conf >= 0) {
		args[n++] = "-c";
		args[n++] = argv[conf];
	}
	args[n++] = vm->initrd;
	args[n++] = init;
	args[n++] = cmd;
	args[n] = xasprintf("%s=faultbench", self);
	self_arg = args[n++];
	if (helper)
		args[n++] = helper;
	/* hwloc's own view of the guest, to check plans against (tests, docs). */
	if (lstopo)
		args[n++] = lstopo;
	args[n] = NULL;
	ret = run_wait(args, vm->qemu_log);
	if (ret) {
		char *log = read_text_file(vm->qemu_log);

		ret = fb_fail("building the initramfs failed (exit %d): %s", ret, log ? log : "");
		free(log);
	}
	free(self_arg);
	free(helper);
	free(lstopo);
out:
	free(guest_conf);
	free(init);
	free(mk);
	free(cmd);
	free(self);
	free(scripts);
	return ret;
}

/*
 * A sparse ext4 image.  Inode tables and journal are initialised here rather
 * than lazily: the guest's ext4lazyinit thread would otherwise zero them in the
 * background while the benchmark runs.
 */
static int make_disk(struct vm *vm)
{
	char *size = xasprintf("%lluM", vm->o->disk / MiB);
	char *mkfs = find_program("mkfs.ext4", "/sbin:/usr/sbin");
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
	ret = run_wait(args, vm->qemu_log);
	free(size);
	free(mkfs);
	if (ret)
		return fb_fail("mkfs.ext4 of the scratch disk failed (exit %d)", ret);
	return FB_OK;
}

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
static const char *tcg_boot_params(const struct vm *vm, enum accel accel)
{
	const char *a = vm->o->append ? vm->o->append : "";

	if (accel == ACCEL_KVM)
		return "";
	if (vm->vcpus == 1 || strstr(a, "maxcpus=") || strstr(a, "nr_cpus="))
		return " no_timer_check";
	return " no_timer_check maxcpus=1 fb_online_cpus tsc=reliable";
}

/* The qemu command line of one boot; strings owned by the returned array (NULL-terminated). */
static char **qemu_argv(struct vm *vm, enum accel accel, char *qemu)
{
	unsigned n = 0, i,
		 max = 64 + 4 * vm->nodes +
		       (vm->o->qemu_args ? (unsigned)strlen(vm->o->qemu_args) : 0);
	char **a = xcalloc(max, sizeof(*a));

#define ADD(...) (a[n++] = xasprintf(__VA_ARGS__))
	ADD("%s", qemu);
	ADD("-nodefaults");
	ADD("-no-user-config");
	ADD("-display");
	ADD("none");
	if (!vm->o->qemu_args || !strstr(vm->o->qemu_args, "-monitor")) {
		ADD("-monitor");
		ADD("none");
	}
	/* The init powers off; a panic reboots (panic=-1), which -no-reboot turns into an exit. */
	ADD("-no-reboot");
	ADD("-accel");
	ADD("%s", accel == ACCEL_KVM ? "kvm" : "tcg,thread=multi");
	ADD("-cpu");
	/*
	 * TCG: a fixed Intel model rather than "max", which is AMD-flavoured here
	 * (hiding SMT siblings from the guest) and may turn on 5-level paging.
	 * Features TCG lacks (AVX-512) are left out with a warning in qemu.log.
	 * Nehalem, which TCG implements fully, hung a 64-vCPU boot here.
	 */
	ADD("%s", accel == ACCEL_KVM ? "host" : "Skylake-Server-v4");
	ADD("-m");
	ADD("%lluM", vm->node_mem_mib * vm->nodes);
	ADD("-smp");
	ADD("%u,sockets=%u,cores=%lld,threads=%lld", vm->vcpus, vm->nodes,
	    vm->cpus_per_node / vm->o->smt, vm->o->smt);
	for (i = 0; i < vm->nodes; i++) {
		ADD("-object");
		if (vm->o->host_nodes)
			ADD("memory-backend-ram,id=mem%u,size=%lluM,host-nodes=%u,policy=bind", i,
			    vm->node_mem_mib, vm->host_node[i]);
		else
			ADD("memory-backend-ram,id=mem%u,size=%lluM", i, vm->node_mem_mib);
		ADD("-numa");
		ADD("node,nodeid=%u,cpus=%u-%u,memdev=mem%u", i, i * vm->cpus_per_node,
		    (i + 1) * vm->cpus_per_node - 1, i);
	}
	ADD("-kernel");
	ADD("%s", vm->kernel);
	ADD("-initrd");
	ADD("%s", vm->initrd);
	ADD("-append");
	ADD("console=ttyS0 panic=-1 rdinit=/init%s%s%s", tcg_boot_params(vm, accel),
	    vm->o->append ? " " : "", vm->o->append ? vm->o->append : "");
	free(vm->append_used);
	vm->append_used = xstrdup(a[n - 1]);
	ADD("-drive");
	ADD("file=%s,format=raw,if=none,id=scratch,cache=unsafe", vm->disk);
	ADD("-device");
	ADD("nvme,drive=scratch,serial=fbscratch");
	ADD("-serial");
	ADD("file:%s", vm->console);
	if (vm->o->qemu_args) {
		char *copy = xstrdup(vm->o->qemu_args), *save = NULL, *w;

		for (w = strtok_r(copy, " ", &save); w && n < max - 1;
		     w = strtok_r(NULL, " ", &save))
			ADD("%s", w);
		free(copy);
	}
#undef ADD
	return a;
}

static void free_argv(char **a)
{
	for (char **p = a; *p; p++)
		free(*p);
	free(a);
}

/* The console so far (NUL-terminated), or an empty string. */
static char *console_text(const struct vm *vm)
{
	char *s = read_text_file(vm->console);

	return s ? s : xstrdup("");
}

static void print_tail(const char *what, const char *path, unsigned lines)
{
	char *s = read_text_file(path), *p;
	unsigned seen = 0;

	if (!s || !*s) {
		free(s);
		return;
	}
	for (p = s + strlen(s); p > s; p--)
		if (p[-1] == '\n' && ++seen > lines)
			break;
	fprintf(stderr, "---- last lines of the %s (%s) ----\n%s\n----\n", what, path, p);
	free(s);
}

static void stop_qemu(struct spawn *qemu)
{
	spawn_stop(qemu, SIGTERM, 5);
}

enum boot_outcome { BOOT_DONE, BOOT_NO_START, BOOT_RESET, BOOT_HUNG, BOOT_FROZE, BOOT_FAILED };

/*
 * Seconds qemu gets to exit by itself after the guest's init said "FB-VM:
 * done" (its disk synced and unmounted): a kernel that cannot power off
 * (acpi=off, no CONFIG_ACPI) halts instead and would keep qemu running to
 * --timeout.  Then vm ends qemu itself; the results are on the disk.
 */
#define VM_POWEROFF_GRACE 10.0

/*
 * The guest kernel's soft-lockup report (printed at KERN_EMERG, so it passes
 * the init's console level): a CPU stuck in the kernel for 20 s and more.
 * Under TCG that is the text-patching freeze described above; a guest in that
 * state never finishes, so it is stopped at once rather than at --timeout.
 */
static char *froze(const char *con)
{
	const char *p = strstr(con, "soft lockup - CPU#");
	size_t len;

	if (!p)
		return NULL;
	len = strcspn(p, "\r\n");
	return xasprintf("the guest kernel froze (%.*s)", (int)len, p);
}

/*
 * Boot once.  With a probe time, the guest must print its first console line
 * within it or the boot counts as "did not start" (the KVM hang seen on some
 * nested hosts); otherwise it runs until it powers off or the timeout.
 */
/* Watch a started qemu until the guest powers off or one of the limits is hit. */
static enum boot_outcome watch_boot(struct vm *vm, struct spawn *sp, double start, double probe,
				    char **why)
{
	double deadline = start + vm->o->timeout, done_at = 0;
	size_t shown = 0;
	bool started = false, booted = false, halted;

	for (;;) {
		bool exited = spawn_exited(sp);
		char *con = console_text(vm);
		double now = now_monotonic();

		if (vm->o->verbose && strlen(con) > shown) {
			fputs(con + shown, stderr);
			shown = strlen(con);
		}
		started |= con[0] != '\0';
		if (!booted && strstr(con, "FB-VM: init")) {
			booted = true;
			vm->boot_seconds = now - start;
		}
		if (!done_at && strstr(con, "FB-VM: done"))
			done_at = now;
		/* "Power off not available: System halted instead", "reboot: System halted" */
		halted = done_at && strstr(con, "System halted");
		*why = froze(con);
		free(con);
		if (*why) {
			stop_qemu(sp);
			return BOOT_FROZE;
		}
		if (exited) {
			if (!started && sp->end == SPAWN_EXITED && !sp->code) {
				/*
				 * qemu exits 0 when the guest resets (-no-reboot): a
				 * kernel that crashed before its console was up (a
				 * corrupt image, one built for another CPU).  qemu
				 * itself failing to start exits 1 with its reason.
				 */
				*why = xasprintf("the kernel crashed or reset before printing "
						 "anything on its console (qemu exited with status "
						 "0, as it does when the guest resets)");
				return BOOT_RESET;
			}
			if (!started) {
				*why = xasprintf(
				    "qemu exited (%s %d) before the guest printed anything",
				    sp->end == SPAWN_EXITED ? "status" : "signal",
				    sp->end == SPAWN_EXITED ? sp->code : sp->code - 128);
				return BOOT_NO_START;
			}
			return BOOT_DONE;
		}
		if (done_at && (halted || now - done_at > VM_POWEROFF_GRACE)) {
			stop_qemu(sp);
			fprintf(stderr,
				"faultbench: vm: the guest finished but did not power off%s; qemu "
				"stopped\n",
				halted ? " (its kernel halted instead)" : "");
			return BOOT_DONE;
		}
		if (fb_interrupted) {
			stop_qemu(sp);
			*why = xasprintf("interrupted");
			return BOOT_FAILED;
		}
		if (probe > 0 && !started && now - start > probe) {
			stop_qemu(sp);
			*why = xasprintf("the guest printed nothing on its console within %g s",
					 probe);
			return BOOT_NO_START;
		}
		if (!booted && now - start > vm->o->boot_timeout) {
			stop_qemu(sp);
			*why =
			    xasprintf("the guest did not reach its init within --boot-timeout %g s",
				      vm->o->boot_timeout);
			return BOOT_HUNG;
		}
		if (now > deadline) {
			stop_qemu(sp);
			*why =
			    xasprintf("the guest did not power off within --timeout %g s%s",
				      vm->o->timeout, booted ? "" : " (it never reached its init)");
			return BOOT_FAILED;
		}
		usleep(started ? 200000 : 50000);
	}
}

static enum boot_outcome boot(struct vm *vm, enum accel accel, double probe, char **why)
{
	char *qemu = find_program(vm->o->qemu, NULL), msg[256];
	double start = now_monotonic();
	/* stdin from /dev/null: qemu must not take the terminal's input */
	struct spawn sp = {
		.in = { SPAWN_NULL },
		.out = { SPAWN_FILE, .path = vm->qemu_log },
		.err = { SPAWN_TO_STDOUT },
	};
	enum boot_outcome r;
	char **argv;

	*why = NULL;
	if (!qemu) {
		*why = xasprintf("%s not found (apt-get install qemu-system-x86)", vm->o->qemu);
		return BOOT_NO_START;
	}
	argv = qemu_argv(vm, accel, qemu);
	free(qemu);
	unlink(vm->console);
	sp.argv = (const char *const *)argv;
	if (spawn_start(&sp)) {
		*why = xstrdup(spawn_describe(&sp, msg, sizeof(msg)));
		r = BOOT_NO_START;
	} else {
		r = watch_boot(vm, &sp, start, probe, why);
	}
	free_argv(argv);
	spawn_clear(&sp);
	return r;
}

static bool kvm_usable(char **why)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		*why = xasprintf("/dev/kvm: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

static int boot_with_accel(struct vm *vm)
{
	enum accel a = (enum accel)vm->o->accel;
	char *why = NULL;
	enum boot_outcome r;

	if (a != ACCEL_TCG) {
		if (!kvm_usable(&why)) {
			if (a == ACCEL_KVM) {
				int ret = fb_skip("vm: --accel kvm: %s", why);

				free(why);
				return ret;
			}
		} else {
			r = boot(vm, ACCEL_KVM, vm->o->kvm_probe, &why);
			if (r == BOOT_DONE) {
				vm->accel_used = "kvm";
				return FB_OK;
			}
			/* A soft lockup under KVM is the kernel's own: report it. */
			if (r == BOOT_FAILED || r == BOOT_FROZE || a == ACCEL_KVM) {
				int ret;

				print_tail("guest console", vm->console, 30);
				print_tail("qemu output", vm->qemu_log, 10);
				ret = r == BOOT_FAILED || r == BOOT_FROZE || r == BOOT_RESET
					  ? fb_fail("vm: KVM guest: %s", why)
					  : fb_skip("vm: KVM guest did not boot: %s", why);
				free(why);
				return ret;
			}
		}
		vm->fallback_reason = xasprintf("KVM unusable: %s", why);
		fb_warn("vm: %s; falling back to TCG (slower; its timings compare only with other "
			"TCG runs of the same topology)",
			vm->fallback_reason);
		free(why);
	}
	r = boot(vm, ACCEL_TCG, 0, &why);
	if (r == BOOT_HUNG || r == BOOT_FROZE) {
		/*
		 * An emulated guest can hang or freeze at random (many vCPUs, a
		 * loaded host): once more, on a fresh scratch disk so nothing of
		 * the first attempt is taken for a result.
		 */
		fb_warn("vm: %s; booting once more", why);
		print_tail("guest console", vm->console, 5);
		vm->retry_reason = why;
		if (make_disk(vm))
			return FB_FAIL;
		r = boot(vm, ACCEL_TCG, 0, &why);
	}
	if (r == BOOT_DONE) {
		vm->accel_used = "tcg";
		return FB_OK;
	}
	print_tail("guest console", vm->console, 30);
	print_tail("qemu output", vm->qemu_log, 10);
	{
		int ret =
		    r == BOOT_NO_START ? fb_skip("vm: qemu cannot start: %s", why)
		    : r == BOOT_RESET  ? fb_fail("vm: %s", why)
		    : r == BOOT_HUNG   ? fb_skip("vm: the guest did not boot, twice: %s", why)
		    : r == BOOT_FROZE
			? fb_skip("vm: under TCG %s, twice (see 'Freezes' in docs/vm.md)", why)
			: fb_fail("vm: %s", why);

		free(why);
		return ret;
	}
}

static char *qemu_version(const struct vm *vm)
{
	char *qemu = find_program(vm->o->qemu, NULL), *line;

	if (!qemu)
		return xstrdup("unknown");
	line = spawn_first_line((const char *const[]){ qemu, "-version", NULL });
	free(qemu);
	return line ? line : xstrdup("unknown");
}

/* Read the guest's .fb-vm directory off the disk image with debugfs's rdump. */
static int extract(const struct vm *vm)
{
	char *debugfs = find_program("debugfs", "/sbin:/usr/sbin");
	char *req = xasprintf("rdump /.fb-vm %s", vm->work);
	char *args[] = { debugfs, "-R", req, vm->disk, NULL };
	char *dir = xasprintf("%s/.fb-vm", vm->work);
	struct stat st;
	int ret;

	if (!debugfs) {
		free(req);
		free(dir);
		return fb_fail("vm: debugfs not found (apt-get install e2fsprogs)");
	}
	ret = run_wait(args, vm->qemu_log);
	ret = ret || stat(dir, &st) ? FB_FAIL : FB_OK;
	free(debugfs);
	free(req);
	free(dir);
	return ret;
}

static json_t *vm_metadata(const struct vm *vm, const char *release)
{
	char mem[32], kernel[PATH_MAX];
	json_t *m = json_object();

	opt_format(opt_find(vm_options, "mem"), vm->o, mem, sizeof(mem));
	if (!realpath(vm->kernel, kernel))
		snprintf(kernel, sizeof(kernel), "%s", vm->kernel);
	json_object_set_new(m, "accel", json_string(vm->accel_used));
	if (vm->fallback_reason)
		json_object_set_new(m, "accel_fallback", json_string(vm->fallback_reason));
	json_object_set_new(m, "numa", json_string(vm->o->numa));
	json_object_set_new(m, "nodes", json_integer(vm->nodes));
	json_object_set_new(m, "cpus_per_node", json_integer(vm->cpus_per_node));
	json_object_set_new(m, "smt", json_integer(vm->o->smt));
	json_object_set_new(m, "vcpus", json_integer(vm->vcpus));
	json_object_set_new(m, "mem",
			    json_integer((json_int_t)(vm->node_mem_mib * vm->nodes * MiB)));
	json_object_set_new(m, "kernel", json_string(kernel));
	json_object_set_new(m, "kernel_release", json_string(release ? release : "unknown"));
	if (vm->modules)
		json_object_set_new(m, "modules", json_string(vm->modules));
	if (vm->o->host_nodes) {
		json_t *h = json_array();

		for (unsigned i = 0; i < vm->nodes; i++)
			json_array_append_new(h, json_integer(vm->host_node[i]));
		json_object_set_new(m, "host_nodes", h);
	}
	json_object_set_new(m, "qemu", json_string(vm->qemu_version));
	json_object_set_new(m, "boot_seconds", json_real(vm->boot_seconds));
	json_object_set_new(m, "append", json_string(vm->append_used ? vm->append_used : ""));
	if (vm->retry_reason)
		json_object_set_new(m, "retried_because", json_string(vm->retry_reason));
	json_object_set_new(m, "host_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	if (!strcmp(vm->accel_used, "tcg"))
		json_object_set_new(m, "warning",
				    json_string("TCG: timings compare only with other TCG runs of "
						"the same topology on the same host"));
	return m;
}

/* The results walk: nftw() has no user pointer, so its state lives here. */
static struct {
	const struct vm *vm;
	const char *base; /* .../.fb-vm/out */
	json_t *meta;
	unsigned copied, failed;
	char *first; /* the first result file found, by find_first() */
} walk;

/* p, or when a file of that name exists p with -2, -3, ... before its extension (p is taken). */
static char *unused_path(char *p)
{
	const char *slash = strrchr(p, '/'), *dot = strrchr(p, '.');
	char *base, *ext, *q = p;

	if (access(p, F_OK))
		return p;
	/* Never overwrite a result: add a suffix. */
	if (dot && slash && dot < slash)
		dot = NULL;
	ext = xstrdup(dot ? dot : "");
	base = xasprintf("%.*s", (int)(dot ? (size_t)(dot - p) : strlen(p)), p);
	for (unsigned i = 2; !access(q, F_OK); i++) {
		if (q != p)
			free(q);
		q = xasprintf("%s-%u%s", base, i, ext);
	}
	free(p);
	free(base);
	free(ext);
	return q;
}

/* Host path for a guest file: its path below the guest's results/ (or cwd) under --results. */
static char *host_path(const char *rel)
{
	const char *r = rel;

	if (!strncmp(r, "./", 2))
		r += 2;
	if (!strncmp(r, "results/", 8))
		r += 8;
	return unused_path(xasprintf("%s/%s", walk.vm->o->results, r));
}

/*
 * Copy src's bytes into the new file fd (closed here).  dest is created with
 * fb_create(FB_NEW), never through a link planted in the results directory
 * (cp and fopen("w") followed one).
 */
static int copy_bytes(const char *src, int fd)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), ret = in < 0 || fd < 0 ? -1 : 0;
	char buf[65536];
	ssize_t n = 0;

	while (!ret && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			ret = -1;
	if (n < 0 || (fd >= 0 && close(fd)))
		ret = -1;
	if (in >= 0)
		close(in);
	return ret;
}

/* A result JSON gets the "vm" object; other files (*.xml, *.json.gz) are copied as they are. */
static int write_host_copy(const char *path, const char *dest)
{
	int fd = fb_create(dest, FB_NEW);
	json_error_t err;
	json_t *doc;
	FILE *f;
	int ret;

	if (fd < 0)
		return errno = -fd, -1;
	doc = ends_with(path, ".json") ? json_load_file(path, 0, &err) : NULL;
	/* not JSON after all (a command's stdout redirected there): kept as it is */
	if (!doc)
		return copy_bytes(path, fd);
	if (json_is_object(doc))
		json_object_set(doc, "vm", walk.meta);
	f = fdopen(fd, "w");
	ret = f ? json_dumpf(doc, f, JSON_INDENT(1) | JSON_SORT_KEYS) : -1;
	if (f ? fclose(f) : close(fd))
		ret = -1;
	json_decref(doc);
	return ret;
}

static int find_first(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type != FTW_F)
		return 0;
	walk.first = xstrdup(path);
	return 1;
}

/*
 * Where the guest's console log goes: beside the results (the directory of
 * the first one), as console-<release>.log, so that a run's kernel messages
 * stay with it; NULL when the guest wrote no result.
 */
static char *console_dest(const char *release)
{
	const char *rel, *slash;
	char *dest;

	nftw(walk.base, find_first, 16, FTW_PHYS);
	if (!walk.first)
		return NULL;
	/* the directory of its host copy (host_path()'s rule), not the copy itself */
	rel = walk.first + strlen(walk.base) + 1;
	if (!strncmp(rel, "./", 2))
		rel += 2;
	if (!strncmp(rel, "results/", 8))
		rel += 8;
	slash = strrchr(rel, '/');
	dest = unused_path(xasprintf("%s/%.*sconsole-%s.log", walk.vm->o->results,
				     slash ? (int)(slash - rel + 1) : 0, rel,
				     release ? release : "unknown"));
	free(walk.first);
	walk.first = NULL;
	return dest;
}

/* Like the results: a new file, never written through a link planted there. */
static void keep_console(const struct vm *vm, const char *dest)
{
	if (copy_bytes(vm->console, fb_create(dest, FB_NEW)))
		fb_warn("vm: cannot keep the guest's console log as %s", dest);
	else
		fprintf(stderr, "faultbench: vm: console log %s\n", dest);
}

/* dir below --results: the guest's subdirectories, never through a link planted on the host */
static int mkdir_below_results(const char *dir)
{
	const char *top = walk.vm->o->results;
	size_t n = strlen(top);
	int ret;

	if (strncmp(dir, top, n) || (dir[n] != '/' && dir[n]))
		return mkdir_p(dir);
	ret = fb_mkdir_below(top, dir[n] ? dir + n + 1 : "");
	if (ret)
		errno = -ret;
	return ret;
}

static int copy_result(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char *dest, *dir, *slash;

	if (type != FTW_F)
		return 0;
	dest = host_path(path + strlen(walk.base) + 1);
	dir = xstrdup(dest);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	if (mkdir_below_results(dir) || write_host_copy(path, dest)) {
		fb_warn("vm: cannot write %s: %s", dest, strerror(errno));
		walk.failed++;
	} else {
		fprintf(stderr, "faultbench: vm: result %s\n", dest);
		walk.copied++;
	}
	free(dir);
	free(dest);
	return 0;
}

/*
 * The guest's OOM kills (its init copies them from the kernel log): each is
 * warned about and listed in the results' "vm" object, since a worker killed
 * so shows up in the run only as an incomplete step.
 */
static void report_oom(const struct vm *vm, const char *fbvm, json_t *meta)
{
	char *path = xasprintf("%s/oom", fbvm), *text = read_text_file(path), *line, *save = NULL;
	json_t *kills = json_array();

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		fb_warn("vm: in the guest: %s", line);
		json_array_append_new(kills, json_string(line));
	}
	if (json_array_size(kills)) {
		fb_warn("vm: the guest ran out of memory: give it more with vm --mem (it had %llu "
			"MiB) or lower run's --size or --cpus",
			vm->node_mem_mib * vm->nodes);
		json_object_set(meta, "oom_kills", kills);
	}
	json_decref(kills);
	free(text);
	free(path);
}

static int collect(struct vm *vm)
{
	char *fbvm = xasprintf("%s/.fb-vm", vm->work);
	char *status_s, *release, *output, *path, *console;
	int status = FB_FAIL;

	path = xasprintf("%s/output", fbvm);
	output = read_text_file(path);
	free(path);
	if (output)
		fputs(output, stdout);
	fflush(stdout);
	free(output);
	path = xasprintf("%s/uname", fbvm);
	release = read_first_line(path);
	free(path);
	path = xasprintf("%s/status", fbvm);
	status_s = read_first_line(path);
	free(path);
	if (status_s)
		status = atoi(status_s);
	else
		fb_warn("vm: the guest command did not finish (no exit status on the disk)");
	if (status < 0 || status > 255)
		status = FB_FAIL;

	walk.vm = vm;
	walk.base = path = xasprintf("%s/out", fbvm);
	walk.meta = vm_metadata(vm, release);
	report_oom(vm, fbvm, walk.meta);
	walk.copied = walk.failed = 0;
	console = console_dest(release);
	if (console)
		json_object_set_new(walk.meta, "console_log", json_string(console));
	nftw(path, copy_result, 16, FTW_PHYS);
	if (console && walk.copied)
		keep_console(vm, console);
	free(console);
	if (walk.failed && !status)
		status = FB_FAIL;
	if (walk.copied && !strcmp(vm->accel_used, "tcg"))
		fb_warn("vm: ran under TCG: timings compare only with other TCG runs of the same "
			"topology (%s, SMT %lld) on the same host",
			vm->o->numa, vm->o->smt);
	json_decref(walk.meta);
	free(path);
	free(release);
	free(status_s);
	free(fbvm);
	vm->guest_status = status;
	return status;
}

/*
 * The init's own complaint (no scratch disk, ...: "FB-VM: error <what>") or
 * the guest kernel's panic (it reboots, which qemu's -no-reboot makes an
 * exit), or NULL.
 */
static char *guest_error(const struct vm *vm)
{
	char *con = console_text(vm), *p = strstr(con, "FB-VM: error "), *what = NULL;

	if (p) {
		p += strlen("FB-VM: error ");
		what = xasprintf("%.*s", (int)strcspn(p, "\r\n"), p);
	} else if ((p = strstr(con, "Kernel panic - not syncing: "))) {
		what = xasprintf("its kernel panicked: %.*s", (int)strcspn(p, "\r\n"), p);
	}
	free(con);
	return what;
}

static void remove_work(const struct vm *vm)
{
	if (vm->work)
		fsfile_remove_tree(vm->work);
}

/*
 * A bzImage: the x86 boot protocol's "HdrS" magic at offset 0x202 (what
 * /boot/vmlinuz-* and arch/x86/boot/bzImage are).  Without it qemu fails
 * late with a message ("linux kernel too old to load a ram disk") that
 * points nowhere near the cause.
 */
static int check_kernel(const char *kernel)
{
	unsigned long long want, have;
	struct stat st;

	if (!kernel)
		return fb_usage("vm needs --kernel PATH (a bzImage or /boot/vmlinuz-*); see "
				"'faultbench vm --help'");
	if (stat(kernel, &st) || !S_ISREG(st.st_mode))
		return fb_usage("option '--kernel': '%s' is not a readable file", kernel);
	if (access(kernel, R_OK))
		return fb_usage("option '--kernel': '%s' is not readable: %s", kernel,
				strerror(errno));
	if (!kimage_is_bzimage(kernel))
		return fb_usage("option '--kernel': '%s' is not an x86 Linux kernel image (no "
				"bzImage header; a vmlinux or a compressed file will not boot)",
				kernel);
	/* a copy cut short boots into a crash before the kernel prints anything */
	if (kimage_truncated(kernel, &want, &have))
		return fb_usage("option '--kernel': '%s' is truncated: %llu bytes, and its header "
				"says %llu (an interrupted copy or download?)",
				kernel, have, want);
	return FB_OK;
}

/*
 * What the guest needs of its kernel: built in, or a module the initramfs
 * can carry.  Checked against the kernel's .config when one is found, so a
 * kernel that could not reach its scratch disk is refused before a boot of
 * minutes under TCG; without a .config the guest's init says what is missing.
 */
static const struct kernel_need {
	const char *sym, *why;
	bool module_ok;
} kernel_needs[] = {
	{ "CONFIG_BLK_DEV_INITRD", "the initramfs the guest runs from", false },
	{ "CONFIG_DEVTMPFS", "the guest's /dev, where the scratch disk appears", false },
	{ "CONFIG_SERIAL_8250_CONSOLE", "the serial console the host reads", false },
	{ "CONFIG_BLK_DEV_NVME", "the scratch disk's driver", true },
	{ "CONFIG_EXT4_FS", "the scratch disk's filesystem", true },
};

static int check_kernel_config(const struct vm_kernel *k)
{
	char *text = k->config ? read_text_file(k->config) : NULL;
	int ret = FB_OK;

	for (size_t i = 0; text && i < ARRAY_SIZE(kernel_needs) && !ret; i++) {
		const struct kernel_need *n = &kernel_needs[i];
		int v = kconfig_value(text, n->sym);

		if (v == 'y' || (v == 'm' && n->module_ok && k->modules))
			continue;
		if (v == 'm' && n->module_ok)
			ret =
			    fb_usage("vm: %s has %s=m (%s) and no modules of %s were found: give "
				     "--modules DIR, where 'make modules_install "
				     "INSTALL_MOD_PATH=DIR' wrote DIR/lib/modules/%s (or the build "
				     "tree)",
				     k->path, n->sym, n->why, k->release, k->release);
		else
			ret = fb_usage("vm: %s lacks %s=y (%s), says %s", k->path, n->sym, n->why,
				       k->config);
	}
	free(text);
	return ret;
}

/* The guest's NUMA nodes as --numa says (0 when it is malformed: parse_topology() says so). */
static unsigned guest_nodes(const struct vm_opts *o)
{
	unsigned long n = strtoul(o->numa, NULL, 10);

	return n <= 64 ? (unsigned)n : 0;
}

/*
 * What the guest's topology and command ask of the kernel (lib/kneeds.c):
 * --page=thp on a kernel without THP would fail in the guest after minutes
 * of booting, and a bisection would call the commit bad.
 */
static int check_guest_needs(const struct vm_opts *o, const struct vm_kernel *k, int argc,
			     char **argv)
{
	struct kneed needs[16];
	int conf = suite_config_arg(o, argc, argv);
	char *ini = conf >= 0 ? read_text_file(argv[conf]) : NULL;
	char *text = k->config ? read_text_file(k->config) : NULL;
	size_t n = kneeds_find(argc, (const char *const *)argv, o->shell, ini, guest_nodes(o),
			       needs, ARRAY_SIZE(needs));
	const struct kneed *u = kneeds_unmet(text, needs, n);
	int ret = FB_OK;

	if (u)
		ret = fb_usage("vm: %s lacks %s, which %s needs (says %s): choose another kernel "
			       "or leave the option out",
			       k->path, u->sym, u->why, k->config);
	kneeds_free(needs, n);
	free(text);
	free(ini);
	return ret;
}

/*
 * Find the release, modules and .config of each kernel.  Each --modules DIR
 * is matched to the kernels by release, so "--kernel A --kernel B --modules
 * MA --modules MB" needs no order; a DIR that matches no kernel is an error
 * (it was meant for one).
 */
static int prepare_kernels(const struct vm_opts *o, struct vm_kernel *ks, int argc, char **argv)
{
	unsigned i, m;
	int err = FB_OK;

	for (i = 0; i < o->kernel.n && !err; i++) {
		struct vm_kernel *k = &ks[i];

		k->path = o->kernel.v[i];
		err = check_kernel(k->path);
		if (err)
			break;
		k->release = kimage_release(k->path);
		if (!k->release) {
			if (o->modules.n)
				err = fb_usage("vm: cannot read the release of %s from its header, "
					       "so --modules cannot be matched to it",
					       k->path);
			continue;
		}
		for (m = 0; m < o->modules.n && !k->modules; m++)
			k->modules = kimage_modules_in(o->modules.v[m], k->release);
		if (!k->modules && !o->modules.n)
			k->modules = kimage_modules_beside(k->path, k->release);
		k->config = kimage_config(k->path, k->release, k->modules);
	}
	for (m = 0; m < o->modules.n && !err; m++) {
		bool used = false;

		for (i = 0; i < o->kernel.n; i++) {
			char *d = ks[i].release ? kimage_modules_in(o->modules.v[m], ks[i].release)
						: NULL;

			used |= d != NULL;
			free(d);
		}
		if (!used)
			err = fb_usage("option '--modules': '%s' holds no modules of %s%s (looked "
				       "for lib/modules/<release> in it, a lib/modules/<release> "
				       "directory, or a build tree of that release)",
				       o->modules.v[m],
				       o->kernel.n > 1 ? "any --kernel's release" : "",
				       o->kernel.n == 1 && ks[0].release ? ks[0].release : "");
	}
	for (i = 0; i < o->kernel.n && !err; i++)
		err = check_kernel_config(&ks[i]);
	for (i = 0; i < o->kernel.n && !err; i++)
		err = check_guest_needs(o, &ks[i], argc, argv);
	return err;
}

static void free_kernels(struct vm_kernel *ks, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(ks[i].release);
		free(ks[i].modules);
		free(ks[i].config);
	}
	free(ks);
}

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

/* One boot of one kernel: the guest runs argv, its results land under --results. */
static int boot_once(const struct vm_opts *o, const struct vm_kernel *k, int argc, char **argv)
{
	struct vm vm = { .o = o, .kernel = k->path, .modules = k->modules };
	char *guest_err;
	bool kept_said = false, keep;
	int err;

	err = parse_topology(&vm);
	if (err)
		return err;
	vm.exe_dir = fsfile_self_dir();
	err = make_work_dir(&vm);
	if (!err)
		err = build_initramfs(&vm, argc, argv);
	if (!err)
		err = make_disk(&vm);
	if (!err) {
		vm.qemu_version = qemu_version(&vm);
		fprintf(stderr,
			"faultbench: vm: booting %s: %u node%s x %u vCPUs (SMT %lld), %llu MiB of "
			"guest memory (--mem)\n",
			k->path, vm.nodes, vm.nodes == 1 ? "" : "s", vm.cpus_per_node, o->smt,
			vm.node_mem_mib * vm.nodes);
		if (k->modules)
			fprintf(stderr, "faultbench: vm: modules of %s from %s\n", k->release,
				k->modules);
		err = boot_with_accel(&vm);
	}
	if (!err) {
		fprintf(stderr, "faultbench: vm: %s guest booted in %.1f s\n", vm.accel_used,
			vm.boot_seconds);
		guest_err = guest_error(&vm);
		err = guest_err ? FB_FAIL : extract(&vm);
		if (guest_err) {
			/* the console once, then where it is, then the guest's own words */
			print_tail("guest console", vm.console, 20);
			fprintf(stderr, "faultbench: vm: work directory kept: %s\n", vm.work);
			kept_said = true;
			fb_fail("vm: the guest: %s", guest_err);
			free(guest_err);
		} else if (err) {
			print_tail("guest console", vm.console, 30);
			err = fb_fail("vm: could not read the results off the scratch disk");
		} else {
			err = collect(&vm);
		}
	}
	if (fb_interrupted)
		err = 128 + fb_interrupted;
	keep = kept_said || o->keep || (err && err != FB_SKIP && err != FB_USAGE && vm.work);
	if (keep && !kept_said)
		fprintf(stderr, "faultbench: vm: work directory kept: %s\n", vm.work);
	if (!keep)
		remove_work(&vm);
	/* the last line: the guest's output, with its own message, is above */
	if (vm.guest_status && !fb_interrupted)
		fb_error(vm.guest_status, "vm: the command in the guest exited with status %d",
			 vm.guest_status);
	vm_free(&vm);
	return err;
}

/* "vmlinuz-6.1.0-56-cloud-amd64" -> "6.1.0-56-cloud-amd64": a kernel's default label. */
static char *kernel_label(const char *kernel)
{
	const char *base = strrchr(kernel, '/') ? strrchr(kernel, '/') + 1 : kernel;

	if (!strncmp(base, "vmlinuz-", 8) && base[8])
		base += 8;
	return xstrdup(base);
}

/* Labels for the kernels: --labels, else the file names; they must differ. */
static int interleave_labels(const struct vm_opts *o, char ***labels)
{
	unsigned n = o->kernel.n, i, j;
	char *copy = o->labels ? xstrdup(o->labels) : NULL, *save = NULL, *tok;

	*labels = xcalloc(n, sizeof(**labels));
	tok = copy ? strtok_r(copy, ",", &save) : NULL;
	for (i = 0; i < n; i++) {
		if (copy && !tok) {
			free(copy);
			return fb_usage("option '--labels': '%s' names %u label%s for %u kernels",
					o->labels, i, i == 1 ? "" : "s", n);
		}
		(*labels)[i] = tok ? xstrdup(tok) : kernel_label(o->kernel.v[i]);
		tok = copy ? strtok_r(NULL, ",", &save) : NULL;
	}
	free(copy);
	if (tok)
		return fb_usage("option '--labels': '%s' names more labels than the %u kernels",
				o->labels, n);
	for (i = 0; i < n; i++)
		/* a label names a directory under --results and goes into the guest */
		if (fb_check_name("option '--labels'", (*labels)[i]))
			return FB_USAGE;
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (!strcmp((*labels)[i], (*labels)[j]))
				return fb_usage(
				    "vm: kernels %u and %u would both be labelled '%s': "
				    "name them with --labels A,B",
				    j + 1, i + 1, (*labels)[i]);
	return FB_OK;
}

/* The guest's command with --label L added: run and suite take it. */
static char **with_label(int argc, char **argv, const char *label)
{
	char **a = xcalloc((size_t)argc + 3, sizeof(*a));

	memcpy(a, argv, (size_t)argc * sizeof(*a));
	a[argc] = "--label";
	a[argc + 1] = (char *)label;
	return a;
}

static int check_interleavable(const struct vm_opts *o, int argc, char **argv)
{
	if (o->shell)
		return fb_usage("vm: several kernels or --boots need a faultbench command (run or "
				"suite), not --shell: each boot's results get the kernel's label");
	if (strcmp(argv[0], "run") && strcmp(argv[0], "suite"))
		return fb_usage("vm: several kernels or --boots run 'run' or 'suite' in the guest, "
				"not '%s'",
				argv[0]);
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--label") || !strncmp(argv[i], "--label=", 8))
			return fb_usage("vm: with several kernels or --boots the labels come from "
					"--labels, not the guest command's --label");
	return FB_OK;
}

/*
 * Kernels compared the way kernels must be: boot by boot, in turn, so that
 * the host's drift over the hours hits every kernel alike, and each boot is
 * one run (one result file per benchmark), the replicate of compare's test.
 */
static int boot_interleaved(const struct vm_opts *o, const struct vm_kernel *ks, int argc,
			    char **argv)
{
	unsigned n = o->kernel.n, k;
	char **labels = NULL;
	int err = check_interleavable(o, argc, argv);

	if (!err)
		err = interleave_labels(o, &labels);
	for (long long b = 0; b < o->boots && !err; b++)
		for (k = 0; k < n && !err; k++) {
			char **cmd = with_label(argc, argv, labels[k]);

			fprintf(stderr, "faultbench: vm: boot %lld of %lld of %s (label %s)\n",
				b + 1, o->boots, o->kernel.v[k], labels[k]);
			err = boot_once(o, &ks[k], argc + 2, cmd);
			free(cmd);
			if (err)
				fb_warn(
				    "vm: boot %lld of %s ended with status %d; the runs so far are "
				    "under %s/",
				    b + 1, labels[k], err, o->results);
		}
	if (!err && n > 1) {
		char **cmp = xcalloc(n + 3, sizeof(*cmp));

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
	} else if (!err) {
		printf("\n%lld runs of %s in %s/%s/: 'faultbench noise --from %s/%s' makes a noise "
		       "model of them\n",
		       o->boots, labels[0], o->results, labels[0], o->results, labels[0]);
	}
	for (k = 0; labels && k < n; k++)
		free(labels[k]);
	free(labels);
	return err;
}

/*
 * Options that need no kernel, checked before anything is looked up or
 * booted: each label a name, a guest no larger than what this host has
 * available, --modules directories, --results a path (issue 23 D5: these
 * were accepted and qemu started).
 */
static int check_vm_options(const struct vm_opts *o)
{
	struct stat st;

	if (o->labels) {
		char *copy = xstrdup(o->labels), *save = NULL, *l;
		int err = *copy && copy[strlen(copy) - 1] != ','
			      ? FB_OK
			      : fb_usage("option '--labels': '%s' has an empty label", o->labels);

		for (l = strtok_r(copy, ",", &save); l && !err; l = strtok_r(NULL, ",", &save))
			err = fb_check_name("option '--labels'", l);
		if (!err && (*o->labels == ',' || strstr(o->labels, ",,")))
			err = fb_usage("option '--labels': '%s' has an empty label", o->labels);
		free(copy);
		if (err)
			return err;
	}
	if (o->mem > fb_mem_available())
		return fb_usage("option '--mem': %llu MiB for the guest, more than the %llu MiB "
				"available on this host",
				o->mem / MiB, fb_mem_available() / MiB);
	for (unsigned i = 0; i < o->modules.n; i++) {
		static const char *const marks[] = { "lib/modules", "modules.order", "modules.dep",
						     "Makefile" };
		const char *d = o->modules.v[i];
		bool found = false;

		if (stat(d, &st) || !S_ISDIR(st.st_mode))
			return fb_usage("option '--modules': '%s' is not a directory", d);
		/* the three layouts --modules takes; /etc is none of them */
		for (size_t m = 0; m < ARRAY_SIZE(marks) && !found; m++) {
			char *p = xasprintf("%s/%s", d, marks[m]);

			found = !access(p, F_OK);
			free(p);
		}
		if (!found)
			return fb_usage(
			    "option '--modules': '%s' holds no kernel modules (no "
			    "lib/modules, modules.order, modules.dep or build tree in it)",
			    d);
	}
	if (o->results && !*o->results)
		return fb_usage("option '--results' is empty; name a directory");
	return FB_OK;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_opts o;
	struct opt_binding b = { vm_options, &o };
	struct vm_kernel *ks;
	int err, npos;

	/* Ctrl-C stops the guest (qemu is our child) and removes the work directory. */
	fb_install_signal_handlers();
	/* Not mixed: everything from the guest's command line on is the guest's. */
	err = opt_parse_command(&b, argc, argv, false, usage, &npos);
	if (err) {
		free(o.kernel.v);
		free(o.modules.v);
		return err < 0 ? FB_OK : err;
	}
	if (!npos)
		err = fb_usage(
		    "vm needs a command to run in the guest after '--', like '-- run nopage'");
	if (!err)
		err = check_vm_options(&o);
	if (!err && !o.kernel.n)
		err = check_kernel(NULL);
	ks = xcalloc(o.kernel.n + 1, sizeof(*ks));
	if (!err)
		err = prepare_kernels(&o, ks, npos, argv + 1);
	if (!err && (o.kernel.n > 1 || o.boots > 1))
		err = boot_interleaved(&o, ks, npos, argv + 1);
	else if (!err)
		err = boot_once(&o, &ks[0], npos, argv + 1);
	free_kernels(ks, o.kernel.n);
	free(o.kernel.v);
	free(o.modules.v);
	return err;
}
