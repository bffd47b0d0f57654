// SPDX-License-Identifier: GPL-2.0
/*
 * stress zap-coherence: the zap_pte_range / O_DIRECT coherence seed: data
 * stored through a shared mapping must survive its ptes being zapped (the
 * dirty bit moves to the page), write-back, invalidation by O_DIRECT writes
 * and the page cache being dropped, and then be on disk.
 *
 * Each 2 MiB range belongs to one owner thread, which writes a new
 * generation of it by one of three paths, chosen at random: stores through a
 * MAP_SHARED mapping, a buffered pwrite, or an O_DIRECT pwrite; then reads it
 * back by all three (O_DIRECT, which writes back what is dirty first, buffered
 * and the mapping): each must show exactly that generation.  The other
 * threads never write; they zap the ranges' ptes (MADV_DONTNEED), start
 * write-back (sync_file_range), drop clean pages (fadvise) and read with
 * O_DIRECT and through the mapping, judged as in the invalidate test.
 *
 * Ranges are 2 MiB because a page-cache folio can be that large (ext4 has
 * large folios): two writers sharing a folio could make an O_DIRECT write's
 * invalidation fail legitimately ("invalidation failure ... collision with
 * buffered I/O"), and this test must report kernel bugs only.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsfile.h"
#include "harness.h"

#define ZAP_RANGE (2 * MiB)
#define ZAP_READ  (64 * 1024ULL) /* an interfering O_DIRECT read */

enum zap_path { ZAP_MMAP, ZAP_BUFFERED, ZAP_DIRECT, ZAP_NPATHS };

static const char *const zap_path_name[ZAP_NPATHS] = { "stores through the mapping",
						       "a buffered write", "an O_DIRECT write" };

struct zap_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	int fd, dfd;
	char *map;
	uint64_t size;
	unsigned nranges, nowners, nothers;
	uint64_t *published, *started; /* per range, as in the invalidate test */
	const struct stress_run *run;  /* for stress_plant_due() */
};

struct zap_thread {
	struct zap_ctx *c;
	unsigned id, slot;
	struct wd_worker *wd;
	void *buf; /* ZAP_RANGE, aligned for O_DIRECT */
	uint64_t writes[ZAP_NPATHS], checks, strict, zaps, syncs;
};

/* Write generation content of range r by one path; 0 or -errno. */
static int zap_write(struct zap_thread *t, uint64_t r, enum zap_path path, uint64_t content)
{
	struct zap_ctx *c = t->c;
	uint64_t off = r * ZAP_RANGE;

	if (path == ZAP_MMAP) {
		pattern_fill_range(c->map + off, ZAP_RANGE, off, content, c->seed);
		return 0;
	}
	pattern_fill_range(t->buf, ZAP_RANGE, off, content, c->seed);
	return stress_pwrite_all(path == ZAP_DIRECT ? c->dfd : c->fd, t->buf, ZAP_RANGE, off);
}

/* Read range r back by every path; false (and the report made) when one is wrong. */
static bool zap_verify(struct zap_thread *t, uint64_t r, enum zap_path path, uint64_t g)
{
	struct zap_ctx *c = t->c;
	uint64_t off = r * ZAP_RANGE;
	struct pattern_mismatch m;
	int fds[2] = { c->dfd, c->fd }, i, ret;
	static const char *const via[2] = { "an O_DIRECT read (from disk, after write-back)",
					    "a buffered read" };

	for (i = 0; i < 2; i++) {
		ret = stress_pread_all(fds[i], t->buf, ZAP_RANGE, off);
		if (ret) {
			stress_report_failure(c->sh, "pread: %s", strerror(-ret));
			return false;
		}
		if (!pattern_check_range(t->buf, ZAP_RANGE, off, c->seed, g, g, &m)) {
			stress_report_corruption(c->sh, &m, "owner %u through %s after %s", t->id,
						 via[i], zap_path_name[path]);
			return false;
		}
	}
	if (!pattern_check_range(c->map + off, ZAP_RANGE, off, c->seed, g, g, &m)) {
		stress_report_corruption(c->sh, &m, "owner %u through the mapping after %s", t->id,
					 zap_path_name[path]);
		return false;
	}
	return true;
}

