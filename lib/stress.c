// SPDX-License-Identifier: GPL-2.0
/*
 * Race reproducers (see stress.h): the common plumbing (files, random numbers,
 * reporting, the kernel log) and the invalidate and truncate tests, which run
 * as threads of one process around one MAP_SHARED mapping.  The migrate test,
 * which needs processes, is in the second half of this file.
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
#include <unistd.h>

#include "stress.h"
#include "util.h"

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

/* ---------------------------------------------------------- kernel log */

/*
 * Kernel messages of level warning or worse that appeared while the test ran,
 * read from /dev/kmsg after seeking to its end at the start.  They come from
 * the whole machine, not only from this test: they are reported, not judged.
 */
struct kmsg_watch {
	int fd;
	char why[160];
};

static void kmsg_start(struct kmsg_watch *k)
{
	k->why[0] = '\0';
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		snprintf(k->why, sizeof(k->why), "/dev/kmsg: %s", strerror(errno));
		return;
	}
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		snprintf(k->why, sizeof(k->why), "/dev/kmsg: seek: %s", strerror(errno));
		close(k->fd);
		k->fd = -1;
	}
}

static bool kmsg_interesting(int level, const char *msg)
{
	return level <= 4 || strstr(msg, "WARNING") || strstr(msg, "BUG") || strstr(msg, "Oops") ||
	       strstr(msg, "invalidation failure");
}

/* Print what appeared; returns the number of warnings. */
static unsigned kmsg_finish(struct kmsg_watch *k, FILE *f)
{
	unsigned nwarn = 0, shown = 0;
	char rec[8192];
	ssize_t n;

	if (k->fd < 0) {
		fprintf(f, "  kernel log: not readable (%s)\n", k->why);
		return 0;
	}
	for (;;) {
		int level;
		char *msg;

		n = read(k->fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) /* overwritten records: keep reading */
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg || sscanf(rec, "%d", &level) != 1)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (!kmsg_interesting(level & 7, msg))
			continue;
		if (!nwarn++)
			fprintf(f, "  kernel log: warnings that appeared during the run "
				   "(from any source on this machine):\n");
		if (shown++ < 20)
			fprintf(f, "    <%d> %s\n", level & 7, msg);
	}
	if (!nwarn)
		fprintf(f, "  kernel log: no warnings during the run\n");
	else if (shown < nwarn)
		fprintf(f, "    ... and %u more\n", nwarn - shown);
	close(k->fd);
	return nwarn;
}

/* The end of every test: the verdict line and the exit status. */
static int finish(const char *test, const struct stress_shared *sh, uint64_t seed,
		  const struct stress_opts *o, bool decided, const char *undecided_why)
{
	char buf[512];

	if (sh->corrupt) {
		fprintf(stderr, "faultbench: stress %s: CORRUPTION seen by %s: %s\n", test, sh->who,
			pattern_describe(&sh->m, buf, sizeof(buf)));
		fprintf(stderr,
			"faultbench: reproduce with: faultbench stress %s --seed %" PRIu64
			" --time %g%s\n",
			test, seed, o->time, o->plant_corruption ? " --plant-corruption" : "");
		if (!o->quiet)
			printf("result: CORRUPTION (exit 1)\n");
		return FB_FAIL;
	}
	if (fb_interrupted) {
		if (!o->quiet)
			printf("result: interrupted\n");
		return 128 + fb_interrupted;
	}
	if (sh->failed)
		return fb_error(FB_UNDECIDED, "stress %s: cannot run here: %s", test, sh->errmsg);
	if (!decided)
		return fb_error(FB_UNDECIDED, "stress %s: could not decide: %s", test,
				undecided_why);
	if (!o->quiet)
		printf("result: no corruption seen (exit 0)\n");
	return FB_OK;
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
	unsigned id;
	void *(*fn)(void *); /* inv_writer or inv_reader */
	pthread_t th;
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

	if (posix_memalign(&buf, PATTERN_UNIT, INV_RANGE)) {
		report_failure(c->sh, "out of memory");
		return NULL;
	}
	while (!should_stop(c->sh)) {
		uint64_t r = t->id + (uint64_t)c->nwriters * (rnd(&rs) % per), g, content;

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
	return NULL;
}

static void *inv_reader(void *arg)
{
	struct inv_thread *t = arg;
	struct inv_ctx *c = t->c;
	uint64_t rs = rnd_seed(c->seed, t->id), unit[PATTERN_WORDS];
	struct pattern_mismatch m;

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
	}
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

/* Run the threads until --time, a corruption, a failure or a signal. */
static void run_threads(struct inv_thread *t, unsigned n, struct stress_shared *sh, double deadline)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (pthread_create(&t[i].th, NULL, t[i].fn, &t[i])) {
			report_failure(sh, "pthread_create: %s", strerror(errno));
			n = i;
			break;
		}
	while (!should_stop(sh) && now_monotonic() < deadline)
		sleep_until(now_monotonic() + 0.02 < deadline ? now_monotonic() + 0.02 : deadline);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < n; i++)
		pthread_join(t[i].th, NULL);
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

