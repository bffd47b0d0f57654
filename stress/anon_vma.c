// SPDX-License-Identifier: GPL-2.0
/*
 * stress anon-vma: the anon_vma root-lock seed: deep fork trees share
 * anonymous pages through chains of anon_vmas; their processes write (breaking
 * COW) and exit while compaction migrates the pages, walking those chains
 * (rmap).  The seed's failure was a hang, so the watchdog matters here as much
 * as the data.
 *
 * Each tree child (--workers of them, default one per CPU) maps --size of
 * private anonymous memory (default 2 MiB), fills it, and then over and over
 * forks a tree AV_DEPTH deep with AV_FANOUT children per process.  Every
 * process checks the whole memory it inherited (each page the generation of
 * the nearest ancestor that wrote it: the table of who wrote what is in the
 * same private memory, so it is inherited exactly like the data), writes an
 * eighth of the pages with a generation of its own, forks its children,
 * checks again (its children's writes must not show through), waits for them
 * and exits.  A compaction child writes /proc/sys/vm/compact_memory
 * continuously, as in migrate.
 */
#include <errno.h>
#include <numa.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define AV_DEPTH  3
#define AV_FANOUT 3
/*
 * The first eighth of each tree's pages carry this one offset instead of
 * their own, so that pages of the same generation are identical and KSM
 * merges them (within a process, across a tree and across trees).
 */
#define AV_KSM_OFF (1ULL << 46)

#ifndef MADV_COLD
#define MADV_COLD 20 /* Linux 5.4; older C library headers lack them */
#endif
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/*
 * The rmap walkers, besides the fork trees' own exits: each runs where the
 * kernel here offers it, and the run says which did and why the others did not.
 *   compact        a child writes /proc/sys/vm/compact_memory (migration)
 *   ksm            ksmd merges the trees' identical pages, then COW breaks
 *                  and compaction walk the KSM pages' rmap (rmap_walk_ksm)
 *   pageout        every process, before its second check, MADV_COLD and
 *                  MADV_PAGEOUT of its memory (reclaim; without swap the
 *                  anonymous pages stay, only the walk runs)
 *   migrate_pages  with two NUMA nodes or more, a child moves each tree
 *                  child's pages between them
 */
enum av_walker { AV_COMPACT, AV_KSM, AV_PAGEOUT, AV_MIGRATE, AV_NWALKERS };

static const char *const av_walker_name[AV_NWALKERS] = {
	"compact",
	"ksm",
	"pageout",
	"migrate_pages",
};

/* Shared counters of the walkers. */
struct av_stats {
	uint64_t compact, ksm_polls, ksm_max_sharing, ksm_scans, pageouts, pageout_errors,
	    migrations;
};

struct av_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	uint64_t size, nunits, nksm;
	unsigned ntrees;
	uint64_t *passes;    /* per tree, shared */
	struct av_stats *st; /* shared */
	bool on[AV_NWALKERS];
	char why[AV_NWALKERS][160];		 /* why a walker did not run */
	enum av_walker slot_walker[AV_NWALKERS]; /* child slot ntrees + i */
	unsigned nwalker_children;
	char ksm_run[16];	       /* /sys/kernel/mm/ksm/run before the run; "" untouched */
	uint64_t ksm_scans0;	       /* full_scans at the start */
	const struct stress_child *ch; /* the tree children's pids, for migrate_pages */
	int nodes[8], nnodes;
	struct wd_worker *me;
	/* In a tree child: its memory and who wrote each page. */
	char *mem;
	uint64_t *gen_of;
	unsigned tree;
	bool plant; /* this pass: the first child writes nothing but says it did */
};

/* The offset page u's pattern carries: its own, or AV_KSM_OFF for the KSM pages. */
static uint64_t av_off(const struct av_ctx *c, uint64_t u)
{
	return u < c->nksm ? AV_KSM_OFF : u * PATTERN_UNIT;
}

