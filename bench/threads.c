// SPDX-License-Identifier: GPL-2.0
/*
 * threads: the sysbench threads/mutex load, built in.  Each worker loops on an
 * event: malloc a small buffer, write it, free it, then take one of a few shared
 * mutexes and update the value it protects.  Reports events/s (from count[0])
 * and latency percentiles of one event, so a thread-scaling sweep shows both
 * throughput and the tail that lock contention and the allocator add.
 *
 * Latency: every event is timed with CLOCK_MONOTONIC (vDSO, ~20 ns, included in
 * the figure) into a histogram of the worker's own, on pages only that worker
 * writes.  The worker cannot see the runner's sample boundaries, so it files
 * each event under a time slice counted from its own first event: events of
 * the first --warmup seconds are not recorded and slice i covers roughly
 * sample i.  The slices are merged over workers in report().
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench.h"
#include "util.h"

/* Log-linear buckets of nanoseconds: 16 per power of two, ~6% resolution. */
#define SUB_BITS   4
#define SUB	   16
#define NBUCKETS   1024
#define MAX_SLICES 64

struct threads_params {
	unsigned long long alloc; /* bytes malloc'd, written and freed per event */
	long long locks;	  /* mutexes shared by all workers */
};

#define P(field) offsetof(struct threads_params, field)

static const struct opt threads_opts[] = {
	{ .name = "alloc",
	  .type = OPT_SIZE,
	  .def = "4k",
	  .min = 1,
	  .max = 1ULL << 30,
	  .help = "bytes malloc'd, written and freed per event (above glibc's 128k mmap "
		  "threshold every event maps and faults)",
	  .off = P(alloc) },
	{ .name = "locks",
	  .type = OPT_INT,
	  .def = "8",
	  .min = 1,
	  .max = 65536,
	  .help = "mutexes the workers share (sysbench's thread-locks); fewer: more contention",
	  .off = P(locks) },
	OPT_END
};

struct lock_line {
	pthread_mutex_t mutex;
	uint64_t value;
} __attribute__((aligned(FB_CACHELINE)));

/* One MAP_SHARED mapping: header, locks, then one page-aligned histogram per worker. */
struct threads_shared {
	size_t map_len;
	unsigned nworkers, nlocks, nslices;
	double warmup, slice_time;
	struct lock_line *locks;
	uint64_t **hists; /* per worker: nslices x NBUCKETS counts, in the mapping */
	size_t hist_len;  /* bytes of one worker's histogram, page-rounded */
};

static unsigned bucket_of(uint64_t ns)
{
	unsigned msb;

	if (ns < SUB)
		return ns;
	msb = 63 - __builtin_clzll(ns);
	return SUB + (msb - SUB_BITS) * SUB + ((ns >> (msb - SUB_BITS)) & (SUB - 1));
}

/* The middle of a bucket, in nanoseconds. */
static double bucket_mid(unsigned b)
{
	unsigned msb, sub;
	double lo, width;

	if (b < SUB)
		return b;
	msb = (b - SUB) / SUB + SUB_BITS;
	sub = (b - SUB) % SUB;
	width = ldexp(1.0, msb - SUB_BITS);
	lo = ldexp(1.0, msb) + sub * width;
	return lo + width / 2;
}

