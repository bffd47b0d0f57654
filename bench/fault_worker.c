// SPDX-License-Identifier: GPL-2.0
/*
 * The fault benchmark's workers: map the range, first-touch it, then the
 * measured loop "zap the range, touch every page" until told to stop.
 *
 * Measurement notes:
 *  - a pass zaps first and touches after, so the mapping set up by
 *    worker_init (touched once, page cache filled) makes the first measured
 *    pass the same as every other one;
 *  - the default zap is will-it-scale's: munmap the range and mmap it again
 *    (at the same address when it is free), which also frees and
 *    reallocates the page tables and the VMA; --zap=dontneed keeps the
 *    mapping and only drops its page-table entries.  Both keep a file's
 *    page cache, so file faults stay minor, and both free anonymous and
 *    private-written pages;
 *  - by default a file is sparse, as will-it-scale's: the first faults fill
 *    its page cache, and on a filesystem with large folios (ext4, xfs) the
 *    fault's readahead picks the folio sizes.  That, not the zap call, is
 *    what makes a disk file's write faults twice as fast when the file was
 *    filled with 4 KiB writes instead (docs/will-it-scale.md);
 *  - pages are counted per 2 MiB chunk, not per page, so that the counter
 *    store stays out of the fault loop; the stop flag is read as often.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "fault_priv.h"
#include "fsfile.h"
#include "util.h"

#define CHUNK FAULT_PMD_SIZE

struct fault_worker {
	char *addr; /* the measured range, 2 MiB aligned */
	size_t len;
	int fd;	    /* the file mapped, -1: anonymous memory */
	off_t off;  /* where the range starts in it */
	int flags;  /* mmap flags */
	int own_fd; /* sharing=own file backing: the worker's file */
	int uffd;   /* fault-around=off: keeps the registration alive */
	bool write;
	size_t page;
	unsigned long cost_ns; /* FB_TEST_FAULT_COST_NS: test-only CPU time per page */
	int test_advice;       /* FB_TEST_HARNESS_MADVISE: test-only advice, 0: none */
};

/*
 * A simulated per-fault cost, for testing the statistics: an A/B of "+5% per
 * fault" that any machine can make.  It burns the worker's own CPU time
 * (CLOCK_THREAD_CPUTIME_ID), not wall time, so a preempted worker does not
 * spin longer, and per-fault CPU time grows the way a slower fault path's
 * would: a cgroup CPU quota leaves it unchanged and so tests the wrong thing.
 */
unsigned long fault_test_cost_ns(void)
{
	const char *s = getenv("FB_TEST_FAULT_COST_NS");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || s[0] == '-' || v > FAULT_TEST_COST_MAX_NS)
		return ULONG_MAX;
	return v;
}

