// SPDX-License-Identifier: GPL-2.0
/*
 * stress thp-split-dio: the THP seed's torture test: O_DIRECT reads and writes
 * pin the tail pages of anonymous huge pages while other threads split those
 * huge pages.
 *
 * Threads work in pairs over huge pages of their own.  In each huge page the
 * lower half belongs to the pair's O_DIRECT thread: it reads random 4-64 KiB
 * of a pattern file into it (and checks that exactly that data arrived), or
 * writes from it to a file range of its own and reads that back into other
 * memory.  The upper half belongs to the splitter, which changes one page of
 * it at a time: mprotect (the PMD is split into PTEs), MADV_DONTNEED or
 * munmap and a fresh mapping (the huge page is partially unmapped and queued
 * for splitting), and now and then MADV_COLLAPSE of the whole huge page back
 * into one (which must not copy away from pinned pages).  After each change
 * it checks its half: zeros where it dropped a page, its pattern elsewhere.
 * Neither thread ever writes the other's half, so any wrong byte is the
 * kernel's.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "folio.h"
#include "fsfile.h"
#include "harness.h"

#define THP_SIZE       (2 * MiB)
#define THP_UNITS      (THP_SIZE / PATTERN_UNIT)
#define THP_HALF       (THP_UNITS / 2)
#define THP_RFILE      (4 * MiB)       /* the pattern file the O_DIRECT threads read */
#define THP_WPART      (256 * 1024ULL) /* each O_DIRECT thread's own file range */
#define THP_MAXWIN     16	       /* units per O_DIRECT transfer */
#define THP_SPLIT_BASE (1ULL << 47)    /* offsets of the splitters' halves, as reported */

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25 /* Linux 6.1; older C library headers lack it */
#endif

enum thp_op { THP_MPROTECT, THP_DONTNEED, THP_REMAP, THP_COLLAPSE, THP_NOPS };

static const char *const thp_op_name[THP_NOPS] = { "mprotect", "MADV_DONTNEED", "munmap+mmap",
						   "re-creating a huge page" };

struct thp_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	int fd, dfd;
	char *mem;  /* nhuge huge pages, 2 MiB aligned */
	void *area; /* the mapping mem was carved from */
	uint64_t nhuge, area_len;
	unsigned npairs;
	const struct stress_run *run; /* for stress_plant_due() */
	/* Per huge page: the splitter is re-creating it / an O_DIRECT transfer is on it. */
	int *recreating, *inflight;
};

struct thp_thread {
	struct thp_ctx *c;
	unsigned id, slot;
	struct wd_worker *wd;
	void *buf; /* THP_MAXWIN units, for reading back writes */
	uint64_t wgen, reads, writes, ops[THP_NOPS], collapsed, remapped;
	bool planted; /* --plant-corruption's misdirected read was made */
};

/* A huge page of pair id; the O_DIRECT thread skips one being collapsed. */
static char *thp_pick(struct thp_thread *t, uint64_t *rs, uint64_t *h)
{
	struct thp_ctx *c = t->c;
	uint64_t per = (c->nhuge + c->npairs - 1) / c->npairs;

	do
		*h = t->id + (uint64_t)c->npairs * (stress_rnd(rs) % per);
	while (*h >= c->nhuge);
	return c->mem + *h * THP_SIZE;
}

/*
 * The O_DIRECT thread's side of the handshake with a splitter re-creating
 * huge page h (Dekker's, with sequentially consistent atomics): announce the
 * transfer, then back off if a re-creation has begun.  False: keep off.
 */
static bool thp_enter(const struct thp_ctx *c, uint64_t h)
{
	__atomic_store_n(&c->inflight[h], 1, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&c->recreating[h], __ATOMIC_SEQ_CST))
		return true;
	__atomic_store_n(&c->inflight[h], 0, __ATOMIC_SEQ_CST);
	return false;
}

static void thp_exit(const struct thp_ctx *c, uint64_t h)
{
	__atomic_store_n(&c->inflight[h], 0, __ATOMIC_SEQ_CST);
}

