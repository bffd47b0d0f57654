// SPDX-License-Identifier: GPL-2.0
/*
 * stress truncate: truncate and extend versus page faults: SIGBUS only
 * beyond EOF, zeros after an extension, never stale data.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fsfile.h"
#include "harness.h"

bool stress_judge_truncate(const void *unit, bool sigbus, uint64_t offset, uint64_t size,
			   uint64_t seed, uint64_t gen, struct pattern_mismatch *m)
{
	if (offset + PATTERN_UNIT <= size && !sigbus)
		return pattern_check(unit, offset, seed, gen, gen, m);
	if (offset >= size && sigbus)
		return true;
	memset(m, 0, sizeof(*m));
	m->offset = offset;
	m->exp_seed = seed;
	m->exp_gen_min = m->exp_gen_max = gen;
	m->seen = sigbus ? PATTERN_SEEN_SIGBUS : PATTERN_SEEN_NO_SIGBUS;
	return false;
}

/*
 * SIGBUS on a truncated mapping: the reader thread that armed the jump buffer
 * gets control back; anywhere else the signal keeps its default action.
 */
static __thread sigjmp_buf *sigbus_jump;

static void on_sigbus(int sig)
{
	if (sigbus_jump)
		siglongjmp(*sigbus_jump, 1);
	signal(sig, SIG_DFL); /* returning re-executes the access: dies as it should */
}

/* Copy a unit; true if the access raised SIGBUS. */
static bool copy_unit_catching_sigbus(const void *src, uint64_t *dst)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1)) {
		__atomic_store_n(&sigbus_jump, NULL, __ATOMIC_RELAXED);
		return true;
	}
	__atomic_store_n(&sigbus_jump, &jb, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	stress_copy_unit(src, dst);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&sigbus_jump, NULL, __ATOMIC_RELAXED);
	return false;
}

/*
 * One truncating thread cycles the file through three stable states, each
 * published with an even sequence number (odd: a change is in flight):
 *   shrunk to S      pages >= S must raise SIGBUS, pages < S keep their data
 *   extended again   pages >= S must read zeros (never the data before the cut)
 *   rewritten        pages >= S hold a new generation
 * Readers judge an access only when the sequence number was even and the same
 * before and after it; otherwise they still fault, to keep the race going.
 */
struct trunc_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	int fd;
	const char *map;
	uint64_t full, npages;
	uint64_t *gen; /* per page: expected generation (0: zeros) */
	uint64_t size, boundary;
	unsigned seq;
	const struct stress_run *run; /* for stress_plant_due() */
	uint64_t cycles;
	struct wd_worker *truncator_wd;
};

struct trunc_reader {
	struct trunc_ctx *c;
	unsigned id;
	struct wd_worker *wd;
	uint64_t checks, sigbus;
};

static uint64_t trunc_pick(struct trunc_ctx *c, uint64_t *rs)
{
	uint64_t b = __atomic_load_n(&c->boundary, __ATOMIC_RELAXED) / PATTERN_UNIT, p;

	/* Half the accesses near the cut, where the races are. */
	if (stress_rnd(rs) & 1)
		return stress_rnd(rs) % c->npages;
	p = b + stress_rnd(rs) % 16;
	p = p >= 8 ? p - 8 : 0;
	return p < c->npages ? p : c->npages - 1;
}

static void *trunc_reader_fn(void *arg)
{
	struct trunc_reader *t = arg;
	struct trunc_ctx *c = t->c;
	uint64_t rs = stress_rnd_seed(c->seed, t->id), unit[PATTERN_WORDS];
	struct pattern_mismatch m;

	wd_enter(t->wd);
	while (!stress_should_stop(c->sh)) {
		unsigned s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE), s2;
		uint64_t p = trunc_pick(c, &rs), off = p * PATTERN_UNIT, size, gen;
		bool bus;

		wd_beat(t->wd);

		size = __atomic_load_n(&c->size, __ATOMIC_RELAXED);
		gen = __atomic_load_n(&c->gen[p], __ATOMIC_RELAXED);
		bus = copy_unit_catching_sigbus(c->map + off, unit);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		s2 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
		if ((s1 & 1) || s1 != s2)
			continue; /* a change was in flight: the access only made noise */
		if (!stress_judge_truncate(unit, bus, off, size, c->seed, gen, &m)) {
			stress_report_corruption(
			    c->sh, &m, "reader %u (file size 0x%" PRIx64 ", no change in flight)",
			    t->id, size);
			break;
		}
		t->checks++;
		t->sigbus += bus;
	}
	wd_leave(t->wd);
	return NULL;
}

