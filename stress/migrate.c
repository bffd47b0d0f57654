// SPDX-License-Identifier: GPL-2.0
/*
 * stress migrate: the recipe of the 2010 migration-race fixes, scaled to the
 * machine, as child processes in a process group of their own (killed as a
 * group at the end; PR_SET_PDEATHSIG kills them should this process die
 * first):
 *   faulters    map the shared file, read-check every page, unmap; and fill
 *               and check private anonymous memory of their own
 *   punchers    write a file of their own, punch a hole, check zeros in the
 *               hole and the data around it through a MAP_SHARED mapping
 *   exec        fork and exec a tiny program, over and over (mm teardown)
 *   memset      fill a large THP-eligible mapping with patterns and check it
 *   compact     write /proc/sys/vm/compact_memory continuously (root)
 *   move_pages  with several NUMA nodes, move the memset child's pages around
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numaif.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsfile.h"
#include "harness.h"
#include "kernbench_load.h"

enum mig_role {
	MIG_FAULT,
	MIG_PUNCH,
	MIG_EXEC,
	MIG_MEMSET,
	MIG_COMPACT,
	MIG_MOVE,
	MIG_KERNBENCH,
	MIG_NROLES
};

static const char *const mig_role_name[MIG_NROLES] = {
	"faulter", "puncher", "exec", "memset", "compact", "move_pages", "kernbench",
};

/* --scale seed: the 2010 report's 100 children (faulters here). */
#define MIG_SEED_CHILDREN 100

struct mig_stats {
	uint64_t passes, pages;
	uint64_t written; /* memset: bytes filled, finished pass or not */
};

struct mig_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	struct mig_stats *st; /* [MIG_NROLES], shared */
	uint64_t seed;
	const char *dir;
	int ffd; /* the shared file */
	uint64_t fsize;
	char *anon; /* faulters' private memory, anon_per each */
	uint64_t anon_per;
	char *mem; /* the memset child's mapping */
	uint64_t msize;
	char helper[4096];
	struct mig_slot *slots;	       /* per child */
	const struct stress_child *ch; /* filled as they are forked: the move_pages child */
	unsigned memset_slot;	       /* finds the memset child's pid here */
	int nodes[8], nnodes;
	bool planted;
	struct kb_load kb;     /* --scale seed: kernbench alongside */
	char memset_note[256]; /* --scale seed: why memset is less than 1.5x RAM */
	struct wd_worker *me;  /* in a child: its watchdog entry */
};

#define MIG_PUNCH_SIZE (4 * MiB)

static void mig_count(struct mig_ctx *c, enum mig_role r, uint64_t pages)
{
	__atomic_fetch_add(&c->st[r].passes, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->st[r].pages, pages, __ATOMIC_RELAXED);
	wd_beat(c->me);
}

static void mig_corrupt(struct mig_ctx *c, const struct pattern_mismatch *m, const char *who)
{
	stress_report_corruption(c->sh, m, "%s", who);
	_exit(FB_FAIL);
}

static void mig_cannot(struct mig_ctx *c, const char *what, int err)
{
	stress_report_failure(c->sh, "%s: %s", what, strerror(err));
	_exit(FB_UNDECIDED);
}

static void mig_faulter(struct mig_ctx *c, unsigned id)
{
	char *anon = c->anon + id * c->anon_per, who[96];
	uint64_t base = (uint64_t)(id + 1) << 40, pass = 0;
	struct pattern_mismatch m;

	while (!stress_should_stop(c->sh)) {
		char *map = mmap(NULL, c->fsize, PROT_READ, MAP_SHARED, c->ffd, 0);

		if (map == MAP_FAILED)
			mig_cannot(c, "mmap of the shared file", errno);
		if (!pattern_check_range(map, c->fsize, 0, c->seed, 1, 1, &m)) {
			snprintf(who, sizeof(who), "faulter %u (the shared file, MAP_SHARED)", id);
			mig_corrupt(c, &m, who);
		}
		munmap(map, c->fsize);

		/* Offsets of private memory are reported from base = (id + 1) << 40. */
		pattern_fill_range(anon, c->anon_per, base, ++pass, c->seed);
		sched_yield();
		if (!pattern_check_range(anon, c->anon_per, base, c->seed, pass, pass, &m)) {
			snprintf(who, sizeof(who),
				 "faulter %u (its anonymous memory, offsets from 0x%" PRIx64 ")",
				 id, base);
			mig_corrupt(c, &m, who);
		}
		if (pass % 4 == 0) /* refault from scratch now and then */
			madvise(anon, c->anon_per, MADV_DONTNEED);
		mig_count(c, MIG_FAULT, (c->fsize + c->anon_per) / PATTERN_UNIT);
	}
	_exit(FB_OK);
}

