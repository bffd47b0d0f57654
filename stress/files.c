// SPDX-License-Identifier: GPL-2.0
/*
 * The files of the race reproducers: unnamed test files and their O_DIRECT
 * twins, whole-buffer I/O, the pattern written with O_DIRECT-aligned chunks,
 * the filesystem and size checks, and where the exec helper is.  All in one
 * place so that the shared file and spawn helpers can take them over.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "harness.h"

const char *stress_fs_name(long type)
{
	switch (type) {
	case EXT4_SUPER_MAGIC:
		return "ext2/3/4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case TMPFS_MAGIC:
		return "tmpfs";
	case RAMFS_MAGIC:
		return "ramfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case NFS_SUPER_MAGIC:
		return "nfs";
	}
	return "other";
}

/* The filesystem of dir, or a message and FB_USAGE. */
int stress_dir_fs(const char *dir, long *type)
{
	struct statfs sfs;

	if (statfs(dir, &sfs))
		return fb_usage("option '--dir': '%s': %s", dir, strerror(errno));
	*type = sfs.f_type;
	return FB_OK;
}

/* An unnamed file in dir (gone when closed), or -errno. */
int stress_open_unnamed(const char *dir)
{
	char *path;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	/* Filesystems without O_TMPFILE: a named file, unlinked at once. */
	path = xasprintf("%s/faultbench-stress.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd >= 0 ? fd : -errno;
}

/* A second descriptor of the same file, opened with O_DIRECT; -errno on failure. */
int stress_reopen_direct(int fd)
{
	char path[64];
	int dfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	return dfd >= 0 ? dfd : -errno;
}

/* pread or pwrite all of len bytes, retrying short transfers and EINTR; 0 or -errno. */
static int transfer_all(int fd, char *buf, size_t len, off_t off, bool write)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write ? pwrite(fd, buf + done, len - done, off + done)
			  : pread(fd, buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

int stress_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	return transfer_all(fd, (char *)buf, len, off, true);
}

int stress_pread_all(int fd, void *buf, size_t len, off_t off)
{
	return transfer_all(fd, buf, len, off, false);
}

/* Write the pattern of gen over [off, off + len) with aligned chunks; 0 or -errno. */
int stress_write_pattern(int fd, uint64_t off, uint64_t len, uint64_t gen, uint64_t seed)
{
	const size_t chunk = 1 * MiB;
	void *buf;
	int ret = 0;

	if (posix_memalign(&buf, PATTERN_UNIT, chunk))
		return -ENOMEM;
	while (len && !ret) {
		size_t n = len < chunk ? len : chunk;

		pattern_fill_range(buf, n, off, gen, seed);
		ret = stress_pwrite_all(fd, buf, n, off);
		off += n;
		len -= n;
	}
	free(buf);
	return ret;
}

int stress_check_disk_dir(const char *test, const char *dir, long *fstype)
{
	int ret = stress_dir_fs(dir, fstype);

	if (ret)
		return ret;
	if (*fstype == TMPFS_MAGIC || *fstype == RAMFS_MAGIC)
		return fb_error(FB_UNDECIDED,
				"stress %s: --dir '%s' is on %s: O_DIRECT there copies without "
				"pinning pages or invalidating the page cache; give a directory "
				"on a disk filesystem",
				test, dir, stress_fs_name(*fstype));
	return FB_OK;
}

/*
 * --size (whose table in cmd/stress.c has no bound) against what this machine
 * can hold: the file is kept in the page cache, and a too large one would
 * abort the test or bring in the OOM killer instead of a verdict.
 */
int stress_check_size(const char *test, unsigned long long size)
{
	unsigned long long avail = fb_mem_available();

	if (size <= avail)
		return FB_OK;
	return fb_usage("option '--size': %llu MiB is more than the memory available (%llu "
			"MiB) for the %s test's file",
			size / MiB, avail / MiB, test);
}

void stress_find_exec_helper(char *buf, size_t len)
{
	char exe[4096], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* The build ships the helper next to the binary. */
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			path = xasprintf("%s/fb-exec-helper", exe);
			if (strlen(path) < len && access(path, X_OK) == 0) {
				strcpy(buf, path);
				free(path);
				return;
			}
			free(path);
		}
	}
	snprintf(buf, len, "/bin/true");
}
