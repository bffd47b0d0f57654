/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turn off fault-around for one mapping, without root or debugfs.
 *
 * A read fault on a file or shmem mapping normally maps up to
 * fault_around_bytes (64 KiB) of neighbouring page-cache pages at once, so
 * "faults" undercount the pages touched 16 to 1.  The kernel skips
 * fault-around on any VMA registered with userfaultfd in write-protect mode
 * (uffd_disable_fault_around() in mm/memory.c).  We register the mapping and
 * never write-protect a single page, so no userfaultfd event is ever raised
 * and nobody has to read the descriptor: the registration only flips the VMA
 * flag.  Closing the descriptor unregisters the range.
 */
#ifndef FB_UFFD_H
#define FB_UFFD_H

#include <stddef.h>

/* What backs the mapping: decides which userfaultfd features are needed. */
enum uffd_mem {
	UFFD_MEM_ANON,	/* private anonymous memory: wp works with no feature */
	UFFD_MEM_SHMEM, /* tmpfs, memfd, shared anonymous: UFFD_FEATURE_WP_HUGETLBFS_SHMEM */
	UFFD_MEM_FILE,	/* any other file (ext4, xfs): only with UFFD_FEATURE_WP_ASYNC */
};

/*
 * Register [addr, addr + len) (page aligned) with a new userfaultfd in
 * write-protect mode.  Returns the descriptor, to keep open as long as the
 * mapping is measured, or -1 with the reason in why ("userfaultfd: ...").
 */
int uffd_disable_fault_around(void *addr, size_t len, enum uffd_mem mem, char *why, size_t whylen);

/*
 * Whether uffd_disable_fault_around() works here for this kind of memory:
 * tries it on a small mapping of fd (-1 for anonymous memory; the file
 * needs at least one page).  0, or -1 with the reason in why.
 */
int uffd_probe(enum uffd_mem mem, int fd, char *why, size_t whylen);

#endif
