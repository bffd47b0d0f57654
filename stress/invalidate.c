// SPDX-License-Identifier: GPL-2.0
/*
 * stress invalidate: O_DIRECT writes versus page faults on a MAP_SHARED
 * mapping of the same file (invalidate_inode_pages2 versus the fault path).
 *
 * The file is cut into 64 KiB ranges, each written whole by one O_DIRECT
 * writer (so its generations only grow); readers read random pages through
 * the mapping.  Per range a writer stores "started = g" before its pwrite and
 * "published = g" after it returns; a reader loads published before its copy
 * and started after it, and stress_judge_invalidate() decides: exactly that
 * generation when nothing was in flight, any whole one in between otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsfile.h"
#include "harness.h"

bool stress_judge_invalidate(const void *unit, uint64_t offset, uint64_t seed,
			     uint64_t published_before, uint64_t started_after, bool *strict,
			     struct pattern_mismatch *m)
{
	*strict = published_before == started_after;
	if (pattern_check(unit, offset, seed, published_before, started_after, m))
		return true;
	/*
	 * A fault that reads the block from disk while an O_DIRECT write of it
	 * is in flight may see a mix of the two generations; not a bug.
	 */
	return !*strict && m->seen == PATTERN_SEEN_TORN && m->seen_offset == offset &&
	       m->seen_seed == seed && m->seen_gen >= published_before &&
	       m->seen_gen <= started_after;
}

/*
 * Ranges of 64 KiB: each written whole by one O_DIRECT pwrite of one writer
 * (so a range's generations only grow), read a page at a time by any reader.
 */
#define INV_RANGE (64 * 1024ULL)

struct inv_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	int dfd;
	const char *map;
	uint64_t size;
	unsigned nranges, nwriters, nreaders;
	uint64_t *published;	      /* per range: newest gen whose write returned */
	uint64_t *started;	      /* per range: newest gen whose write began */
	const struct stress_run *run; /* for stress_plant_due() */
};

struct inv_thread {
	struct inv_ctx *c;
	unsigned id, slot;
	struct wd_worker *wd;
	uint64_t checks, strict, writes;
};

static void *inv_writer(void *arg)
{
	struct inv_thread *t = arg;
	struct inv_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, 1000 + t->id), planted = UINT64_MAX;
	unsigned per = (c->nranges + c->nwriters - 1) / c->nwriters;
	void *buf;
	int ret;

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	if (posix_memalign(&buf, PATTERN_UNIT, INV_RANGE)) {
		stress_report_failure(c->sh, "out of memory");
		wd_leave(t->wd);
		return NULL;
	}
	while (!stress_should_stop(c->sh)) {
		uint64_t r = t->id + (uint64_t)c->nwriters * (stress_rnd(&rs) % per), g, content;

		wd_beat(t->wd);

		if (r >= c->nranges || r == planted)
			continue;
		g = c->started[r] + 1; /* only this writer writes range r */
		content = g;
		if (t->id == 0 && planted == UINT64_MAX && stress_plant_due(c->run)) {
			/* Self-test: publish g but write g - 1, as a lost write would look. */
			content = g - 1;
			planted = r;
		}
		pattern_fill_range(buf, INV_RANGE, r * INV_RANGE, content, c->seed);
		__atomic_store_n(&c->started[r], g, __ATOMIC_SEQ_CST);
		ret = stress_pwrite_all(c->dfd, buf, INV_RANGE, r * INV_RANGE);
		if (ret) {
			stress_report_failure(c->sh, "O_DIRECT pwrite: %s", strerror(-ret));
			break;
		}
		__atomic_store_n(&c->published[r], g, __ATOMIC_RELEASE);
		t->writes++;
	}
	free(buf);
	wd_leave(t->wd);
	return NULL;
}

static void *inv_reader(void *arg)
{
	struct inv_thread *t = arg;
	struct inv_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, t->id), unit[PATTERN_WORDS];
	struct pattern_mismatch m;

	wd_enter(t->wd);
	stress_stall_hook(t->slot);
	while (!stress_should_stop(c->sh)) {
		uint64_t r = stress_rnd(&rs) % c->nranges;
		uint64_t off =
		    r * INV_RANGE + (stress_rnd(&rs) % (INV_RANGE / PATTERN_UNIT)) * PATTERN_UNIT;
		uint64_t pub, started;
		bool strict;

		pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE);
		stress_copy_unit(c->map + off, unit);
		/* The copy's loads must complete before "started" is read. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
		if (!stress_judge_invalidate(unit, off, c->seed, pub, started, &strict, &m)) {
			stress_report_corruption(
			    c->sh, &m, "reader %u through the MAP_SHARED mapping, %s", t->id,
			    strict ? "after the O_DIRECT write of that generation "
				     "had returned and none was in flight"
				   : "while a newer write was in flight");
			break;
		}
		t->checks++;
		t->strict += strict;
		wd_beat(t->wd);
	}
	wd_leave(t->wd);
	return NULL;
}

/* After the run, with nothing in flight: every page must be its range's last generation. */
static void inv_final_check(struct inv_ctx *c, uint64_t *checked)
{
	struct pattern_mismatch m;
	uint64_t r;

	for (r = 0; r < c->nranges && !c->sh->corrupt; r++) {
		if (!pattern_check_range(c->map + r * INV_RANGE, INV_RANGE, r * INV_RANGE, c->seed,
					 c->published[r], c->published[r], &m))
			stress_report_corruption(c->sh, &m, "the final check through the mapping");
		*checked += INV_RANGE / PATTERN_UNIT;
	}
}

