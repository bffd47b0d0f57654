// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's initramfs: scripts/vm/mkinitramfs.sh packs busybox-static, the
 * init, this very faultbench binary (and fb-exec-helper, lstopo) with the
 * libraries ldd finds, the kernel's nvme and ext4 modules, a suite's config,
 * and /fb/cmd: the guest's command, written here.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "fsfile.h"
#include "spawn.h"
#include "util.h"
#include "vm.h"

/* The directory holding init and mkinitramfs.sh: $FB_VM_SCRIPTS, or next to the binary. */
char *vm_scripts_dir(const char *exe_dir)
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
		if (vm_is_file(init)) {
			free(init);
			return d;
		}
		free(init);
		free(d);
	}
	return NULL;
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

int vm_write_guest_command(FILE *f, bool shell, int argc, char **argv)
{
	int i;

	fprintf(f, "# written by faultbench vm on the host\n");
	if (shell) {
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
	return ferror(f) ? FB_FAIL : FB_OK;
}

static int write_command_file(const char *path, bool shell, int argc, char **argv)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return fb_fail("cannot write %s: %s", path, strerror(errno));
	ret = vm_write_guest_command(f, shell, argc, argv);
	if (fclose(f) || ret)
		return fb_fail("cannot write %s", path);
	return FB_OK;
}

/*
 * A suite's config is a file on the host: "suite FILE.ini ..." packs FILE
 * into the initramfs as /fb/conf/NAME and the guest's command names it
 * there.
 */
int vm_suite_config_arg(const struct vm_opts *o, int argc, char **argv)
{
	if (o->shell || argc < 2 || strcmp(argv[0], "suite"))
		return -1;
	for (int i = 1; i < argc; i++)
		if (vm_ends_with(argv[i], ".ini") && vm_is_file(argv[i]))
			return i;
	return -1;
}

/* /fb/cmd: argv, with a suite's config named where the initramfs puts it. */
static int write_cmd(const struct vm *vm, const char *path, int conf, int argc, char **argv)
{
	const char *base;
	char **gargv;
	char *guest_conf;
	int ret;

	if (conf < 0)
		return write_command_file(path, vm->o->shell, argc, argv);
	base = strrchr(argv[conf], '/') ? strrchr(argv[conf], '/') + 1 : argv[conf];
	gargv = xcalloc((size_t)argc + 1, sizeof(*gargv));
	memcpy(gargv, argv, (size_t)argc * sizeof(*gargv));
	guest_conf = xasprintf("/fb/conf/%s", base);
	gargv[conf] = guest_conf;
	ret = write_command_file(path, vm->o->shell, argc, gargv);
	free(gargv);
	free(guest_conf);
	return ret;
}

/* mkinitramfs.sh's command line and its run; the strings of the FILE list are freed here. */
static int run_mkinitramfs(struct vm *vm, const char *mk, const char *init, const char *cmd,
			   const char *conf, const char *self)
{
	char *args[16], path[PATH_MAX], *helper = NULL, *lstopo, *self_arg;
	unsigned n = 0;
	int ret;

	/* the guest's faultbench finds it beside itself, under its usual name */
	if (!fsfile_exec_helper(path, sizeof(path)))
		helper = xasprintf("%s=fb-exec-helper", path);
	lstopo = spawn_find_program("lstopo-no-graphics", NULL);
	args[n++] = "sh";
	args[n++] = (char *)mk;
	if (vm->modules) {
		/* the few the guest needs to reach its disk; the log names them */
		args[n++] = "-m";
		args[n++] = (char *)vm->modules;
	}
	if (conf) {
		args[n++] = "-c";
		args[n++] = (char *)conf;
	}
	args[n++] = vm->initrd;
	args[n++] = (char *)init;
	args[n++] = (char *)cmd;
	args[n++] = self_arg = xasprintf("%s=faultbench", self);
	if (helper)
		args[n++] = helper;
	/* hwloc's own view of the guest, to check plans against (tests, docs). */
	if (lstopo)
		args[n++] = lstopo;
	args[n] = NULL;
	ret = vm_run_logged(args, vm->qemu_log);
	if (ret) {
		char *log = read_text_file(vm->qemu_log);

		ret = fb_fail("building the initramfs failed (exit %d): %s", ret, log ? log : "");
		free(log);
	}
	free(self_arg);
	free(helper);
	free(lstopo);
	return ret;
}

int vm_build_initramfs(struct vm *vm, int argc, char **argv)
{
	char *scripts = vm_scripts_dir(vm->exe_dir), *init, *mk, *cmd, *self;
	int conf, ret;

	if (!scripts)
		return fb_fail(
		    "cannot find scripts/vm (the initramfs' init) next to %s; set FB_VM_SCRIPTS",
		    vm->exe_dir);
	init = xasprintf("%s/init", scripts);
	mk = xasprintf("%s/mkinitramfs.sh", scripts);
	cmd = xasprintf("%s/cmd", vm->work);
	self = xasprintf("%s/faultbench", vm->exe_dir);
	if (!vm_is_file(self)) {
		free(self);
		self = xstrdup("/proc/self/exe");
	}
	conf = vm_suite_config_arg(vm->o, argc, argv);
	ret = write_cmd(vm, cmd, conf, argc, argv);
	if (!ret)
		ret = run_mkinitramfs(vm, mk, init, cmd, conf >= 0 ? argv[conf] : NULL, self);
	free(init);
	free(mk);
	free(cmd);
	free(self);
	free(scripts);
	return ret;
}