/* Every page must be the generation recorded for it; false with the report made. */
static bool av_verify(struct av_ctx *c, unsigned depth, const char *when)
{
	struct pattern_mismatch m;
	uint64_t u;

	for (u = 0; u < c->nunits; u++) {
		if (pattern_check(c->mem + u * PATTERN_UNIT, av_off(c, u), c->seed, c->gen_of[u],
				  c->gen_of[u], &m))
			continue;
		stress_report_corruption(
		    c->sh, &m,
		    "tree %u, a process at depth %u (pid %d) %s (offsets in its "
		    "private memory; 0x400000000000: one of the pages KSM may merge)",
		    c->tree, depth, (int)getpid(), when);
		return false;
	}
	/* Every process of the tree counts for the tree child: a big tree is not a hang. */
	wd_beat_shared(c->me);
	return true;
}

/* An eighth of the pages get generation gen (COW breaks in a child). */
static void av_write(struct av_ctx *c, uint64_t gen, uint64_t *rs, bool plant)
{
	uint64_t u;

	for (u = 0; u < c->nunits; u++) {
		/* Self-test: a lost COW write (the old data stays), on a page of its own offset. */
		bool lost = plant && u == c->nksm;

		if (stress_rnd(rs) % 8 && !lost)
			continue;
		c->gen_of[u] = gen;
		if (!lost)
			pattern_fill(c->mem + u * PATTERN_UNIT, av_off(c, u), gen, c->seed);
	}
}

/* Wait for a process's children; their corruption reports are already made. */
static void av_wait_children(struct av_ctx *c, const pid_t *kids, unsigned n)
{
	unsigned i;
	int st;

	for (i = 0; i < n; i++) {
		if (waitpid(kids[i], &st, 0) != kids[i])
			continue;
		if (WIFSIGNALED(st) && !stress_should_stop(c->sh))
			stress_report_failure(
			    c->sh,
			    "a process of tree %u was killed by signal %d (%s): not "
			    "judged, but a crash here may itself be a kernel bug",
			    c->tree, WTERMSIG(st), strsignal(WTERMSIG(st)));
	}
}

/* Reclaim's walk over this process's memory: deactivate, then page out what it can. */
static void av_pageout(struct av_ctx *c)
{
	if (madvise(c->mem, c->size, MADV_COLD) || madvise(c->mem, c->size, MADV_PAGEOUT))
		__atomic_fetch_add(&c->st->pageout_errors, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&c->st->pageouts, 1, __ATOMIC_RELAXED);
}

/* One process of the tree: check, write, fork the next level, check, wait, exit. */
static void av_node(struct av_ctx *c, unsigned depth, uint64_t id, uint64_t pass)
{
	uint64_t rs = stress_rnd_seed(c->seed, (pass << 32) ^ (id << 8) ^ c->tree);
	pid_t kids[AV_FANOUT];
	unsigned k, n = 0;

	if (!av_verify(c, depth, "on entry (what it inherited)"))
		_exit(FB_FAIL);
	av_write(c, pass * 1000000 + id + 2, &rs, c->plant && depth == 1 && id == 1);
	for (k = 0; depth < AV_DEPTH && k < AV_FANOUT && !stress_should_stop(c->sh); k++) {
		pid_t pid = fork();

		if (pid < 0) {
			stress_report_failure(c->sh, "fork: %s", strerror(errno));
			break;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			av_node(c, depth + 1, id * AV_FANOUT + k + 1, pass);
			_exit(FB_OK);
		}
		kids[n++] = pid;
	}
	if (c->on[AV_PAGEOUT])
		av_pageout(c);
	if (!av_verify(c, depth, "after forking (its children's writes showed through)"))
		_exit(FB_FAIL);
	av_wait_children(c, kids, n);
}

