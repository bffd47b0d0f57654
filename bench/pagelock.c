// SPDX-License-Identifier: GPL-2.0
/*
 * pagelock: what page (folio) lock serialisation costs when many CPUs fault
 * the same file pages at once, right after those pages left the page cache
 * (the 2006 "100 CPUs all faulting in the same file in the same pattern"
 * case).
 *
 * Rounds: every worker waits at a barrier; the last to arrive drops the pages
 * (and checks with mincore() that they really are gone); the barrier opens and
 * every worker read-faults the range; repeat.  The first worker to reach a
 * missing page allocates (tmpfs) or reads (disk) a folio and holds its lock
 * until it is uptodate; everybody else arriving at that page sleeps on the
 * folio lock in D state.  Patterns: same (all workers, same pages, same
 * order: they meet on every folio), staggered (each starts at its own offset),
 * disjoint (each its own slice: the baseline with no meeting at all).
 *
 * Threads share one mapping (one MADV_DONTNEED zaps every worker's page-table
 * entries, and a page mapped by one worker is mapped for all, so they meet
 * only while a folio is still locked).  Processes (--mode processes) each
 * have their own page tables over the same file, as in 2006: every process
 * faults every page and they meet on every folio that is not yet uptodate.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "folio.h"
#include "fsfile.h"
#include "stats.h"
#include "sysinfo.h"
#include "uffd.h"
#include "util.h"

enum pl_method { PL_PUNCH, PL_FADVISE, PL_ODIRECT };
enum pl_pattern { PL_DISJOINT, PL_SAME, PL_STAGGERED };
enum pl_large { PL_LARGE_AUTO, PL_LARGE_ON, PL_LARGE_OFF };

struct pagelock_params {
	unsigned long long size;
	int invalidate;	  /* enum pl_method */
	unsigned pattern; /* matrix: exactly one bit of enum pl_pattern per variant */
	bool fault_around;
	int large_folios; /* enum pl_large */
};

#define P(field) offsetof(struct pagelock_params, field)

static const struct opt pagelock_opts[] = {
	{ .name = "size",
	  .type = OPT_SIZE,
	  .def = "8M",
	  .min = 4096,
	  .max = 1ULL << 40,
	  .help = "bytes of the shared file every worker faults per round (its slice for disjoint)",
	  .off = P(size) },
	{ .name = "invalidate",
	  .type = OPT_ENUM,
	  .def = "punch",
	  .choices = "punch|fadvise|odirect",
	  .help = "how pages leave the page cache between rounds: punch a hole in a tmpfs (memfd) "
		  "file; zap the PTEs then POSIX_FADV_DONTNEED on a --dir file; an O_DIRECT write "
		  "over a --dir file (invalidate_inode_pages2)",
	  .off = P(invalidate) },
	{ .name = "pattern",
	  .type = OPT_ENUMSET,
	  .def = "disjoint,same",
	  .choices = "disjoint|same|staggered",
	  .help = "who faults what: disjoint (own slice), same (all pages, same order), staggered "
		  "(all pages, each from its own offset); disjoint first is the ratio baseline",
	  .off = P(pattern),
	  .matrix = true },
	{ .name = "fault-around",
	  .type = OPT_BOOL,
	  .def = "on",
	  .help = "off: register the mapping with userfaultfd write-protect, which disables "
		  "fault-around (one page per fault)",
	  .off = P(fault_around) },
	{ .name = "large-folios",
	  .type = OPT_ENUM,
	  .def = "auto",
	  .choices = "auto|on|off",
	  .help = "on: MADV_HUGEPAGE (tmpfs: as shmem_enabled allows; disk files: PMD-sized "
		  "read-around); off: MADV_NOHUGEPAGE, plus POSIX_FADV_RANDOM on disk files; "
		  "auto: no advice.  The folio sizes obtained are recorded",
	  .off = P(large_folios) },
	OPT_END
};

/* Bounded log of round times: the last ROUND_LOG rounds of the step. */
#define ROUND_LOG 8192

struct round_rec {
	double end;	 /* CLOCK_MONOTONIC at the last worker's finish */
	double ms;	 /* barrier release to the last worker finishing */
	double inval_ms; /* the drop before the round, in the invalidating worker */
};