static void mig_puncher(struct mig_ctx *c, unsigned id)
{
	uint64_t npages = MIG_PUNCH_SIZE / PATTERN_UNIT, rs = stress_rnd_seed(c->seed, 2000 + id),
		 g = 0;
	struct pattern_mismatch m;
	int fd = fsfile_open_unnamed(c->dir), ret;
	char who[128], *map;

	if (fd < 0)
		mig_cannot(c, "creating the puncher's file", -fd);
	if (ftruncate(fd, MIG_PUNCH_SIZE))
		mig_cannot(c, "ftruncate", errno);
	map = mmap(NULL, MIG_PUNCH_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		mig_cannot(c, "mmap of the puncher's file", errno);
	while (!stress_should_stop(c->sh)) {
		uint64_t first = stress_rnd(&rs) % npages, n = 1 + stress_rnd(&rs) % 128, p;

		if (first + n > npages)
			n = npages - first;
		ret = stress_write_pattern(fd, 0, MIG_PUNCH_SIZE, ++g, c->seed);
		if (ret)
			mig_cannot(c, "writing the puncher's file", -ret);
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, first * PATTERN_UNIT,
			      n * PATTERN_UNIT))
			mig_cannot(c, "punching a hole (fallocate)", errno);
		for (p = 0; p < npages; p++) {
			uint64_t want = p >= first && p < first + n ? 0 : g;

			if (pattern_check(map + p * PATTERN_UNIT, p * PATTERN_UNIT, c->seed, want,
					  want, &m))
				continue;
			snprintf(who, sizeof(who),
				 "puncher %u (its own file, hole 0x%" PRIx64 "-0x%" PRIx64 ")", id,
				 first * PATTERN_UNIT, (first + n) * PATTERN_UNIT);
			mig_corrupt(c, &m, who);
		}
		mig_count(c, MIG_PUNCH, npages);
	}
	_exit(FB_OK);
}

static void mig_exec(struct mig_ctx *c, unsigned id)
{
	char *argv[] = { c->helper, NULL }, *envp[] = { NULL };
	pid_t pid;
	int st;

	while (!stress_should_stop(c->sh)) {
		pid = fork();
		if (pid < 0)
			mig_cannot(c, "fork", errno);
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			execve(c->helper, argv, envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0)
			mig_cannot(c, "waitpid", errno);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			mig_cannot(c, c->helper,
				   WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOEXEC : EIO);
		mig_count(c, MIG_EXEC, 0);
	}
	_exit(FB_OK);
}

static void mig_memset(struct mig_ctx *c, unsigned id)
{
	const uint64_t base = 1ULL << 50, chunk = 2 * MiB;
	struct pattern_mismatch m;
	uint64_t pass = 0, off;

	while (!stress_should_stop(c->sh)) {
		++pass;
		for (off = 0; off < c->msize && !stress_should_stop(c->sh); off += chunk) {
			pattern_fill_range(c->mem + off, chunk, base + off, pass, c->seed);
			__atomic_fetch_add(&c->st[MIG_MEMSET].written, chunk, __ATOMIC_RELAXED);
			wd_beat(c->me); /* a pass of 256 MiB can take long on a loaded machine */
		}
		if (off < c->msize)
			break;
		for (off = 0; off < c->msize; off += chunk) {
			if (!pattern_check_range(c->mem + off, chunk, base + off, c->seed, pass,
						 pass, &m))
				mig_corrupt(c, &m,
					    "the memset child (offsets from 0x4000000000000)");
			__atomic_fetch_add(&c->st[MIG_MEMSET].pages, chunk / PATTERN_UNIT,
					   __ATOMIC_RELAXED);
			wd_beat(c->me);
		}
		mig_count(c, MIG_MEMSET, 0);
	}
	_exit(FB_OK);
}

static void mig_compact(struct mig_ctx *c, unsigned id)
{
	while (!stress_should_stop(c->sh)) {
		stress_compact_once();
		mig_count(c, MIG_COMPACT, 0);
		stress_dwell(0.02);
	}
	_exit(FB_OK);
}