static void inv_print(const struct inv_ctx *c, const struct inv_thread *t, unsigned n,
		      uint64_t final, uint64_t *strict)
{
	uint64_t checks = 0, writes = 0;
	char buf[64];
	unsigned i;

	*strict = 0;
	for (i = 0; i < n; i++) {
		checks += t[i].checks;
		*strict += t[i].strict;
		writes += t[i].writes;
	}
	if (!c->o->quiet)
		printf("  %" PRIu64 " O_DIRECT writes of 64 KiB; %" PRIu64
		       " pages read through the mapping and checked, %" PRIu64
		       " of them with no write in flight (exact generation required); "
		       "final check: %s\n",
		       writes, checks, *strict, stress_final_text(final, buf, sizeof(buf)));
}

/* Writers first, then readers: thread i is watchdog slot i. */
static void inv_threads(struct stress_run *run, struct inv_ctx *c, struct inv_thread *t,
			struct stress_thread *th, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		bool writer = i < c->nwriters;

		t[i].c = c;
		t[i].id = writer ? i : i - c->nwriters;
		t[i].slot = i;
		t[i].wd = stress_worker(run, i);
		wd_name(&run->wd, i, "%s %u", writer ? "O_DIRECT writer" : "mapping reader",
			t[i].id);
		th[i].fn = writer ? inv_writer : inv_reader;
		th[i].arg = &t[i];
	}
}

static int run_invalidate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = stress_seed(o), strict = 0, final = 0;
	struct inv_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = stress_default_workers(o), i;
	struct stress_run run = { 0 };
	struct inv_thread *t = NULL;
	struct stress_thread *th = NULL;
	long fstype;
	int fd, ret;
	size_t arrays;

	ret = fsfile_need_disk(dir, 0, FB_UNDECIDED, "stress invalidate",
			       "O_DIRECT there copies without pinning pages or invalidating "
			       "the page cache; give a directory on a disk filesystem",
			       &fstype);
	if (ret)
		return ret;
	c.size = o->size ? o->size : 8 * MiB;
	if (c.size % INV_RANGE || c.size < INV_RANGE)
		return fb_usage("option '--size': the invalidate test needs a multiple of 64k");
	ret = stress_check_size("invalidate", c.size);
	if (ret)
		return ret;
	c.nranges = c.size / INV_RANGE;
	c.nwriters = nworkers / 2;
	c.nreaders = nworkers - c.nwriters;
	if (c.nwriters > c.nranges)
		c.nwriters = c.nranges;
	nworkers = c.nwriters + c.nreaders;

	fd = fsfile_open_unnamed(dir);
	if (fd < 0)
		return fb_error(FB_UNDECIDED, "stress invalidate: cannot create a file in '%s': %s",
				dir, strerror(-fd));
	c.dfd = stress_reopen_direct(fd);
	if (c.dfd < 0) {
		close(fd);
		return fb_error(FB_UNDECIDED, "stress invalidate: O_DIRECT on '%s': %s", dir,
				strerror(-c.dfd));
	}
	arrays = 2 * c.nranges * sizeof(uint64_t);
	c.sh = stress_shared_alloc(arrays);
	c.published = (uint64_t *)(c.sh + 1);
	c.started = c.published + c.nranges;
	stress_begin(&run, "invalidate", o, c.sh, seed, nworkers);
	c.run = &run;

	/* Generation 1 everywhere, written with O_DIRECT like every later one. */
	ret = ftruncate(fd, c.size) ? -errno : stress_write_pattern(c.dfd, 0, c.size, 1, seed);
	if (ret) {
		stress_report_failure(c.sh, "writing the file: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < c.nranges; i++)
		c.published[i] = c.started[i] = 1;
	c.map = mmap(NULL, c.size, PROT_READ, MAP_SHARED, fd, 0);
	if (c.map == MAP_FAILED) {
		c.map = NULL;
		stress_report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}

	if (!o->quiet)
		printf("stress invalidate: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB in %u ranges of 64 KiB, %u O_DIRECT writers, %u mapping readers\n",
		       o->time, seed, dir, fsfile_fs_name(fstype), c.size / MiB, c.nranges,
		       c.nwriters, c.nreaders);
	t = xcalloc(nworkers, sizeof(*t));
	th = xcalloc(nworkers, sizeof(*th));
	inv_threads(&run, &c, t, th, nworkers);
	stress_run_threads(&run, th, nworkers);
	if (stress_may_final_check(&run))
		inv_final_check(&c, &final);
	inv_print(&c, t, nworkers, final, &strict);
out:
	ret = stress_finish(&run, strict > 0, "no page was read while no write was in flight");
	free(t);
	free(th);
	if (c.map)
		munmap((void *)c.map, c.size);
	close(c.dfd);
	close(fd);
	stress_shared_free(c.sh, arrays);
	return ret;
}

const struct stress_test stress_invalidate = {
	.name = "invalidate",
	.summary = "O_DIRECT writes vs faults on a MAP_SHARED mapping of the same file",
	.run = run_invalidate,
};
