/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A Linux source tree to build (kernbench --tree kernel): Debian's
 * linux-source package, installed on demand and unpacked once into a cache
 * that later runs reuse, or a tree or tarball named by $FB_LINUX_SOURCE.
 */
#ifndef FB_LINUX_SOURCE_H
#define FB_LINUX_SOURCE_H

#include <limits.h>
#include <stdbool.h>

/* The Debian package: 6.1 is Debian 12's kernel, the seed's kernbench era. */
#define LINUX_SOURCE_PKG "linux-source-6.1"

struct linux_source {
	char dir[PATH_MAX]; /* the source tree: never written (builds use O=) */
	char version[128];  /* the package's version, or the tree's/tarball's name */
};

/*
 * Can a source tree be had here?  FB_OK (perhaps after an install that
 * linux_source_get() will do), FB_USAGE for a bad $FB_LINUX_SOURCE, or
 * FB_SKIP with the reason and the apt-get command that would fix it.
 * full_config: a config beyond tinyconfig (defconfig, a .config), which
 * needs more build packages.
 */
int linux_source_check(bool full_config);

/*
 * The source tree: install what is missing (root and apt-get only), unpack
 * into the cache when it is not there yet.  FB_OK, FB_SKIP, FB_FAIL, or
 * 128 + signal when interrupted.  Messages are printed.
 */
int linux_source_get(struct linux_source *ls, bool full_config);

/* rm -rf PATH (a directory faultbench made): fsfile_remove_tree(), a warning if some is left. */
int linux_source_remove(const char *path);

#endif
