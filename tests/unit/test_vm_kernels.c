// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/kernels.c: each --kernel checked before a boot, its
 * modules looked up (beside the image, or each --modules DIR matched to the
 * kernels by release, in any order), its .config judged for what the guest
 * needs (the scratch disk's driver and filesystem built in or as modules
 * that were found, NUMA for a guest of several nodes), with the git-style
 * usage errors (exit 2) a user sees.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsfile.h"
#include "util.h"
#include "vm.h"

#define IMG 0x1000

static char root[64];

static char *at(const char *rel)
{
	return xasprintf("%s/%s", root, rel);
}

static void put(const char *rel, const void *data, size_t len)
{
	char *p = at(rel), *slash = strrchr(p, '/');
	FILE *f;

	*slash = '\0';
	assert_int_equal(mkdir_p(p), 0);
	*slash = '/';
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	free(p);
}

/* A whole bzImage (as far as its header says) of release rel. */
static void put_kernel(const char *path, const char *rel)
{
	unsigned char img[IMG] = { 0 };
	char *version = xasprintf("%s #1 SMP", rel);

	memcpy(img + 0x202, "HdrS", 4);
	img[0x206] = 0x0f; /* protocol 2.15 */
	img[0x207] = 0x02;
	img[0x1f1] = 3;	   /* 3 setup sectors: 2048 bytes with the boot sector */
	img[0x1f4] = 0x80; /* syssize: 2048 bytes */
	img[0x20e] = 0x00; /* the version string at 0x200 + 0x100 */
	img[0x20f] = 0x01;
	memcpy(img + 0x300, version, strlen(version) + 1);
	put(path, img, sizeof(img));
	free(version);
}

#define CFG_ALL                                                                                    \
	"CONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\nCONFIG_SERIAL_8250_CONSOLE=y\nCONFIG_NUMA="   \
	"y\n"

static void put_text(const char *rel, const char *text)
{
	put(rel, text, strlen(text));
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/fb-test-vmkernels.XXXXXX");
	assert_non_null(mkdtemp(root));
	/* a .deb unpacked by fetch-kernel.sh: modules and config beside */
	put_kernel("deb/boot/vmlinuz-6.1.0-57-amd64", "6.1.0-57-amd64");
	put_text("deb/boot/config-6.1.0-57-amd64",
		 CFG_ALL "CONFIG_BLK_DEV_NVME=m\nCONFIG_EXT4_FS=m\n");
	put_text("deb/lib/modules/6.1.0-57-amd64/modules.order", "");
	/* a kernel alone, its config asking for modules nobody has */
	put_kernel("lone/boot/vmlinuz-6.2.0", "6.2.0");
	put_text("lone/boot/config-6.2.0", CFG_ALL "CONFIG_BLK_DEV_NVME=m\nCONFIG_EXT4_FS=y\n");
	/* its modules installed elsewhere, and another release's */
	put_text("mods62/lib/modules/6.2.0/modules.order", "");
	put_text("mods63/lib/modules/6.3.0/modules.order", "");
	/* built without an initramfs, without NUMA */
	put_kernel("noinitrd/boot/vmlinuz-6.4.0", "6.4.0");
	put_text("noinitrd/boot/config-6.4.0",
		 "CONFIG_DEVTMPFS=y\nCONFIG_BLK_DEV_NVME=y\nCONFIG_EXT4_FS=y\n");
	put_kernel("nonuma/boot/vmlinuz-6.5.0", "6.5.0");
	put_text("nonuma/boot/config-6.5.0",
		 "CONFIG_BLK_DEV_INITRD=y\nCONFIG_DEVTMPFS=y\nCONFIG_SERIAL_8250_CONSOLE=y\n"
		 "CONFIG_BLK_DEV_NVME=y\nCONFIG_EXT4_FS=y\n");
	put_text("notakernel", "hello");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fsfile_remove_tree(root);
	return 0;
}

/* vm_prepare_kernels() on kernels and --modules (relative to root), guest 1x2 running run pf1. */
static int prepare(const char *const *kernels, unsigned nk, const char *const *mods, unsigned nm,
		   const char *numa, struct vm_kernel **out)
{
	struct vm_opts o;
	const char *kv[4], *mv[4];
	char *paths[8];
	char *cmd[] = { "run", "pf1", NULL };
	struct vm_kernel *ks = xcalloc(nk + 1, sizeof(*ks));
	int err;

	opt_set_defaults(vm_options, &o);
	o.numa = numa;
	for (unsigned i = 0; i < nk; i++)
		kv[i] = paths[i] = at(kernels[i]);
	for (unsigned i = 0; i < nm; i++)
		mv[i] = paths[nk + i] = at(mods[i]);
	o.kernel = (struct opt_strlist){ .v = kv, .n = nk };
	o.modules = (struct opt_strlist){ .v = mv, .n = nm };
	err = vm_prepare_kernels(&o, ks, 2, cmd);
	for (unsigned i = 0; i < nk + nm; i++)
		free(paths[i]);
	if (out) {
		/* the paths were freed: callers look at what was found only */
		for (unsigned i = 0; i < nk; i++)
			ks[i].path = NULL;
		*out = ks;
	} else {
		vm_free_kernels(ks, nk);
	}
	return err;
}

