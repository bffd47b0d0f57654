// SPDX-License-Identifier: GPL-2.0
/*
 * Scratch files and directories, filesystem checks and fb-exec-helper's
 * place (fsfile.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fsfile.h"
#include "util.h"

int fsfile_open_unnamed(const char *dir)
{
	char *tmpl;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	/* what a filesystem (or kernel) without O_TMPFILE answers */
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return -errno;
	tmpl = xasprintf("%s/faultbench-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC);
	if (fd >= 0)
		unlink(tmpl); /* right away: keep only the descriptor */
	free(tmpl);
	return fd >= 0 ? fd : -errno;
}

int fsfile_mkdtemp(char *tmpl, const char *who, int status)
{
	const char *slash = strrchr(tmpl, '/');
	int err;

	if (mkdtemp(tmpl))
		return FB_OK;
	err = errno;
	if (!slash)
		fb_error(status, "%s: cannot create a directory in '.': %s", who, strerror(err));
	else
		fb_error(status, "%s: cannot create a directory in '%.*s': %s", who,
			 slash == tmpl ? 1 : (int)(slash - tmpl), tmpl, strerror(err));
	errno = err;
	return status;
}

static int remove_entries(int dfd);

/* Remove name in dfd: a directory (not a link to one) with what it holds, else the entry. */
static int remove_at(int dfd, const char *name)
{
	struct stat st;
	int fd, ret;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) && errno != ENOENT ? -errno : 0;
	/* O_NOFOLLOW: a directory swapped for a link since fstatat() is not entered */
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = remove_entries(fd); /* closes fd */
	if (unlinkat(dfd, name, AT_REMOVEDIR) && errno != ENOENT && !ret)
		ret = -errno;
	return ret;
}

/* Remove everything in the directory dfd (closed here); the first -errno, or 0. */
static int remove_entries(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;
	int ret = 0, r;

	if (!d) {
		ret = -errno;
		close(dfd);
		return ret;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = remove_at(dirfd(d), e->d_name);
		if (r && !ret)
			ret = r;
	}
	closedir(d);
	return ret;
}

int fsfile_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path);
}

int fsfile_statfs_type(const char *dir, unsigned flags, long *type)
{
	char *p = xstrdup(dir), *slash;
	struct statfs st;
	int ret;

	while ((ret = statfs(p, &st)) && errno == ENOENT && (flags & FSFILE_NEAREST) &&
	       (slash = strrchr(p, '/'))) {
		if (slash == p)
			p[1] = '\0'; /* "/x": the root */
		else
			*slash = '\0';
	}
	/* a relative name with no existing part: it will be made in "." */
	if (ret && errno == ENOENT && (flags & FSFILE_NEAREST) && !strchr(p, '/'))
		ret = statfs(".", &st);
	ret = ret ? -errno : 0;
	free(p);
	if (!ret)
		*type = (long)st.f_type;
	return ret;
}

int fsfile_fs_type(const char *opt, const char *dir, unsigned flags, long *type)
{
	int ret = fsfile_statfs_type(dir, flags, type);

	if (ret)
		return fb_usage("option '--%s': '%s': %s", opt, dir, strerror(-ret));
	return FB_OK;
}

bool fsfile_is_fs(const char *dir, long type)
{
	long t;

	return !fsfile_statfs_type(dir, 0, &t) && t == type;
}

bool fsfile_is_memory(long type)
{
	return type == (long)TMPFS_MAGIC || type == (long)RAMFS_MAGIC;
}

const char *fsfile_fs_name(long type)
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

int fsfile_need_disk(const char *dir, unsigned flags, int status, const char *who, const char *why,
		     long *type)
{
	long t;
	int ret = fsfile_fs_type("dir", dir, flags, &t);

	if (ret)
		return ret;
	if (type)
		*type = t;
	if (fsfile_is_memory(t))
		return fb_error(status, "%s needs a disk filesystem, but '%s' is on %s: %s", who,
				dir, fsfile_fs_name(t), why);
	return FB_OK;
}

char *fsfile_self_dir(void)
{
	char buf[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return xstrdup(".");
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		*slash = '\0';
	return xstrdup(buf);
}

int fsfile_exec_helper(char *buf, size_t len)
{
	const char *env = getenv("FB_EXEC_HELPER");
	char *dir = NULL;
	struct stat st;
	int n;

	if (env && *env) {
		n = snprintf(buf, len, "%s", env);
	} else {
		dir = fsfile_self_dir();
		n = snprintf(buf, len, "%s/fb-exec-helper", dir);
		free(dir);
	}
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (stat(buf, &st))
		return -errno;
	/* to access(), a directory is executable too */
	if (!S_ISREG(st.st_mode))
		return -EACCES;
	return access(buf, X_OK) ? -errno : 0;
}

FILE *fsfile_open_bounded(const char *path, unsigned long long max, unsigned long long *size)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before fstat() refuses it */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	FILE *f;

	*size = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (unsigned long long)st.st_size > max) {
		int err = fstat(fd, &st) ? errno : !S_ISREG(st.st_mode) ? EINVAL : EFBIG;

		close(fd);
		errno = err;
		return NULL;
	}
	*size = (unsigned long long)st.st_size;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

const char *fsfile_bounded_error(int err, unsigned long long max, char *buf, size_t len)
{
	if (err == EINVAL)
		snprintf(buf, len, "not a regular file");
	else if (err == EFBIG)
		snprintf(buf, len, "larger than %llu %s",
			 max >= (1ull << 20) ? max >> 20 : max >> 10,
			 max >= (1ull << 20) ? "MiB" : "KiB");
	else
		snprintf(buf, len, "%s", strerror(err));
	return buf;
}