static int threads_setup(struct step_ctx *sc)
{
	const struct threads_params *p = sc->params;
	size_t ps = page_size(), head, locks_len, hist_len, len, nslices;
	pthread_mutexattr_t attr;
	struct threads_shared *sh;
	char *base;
	unsigned i;

	head = (sizeof(*sh) + sc->nworkers * sizeof(uint64_t *) + ps - 1) / ps * ps;
	locks_len = (p->locks * sizeof(struct lock_line) + ps - 1) / ps * ps;
	nslices = sc->ro->samples < MAX_SLICES ? sc->ro->samples : MAX_SLICES;
	hist_len = (nslices * NBUCKETS * sizeof(uint64_t) + ps - 1) / ps * ps;
	len = head + locks_len + sc->nworkers * hist_len;
	/* Shared so that --mode processes works too; histogram pages stay untouched
	 * here: each worker first-touches its own, on its own node. */
	base = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return fb_fail("threads: cannot map %zu bytes: %s", len, strerror(errno));
	sh = (struct threads_shared *)base;
	sh->map_len = len;
	sh->nworkers = sc->nworkers;
	sh->nlocks = p->locks;
	sh->nslices = nslices;
	sh->warmup = sc->ro->warmup;
	sh->slice_time = sc->ro->sample_time;
	sh->hists = (uint64_t **)(sh + 1);
	sh->locks = (struct lock_line *)(base + head);
	sh->hist_len = hist_len;
	for (i = 0; i < sc->nworkers; i++)
		sh->hists[i] = (uint64_t *)(base + head + locks_len + i * hist_len);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	for (i = 0; i < sh->nlocks; i++)
		pthread_mutex_init(&sh->locks[i].mutex, &attr);
	pthread_mutexattr_destroy(&attr);
	sc->shared = sh;
	return FB_OK;
}

static void threads_teardown(struct step_ctx *sc)
{
	struct threads_shared *sh = sc->shared;
	unsigned i;

	if (!sh)
		return;
	for (i = 0; i < sh->nlocks; i++)
		pthread_mutex_destroy(&sh->locks[i].mutex);
	munmap(sh, sh->map_len);
	sc->shared = NULL;
}