static void mig_move(struct mig_ctx *c, unsigned id)
{
	enum { BATCH = 512 };
	uint64_t npages = c->msize / page_size(), pass = 0, i, j;
	void *pages[BATCH];
	int nodes[BATCH], status[BATCH];
	/* MPOL_MF_MOVE_ALL (shared pages too) needs CAP_SYS_NICE. */
	int flags = geteuid() == 0 ? MPOL_MF_MOVE_ALL : MPOL_MF_MOVE;

	while (!stress_should_stop(c->sh)) {
		pass++;
		for (i = 0; i < npages && !stress_should_stop(c->sh); i += BATCH) {
			unsigned n = npages - i < BATCH ? npages - i : BATCH;

			for (j = 0; j < n; j++) {
				pages[j] = c->mem + (i + j) * page_size();
				nodes[j] = c->nodes[(pass + j) % c->nnodes];
			}
			/* Pages not present yet (ENOENT in status) are fine. */
			if (move_pages(c->ch[c->memset_slot].pid, n, pages, nodes, status, flags) <
				0 &&
			    errno != ENOENT && errno != EBUSY && errno != ENOMEM)
				mig_cannot(c, "move_pages", errno);
			wd_beat(c->me);
		}
		mig_count(c, MIG_MOVE, npages);
	}
	_exit(FB_OK);
}

/*
 * kernbench is a program of its own with its own progress: not watched (a
 * build step can take longer than --watchdog), stopped with SIGTERM.
 */
static void mig_kernbench(struct mig_ctx *c, unsigned id)
{
	wd_leave(c->me);
	kb_load_exec(&c->kb);
}

/* Child i of the run, in watchdog slot i: its role and its number in that role. */
struct mig_slot {
	enum mig_role role;
	unsigned id;
};

static void mig_child(void *arg, unsigned slot, struct wd_worker *me)
{
	static void (*const fn[MIG_NROLES])(struct mig_ctx *, unsigned) = {
		mig_faulter, mig_puncher, mig_exec,	 mig_memset,
		mig_compact, mig_move,	  mig_kernbench,
	};
	struct mig_ctx *c = arg;

	c->me = me;
	fn[c->slots[slot].role](c, c->slots[slot].id);
}

/*
 * --scale seed's memset: 1.5 x RAM, as in the report, which over-commits
 * memory and needs swap to take the excess.  With swap, never more than half
 * of the memory available (cgroup limits included: fb_mem_available) plus
 * three quarters of the free swap; without, a third of what is available (the
 * excess has nowhere to go, and the machine may be shared); less the
 * faulters' memory.  The test must not bring in the OOM killer.
 */
static uint64_t mig_seed_msize(struct mig_ctx *c, uint64_t avail, unsigned nfault)
{
	uint64_t want = stress_meminfo("MemTotal") / 2 * 3, swap = stress_meminfo("SwapFree");
	uint64_t limit = swap ? avail / 2 + swap / 4 * 3 : avail / 3;
	uint64_t others = (uint64_t)nfault * c->anon_per;

	limit = limit > others + 2 * MiB ? limit - others : 2 * MiB;
	if (want <= limit)
		return want;
	snprintf(c->memset_note, sizeof(c->memset_note),
		 " (the seed's 1.5x RAM, %" PRIu64 " MiB, needs swap; %s: bounded to %s)",
		 want / MiB, swap ? "too little is free" : "there is none here",
		 swap ? "half of the memory available plus 3/4 of the free swap"
		      : "a third of the memory available");
	return limit;
}

static int mig_sizes(struct mig_ctx *c, const struct stress_opts *o, unsigned nfault)
{
	unsigned long long fb_avail = fb_mem_available();
	uint64_t avail = stress_mem_available(), def = avail / 20, max;

	c->fsize = 16 * MiB;
	c->anon_per = 4 * MiB;
	if (def > 256 * MiB)
		def = 256 * MiB;
	if (fb_avail < avail || !avail)
		avail = fb_avail == ~0ULL ? 0 : fb_avail; /* a cgroup limit is lower */
	max = avail / 2;
	if (o->scale == STRESS_SCALE_SEED) {
		def = mig_seed_msize(c, avail, nfault);
		max = def > max ? def : max;
		if (o->size)
			c->memset_note[0] = '\0'; /* --size decides, not the recipe */
	}
	c->msize = o->size ? o->size : def;
	c->msize &= ~(2 * MiB - 1);
	if (!c->msize)
		c->msize = 2 * MiB;
	if (avail && c->msize > max)
		return fb_usage("option '--size': %llu MiB is more than %s (%llu MiB); this test "
				"must never push the machine into the OOM killer",
				(unsigned long long)(c->msize / MiB),
				max == avail / 2 ? "half of the memory available"
						 : "the memory available and free swap allow",
				(unsigned long long)((max == avail / 2 ? avail : max) / MiB));
	return FB_OK;
}

