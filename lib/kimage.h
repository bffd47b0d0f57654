/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A kernel image as `faultbench vm` boots it: its release read from the
 * bzImage header, the modules that go with it (a Debian package unpacked
 * beside it, `make modules_install INSTALL_MOD_PATH=DIR`, or the build tree)
 * and its .config, so that a kernel lacking what the guest needs is refused
 * before it boots.
 */
#ifndef FB_KIMAGE_H
#define FB_KIMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* True when the file at path has the x86 boot protocol's "HdrS" magic (a bzImage). */
bool kimage_is_bzimage(const char *path);
/*
 * The kernel release of a bzImage ("6.1.0-57-amd64"), from the version
 * string its setup header points to; NULL when absent or not a usable name
 * (it becomes part of paths).  malloc'd.
 */
char *kimage_release(const char *path);
/* The same from the image's first bytes (len of them): the parser, for tests and fuzzing. */
char *kimage_release_from(const unsigned char *img, size_t len);
/*
 * The size a bzImage's setup header says the image has: its setup sectors
 * and its protected-mode code ((setup_sects + 1) * 512 + syssize * 16); 0
 * when the header does not say (no "HdrS", boot protocol before 2.04).  A
 * signed image is longer (the signature follows); a shorter file was cut
 * short, and boots into a crash before the kernel prints anything.
 */
unsigned long long kimage_size_from(const unsigned char *img, size_t len);
/* True when the image at path is shorter than its header says (want, have: the sizes). */
bool kimage_truncated(const char *path, unsigned long long *want, unsigned long long *have);
/*
 * The modules of release rel in dir: dir/lib/modules/rel (what
 * INSTALL_MOD_PATH=dir writes), dir itself when it is lib/modules/rel or a
 * build tree of rel (include/config/kernel.release says rel), else NULL.
 */
char *kimage_modules_in(const char *dir, const char *rel);
/*
 * The modules beside a kernel: X/lib/modules/rel for X/boot/vmlinuz-rel (a
 * .deb unpacked by scripts/vm/fetch-kernel.sh), or the build tree of
 * T/arch/x86/boot/bzImage; NULL when neither.
 */
char *kimage_modules_beside(const char *kernel, const char *rel);
/*
 * The kernel's .config: config-rel beside the image (Debian's /boot), the
 * .config of the build tree it sits in or of moddir (a build tree, or a
 * lib/modules/rel whose build link points to one); NULL when none.
 */
char *kimage_config(const char *kernel, const char *rel, const char *moddir);
/* A symbol's value in a .config text: 'y', 'm', or 'n' when not set. */
int kconfig_value(const char *config_text, const char *sym);

#endif
