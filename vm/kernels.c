// SPDX-License-Identifier: GPL-2.0
/*
 * Each --kernel before any boot: a bzImage that is whole, its release, its
 * modules (each --modules DIR matched to the kernels by release, else the
 * directory beside the image or its build tree) and its .config, and what the
 * guest needs of that config.  A kernel that could not reach its scratch disk,
 * or lacks what the guest's command asks for, is refused here rather than
 * after minutes of booting under TCG (a bisection would call the commit bad).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kimage.h"
#include "kneeds.h"
#include "util.h"
#include "vm.h"

/*
 * A bzImage: the x86 boot protocol's "HdrS" magic at offset 0x202 (what
 * /boot/vmlinuz-* and arch/x86/boot/bzImage are).  Without it qemu fails
 * late with a message ("linux kernel too old to load a ram disk") that
 * points nowhere near the cause.
 */
int vm_check_kernel(const char *kernel)
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
 * can carry.  Checked against the kernel's .config when one is found;
 * without a .config the guest's init says what is missing.
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

/*
 * What the guest's topology and command ask of the kernel (lib/kneeds.c):
 * --page=thp on a kernel without THP would fail in the guest after minutes
 * of booting.
 */
static int check_guest_needs(const struct vm_opts *o, const struct vm_kernel *k, int argc,
			     char **argv)
{
	struct kneed needs[16];
	int conf = vm_suite_config_arg(o, argc, argv);
	char *ini = conf >= 0 ? read_text_file(argv[conf]) : NULL;
	char *text = k->config ? read_text_file(k->config) : NULL;
	size_t n = kneeds_find(argc, (const char *const *)argv, o->shell, ini, vm_guest_nodes(o),
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

/* The release, modules and .config of one kernel. */
static int find_kernel_parts(const struct vm_opts *o, struct vm_kernel *k)
{
	int err = vm_check_kernel(k->path);

	if (err)
		return err;
	k->release = kimage_release(k->path);
	if (!k->release)
		return o->modules.n ? fb_usage("vm: cannot read the release of %s from its header, "
					       "so --modules cannot be matched to it",
					       k->path)
				    : FB_OK;
	for (unsigned m = 0; m < o->modules.n && !k->modules; m++)
		k->modules = kimage_modules_in(o->modules.v[m], k->release);
	if (!k->modules && !o->modules.n)
		k->modules = kimage_modules_beside(k->path, k->release);
	k->config = kimage_config(k->path, k->release, k->modules);
	return FB_OK;
}

/* A --modules DIR that matches no kernel's release was meant for one: an error. */
static int check_modules_used(const struct vm_opts *o, const struct vm_kernel *ks, const char *dir)
{
	bool used = false;

	for (unsigned i = 0; i < o->kernel.n; i++) {
		char *d = ks[i].release ? kimage_modules_in(dir, ks[i].release) : NULL;

		used |= d != NULL;
		free(d);
	}
	if (used)
		return FB_OK;
	return fb_usage("option '--modules': '%s' holds no modules of %s%s (looked "
			"for lib/modules/<release> in it, a lib/modules/<release> "
			"directory, or a build tree of that release)",
			dir, o->kernel.n > 1 ? "any --kernel's release" : "",
			o->kernel.n == 1 && ks[0].release ? ks[0].release : "");
}

/*
 * Each --modules DIR is matched to the kernels by release, so "--kernel A
 * --kernel B --modules MA --modules MB" needs no order.
 */
int vm_prepare_kernels(const struct vm_opts *o, struct vm_kernel *ks, int argc, char **argv)
{
	unsigned i, m;
	int err = FB_OK;

	for (i = 0; i < o->kernel.n && !err; i++) {
		ks[i].path = o->kernel.v[i];
		err = find_kernel_parts(o, &ks[i]);
	}
	for (m = 0; m < o->modules.n && !err; m++)
		err = check_modules_used(o, ks, o->modules.v[m]);
	for (i = 0; i < o->kernel.n && !err; i++)
		err = check_kernel_config(&ks[i]);
	for (i = 0; i < o->kernel.n && !err; i++)
		err = check_guest_needs(o, &ks[i], argc, argv);
	return err;
}

void vm_free_kernels(struct vm_kernel *ks, unsigned n)
{
	for (unsigned i = 0; ks && i < n; i++) {
		free(ks[i].release);
		free(ks[i].modules);
		free(ks[i].config);
	}
	free(ks);
}
