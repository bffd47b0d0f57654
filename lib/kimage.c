// SPDX-License-Identifier: GPL-2.0
/*
 * A kernel image and what goes with it, for `faultbench vm`: see kimage.h.
 * Everything here reads files a user pointed at; nothing is run.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kimage.h"
#include "util.h"

/* The x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). */
#define HDR_MAGIC_OFF	   0x202 /* "HdrS" */
#define HDR_KVERSION_OFF   0x20e /* u16: the version string's offset, less 0x200 */
#define HDR_KVERSION_SHIFT 0x200
#define HDR_READ	   0x8000 /* the string lives in the setup code, well within */
#define HDR_SETUP_SECTS_OFF                                                                        \
	0x1f1		      /* u8: 512-byte setup sectors after the boot sector; 0 means 4       \
			       */
#define HDR_SYSSIZE_OFF 0x1f4 /* u32: the protected-mode code's size in 16-byte units */
#define HDR_VERSION_OFF 0x206 /* u16: the boot protocol's version; syssize is from 2.04 on */

bool kimage_is_bzimage(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && pread(fd, magic, sizeof(magic), HDR_MAGIC_OFF) == sizeof(magic) &&
		  !memcmp(magic, "HdrS", 4);

	if (fd >= 0)
		close(fd);
	return ok;
}

char *kimage_release_from(const unsigned char *img, size_t len)
{
	size_t off, n = 0;
	char rel[FB_NAME_MAX + 1];

	if (len < HDR_KVERSION_OFF + 2 || memcmp(img + HDR_MAGIC_OFF, "HdrS", 4))
		return NULL;
	off = (size_t)(img[HDR_KVERSION_OFF] | img[HDR_KVERSION_OFF + 1] << 8);
	if (!off)
		return NULL;
	off += HDR_KVERSION_SHIFT;
	/* "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP ...": the first word */
	while (off + n < len && n < FB_NAME_MAX && img[off + n] && img[off + n] != ' ') {
		rel[n] = (char)img[off + n];
		n++;
	}
	rel[n] = '\0';
	/* cut off by the end of what was read, or too long a name: not a release */
	if (off + n >= len || n == FB_NAME_MAX)
		return NULL;
	/* a release names a directory (lib/modules/<release>): the name grammar */
	return n && fb_name_ok(rel) ? xstrdup(rel) : NULL;
}

char *kimage_release(const char *path)
{
	unsigned char *img = xmalloc(HDR_READ);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? pread(fd, img, HDR_READ, 0) : -1;
	char *rel = n > 0 ? kimage_release_from(img, (size_t)n) : NULL;

	if (fd >= 0)
		close(fd);
	free(img);
	return rel;
}

unsigned long long kimage_size_from(const unsigned char *img, size_t len)
{
	unsigned setup, version;
	unsigned long long sys;

	if (len < HDR_VERSION_OFF + 2 || memcmp(img + HDR_MAGIC_OFF, "HdrS", 4))
		return 0;
	version = img[HDR_VERSION_OFF] | img[HDR_VERSION_OFF + 1] << 8;
	if (version < 0x0204)
		return 0;
	setup = img[HDR_SETUP_SECTS_OFF] ? img[HDR_SETUP_SECTS_OFF] : 4;
	sys = (unsigned long long)img[HDR_SYSSIZE_OFF] |
	      (unsigned long long)img[HDR_SYSSIZE_OFF + 1] << 8 |
	      (unsigned long long)img[HDR_SYSSIZE_OFF + 2] << 16 |
	      (unsigned long long)img[HDR_SYSSIZE_OFF + 3] << 24;
	return (setup + 1ULL) * 512 + sys * 16;
}

bool kimage_truncated(const char *path, unsigned long long *want, unsigned long long *have)
{
	unsigned char hdr[HDR_VERSION_OFF + 2];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	bool ok =
	    fd >= 0 && !fstat(fd, &st) && pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr);

	if (fd >= 0)
		close(fd);
	if (!ok)
		return false;
	*want = kimage_size_from(hdr, sizeof(hdr));
	*have = (unsigned long long)st.st_size;
	return *want && *have < *want;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static bool exists_in(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name);
	bool ok = !access(p, F_OK);

	free(p);
	return ok;
}

/* A kernel build tree of release rel: include/config/kernel.release, written by every build. */
static bool is_build_tree(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/include/config/kernel.release", dir);
	char *line = read_first_line(p);
	bool ok = line && !strcmp(line, rel);

	free(line);
	free(p);
	return ok;
}

char *kimage_modules_in(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/lib/modules/%s", dir, rel);
	const char *base;
	size_t n = strlen(dir);

	if (is_dir(p))
		return p;
	free(p);
	/* dir itself is lib/modules/<rel> (trailing slashes allowed) */
	while (n > 1 && dir[n - 1] == '/')
		n--;
	base = dir + n;
	while (base > dir && base[-1] != '/')
		base--;
	if ((size_t)(dir + n - base) == strlen(rel) && !strncmp(base, rel, strlen(rel)) &&
	    (exists_in(dir, "modules.order") || exists_in(dir, "kernel")))
		return xasprintf("%.*s", (int)n, dir);
	if (is_build_tree(dir, rel))
		return xstrdup(dir);
	return NULL;
}

/* The directory part of path ("." when none): malloc'd. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	return slash == path ? xstrdup("/") : xasprintf("%.*s", (int)(slash - path), path);
}

char *kimage_modules_beside(const char *kernel, const char *rel)
{
	char *dir = dir_of(kernel), *p;

	/* X/boot/vmlinuz-<rel>: X/lib/modules/<rel> */
	p = xasprintf("%s/../lib/modules/%s", dir, rel);
	if (!is_dir(p)) {
		free(p);
		/* T/arch/x86/boot/bzImage: the build tree T */
		p = xasprintf("%s/../../..", dir);
		if (!is_build_tree(p, rel) || !exists_in(p, "modules.order")) {
			free(p);
			p = NULL;
		}
	}
	free(dir);
	return p;
}

char *kimage_config(const char *kernel, const char *rel, const char *moddir)
{
	char *dir = dir_of(kernel), *cand[4];
	char *found = NULL;
	unsigned i;

	cand[0] = xasprintf("%s/config-%s", dir, rel);
	cand[1] = xasprintf("%s/../../../.config", dir);
	cand[2] = moddir ? xasprintf("%s/.config", moddir) : NULL;
	cand[3] = moddir ? xasprintf("%s/build/.config", moddir) : NULL;
	for (i = 0; i < ARRAY_SIZE(cand); i++) {
		if (!found && cand[i] && !access(cand[i], R_OK)) {
			/* a build tree's .config only when the tree built this release */
			if (i == 1) {
				char *tree = xasprintf("%s/../../..", dir);
				bool ok = is_build_tree(tree, rel);

				free(tree);
				if (!ok)
					continue;
			}
			found = cand[i];
			cand[i] = NULL;
		}
	}
	for (i = 0; i < ARRAY_SIZE(cand); i++)
		free(cand[i]);
	free(dir);
	return found;
}

int kconfig_value(const char *text, const char *sym)
{
	size_t n = strlen(sym);
	const char *p = text;

	while (p && *p) {
		if (!strncmp(p, sym, n) && p[n] == '=' && (p[n + 1] == 'y' || p[n + 1] == 'm'))
			return p[n + 1];
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return 'n';
}