/* A tree child: its memory, then one fork tree after another. */
static void av_tree(struct av_ctx *c, unsigned id)
{
	uint64_t u, pass = 0;
	bool planted = false;
	pid_t pid;

	c->tree = id;
	c->mem = mmap(NULL, c->size + c->nunits * sizeof(uint64_t), PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->mem == MAP_FAILED) {
		stress_report_failure(c->sh, "mmap: %s", strerror(errno));
		_exit(FB_UNDECIDED);
	}
	c->gen_of = (uint64_t *)(c->mem + c->size);
	for (u = 0; u < c->nunits; u++) {
		c->gen_of[u] = 1;
		pattern_fill(c->mem + u * PATTERN_UNIT, av_off(c, u), 1, c->seed);
	}
	/* Inherited by every process of its trees, which ksmd then scans too. */
	if (c->on[AV_KSM])
		madvise(c->mem, c->size, MADV_MERGEABLE);
	while (!stress_should_stop(c->sh)) {
		pass++;
		/*
		 * Planted in the first tree: a tree can take seconds on a loaded
		 * machine, and the checker must get to see it within --time.
		 */
		c->plant = c->o->plant_corruption && id == 0 && !planted;
		planted |= c->plant;
		pid = fork();
		if (pid < 0) {
			stress_report_failure(c->sh, "fork: %s", strerror(errno));
			_exit(FB_UNDECIDED);
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			av_node(c, 0, 0, pass);
			_exit(FB_OK);
		}
		av_wait_children(c, &pid, 1);
		__atomic_fetch_add(&c->passes[id], 1, __ATOMIC_RELAXED);
		wd_beat_shared(c->me);
	}
	_exit(FB_OK);
}

static void av_compact(struct av_ctx *c)
{
	while (!stress_should_stop(c->sh)) {
		stress_compact_once();
		__atomic_fetch_add(&c->st->compact, 1, __ATOMIC_RELAXED);
		wd_beat(c->me);
		stress_dwell(0.02);
	}
	_exit(FB_OK);
}

static uint64_t ksm_read(const char *name)
{
	char path[96], *s;
	uint64_t v;

	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	s = read_first_line(path);
	v = s ? strtoull(s, NULL, 10) : 0;
	free(s);
	return v;
}

/* ksmd does the walking; this child watches how much it merged. */
static void av_ksm(struct av_ctx *c)
{
	while (!stress_should_stop(c->sh)) {
		uint64_t sharing = ksm_read("pages_sharing");

		if (sharing > c->st->ksm_max_sharing)
			c->st->ksm_max_sharing = sharing;
		c->st->ksm_scans = ksm_read("full_scans") - c->ksm_scans0;
		c->st->ksm_polls++;
		wd_beat(c->me);
		stress_dwell(0.1);
	}
	_exit(FB_OK);
}

/* Each tree child's pages (those it alone maps, or all as root) to the next node in turn. */
static void av_migrate(struct av_ctx *c)
{
	struct bitmask *from = numa_allocate_nodemask(), *to = numa_allocate_nodemask();
	unsigned i, k = 0;

	for (i = 0; i < (unsigned)c->nnodes; i++)
		numa_bitmask_setbit(from, c->nodes[i]);
	while (!stress_should_stop(c->sh)) {
		for (i = 0; i < c->ntrees && !stress_should_stop(c->sh); i++, k++) {
			numa_bitmask_clearall(to);
			numa_bitmask_setbit(to, c->nodes[k % c->nnodes]);
			if (numa_migrate_pages(c->ch[i].pid, from, to) >= 0)
				__atomic_fetch_add(&c->st->migrations, 1, __ATOMIC_RELAXED);
			wd_beat(c->me);
		}
		stress_dwell(0.02);
	}
	_exit(FB_OK);
}

/* Slots 0..ntrees-1 are the tree children, then one child per walker that needs one. */
static void av_child(void *arg, unsigned slot, struct wd_worker *me)
{
	static void (*const fn[AV_NWALKERS])(struct av_ctx *) = {
		[AV_COMPACT] = av_compact,
		[AV_KSM] = av_ksm,
		[AV_MIGRATE] = av_migrate,
	};
	struct av_ctx *c = arg;

	c->me = me;
	if (slot < c->ntrees)
		av_tree(c, slot);
	else
		fn[c->slot_walker[slot - c->ntrees]](c);
}