static void *zap_owner(void *arg)
{
	struct zap_thread *t = arg;
	struct zap_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, 3000 + t->id), planted = UINT64_MAX;
	unsigned per = (c->nranges + c->nowners - 1) / c->nowners;

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	while (!stress_should_stop(c->sh)) {
		uint64_t r = t->id + (uint64_t)c->nowners * (stress_rnd(&rs) % per), g, content;
		enum zap_path path = stress_rnd(&rs) % ZAP_NPATHS;
		int ret;

		wd_beat(t->wd);
		if (r >= c->nranges || r == planted)
			continue;
		g = c->started[r] + 1; /* only this owner writes range r */
		content = g;
		if (t->id == 0 && planted == UINT64_MAX && path != ZAP_MMAP &&
		    stress_plant_due(c->run)) {
			/* Self-test: publish g but write g - 1, as a lost write would look. */
			content = g - 1;
			planted = r;
		}
		__atomic_store_n(&c->started[r], g, __ATOMIC_SEQ_CST);
		ret = zap_write(t, r, path, content);
		if (ret) {
			stress_report_failure(c->sh, "write: %s", strerror(-ret));
			break;
		}
		if (path == ZAP_MMAP && stress_rnd(&rs) & 1)
			madvise(c->map + r * ZAP_RANGE, ZAP_RANGE, MADV_DONTNEED);
		__atomic_store_n(&c->published[r], g, __ATOMIC_RELEASE);
		t->writes[path]++;
		if (!zap_verify(t, r, path, g))
			break;
	}
	wd_leave(t->wd);
	return NULL;
}

/* An interfering O_DIRECT read of 64 KiB, judged against what the owner had published. */
static bool zap_direct_read(struct zap_thread *t, uint64_t *rs)
{
	struct zap_ctx *c = t->c;
	uint64_t r = stress_rnd(rs) % c->nranges, u;
	uint64_t off = r * ZAP_RANGE + (stress_rnd(rs) % (ZAP_RANGE / ZAP_READ)) * ZAP_READ;
	uint64_t pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE), started;
	struct pattern_mismatch m;
	bool strict;
	int ret = stress_pread_all(c->dfd, t->buf, ZAP_READ, off);

	if (ret) {
		stress_report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
		return false;
	}
	started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
	for (u = 0; u < ZAP_READ / PATTERN_UNIT; u++) {
		const char *unit = (const char *)t->buf + u * PATTERN_UNIT;

		if (!stress_judge_invalidate(unit, off + u * PATTERN_UNIT, c->seed, pub, started,
					     &strict, &m)) {
			stress_report_corruption(c->sh, &m,
						 "interfering thread %u through an O_DIRECT read%s",
						 t->id, strict ? " with no write in flight" : "");
			return false;
		}
		t->checks++;
		t->strict += strict;
	}
	return true;
}

/* An interfering read of one page through the mapping. */
static bool zap_map_read(struct zap_thread *t, uint64_t *rs)
{
	struct zap_ctx *c = t->c;
	uint64_t r = stress_rnd(rs) % c->nranges, unit[PATTERN_WORDS];
	uint64_t off = r * ZAP_RANGE + (stress_rnd(rs) % (ZAP_RANGE / PATTERN_UNIT)) * PATTERN_UNIT;
	uint64_t pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE), started;
	struct pattern_mismatch m;
	bool strict;

	stress_copy_unit(c->map + off, unit);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
	if (!stress_judge_invalidate(unit, off, c->seed, pub, started, &strict, &m)) {
		stress_report_corruption(c->sh, &m, "interfering thread %u through the mapping%s",
					 t->id, strict ? " with no write in flight" : "");
		return false;
	}
	t->checks++;
	t->strict += strict;
	return true;
}