int fault_test_harness_madvise(void)
{
	const char *s = getenv("FB_TEST_HARNESS_MADVISE");

	if (!s || !*s)
		return 0;
	if (!strcmp(s, "nohugepage"))
		return MADV_NOHUGEPAGE;
	if (!strcmp(s, "hugepage"))
		return MADV_HUGEPAGE;
	return -1;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void burn_cpu_ns(uint64_t ns)
{
	uint64_t start = thread_cpu_ns();

	while (thread_cpu_ns() - start < ns)
		;
}

int fault_read_once(int fd, unsigned long long len)
{
	size_t pg = (size_t)page_size();
	volatile const char *c = mmap(NULL, (size_t)len, PROT_READ, MAP_SHARED, fd, 0);

	if (c == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < len && !fb_interrupted; i += pg)
		(void)c[i];
	munmap((void *)c, (size_t)len);
	return fb_interrupted ? -EINTR : 0;
}

int fault_populate(int fd, unsigned long long off, unsigned long long len,
		   const struct fault_params *p)
{
	/*
	 * The write size picks the page-cache folio size on filesystems with
	 * large folios (ext4, xfs): 4k writes, 2 MiB ones for --page=thp.
	 * tmpfs follows its huge= mount option instead.
	 */
	size_t wsize = fault_thp(p) ? FAULT_PMD_SIZE : (size_t)page_size();
	unsigned long long done = 0;
	char *buf = xmalloc(wsize);
	int ret = 0;

	/* Non-zero data: a disk filesystem must really hold blocks, not holes. */
	memset(buf, 0x5a, wsize);
	while (done < len) {
		size_t n = len - done < wsize ? (size_t)(len - done) : wsize;

		/* gigabytes take seconds: ^C must not wait for them */
		if (fb_interrupted) {
			ret = -EINTR;
			break;
		}
		ssize_t got = pwrite(fd, buf, n, (off_t)(off + done));

		if (got <= 0) {
			ret = got < 0 ? -errno : -ENOSPC;
			break;
		}
		done += (unsigned long long)got;
	}
	free(buf);
	/* Write back now, or the flusher does it in the middle of the measurement. */
	if (!ret && p->backing == BACKING_FILE &&
	    sync_file_range(fd, (off_t)off, (off_t)len,
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		ret = -errno;
	return ret;
}

/*
 * mmap len bytes at a 2 MiB aligned address: a PMD can only map an aligned
 * 2 MiB, and even for 4k pages it keeps the number of page tables touched
 * the same from run to run.
 */
static void *map_aligned(size_t len, int prot, int flags, int fd, off_t off)
{
	size_t span = len + CHUNK;
	char *res, *start, *p;

	res = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	start = (char *)(((uintptr_t)res + CHUNK - 1) & ~(uintptr_t)(CHUNK - 1));
	p = mmap(start, len, prot, flags | MAP_FIXED, fd, off);
	if (p == MAP_FAILED) {
		munmap(res, span);
		return MAP_FAILED;
	}
	if (start > res)
		munmap(res, (size_t)(start - res));
	if (res + span > start + len)
		munmap(start + len, (size_t)(res + span - (start + len)));
	return p;
}

/* The worker's file (-1: anonymous memory) and the offset of its range in it. */
static int worker_file(struct worker *w, struct fault_worker *fw, int *fd, off_t *off)
{
	const struct fault_params *p = w->step->params;
	struct fault_shared *sh = w->shared;
	int ret;

	*fd = -1;
	*off = 0;
	if (p->backing == BACKING_ANON)
		return 0;
	if (p->sharing == SHARING_SAME) {
		*fd = sh->fd;
		return 0;
	}
	if (p->sharing == SHARING_DISJOINT) {
		*fd = sh->fd;
		*off = (off_t)w->id * (off_t)fw->len;
		if (!fault_filled(p))
			return 0;
		ret = fault_populate(sh->fd, (unsigned long long)*off, fw->len, p);
		if (ret && ret != -EINTR) /* interrupted: the runner stops us anyway */
			return worker_fail(w, "cannot fill its slice of the file in '%s': %s",
					   sh->dir, strerror(-ret));
		return 0;
	}
	/* own: created here, after pinning, so that its page cache is local */
	fw->own_fd = fsfile_open_unnamed(sh->dir);
	if (fw->own_fd < 0)
		return worker_fail(w, "cannot create a file in '%s': %s", sh->dir,
				   strerror(-fw->own_fd));
	/* sized first: tmpfs huge=within_size only gives 2 MiB folios inside i_size */
	if (ftruncate(fw->own_fd, (off_t)fw->len))
		return worker_fail(w, "cannot size a %zu-byte file in '%s': %s", fw->len, sh->dir,
				   strerror(errno));
	ret = fault_filled(p) ? fault_populate(fw->own_fd, 0, fw->len, p) : 0;
	if (ret && ret != -EINTR)
		return worker_fail(w, "cannot fill a %zu-byte file in '%s': %s", fw->len, sh->dir,
				   strerror(-ret));
	*fd = fw->own_fd;
	return 0;
}

static int disable_fault_around(struct worker *w, struct fault_worker *fw)
{
	const struct fault_params *p = w->step->params;
	char why[256];

	if (fw->uffd >= 0)
		close(fw->uffd);
	fw->uffd =
	    uffd_disable_fault_around(fw->addr, fw->len, fault_uffd_mem(p), why, sizeof(why));
	if (fw->uffd < 0)
		return worker_fail(w, "--fault-around=off: %s", why);
	return 0;
}

/*
 * What a new mapping of the range needs before it is touched: the THP advice
 * when --page asks for one (the default asks for none, as will-it-scale: on
 * 6.18 MADV_NOHUGEPAGE alone halves shared write faults on ext4's large
 * folios), fault-around off.
 */
static int advise_range(struct worker *w, struct fault_worker *fw)
{
	const struct fault_params *p = w->step->params;

	if ((fault_thp(p) || fault_nohuge(p)) &&
	    madvise(fw->addr, fw->len, fault_thp(p) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		return worker_fail(w, "madvise(%s): %s", fault_advice_name(p), strerror(errno));
	if (fw->test_advice > 0 && madvise(fw->addr, fw->len, fw->test_advice))
		return worker_fail(w, "FB_TEST_HARNESS_MADVISE: madvise: %s", strerror(errno));
	if (fault_around_off(p))
		return disable_fault_around(w, fw);
	return 0;
}

static int map_range(struct worker *w, struct fault_worker *fw)
{
	const struct fault_params *p = w->step->params;

	fw->flags = p->map == MAP_KIND_SHARED ? MAP_SHARED : MAP_PRIVATE;
	if (worker_file(w, fw, &fw->fd, &fw->off))
		return -1;
	if (fw->fd < 0)
		fw->flags |= MAP_ANONYMOUS;
	/* read-write even for reads, like will-it-scale: read faults map read-only anyway */
	fw->addr = map_aligned(fw->len, PROT_READ | PROT_WRITE, fw->flags, fw->fd, fw->off);
	if (fw->addr == MAP_FAILED) {
		fw->addr = NULL;
		return worker_fail(w, "mmap of %zu bytes: %s", fw->len, strerror(errno));
	}
	return advise_range(w, fw);
}

/*
 * --zap=munmap: will-it-scale's munmap() and mmap() of the whole range.  The
 * new mapping goes where the old one was when nobody took the place in
 * between (another worker thread may have), so it stays 2 MiB aligned.
 */
static int remap_range(struct worker *w, struct fault_worker *fw)
{
	char *old = fw->addr, *p;

	if (munmap(fw->addr, fw->len))
		return worker_fail(w, "munmap of %zu bytes: %s", fw->len, strerror(errno));
	p = mmap(old, fw->len, PROT_READ | PROT_WRITE, fw->flags | MAP_FIXED_NOREPLACE, fw->fd,
		 fw->off);
	if (p != MAP_FAILED && p != old) { /* a kernel that took it as a hint */
		munmap(p, fw->len);
		p = MAP_FAILED;
	}
	if (p == MAP_FAILED)
		p = map_aligned(fw->len, PROT_READ | PROT_WRITE, fw->flags, fw->fd, fw->off);
	fw->addr = p == MAP_FAILED ? NULL : p;
	if (!fw->addr)
		return worker_fail(w, "mmap of %zu bytes: %s", fw->len, strerror(errno));
	return advise_range(w, fw);
}

static int zap_range(struct worker *w, struct fault_worker *fw)
{
	if (fault_zap_munmap(w->step->params))
		return remap_range(w, fw);
	if (madvise(fw->addr, fw->len, MADV_DONTNEED))
		return worker_fail(w, "madvise(MADV_DONTNEED): %s", strerror(errno));
	return 0;
}

/* One byte per page: a volatile access the compiler can neither drop nor merge. */
static inline void touch_pages(char *p, size_t len, size_t page, bool write)
{
	char *end = p + len;

	if (write) {
		for (; p < end; p += page)
			*(volatile char *)p = 1;
	} else {
		for (; p < end; p += page)
			(void)*(volatile const char *)p;
	}
}

/* The whole range once, so that the first measured pass is like the others. */
static bool first_touch(struct worker *w, struct fault_worker *fw)
{
	size_t off, n;

	for (off = 0; off < fw->len; off += n) {
		n = fw->len - off < CHUNK ? fw->len - off : CHUNK;
		if (fb_interrupted || worker_should_stop(w))
			return true;
		touch_pages(fw->addr + off, n, fw->page, fw->write);
	}
	return false;
}

int fault_worker_init(struct worker *w)
{
	const struct fault_params *p = w->step->params;
	struct fault_shared *sh = w->shared;
	struct fault_worker *fw = xcalloc(1, sizeof(*fw));

	fw->own_fd = -1;
	fw->uffd = -1;
	fw->len = p->size;
	fw->write = p->touch == TOUCH_WRITE;
	fw->page = (size_t)page_size();
	fw->cost_ns = fault_test_cost_ns(); /* checked by fault_check() */
	fw->test_advice = fault_test_harness_madvise();
	w->priv = fw;
	if (map_range(w, fw))
		return -1;
	if (first_touch(w, fw))
		return 0; /* interrupted: the runner stops us before the loop */
	/* One worker per step tells what the kernel backed the range with. */
	if (w->id == 0)
		sh->folio_ret = folio_inspect(fw->addr, fw->len, &sh->folios);
	w->mem = fw->addr;
	w->mem_len = fw->len;
	/* the same file's pages, unless each worker writes its own private copies */
	w->mem_shared = p->sharing == SHARING_SAME && p->backing != BACKING_ANON &&
			!(p->map == MAP_KIND_PRIVATE && p->touch == TOUCH_WRITE);
	return 0;
}

void fault_worker_loop(struct worker *w)
{
	struct fault_worker *fw = w->priv;
	size_t off, n;

	for (;;) {
		if (zap_range(w, fw))
			return;
		for (off = 0; off < fw->len; off += n) {
			n = fw->len - off < CHUNK ? fw->len - off : CHUNK;
			touch_pages(fw->addr + off, n, fw->page, fw->write);
			if (fw->cost_ns)
				burn_cpu_ns((uint64_t)fw->cost_ns * (n / fw->page));
			worker_count(w, 0, n / fw->page);
			if (worker_should_stop(w))
				return;
		}
		worker_count(w, 1, 1);
	}
}

void fault_worker_fini(struct worker *w)
{
	struct fault_worker *fw = w->priv;

	if (!fw)
		return;
	if (fw->uffd >= 0)
		close(fw->uffd);
	if (fw->addr)
		munmap(fw->addr, fw->len);
	if (fw->own_fd >= 0)
		close(fw->own_fd);
	free(fw);
	w->priv = NULL;
}