/* Turn ksmd on for the run when it is off (restored by ksm_restore()); false: why says. */
static bool ksm_start(struct av_ctx *c)
{
	char *run = read_first_line("/sys/kernel/mm/ksm/run");
	int ret;

	if (!run) {
		snprintf(c->why[AV_KSM], sizeof(c->why[AV_KSM]),
			 "no /sys/kernel/mm/ksm: a kernel without CONFIG_KSM");
		return false;
	}
	if (strcmp(run, "1")) {
		ret = stress_write_knob("/sys/kernel/mm/ksm/run", "1");
		if (ret) {
			snprintf(c->why[AV_KSM], sizeof(c->why[AV_KSM]),
				 "ksmd is off and /sys/kernel/mm/ksm/run cannot be written: %s",
				 strerror(-ret));
			free(run);
			return false;
		}
		snprintf(c->ksm_run, sizeof(c->ksm_run), "%s", run);
	}
	free(run);
	c->ksm_scans0 = ksm_read("full_scans");
	return true;
}

static void ksm_restore(struct av_ctx *c)
{
	if (c->ksm_run[0] && stress_write_knob("/sys/kernel/mm/ksm/run", c->ksm_run))
		fb_warn("stress anon-vma: could not set /sys/kernel/mm/ksm/run back to %s",
			c->ksm_run);
}

/* Which walkers run here, and why the others do not; the number of walker children. */
static unsigned av_walkers(struct av_ctx *c)
{
	int ret = stress_compact_once();
	unsigned w, n = 0;

	c->on[AV_COMPACT] = !ret;
	if (ret)
		snprintf(c->why[AV_COMPACT], sizeof(c->why[AV_COMPACT]),
			 "/proc/sys/vm/compact_memory: %s", strerror(-ret));
	c->on[AV_KSM] = ksm_start(c);
	c->on[AV_PAGEOUT] = true; /* where the kernel lacks it, the run counts the errors */
	c->nnodes = stress_find_nodes(c->nodes, ARRAY_SIZE(c->nodes));
	c->on[AV_MIGRATE] = c->nnodes >= 2;
	if (!c->on[AV_MIGRATE])
		snprintf(c->why[AV_MIGRATE], sizeof(c->why[AV_MIGRATE]),
			 "%d NUMA node%s with memory", c->nnodes, c->nnodes == 1 ? "" : "s");
	for (w = 0; w < AV_NWALKERS; w++)
		if (c->on[w] && w != AV_PAGEOUT)
			c->slot_walker[n++] = w;
	c->nwalker_children = n;
	return n;
}

/* What each walker did, or why it did not run, as a line and into the result. */
static void av_walker_text(const struct av_ctx *c, enum av_walker w, char *buf, size_t len)
{
	const struct av_stats *st = c->st;

	if (!c->on[w]) {
		snprintf(buf, len, "not run (%s)", c->why[w]);
		return;
	}
	switch (w) {
	case AV_COMPACT:
		snprintf(buf, len, "/proc/sys/vm/compact_memory written %" PRIu64 " times",
			 st->compact);
		break;
	case AV_KSM:
		snprintf(buf, len,
			 "ksmd merged the trees' memory (MADV_MERGEABLE): up to %" PRIu64
			 " pages sharing, %" PRIu64 " full scan%s%s",
			 st->ksm_max_sharing, st->ksm_scans, st->ksm_scans == 1 ? "" : "s",
			 c->ksm_run[0] ? " (ksmd turned on for the run)" : "");
		break;
	case AV_PAGEOUT:
		snprintf(buf, len,
			 "MADV_COLD + MADV_PAGEOUT by %" PRIu64 " processes before their second "
			 "check%s%s",
			 st->pageouts, st->pageout_errors ? ", refused for some: " : "",
			 st->pageout_errors ? "an older kernel?" : "");
		if (!stress_meminfo("SwapFree"))
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " (no swap: the anonymous pages stay, only reclaim's walk runs)");
		break;
	case AV_MIGRATE:
		snprintf(buf, len, "%" PRIu64 " tree children's pages moved between %d nodes",
			 st->migrations, c->nnodes);
		break;
	case AV_NWALKERS:
		break;
	}
}