/* Zap, start write-back, drop clean pages, or read: never write. */
static void *zap_other(void *arg)
{
	struct zap_thread *t = arg;
	struct zap_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, 4000 + t->id);
	bool ok = true;

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	while (ok && !stress_should_stop(c->sh)) {
		uint64_t off = (stress_rnd(&rs) % c->nranges) * ZAP_RANGE;

		wd_beat(t->wd);
		switch (stress_rnd(&rs) % 5) {
		case 0:
			madvise(c->map + off, ZAP_RANGE, MADV_DONTNEED);
			t->zaps++;
			break;
		case 1:
			sync_file_range(c->fd, off, ZAP_RANGE, SYNC_FILE_RANGE_WRITE);
			posix_fadvise(c->fd, off, ZAP_RANGE, POSIX_FADV_DONTNEED);
			t->syncs++;
			break;
		case 2:
			ok = zap_direct_read(t, &rs);
			break;
		default:
			ok = zap_map_read(t, &rs);
			break;
		}
	}
	wd_leave(t->wd);
	return NULL;
}

/*
 * After the run: fsync, drop the file's page cache, and read every range from
 * disk with O_DIRECT, then through the mapping: the last generation of each.
 */
static void zap_final_check(struct zap_ctx *c, void *buf, uint64_t *checked)
{
	struct pattern_mismatch m;
	uint64_t r, off;
	int ret;

	if (fsync(c->fd)) {
		stress_report_failure(c->sh, "fsync: %s", strerror(errno));
		return;
	}
	posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	for (r = 0; r < c->nranges && !c->sh->corrupt; r++) {
		off = r * ZAP_RANGE;
		ret = stress_pread_all(c->dfd, buf, ZAP_RANGE, off);
		if (ret) {
			stress_report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
			return;
		}
		if (!pattern_check_range(buf, ZAP_RANGE, off, c->seed, c->published[r],
					 c->published[r], &m))
			stress_report_corruption(
			    c->sh, &m,
			    "the final check from disk (after fsync and dropping "
			    "the page cache)");
		else if (!pattern_check_range(c->map + off, ZAP_RANGE, off, c->seed,
					      c->published[r], c->published[r], &m))
			stress_report_corruption(c->sh, &m, "the final check through the mapping");
		*checked += ZAP_RANGE / PATTERN_UNIT;
	}
}

/* Owners first, then the interfering threads: thread i is watchdog slot i. */
static void zap_threads(struct stress_run *run, struct zap_ctx *c, struct zap_thread *t,
			struct stress_thread *th, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		bool owner = i < c->nowners;

		t[i].c = c;
		t[i].id = owner ? i : i - c->nowners;
		t[i].slot = i;
		t[i].wd = stress_worker(run, i);
		if (posix_memalign(&t[i].buf, PATTERN_UNIT, ZAP_RANGE))
			abort();
		wd_name(&run->wd, i, "%s %u", owner ? "owner" : "interfering thread", t[i].id);
		th[i].fn = owner ? zap_owner : zap_other;
		th[i].arg = &t[i];
	}
}

static void zap_print(const struct zap_ctx *c, const struct zap_thread *t, unsigned n,
		      uint64_t final, uint64_t *strict)
{
	uint64_t w[ZAP_NPATHS] = { 0 }, checks = 0, zaps = 0, syncs = 0;
	char buf[64];
	unsigned i, p;

	*strict = 0;
	for (i = 0; i < n; i++) {
		for (p = 0; p < ZAP_NPATHS; p++)
			w[p] += t[i].writes[p];
		checks += t[i].checks;
		*strict += t[i].strict;
		zaps += t[i].zaps;
		syncs += t[i].syncs;
	}
	if (c->o->quiet)
		return;
	printf("  writes of 2 MiB, each read back three ways: %" PRIu64 " through the mapping, "
	       "%" PRIu64 " buffered, %" PRIu64 " O_DIRECT\n",
	       w[ZAP_MMAP], w[ZAP_BUFFERED], w[ZAP_DIRECT]);
	printf("  interference: %" PRIu64 " zaps, %" PRIu64 " write-back+drops, %" PRIu64
	       " pages read and judged (%" PRIu64 " with no write in flight); final check from "
	       "disk: %s\n",
	       zaps, syncs, checks, *strict, stress_final_text(final, buf, sizeof(buf)));
}

