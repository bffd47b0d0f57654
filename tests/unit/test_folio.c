// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/folio.c on real mappings.  The kernel may refuse a THP
 * (fragmentation, THP off): then the tests do not fail on the missing huge
 * page but still check that the report is self-consistent.
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
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "folio.h"

#define MiB	 (1024UL * 1024)
#define PMD_SIZE (2 * MiB)

static size_t order_total(const struct folio_report *r)
{
	size_t t = 0;

	for (int i = 0; i < 10; i++)
		t += r->order_pages[i];
	return t;
}

/* An anonymous mapping of len bytes aligned to 2 MiB, so THP is possible. */
static char *map_aligned(size_t len)
{
	char *p =
	    mmap(NULL, len + PMD_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	assert_true(p != MAP_FAILED);
	a = ((uintptr_t)p + PMD_SIZE - 1) & ~(PMD_SIZE - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	munmap((char *)a + len, (uintptr_t)p + PMD_SIZE - a);
	return (char *)a;
}

static void touch(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		p[off] = 1;
}

/* Invariants that hold whatever the kernel decided to give us. */
static void check_consistent(const struct folio_report *r, size_t len)
{
	char buf[128];

	assert_int_equal(r->bytes, len);
	assert_true(r->anon_huge_bytes <= r->resident_bytes);
	assert_true(r->shmem_pmd_bytes <= r->resident_bytes);
	assert_true(r->file_pmd_bytes <= r->resident_bytes);
	if (r->kpageflags_read) {
		/* every page was touched, so every page was seen exactly once */
		assert_int_equal(order_total(r) * 4096, len);
		assert_true(r->thp_pages * 4096 <= len);
		assert_true(r->compound_pages * 4096 <= len);
		assert_true(r->thp_pages <= r->compound_pages);
		assert_int_equal(len / 4096 - r->order_pages[0], r->compound_pages);
	}
	assert_true(strlen(folio_describe(r, buf, sizeof(buf))) > 0);
}

static void test_anon_hugepage(void **state)
{
	size_t len = 8 * MiB;
	char *p = map_aligned(len), buf[128];
	struct folio_report r;

	assert_int_equal(madvise(p, len, MADV_HUGEPAGE), 0);
	touch(p, len);
	assert_int_equal(folio_inspect(p, len, &r), 0);
	check_consistent(&r, len);
	assert_true(r.resident_bytes >= len);
	if (!r.anon_huge_bytes)
		print_message("note: the kernel gave no THP for MADV_HUGEPAGE (%s)\n",
			      folio_describe(&r, buf, sizeof(buf)));
	if (r.kpageflags_read && r.resident_bytes == len) {
		/* the VMA is exactly our range: PMD-mapped THPs are order-9 folios */
		assert_true(r.order_pages[9] * 4096 >= r.anon_huge_bytes);
		if (r.anon_huge_bytes == len)
			assert_string_equal(folio_describe(&r, buf, sizeof(buf)), "thp 100%");
	}
	munmap(p, len);
}

static void test_anon_nohugepage(void **state)
{
	/* 64 MiB: several pagemap batches */
	size_t len = 64 * MiB;
	char *p = map_aligned(len), buf[128];
	struct folio_report r;

	assert_int_equal(madvise(p, len, MADV_NOHUGEPAGE), 0);
	touch(p, len);
	assert_int_equal(folio_inspect(p, len, &r), 0);
	check_consistent(&r, len);
	assert_int_equal(r.anon_huge_bytes, 0);
	if (r.kpageflags_read) {
		/* MADV_NOHUGEPAGE forbids mTHP as well */
		assert_int_equal(r.thp_pages, 0);
		assert_int_equal(r.order_pages[0] * 4096, len);
		assert_string_equal(folio_describe(&r, buf, sizeof(buf)), "4k");
	}
	munmap(p, len);
}

static void test_untouched(void **state)
{
	size_t len = 4 * MiB;
	char *p = map_aligned(len), buf[128];
	struct folio_report r;

	assert_int_equal(folio_inspect(p, len, &r), 0);
	/* smaps' Rss is per VMA, and ours may have merged with a neighbour */
	assert_int_equal(order_total(&r), 0);
	if (r.kpageflags_read)
		assert_string_equal(folio_describe(&r, buf, sizeof(buf)), "not resident");
	munmap(p, len);
	assert_int_equal(folio_inspect(p, 0, &r), 0);
	assert_int_equal(r.bytes, 0);
}

static void test_tmpfs_file(void **state)
{
	char path[] = "/dev/shm/fb-folio-XXXXXX";
	size_t len = 4 * MiB;
	struct folio_report r;
	int fd = mkstemp(path);
	char *p;

	if (fd < 0)
		skip();
	unlink(path);
	assert_int_equal(ftruncate(fd, len), 0);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	touch(p, len);
	assert_int_equal(folio_inspect(p, len, &r), 0);
	check_consistent(&r, len);
	assert_true(r.resident_bytes >= len);
	assert_int_equal(r.anon_huge_bytes, 0);
	munmap(p, len);
	close(fd);
}

/* Without root the PFNs are hidden: smaps still works, flags are "unknown". */
static void test_unprivileged(void **state)
{
	pid_t pid;
	int status;

	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		size_t len = 4 * MiB;
		char *p = map_aligned(len);
		struct folio_report r;
		json_t *j;

		if (setgid(65534) || setuid(65534))
			_exit(3);
		/* as an ordinary user's process would be (setuid cleared it) */
		prctl(PR_SET_DUMPABLE, 1);
		touch(p, len);
		if (folio_inspect(p, len, &r) || r.kpageflags_read || r.resident_bytes < len)
			_exit(1);
		j = folio_report_json(&r);
		if (!json_is_null(json_object_get(j, "order_pages")))
			_exit(2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_describe(void **state)
{
	struct folio_report r = { .kpageflags_read = true };
	char buf[128];

	r.order_pages[0] = 100;
	assert_string_equal(folio_describe(&r, buf, sizeof(buf)), "4k");
	memset(r.order_pages, 0, sizeof(r.order_pages));
	r.order_pages[9] = 1024;
	assert_string_equal(folio_describe(&r, buf, sizeof(buf)), "thp 100%");
	r.order_pages[0] = 38;
	r.order_pages[9] = 60;
	r.order_pages[4] = 2;
	assert_string_equal(folio_describe(&r, buf, sizeof(buf)),
			    "mixed: 62% in large folios (orders: 9:60%, 4:2%)");
	memset(r.order_pages, 0, sizeof(r.order_pages));
	r.order_pages[0] = 1;
	r.order_pages[9] = 2047;
	r.order_pages[2] = 1;
	assert_string_equal(folio_describe(&r, buf, sizeof(buf)),
			    "mixed: >99% in large folios (orders: 9:>99%, 2:<1%)");
	/* a short buffer truncates, never overflows */
	assert_int_equal(strlen(folio_describe(&r, buf, 10)), 9);

	/* smaps only: no claim of "4k", since mTHP would be invisible */
	struct folio_report s = { .resident_bytes = 8 * MiB };
	assert_string_equal(folio_describe(&s, buf, sizeof(buf)), "no PMD THP");
	s.anon_huge_bytes = 8 * MiB;
	assert_string_equal(folio_describe(&s, buf, sizeof(buf)), "thp 100%");
	s.anon_huge_bytes = 2 * MiB;
	assert_string_equal(folio_describe(&s, buf, sizeof(buf)), "mixed: 25% PMD-mapped");
}

static void test_json(void **state)
{
	struct folio_report r = { .bytes = 4096, .resident_bytes = 4096, .kpageflags_read = true };
	json_t *j;

	r.order_pages[0] = 1;
	j = folio_report_json(&r);
	assert_int_equal(json_integer_value(json_object_get(j, "bytes")), 4096);
	assert_true(json_is_true(json_object_get(j, "kpageflags_read")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(j, "order_pages"), "0")), 1);
	assert_string_equal(json_string_value(json_object_get(j, "description")), "4k");
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anon_hugepage), cmocka_unit_test(test_anon_nohugepage),
		cmocka_unit_test(test_untouched),     cmocka_unit_test(test_tmpfs_file),
		cmocka_unit_test(test_unprivileged),  cmocka_unit_test(test_describe),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
