/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared between bench/fault.c (options, checks, setup, report) and
 * bench/fault_worker.c (the workers).  Not a contract with anybody else.
 */
#ifndef FB_FAULT_PRIV_H
#define FB_FAULT_PRIV_H

#include <limits.h>
#include <stdbool.h>

#include "folio.h"
#include "bench.h"
#include "uffd.h"

/* PMD size on x86-64 and 4k-page arm64, the THP size --page=thp aligns to. */
#define FAULT_PMD_SIZE (2UL << 20)

enum fault_backing { BACKING_ANON, BACKING_TMPFS, BACKING_FILE };
enum fault_map { MAP_KIND_SHARED, MAP_KIND_PRIVATE };
enum fault_touch { TOUCH_READ, TOUCH_WRITE };
enum fault_sharing { SHARING_SAME, SHARING_DISJOINT, SHARING_OWN };
/*
 * --page: PAGE_DEFAULT gives no advice at all, as will-it-scale (the kernel's
 * THP setting decides); PAGE_4K is MADV_NOHUGEPAGE, PAGE_THP MADV_HUGEPAGE.
 */
enum fault_page { PAGE_DEFAULT, PAGE_4K, PAGE_THP };
enum fault_around { FAULT_AROUND_ON, FAULT_AROUND_OFF };
enum fault_file_state { FILE_SPARSE, FILE_FILLED };
enum fault_zap { ZAP_MUNMAP, ZAP_DONTNEED };

/* Field order follows fault_options[] in bench/fault.c. */
struct fault_params {
	int backing; /* enum fault_backing */
	int map;     /* enum fault_map */
	int touch;   /* enum fault_touch */
	int sharing; /* enum fault_sharing */
	unsigned long long size;
	/*
	 * Matrix options: bit masks of enum fault_page, fault_around,
	 * fault_file_state and fault_zap.  check() sees every value asked for;
	 * each variant has one bit set.
	 */
	unsigned page;
	unsigned fault_around;
	unsigned file_state;
	unsigned zap;
	const char *tmpfs_dir;
};

/* Per step, MAP_SHARED so that worker processes can write into it. */
struct fault_shared {
	int fd;		    /* same/disjoint: the one file; -1 otherwise */
	char dir[PATH_MAX]; /* where files are created */
	int folio_ret;	    /* worker 0's folio_inspect(): 0 or -errno */
	struct folio_report folios;
};

static inline bool fault_thp(const struct fault_params *p)
{
	return p->page & (1u << PAGE_THP);
}

/* --page=4k: MADV_NOHUGEPAGE on every new mapping. */
static inline bool fault_nohuge(const struct fault_params *p)
{
	return p->page & (1u << PAGE_4K);
}

/* The advice --page gives each new mapping, for messages and the result. */
static inline const char *fault_advice_name(const struct fault_params *p)
{
	return fault_thp(p) ? "MADV_HUGEPAGE" : fault_nohuge(p) ? "MADV_NOHUGEPAGE" : "none";
}

static inline bool fault_around_off(const struct fault_params *p)
{
	return p->fault_around & (1u << FAULT_AROUND_OFF);
}

/* The file is written (and written back) before the first fault. */
static inline bool fault_filled(const struct fault_params *p)
{
	return p->file_state & (1u << FILE_FILLED);
}

/* A pass starts by unmapping and mapping the range again (will-it-scale). */
static inline bool fault_zap_munmap(const struct fault_params *p)
{
	return p->zap & (1u << ZAP_MUNMAP);
}

/* What userfaultfd sees the memory as (uffd.h): a pure function of the options. */
static inline enum uffd_mem fault_uffd_mem(const struct fault_params *p)
{
	if (p->backing == BACKING_FILE)
		return UFFD_MEM_FILE;
	if (p->backing == BACKING_TMPFS || p->map == MAP_KIND_SHARED)
		return UFFD_MEM_SHMEM;
	return UFFD_MEM_ANON;
}

/*
 * The calls from bench/fault.c into bench/fault_worker.c besides the
 * worker hooks (fault_worker.c calls nothing of fault.c):
 */
/* Write [off, off + len) of fd so that faults find it in the page cache; 0 or -errno. */
int fault_populate(int fd, unsigned long long off, unsigned long long len,
		   const struct fault_params *p);
/*
 * Read the first len bytes of fd once through a mapping, one load per
 * page, as a single worker's first pass would: the page cache of a sparse
 * file --sharing=same maps then holds the folios of one sequential reader.
 * 0 or -errno.
 */
int fault_read_once(int fd, unsigned long long len);

/*
 * FB_TEST_FAULT_COST_NS (test-only, docs/compare.md): nanoseconds of the
 * worker's CPU time burnt per page touched in the measured loop; 0 when
 * unset, ULONG_MAX when not a number in [0, FAULT_TEST_COST_MAX_NS].
 */
#define FAULT_TEST_COST_MAX_NS 1000000ul
unsigned long fault_test_cost_ns(void);

/*
 * FB_TEST_HARNESS_MADVISE (test-only, docs/selftest.md): "nohugepage" or
 * "hugepage" adds that madvise() to every new mapping whatever --page says,
 * to prove that "faultbench selftest" catches a call the bare loop does not
 * make.  Returns the advice (0: unset), or -1 when the value is unknown.
 */
int fault_test_harness_madvise(void);

/* --page against the kernel's THP mode (NULL: no THP); FB_OK or FB_SKIP. */
int fault_check_page(unsigned page, const char *thp_mode);

int fault_worker_init(struct worker *w);
void fault_worker_loop(struct worker *w);
void fault_worker_fini(struct worker *w);

#endif
