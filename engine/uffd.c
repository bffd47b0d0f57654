// SPDX-License-Identifier: GPL-2.0
/*
 * userfaultfd write-protect registration used only to switch fault-around off
 * for a mapping (see uffd.h for why this works and why it raises no events).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

#include "uffd.h"

/* Debian 12's uapi headers predate these (Linux 6.4 and later). */
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1 << 12)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

static int why_set(char *why, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * UFFD_USER_MODE_ONLY: we never want to handle faults taken in the kernel,
 * and with it unprivileged users may create a userfaultfd even when
 * vm.unprivileged_userfaultfd is 0.
 */
static int uffd_open_raw(void)
{
	return (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
}

static uint64_t features_needed(enum uffd_mem mem)
{
	switch (mem) {
	case UFFD_MEM_SHMEM:
		return UFFD_FEATURE_WP_HUGETLBFS_SHMEM;
	case UFFD_MEM_FILE:
		/* wp on non-shmem files is allowed only in async mode (vma_can_userfault()) */
		return UFFD_FEATURE_WP_ASYNC;
	case UFFD_MEM_ANON:
	default:
		return 0;
	}
}

static const char *feature_name(uint64_t f)
{
	return f == UFFD_FEATURE_WP_ASYNC ? "UFFD_FEATURE_WP_ASYNC (Linux 6.7+)"
					  : "UFFD_FEATURE_WP_HUGETLBFS_SHMEM (Linux 5.19+)";
}

/* A userfaultfd with the features mem needs, after the UFFDIO_API handshake. */
static int uffd_open_for(enum uffd_mem mem, char *why, size_t whylen)
{
	uint64_t need = features_needed(mem);
	struct uffdio_api api = { .api = UFFD_API };
	int fd, err;

	/* The handshake may be done once per descriptor: ask what exists first. */
	fd = uffd_open_raw();
	if (fd < 0)
		return why_set(why, whylen, "userfaultfd: %s", strerror(errno));
	err = ioctl(fd, UFFDIO_API, &api) ? errno : 0;
	close(fd);
	if (err)
		return why_set(why, whylen, "userfaultfd: UFFDIO_API: %s", strerror(err));
	if (need && !(api.features & need))
		return why_set(why, whylen, "userfaultfd: the kernel lacks %s", feature_name(need));

	fd = uffd_open_raw();
	if (fd < 0)
		return why_set(why, whylen, "userfaultfd: %s", strerror(errno));
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	api.features = need;
	if (ioctl(fd, UFFDIO_API, &api)) {
		err = errno;
		close(fd);
		return why_set(why, whylen, "userfaultfd: UFFDIO_API with features 0x%llx: %s",
			       (unsigned long long)need, strerror(err));
	}
	return fd;
}

int uffd_disable_fault_around(void *addr, size_t len, enum uffd_mem mem, char *why, size_t whylen)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)addr, .len = len },
		.mode = UFFDIO_REGISTER_MODE_WP,
	};
	int fd, err;

	fd = uffd_open_for(mem, why, whylen);
	if (fd < 0)
		return -1;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		err = errno;
		close(fd);
		return why_set(why, whylen, "userfaultfd: UFFDIO_REGISTER (write-protect mode): %s",
			       strerror(err));
	}
	return fd;
}

int uffd_probe(enum uffd_mem mem, int fd, char *why, size_t whylen)
{
	long psz = sysconf(_SC_PAGESIZE);
	size_t len = 2 * (size_t)psz;
	int flags = fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED;
	void *p;
	int ufd;

	if (fd >= 0)
		len = (size_t)psz;
	p = mmap(NULL, len, PROT_READ, flags, fd, 0);
	if (p == MAP_FAILED)
		return why_set(why, whylen, "userfaultfd probe: mmap: %s", strerror(errno));
	ufd = uffd_disable_fault_around(p, len, mem, why, whylen);
	if (ufd >= 0)
		close(ufd);
	munmap(p, len);
	return ufd >= 0 ? 0 : -1;
}
