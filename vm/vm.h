/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest runner behind "faultbench vm": boot a kernel in a qemu guest of a
 * chosen NUMA topology, run a faultbench command line there and bring its
 * results back.  cmd/vm.c parses and calls these; each job has a file of its
 * own in vm/ (options, topology, kernels, initramfs, disk, qemu argv, boot,
 * extraction, the guest result copy, a session of boots), so that the pure
 * parts are unit-tested without a guest.
 */
#ifndef FB_VM_H
#define FB_VM_H

#include <stdbool.h>
#include <stdio.h>

#include "opt.h"

#define VM_QEMU_DEFAULT "qemu-system-x86_64"
/* qemu's pc machine takes at most 255 vCPUs with x2APIC. */
#define VM_MAX_VCPUS 255
#define VM_MAX_NODES 64
#define VM_MiB	     (1024ULL * 1024)

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

/* The values of vm_options[] (vm/options.c). */
struct vm_opts {
	struct opt_strlist kernel;
	struct opt_strlist modules;
	long long boots;
	const char *labels;
	const char *numa;
	long long smt;
	unsigned long long mem;
	const char *host_nodes;
	int accel; /* enum vm_accel */
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

extern const struct opt vm_options[];

/* The guest's shape, from --numa, --smt, --mem and --host-nodes (vm/topology.c). */
struct vm_topology {
	unsigned nodes, cpus_per_node, vcpus, smt;
	unsigned long long node_mem_mib;
	bool bound;			  /* --host-nodes given */
	unsigned host_node[VM_MAX_NODES]; /* per guest node, when bound */
};

/* A kernel to boot and what was found with it before any boot (vm/kernels.c). */
struct vm_kernel {
	const char *path;
	char *release; /* from the bzImage header, or NULL */
	char *modules; /* its lib/modules/<release> or build tree, or NULL */
	char *config;  /* its .config, or NULL */
};

/* Everything one boot needs and finds out (vm/session.c owns it). */
struct vm {
	const struct vm_opts *o;
	struct vm_topology topo;
	const char *kernel;  /* of this boot */
	const char *modules; /* the kernel's modules, or NULL */
	char *work;	     /* scratch directory of this run */
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

/* vm/options.c: checks that need no kernel and no boot */

/*
 * Parse "faultbench vm"'s arguments (argv[0] is "vm"); *npos: how many
 * arguments of the guest's command follow at argv + 1.  FB_OK, FB_USAGE (the
 * message printed), or -1 when --help was printed.  vm_opts_free() after.
 */
int vm_parse_options(struct vm_opts *o, int argc, char **argv, int (*usage)(FILE *), int *npos);
void vm_opts_free(struct vm_opts *o);
/*
 * Options that need no kernel, checked before anything is looked up or
 * booted; avail: the host's available memory in bytes.
 */
int vm_check_options(const struct vm_opts *o, unsigned long long avail);
/* Several kernels or --boots: a run or suite command without its own --label. */
int vm_check_interleavable(const struct vm_opts *o, int argc, char **argv);
/* One label per kernel (--labels, else the file names), all distinct; free with vm_free_list. */
int vm_labels(const struct vm_opts *o, char ***labels);
/* "vmlinuz-6.1.0-56-cloud-amd64" -> "6.1.0-56-cloud-amd64" */
char *vm_kernel_label(const char *kernel);
/* argv with "--label LABEL" appended (the strings are argv's); free() the array. */
char **vm_with_label(int argc, char **argv, const char *label);
void vm_free_list(char **list, unsigned n);

/* vm/topology.c */

/*
 * The topology of --numa NODESxCPUS, --smt, --mem and --host-nodes; a
 * --host-nodes entry must satisfy host_has_node (NULL: a node in sysfs).
 */
int vm_topology_parse(const struct vm_opts *o, struct vm_topology *t,
		      bool (*host_has_node)(unsigned node));
/* NODES of --numa, or 0 when it is malformed (vm_topology_parse() says why). */
unsigned vm_guest_nodes(const struct vm_opts *o);

/* vm/kernels.c: each kernel's release, modules and .config, checked */
int vm_check_kernel(const char *kernel);
int vm_prepare_kernels(const struct vm_opts *o, struct vm_kernel *ks, int argc, char **argv);
void vm_free_kernels(struct vm_kernel *ks, unsigned n);

/* vm/guest_run.c */

/*
 * The guest's "run BENCH OPTIONS" prepared and checked on the host as run
 * would in the guest (engine/prepare.c), against the guest's topology:
 * FB_OK (also for commands the guest alone can judge: a --shell line,
 * another command) or FB_USAGE.
 */
int vm_check_guest_run(const struct vm_opts *o, int argc, char **argv);
/* The guest's topology as a hwloc synthetic description. */
char *vm_guest_topology_spec(const struct vm_topology *t);

/* vm/initramfs.c */
char *vm_scripts_dir(const char *exe_dir);
/* The index of a suite's .ini argument the initramfs carries, or -1. */
int vm_suite_config_arg(const struct vm_opts *o, int argc, char **argv);
/* The script /fb/cmd the guest's init runs, for the command argv. */
int vm_write_guest_command(FILE *f, bool shell, int argc, char **argv);
int vm_build_initramfs(struct vm *vm, int argc, char **argv);

/* vm/disk.c */
int vm_make_disk(struct vm *vm);

/* vm/qemu_argv.c */

/* The kernel command line parameters a TCG guest needs ("" under KVM). */
const char *vm_tcg_boot_params(const struct vm *vm, enum vm_accel accel);
/*
 * The qemu command line of one boot, NULL-terminated, every string owned by
 * the array (vm_free_argv()); sets vm->append_used.
 */
char **vm_qemu_argv(struct vm *vm, enum vm_accel accel, const char *qemu);
void vm_free_argv(char **a);

/* vm/boot.c */
int vm_boot_with_accel(struct vm *vm);
char *vm_qemu_version(const char *qemu);
/* "the guest kernel froze (...)" when the console shows a soft lockup, else NULL. */
char *vm_console_froze(const char *console);
/* The init's "FB-VM: error WHAT" or the guest kernel's panic in console, else NULL. */
char *vm_console_error(const char *console);
char *vm_guest_error(const struct vm *vm);
void vm_print_tail(const char *what, const char *path, unsigned lines);

/* vm/extract.c: the scratch disk's .fb-vm, read on the host after the boot */
int vm_extract(const struct vm *vm);
int vm_collect(struct vm *vm);

/* vm/session.c */
int vm_boot_once(const struct vm_opts *o, const struct vm_kernel *k, int argc, char **argv);
int vm_boot_interleaved(const struct vm_opts *o, const struct vm_kernel *ks, int argc, char **argv);

/* helpers the files share (vm/logrun.c) */
int vm_run_logged(char *const argv[], const char *log);
bool vm_is_file(const char *path);
bool vm_ends_with(const char *s, const char *suffix);

#endif
