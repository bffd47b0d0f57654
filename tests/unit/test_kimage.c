// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/kimage.c: the release read from a bzImage header
 * (including headers that lie), .config values, and where a kernel's
 * modules and config are found in the three layouts vm accepts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsfile.h"
#include "kimage.h"
#include "util.h"

#define IMG 0x1000

/* A setup header with "HdrS" and the version string at 0x200 + off. */
static void fake_header(unsigned char *img, unsigned off, const char *version)
{
	memset(img, 0, IMG);
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = off & 0xff;
	img[0x20f] = off >> 8;
	if (version)
		memcpy(img + 0x200 + off, version, strlen(version) + 1);
}

static void release_from_header(void **state)
{
	unsigned char img[IMG];
	char *r;

	fake_header(img, 0x300, "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP");
	r = kimage_release_from(img, sizeof(img));
	assert_string_equal(r, "6.1.0-57-amd64");
	free(r);
	/* no magic, no pointer, a pointer past the end, a name that is a path */
	img[0x202] = 'X';
	assert_null(kimage_release_from(img, sizeof(img)));
	fake_header(img, 0, NULL);
	assert_null(kimage_release_from(img, sizeof(img)));
	fake_header(img, 0xf000, NULL);
	assert_null(kimage_release_from(img, sizeof(img)));
	fake_header(img, 0x300, "../../etc #1");
	assert_null(kimage_release_from(img, sizeof(img)));
	/* a string running to the end of what was read */
	fake_header(img, 0x300, NULL);
	memset(img + 0x500, 'a', IMG - 0x500);
	assert_null(kimage_release_from(img, sizeof(img)));
	assert_null(kimage_release_from(img, 0x100));
}

/* The size the header claims, and a file cut short of it. */
static void truncated_image(void **state)
{
	unsigned char img[IMG];
	unsigned long long want = 0, have = 0;
	char path[] = "/tmp/fb-kimage-XXXXXX";
	int fd;

	(void)state;
	fake_header(img, 0x300, "6.1.0-57-amd64 #1");
	img[0x206] = 0x0f; /* protocol 2.15 */
	img[0x207] = 0x02;
	img[0x1f1] = 3;	   /* 3 setup sectors: 2048 bytes with the boot sector */
	img[0x1f4] = 0x80; /* syssize 0x80 paragraphs: 2048 bytes */
	assert_int_equal(kimage_size_from(img, sizeof(img)), 4096);
	img[0x1f1] = 0; /* 0 means 4 */
	assert_int_equal(kimage_size_from(img, sizeof(img)), 5 * 512 + 2048);
	img[0x206] = 0x03; /* protocol 2.03: no syssize to trust */
	assert_int_equal(kimage_size_from(img, sizeof(img)), 0);
	img[0x206] = 0x0f;
	assert_int_equal(kimage_size_from(img, 0x100), 0);
	/* a file of the claimed size (and a signature after it) is whole; less is not */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, img, sizeof(img)), sizeof(img));
	assert_int_equal(ftruncate(fd, 5 * 512 + 2048 + 1472), 0);
	assert_false(kimage_truncated(path, &want, &have));
	assert_int_equal(ftruncate(fd, 5 * 512 + 2047), 0);
	assert_true(kimage_truncated(path, &want, &have));
	assert_int_equal(want, 5 * 512 + 2048);
	assert_int_equal(have, 5 * 512 + 2047);
	close(fd);
	unlink(path);
	assert_false(kimage_truncated("/nonexistent/bzImage", &want, &have));
}