static uint64_t av_print(const struct av_ctx *c, struct stress_run *run)
{
	uint64_t passes = 0, per = 0, p = 1;
	json_t *walkers = json_object();
	char text[320];
	unsigned i;

	for (i = 0; i < c->ntrees; i++)
		passes += c->passes[i];
	for (i = 0; i <= AV_DEPTH; i++, p *= AV_FANOUT)
		per += p;
	if (!c->o->quiet)
		printf("  trees x%u: %" PRIu64 " fork trees of %" PRIu64 " processes (depth %d, %d "
		       "children each), every process checked its %" PRIu64 " pages twice\n",
		       c->ntrees, passes, per, AV_DEPTH, AV_FANOUT, c->nunits);
	for (i = 0; i < AV_NWALKERS; i++) {
		json_t *wj = json_object();

		av_walker_text(c, i, text, sizeof(text));
		if (!c->o->quiet)
			printf("  %-13s %s\n", av_walker_name[i], text);
		json_object_set_new(wj, "ran", json_boolean(c->on[i]));
		json_object_set_new(wj, "what", json_string(text));
		json_object_set_new(walkers, av_walker_name[i], wj);
	}
	stress_add_detail(run, "rmap_walkers", walkers);
	return passes;
}

static int run_anon_vma(const struct stress_opts *o)
{
	struct stress_child ch[256 + AV_NWALKERS];
	struct av_ctx c = { .o = o, .ch = ch };
	unsigned ntrees = o->workers > 0 ? (unsigned)o->workers : stress_online_cpus(), nch = 0, i;
	size_t extra;
	struct stress_run run = { 0 };
	pid_t pgid = 0;
	int ret;

	c.size = o->size ? o->size : 2 * MiB;
	if (c.size % PATTERN_UNIT)
		return fb_usage("option '--size': the anon-vma test needs a multiple of 4k");
	if (stress_mem_available() && c.size > stress_mem_available() / 64)
		return fb_usage(
		    "option '--size': %llu MiB per tree is more than 1/64 of the memory "
		    "available: up to %d processes of a tree may each break COW",
		    (unsigned long long)(c.size / MiB), 40);
	c.nunits = c.size / PATTERN_UNIT;
	c.nksm = c.nunits / 8;
	if (ntrees > 256)
		ntrees = 256;
	c.ntrees = ntrees;
	c.seed = stress_seed(o);
	extra = sizeof(struct av_stats) + ntrees * sizeof(uint64_t);
	c.sh = stress_shared_alloc(extra);
	c.st = (struct av_stats *)(c.sh + 1);
	c.passes = (uint64_t *)(c.st + 1);
	av_walkers(&c);
	stress_begin(&run, "anon-vma", o, c.sh, c.seed, ntrees + c.nwalker_children);
	if (!o->quiet)
		printf("stress anon-vma: %g s, seed %" PRIu64 ", %u trees of %" PRIu64
		       " KiB private memory, fork trees %d deep with %d children per process\n",
		       o->time, c.seed, ntrees, c.size / 1024, AV_DEPTH, AV_FANOUT);
	for (i = 0; i < ntrees + c.nwalker_children; i++) {
		if (i < ntrees)
			wd_name(&run.wd, i, "tree child %u", i);
		else
			wd_name(&run.wd, i, "%s child", av_walker_name[c.slot_walker[i - ntrees]]);
	}
	nch = stress_spawn_children(&run, ch, ntrees + c.nwalker_children, &pgid, av_child, &c);
	stress_run_children(&run, ch, nch, pgid, NULL, NULL);
	ksm_restore(&c);
	ret = stress_finish(&run, av_print(&c, &run) > 0, "no fork tree completed");
	stress_shared_free(c.sh, extra);
	return ret;
}

const struct stress_test stress_anon_vma = {
	.name = "anon-vma",
	.summary =
	    "fork trees write COW pages and exit while compaction, KSM and reclaim walk the rmap",
	.run = run_anon_vma,
};
