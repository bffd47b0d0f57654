// SPDX-License-Identifier: GPL-2.0
/*
 * vm's options table and the checks that need no kernel and no boot: labels,
 * the guest's memory against the host's, --modules layouts, --results, and
 * what several kernels or --boots ask of the guest's command.  All of it runs
 * before anything is looked up or booted (issue 23 D5: a bad label or a 4T
 * guest used to start qemu first).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"

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
	  .min = 256.0 * VM_MiB,
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
	  .min = 64.0 * VM_MiB,
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
	  .def = VM_QEMU_DEFAULT,
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

int vm_parse_options(struct vm_opts *o, int argc, char **argv, int (*usage)(FILE *), int *npos)
{
	struct opt_binding b = { vm_options, o };
	int err;

	/* Not mixed: everything from the guest's command line on is the guest's. */
	err = opt_parse_command(&b, argc, argv, false, usage, npos);
	if (!err && !*npos)
		err = fb_usage(
		    "vm needs a command to run in the guest after '--', like '-- run nopage'");
	return err;
}

void vm_opts_free(struct vm_opts *o)
{
	free(o->kernel.v);
	free(o->modules.v);
	o->kernel.v = o->modules.v = NULL;
}

/* Each label a name (it names a directory under --results and goes into the guest). */
static int check_labels(const char *labels)
{
	char *copy = xstrdup(labels), *save = NULL, *l;
	int err = *copy && copy[strlen(copy) - 1] != ','
		      ? FB_OK
		      : fb_usage("option '--labels': '%s' has an empty label", labels);

	for (l = strtok_r(copy, ",", &save); l && !err; l = strtok_r(NULL, ",", &save))
		err = fb_check_name("option '--labels'", l);
	if (!err && (*labels == ',' || strstr(labels, ",,")))
		err = fb_usage("option '--labels': '%s' has an empty label", labels);
	free(copy);
	return err;
}

/* The three layouts --modules takes; /etc is none of them. */
static int check_modules_dir(const char *d)
{
	static const char *const marks[] = { "lib/modules", "modules.order", "modules.dep",
					     "Makefile" };
	struct stat st;
	bool found = false;

	if (stat(d, &st) || !S_ISDIR(st.st_mode))
		return fb_usage("option '--modules': '%s' is not a directory", d);
	for (size_t m = 0; m < ARRAY_SIZE(marks) && !found; m++) {
		char *p = xasprintf("%s/%s", d, marks[m]);

		found = !access(p, F_OK);
		free(p);
	}
	if (!found)
		return fb_usage("option '--modules': '%s' holds no kernel modules (no "
				"lib/modules, modules.order, modules.dep or build tree in it)",
				d);
	return FB_OK;
}

int vm_check_options(const struct vm_opts *o, unsigned long long avail)
{
	int err;

	if (o->labels && (err = check_labels(o->labels)))
		return err;
	if (o->mem > avail)
		return fb_usage("option '--mem': %llu MiB for the guest, more than the %llu MiB "
				"available on this host",
				o->mem / VM_MiB, avail / VM_MiB);
	for (unsigned i = 0; i < o->modules.n; i++)
		if ((err = check_modules_dir(o->modules.v[i])))
			return err;
	if (o->results && !*o->results)
		return fb_usage("option '--results' is empty; name a directory");
	return FB_OK;
}

int vm_check_interleavable(const struct vm_opts *o, int argc, char **argv)
{
	if (o->shell)
		return fb_usage("vm: several kernels or --boots need a faultbench command (run or "
				"suite), not --shell: each boot's results get the kernel's label");
	if (argc < 1 || (strcmp(argv[0], "run") && strcmp(argv[0], "suite")))
		return fb_usage("vm: several kernels or --boots run 'run' or 'suite' in the guest, "
				"not '%s'",
				argc < 1 ? "" : argv[0]);
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--label") || !strncmp(argv[i], "--label=", 8))
			return fb_usage("vm: with several kernels or --boots the labels come from "
					"--labels, not the guest command's --label");
	return FB_OK;
}

char *vm_kernel_label(const char *kernel)
{
	const char *base = strrchr(kernel, '/') ? strrchr(kernel, '/') + 1 : kernel;

	if (!strncmp(base, "vmlinuz-", 8) && base[8])
		base += 8;
	return xstrdup(base);
}

void vm_free_list(char **list, unsigned n)
{
	for (unsigned i = 0; list && i < n; i++)
		free(list[i]);
	free(list);
}

/* The labels of --labels, or the kernels' file names, one per kernel. */
static int gather_labels(const struct vm_opts *o, char **labels)
{
	unsigned n = o->kernel.n, i;
	char *copy = o->labels ? xstrdup(o->labels) : NULL, *save = NULL, *tok;

	tok = copy ? strtok_r(copy, ",", &save) : NULL;
	for (i = 0; i < n; i++) {
		if (copy && !tok) {
			free(copy);
			return fb_usage("option '--labels': '%s' names %u label%s for %u kernels",
					o->labels, i, i == 1 ? "" : "s", n);
		}
		labels[i] = tok ? xstrdup(tok) : vm_kernel_label(o->kernel.v[i]);
		tok = copy ? strtok_r(NULL, ",", &save) : NULL;
	}
	free(copy);
	if (tok)
		return fb_usage("option '--labels': '%s' names more labels than the %u kernels",
				o->labels, n);
	return FB_OK;
}

int vm_labels(const struct vm_opts *o, char ***labels)
{
	unsigned n = o->kernel.n, i, j;
	int err;

	*labels = xcalloc(n + 1, sizeof(**labels));
	err = gather_labels(o, *labels);
	for (i = 0; i < n && !err; i++)
		/* a label names a directory under --results and goes into the guest */
		if (fb_check_name("option '--labels'", (*labels)[i]))
			err = FB_USAGE;
	for (i = 0; i < n && !err; i++)
		for (j = 0; j < i && !err; j++)
			if (!strcmp((*labels)[i], (*labels)[j]))
				err = fb_usage("vm: kernels %u and %u would both be labelled '%s': "
					       "name them with --labels A,B",
					       j + 1, i + 1, (*labels)[i]);
	return err;
}

char **vm_with_label(int argc, char **argv, const char *label)
{
	char **a = xcalloc((size_t)argc + 3, sizeof(*a));

	memcpy(a, argv, (size_t)argc * sizeof(*a));
	a[argc] = "--label";
	a[argc + 1] = (char *)label;
	return a;
}