static void beside_the_image(void **state)
{
	struct vm_kernel *ks;
	char *want;

	(void)state;
	assert_int_equal(
	    prepare((const char *[]){ "deb/boot/vmlinuz-6.1.0-57-amd64" }, 1, NULL, 0, "1x2", &ks),
	    FB_OK);
	assert_string_equal(ks[0].release, "6.1.0-57-amd64");
	want = at("deb/boot/../lib/modules/6.1.0-57-amd64");
	assert_string_equal(ks[0].modules, want);
	free(want);
	want = at("deb/boot/config-6.1.0-57-amd64");
	assert_string_equal(ks[0].config, want);
	free(want);
	vm_free_kernels(ks, 1);
}

/* --modules matched by release, whatever their order. */
static void matched_by_release(void **state)
{
	struct vm_kernel *ks;

	(void)state;
	assert_int_equal(prepare((const char *[]){ "lone/boot/vmlinuz-6.2.0" }, 1,
				 (const char *[]){ "mods63", "mods62" }, 2, "1x2", &ks),
			 FB_USAGE);
	/* mods63 matches no kernel: it was meant for one */
	assert_non_null(strstr(fb_last_error(), "option '--modules': '"));
	assert_non_null(strstr(fb_last_error(), "mods63' holds no modules of 6.2.0"));
	vm_free_kernels(ks, 1);
	assert_int_equal(prepare((const char *[]){ "lone/boot/vmlinuz-6.2.0" }, 1,
				 (const char *[]){ "mods62" }, 1, "1x2", &ks),
			 FB_OK);
	assert_non_null(strstr(ks[0].modules, "mods62/lib/modules/6.2.0"));
	vm_free_kernels(ks, 1);
	/* two kernels, their modules given in the other order */
	assert_int_equal(prepare((const char *[]){ "deb/boot/vmlinuz-6.1.0-57-amd64",
						   "lone/boot/vmlinuz-6.2.0" },
				 2, (const char *[]){ "mods62", "deb" }, 2, "1x2", &ks),
			 FB_OK);
	assert_non_null(strstr(ks[0].modules, "deb/lib/modules/6.1.0-57-amd64"));
	assert_non_null(strstr(ks[1].modules, "mods62/lib/modules/6.2.0"));
	vm_free_kernels(ks, 2);
}

static void config_refused(void **state)
{
	(void)state;
	/* NVMe as a module and no modules found */
	assert_int_equal(
	    prepare((const char *[]){ "lone/boot/vmlinuz-6.2.0" }, 1, NULL, 0, "1x2", NULL),
	    FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "has CONFIG_BLK_DEV_NVME=m (the scratch disk's "
						"driver) and no modules of 6.2.0 were found: "
						"give --modules DIR"));
	assert_int_equal(
	    prepare((const char *[]){ "noinitrd/boot/vmlinuz-6.4.0" }, 1, NULL, 0, "1x2", NULL),
	    FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "lacks CONFIG_BLK_DEV_INITRD=y (the initramfs"));
	/* one node is fine without NUMA, two are not */
	assert_int_equal(
	    prepare((const char *[]){ "nonuma/boot/vmlinuz-6.5.0" }, 1, NULL, 0, "1x2", NULL),
	    FB_OK);
	assert_int_equal(
	    prepare((const char *[]){ "nonuma/boot/vmlinuz-6.5.0" }, 1, NULL, 0, "2x4", NULL),
	    FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "lacks CONFIG_NUMA, which a guest of 2 nodes"));
}

static void not_kernels(void **state)
{
	char *p = at("notakernel");

	(void)state;
	assert_int_equal(prepare((const char *[]){ "notakernel" }, 1, NULL, 0, "1x2", NULL),
			 FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "is not an x86 Linux kernel image"));
	assert_int_equal(vm_check_kernel(p), FB_USAGE);
	free(p);
	p = at("deb/boot");
	assert_int_equal(vm_check_kernel(p), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "is not a readable file"));
	free(p);
	/* cut short of what its header says */
	p = at("deb/boot/vmlinuz-6.1.0-57-amd64");
	assert_int_equal(truncate(p, 3000), 0);
	assert_int_equal(vm_check_kernel(p), FB_USAGE);
	assert_non_null(
	    strstr(fb_last_error(), "is truncated: 3000 bytes, and its header says 4096"));
	put_kernel("deb/boot/vmlinuz-6.1.0-57-amd64", "6.1.0-57-amd64");
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(beside_the_image),
		cmocka_unit_test(matched_by_release),
		cmocka_unit_test(config_refused),
		cmocka_unit_test(not_kernels),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, setup, teardown);
}