static void seq_begin(struct trunc_ctx *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_SEQ_CST);
}

static void seq_end(struct trunc_ctx *c)
{
	__atomic_fetch_add(&c->seq, 1, __ATOMIC_SEQ_CST);
}

/* One shrink / extend / rewrite cycle; 0 or -errno. */
static int trunc_cycle(struct trunc_ctx *c, uint64_t *rs, uint64_t *g, bool plant)
{
	uint64_t cut = (stress_rnd(rs) % c->npages) * PATTERN_UNIT, p;
	int ret;

	__atomic_store_n(&c->boundary, cut, __ATOMIC_RELAXED);
	seq_begin(c);
	ret = ftruncate(c->fd, cut) ? -errno : 0;
	__atomic_store_n(&c->size, cut, __ATOMIC_RELAXED);
	seq_end(c);
	if (ret)
		return ret;
	stress_dwell(0.002);

	seq_begin(c);
	ret = ftruncate(c->fd, c->full) ? -errno : 0;
	for (p = cut / PATTERN_UNIT; p < c->npages; p++)
		__atomic_store_n(&c->gen[p], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->size, c->full, __ATOMIC_RELAXED);
	seq_end(c);
	if (ret)
		return ret;
	stress_dwell(0.002);

	seq_begin(c);
	++*g;
	ret = stress_write_pattern(c->fd, cut, c->full - cut, *g, c->seed);
	if (!ret && plant && cut < c->full)
		/* Self-test: the data from before the cut comes back at the cut. */
		ret = stress_write_pattern(c->fd, cut, PATTERN_UNIT, *g - 1, c->seed);
	for (p = cut / PATTERN_UNIT; p < c->npages; p++)
		__atomic_store_n(&c->gen[p], *g, __ATOMIC_RELAXED);
	seq_end(c);
	stress_dwell(0.002);
	return ret;
}

static void trunc_final_check(struct trunc_ctx *c, uint64_t *checked)
{
	struct pattern_mismatch m;
	uint64_t p;

	for (p = 0; p < c->npages && !c->sh->corrupt; p++, ++*checked)
		if (!pattern_check(c->map + p * PATTERN_UNIT, p * PATTERN_UNIT, c->seed, c->gen[p],
				   c->gen[p], &m))
			stress_report_corruption(c->sh, &m, "the final check through the mapping");
}

/* The truncating thread: cycles until the run stops; the planted page stays until found. */
static void *trunc_truncator(void *arg)
{
	struct trunc_ctx *c = arg;
	uint64_t rs = stress_rnd_seed(c->seed, 999), g = 1;
	bool planted = false;
	int ret;

	wd_enter(c->truncator_wd);
	stress_stall_hook(0);
	while (!stress_should_stop(c->sh)) {
		bool plant = !planted && stress_plant_due(c->run);

		wd_beat(c->truncator_wd);
		if (planted) {
			/* Keep the planted page in place until a reader finds it. */
			stress_dwell(0.01);
			continue;
		}
		ret = trunc_cycle(c, &rs, &g, plant);
		if (ret) {
			stress_report_failure(c->sh, "truncate/write: %s", strerror(-ret));
			break;
		}
		planted |= plant;
		c->cycles++;
	}
	wd_leave(c->truncator_wd);
	return NULL;
}

/* Slot 0 is the truncating thread, slots 1..n the readers. */
static void trunc_threads(struct stress_run *run, struct trunc_ctx *c, struct trunc_reader *t,
			  struct stress_thread *th, unsigned nreaders)
{
	unsigned i;