int stress_invalidate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), checks = 0, strict = 0, writes = 0, final = 0;
	struct inv_ctx c = { .o = o, .seed = seed };
	unsigned nworkers = default_workers(o), i;
	struct inv_thread *t;
	struct kmsg_watch k;
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
	kmsg_start(&k);
	t = xcalloc(nworkers, sizeof(*t));
	for (i = 0; i < nworkers; i++) {
		t[i].c = &c;
		t[i].id = i < c.nwriters ? i : i - c.nwriters;
		t[i].fn = i < c.nwriters ? inv_writer : inv_reader;
	}
	c.t_start = now_monotonic();
	run_threads(t, c.nwriters + c.nreaders, c.sh, c.t_start + o->time);
	for (i = 0; i < nworkers; i++) {
		checks += t[i].checks;
		strict += t[i].strict;
		writes += t[i].writes;
	}
	free(t);
	if (!c.sh->corrupt && !c.sh->failed && !fb_interrupted)
		inv_final_check(&c, &final);
	if (!o->quiet) {
		printf("  %" PRIu64 " O_DIRECT writes of 64 KiB; %" PRIu64
		       " pages read through the mapping and checked, %" PRIu64
		       " of them with no write in flight (exact generation required); "
		       "final check: %" PRIu64 " pages\n",
		       writes, checks, strict, final);
		kmsg_finish(&k, stdout);
	} else if (k.fd >= 0) {
		close(k.fd);
	}
out:
	ret = finish("invalidate", c.sh, seed, o, strict > 0,
		     "no page was read while no write was in flight");
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
};

struct trunc_reader {
	struct trunc_ctx *c;
	unsigned id;
	pthread_t th;
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

	while (!should_stop(c->sh)) {
		unsigned s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE), s2;
		uint64_t p = trunc_pick(c, &rs), off = p * PATTERN_UNIT, size, gen;
		bool bus;

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

int stress_truncate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	uint64_t seed = resolve_seed(o), rs, g = 1, checks = 0, sigbus = 0, cycles = 0, final = 0;
	struct trunc_ctx c = { .o = o, .seed = seed };
	unsigned nreaders = default_workers(o), i;
	struct sigaction sa = { .sa_handler = on_sigbus }, old;
	struct trunc_reader *t;
	struct kmsg_watch k;
	bool planted = false;
	double t0, deadline;
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
	kmsg_start(&k);
	t = xcalloc(nreaders, sizeof(*t));
	for (i = 0; i < nreaders; i++) {
		t[i].c = &c;
		t[i].id = i;
		if (pthread_create(&t[i].th, NULL, trunc_reader_fn, &t[i])) {
			report_failure(c.sh, "pthread_create: %s", strerror(errno));
			nreaders = i;
			break;
		}
	}
	rs = rnd_seed(seed, 999);
	t0 = now_monotonic();
	deadline = t0 + o->time;
	while (!should_stop(c.sh) && now_monotonic() < deadline) {
		bool plant = o->plant_corruption && !planted && now_monotonic() - t0 > o->time / 4;

		if (planted) {
			/* Keep the planted page in place until a reader finds it. */
			dwell(0.01);
			continue;
		}

		ret = trunc_cycle(&c, &rs, &g, plant);
		if (ret) {
			report_failure(c.sh, "truncate/write: %s", strerror(-ret));
			break;
		}
		planted |= plant;
		cycles++;
	}
	__atomic_store_n(&c.sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < nreaders; i++) {
		pthread_join(t[i].th, NULL);
		checks += t[i].checks;
		sigbus += t[i].sigbus;
	}
	free(t);
	if (!c.sh->corrupt && !c.sh->failed && !fb_interrupted)
		trunc_final_check(&c, &final);
	sigaction(SIGBUS, &old, NULL);
	if (!o->quiet) {
		printf("  %" PRIu64 " shrink/extend/rewrite cycles; %" PRIu64
		       " accesses judged (%" PRIu64 " of them SIGBUS beyond EOF, as required); "
		       "final check: %" PRIu64 " pages\n",
		       cycles, checks, sigbus, final);
		kmsg_finish(&k, stdout);
	} else if (k.fd >= 0) {
		close(k.fd);
	}
out:
	ret = finish("truncate", c.sh, seed, o, checks > 0,
		     "no access happened while the file was stable");
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
};

