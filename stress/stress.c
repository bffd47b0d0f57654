// SPDX-License-Identifier: GPL-2.0
/*
 * Race reproducers (see stress.h): the common plumbing (files, random numbers,
 * reporting, the verdict: data, kernel log (kmsg.c) and watchdog
 * (watchdog.c)), then the tests in order: invalidate and truncate (threads
 * around one MAP_SHARED mapping), migrate (child processes),
 * zap-coherence and thp-split-dio (threads), anon-vma (fork trees).
 *
 * Every test is built so that a failure it reports is a real one: a page is
 * judged only against what the writers had *finished* (published) before the
 * read began and what they had *started* when it ended, never against a write
 * that may still be in flight.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "folio.h"
#include "jsonfile.h"
#include "kmsg.h"
#include "stress.h"
#include "util.h"
#include "watchdog.h"

#define MiB ((uint64_t)1 << 20)

/* ---------------------------------------------------------------- common */

/* Shared between all threads or processes of a test (MAP_SHARED anonymous). */
struct stress_shared {
	int corrupt; /* first reporter wins (atomic) */
	int failed;  /* could not run: errmsg */
	struct pattern_mismatch m;
	char who[160];
	char errmsg[256];
	volatile int stop;
};

static struct stress_shared *shared_alloc(size_t extra)
{
	void *p = mmap(NULL, sizeof(struct stress_shared) + extra, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fputs("faultbench: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void shared_free(struct stress_shared *sh, size_t extra)
{
	munmap(sh, sizeof(*sh) + extra);
}

static bool should_stop(const struct stress_shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED) || fb_interrupted;
}

static void report_corruption(struct stress_shared *sh, const struct pattern_mismatch *m,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void report_corruption(struct stress_shared *sh, const struct pattern_mismatch *m,
			      const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->corrupt, 1, __ATOMIC_ACQ_REL))
		return;
	sh->m = *m;
	va_start(ap, fmt);
	vsnprintf(sh->who, sizeof(sh->who), fmt, ap);
	va_end(ap);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
}

static void report_failure(struct stress_shared *sh, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report_failure(struct stress_shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->failed, 1, __ATOMIC_ACQ_REL) == 0) {
		va_start(ap, fmt);
		vsnprintf(sh->errmsg, sizeof(sh->errmsg), fmt, ap);
		va_end(ap);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
}

/* xorshift64*: fast, and the same sequence for the same --seed. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static uint64_t rnd_seed(uint64_t seed, uint64_t stream)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + stream * 0xbf58476d1ce4e5b9ULL + 1;

	return s ? s : 1;
}

static uint64_t resolve_seed(const struct stress_opts *o)
{
	struct timespec ts;

	if (o->seed)
		return (uint64_t)o->seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)getpid()) %
		   1000000000ULL +
	       1;
}

static const char *fs_name(long type)
{
	switch (type) {
	case EXT4_SUPER_MAGIC:
		return "ext2/3/4";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case TMPFS_MAGIC:
		return "tmpfs";
	case RAMFS_MAGIC:
		return "ramfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case NFS_SUPER_MAGIC:
		return "nfs";
	}
	return "other";
}

/* The filesystem of dir, or a message and FB_USAGE. */
static int dir_fs(const char *dir, long *type)
{
	struct statfs sfs;

	if (statfs(dir, &sfs))
		return fb_usage("option '--dir': '%s': %s", dir, strerror(errno));
	*type = sfs.f_type;
	return FB_OK;
}

/* An unnamed file in dir (gone when closed), or -errno. */
static int open_unnamed(const char *dir)
{
	char *path;
	int fd;

	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd >= 0 ? fd : -errno;
	/* Filesystems without O_TMPFILE: a named file, unlinked at once. */
	path = xasprintf("%s/faultbench-stress.XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	free(path);
	return fd >= 0 ? fd : -errno;
}

/* A second descriptor of the same file, opened with O_DIRECT; -errno on failure. */
static int reopen_direct(int fd)
{
	char path[64];
	int dfd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	return dfd >= 0 ? dfd : -errno;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(fd, (const char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

/* Write the pattern of gen over [off, off + len) with aligned chunks; 0 or -errno. */
static int write_pattern(int fd, uint64_t off, uint64_t len, uint64_t gen, uint64_t seed)
{
	const size_t chunk = 1 * MiB;
	void *buf;
	int ret = 0;

	if (posix_memalign(&buf, PATTERN_UNIT, chunk))
		return -ENOMEM;
	while (len && !ret) {
		size_t n = len < chunk ? len : chunk;

		pattern_fill_range(buf, n, off, gen, seed);
		ret = pwrite_all(fd, buf, n, off);
		off += n;
		len -= n;
	}
	free(buf);
	return ret;
}

static unsigned online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Copy one unit from a live mapping with volatile loads (the compiler must fault each word). */
static void copy_unit(const void *src, uint64_t *dst)
{
	const volatile uint64_t *s = src;
	size_t i;

	for (i = 0; i < PATTERN_WORDS; i++)
		dst[i] = s[i];
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
	copy_unit(src, dst);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&sigbus_jump, NULL, __ATOMIC_RELAXED);
	return false;
}

/* ------------------------------------------------ the run and its verdict */

/*
 * What every test shares besides its data: the kernel log, read for the whole
 * run, and the watchdog over its workers.  A kernel bug report or a hung
 * worker decides a run as a corrupt page does (exit 1); the lines and the
 * stacks go to stderr and into the --output result.
 */
struct stress_run {
	const char *test;
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	struct kmsg_log klog;
	struct watchdog wd;
	bool left_running; /* a worker could not be joined: see finish() */
	char start_time[32];
};

/* At the start, before any setup: the kernel log counts from here on. */
static void run_begin(struct stress_run *run, const char *test, const struct stress_opts *o,
		      struct stress_shared *sh, uint64_t seed, unsigned nworkers)
{
	run->test = test;
	run->o = o;
	run->sh = sh;
	run->seed = seed;
	fb_utc_now(run->start_time, sizeof(run->start_time), true);
	kmsg_open(&run->klog);
	wd_init(&run->wd, nworkers, o->watchdog, &run->klog, (int *)&sh->stop);
}

/* Right before the workers start: the monitor drains the log and watches them. */
static void run_watch(struct stress_run *run)
{
	int ret = wd_start(&run->wd);

	if (ret)
		report_failure(run->sh, "starting the monitor thread: %s", strerror(-ret));
}

static struct wd_worker *run_worker(struct stress_run *run, unsigned slot)
{
	return &run->wd.w[slot];
}

/*
 * Test hook (FB_STRESS_TEST_STALL=1, for tests only): the first worker stops
 * making progress for good, as a worker stuck in the kernel would, so that
 * the tests can prove the watchdog catches it.
 */
static void test_stall_hook(unsigned slot)
{
	const char *env = getenv("FB_STRESS_TEST_STALL");

	if (slot != 0 || !env || strcmp(env, "1"))
		return;
	for (;;)
		sleep(3600);
}

/* After the workers are joined (or given up on) and the final checks: drain the log. */
static void run_end(struct stress_run *run)
{
	wd_stop(&run->wd);
}

static json_t *run_to_json(const struct stress_run *run, int status, json_t *verdicts,
			   const char *corruption, const char *undecided)
{
	const struct stress_opts *o = run->o;
	json_t *doc = json_object(), *argv = json_array(), *opts = json_object();
	char end[32];
	int i;

	fb_utc_now(end, sizeof(end), true);
	for (i = 0; i < o->argc; i++)
		json_array_append_new(argv, json_string(o->argv[i]));
	json_object_set_new(opts, "time", json_real(o->time));
	json_object_set_new(opts, "dir", json_string(o->dir ? o->dir : "."));
	json_object_set_new(opts, "size", json_integer((json_int_t)o->size));
	json_object_set_new(opts, "workers", json_integer(o->workers));
	json_object_set_new(opts, "watchdog", json_real(o->watchdog));
	json_object_set_new(opts, "plant_corruption", json_boolean(o->plant_corruption));
	json_object_set_new(doc, "kind", json_string("stress"));
	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "faultbench_version", json_string(fb_version));
	json_object_set_new(doc, "command_line", argv);
	json_object_set_new(doc, "test", json_string(run->test));
	json_object_set_new(doc, "seed", json_integer((json_int_t)run->seed));
	json_object_set_new(doc, "options", opts);
	json_object_set_new(doc, "start_time", json_string(run->start_time));
	json_object_set_new(doc, "end_time", json_string(end));
	json_object_set_new(doc, "exit_status", json_integer(status));
	json_object_set_new(doc, "verdicts", verdicts);
	if (corruption)
		json_object_set_new(doc, "corruption", json_string(corruption));
	if (undecided)
		json_object_set_new(doc, "undecided_reason", json_string(undecided));
	json_object_set_new(doc, "kernel_log", kmsg_to_json(&run->klog));
	json_object_set_new(doc, "watchdog", wd_to_json(&run->wd));
	return doc;
}

/* The corruption report on stderr; its description in buf. */
static void print_corruption(const struct stress_run *run, char *buf, size_t len)
{
	const struct stress_shared *sh = run->sh;

	pattern_describe(&sh->m, buf, len);
	fprintf(stderr, "faultbench: stress %s: CORRUPTION seen by %s: %s\n", run->test, sh->who,
		buf);
}

static void print_kernel_bug(const struct stress_run *run)
{
	char src[320];

	fprintf(stderr,
		"faultbench: stress %s: the kernel reported a bug in itself during the run "
		"(%u line%s; kernel log: %s):\n",
		run->test, run->klog.nmatch, run->klog.nmatch == 1 ? "" : "s",
		kmsg_source_text(&run->klog, src, sizeof(src)));
	kmsg_print_matches(&run->klog, stderr);
}

static void print_hang(const struct stress_run *run)
{
	fprintf(stderr, "faultbench: stress %s: a worker hung (%u reported):\n", run->test,
		run->wd.nstalls);
	wd_print(&run->wd, stderr);
}

/* Exit 1 for a corruption, a kernel bug report or a hang: each printed, all kept. */
static int judge(const struct stress_run *run, json_t *verdicts, char *corruption, size_t len)
{
	const struct stress_opts *o = run->o;

	if (run->sh->corrupt) {
		print_corruption(run, corruption, len);
		json_array_append_new(verdicts, json_string("corruption"));
	}
	if (run->klog.nmatch) {
		print_kernel_bug(run);
		json_array_append_new(verdicts, json_string("kernel-bug"));
	}
	if (run->wd.nstalls) {
		print_hang(run);
		json_array_append_new(verdicts, json_string("hang"));
	}
	if (!json_array_size(verdicts))
		return FB_OK;
	fprintf(stderr,
		"faultbench: reproduce with: faultbench stress %s --seed %" PRIu64 " --time %g%s\n",
		run->test, run->seed, o->time, o->plant_corruption ? " --plant-corruption" : "");
	if (!o->quiet)
		printf("result:%s%s%s (exit 1)\n", run->sh->corrupt ? " CORRUPTION" : "",
		       run->klog.nmatch ? " KERNEL BUG REPORTED" : "",
		       run->wd.nstalls ? " HUNG WORKER" : "");
	return FB_FAIL;
}

/* Exit 0 or 125 (or 128 + N), when judge() found nothing; the reason in why. */
static int no_failure_status(const struct stress_run *run, bool decided, const char *undecided_why,
			     json_t *verdicts, char *why, size_t len)
{
	if (fb_interrupted) {
		if (!run->o->quiet)
			printf("result: interrupted\n");
		json_array_append_new(verdicts, json_string("interrupted"));
		return 128 + fb_interrupted;
	}
	if (run->sh->failed)
		snprintf(why, len, "cannot run here: %s", run->sh->errmsg);
	else if (!decided)
		snprintf(why, len, "could not decide: %s", undecided_why);
	if (why[0]) {
		json_array_append_new(verdicts, json_string("undecided"));
		return fb_error(FB_UNDECIDED, "stress %s: %s", run->test, why);
	}
	if (!run->o->quiet)
		printf("result: no corruption seen, no kernel bug reported (exit 0)\n");
	json_array_append_new(verdicts, json_string("ok"));
	return FB_OK;
}

/* The end of every test: the verdict, the exit status, the result file. */
static int finish(struct stress_run *run, bool decided, const char *undecided_why)
{
	const struct stress_opts *o = run->o;
	json_t *verdicts = json_array(), *doc;
	char corruption[512] = "", why[512] = "";
	int status;

	run_end(run);
	if (!o->quiet)
		kmsg_print_summary(&run->klog, stdout);
	else if (run->klog.source == KMSG_NONE)
		/* Even quiet: this run's 0 means less than usual. */
		fb_warn("stress %s: kernel log not readable (%s): a kernel bug would go unseen",
			run->test, run->klog.why);
	status = judge(run, verdicts, corruption, sizeof(corruption));
	if (status == FB_OK)
		status = no_failure_status(run, decided, undecided_why, verdicts, why, sizeof(why));
	doc = run_to_json(run, status, verdicts, corruption[0] ? corruption : NULL,
			  why[0] ? why : NULL);
	/* No result file: the run's verdict cannot be kept, so it cannot count as passed. */
	if (o->output && json_write_new_file(doc, o->output) && status == FB_OK)
		status = FB_UNDECIDED;
	json_decref(doc);
	if (run->left_running) {
		/*
		 * A worker is still running, perhaps stuck in the kernel: freeing what
		 * it uses would turn a hang into a use-after-free.  Everything is
		 * reported; leave at once.
		 */
		fflush(NULL);
		_exit(status);
	}
	kmsg_close(&run->klog);
	wd_free(&run->wd);
	return status;
}

/* ---------------------------------------------------------- the judges */

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

/* ---------------------------------------------------------- invalidate */

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
	uint64_t *published; /* per range: newest gen whose write returned */
	uint64_t *started;   /* per range: newest gen whose write began */
	double t_start;
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
	uint64_t rs = rnd_seed(c->seed, 1000 + t->id), planted = UINT64_MAX;
	unsigned per = (c->nranges + c->nwriters - 1) / c->nwriters;
	void *buf;
	int ret;

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	if (posix_memalign(&buf, PATTERN_UNIT, INV_RANGE)) {
		report_failure(c->sh, "out of memory");
		wd_leave(t->wd);
		return NULL;
	}
	while (!should_stop(c->sh)) {
		uint64_t r = t->id + (uint64_t)c->nwriters * (rnd(&rs) % per), g, content;

		wd_beat(t->wd);

		if (r >= c->nranges || r == planted)
			continue;
		g = c->started[r] + 1; /* only this writer writes range r */
		content = g;
		if (c->o->plant_corruption && t->id == 0 && planted == UINT64_MAX &&
		    now_monotonic() - c->t_start > c->o->time / 4) {
			/* Self-test: publish g but write g - 1, as a lost write would look. */
			content = g - 1;
			planted = r;
		}
		pattern_fill_range(buf, INV_RANGE, r * INV_RANGE, content, c->seed);
		__atomic_store_n(&c->started[r], g, __ATOMIC_SEQ_CST);
		ret = pwrite_all(c->dfd, buf, INV_RANGE, r * INV_RANGE);
		if (ret) {
			report_failure(c->sh, "O_DIRECT pwrite: %s", strerror(-ret));
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
	uint64_t rs = rnd_seed(c->seed, t->id), unit[PATTERN_WORDS];
	struct pattern_mismatch m;

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	while (!should_stop(c->sh)) {
		uint64_t r = rnd(&rs) % c->nranges;
		uint64_t off =
		    r * INV_RANGE + (rnd(&rs) % (INV_RANGE / PATTERN_UNIT)) * PATTERN_UNIT;
		uint64_t pub, started;
		bool strict;

		pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE);
		copy_unit(c->map + off, unit);
		/* The copy's loads must complete before "started" is read. */
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
		if (!stress_judge_invalidate(unit, off, c->seed, pub, started, &strict, &m)) {
			report_corruption(c->sh, &m, "reader %u through the MAP_SHARED mapping, %s",
					  t->id,
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
			report_corruption(c->sh, &m, "the final check through the mapping");
		*checked += INV_RANGE / PATTERN_UNIT;
	}
}

static unsigned default_workers(const struct stress_opts *o)
{
	unsigned n = o->workers > 0 ? (unsigned)o->workers : 2 * online_cpus();

	if (n < 2)
		n = 2;
	return n > 256 ? 256 : n;
}

/* A worker thread of a test: slot i of the watchdog is thread i. */
struct stress_thread {
	void *(*fn)(void *);
	void *arg;
	pthread_t th;
	bool started;
};

/*
 * Join every thread, each by a deadline: a thread that does not end is
 * reported as hung and left running (finish() then leaves at once).
 */
static void join_threads(struct stress_run *run, struct stress_thread *t, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (!t[i].started)
			continue;
		if (!wd_join(&run->wd, i, t[i].th, wd_join_deadline(&run->wd, i, now_monotonic())))
			run->left_running = true;
	}
}

/* Run the threads until --time, a corruption, a failure, a kernel bug, a hang or a signal. */
static void run_threads(struct stress_run *run, struct stress_thread *t, unsigned n,
			double deadline)
{
	struct stress_shared *sh = run->sh;
	unsigned i;
	int err;

	for (i = 0; i < n; i++) {
		err = pthread_create(&t[i].th, NULL, t[i].fn, t[i].arg);
		if (err) {
			report_failure(sh, "pthread_create: %s", strerror(err));
			break;
		}
		t[i].started = true;
	}
	for (; i < n; i++)
		wd_leave(run_worker(run, i)); /* never started: not watched */
	while (!should_stop(sh) && now_monotonic() < deadline)
		sleep_until(now_monotonic() + 0.02 < deadline ? now_monotonic() + 0.02 : deadline);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	join_threads(run, t, n);
}

/* Whether the end-of-run check may look at the data: not after a hang or a stop for a reason. */
static bool may_final_check(const struct stress_run *run)
{
	return !run->sh->corrupt && !run->sh->failed && !fb_interrupted && !run->wd.nstalls &&
	       !run->klog.nmatch;
}

/* "2048 pages", or "skipped" when the run stopped for a reason (final is then 0). */
static const char *final_text(uint64_t final, char *buf, size_t len)
{
	if (final)
		snprintf(buf, len, "%" PRIu64 " pages", final);
	else
		snprintf(buf, len, "skipped (the run was stopped)");
	return buf;
}

static int check_disk_dir(const char *test, const char *dir, long *fstype)
{
	int ret = dir_fs(dir, fstype);

	if (ret)
		return ret;
	if (*fstype == TMPFS_MAGIC || *fstype == RAMFS_MAGIC)
		return fb_error(FB_UNDECIDED,
				"stress %s: --dir '%s' is on %s: O_DIRECT there copies without "
				"pinning pages or invalidating the page cache; give a directory "
				"on a disk filesystem",
				test, dir, fs_name(*fstype));
	return FB_OK;
}

/*
 * --size (whose table in cmd/stress.c has no bound) against what this machine
 * can hold: the file is kept in the page cache, and a too large one would
 * abort the test or bring in the OOM killer instead of a verdict.
 */
static int check_size(const char *test, unsigned long long size)
{
	unsigned long long avail = fb_mem_available();

	if (size <= avail)
		return FB_OK;
	return fb_usage("option '--size': %llu MiB is more than the memory available (%llu "
			"MiB) for the %s test's file",
			size / MiB, avail / MiB, test);
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
		       writes, checks, *strict, final_text(final, buf, sizeof(buf)));
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
		t[i].wd = run_worker(run, i);
		wd_name(&run->wd, i, "%s %u", writer ? "O_DIRECT writer" : "mapping reader",
			t[i].id);
		th[i].fn = writer ? inv_writer : inv_reader;
		th[i].arg = &t[i];
	}
}

int stress_invalidate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), strict = 0, final = 0;
	struct inv_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = default_workers(o), i;
	struct stress_run run = { 0 };
	struct inv_thread *t = NULL;
	struct stress_thread *th = NULL;
	long fstype;
	int fd, ret;
	size_t arrays;

