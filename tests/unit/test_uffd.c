// SPDX-License-Identifier: GPL-2.0
/*
 * engine/uffd.c: registering a file mapping with userfaultfd in write-protect
 * mode must turn fault-around off, i.e. one read fault per page touched, as
 * counted by the kernel (getrusage minflt + majflt).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <cmocka.h>

#include "uffd.h"

#define LEN	     (16UL << 20)
#define TMPFS_MAGIC_ 0x01021994
#define RAMFS_MAGIC_ 0x858458f6

static long faults_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* An unnamed file of LEN bytes of data in dir, or -1. */
static int data_file(const char *dir)
{
	static char buf[1 << 16];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	size_t off;

	if (fd < 0)
		return -1;
	memset(buf, 0x5a, sizeof(buf));
	for (off = 0; off < LEN; off += sizeof(buf))
		if (pwrite(fd, buf, sizeof(buf), (off_t)off) != (ssize_t)sizeof(buf)) {
			close(fd);
			return -1;
		}
	return fd;
}

/*
 * Read faults taken by one pass over the mapping.  A first pass and a zap
 * come before: they fault in anything else the pass needs (sanitizer shadow
 * memory), so only the mapping's own faults are counted.
 */
static long read_pass_faults(char *p)
{
	long before;
	size_t off;

	for (off = 0; off < LEN; off += 4096)
		(void)*(volatile char *)(p + off);
	assert_int_equal(madvise(p, LEN, MADV_DONTNEED), 0);
	before = faults_now();
	for (off = 0; off < LEN; off += 4096)
		(void)*(volatile char *)(p + off);
	return faults_now() - before;
}

static void check_one_fault_per_page(const char *dir, int map_flags, enum uffd_mem mem)
{
	long pages = LEN / 4096, with, without;
	char why[256] = "";
	int fd = data_file(dir), ufd;
	char *p;

	if (fd < 0)
		skip();
	p = mmap(NULL, LEN, PROT_READ, map_flags, fd, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	without = read_pass_faults(p);

	ufd = uffd_disable_fault_around(p, LEN, mem, why, sizeof(why));
	if (ufd < 0)
		fprintf(stderr, "%s\n", why);
	assert_true(ufd >= 0);
	with = read_pass_faults(p);
	print_message("%s %s: %ld faults for %ld pages (%ld with fault-around)\n", dir,
		      map_flags & MAP_SHARED ? "shared" : "private", with, pages, without);
	/* a few extra faults are allowed for what the test itself touches */
	assert_true(with >= pages);
	assert_true(with <= pages + 32);

	close(ufd);
	munmap(p, LEN);
	close(fd);
	/* fault-around off everywhere (fault_around_bytes = 4096): nothing was shown */
	if (without >= pages)
		skip();
}

static void test_tmpfs_shared(void **state)
{
	check_one_fault_per_page("/dev/shm", MAP_SHARED, UFFD_MEM_SHMEM);
}

static void test_tmpfs_private(void **state)
{
	check_one_fault_per_page("/dev/shm", MAP_PRIVATE, UFFD_MEM_SHMEM);
}

/* A directory on a disk filesystem for the file tests, or NULL. */
static const char *disk_dir(void)
{
	static const char *const cands[] = { "/var/tmp", ".", "/tmp" };
	struct statfs st;

	for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++)
		if (!statfs(cands[i], &st) && st.f_type != TMPFS_MAGIC_ &&
		    st.f_type != RAMFS_MAGIC_ && !access(cands[i], W_OK))
			return cands[i];
	return NULL;
}

static void test_disk_file(void **state)
{
	const char *dir = disk_dir();
	char why[256];

	if (!dir)
		skip();
	if (uffd_probe(UFFD_MEM_FILE, -1, why, sizeof(why))) {
		print_message("skipped: %s\n", why);
		skip();
	}
	check_one_fault_per_page(dir, MAP_SHARED, UFFD_MEM_FILE);
}

static void test_probe_anon(void **state)
{
	char why[256];

	assert_int_equal(uffd_probe(UFFD_MEM_ANON, -1, why, sizeof(why)), 0);
}

/* A disk file needs UFFD_FEATURE_WP_ASYNC: without it the kernel refuses, and we say why. */
static void test_refusal_says_why(void **state)
{
	const char *dir = disk_dir();
	char why[256] = "";
	int fd;

	if (!dir)
		skip();
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0 || ftruncate(fd, 4096))
		skip();
	assert_int_equal(uffd_probe(UFFD_MEM_SHMEM, fd, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "userfaultfd"));
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_anon),	 cmocka_unit_test(test_tmpfs_shared),
		cmocka_unit_test(test_tmpfs_private),	 cmocka_unit_test(test_disk_file),
		cmocka_unit_test(test_refusal_says_why),
	};

	return cmocka_run_group_tests_name("uffd", tests, NULL, NULL);
}