#define MIG_PUNCH_SIZE (4 * MiB)

static void mig_count(struct mig_ctx *c, enum mig_role r, uint64_t pages)
{
	__atomic_fetch_add(&c->st[r].passes, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->st[r].pages, pages, __ATOMIC_RELAXED);
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
		for (off = 0; off < c->msize && !should_stop(c->sh); off += chunk)
			pattern_fill_range(c->mem + off, chunk, base + off, pass, c->seed);
		if (off < c->msize)
			break;
		for (off = 0; off < c->msize; off += chunk) {
			if (!pattern_check_range(c->mem + off, chunk, base + off, c->seed, pass,
						 pass, &m))
				mig_corrupt(c, &m,
					    "the memset child (offsets from 0x4000000000000)");
			__atomic_fetch_add(&c->st[MIG_MEMSET].pages, chunk / PATTERN_UNIT,
					   __ATOMIC_RELAXED);
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
};

static pid_t mig_spawn(struct mig_ctx *c, pid_t *pgid, enum mig_role role, unsigned id)
{
	static void (*const fn[MIG_NROLES])(struct mig_ctx *, unsigned) = {
		mig_faulter, mig_puncher, mig_exec, mig_memset, mig_compact, mig_move,
	};
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
		fn[role](c, id);
		_exit(FB_OK);
	}
	/* Both sides set the group, so it is set whichever runs first. */
	setpgid(pid, *pgid ? *pgid : pid);
	if (!*pgid)
		*pgid = pid;
	return pid;
}

/* Reap a child; what its exit says about the run goes into the shared report. */
static void mig_reaped(struct mig_ctx *c, struct mig_child *ch, int st, bool killed_by_us)
{
	ch->reaped = true;
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
	for (i = 0; i < nch; i++)
		if (!ch[i].reaped && waitpid(ch[i].pid, &st, 0) == ch[i].pid)
			mig_reaped(c, &ch[i], st, true);
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

int stress_migrate(const struct stress_opts *o)
{
	const char *dir = o->dir ? o->dir : ".";
	struct mig_ctx c = { .o = o, .dir = dir, .ffd = -1 };
	unsigned ncpu = online_cpus(), nrole[MIG_NROLES] = { 0 }, nch = 0, r, i;
	struct mig_child ch[512];
	char compact_why[160] = "";
	struct kmsg_watch k;
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
	nrole[MIG_FAULT] = o->workers > 0 ? (unsigned)o->workers : ncpu;
	if (nrole[MIG_FAULT] > 256)
		nrole[MIG_FAULT] = 256;
	nrole[MIG_PUNCH] = nrole[MIG_FAULT] / 2 ? nrole[MIG_FAULT] / 2 : 1;
	nrole[MIG_EXEC] = 1;
	nrole[MIG_MEMSET] = 1;
	ret = compact_once();
	if (ret)
		snprintf(compact_why, sizeof(compact_why), "/proc/sys/vm/compact_memory: %s",
			 strerror(-ret));
	nrole[MIG_COMPACT] = !ret;
	find_nodes(&c);
	nrole[MIG_MOVE] = c.nnodes >= 2;
	find_exec_helper(c.helper, sizeof(c.helper));

	c.sh = shared_alloc(extra);
	c.st = (struct mig_stats *)(c.sh + 1);
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
	kmsg_start(&k);
	for (r = 0; r < MIG_NROLES && !c.sh->failed; r++) {
		for (i = 0; i < nrole[r] && nch < ARRAY_SIZE(ch); i++) {
			pid_t pid = mig_spawn(&c, &pgid, r, i);

			if (pid < 0) {
				report_failure(c.sh, "fork: %s", strerror(-pid));
				break;
			}
			ch[nch++] = (struct mig_child){ .pid = pid, .role = r, .id = i };
			if (r == MIG_MEMSET)
				c.memset_pid = pid; /* before the move_pages child forks */
		}
	}
	if (nch)
		mig_wait(&c, ch, nch, pgid, now_monotonic() + o->time);
	if (!o->quiet) {
		mig_print(&c, nrole, compact_why);
		kmsg_finish(&k, stdout);
	} else if (k.fd >= 0) {
		close(k.fd);
	}
out:
	ret = finish("migrate", c.sh, c.seed, o, c.st[MIG_FAULT].passes > 0,
		     "no faulter finished a pass");
	if (c.anon && c.anon != MAP_FAILED)
		munmap(c.anon, nrole[MIG_FAULT] * c.anon_per);
	if (c.mem && c.mem != MAP_FAILED)
		munmap(c.mem, c.msize);
	if (c.ffd >= 0)
		close(c.ffd);
	shared_free(c.sh, extra);
	return ret;
}
