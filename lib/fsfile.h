/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Files and filesystems the benchmarks and stress tests work in: an unnamed
 * scratch file, which filesystem a directory is on (and refusing tmpfs where
 * a test needs a disk), and where fb-exec-helper is.  One copy of each rule,
 * so fault, dio, pagelock and stress cannot drift apart.
 */
#ifndef FB_FSFILE_H
#define FB_FSFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * An unnamed file in dir, gone when its last descriptor is closed, so a
 * crash or ^C leaves nothing behind: O_TMPFILE, or on filesystems without it
 * a mkostemp() file unlinked at once.  The descriptor (O_RDWR, O_CLOEXEC),
 * or -errno.
 */
int fsfile_open_unnamed(const char *dir);

/*
 * mkdtemp(tmpl) ("DIR/name.XXXXXX", a new directory of mode 0700).  FB_OK,
 * or status after "WHO: cannot create a directory in 'DIR': <error>" (errno
 * kept, tmpl unchanged but for its XXXXXX).  The one message of every
 * scratch directory faultbench makes.
 */
int fsfile_mkdtemp(char *tmpl, const char *who, int status);

/*
 * rm -rf path, in C: every directory opened with O_NOFOLLOW below the one
 * before it, entries looked at and removed with AT_SYMLINK_NOFOLLOW, so a
 * symbolic link in the tree (or one swapped in while it is removed) is
 * removed itself and never followed out of the tree.  path itself may be a
 * link: the link goes.  0 (also when path does not exist), or the first
 * -errno met; what can be removed is removed even then.
 */
int fsfile_remove_tree(const char *path);

/* dir may not exist yet (an output directory made later): judge its nearest existing parent */
#define FSFILE_NEAREST 1u

/* statfs()'s f_type of dir: 0, or -errno. */
int fsfile_statfs_type(const char *dir, unsigned flags, long *type);

/* The same for an option's directory: FB_OK, or FB_USAGE after "option '--OPT': 'DIR': <error>". */
int fsfile_fs_type(const char *opt, const char *dir, unsigned flags, long *type);

/* Is dir (exactly, not a parent) on a filesystem of this type (TRACEFS_MAGIC, ...)? */
bool fsfile_is_fs(const char *dir, long type);

/* Memory, not a disk: tmpfs or ramfs. */
bool fsfile_is_memory(long type);

/* "ext2/3/4", "xfs", "btrfs", "tmpfs", "ramfs", "overlayfs", "nfs" or "other" */
const char *fsfile_fs_name(long type);

/*
 * The "needs a disk filesystem" check of a --dir: FB_OK when it is on one
 * (its type in *type, when type is not NULL); FB_USAGE when it cannot be
 * looked at; otherwise status (FB_SKIP, FB_UNDECIDED) after
 * "WHO needs a disk filesystem, but 'DIR' is on tmpfs: WHY".
 */
int fsfile_need_disk(const char *dir, unsigned flags, int status, const char *who, const char *why,
		     long *type);

/*
 * The directory of the running binary (of /proc/self/exe: build/ in a build
 * tree, /fb/bin in a `faultbench vm` guest), malloc'd; "." when unknown.
 */
char *fsfile_self_dir(void);

/*
 * fb-exec-helper, the tiny static program that aim9 exec and stress migrate
 * exec: $FB_EXEC_HELPER when set (then that or nothing), else the one the
 * build put beside this binary.  Never looked up in PATH: the exec that aim9
 * measures must be of the program built with this binary, not of whatever a
 * PATH holds under that name.  0 with the path in buf, or -errno (-ENOENT:
 * not there; the caller decides: aim9 skips, stress execs /bin/true instead).
 */
int fsfile_exec_helper(char *buf, size_t len);

/*
 * path opened for reading, when it is a regular file of at most max bytes:
 * the one size check of every file faultbench reads whole (suite configs,
 * noise models).  /dev/zero or a FIFO would be read forever, a 35 MB noise
 * model took 27 s and 3 GB to parse.  NULL with errno EINVAL (not a regular
 * file), EFBIG (larger) or open()'s error; *size gets the file's size.
 */
FILE *fsfile_open_bounded(const char *path, unsigned long long max, unsigned long long *size);
/* Why fsfile_open_bounded() failed, for a message: "larger than 4 MiB", ... */
const char *fsfile_bounded_error(int err, unsigned long long max, char *buf, size_t len);

#endif