/* Self-test: overwrite one page of the shared file with its neighbour's data. */
static int mig_plant(struct mig_ctx *c)
{
	void *buf;
	int ret;

	if (posix_memalign(&buf, PATTERN_UNIT, PATTERN_UNIT))
		return -ENOMEM;
	pattern_fill(buf, c->fsize / 2 + PATTERN_UNIT, 1, c->seed);
	ret = stress_pwrite_all(c->ffd, buf, PATTERN_UNIT, c->fsize / 2);
	free(buf);
	return ret;
}

/* Called by the harness every 20 ms while the children run: the self-test's plant. */
static void mig_tick(struct stress_run *run, void *arg)
{
	struct mig_ctx *c = arg;
	int ret;

	if (c->planted || !stress_plant_due(run))
		return;
	ret = mig_plant(c);
	if (ret)
		stress_report_failure(c->sh, "planting: %s", strerror(-ret));
	c->planted = true;
}

static void mig_print(struct mig_ctx *c, const unsigned *nrole, const char *compact_why,
		      const char *kb_note)
{
	unsigned r;

	for (r = 0; r < MIG_NROLES; r++) {
		if (!nrole[r])
			continue;
		if (r == MIG_KERNBENCH) {
			printf("  %-10s x%u: %" PRIu64 " build%s of faultbench's kernbench (make "
			       "-j%u of a generated C tree) alongside%s%s%s\n",
			       mig_role_name[r], nrole[r], c->st[r].passes,
			       c->st[r].passes == 1 ? "" : "s", 2 * stress_online_cpus(),
			       kb_note[0] ? " (it ended on its own: " : "", kb_note,
			       kb_note[0] ? ")" : "");
			continue;
		}
		printf("  %-10s x%u: %" PRIu64 " passes", mig_role_name[r], nrole[r],
		       c->st[r].passes);
		if (c->st[r].pages)
			printf(", %" PRIu64 " pages %s", c->st[r].pages,
			       r == MIG_MOVE ? "asked to move" : "checked");
		if (r == MIG_MEMSET && c->o->scale == STRESS_SCALE_SEED)
			printf(", %" PRIu64 " MiB written", c->st[r].written / MiB);
		printf("\n");
	}
	if (compact_why[0])
		printf("  compaction: not run (%s)\n", compact_why);
	if (c->nnodes < 2)
		printf("  move_pages: not run (%d NUMA node%s with memory)\n", c->nnodes,
		       c->nnodes == 1 ? "" : "s");
	if (c->o->scale == STRESS_SCALE_SEED && !nrole[MIG_KERNBENCH])
		printf("  kernbench: not run (%s)\n", c->kb.why);
}

/* --workers, or one per CPU; --scale seed: the report's 100. */
static unsigned mig_faulters(const struct stress_opts *o)
{
	unsigned n = o->workers > 0		     ? (unsigned)o->workers
		     : o->scale == STRESS_SCALE_SEED ? MIG_SEED_CHILDREN
						     : stress_online_cpus();

	return n > 256 ? 256 : n;
}

/* How many children of each role; the reason compaction cannot run, if it cannot. */
static unsigned mig_roles(struct mig_ctx *c, const struct stress_opts *o, unsigned *nrole,
			  char *compact_why, size_t len)
{
	unsigned r, n = 0;
	int ret;

	nrole[MIG_FAULT] = mig_faulters(o);
	/* Punching is faultbench's addition, not the seed's: as many as bounded has. */
	nrole[MIG_PUNCH] = (o->scale == STRESS_SCALE_SEED && !o->workers ? stress_online_cpus()
									 : nrole[MIG_FAULT]) /
			   2;
	if (!nrole[MIG_PUNCH])
		nrole[MIG_PUNCH] = 1;
	nrole[MIG_EXEC] = 1;
	nrole[MIG_MEMSET] = 1;
	ret = stress_compact_once();
	if (ret)
		snprintf(compact_why, len, "/proc/sys/vm/compact_memory: %s", strerror(-ret));
	nrole[MIG_COMPACT] = !ret;
	c->nnodes = stress_find_nodes(c->nodes, ARRAY_SIZE(c->nodes));
	nrole[MIG_MOVE] = c->nnodes >= 2;
	nrole[MIG_KERNBENCH] =
	    o->scale == STRESS_SCALE_SEED && kb_load_prepare(&c->kb, c->dir) == 0;
	for (r = 0; r < MIG_NROLES; r++)
		n += nrole[r];
	return n;
}

/* Child i of the run, in watchdog slot i, named after its role; the slot of the memset child. */
static void mig_slots(struct mig_ctx *c, struct stress_run *run, const unsigned *nrole,
		      unsigned max)
{
	unsigned n = 0, r, i;

	for (r = 0; r < MIG_NROLES; r++) {
		for (i = 0; i < nrole[r] && n < max; i++, n++) {
			c->slots[n] = (struct mig_slot){ .role = r, .id = i };
			wd_name(&run->wd, n, "%s child %u", mig_role_name[r], i);
			if (r == MIG_MEMSET)
				c->memset_slot = n; /* forked before the move_pages child */
		}
	}
}