	c->truncator_wd = stress_worker(run, 0);
	wd_name(&run->wd, 0, "truncating thread");
	th[0].fn = trunc_truncator;
	th[0].arg = c;
	for (i = 0; i < nreaders; i++) {
		t[i].c = c;
		t[i].id = i;
		t[i].wd = stress_worker(run, i + 1);
		wd_name(&run->wd, i + 1, "faulting reader %u", i);
		th[i + 1].fn = trunc_reader_fn;
		th[i + 1].arg = &t[i];
	}
}

static void trunc_print(const struct trunc_ctx *c, const struct trunc_reader *t, unsigned n,
			uint64_t final, uint64_t *checks)
{
	uint64_t sigbus = 0;
	char buf[64];
	unsigned i;

	*checks = 0;
	for (i = 0; i < n; i++) {
		*checks += t[i].checks;
		sigbus += t[i].sigbus;
	}
	if (!c->o->quiet)
		printf("  %" PRIu64 " shrink/extend/rewrite cycles; %" PRIu64
		       " accesses judged (%" PRIu64 " of them SIGBUS beyond EOF, as required); "
		       "final check: %s\n",
		       c->cycles, *checks, sigbus, stress_final_text(final, buf, sizeof(buf)));
}

static int run_truncate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = stress_seed(o), checks = 0, final = 0;
	struct trunc_ctx c = { .o = o, .seed = seed };
	unsigned nreaders = stress_default_workers(o), i;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	struct stress_run run = { 0 };
	struct trunc_reader *t = NULL;
	struct stress_thread *th = NULL;
	long fstype;
	int ret;

	ret = fsfile_fs_type("dir", dir, 0, &fstype);
	if (ret)
		return ret;
	c.full = o->size ? o->size : 8 * MiB;
	if (c.full % PATTERN_UNIT || c.full < 2 * PATTERN_UNIT)
		return fb_usage("option '--size': the truncate test needs a multiple of 4k");
	ret = stress_check_size("truncate", c.full);
	if (ret)
		return ret;
	c.npages = c.full / PATTERN_UNIT;
	c.fd = fsfile_open_unnamed(dir);
	if (c.fd < 0)
		return fb_error(FB_UNDECIDED, "stress truncate: cannot create a file in '%s': %s",
				dir, strerror(-c.fd));
	c.sh = stress_shared_alloc(c.npages * sizeof(uint64_t));
	c.gen = (uint64_t *)(c.sh + 1);
	stress_begin(&run, "truncate", o, c.sh, seed, nreaders + 1);
	c.run = &run;
	ret = stress_write_pattern(c.fd, 0, c.full, 1, seed);
	if (ret) {
		stress_report_failure(c.sh, "writing the file: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < c.npages; i++)
		c.gen[i] = 1;
	c.size = c.full;
	c.map = mmap(NULL, c.full, PROT_READ, MAP_SHARED, c.fd, 0);
	if (c.map == MAP_FAILED) {
		c.map = NULL;
		stress_report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);

	if (!o->quiet)
		printf("stress truncate: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB file, 1 truncating thread, %u faulting readers\n",
		       o->time, seed, dir, fsfile_fs_name(fstype), c.full / MiB, nreaders);
	t = xcalloc(nreaders, sizeof(*t));
	th = xcalloc(nreaders + 1, sizeof(*th));
	trunc_threads(&run, &c, t, th, nreaders);
	stress_run_threads(&run, th, nreaders + 1);
	if (stress_may_final_check(&run))
		trunc_final_check(&c, &final);
	if (!run.left_running)
		sigaction(SIGBUS, &old, NULL);
	trunc_print(&c, t, nreaders, final, &checks);
out:
	ret = stress_finish(&run, checks > 0, "no access happened while the file was stable");
	free(t);
	free(th);
	if (c.map)
		munmap((void *)c.map, c.full);
	close(c.fd);
	stress_shared_free(c.sh, c.npages * sizeof(uint64_t));
	return ret;
}

const struct stress_test stress_truncate = {
	.name = "truncate",
	.summary = "truncate/extend vs faults: SIGBUS only beyond EOF, never stale data",
	.run = run_truncate,
};
