// SPDX-License-Identifier: GPL-2.0
/*
 * The files of the race reproducers beyond lib/fsfile.c (unnamed files,
 * filesystem checks, the exec helper): O_DIRECT twins of a descriptor,
 * whole-buffer I/O, the pattern written with O_DIRECT-aligned chunks, and
 * the size check.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

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