static int threads_worker_init(struct worker *w)
{
	struct threads_shared *sh = w->shared;

	/* First touch of this worker's histogram, after pinning. */
	memset(sh->hists[w->id], 0, sh->hist_len);
	w->mem = sh->hists[w->id];
	w->mem_len = sh->hist_len;
	return 0;
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void threads_worker_loop(struct worker *w)
{
	const struct threads_params *p = w->step->params;
	struct threads_shared *sh = w->shared;
	uint64_t *h = sh->hists[w->id];
	uint64_t warmup_ns = sh->warmup * 1e9, slice_ns = sh->slice_time * 1e9;
	uint64_t t0 = now_ns(), start, end, since, n = 0;
	unsigned slice;

	if (!slice_ns)
		slice_ns = 1;
	while (!worker_should_stop(w)) {
		struct lock_line *l = &sh->locks[(w->id + n) % sh->nlocks];
		char *buf;

		start = now_ns();
		buf = malloc(p->alloc);
		if (!buf) {
			worker_fail(w, "threads: malloc(%llu) failed", p->alloc);
			return;
		}
		memset(buf, (int)n, p->alloc);
		/* Keep the compiler from eliding the malloc/memset/free triple. */
		__asm__ volatile("" : : "r"(buf) : "memory");
		free(buf);
		pthread_mutex_lock(&l->mutex);
		l->value++;
		pthread_mutex_unlock(&l->mutex);
		end = now_ns();

		since = end - t0;
		if (since >= warmup_ns) {
			slice = (since - warmup_ns) / slice_ns;
			if (slice >= sh->nslices)
				slice = sh->nslices - 1;
			h[slice * NBUCKETS + bucket_of(end - start)]++;
		}
		worker_count(w, 0, 1);
		n++;
	}
}

/* The p-th percentile (0..100) of a histogram, in microseconds; NAN when empty. */
static double hist_percentile_us(const uint64_t *n, double pct)
{
	uint64_t total = 0, seen = 0, want;
	unsigned b;

	for (b = 0; b < NBUCKETS; b++)
		total += n[b];
	if (!total)
		return NAN;
	want = ceil(total * pct / 100.0);
	if (!want)
		want = 1;
	for (b = 0; b < NBUCKETS; b++) {
		seen += n[b];
		if (seen >= want)
			break;
	}
	return bucket_mid(b) / 1000.0;
}

/* JSON has no NaN: an empty histogram is null. */
static json_t *json_real_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

static const double pcts[] = { 50, 95, 99 };
static const char *const pct_names[] = { "p50", "p95", "p99" };

static void threads_report(struct step_ctx *sc)
{
	struct threads_shared *sh = sc->shared;
	uint64_t *slice = xcalloc(NBUCKETS, sizeof(uint64_t));
	uint64_t *all = xcalloc(NBUCKETS, sizeof(uint64_t));
	json_t *lat = json_object(), *per[ARRAY_SIZE(pcts)];
	uint64_t timed = 0;
	unsigned s, wk, b, i;

	for (i = 0; i < ARRAY_SIZE(pcts); i++)
		per[i] = json_array();
	for (s = 0; s < sh->nslices; s++) {
		memset(slice, 0, NBUCKETS * sizeof(uint64_t));
		for (wk = 0; wk < sh->nworkers; wk++)
			for (b = 0; b < NBUCKETS; b++)
				slice[b] += sh->hists[wk][s * NBUCKETS + b];
		for (b = 0; b < NBUCKETS; b++) {
			all[b] += slice[b];
			timed += slice[b];
		}
		for (i = 0; i < ARRAY_SIZE(pcts); i++)
			json_array_append_new(
			    per[i], json_real_or_null(hist_percentile_us(slice, pcts[i])));
	}
	for (i = 0; i < ARRAY_SIZE(pcts); i++)
		json_object_set_new(lat, pct_names[i],
				    json_real_or_null(hist_percentile_us(all, pcts[i])));
	json_object_set_new(lat, "per_sample", json_object());
	for (i = 0; i < ARRAY_SIZE(pcts); i++)
		json_object_set_new(json_object_get(lat, "per_sample"), pct_names[i], per[i]);
	json_object_set_new(lat, "events_timed", json_integer(timed));
	json_object_set_new(lat, "resolution", json_string("log-linear buckets, 1/16 octave"));
	if (sc->extra)
		json_object_set_new(sc->extra, "latency_us", lat);
	else
		json_decref(lat);
	free(slice);
	free(all);
}

/* report() puts the latencies in the step's extra; find them wherever the runner keeps it. */
static json_t *find_latency(const struct step_ctx *sc, const struct step_result *r)
{
	json_t *lat = r->extra ? json_object_get(r->extra, "latency_us") : NULL;

	if (!lat && sc->extra)
		lat = json_object_get(sc->extra, "latency_us");
	return lat;
}

/*
 * lat-p50-us, lat-p95-us, lat-p99-us, lower is better.  The value is the
 * percentile over the whole measured interval, the per-sample values those of
 * each time slice (see the top of this file).
 */
static void threads_derive(const struct step_ctx *sc, struct step_result *r)
{
	json_t *lat = find_latency(sc, r), *per;
	struct metric *m;
	unsigned i, s;
	char name[48];

	if (!lat)
		return;
	per = json_object_get(lat, "per_sample");
	for (i = 0; i < ARRAY_SIZE(pcts); i++) {
		json_t *whole = json_object_get(lat, pct_names[i]);
		json_t *arr = json_object_get(per, pct_names[i]);

		if (!json_is_number(whole))
			continue;
		snprintf(name, sizeof(name), "lat-%s-us", pct_names[i]);
		m = step_add_metric(r, name, false);
		m->value = json_number_value(whole);
		for (s = 0; s < m->n; s++) {
			json_t *v = json_array_get(arr, s);

			m->v[s] = json_is_number(v) ? json_number_value(v) : m->value;
		}
	}
}

const struct bench bench_threads = {
	.name = "threads",
	.summary = "sysbench threads/mutex shape: malloc, touch, free and a mutex-protected "
		   "update per event; events/s and latency percentiles",
	.opts = threads_opts,
	.params_size = sizeof(struct threads_params),
	.counters = { "events" },
	.setup = threads_setup,
	.worker_init = threads_worker_init,
	.worker_loop = threads_worker_loop,
	.report = threads_report,
	.teardown = threads_teardown,
	.derive = threads_derive,
};