static int run_migrate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	struct stress_child ch[512];
	struct mig_slot slots[ARRAY_SIZE(ch)];
	struct mig_ctx c = { .o = o, .dir = dir, .ffd = -1, .slots = slots, .ch = ch };
	unsigned nrole[MIG_NROLES] = { 0 }, nch = 0, nslots, i;
	char compact_why[160] = "", kb_note[256] = "";
	bool ended = false;
	struct stress_run run = { 0 };
	pid_t pgid = 0;
	long fstype;
	int ret;
	size_t extra = MIG_NROLES * sizeof(struct mig_stats);

	ret = fsfile_fs_type("dir", dir, 0, &fstype);
	if (ret)
		return ret;
	ret = mig_sizes(&c, o, mig_faulters(o));
	if (ret)
		return ret;
	c.seed = stress_seed(o);
	nslots = mig_roles(&c, o, nrole, compact_why, sizeof(compact_why));
	if (nslots > ARRAY_SIZE(ch))
		nslots = ARRAY_SIZE(ch);
	/* the helper built with this binary, else any program that exits at once */
	if (fsfile_exec_helper(c.helper, sizeof(c.helper)))
		snprintf(c.helper, sizeof(c.helper), "/bin/true");

	c.sh = stress_shared_alloc(extra);
	c.st = (struct mig_stats *)(c.sh + 1);
	stress_begin(&run, "migrate", o, c.sh, c.seed, nslots);
	c.ffd = fsfile_open_unnamed(dir);
	if (c.ffd < 0) {
		stress_report_failure(c.sh, "cannot create a file in '%s': %s", dir,
				      strerror(-c.ffd));
		goto out;
	}
	ret = stress_write_pattern(c.ffd, 0, c.fsize, 1, c.seed);
	if (ret) {
		stress_report_failure(c.sh, "writing the shared file: %s", strerror(-ret));
		goto out;
	}
	/* Mapped before the fork so that move_pages knows the addresses; touched only by the child.
	 */
	c.anon = mmap(NULL, nrole[MIG_FAULT] * c.anon_per, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	c.mem = mmap(NULL, c.msize, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c.anon == MAP_FAILED || c.mem == MAP_FAILED) {
		stress_report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}
	madvise(c.mem, c.msize, MADV_HUGEPAGE); /* huge pages are what compaction makes */

	if (!o->quiet)
		printf("stress migrate: %g s, seed %" PRIu64 ", %s (%s), %smemset %" PRIu64
		       " MiB%s, exec %s\n",
		       o->time, c.seed, dir, fsfile_fs_name(fstype),
		       o->scale == STRESS_SCALE_SEED ? "--scale seed, " : "", c.msize / MiB,
		       c.memset_note, c.helper);
	mig_slots(&c, &run, nrole, nslots);
	nch = stress_spawn_children(&run, ch, nslots, &pgid, mig_child, &c);
	for (i = 0; i < nch; i++)
		ch[i].term_first = slots[i].role == MIG_KERNBENCH;
	stress_run_children(&run, ch, nch, pgid, mig_tick, &c);
	for (i = 0; i < nch; i++)
		if (slots[i].role == MIG_KERNBENCH && ch[i].reaped && !ch[i].killed_by_us)
			ended = true; /* before the run told it to stop: say why */
	c.st[MIG_KERNBENCH].passes = kb_load_finish(&c.kb, kb_note, sizeof(kb_note));
	if (!ended)
		kb_note[0] = '\0';
	if (!o->quiet)
		mig_print(&c, nrole, compact_why, kb_note);
out:
	kb_load_finish(&c.kb, kb_note, sizeof(kb_note)); /* after a failed setup */
	ret = stress_finish(&run, c.st[MIG_FAULT].passes > 0, "no faulter finished a pass");
	if (c.anon && c.anon != MAP_FAILED)
		munmap(c.anon, nrole[MIG_FAULT] * c.anon_per);
	if (c.mem && c.mem != MAP_FAILED)
		munmap(c.mem, c.msize);
	if (c.ffd >= 0)
		close(c.ffd);
	stress_shared_free(c.sh, extra);
	return ret;
}

const struct stress_test stress_migrate = {
	.name = "migrate",
	.summary = "fault, hole-punch, exec and memset children under compaction and move_pages",
	.run = run_migrate,
	.seed_scale = true,
};