	ret = check_disk_dir("invalidate", dir, &fstype);
	if (ret)
		return ret;
	c.size = o->size ? o->size : 8 * MiB;
	if (c.size % INV_RANGE || c.size < INV_RANGE)
		return fb_usage("option '--size': the invalidate test needs a multiple of 64k");
	ret = check_size("invalidate", c.size);
	if (ret)
		return ret;
	c.nranges = c.size / INV_RANGE;
	c.nwriters = nworkers / 2;
	c.nreaders = nworkers - c.nwriters;
	if (c.nwriters > c.nranges)
		c.nwriters = c.nranges;
	nworkers = c.nwriters + c.nreaders;

	fd = open_unnamed(dir);
	if (fd < 0)
		return fb_error(FB_UNDECIDED, "stress invalidate: cannot create a file in '%s': %s",
				dir, strerror(-fd));
	c.dfd = reopen_direct(fd);
	if (c.dfd < 0) {
		close(fd);
		return fb_error(FB_UNDECIDED, "stress invalidate: O_DIRECT on '%s': %s", dir,
				strerror(-c.dfd));
	}
	arrays = 2 * c.nranges * sizeof(uint64_t);
	c.sh = shared_alloc(arrays);
	c.published = (uint64_t *)(c.sh + 1);
	c.started = c.published + c.nranges;
	run_begin(&run, "invalidate", o, c.sh, seed, nworkers);