/* O_DIRECT read of the pattern file into the lower half; the data must be exactly it. */
static bool thp_dio_read(struct thp_thread *t, uint64_t *rs, bool plant)
{
	struct thp_ctx *c = t->c;
	uint64_t h, n = 1 + stress_rnd(rs) % THP_MAXWIN, s = stress_rnd(rs) % (THP_HALF - n + 1), i;
	uint64_t f = (stress_rnd(rs) % (THP_RFILE / PATTERN_UNIT - n)) * PATTERN_UNIT;
	char *win = thp_pick(t, rs, &h) + s * PATTERN_UNIT;
	struct pattern_mismatch m;
	int ret;

	if (!thp_enter(c, h))
		return true;
	/*
	 * Self-test: read the next page of the file, as a misdirected transfer
	 * would.  Planted only here, past thp_enter(): a huge page being
	 * collapsed is skipped above, and a plant marked made there was lost
	 * (the e2e test's --plant-corruption then exited 0 on a busy machine).
	 */
	t->planted |= plant;
	ret = stress_pread_all(c->dfd, win, n * PATTERN_UNIT, plant ? f + PATTERN_UNIT : f);
	if (ret) {
		thp_exit(c, h);
		stress_report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
		return false;
	}
	/* Checked before leaving h: a fresh huge page in its place starts with zeros. */
	for (i = 0; i < n; i++) {
		if (pattern_check(win + i * PATTERN_UNIT, f + i * PATTERN_UNIT, c->seed, 1, 1, &m))
			continue;
		thp_exit(c, h);
		stress_report_corruption(
		    c->sh, &m,
		    "O_DIRECT thread %u: a read of the file into huge page %" PRIu64
		    ", pages %" PRIu64 "-%" PRIu64 " (offsets are the file's)",
		    t->id, h, s, s + n - 1);
		return false;
	}
	thp_exit(c, h);
	t->reads++;
	return true;
}

/* O_DIRECT write from the lower half, read back into other memory: the same data. */
static bool thp_dio_write(struct thp_thread *t, uint64_t *rs)
{
	struct thp_ctx *c = t->c;
	uint64_t h, n = 1 + stress_rnd(rs) % THP_MAXWIN, s = stress_rnd(rs) % (THP_HALF - n + 1);
	uint64_t woff = THP_RFILE + t->id * THP_WPART +
			(stress_rnd(rs) % (THP_WPART / PATTERN_UNIT - n + 1)) * PATTERN_UNIT;
	char *win = thp_pick(t, rs, &h) + s * PATTERN_UNIT;
	struct pattern_mismatch m;
	int ret;

	if (!thp_enter(c, h))
		return true;
	pattern_fill_range(win, n * PATTERN_UNIT, woff, ++t->wgen, c->seed);
	ret = stress_pwrite_all(c->dfd, win, n * PATTERN_UNIT, woff);
	thp_exit(c, h);
	if (!ret)
		ret = stress_pread_all(c->dfd, t->buf, n * PATTERN_UNIT, woff);
	if (ret) {
		stress_report_failure(c->sh, "O_DIRECT write and read back: %s", strerror(-ret));
		return false;
	}
	if (!pattern_check_range(t->buf, n * PATTERN_UNIT, woff, c->seed, t->wgen, t->wgen, &m)) {
		stress_report_corruption(c->sh, &m,
					 "O_DIRECT thread %u: what a write from huge page %" PRIu64
					 ", pages %" PRIu64 "-%" PRIu64 " put in the file",
					 t->id, h, s, s + n - 1);
		return false;
	}
	t->writes++;
	return true;
}

static void *thp_dio_thread(void *arg)
{
	struct thp_thread *t = arg;
	struct thp_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, 5000 + t->id);
	bool ok = true;

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	while (ok && !stress_should_stop(c->sh)) {
		bool plant = t->id == 0 && !t->planted && stress_plant_due(c->run);

		wd_beat(t->wd);
		ok = stress_rnd(&rs) % 4 && !plant ? thp_dio_read(t, &rs, false)
		     : plant			   ? thp_dio_read(t, &rs, true)
						   : thp_dio_write(t, &rs);
	}
	wd_leave(t->wd);
	return NULL;
}

static uint64_t thp_split_off(uint64_t h, uint64_t u)
{
	return THP_SPLIT_BASE + h * THP_SIZE + u * PATTERN_UNIT;
}

