// SPDX-License-Identifier: GPL-2.0
/*
 * After the guest powered off: its .fb-vm directory read off the scratch disk
 * with debugfs(8)'s rdump (no mount, no root needed; a file on a disk
 * survives a noisy serial console, which JSON between console markers would
 * not), then its output, exit status, OOM kills and result files, which
 * vm/guest_copy.c copies under --results with the "vm" object made here.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "guest_copy.h"
#include "spawn.h"
#include "util.h"
#include "vm.h"

int vm_extract(const struct vm *vm)
{
	char *debugfs = spawn_find_program("debugfs", "/sbin:/usr/sbin");
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
	ret = vm_run_logged(args, vm->qemu_log);
	ret = ret || stat(dir, &st) ? FB_FAIL : FB_OK;
	free(debugfs);
	free(req);
	free(dir);
	return ret;
}

/* The "vm" object of each result: the guest's kernel, topology and boot. */
static json_t *vm_metadata(const struct vm *vm, const char *release)
{
	const struct vm_topology *t = &vm->topo;
	char mem[32], kernel[PATH_MAX];
	json_t *m = json_object();

	opt_format(opt_find(vm_options, "mem"), vm->o, mem, sizeof(mem));
	if (!realpath(vm->kernel, kernel))
		snprintf(kernel, sizeof(kernel), "%s", vm->kernel);
	json_object_set_new(m, "accel", json_string(vm->accel_used));
	if (vm->fallback_reason)
		json_object_set_new(m, "accel_fallback", json_string(vm->fallback_reason));
	json_object_set_new(m, "numa", json_string(vm->o->numa));
	json_object_set_new(m, "nodes", json_integer(t->nodes));
	json_object_set_new(m, "cpus_per_node", json_integer(t->cpus_per_node));
	json_object_set_new(m, "smt", json_integer(vm->o->smt));
	json_object_set_new(m, "vcpus", json_integer(t->vcpus));
	json_object_set_new(m, "mem",
			    json_integer((json_int_t)(t->node_mem_mib * t->nodes * VM_MiB)));
	json_object_set_new(m, "kernel", json_string(kernel));
	json_object_set_new(m, "kernel_release", json_string(release ? release : "unknown"));
	if (vm->modules)
		json_object_set_new(m, "modules", json_string(vm->modules));
	if (t->bound) {
		json_t *h = json_array();

		for (unsigned i = 0; i < t->nodes; i++)
			json_array_append_new(h, json_integer(t->host_node[i]));
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
			vm->topo.node_mem_mib * vm->topo.nodes);
		json_object_set(meta, "oom_kills", kills);
	}
	json_decref(kills);
	free(text);
	free(path);
}

/* A file of .fb-vm: its text (output) or first line (uname, status), or NULL. */
static char *fbvm_file(const char *fbvm, const char *name, bool first_line)
{
	char *path = xasprintf("%s/%s", fbvm, name);
	char *s = first_line ? read_first_line(path) : read_text_file(path);

	free(path);
	return s;
}

/* The guest command's exit status off the disk, FB_FAIL when it did not finish. */
static int guest_status(const char *fbvm)
{
	char *s = fbvm_file(fbvm, "status", true);
	int status = FB_FAIL;

	if (s)
		status = atoi(s);
	else
		fb_warn("vm: the guest command did not finish (no exit status on the disk)");
	free(s);
	return status < 0 || status > 255 ? FB_FAIL : status;
}

/* Like the results: a new file, never written through a link planted there. */
static void keep_console(const struct vm *vm, const char *dest)
{
	if (vm_copy_below(vm->o->results, vm->console, dest))
		fb_warn("vm: cannot keep the guest's console log as %s", dest);
	else
		fprintf(stderr, "faultbench: vm: console log %s\n", dest);
}

int vm_collect(struct vm *vm)
{
	char *fbvm = xasprintf("%s/.fb-vm", vm->work), *out = xasprintf("%s/out", fbvm);
	char *output = fbvm_file(fbvm, "output", false), *release, *console;
	struct vm_copy c = { .results = vm->o->results };
	int status;

	if (output)
		fputs(output, stdout);
	fflush(stdout);
	free(output);
	release = fbvm_file(fbvm, "uname", true);
	status = guest_status(fbvm);
	c.meta = vm_metadata(vm, release);
	report_oom(vm, fbvm, c.meta);
	console = vm_console_dest(&c, out, release);
	if (console)
		json_object_set_new(c.meta, "console_log", json_string(console));
	vm_copy_results(&c, out);
	if (console && c.copied)
		keep_console(vm, console);
	free(console);
	if ((c.failed || c.refused) && !status)
		status = FB_FAIL;
	if (c.copied && !strcmp(vm->accel_used, "tcg"))
		fb_warn("vm: ran under TCG: timings compare only with other TCG runs of the same "
			"topology (%s, SMT %lld) on the same host",
			vm->o->numa, vm->o->smt);
	json_decref(c.meta);
	free(out);
	free(release);
	free(fbvm);
	vm->guest_status = status;
	return status;
}