	/* Generation 1 everywhere, written with O_DIRECT like every later one. */
	ret = ftruncate(fd, c.size) ? -errno : write_pattern(c.dfd, 0, c.size, 1, seed);
	if (ret) {
		report_failure(c.sh, "writing the file: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < c.nranges; i++)
		c.published[i] = c.started[i] = 1;
	c.map = mmap(NULL, c.size, PROT_READ, MAP_SHARED, fd, 0);
	if (c.map == MAP_FAILED) {
		c.map = NULL;
		report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}

	if (!o->quiet)
		printf("stress invalidate: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB in %u ranges of 64 KiB, %u O_DIRECT writers, %u mapping readers\n",
		       o->time, seed, dir, fs_name(fstype), c.size / MiB, c.nranges, c.nwriters,
		       c.nreaders);
	t = xcalloc(nworkers, sizeof(*t));
	th = xcalloc(nworkers, sizeof(*th));
	inv_threads(&run, &c, t, th, nworkers);
	run_watch(&run);
	c.t_start = now_monotonic();
	run_threads(&run, th, nworkers, c.t_start + o->time);
	if (may_final_check(&run))
		inv_final_check(&c, &final);
	inv_print(&c, t, nworkers, final, &strict);
out:
	ret = finish(&run, strict > 0, "no page was read while no write was in flight");
	free(t);
	free(th);
	if (c.map)
		munmap((void *)c.map, c.size);
	close(c.dfd);
	close(fd);
	shared_free(c.sh, arrays);
	return ret;
}

/* ---------------------------------------------------------- truncate */

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
	double t_start;
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
	if (rnd(rs) & 1)
		return rnd(rs) % c->npages;
	p = b + rnd(rs) % 16;
	p = p >= 8 ? p - 8 : 0;
	return p < c->npages ? p : c->npages - 1;
}

static void *trunc_reader_fn(void *arg)
{
	struct trunc_reader *t = arg;
	struct trunc_ctx *c = t->c;
	uint64_t rs = rnd_seed(c->seed, t->id), unit[PATTERN_WORDS];
	struct pattern_mismatch m;

	wd_enter(t->wd);
	while (!should_stop(c->sh)) {
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
			report_corruption(
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

static void dwell(double s)
{
	sleep_until(now_monotonic() + s);
}

/* One shrink / extend / rewrite cycle; 0 or -errno. */
static int trunc_cycle(struct trunc_ctx *c, uint64_t *rs, uint64_t *g, bool plant)
{
	uint64_t cut = (rnd(rs) % c->npages) * PATTERN_UNIT, p;
	int ret;

	__atomic_store_n(&c->boundary, cut, __ATOMIC_RELAXED);
	seq_begin(c);
	ret = ftruncate(c->fd, cut) ? -errno : 0;
	__atomic_store_n(&c->size, cut, __ATOMIC_RELAXED);
	seq_end(c);
	if (ret)
		return ret;
	dwell(0.002);

	seq_begin(c);
	ret = ftruncate(c->fd, c->full) ? -errno : 0;
	for (p = cut / PATTERN_UNIT; p < c->npages; p++)
		__atomic_store_n(&c->gen[p], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->size, c->full, __ATOMIC_RELAXED);
	seq_end(c);
	if (ret)
		return ret;
	dwell(0.002);

	seq_begin(c);
	++*g;
	ret = write_pattern(c->fd, cut, c->full - cut, *g, c->seed);
	if (!ret && plant && cut < c->full)
		/* Self-test: the data from before the cut comes back at the cut. */
		ret = write_pattern(c->fd, cut, PATTERN_UNIT, *g - 1, c->seed);
	for (p = cut / PATTERN_UNIT; p < c->npages; p++)
		__atomic_store_n(&c->gen[p], *g, __ATOMIC_RELAXED);
	seq_end(c);
	dwell(0.002);
	return ret;
}

static void trunc_final_check(struct trunc_ctx *c, uint64_t *checked)
{
	struct pattern_mismatch m;
	uint64_t p;

	for (p = 0; p < c->npages && !c->sh->corrupt; p++, ++*checked)
		if (!pattern_check(c->map + p * PATTERN_UNIT, p * PATTERN_UNIT, c->seed, c->gen[p],
				   c->gen[p], &m))
			report_corruption(c->sh, &m, "the final check through the mapping");
}

/* The truncating thread: cycles until the run stops; the planted page stays until found. */
static void *trunc_truncator(void *arg)
{
	struct trunc_ctx *c = arg;
	uint64_t rs = rnd_seed(c->seed, 999), g = 1;
	bool planted = false;
	int ret;

	wd_enter(c->truncator_wd);
	test_stall_hook(0);
	while (!should_stop(c->sh)) {
		bool plant = c->o->plant_corruption && !planted &&
			     now_monotonic() - c->t_start > c->o->time / 4;

		wd_beat(c->truncator_wd);
		if (planted) {
			/* Keep the planted page in place until a reader finds it. */
			dwell(0.01);
			continue;
		}
		ret = trunc_cycle(c, &rs, &g, plant);
		if (ret) {
			report_failure(c->sh, "truncate/write: %s", strerror(-ret));
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

	c->truncator_wd = run_worker(run, 0);
	wd_name(&run->wd, 0, "truncating thread");
	th[0].fn = trunc_truncator;
	th[0].arg = c;
	for (i = 0; i < nreaders; i++) {
		t[i].c = c;
		t[i].id = i;
		t[i].wd = run_worker(run, i + 1);
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
		       c->cycles, *checks, sigbus, final_text(final, buf, sizeof(buf)));
}

int stress_truncate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), checks = 0, final = 0;
	struct trunc_ctx c = { .o = o, .seed = seed };
	unsigned nreaders = default_workers(o), i;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	struct stress_run run = { 0 };
	struct trunc_reader *t = NULL;
	struct stress_thread *th = NULL;
	long fstype;
	int ret;

	ret = dir_fs(dir, &fstype);
	if (ret)
		return ret;
	c.full = o->size ? o->size : 8 * MiB;
	if (c.full % PATTERN_UNIT || c.full < 2 * PATTERN_UNIT)
		return fb_usage("option '--size': the truncate test needs a multiple of 4k");
	ret = check_size("truncate", c.full);
	if (ret)
		return ret;
	c.npages = c.full / PATTERN_UNIT;
	c.fd = open_unnamed(dir);
	if (c.fd < 0)
		return fb_error(FB_UNDECIDED, "stress truncate: cannot create a file in '%s': %s",
				dir, strerror(-c.fd));
	c.sh = shared_alloc(c.npages * sizeof(uint64_t));
	c.gen = (uint64_t *)(c.sh + 1);
	run_begin(&run, "truncate", o, c.sh, seed, nreaders + 1);
	ret = write_pattern(c.fd, 0, c.full, 1, seed);
	if (ret) {
		report_failure(c.sh, "writing the file: %s", strerror(-ret));
		goto out;
	}
	for (i = 0; i < c.npages; i++)
		c.gen[i] = 1;
	c.size = c.full;
	c.map = mmap(NULL, c.full, PROT_READ, MAP_SHARED, c.fd, 0);
	if (c.map == MAP_FAILED) {
		c.map = NULL;
		report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &old);

	if (!o->quiet)
		printf("stress truncate: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB file, 1 truncating thread, %u faulting readers\n",
		       o->time, seed, dir, fs_name(fstype), c.full / MiB, nreaders);
	t = xcalloc(nreaders, sizeof(*t));
	th = xcalloc(nreaders + 1, sizeof(*th));
	trunc_threads(&run, &c, t, th, nreaders);
	run_watch(&run);
	c.t_start = now_monotonic();
	run_threads(&run, th, nreaders + 1, c.t_start + o->time);
	if (may_final_check(&run))
		trunc_final_check(&c, &final);
	if (!run.left_running)
		sigaction(SIGBUS, &old, NULL);
	trunc_print(&c, t, nreaders, final, &checks);
out:
	ret = finish(&run, checks > 0, "no access happened while the file was stable");
	free(t);
	free(th);
	if (c.map)
		munmap((void *)c.map, c.full);
	close(c.fd);
	shared_free(c.sh, c.npages * sizeof(uint64_t));
	return ret;
}

/* ---------------------------------------------------------- migrate */

/*
 * The recipe of the 2010 migration-race fixes, scaled to the machine, as
 * child processes in a process group of their own (killed as a group at the
 * end; PR_SET_PDEATHSIG kills them should this process die first):
 *   faulters    map the shared file, read-check every page, unmap; and fill
 *               and check private anonymous memory of their own
 *   punchers    write a file of their own, punch a hole, check zeros in the
 *               hole and the data around it through a MAP_SHARED mapping
 *   exec        fork and exec a tiny program, over and over (mm teardown)
 *   memset      fill a large THP-eligible mapping with patterns and check it
 *   compact     write /proc/sys/vm/compact_memory continuously (root)
 *   move_pages  with several NUMA nodes, move the memset child's pages around
 */
enum mig_role { MIG_FAULT, MIG_PUNCH, MIG_EXEC, MIG_MEMSET, MIG_COMPACT, MIG_MOVE, MIG_NROLES };

static const char *const mig_role_name[MIG_NROLES] = {
	"faulter", "puncher", "exec", "memset", "compact", "move_pages",
};

struct mig_stats {
	uint64_t passes, pages;
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
	pid_t memset_pid;
	int nodes[8], nnodes;
	struct wd_worker *me; /* in a child: its watchdog entry */
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
	report_corruption(c->sh, m, "%s", who);
	_exit(FB_FAIL);
}

static void mig_cannot(struct mig_ctx *c, const char *what, int err)
{
	report_failure(c->sh, "%s: %s", what, strerror(err));
	_exit(FB_UNDECIDED);
}

static void mig_faulter(struct mig_ctx *c, unsigned id)
{
	char *anon = c->anon + id * c->anon_per, who[96];
	uint64_t base = (uint64_t)(id + 1) << 40, pass = 0;
	struct pattern_mismatch m;

	while (!should_stop(c->sh)) {
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
	uint64_t npages = MIG_PUNCH_SIZE / PATTERN_UNIT, rs = rnd_seed(c->seed, 2000 + id), g = 0;
	struct pattern_mismatch m;
	int fd = open_unnamed(c->dir), ret;
	char who[128], *map;

	if (fd < 0)
		mig_cannot(c, "creating the puncher's file", -fd);
	if (ftruncate(fd, MIG_PUNCH_SIZE))
		mig_cannot(c, "ftruncate", errno);
	map = mmap(NULL, MIG_PUNCH_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		mig_cannot(c, "mmap of the puncher's file", errno);
	while (!should_stop(c->sh)) {
		uint64_t first = rnd(&rs) % npages, n = 1 + rnd(&rs) % 128, p;

		if (first + n > npages)
			n = npages - first;
		ret = write_pattern(fd, 0, MIG_PUNCH_SIZE, ++g, c->seed);
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

	while (!should_stop(c->sh)) {
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

	while (!should_stop(c->sh)) {
		++pass;
		for (off = 0; off < c->msize && !should_stop(c->sh); off += chunk) {
			pattern_fill_range(c->mem + off, chunk, base + off, pass, c->seed);
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

static int compact_once(void)
{
	int fd = open("/proc/sys/vm/compact_memory", O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, "1", 1) != 1)
		ret = -errno;
	close(fd);
	return ret;
}

static void mig_compact(struct mig_ctx *c, unsigned id)
{
	while (!should_stop(c->sh)) {
		compact_once();
		mig_count(c, MIG_COMPACT, 0);
		dwell(0.02);
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

	while (!should_stop(c->sh)) {
		pass++;
		for (i = 0; i < npages && !should_stop(c->sh); i += BATCH) {
			unsigned n = npages - i < BATCH ? npages - i : BATCH;

			for (j = 0; j < n; j++) {
				pages[j] = c->mem + (i + j) * page_size();
				nodes[j] = c->nodes[(pass + j) % c->nnodes];
			}
			/* Pages not present yet (ENOENT in status) are fine. */
			if (move_pages(c->memset_pid, n, pages, nodes, status, flags) < 0 &&
			    errno != ENOENT && errno != EBUSY && errno != ENOMEM)
				mig_cannot(c, "move_pages", errno);
			wd_beat(c->me);
		}
		mig_count(c, MIG_MOVE, npages);
	}
	_exit(FB_OK);
}

struct mig_child {
	pid_t pid;
	enum mig_role role;
	unsigned id;
	bool reaped;
	struct wd_worker *wd;
	unsigned slot;
};

/* Children that do not die this long after SIGKILL are stuck in the kernel. */
#define MIG_REAP_GRACE 10.0

/*
 * A stress child in process group *pgid (the first child founds it): it dies
 * with this process, takes the default SIGINT/SIGTERM and is in the
 * watchdog's hands from its first instruction.  0 in the child, which runs
 * its body and _exit()s; the pid in the parent; -errno.
 */
static pid_t stress_fork(pid_t *pgid, struct wd_worker *me, unsigned slot)
{
	pid_t parent = getpid(), pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		setpgid(0, *pgid);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(FB_UNDECIDED);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		wd_enter(me);
		test_stall_hook(slot);
		return 0;
	}
	/* Both sides set the group, so it is set whichever runs first. */
	setpgid(pid, *pgid ? *pgid : pid);
	if (!*pgid)
		*pgid = pid;
	return pid;
}

static pid_t mig_spawn(struct mig_ctx *c, pid_t *pgid, enum mig_role role, unsigned id,
		       struct wd_worker *me, unsigned slot)
{
	static void (*const fn[MIG_NROLES])(struct mig_ctx *, unsigned) = {
		mig_faulter, mig_puncher, mig_exec, mig_memset, mig_compact, mig_move,
	};
	pid_t pid = stress_fork(pgid, me, slot);

	if (pid == 0) {
		c->me = me;
		fn[role](c, id);
		_exit(FB_OK);
	}
	return pid;
}

/* Reap a child; what its exit says about the run goes into the shared report. */
static void mig_reaped(struct mig_ctx *c, struct mig_child *ch, int st, bool killed_by_us)
{
	ch->reaped = true;
	wd_leave(ch->wd);
	if (killed_by_us || c->sh->corrupt)
		return;
	if (WIFSIGNALED(st))
		report_failure(c->sh,
			       "the %s child %u was killed by signal %d (%s): not judged, but a "
			       "crash here may itself be a kernel bug",
			       mig_role_name[ch->role], ch->id, WTERMSIG(st),
			       strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != FB_OK && WEXITSTATUS(st) != FB_FAIL && !c->sh->failed)
		report_failure(c->sh, "the %s child %u exited with status %d",
			       mig_role_name[ch->role], ch->id, WEXITSTATUS(st));
}

static uint64_t mem_available(void)
{
	char *s = read_text_file("/proc/meminfo"), *p;
	unsigned long long kb = 0;

	p = s ? strstr(s, "MemAvailable:") : NULL;
	if (p)
		sscanf(p, "MemAvailable: %llu", &kb);
	free(s);
	return kb * 1024;
}

static void find_exec_helper(char *buf, size_t len)
{
	char exe[4096], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	/* The build ships the helper next to the binary. */
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			path = xasprintf("%s/fb-exec-helper", exe);
			if (strlen(path) < len && access(path, X_OK) == 0) {
				strcpy(buf, path);
				free(path);
				return;
			}
			free(path);
		}
	}
	snprintf(buf, len, "/bin/true");
}

static void find_nodes(struct mig_ctx *c)
{
	int n;

	c->nnodes = 0;
	if (numa_available() < 0)
		return;
	for (n = 0; n <= numa_max_node() && c->nnodes < (int)ARRAY_SIZE(c->nodes); n++)
		if (numa_bitmask_isbitset(numa_all_nodes_ptr, n))
			c->nodes[c->nnodes++] = n;
}

static int mig_sizes(struct mig_ctx *c, const struct stress_opts *o)
{
	uint64_t avail = mem_available(), def = avail / 20;

	if (def > 256 * MiB)
		def = 256 * MiB;
	c->msize = o->size ? o->size : def;
	c->msize &= ~(2 * MiB - 1);
	if (!c->msize)
		c->msize = 2 * MiB;
	if (avail && c->msize > avail / 2)
		return fb_usage("option '--size': %llu MiB is more than half of the memory "
				"available (%llu MiB); this test must never push the machine "
				"into the OOM killer",
				(unsigned long long)(c->msize / MiB),
				(unsigned long long)(avail / MiB));
	c->fsize = 16 * MiB;
	c->anon_per = 4 * MiB;
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
	ret = pwrite_all(c->ffd, buf, PATTERN_UNIT, c->fsize / 2);
	free(buf);
	return ret;
}

static void mig_wait(struct mig_ctx *c, struct mig_child *ch, unsigned nch, pid_t pgid,
		     double deadline)
{
	double t0 = now_monotonic();
	bool planted = false;
	unsigned i;
	int st;

	while (!should_stop(c->sh) && now_monotonic() < deadline) {
		pid_t pid = waitpid(-pgid, &st, WNOHANG);

		for (i = 0; pid > 0 && i < nch; i++)
			if (ch[i].pid == pid)
				mig_reaped(c, &ch[i], st, false);
		if (pid > 0)
			continue;
		if (c->o->plant_corruption && !planted && now_monotonic() - t0 > c->o->time / 4) {
			int ret = mig_plant(c);

			if (ret)
				report_failure(c->sh, "planting: %s", strerror(-ret));
			planted = true;
		}
		dwell(0.02);
	}
	__atomic_store_n(&c->sh->stop, 1, __ATOMIC_RELEASE);
	kill(-pgid, SIGKILL);
}

/*
 * After SIGKILL, reap every child by a deadline: one that does not die is
 * stuck in the kernel (uninterruptibly), and waiting for it would hang this
 * run as well.  It is reported with its stack instead.
 */
static void mig_reap(struct mig_ctx *c, struct stress_run *run, struct mig_child *ch, unsigned nch,
		     pid_t pgid)
{
	double deadline = now_monotonic() + MIG_REAP_GRACE;
	unsigned i, left = 0;
	char why[96];
	int st;

	for (i = 0; i < nch; i++)
		left += !ch[i].reaped;
	while (left && now_monotonic() < deadline) {
		pid_t pid = waitpid(-pgid, &st, WNOHANG);

		for (i = 0; pid > 0 && i < nch; i++)
			if (ch[i].pid == pid && !ch[i].reaped) {
				mig_reaped(c, &ch[i], st, true);
				left--;
			}
		if (pid < 0 && errno == ECHILD)
			break;
		if (pid <= 0)
			dwell(0.02);
	}
	snprintf(why, sizeof(why), "did not die within %.0f s of SIGKILL", MIG_REAP_GRACE);
	for (i = 0; i < nch; i++) {
		if (ch[i].reaped)
			continue;
		wd_report(&run->wd, ch[i].slot, 0, why);
		run->left_running = true;
	}
}

static void mig_print(struct mig_ctx *c, const unsigned *nrole, const char *compact_why)
{
	unsigned r;

	for (r = 0; r < MIG_NROLES; r++) {
		if (!nrole[r])
			continue;
		printf("  %-10s x%u: %" PRIu64 " passes", mig_role_name[r], nrole[r],
		       c->st[r].passes);
		if (c->st[r].pages)
			printf(", %" PRIu64 " pages %s", c->st[r].pages,
			       r == MIG_MOVE ? "asked to move" : "checked");
		printf("\n");
	}
	if (compact_why[0])
		printf("  compaction: not run (%s)\n", compact_why);
	if (c->nnodes < 2)
		printf("  move_pages: not run (%d NUMA node%s with memory)\n", c->nnodes,
		       c->nnodes == 1 ? "" : "s");
}

/* How many children of each role; the reason compaction cannot run, if it cannot. */
static unsigned mig_roles(struct mig_ctx *c, const struct stress_opts *o, unsigned *nrole,
			  char *compact_why, size_t len)
{
	unsigned r, n = 0;
	int ret;

	nrole[MIG_FAULT] = o->workers > 0 ? (unsigned)o->workers : online_cpus();
	if (nrole[MIG_FAULT] > 256)
		nrole[MIG_FAULT] = 256;
	nrole[MIG_PUNCH] = nrole[MIG_FAULT] / 2 ? nrole[MIG_FAULT] / 2 : 1;
	nrole[MIG_EXEC] = 1;
	nrole[MIG_MEMSET] = 1;
	ret = compact_once();
	if (ret)
		snprintf(compact_why, len, "/proc/sys/vm/compact_memory: %s", strerror(-ret));
	nrole[MIG_COMPACT] = !ret;
	find_nodes(c);
	nrole[MIG_MOVE] = c->nnodes >= 2;
	for (r = 0; r < MIG_NROLES; r++)
		n += nrole[r];
	return n;
}

/* Fork the children, child i in watchdog slot i; the number forked. */
static unsigned mig_spawn_all(struct mig_ctx *c, struct stress_run *run, const unsigned *nrole,
			      struct mig_child *ch, unsigned max, pid_t *pgid)
{
	unsigned nch = 0, r, i;

	for (r = 0; r < MIG_NROLES && !c->sh->failed; r++) {
		for (i = 0; i < nrole[r] && nch < max; i++) {
			struct wd_worker *w = run_worker(run, nch);
			pid_t pid;

			wd_name(&run->wd, nch, "%s child %u", mig_role_name[r], i);
			pid = mig_spawn(c, pgid, r, i, w, nch);
			if (pid < 0) {
				report_failure(c->sh, "fork: %s", strerror(-pid));
				break;
			}
			ch[nch] = (struct mig_child){
				.pid = pid, .role = r, .id = i, .wd = w, .slot = nch
			};
			nch++;
			if (r == MIG_MEMSET)
				c->memset_pid = pid; /* before the move_pages child forks */
		}
	}
	for (i = nch; i < max; i++)
		wd_leave(run_worker(run, i)); /* never forked: not watched */
	return nch;
}

int stress_migrate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	struct mig_ctx c = { .o = o, .dir = dir, .ffd = -1 };
	unsigned nrole[MIG_NROLES] = { 0 }, nch = 0, nslots;
	struct mig_child ch[512];
	char compact_why[160] = "";
	struct stress_run run = { 0 };
	pid_t pgid = 0;
	long fstype;
	int ret;
	size_t extra = MIG_NROLES * sizeof(struct mig_stats);

	ret = dir_fs(dir, &fstype);
	if (ret)
		return ret;
	ret = mig_sizes(&c, o);
	if (ret)
		return ret;
	c.seed = resolve_seed(o);
	nslots = mig_roles(&c, o, nrole, compact_why, sizeof(compact_why));
	if (nslots > ARRAY_SIZE(ch))
		nslots = ARRAY_SIZE(ch);
	find_exec_helper(c.helper, sizeof(c.helper));

	c.sh = shared_alloc(extra);
	c.st = (struct mig_stats *)(c.sh + 1);
	run_begin(&run, "migrate", o, c.sh, c.seed, nslots);
	c.ffd = open_unnamed(dir);
	if (c.ffd < 0) {
		report_failure(c.sh, "cannot create a file in '%s': %s", dir, strerror(-c.ffd));
		goto out;
	}
	ret = write_pattern(c.ffd, 0, c.fsize, 1, c.seed);
	if (ret) {
		report_failure(c.sh, "writing the shared file: %s", strerror(-ret));
		goto out;
	}
	/* Mapped before the fork so that move_pages knows the addresses; touched only by the child.
	 */
	c.anon = mmap(NULL, nrole[MIG_FAULT] * c.anon_per, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	c.mem = mmap(NULL, c.msize, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c.anon == MAP_FAILED || c.mem == MAP_FAILED) {
		report_failure(c.sh, "mmap: %s", strerror(errno));
		goto out;
	}
	madvise(c.mem, c.msize, MADV_HUGEPAGE); /* huge pages are what compaction makes */

	if (!o->quiet)
		printf("stress migrate: %g s, seed %" PRIu64 ", %s (%s), memset %" PRIu64
		       " MiB, exec %s\n",
		       o->time, c.seed, dir, fs_name(fstype), c.msize / MiB, c.helper);
	nch = mig_spawn_all(&c, &run, nrole, ch, nslots, &pgid);
	run_watch(&run);
	if (nch) {
		mig_wait(&c, ch, nch, pgid, now_monotonic() + o->time);
		mig_reap(&c, &run, ch, nch, pgid);
	}
	if (!o->quiet)
		mig_print(&c, nrole, compact_why);
out:
	ret = finish(&run, c.st[MIG_FAULT].passes > 0, "no faulter finished a pass");
	if (c.anon && c.anon != MAP_FAILED)
		munmap(c.anon, nrole[MIG_FAULT] * c.anon_per);
	if (c.mem && c.mem != MAP_FAILED)
		munmap(c.mem, c.msize);
	if (c.ffd >= 0)
		close(c.ffd);
	shared_free(c.sh, extra);
	return ret;
}

/* ---------------------------------------------------------- zap-coherence */

/*
 * The zap_pte_range / O_DIRECT coherence seed: data stored through a shared
 * mapping must survive its ptes being zapped (the dirty bit moves to the
 * page), write-back, invalidation by O_DIRECT writes and the page cache being
 * dropped, and then be on disk.
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
	double t_start;
};

struct zap_thread {
	struct zap_ctx *c;
	unsigned id, slot;
	struct wd_worker *wd;
	void *buf; /* ZAP_RANGE, aligned for O_DIRECT */
	uint64_t writes[ZAP_NPATHS], checks, strict, zaps, syncs;
};

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, off + done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += n;
	}
	return 0;
}

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
	return pwrite_all(path == ZAP_DIRECT ? c->dfd : c->fd, t->buf, ZAP_RANGE, off);
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
		ret = pread_all(fds[i], t->buf, ZAP_RANGE, off);
		if (ret) {
			report_failure(c->sh, "pread: %s", strerror(-ret));
			return false;
		}
		if (!pattern_check_range(t->buf, ZAP_RANGE, off, c->seed, g, g, &m)) {
			report_corruption(c->sh, &m, "owner %u through %s after %s", t->id, via[i],
					  zap_path_name[path]);
			return false;
		}
	}
	if (!pattern_check_range(c->map + off, ZAP_RANGE, off, c->seed, g, g, &m)) {
		report_corruption(c->sh, &m, "owner %u through the mapping after %s", t->id,
				  zap_path_name[path]);
		return false;
	}
	return true;
}

static void *zap_owner(void *arg)
{
	struct zap_thread *t = arg;
	struct zap_ctx *c = t->c;
	uint64_t rs = rnd_seed(c->seed, 3000 + t->id), planted = UINT64_MAX;
	unsigned per = (c->nranges + c->nowners - 1) / c->nowners;

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	while (!should_stop(c->sh)) {
		uint64_t r = t->id + (uint64_t)c->nowners * (rnd(&rs) % per), g, content;
		enum zap_path path = rnd(&rs) % ZAP_NPATHS;
		int ret;

		wd_beat(t->wd);
		if (r >= c->nranges || r == planted)
			continue;
		g = c->started[r] + 1; /* only this owner writes range r */
		content = g;
		if (c->o->plant_corruption && t->id == 0 && planted == UINT64_MAX &&
		    path != ZAP_MMAP && now_monotonic() - c->t_start > c->o->time / 4) {
			/* Self-test: publish g but write g - 1, as a lost write would look. */
			content = g - 1;
			planted = r;
		}
		__atomic_store_n(&c->started[r], g, __ATOMIC_SEQ_CST);
		ret = zap_write(t, r, path, content);
		if (ret) {
			report_failure(c->sh, "write: %s", strerror(-ret));
			break;
		}
		if (path == ZAP_MMAP && rnd(&rs) & 1)
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
	uint64_t r = rnd(rs) % c->nranges, u;
	uint64_t off = r * ZAP_RANGE + (rnd(rs) % (ZAP_RANGE / ZAP_READ)) * ZAP_READ;
	uint64_t pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE), started;
	struct pattern_mismatch m;
	bool strict;
	int ret = pread_all(c->dfd, t->buf, ZAP_READ, off);

	if (ret) {
		report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
		return false;
	}
	started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
	for (u = 0; u < ZAP_READ / PATTERN_UNIT; u++) {
		const char *unit = (const char *)t->buf + u * PATTERN_UNIT;

		if (!stress_judge_invalidate(unit, off + u * PATTERN_UNIT, c->seed, pub, started,
					     &strict, &m)) {
			report_corruption(c->sh, &m,
					  "interfering thread %u through an O_DIRECT read%s", t->id,
					  strict ? " with no write in flight" : "");
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
	uint64_t r = rnd(rs) % c->nranges, unit[PATTERN_WORDS];
	uint64_t off = r * ZAP_RANGE + (rnd(rs) % (ZAP_RANGE / PATTERN_UNIT)) * PATTERN_UNIT;
	uint64_t pub = __atomic_load_n(&c->published[r], __ATOMIC_ACQUIRE), started;
	struct pattern_mismatch m;
	bool strict;

	copy_unit(c->map + off, unit);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	started = __atomic_load_n(&c->started[r], __ATOMIC_ACQUIRE);
	if (!stress_judge_invalidate(unit, off, c->seed, pub, started, &strict, &m)) {
		report_corruption(c->sh, &m, "interfering thread %u through the mapping%s", t->id,
				  strict ? " with no write in flight" : "");
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
	uint64_t rs = rnd_seed(c->seed, 4000 + t->id);
	bool ok = true;

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	while (ok && !should_stop(c->sh)) {
		uint64_t off = (rnd(&rs) % c->nranges) * ZAP_RANGE;

		wd_beat(t->wd);
		switch (rnd(&rs) % 5) {
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
		report_failure(c->sh, "fsync: %s", strerror(errno));
		return;
	}
	posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	for (r = 0; r < c->nranges && !c->sh->corrupt; r++) {
		off = r * ZAP_RANGE;
		ret = pread_all(c->dfd, buf, ZAP_RANGE, off);
		if (ret) {
			report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
			return;
		}
		if (!pattern_check_range(buf, ZAP_RANGE, off, c->seed, c->published[r],
					 c->published[r], &m))
			report_corruption(c->sh, &m,
					  "the final check from disk (after fsync and dropping "
					  "the page cache)");
		else if (!pattern_check_range(c->map + off, ZAP_RANGE, off, c->seed,
					      c->published[r], c->published[r], &m))
			report_corruption(c->sh, &m, "the final check through the mapping");
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
		t[i].wd = run_worker(run, i);
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
	       zaps, syncs, checks, *strict, final_text(final, buf, sizeof(buf)));
}

/* The file, its O_DIRECT twin and the mapping, generation 1 everywhere. */
static int zap_setup(struct zap_ctx *c, const char *dir)
{
	uint64_t i;
	int ret;

	c->fd = open_unnamed(dir);
	if (c->fd < 0)
		return fb_error(FB_UNDECIDED,
				"stress zap-coherence: cannot create a file in '%s': %s", dir,
				strerror(-c->fd));
	c->dfd = reopen_direct(c->fd);
	if (c->dfd < 0) {
		close(c->fd);
		return fb_error(FB_UNDECIDED, "stress zap-coherence: O_DIRECT on '%s': %s", dir,
				strerror(-c->dfd));
	}
	ret = ftruncate(c->fd, c->size) ? -errno : write_pattern(c->dfd, 0, c->size, 1, c->seed);
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

int stress_zap_coherence(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), strict = 0, final = 0;
	struct zap_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = default_workers(o), i;
	struct stress_run run = { 0 };
	struct zap_thread *t;
	struct stress_thread *th;
	long fstype;
	int ret;
	size_t arrays;

	ret = check_disk_dir("zap-coherence", dir, &fstype);
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
	c.sh = shared_alloc(arrays);
	c.published = (uint64_t *)(c.sh + 1);
	c.started = c.published + c.nranges;
	ret = zap_setup(&c, dir);
	if (ret) {
		shared_free(c.sh, arrays);
		return ret;
	}
	run_begin(&run, "zap-coherence", o, c.sh, seed, nworkers);
	if (!o->quiet)
		printf("stress zap-coherence: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		       " MiB in %u ranges of 2 MiB, %u owners (mapping, buffered and O_DIRECT "
		       "writes), %u interfering threads (zap, write-back, drop, read)\n",
		       o->time, seed, dir, fs_name(fstype), c.size / MiB, c.nranges, c.nowners,
		       c.nothers);
	t = xcalloc(nworkers, sizeof(*t));
	th = xcalloc(nworkers, sizeof(*th));
	zap_threads(&run, &c, t, th, nworkers);
	run_watch(&run);
	c.t_start = now_monotonic();
	run_threads(&run, th, nworkers, c.t_start + o->time);
	if (may_final_check(&run))
		zap_final_check(&c, t[0].buf, &final);
	zap_print(&c, t, nworkers, final, &strict);
	ret = finish(&run, final > 0, "the final check from disk did not run");
	for (i = 0; i < nworkers; i++)
		free(t[i].buf);
	free(t);
	free(th);
	munmap(c.map, c.size);
	close(c.dfd);
	close(c.fd);
	shared_free(c.sh, arrays);
	return ret;
}

/* ---------------------------------------------------------- thp-split-dio */

/*
 * The THP seed's torture test: O_DIRECT reads and writes pin the tail pages
 * of anonymous huge pages while other threads split those huge pages.
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
	double t_start;
	/* Per huge page: the splitter is re-creating it / an O_DIRECT transfer is on it. */
	int *recreating, *inflight;
};

struct thp_thread {
	struct thp_ctx *c;
	unsigned id, slot;
	struct wd_worker *wd;
	void *buf; /* THP_MAXWIN units, for reading back writes */
	uint64_t wgen, reads, writes, ops[THP_NOPS], collapsed, remapped;
};

/* A huge page of pair id; the O_DIRECT thread skips one being collapsed. */
static char *thp_pick(struct thp_thread *t, uint64_t *rs, uint64_t *h)
{
	struct thp_ctx *c = t->c;
	uint64_t per = (c->nhuge + c->npairs - 1) / c->npairs;

	do
		*h = t->id + (uint64_t)c->npairs * (rnd(rs) % per);
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
	uint64_t h, n = 1 + rnd(rs) % THP_MAXWIN, s = rnd(rs) % (THP_HALF - n + 1), i;
	uint64_t f = (rnd(rs) % (THP_RFILE / PATTERN_UNIT - n)) * PATTERN_UNIT;
	char *win = thp_pick(t, rs, &h) + s * PATTERN_UNIT;
	struct pattern_mismatch m;
	int ret;

	if (!thp_enter(c, h))
		return true;
	/* Self-test: read the next page of the file, as a misdirected transfer would. */
	ret = pread_all(c->dfd, win, n * PATTERN_UNIT, plant ? f + PATTERN_UNIT : f);
	if (ret) {
		thp_exit(c, h);
		report_failure(c->sh, "O_DIRECT pread: %s", strerror(-ret));
		return false;
	}
	/* Checked before leaving h: a fresh huge page in its place starts with zeros. */
	for (i = 0; i < n; i++) {
		if (pattern_check(win + i * PATTERN_UNIT, f + i * PATTERN_UNIT, c->seed, 1, 1, &m))
			continue;
		thp_exit(c, h);
		report_corruption(c->sh, &m,
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
	uint64_t h, n = 1 + rnd(rs) % THP_MAXWIN, s = rnd(rs) % (THP_HALF - n + 1);
	uint64_t woff = THP_RFILE + t->id * THP_WPART +
			(rnd(rs) % (THP_WPART / PATTERN_UNIT - n + 1)) * PATTERN_UNIT;
	char *win = thp_pick(t, rs, &h) + s * PATTERN_UNIT;
	struct pattern_mismatch m;
	int ret;

	if (!thp_enter(c, h))
		return true;
	pattern_fill_range(win, n * PATTERN_UNIT, woff, ++t->wgen, c->seed);
	ret = pwrite_all(c->dfd, win, n * PATTERN_UNIT, woff);
	thp_exit(c, h);
	if (!ret)
		ret = pread_all(c->dfd, t->buf, n * PATTERN_UNIT, woff);
	if (ret) {
		report_failure(c->sh, "O_DIRECT write and read back: %s", strerror(-ret));
		return false;
	}
	if (!pattern_check_range(t->buf, n * PATTERN_UNIT, woff, c->seed, t->wgen, t->wgen, &m)) {
		report_corruption(c->sh, &m,
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
	uint64_t rs = rnd_seed(c->seed, 5000 + t->id);
	bool ok = true, planted = false;

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	while (ok && !should_stop(c->sh)) {
		bool plant = c->o->plant_corruption && t->id == 0 && !planted &&
			     now_monotonic() - c->t_start > c->o->time / 4;

		wd_beat(t->wd);
		ok = rnd(&rs) % 4 && !plant ? thp_dio_read(t, &rs, false)
		     : plant		    ? thp_dio_read(t, &rs, true)
					    : thp_dio_write(t, &rs);
		planted |= plant;
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
	while (__atomic_load_n(&c->inflight[h], __ATOMIC_SEQ_CST) && !should_stop(c->sh))
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
		report_corruption(c->sh, &m,
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
	uint64_t rs = rnd_seed(c->seed, 6000 + t->id), h;
	static const enum thp_op mix[8] = {
		THP_MPROTECT, THP_MPROTECT, THP_MPROTECT, THP_DONTNEED,
		THP_DONTNEED, THP_REMAP,    THP_REMAP,	  THP_COLLAPSE
	};

	wd_enter(t->wd);
	test_stall_hook(t->slot);
	while (!should_stop(c->sh)) {
		char *hp = thp_pick(t, &rs, &h);
		uint64_t u = THP_HALF + rnd(&rs) % THP_HALF;
		enum thp_op op = mix[rnd(&rs) % 8];
		int ret;

		wd_beat(t->wd);
		ret = thp_change(t, hp, h, u, op);
		if (ret) {
			report_failure(c->sh, "%s: %s", thp_op_name[op], strerror(-ret));
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
		t[i].wd = run_worker(run, i);
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

	c->fd = open_unnamed(dir);
	if (c->fd < 0)
		return fb_error(FB_UNDECIDED,
				"stress thp-split-dio: cannot create a file in '%s': %s", dir,
				strerror(-c->fd));
	c->dfd = reopen_direct(c->fd);
	ret = c->dfd < 0 ? c->dfd : ftruncate(c->fd, len) ? -errno : 0;
	if (!ret)
		ret = write_pattern(c->dfd, 0, len, 1, c->seed);
	if (ret) {
		if (c->dfd >= 0)
			close(c->dfd);
		close(c->fd);
		return fb_error(FB_UNDECIDED, "stress thp-split-dio: O_DIRECT file in '%s': %s",
				dir, strerror(-ret));
	}
	return FB_OK;
}

int stress_thp_split_dio(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), reads = 0, huge = 0;
	struct thp_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = default_workers(o), i;
	struct stress_run run = { 0 };
	struct thp_thread *t;
	struct stress_thread *th;
	char why[160];
	long fstype;
	int ret;

	ret = check_disk_dir("thp-split-dio", dir, &fstype);
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
	c.sh = shared_alloc(2 * c.nhuge * sizeof(int));
	c.recreating = (int *)(c.sh + 1);
	c.inflight = c.recreating + c.nhuge;
	run_begin(&run, "thp-split-dio", o, c.sh, seed, 2 * c.npairs);
	ret = thp_map(&c, &huge);
	if (ret)
		report_failure(c.sh, "mapping the huge pages: %s", strerror(-ret));
	else if (!huge)
		report_failure(c.sh,
			       "no huge page was obtained (MADV_HUGEPAGE on %" PRIu64
			       " MiB): nothing to split",
			       c.nhuge * THP_SIZE / MiB);
	if (!o->quiet)
		printf(
		    "stress thp-split-dio: %g s, seed %" PRIu64 ", %s (%s), %" PRIu64
		    " huge pages (%" PRIu64 " MiB of them huge at the start), %u O_DIRECT threads, "
		    "%u splitters\n",
		    o->time, seed, dir, fs_name(fstype), c.nhuge, huge / MiB, c.npairs, c.npairs);
	t = xcalloc(2 * c.npairs, sizeof(*t));
	th = xcalloc(2 * c.npairs, sizeof(*th));
	thp_threads(&run, &c, t, th);
	if (!c.sh->failed) {
		run_watch(&run);
		c.t_start = now_monotonic();
		run_threads(&run, th, 2 * c.npairs, c.t_start + o->time);
		thp_print(&c, t, &reads);
	}
	ret = finish(&run, reads > 0, "no O_DIRECT read completed");
	for (i = 0; i < 2 * c.npairs; i++)
		free(t[i].buf);
	free(t);
	free(th);
	if (c.area && c.area != MAP_FAILED)
		munmap(c.area, c.area_len);
	close(c.dfd);
	close(c.fd);
	shared_free(c.sh, 2 * c.nhuge * sizeof(int));
	return ret;
}

/* ---------------------------------------------------------- anon-vma */

/*
 * The anon_vma root-lock seed: deep fork trees share anonymous pages through
 * chains of anon_vmas; their processes write (breaking COW) and exit while
 * compaction migrates the pages, walking those chains (rmap).  The seed's
 * failure was a hang, so the watchdog matters here as much as the data.
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
#define AV_DEPTH  3
#define AV_FANOUT 3

enum av_role { AV_TREE, AV_COMPACT };

struct av_ctx {
	const struct stress_opts *o;
	struct stress_shared *sh;
	uint64_t seed;
	uint64_t size, nunits;
	uint64_t *passes; /* per tree, shared */
	double t_start;
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
		report_corruption(c->sh, &m,
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

		if (rnd(rs) % 8 && !lost)
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
		if (WIFSIGNALED(st) && !should_stop(c->sh))
			report_failure(c->sh,
				       "a process of tree %u was killed by signal %d (%s): not "
				       "judged, but a crash here may itself be a kernel bug",
				       c->tree, WTERMSIG(st), strsignal(WTERMSIG(st)));
	}
}

/* One process of the tree: check, write, fork the next level, check, wait, exit. */
static void av_node(struct av_ctx *c, unsigned depth, uint64_t id, uint64_t pass)
{
	uint64_t rs = rnd_seed(c->seed, (pass << 32) ^ (id << 8) ^ c->tree);
	pid_t kids[AV_FANOUT];
	unsigned k, n = 0;

	if (!av_verify(c, depth, "on entry (what it inherited)"))
		_exit(FB_FAIL);
	av_write(c, pass * 1000000 + id + 2, &rs, c->plant && depth == 1 && id == 1);
	for (k = 0; depth < AV_DEPTH && k < AV_FANOUT && !should_stop(c->sh); k++) {
		pid_t pid = fork();

		if (pid < 0) {
			report_failure(c->sh, "fork: %s", strerror(errno));
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
		report_failure(c->sh, "mmap: %s", strerror(errno));
		_exit(FB_UNDECIDED);
	}
	c->gen_of = (uint64_t *)(c->mem + c->size);
	for (u = 0; u < c->nunits; u++) {
		c->gen_of[u] = 1;
		pattern_fill(c->mem + u * PATTERN_UNIT, u * PATTERN_UNIT, 1, c->seed);
	}
	while (!should_stop(c->sh)) {
		pass++;
		/*
		 * Planted in the first tree: a tree can take seconds on a loaded
		 * machine, and the checker must get to see it within --time.
		 */
		c->plant = c->o->plant_corruption && id == 0 && !planted;
		planted |= c->plant;
		pid = fork();
		if (pid < 0) {
			report_failure(c->sh, "fork: %s", strerror(errno));
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
	while (!should_stop(c->sh)) {
		compact_once();
		wd_beat(c->me);
		dwell(0.02);
	}
	_exit(FB_OK);
}

struct av_child {
	pid_t pid;
	unsigned slot;
	bool reaped;
};

/* Children that do not die this long after SIGKILL are stuck in the kernel. */
#define AV_REAP_GRACE 10.0

static pid_t av_spawn(struct av_ctx *c, pid_t *pgid, enum av_role role, unsigned id,
		      struct wd_worker *me, unsigned slot)
{
	pid_t pid = stress_fork(pgid, me, slot);

	if (pid == 0) {
		c->me = me;
		if (role == AV_TREE)
			av_tree(c, id);
		else
			av_compact(c);
		_exit(FB_OK); /* both _exit() themselves; never back into the parent's code */
	}
	return pid;
}

/* A child of ours ended: what its exit says about the run goes into the shared report. */
static void av_reaped(struct av_ctx *c, struct stress_run *run, struct av_child *ch, int st,
		      bool killed_by_us)
{
	ch->reaped = true;
	wd_leave(run_worker(run, ch->slot));
	if (killed_by_us || c->sh->corrupt)
		return;
	if (WIFSIGNALED(st))
		report_failure(c->sh,
			       "%s was killed by signal %d (%s): not judged, but a crash "
			       "here may itself be a kernel bug",
			       run->wd.w[ch->slot].name, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != FB_OK && WEXITSTATUS(st) != FB_FAIL && !c->sh->failed)
		report_failure(c->sh, "%s exited with status %d", run->wd.w[ch->slot].name,
			       WEXITSTATUS(st));
}

/* Reap what has ended; the number reaped. */
static unsigned av_reap_some(struct av_ctx *c, struct stress_run *run, struct av_child *ch,
			     unsigned n, pid_t pgid, bool killed_by_us)
{
	unsigned i, got = 0;
	pid_t pid;
	int st;

	while ((pid = waitpid(-pgid, &st, WNOHANG)) > 0)
		for (i = 0; i < n; i++)
			if (ch[i].pid == pid && !ch[i].reaped) {
				av_reaped(c, run, &ch[i], st, killed_by_us);
				got++;
			}
	return got;
}

/* Until --time or a stop; then SIGKILL, and every child reaped by a deadline or reported. */
static void av_run(struct av_ctx *c, struct stress_run *run, struct av_child *ch, unsigned n,
		   pid_t pgid)
{
	double deadline = now_monotonic() + c->o->time;
	unsigned i, left = n;

	while (!should_stop(c->sh) && now_monotonic() < deadline) {
		left -= av_reap_some(c, run, ch, n, pgid, false);
		dwell(0.02);
	}
	__atomic_store_n(&c->sh->stop, 1, __ATOMIC_RELEASE);
	kill(-pgid, SIGKILL);
	deadline = now_monotonic() + AV_REAP_GRACE;
	while (left && now_monotonic() < deadline) {
		left -= av_reap_some(c, run, ch, n, pgid, true);
		if (left)
			dwell(0.02);
	}
	for (i = 0; i < n; i++) {
		if (ch[i].reaped)
			continue;
		wd_report(&run->wd, ch[i].slot, 0, "did not die within 10 s of SIGKILL");
		run->left_running = true;
	}
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

int stress_anon_vma(const struct stress_opts *o)
{
	struct av_ctx c = { .o = o };
	unsigned ntrees = o->workers > 0 ? (unsigned)o->workers : online_cpus(), nch = 0, i;
	struct stress_run run = { 0 };
	struct av_child ch[258];
	char compact_why[160] = "";
	pid_t pgid = 0;
	bool compact;
	int ret;

	c.size = o->size ? o->size : 2 * MiB;
	if (c.size % PATTERN_UNIT)
		return fb_usage("option '--size': the anon-vma test needs a multiple of 4k");
	if (mem_available() && c.size > mem_available() / 64)
		return fb_usage(
		    "option '--size': %llu MiB per tree is more than 1/64 of the memory "
		    "available: up to %d processes of a tree may each break COW",
		    (unsigned long long)(c.size / MiB), 40);
	c.nunits = c.size / PATTERN_UNIT;
	if (ntrees > 256)
		ntrees = 256;
	c.seed = resolve_seed(o);
	ret = compact_once();
	compact = !ret;
	if (ret)
		snprintf(compact_why, sizeof(compact_why), "/proc/sys/vm/compact_memory: %s",
			 strerror(-ret));
	c.sh = shared_alloc((ntrees + 1) * sizeof(uint64_t));
	c.passes = (uint64_t *)(c.sh + 1);
	run_begin(&run, "anon-vma", o, c.sh, c.seed, ntrees + compact);
	if (!o->quiet)
		printf("stress anon-vma: %g s, seed %" PRIu64 ", %u trees of %" PRIu64
		       " KiB private memory, fork trees %d deep with %d children per process\n",
		       o->time, c.seed, ntrees, c.size / 1024, AV_DEPTH, AV_FANOUT);
	c.t_start = now_monotonic();
	for (i = 0; i < ntrees + compact && !c.sh->failed; i++) {
		enum av_role role = i < ntrees ? AV_TREE : AV_COMPACT;
		pid_t pid;

		if (role == AV_TREE)
			wd_name(&run.wd, i, "tree child %u", i);
		else
			wd_name(&run.wd, i, "compact child");
		pid = av_spawn(&c, &pgid, role, i, run_worker(&run, i), i);
		if (pid < 0) {
			report_failure(c.sh, "fork: %s", strerror(-pid));
			break;
		}
		ch[nch++] = (struct av_child){ .pid = pid, .slot = i };
	}
	for (i = nch; i < ntrees + compact; i++)
		wd_leave(run_worker(&run, i)); /* never forked: not watched */
	run_watch(&run);
	if (nch)
		av_run(&c, &run, ch, nch, pgid);
	ret =
	    finish(&run, av_print(&c, ntrees, compact, compact_why) > 0, "no fork tree completed");
	shared_free(c.sh, (ntrees + 1) * sizeof(uint64_t));
	return ret;
}