struct pl_shared {
	const struct pagelock_params *p;
	int fd;
	int uffd;
	char *map;
	size_t len, npages;
	int dio_fd;    /* --invalidate odirect: the same file opened O_DIRECT */
	char *dio_buf; /* O_DIRECT source, page aligned */
	/* only the round hook uses it, one at a time; each worker process has its copy */
	unsigned char *mincore_vec;
	size_t dio_len;
	unsigned nworkers;
	bool processes; /* each worker its own page tables */

	/* round state: written by the hook (all others wait) or atomically */
	uint64_t round; /* incremented by every hook that starts a round */
	int stopping;	/* decided by the hook, so all workers leave together */
	double release;
	double inval_ms; /* how long this round's drop_pages() took */
	char pad[FB_CACHELINE];
	unsigned done; /* workers finished this round */
	char pad2[FB_CACHELINE];

	uint64_t nrounds; /* completed rounds; ring index */
	struct round_rec log[ROUND_LOG];

	/* the proof that pages really left: mincore() before and after each drop */
	uint64_t checks;
	uint64_t redrops; /* drops repeated because pages were still resident */
	size_t resident_before_min, resident_before_max, resident_after_max;
};

static unsigned pattern_of(const struct pagelock_params *p)
{
	return p->pattern ? (unsigned)__builtin_ctz(p->pattern) : PL_SAME;
}

static const char *method_name(int m)
{
	return opt_choice_name(opt_find(pagelock_opts, "invalidate"), m);
}

static int check_dir(const char *dir, const char *what)
{
	char who[64];

	snprintf(who, sizeof(who), "pagelock --invalidate %s", what);
	return fsfile_need_disk(dir, FSFILE_NEAREST, FB_SKIP, who,
				"give --dir on a disk filesystem, or use --invalidate punch", NULL);
}

static int pagelock_check(const void *params, const struct run_opts *ro)
{
	const struct pagelock_params *p = params;

	if (p->size % (unsigned long long)page_size())
		return fb_usage("option '--size': %llu is not a multiple of the page size %ld",
				p->size, page_size());
	if (p->invalidate != PL_PUNCH)
		return check_dir(ro->dir, method_name(p->invalidate));
	return FB_OK;
}

static size_t resident_pages(const struct pl_shared *sh)
{
	size_t i, n = 0;

	if (mincore(sh->map, sh->len, sh->mincore_vec))
		return (size_t)-1;
	for (i = 0; i < sh->npages; i++)
		n += sh->mincore_vec[i] & 1;
	return n;
}

/* Fill the file so its pages hold data (not holes), written back and clean. */
static int fill_file(struct pl_shared *sh)
{
	size_t chunk = 1 << 20, off;
	char *buf = xmalloc(chunk);
	int ret = 0;

	memset(buf, 0x5a, chunk);
	for (off = 0; off < sh->len && !ret; off += chunk) {
		size_t n = sh->len - off < chunk ? sh->len - off : chunk;

		if (pwrite(sh->fd, buf, n, (off_t)off) != (ssize_t)n)
			ret = errno ? -errno : -EIO;
	}
	free(buf);
	if (!ret && fsync(sh->fd))
		ret = -errno;
	return ret;
}