/* A fresh huge page in place of h: unmapped whole, mapped again, written. */
static int thp_remap(struct thp_ctx *c, char *hp, uint64_t h)
{
	if (munmap(hp, THP_SIZE) ||
	    mmap(hp, THP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
		 0) == MAP_FAILED ||
	    madvise(hp, THP_SIZE, MADV_HUGEPAGE))
		return -errno;
	memset(hp, 0, THP_HALF * PATTERN_UNIT);
	pattern_fill_range(hp + THP_HALF * PATTERN_UNIT, THP_HALF * PATTERN_UNIT,
			   thp_split_off(h, THP_HALF), 1, c->seed);
	return 0;
}

/*
 * Make huge page h huge again, so that there is something left to split:
 * MADV_COLLAPSE, then again with the O_DIRECT thread kept off h (pinned
 * pages cannot be collapsed, by design), and where the kernel still will not
 * collapse it, a fresh one (which starts with zeros: the O_DIRECT thread
 * writes before it checks).
 */
static int thp_recreate(struct thp_thread *t, char *hp, uint64_t h)
{
	struct thp_ctx *c = t->c;
	int ret = 0;

	/*
	 * First a collapse racing the O_DIRECT thread: it must give up on pinned
	 * pages (EAGAIN), never copy a page from under a transfer.
	 */
	if (madvise(hp, THP_SIZE, MADV_COLLAPSE) == 0) {
		t->collapsed++;
		return 0;
	}
	__atomic_store_n(&c->recreating[h], 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&c->inflight[h], __ATOMIC_SEQ_CST) && !stress_should_stop(c->sh))
		sched_yield();
	if (madvise(hp, THP_SIZE, MADV_COLLAPSE) == 0) {
		t->collapsed++;
	} else {
		ret = thp_remap(c, hp, h);
		t->remapped += !ret;
	}
	__atomic_store_n(&c->recreating[h], 0, __ATOMIC_SEQ_CST);
	return ret;
}