/* The file, its O_DIRECT twin and the mapping, generation 1 everywhere. */
static int zap_setup(struct zap_ctx *c, const char *dir)
{
	uint64_t i;
	int ret;

	c->fd = fsfile_open_unnamed(dir);
	if (c->fd < 0)
		return fb_error(FB_UNDECIDED,
				"stress zap-coherence: cannot create a file in '%s': %s", dir,
				strerror(-c->fd));
	c->dfd = stress_reopen_direct(c->fd);
	if (c->dfd < 0) {
		close(c->fd);
		return fb_error(FB_UNDECIDED, "stress zap-coherence: O_DIRECT on '%s': %s", dir,
				strerror(-c->dfd));
	}
	ret = ftruncate(c->fd, c->size) ? -errno
					: stress_write_pattern(c->dfd, 0, c->size, 1, c->seed);
	if (!ret) {
		c->map = mmap(NULL, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
		ret = c->map == MAP_FAILED ? -errno : 0;
	}
	if (ret) {
		if (c->map == MAP_FAILED)
			c->map = NULL;
		close(c->dfd);
		close(c->fd);
		return fb_error(FB_UNDECIDED, "stress zap-coherence: setting up the file: %s",
				strerror(-ret));
	}
	for (i = 0; i < c->nranges; i++)
		c->published[i] = c->started[i] = 1;
	return FB_OK;
}

static int run_zap_coherence(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = stress_seed(o), strict = 0, final = 0;
	struct zap_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = stress_default_workers(o), i;
	struct stress_run run = { 0 };
	struct zap_thread *t;
	struct stress_thread *th;
	long fstype;
	int ret;
	size_t arrays;

	ret = fsfile_need_disk(dir, 0, FB_UNDECIDED, "stress zap-coherence",
			       "O_DIRECT there copies without pinning pages or invalidating "
			       "the page cache; give a directory on a disk filesystem",
			       &fstype);
	if (ret)
		return ret;
	c.size = o->size ? o->size : 8 * MiB;
	if (c.size % ZAP_RANGE)
		return fb_usage("option '--size': the zap-coherence test needs a multiple of 2M");
	c.nranges = c.size / ZAP_RANGE;
	c.nowners = nworkers / 2 < c.nranges ? nworkers / 2 : c.nranges;
	c.nothers = nworkers - c.nowners;
	nworkers = c.nowners + c.nothers;
	arrays = 2 * c.nranges * sizeof(uint64_t);
	c.sh = stress_shared_alloc(arrays);
	c.published = (uint64_t *)(c.sh + 1);
	c.started = c.published + c.nranges;
	ret = zap_setup(&c, dir);
	if (ret) {
		stress_shared_free(c.sh, arrays);
		return ret;
	}
	stress_begin(&run, "zap-coherence", o, c.sh, seed, nworkers);
	c.run = &run;
	if (!o->quiet)
		printf("stress zap-coherence: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB in %u ranges of 2 MiB, %u owners (mapping, buffered and O_DIRECT "
		       "writes), %u interfering threads (zap, write-back, drop, read)\n",
		       o->time, seed, dir, fsfile_fs_name(fstype), c.size / MiB, c.nranges,
		       c.nowners, c.nothers);
	t = xcalloc(nworkers, sizeof(*t));
	th = xcalloc(nworkers, sizeof(*th));
	zap_threads(&run, &c, t, th, nworkers);
	stress_run_threads(&run, th, nworkers);
	if (stress_may_final_check(&run))
		zap_final_check(&c, t[0].buf, &final);
	zap_print(&c, t, nworkers, final, &strict);
	ret = stress_finish(&run, final > 0, "the final check from disk did not run");
	for (i = 0; i < nworkers; i++)
		free(t[i].buf);
	free(t);
	free(th);
	munmap(c.map, c.size);
	close(c.dfd);
	close(c.fd);
	stress_shared_free(c.sh, arrays);
	return ret;
}

const struct stress_test stress_zap_coherence = {
	.name = "zap-coherence",
	.summary =
	    "mapping, buffered and O_DIRECT writes vs zapped ptes, write-back, dropped cache",
	.run = run_zap_coherence,
};