static int open_disk_file(struct step_ctx *sc, struct pl_shared *sh)
{
	char *path = xasprintf("%s/faultbench-pagelock.XXXXXX", sc->dir);
	int ret = FB_OK;

	sh->fd = mkostemp(path, O_CLOEXEC);
	if (sh->fd < 0) {
		ret = fb_fail("cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	ret = fill_file(sh);
	if (ret) {
		ret = fb_fail("cannot write %s: %s", path, strerror(-ret));
		goto out;
	}
	if (sh->p->invalidate == PL_ODIRECT) {
		sh->dio_fd = open(path, O_WRONLY | O_DIRECT | O_CLOEXEC);
		if (sh->dio_fd < 0) {
			ret = fb_skip("O_DIRECT is not supported on --dir %s: %s", sc->dir,
				      strerror(errno));
			goto out;
		}
		sh->dio_len = 1 << 20;
		if (posix_memalign((void **)&sh->dio_buf, (size_t)page_size(), sh->dio_len)) {
			sh->dio_buf = NULL;
			ret = fb_fail("out of memory for the O_DIRECT buffer");
			goto out;
		}
		/* the same bytes as fill_file(): the data never changes, only the cache does */
		memset(sh->dio_buf, 0x5a, sh->dio_len);
	}
out:
	if (sh->fd >= 0)
		unlink(path);
	free(path);
	return ret;
}

static int open_backing(struct step_ctx *sc, struct pl_shared *sh)
{
	if (sh->p->invalidate != PL_PUNCH)
		return open_disk_file(sc, sh);
	/* memfd is tmpfs (shmem_fault) without needing a tmpfs directory */
	sh->fd = memfd_create("faultbench-pagelock", MFD_CLOEXEC);
	if (sh->fd < 0)
		return fb_fail("memfd_create: %s", strerror(errno));
	if (ftruncate(sh->fd, (off_t)sh->len))
		return fb_fail("ftruncate(memfd, %zu): %s", sh->len, strerror(errno));
	return FB_OK;
}

/* What we can say about folio sizes: advice given, and the knobs that decide it. */
static void apply_large_folio_advice(struct step_ctx *sc, struct pl_shared *sh)
{
	const struct pagelock_params *p = sh->p;
	json_t *o = json_object();
	char *shmem = sysfs_selected_choice("/sys/kernel/mm/transparent_hugepage/shmem_enabled");

	json_object_set_new(
	    o, "asked",
	    json_string(opt_choice_name(opt_find(pagelock_opts, "large-folios"), p->large_folios)));
	if (p->large_folios == PL_LARGE_ON) {
		if (madvise(sh->map, sh->len, MADV_HUGEPAGE))
			json_object_set_new(o, "madv_hugepage_error", json_string(strerror(errno)));
	} else if (p->large_folios == PL_LARGE_OFF) {
		madvise(sh->map, sh->len, MADV_NOHUGEPAGE);
		/* no readahead window: a disk read fault brings in one order-0 folio */
		if (p->invalidate != PL_PUNCH)
			posix_fadvise(sh->fd, 0, (off_t)sh->len, POSIX_FADV_RANDOM);
	}
	if (p->invalidate == PL_PUNCH)
		json_object_set_new(o, "shmem_enabled", shmem ? json_string(shmem) : json_null());
	else
		json_object_set_new(o, "note",
				    json_string("page-cache folio size follows readahead and the "
						"filesystem's large-folio support; see 'folios'"));
	free(shmem);
	json_object_set_new(sc->extra, "large_folios", o);
}

static void pagelock_teardown(struct step_ctx *sc);

static int no_fault_around(struct pl_shared *sh, char *why, size_t whylen)
{
	return uffd_disable_fault_around(
	    sh->map, sh->len, sh->p->invalidate == PL_PUNCH ? UFFD_MEM_SHMEM : UFFD_MEM_FILE, why,
	    whylen);
}

static int pagelock_setup(struct step_ctx *sc)
{
	const struct pagelock_params *p = sc->params;
	struct pl_shared *sh;
	int ret;

	/* workers may be processes: everything they share must be MAP_SHARED */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return fb_fail("cannot map the shared round state: %s", strerror(errno));

	sh->p = p;
	sh->fd = sh->dio_fd = sh->uffd = -1;
	sh->len = p->size;
	sh->npages = sh->len / (size_t)page_size();
	sh->nworkers = sc->nworkers;
	sh->processes = sc->ro->mode == MODE_PROCESSES;
	sh->resident_before_min = (size_t)-1;
	sh->mincore_vec = xmalloc(sh->npages);
	sc->shared = sh;
	ret = open_backing(sc, sh);
	if (ret)
		goto fail;
	sh->map = mmap(NULL, sh->len, PROT_READ, MAP_SHARED, sh->fd, 0);
	if (sh->map == MAP_FAILED) {
		sh->map = NULL;
		ret = fb_fail("mmap of the %zu-byte file: %s", sh->len, strerror(errno));
		goto fail;
	}
	apply_large_folio_advice(sc, sh);
	/*
	 * Registered here even for processes: a failure is then a skip before
	 * any worker starts.  A forked child does not inherit the registration,
	 * so each worker process registers its own mapping again.
	 */
	if (!p->fault_around) {
		char why[256];

		sh->uffd = no_fault_around(sh, why, sizeof(why));
		if (sh->uffd < 0) {
			ret = fb_skip("pagelock --fault-around off: %s", why);
			goto fail;
		}
	}
	return FB_OK;
fail:
	pagelock_teardown(sc);
	return ret;
}

/* Drops repeated when pages are still resident after one, before giving up. */
#define PL_REDROPS 10

static int drop_pages(struct pl_shared *sh)
{
	size_t off;

	switch (sh->p->invalidate) {
	case PL_PUNCH:
		/* removes the pages from the file and unmaps them from every mapper */
		if (fallocate(sh->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0,
			      (off_t)sh->len))
			return -errno;
		return 0;
	case PL_FADVISE:
		/*
		 * fadvise alone skips mapped pages: zap the PTEs first.  Threads
		 * share the mapping, so one MADV_DONTNEED covers every worker.
		 */
		if (madvise(sh->map, sh->len, MADV_DONTNEED))
			return -errno;
		if (posix_fadvise(sh->fd, 0, (off_t)sh->len, POSIX_FADV_DONTNEED))
			return -EIO;
		return 0;
	case PL_ODIRECT:
		/* the kernel unmaps and invalidates the written range (invalidate_inode_pages2) */
		for (off = 0; off < sh->len; off += sh->dio_len) {
			size_t n = sh->len - off < sh->dio_len ? sh->len - off : sh->dio_len;

			if (pwrite(sh->dio_fd, sh->dio_buf, n, (off_t)off) != (ssize_t)n)
				return errno ? -errno : -EIO;
		}
		return 0;
	}
	return -EINVAL;
}

/* Runs in the last worker to reach the barrier, while every other worker waits. */
static void start_round(struct worker *w)
{
	struct pl_shared *sh = w->shared;
	size_t before, after;
	double t0;
	int err;

	if (worker_should_stop(w))
		goto stop;
	before = resident_pages(sh);
	if (before == (size_t)-1) {
		worker_fail(w, "pagelock: mincore: %s", strerror(errno));
		goto stop;
	}
	/*
	 * The invalidation side, timed alone (not the mincore() proofs around
	 * it): what one drop of the whole range costs the invalidating task.
	 * Every other worker waits at the barrier meanwhile, so this is not part
	 * of the round time.
	 */
	t0 = now_monotonic();
	err = drop_pages(sh);
	sh->inval_ms = (now_monotonic() - t0) * 1e3;
	if (err) {
		worker_fail(w, "pagelock: --invalidate %s failed: %s",
			    method_name(sh->p->invalidate), strerror(-err));
		goto stop;
	}
	after = resident_pages(sh);
	/*
	 * A page another task holds a reference on for a moment (reclaim or
	 * compaction isolating it, a per-CPU LRU batch) is skipped by the
	 * invalidation: seen here as 1-6 of 2048 pages left now and then on a
	 * busy machine.  Drop again, untimed, and count it; only pages that stay
	 * are a failure of the method.
	 */
	for (unsigned again = 0; after && after != (size_t)-1 && again < PL_REDROPS; again++) {
		usleep(1000);
		err = drop_pages(sh);
		if (err)
			break;
		sh->redrops++;
		after = resident_pages(sh);
	}
	if (after == (size_t)-1) {
		worker_fail(w, "pagelock: mincore: %s", strerror(errno));
		goto stop;
	}
	if (after) {
		worker_fail(w,
			    "pagelock: --invalidate %s left %zu of %zu pages resident "
			    "(mincore): the pages did not leave the page cache",
			    method_name(sh->p->invalidate), after, sh->npages);
		goto stop;
	}
	/* round 0 starts from an untouched file: only later rounds prove a drop */
	if (sh->round) {
		sh->checks++;
		if (before < sh->resident_before_min)
			sh->resident_before_min = before;
		if (before > sh->resident_before_max)
			sh->resident_before_max = before;
		if (after > sh->resident_after_max)
			sh->resident_after_max = after;
	}
	__atomic_store_n(&sh->done, 0, __ATOMIC_RELAXED);
	sh->release = now_monotonic();
	__atomic_add_fetch(&sh->round, 1, __ATOMIC_RELEASE);
	return;
stop:
	__atomic_store_n(&sh->stopping, 1, __ATOMIC_RELEASE);
	__atomic_add_fetch(&sh->round, 1, __ATOMIC_RELEASE);
}

static void finish_round(struct worker *w, struct pl_shared *sh)
{
	double end;
	struct round_rec *rec;

	if (__atomic_add_fetch(&sh->done, 1, __ATOMIC_ACQ_REL) != sh->nworkers)
		return;
	/* the last worker to finish closes the round; nobody else touches the log now */
	end = now_monotonic();
	rec = &sh->log[sh->nrounds % ROUND_LOG];
	rec->end = end;
	rec->ms = (end - sh->release) * 1e3;
	rec->inval_ms = sh->inval_ms;
	sh->nrounds++;
	worker_count(w, 1, 1);
}

/* Pages [first, first + n) of the range, wrapping, one read each. */
static uint64_t touch(const struct pl_shared *sh, size_t first, size_t n)
{
	const size_t ps = (size_t)page_size();
	const volatile char *map = sh->map;
	size_t i, pg = first;
	uint64_t sum = 0;

	for (i = 0; i < n; i++) {
		sum += map[pg * ps];
		if (++pg == sh->npages)
			pg = 0;
	}
	return sum;
}

static void pagelock_loop(struct worker *w)
{
	struct pl_shared *sh = w->shared;
	size_t first = 0, n = sh->npages;
	volatile uint64_t sink = 0;

	switch (pattern_of(sh->p)) {
	case PL_DISJOINT:
		first = sh->npages * w->id / w->nworkers;
		n = sh->npages * (w->id + 1) / w->nworkers - first;
		break;
	case PL_STAGGERED:
		first = sh->npages * w->id / w->nworkers;
		break;
	}
	for (;;) {
		uint64_t r0 = __atomic_load_n(&sh->round, __ATOMIC_ACQUIRE);

		worker_barrier(w, start_round);
		/*
		 * The hook decides for everybody whether to go on; a barrier left
		 * because the runner stopped (no hook ran) ends the loop too.
		 */
		if (__atomic_load_n(&sh->round, __ATOMIC_ACQUIRE) == r0 ||
		    __atomic_load_n(&sh->stopping, __ATOMIC_ACQUIRE))
			break;
		sink += touch(sh, first, n);
		worker_count(w, 0, n);
		finish_round(w, sh);
		/* fadvise skips mapped pages; a process can only zap its own mapping */
		if (sh->processes && sh->p->invalidate == PL_FADVISE)
			madvise(sh->map, sh->len, MADV_DONTNEED);
	}
	(void)sink;
}

static int pagelock_worker_init(struct worker *w)
{
	struct pl_shared *sh = w->shared;
	char why[256];
	int fd;

	w->mem = sh->map;
	w->mem_len = sh->len;
	w->mem_shared = true;
	if (sh->processes && !sh->p->fault_around) {
		fd = no_fault_around(sh, why, sizeof(why));
		if (fd < 0)
			return worker_fail(w, "pagelock --fault-around off: %s", why);
		/* left open until the worker process exits: closing it would unregister */
	}
	return 0;
}

/* Folio sizes of the last round, on a fresh fault of the whole range. */
static void report_folios(struct step_ctx *sc, struct pl_shared *sh)
{
	struct folio_report fr;
	char buf[64];

	(void)touch(sh, 0, sh->npages);
	if (folio_inspect(sh->map, sh->len, &fr))
		return;
	json_object_set_new(sc->extra, "folios", folio_report_json(&fr));
	json_object_set_new(sc->extra, "folio_summary",
			    json_string(folio_describe(&fr, buf, sizeof(buf))));
}

static void pagelock_report(struct step_ctx *sc)
{
	struct pl_shared *sh = sc->shared;
	json_t *o, *end, *ms, *inval;
	uint64_t i, first;

	if (!sh || !sh->map)
		return;
	o = json_object();
	json_object_set_new(o, "method", json_string(method_name(sh->p->invalidate)));
	json_object_set_new(o, "pages", json_integer((json_int_t)sh->npages));
	json_object_set_new(o, "rounds_checked", json_integer((json_int_t)sh->checks));
	json_object_set_new(o, "redrops", json_integer((json_int_t)sh->redrops));
	if (sh->checks) {
		json_object_set_new(o, "resident_before_min",
				    json_integer((json_int_t)sh->resident_before_min));
		json_object_set_new(o, "resident_before_max",
				    json_integer((json_int_t)sh->resident_before_max));
		json_object_set_new(o, "resident_after_max",
				    json_integer((json_int_t)sh->resident_after_max));
	}
	json_object_set_new(sc->extra, "invalidation", o);
	json_object_set_new(sc->extra, "fault_around", json_boolean(sh->p->fault_around));

	/* The round log goes through extra to derive(), which runs after teardown. */
	end = json_array();
	ms = json_array();
	inval = json_array();
	first = sh->nrounds > ROUND_LOG ? sh->nrounds - ROUND_LOG : 0;
	for (i = first; i < sh->nrounds; i++) {
		json_array_append_new(end, json_real(sh->log[i % ROUND_LOG].end));
		json_array_append_new(ms, json_real(sh->log[i % ROUND_LOG].ms));
		json_array_append_new(inval, json_real(sh->log[i % ROUND_LOG].inval_ms));
	}
	o = json_object();
	json_object_set_new(o, "end", end);
	json_object_set_new(o, "ms", ms);
	json_object_set_new(o, "inval_ms", inval);
	json_object_set_new(o, "total_rounds", json_integer((json_int_t)sh->nrounds));
	json_object_set_new(sc->extra, "round_log", o);
	report_folios(sc, sh);
}

static void pagelock_teardown(struct step_ctx *sc)
{
	struct pl_shared *sh = sc->shared;

	if (!sh)
		return;
	if (sh->uffd >= 0)
		close(sh->uffd);
	if (sh->map)
		munmap(sh->map, sh->len);
	if (sh->fd >= 0)
		close(sh->fd);
	if (sh->dio_fd >= 0)
		close(sh->dio_fd);
	free(sh->dio_buf);
	free(sh->mincore_vec);
	munmap(sh, sizeof(*sh));
	sc->shared = NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Values (vals[i]) of the rounds whose end falls in [from, to), sorted; returns how many. */
static size_t rounds_between(json_t *end, json_t *vals, double from, double to, double *out)
{
	size_t i, n = 0;

	for (i = 0; i < json_array_size(end); i++) {
		double e = json_real_value(json_array_get(end, i));

		if (e >= from && e < to)
			out[n++] = json_real_value(json_array_get(vals, i));
	}
	qsort(out, n, sizeof(*out), cmp_double);
	return n;
}

static double sum_of(const double *v, size_t n)
{
	double sum = 0;

	while (n--)
		sum += v[n];
	return sum;
}

static const struct {
	const char *name;
	const char *log; /* the round_log array it is taken from */
	double pct;
} round_stats[] = {
	{ "round_ms_p50", "ms", 50 },	    { "round_ms_p90", "ms", 90 },
	{ "round_ms_p99", "ms", 99 },	    { "round_ms_max", "ms", 100 },
	{ "inval_ms_p50", "inval_ms", 50 }, { "inval_ms_p99", "inval_ms", 99 },
};

/*
 * The invalidation side per window: its share of the time a round cycle
 * takes (drop + round) and how many pages one invalidating task drops per
 * second of its own time.
 */
static void inval_window(json_t *log, double from, double to, double npages, double *buf,
			 double *share, double *rate)
{
	json_t *end = json_object_get(log, "end");
	size_t n = rounds_between(end, json_object_get(log, "inval_ms"), from, to, buf);
	double inval = sum_of(buf, n), round;

	round = sum_of(buf, rounds_between(end, json_object_get(log, "ms"), from, to, buf));
	*share = n && inval + round > 0 ? 100 * inval / (inval + round) : NAN;
	*rate = n && inval > 0 ? npages * (double)n / (inval / 1e3) : NAN;
}

static void derive_inval(struct step_result *r, json_t *log, double t_end, double total,
			 double *buf)
{
	double npages =
	    json_number_value(json_object_get(json_object_get(r->extra, "invalidation"), "pages"));
	struct metric *m;
	double to = t_end, from, share, rate;
	unsigned s;

	if (!json_object_get(log, "inval_ms") || npages <= 0)
		return;
	/* step_add_metric() may move earlier metrics: fill each one right after adding it */
	m = step_add_metric(r, "inval_share%", false);
	for (s = r->nsamples; s-- > 0; to = from) {
		from = to - r->samples[s].t;
		inval_window(log, from, to, npages, buf, &m->v[s], &rate);
	}
	inval_window(log, t_end - total, t_end, npages, buf, &m->value, &rate);
	m = step_add_metric(r, "inval_pages/s", true);
	for (to = t_end, s = r->nsamples; s-- > 0; to = from) {
		from = to - r->samples[s].t;
		inval_window(log, from, to, npages, buf, &share, &m->v[s]);
	}
	inval_window(log, t_end - total, t_end, npages, buf, &share, &m->value);
}

/*
 * Round-time distribution per sample and over the step.  The runner's sample
 * boundaries are not known here, only their durations; the measured interval
 * is taken to end with the last round (the runner stops the workers right
 * after its last reading, and the round in flight then completes), so a
 * sample's window is placed to within one round time.
 */
static void derive_round_times(struct step_result *r, json_t *log)
{
	json_t *end = json_object_get(log, "end"), *ms = json_object_get(log, "ms");
	size_t nlog = json_array_size(end), n, k;
	double *v, t_end, total = 0, from, to;
	unsigned s;

	if (!nlog || json_array_size(ms) != nlog)
		return;
	v = xmalloc(nlog * sizeof(*v));
	t_end = json_real_value(json_array_get(end, nlog - 1)) + 1e-9;
	for (s = 0; s < r->nsamples; s++)
		total += r->samples[s].t;
	for (k = 0; k < ARRAY_SIZE(round_stats); k++) {
		json_t *vals = json_object_get(log, round_stats[k].log);
		struct metric *m;

		if (json_array_size(vals) != nlog)
			continue; /* a log without invalidation times */
		m = step_add_metric(r, round_stats[k].name, false);
		to = t_end;
		for (s = r->nsamples; s-- > 0;) {
			from = to - r->samples[s].t;
			n = rounds_between(end, vals, from, to, v);
			m->v[s] = n ? stats_percentile(v, n, round_stats[k].pct) : NAN;
			to = from;
		}
		n = rounds_between(end, vals, t_end - total, t_end, v);
		m->value = n ? stats_percentile(v, n, round_stats[k].pct) : NAN;
	}
	derive_inval(r, log, t_end, total, v);
	free(v);
}

static int event_index(const struct step_result *r, const char *name)
{
	unsigned k;

	for (k = 0; k < r->nevents; k++)
		if (!strcmp(r->event_names[k], name))
			return (int)k;
	return -1;
}

/* Per round, all workers: faults, major faults and D-state sleeps. */
static void derive_per_round(struct step_result *r)
{
	static const char *const names[] = { "faults/round", "majfaults/round", "sleeps/round" };
	int d = event_index(r, "sched:sched_switch/D");
	double *v = xcalloc(3 * (size_t)r->nsamples, sizeof(*v));
	double tot[3] = { 0 }, rounds_tot = 0;
	unsigned s, w, k, nk = d >= 0 ? 3 : 2;

	for (s = 0; s < r->nsamples; s++) {
		const struct sample *sm = &r->samples[s];
		double x[3] = { 0 }, rounds = 0;

		for (w = 0; w < r->ncpus; w++) {
			uint64_t maj = sm->majflt ? sm->majflt[w] : 0;

			rounds += sm->count ? (double)sm->count[w][1] : 0;
			x[0] += (double)(maj + (sm->minflt ? sm->minflt[w] : 0));
			x[1] += (double)maj;
			x[2] += d >= 0 && sm->ev ? (double)sm->ev[w][d] : 0;
		}
		for (k = 0; k < 3; k++) {
			v[k * r->nsamples + s] = rounds > 0 ? x[k] / rounds : NAN;
			tot[k] += x[k];
		}
		rounds_tot += rounds;
	}
	/* step_add_metric() may move earlier metrics: fill each one right after adding it */
	for (k = 0; k < nk; k++) {
		struct metric *m = step_add_metric(r, names[k], false);

		memcpy(m->v, v + k * r->nsamples, r->nsamples * sizeof(*v));
		m->value = rounds_tot > 0 ? tot[k] / rounds_tot : NAN;
	}
	free(v);
}

static void pagelock_derive(const struct step_ctx *sc, struct step_result *r)
{
	json_t *log = json_object_get(r->extra, "round_log");

	derive_per_round(r);
	if (!log)
		return;
	derive_round_times(r, log);
	/* the raw log has served; keep the result small */
	json_object_del(r->extra, "round_log");
}

const struct bench bench_pagelock = {
	.name = "pagelock",
	.summary = "workers fault the same just-invalidated file pages in rounds: folio lock "
		   "serialisation (same/disjoint)",
	.opts = pagelock_opts,
	.params_size = sizeof(struct pagelock_params),
	.counters = { "pages", "rounds" },
	.ratio_metric = "pages/s",
	/* Threads share one mm: only the first to touch a page faults it. */
	.run_defaults = "--mode=processes",
	.check = pagelock_check,
	.setup = pagelock_setup,
	.worker_init = pagelock_worker_init,
	.worker_loop = pagelock_loop,
	.report = pagelock_report,
	.teardown = pagelock_teardown,
	.derive = pagelock_derive,
};