/* One change to page u of the splitter's half; 0 or -errno. */
static int thp_change(struct thp_thread *t, char *hp, uint64_t h, uint64_t u, enum thp_op op)
{
	char *p = hp + u * PATTERN_UNIT;
	int ret = 0;

	switch (op) {
	case THP_MPROTECT:
		if (mprotect(p, PATTERN_UNIT, PROT_READ) ||
		    mprotect(p, PATTERN_UNIT, PROT_READ | PROT_WRITE))
			ret = -errno;
		break;
	case THP_DONTNEED:
		ret = madvise(p, PATTERN_UNIT, MADV_DONTNEED) ? -errno : 0;
		break;
	case THP_REMAP:
		if (munmap(p, PATTERN_UNIT) ||
		    mmap(p, PATTERN_UNIT, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			return -errno;
		/* The same flags as its neighbours, so the mappings merge back into one. */
		madvise(p, PATTERN_UNIT, MADV_HUGEPAGE);
		break;
	case THP_COLLAPSE:
		ret = thp_recreate(t, hp, h);
		break;
	case THP_NOPS:
		break;
	}
	return ret;
}

/* Check the splitter's half; a page just dropped must read zeros, and is refilled. */
static bool thp_check_half(struct thp_thread *t, char *hp, uint64_t h, uint64_t dropped)
{
	struct thp_ctx *c = t->c;
	struct pattern_mismatch m;
	uint64_t u;

	for (u = THP_HALF; u < THP_UNITS; u++) {
		uint64_t gen = u == dropped ? 0 : 1;

		if (pattern_check(hp + u * PATTERN_UNIT, thp_split_off(h, u), c->seed, gen, gen,
				  &m))
			continue;
		stress_report_corruption(c->sh, &m,
					 "splitter %u: its half of huge page %" PRIu64
					 " (offsets from 0x800000000000)",
					 t->id, h);
		return false;
	}
	if (dropped < THP_UNITS)
		pattern_fill(hp + dropped * PATTERN_UNIT, thp_split_off(h, dropped), 1, c->seed);
	return true;
}

static void *thp_splitter(void *arg)
{
	struct thp_thread *t = arg;
	struct thp_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, 6000 + t->id), h;
	static const enum thp_op mix[8] = {
		THP_MPROTECT, THP_MPROTECT, THP_MPROTECT, THP_DONTNEED,
		THP_DONTNEED, THP_REMAP,    THP_REMAP,	  THP_COLLAPSE
	};

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	while (!stress_should_stop(c->sh)) {
		char *hp = thp_pick(t, &rs, &h);
		uint64_t u = THP_HALF + stress_rnd(&rs) % THP_HALF;
		enum thp_op op = mix[stress_rnd(&rs) % 8];
		int ret;

		wd_beat(t->wd);
		ret = thp_change(t, hp, h, u, op);
		if (ret) {
			stress_report_failure(c->sh, "%s: %s", thp_op_name[op], strerror(-ret));
			break;
		}
		t->ops[op % THP_NOPS]++;
		if (!thp_check_half(t, hp, h,
				    op == THP_DONTNEED || op == THP_REMAP ? u : THP_UNITS))
			break;
	}
	wd_leave(t->wd);
	return NULL;
}

/* The huge pages: aligned, THP-advised, every page written; how many are huge. */
static int thp_map(struct thp_ctx *c, uint64_t *huge_bytes)
{
	struct folio_report fr;
	uint64_t h;

	c->area_len = (c->nhuge + 1) * THP_SIZE;
	c->area = mmap(NULL, c->area_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->area == MAP_FAILED)
		return -errno;
	c->mem = (char *)(((uintptr_t)c->area + THP_SIZE - 1) & ~(uintptr_t)(THP_SIZE - 1));
	if (madvise(c->mem, c->nhuge * THP_SIZE, MADV_HUGEPAGE))
		return -errno;
	for (h = 0; h < c->nhuge; h++) {
		char *hp = c->mem + h * THP_SIZE;

		memset(hp, 0, THP_HALF * PATTERN_UNIT);
		pattern_fill_range(hp + THP_HALF * PATTERN_UNIT, THP_HALF * PATTERN_UNIT,
				   thp_split_off(h, THP_HALF), 1, c->seed);
	}
	*huge_bytes = 0;
	if (folio_inspect(c->mem, c->nhuge * THP_SIZE, &fr) == 0)
		*huge_bytes = fr.anon_huge_bytes;
	return 0;
}

static bool thp_enabled(char *why, size_t len)
{
	char *s = read_first_line("/sys/kernel/mm/transparent_hugepage/enabled");
	bool ok = s && !strstr(s, "[never]");

	snprintf(why, len, "transparent huge pages are %s",
		 s ? "disabled ([never] in /sys/kernel/mm/transparent_hugepage/enabled)"
		   : "not available (no /sys/kernel/mm/transparent_hugepage/enabled)");
	free(s);
	return ok;
}

/* O_DIRECT threads first, then the splitters: thread i is watchdog slot i. */
static void thp_threads(struct stress_run *run, struct thp_ctx *c, struct thp_thread *t,
			struct stress_thread *th)
{
	unsigned i, n = 2 * c->npairs;

	for (i = 0; i < n; i++) {
		bool dio = i < c->npairs;

		t[i].c = c;
		t[i].id = dio ? i : i - c->npairs;
		t[i].slot = i;
		t[i].wd = stress_worker(run, i);
		if (posix_memalign(&t[i].buf, PATTERN_UNIT, THP_MAXWIN * PATTERN_UNIT))
			abort();
		wd_name(&run->wd, i, "%s %u", dio ? "O_DIRECT thread" : "splitter", t[i].id);
		th[i].fn = dio ? thp_dio_thread : thp_splitter;
		th[i].arg = &t[i];
	}
}

static void thp_print(const struct thp_ctx *c, const struct thp_thread *t, uint64_t *reads)
{
	uint64_t writes = 0, ops[THP_NOPS] = { 0 }, collapsed = 0, remapped = 0;
	unsigned i, op;

	*reads = 0;
	for (i = 0; i < 2 * c->npairs; i++) {
		*reads += t[i].reads;
		writes += t[i].writes;
		collapsed += t[i].collapsed;
		remapped += t[i].remapped;
		for (op = 0; op < THP_NOPS; op++)
			ops[op] += t[i].ops[op];
	}
	if (c->o->quiet)
		return;
	printf("  O_DIRECT into and out of huge pages' tail pages: %" PRIu64 " reads, %" PRIu64
	       " writes read back, each checked\n",
	       *reads, writes);
	printf("  splits: %" PRIu64 " mprotect, %" PRIu64 " MADV_DONTNEED, %" PRIu64
	       " munmap+mmap of one page; huge pages made again: %" PRIu64
	       " by MADV_COLLAPSE, %" PRIu64 " mapped afresh\n",
	       ops[THP_MPROTECT], ops[THP_DONTNEED], ops[THP_REMAP], collapsed, remapped);
}

/* The pattern file: THP_RFILE to read, then a range per O_DIRECT thread; gen 1. */
static int thp_file(struct thp_ctx *c, const char *dir)
{
	uint64_t len = THP_RFILE + c->npairs * THP_WPART;
	int ret;

	c->fd = fsfile_open_unnamed(dir);
	if (c->fd < 0)
		return fb_error(FB_UNDECIDED,
				"stress thp-split-dio: cannot create a file in '%s': %s", dir,
				strerror(-c->fd));
	c->dfd = stress_reopen_direct(c->fd);
	ret = c->dfd < 0 ? c->dfd : ftruncate(c->fd, len) ? -errno : 0;
	if (!ret)
		ret = stress_write_pattern(c->dfd, 0, len, 1, c->seed);
	if (ret) {
		if (c->dfd >= 0)
			close(c->dfd);
		close(c->fd);
		return fb_error(FB_UNDECIDED, "stress thp-split-dio: O_DIRECT file in '%s': %s",
				dir, strerror(-ret));
	}
	return FB_OK;
}

static int run_thp_split_dio(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = stress_seed(o), reads = 0, huge = 0;
	struct thp_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = stress_default_workers(o), i;
	struct stress_run run = { 0 };
	struct thp_thread *t;
	struct stress_thread *th;
	char why[160];
	long fstype;
	int ret;

	ret = fsfile_need_disk(dir, 0, FB_UNDECIDED, "stress thp-split-dio",
			       "O_DIRECT there copies without pinning pages or invalidating "
			       "the page cache; give a directory on a disk filesystem",
			       &fstype);
	if (ret)
		return ret;
	if (!thp_enabled(why, sizeof(why)))
		return fb_error(FB_UNDECIDED, "stress thp-split-dio: %s: nothing to split", why);
	c.nhuge = (o->size ? o->size : 8 * MiB) / THP_SIZE;
	if (!c.nhuge || (o->size && o->size % THP_SIZE))
		return fb_usage("option '--size': the thp-split-dio test needs a multiple of 2M");
	c.npairs = nworkers / 2 < c.nhuge ? nworkers / 2 : c.nhuge;
	ret = thp_file(&c, dir);
	if (ret)
		return ret;
	c.sh = stress_shared_alloc(2 * c.nhuge * sizeof(int));
	c.recreating = (int *)(c.sh + 1);
	c.inflight = c.recreating + c.nhuge;
	stress_begin(&run, "thp-split-dio", o, c.sh, seed, 2 * c.npairs);
	c.run = &run;
	ret = thp_map(&c, &huge);
	if (ret)
		stress_report_failure(c.sh, "mapping the huge pages: %s", strerror(-ret));
	else if (!huge)
		stress_report_failure(c.sh,
				      "no huge page was obtained (MADV_HUGEPAGE on %" PRIu64
				      " MiB): nothing to split",
				      c.nhuge * THP_SIZE / MiB);
	if (!o->quiet)
		printf("stress thp-split-dio: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " huge pages (%" PRIu64
		       " MiB of them huge at the start), %u O_DIRECT threads, "
		       "%u splitters\n",
		       o->time, seed, dir, fsfile_fs_name(fstype), c.nhuge, huge / MiB, c.npairs,
		       c.npairs);
	t = xcalloc(2 * c.npairs, sizeof(*t));
	th = xcalloc(2 * c.npairs, sizeof(*th));
	thp_threads(&run, &c, t, th);
	if (!c.sh->failed) {
		stress_run_threads(&run, th, 2 * c.npairs);
		thp_print(&c, t, &reads);
	}
	ret = stress_finish(&run, reads > 0, "no O_DIRECT read completed");
	for (i = 0; i < 2 * c.npairs; i++)
		free(t[i].buf);
	free(t);
	free(th);
	if (c.area && c.area != MAP_FAILED)
		munmap(c.area, c.area_len);
	close(c.dfd);
	close(c.fd);
	stress_shared_free(c.sh, 2 * c.nhuge * sizeof(int));
	return ret;
}

const struct stress_test stress_thp_split_dio = {
	.name = "thp-split-dio",
	.summary = "O_DIRECT through huge pages' tail pages while they are split and collapsed",
	.run = run_thp_split_dio,
};
