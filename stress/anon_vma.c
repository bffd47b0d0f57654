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

struct av_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	uint64_t size, nunits;
	unsigned ntrees;
	uint64_t *passes; /* per tree, shared */
	struct wd_worker *me;
	/* In a tree child: its memory and who wrote each page. */
	char *mem;
	uint64_t *gen_of;
	unsigned tree;
	bool plant; /* this pass: the first child writes nothing but says it did */
};

/* Every page must be the generation recorded for it; false with the report made. */
static bool av_verify(struct av_ctx *c, unsigned depth, const char *when)
{
	struct pattern_mismatch m;
	uint64_t u;

	for (u = 0; u < c->nunits; u++) {
		if (pattern_check(c->mem + u * PATTERN_UNIT, u * PATTERN_UNIT, c->seed,
				  c->gen_of[u], c->gen_of[u], &m))
			continue;
		stress_report_corruption(
		    c->sh, &m,
		    "tree %u, a process at depth %u (pid %d) %s (offsets in its "
		    "private memory)",
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
		bool lost = plant && u == 0; /* self-test: a lost COW write, the old data stays */

		if (stress_rnd(rs) % 8 && !lost)
			continue;
		c->gen_of[u] = gen;
		if (!lost)
			pattern_fill(c->mem + u * PATTERN_UNIT, u * PATTERN_UNIT, gen, c->seed);
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
		pattern_fill(c->mem + u * PATTERN_UNIT, u * PATTERN_UNIT, 1, c->seed);
	}
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
		wd_beat(c->me);
		stress_dwell(0.02);
	}
	_exit(FB_OK);
}

/* Slots 0..ntrees-1 are the tree children, the last one the compaction child. */
static void av_child(void *arg, unsigned slot, struct wd_worker *me)
{
	struct av_ctx *c = arg;

	c->me = me;
	if (slot < c->ntrees)
		av_tree(c, slot);
	else
		av_compact(c);
}

static uint64_t av_print(const struct av_ctx *c, unsigned ntrees, bool compact,
			 const char *compact_why)
{
	uint64_t passes = 0, per = 0, p = 1;
	unsigned i;

	for (i = 0; i < ntrees; i++)
		passes += c->passes[i];
	for (i = 0; i <= AV_DEPTH; i++, p *= AV_FANOUT)
		per += p;
	if (c->o->quiet)
		return passes;
	printf("  trees x%u: %" PRIu64 " fork trees of %" PRIu64 " processes (depth %d, %d "
	       "children each), every process checked its %" PRIu64 " pages twice\n",
	       ntrees, passes, per, AV_DEPTH, AV_FANOUT, c->nunits);
	if (compact)
		printf("  compact x1: /proc/sys/vm/compact_memory written continuously\n");
	else
		printf("  compaction: not run (%s)\n", compact_why);
	return passes;
}

static int run_anon_vma(const struct stress_opts *o)
{
	struct av_ctx c = { .o = o };
	unsigned ntrees = o->workers > 0 ? (unsigned)o->workers : stress_online_cpus(), nch = 0, i;
	struct stress_run run = { 0 };
	struct stress_child ch[258];
	char compact_why[160] = "";
	pid_t pgid = 0;
	bool compact;
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
	if (ntrees > 256)
		ntrees = 256;
	c.ntrees = ntrees;
	c.seed = stress_seed(o);
	ret = stress_compact_once();
	compact = !ret;
	if (ret)
		snprintf(compact_why, sizeof(compact_why), "/proc/sys/vm/compact_memory: %s",
			 strerror(-ret));
	c.sh = stress_shared_alloc((ntrees + 1) * sizeof(uint64_t));
	c.passes = (uint64_t *)(c.sh + 1);
	stress_begin(&run, "anon-vma", o, c.sh, c.seed, ntrees + compact);
	if (!o->quiet)
		printf("stress anon-vma: %g s, seed %" PRIu64 ", %u trees of %" PRIu64
		       " KiB private memory, fork trees %d deep with %d children per process\n",
		       o->time, c.seed, ntrees, c.size / 1024, AV_DEPTH, AV_FANOUT);
	for (i = 0; i < ntrees + compact; i++) {
		if (i < ntrees)
			wd_name(&run.wd, i, "tree child %u", i);
		else
			wd_name(&run.wd, i, "compact child");
	}
	nch = stress_spawn_children(&run, ch, ntrees + compact, &pgid, av_child, &c);
	stress_run_children(&run, ch, nch, pgid, NULL, NULL);
	ret = stress_finish(&run, av_print(&c, ntrees, compact, compact_why) > 0,
			    "no fork tree completed");
	stress_shared_free(c.sh, (ntrees + 1) * sizeof(uint64_t));
	return ret;
}

const struct stress_test stress_anon_vma = {
	.name = "anon-vma",
	.summary = "deep fork trees write COW pages and exit while compaction walks the rmap",
	.run = run_anon_vma,
};