static void config_values(void **state)
{
	const char *cfg = "# CONFIG_FOO is not set\nCONFIG_EXT4_FS=m\nCONFIG_EXT4_FS_POSIX_ACL=y\n"
			  "CONFIG_BLK_DEV_NVME=y";

	assert_int_equal(kconfig_value(cfg, "CONFIG_EXT4_FS"), 'm');
	assert_int_equal(kconfig_value(cfg, "CONFIG_BLK_DEV_NVME"), 'y');
	assert_int_equal(kconfig_value(cfg, "CONFIG_FOO"), 'n');
	assert_int_equal(kconfig_value(cfg, "CONFIG_EXT4"), 'n');
	assert_int_equal(kconfig_value("", "CONFIG_X"), 'n');
}

static char root[64];

static void mk(const char *rel_path, const char *text)
{
	char *p = xasprintf("%s/%s", root, rel_path), *slash = strrchr(p, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(p), 0);
	*slash = '/';
	if (text) {
		FILE *f = fopen(p, "w");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	free(p);
}

static void assert_path(char *got, const char *want_rel)
{
	char *want = xasprintf("%s/%s", root, want_rel);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(want);
	free(got);
}

static int make_tree(void **state)
{
	snprintf(root, sizeof(root), "/tmp/fb-kimage-XXXXXX");
	assert_non_null(mkdtemp(root));
	/* a .deb unpacked by fetch-kernel.sh */
	mk("deb/boot/vmlinuz-6.1.0-57-amd64", "");
	mk("deb/boot/config-6.1.0-57-amd64", "CONFIG_EXT4_FS=m\n");
	mk("deb/lib/modules/6.1.0-57-amd64/kernel/fs/ext4/ext4.ko", "");
	/* make modules_install INSTALL_MOD_PATH=inst */
	mk("inst/lib/modules/6.18.0-rc1+/modules.order", "");
	/* a build tree */
	mk("tree/include/config/kernel.release", "6.18.0-rc1+\n");
	mk("tree/modules.order", "");
	mk("tree/.config", "CONFIG_EXT4_FS=y\n");
	mk("tree/arch/x86/boot/bzImage", "");
	return 0;
}

static int remove_tree(void **state)
{
	assert_int_equal(fsfile_remove_tree(root), 0);
	return 0;
}

static void modules_found(void **state)
{
	char *d;

	d = xasprintf("%s/inst", root);
	assert_path(kimage_modules_in(d, "6.18.0-rc1+"), "inst/lib/modules/6.18.0-rc1+");
	assert_null(kimage_modules_in(d, "6.1.0-57-amd64"));
	free(d);
	d = xasprintf("%s/inst/lib/modules/6.18.0-rc1+/", root);
	assert_path(kimage_modules_in(d, "6.18.0-rc1+"), "inst/lib/modules/6.18.0-rc1+");
	free(d);
	d = xasprintf("%s/tree", root);
	assert_path(kimage_modules_in(d, "6.18.0-rc1+"), "tree");
	assert_null(kimage_modules_in(d, "6.18.0"));
	free(d);

	d = xasprintf("%s/deb/boot/vmlinuz-6.1.0-57-amd64", root);
	assert_path(kimage_modules_beside(d, "6.1.0-57-amd64"),
		    "deb/boot/../lib/modules/6.1.0-57-amd64");
	assert_path(kimage_config(d, "6.1.0-57-amd64", NULL), "deb/boot/config-6.1.0-57-amd64");
	assert_null(kimage_modules_beside(d, "6.1.0-58-amd64"));
	free(d);
	d = xasprintf("%s/tree/arch/x86/boot/bzImage", root);
	assert_path(kimage_modules_beside(d, "6.18.0-rc1+"), "tree/arch/x86/boot/../../..");
	assert_path(kimage_config(d, "6.18.0-rc1+", NULL), "tree/arch/x86/boot/../../../.config");
	/* a tree that built another release: neither its modules nor its config */
	assert_null(kimage_modules_beside(d, "6.17.0"));
	assert_null(kimage_config(d, "6.17.0", NULL));
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(release_from_header),
		cmocka_unit_test(truncated_image),
		cmocka_unit_test(config_values),
		cmocka_unit_test_setup_teardown(modules_found, make_tree, remove_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
