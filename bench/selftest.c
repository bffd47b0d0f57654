// SPDX-License-Identifier: GPL-2.0
/*
 * The bare loop of "faultbench selftest" and the rules that judge a point
 * (bench/selftest.h).  The loop is deliberately naive, as will-it-scale's
 * tests are: mmap(NULL), one byte per page, munmap, no advice, no counter
 * page, no chunking; what it takes per page is what the kernel takes.
 *
 * Measurement notes:
 *  - each thread times its own window at pass boundaries (whole passes
 *    only), so the rate needs no clock read in the touching loop;
 *  - faults are the thread's own getrusage(RUSAGE_THREAD) over the window:
 *    the kernel's count, like the harness's /proc counts;
 *  - files are unnamed (O_TMPFILE, lib/fsfile), sparse (only sized) as
 *    the presets' and will-it-scale's, each thread its own unless the
 *    preset shares one (nopage).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "fsfile.h"
#include "selftest.h"
#include "util.h"

#define MiB (1024UL * 1024)

/* Must match bench/registry.c: tests/unit/test_selftest.c checks each against it. */
const struct selftest_preset selftest_presets[] = {
	{ .name = "nopage",
	  .file = true,
	  .shared = true,
	  .write = false,
	  .same = true,
	  .size = 64 * MiB },
	{ .name = "pf1", .file = false, .shared = false, .write = true, .size = 128 * MiB },
	{ .name = "pf2", .file = true, .shared = false, .write = true, .size = 128 * MiB },
	{ .name = "pf3", .file = true, .shared = true, .write = true, .size = 128 * MiB },
	{ .name = "pf4", .file = true, .shared = false, .write = false, .size = 128 * MiB },
	{ .name = NULL }
};

const struct selftest_preset *selftest_preset(const char *name)
{
	for (const struct selftest_preset *p = selftest_presets; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}

struct bare_thread {
	pthread_t thread;
	const struct selftest_preset *p;
	size_t size;
	unsigned cpu;
	int fd; /* -1: anonymous */
	bool own_fd;
	double warmup, secs;
	int *go; /* 0: wait, 1: start, -1: give up */
	uint64_t pages, faults, cpu_ns;
	double window;
	pid_t tid; /* set before ready: the runner's counters attach to it */
	int ready; /* 1 when set up (pinned, file made) */
	int err;
	const char *what;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t thread_faults(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)(ru.ru_minflt + ru.ru_majflt);
}

/* One load per page through a mapping of the whole file. */
static int read_once(int fd, size_t size)
{
	size_t pg = (size_t)page_size();
	volatile const char *c = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);

	if (c == MAP_FAILED)
		return -errno;
	for (size_t i = 0; i < size; i += pg)
		(void)c[i];
	munmap((void *)c, size);
	return 0;
}

/* mmap, one byte per page, munmap: the whole pattern. */
static int one_pass(struct bare_thread *bt)
{
	int flags = (bt->p->shared ? MAP_SHARED : MAP_PRIVATE) | (bt->fd < 0 ? MAP_ANONYMOUS : 0);
	size_t pg = (size_t)page_size();
	char *c = mmap(NULL, bt->size, PROT_READ | PROT_WRITE, flags, bt->fd, 0);

	if (c == MAP_FAILED)
		return -errno;
	if (bt->p->write) {
		for (size_t i = 0; i < bt->size; i += pg)
			((volatile char *)c)[i] = 0;
	} else {
		for (size_t i = 0; i < bt->size; i += pg)
			(void)((volatile char *)c)[i];
	}
	munmap(c, bt->size);
	return 0;
}

static int thread_setup(struct bare_thread *bt, const char *dir)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(bt->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		bt->what = "pin";
		return -errno;
	}
	if (!bt->p->file || bt->fd >= 0)
		return 0;
	bt->fd = fsfile_open_unnamed(dir);
	bt->own_fd = true;
	if (bt->fd < 0) {
		bt->what = "create a file";
		return bt->fd;
	}
	if (ftruncate(bt->fd, (off_t)bt->size)) {
		bt->what = "size a file";
		return -errno;
	}
	return 0;
}

struct bare_arg {
	struct bare_thread *bt;
	const char *dir;
};

static void *bare_main(void *arg)
{
	struct bare_arg *a = arg;
	struct bare_thread *bt = a->bt;
	double t0, end;
	uint64_t f0, c0;

	bt->tid = (pid_t)syscall(SYS_gettid);
	bt->err = thread_setup(bt, a->dir);
	__atomic_store_n(&bt->ready, 1, __ATOMIC_RELEASE);
	/* start together: a spin on one flag, not a barrier a failed pthread_create would strand */
	while (!__atomic_load_n(bt->go, __ATOMIC_ACQUIRE))
		usleep(100);
	if (bt->err || __atomic_load_n(bt->go, __ATOMIC_ACQUIRE) < 0)
		return NULL;
	end = now() + bt->warmup;
	while (now() < end && !fb_interrupted)
		if ((bt->err = one_pass(bt)))
			goto failed;
	t0 = now();
	f0 = thread_faults();
	c0 = thread_cpu_ns();
	end = t0 + bt->secs;
	do {
		if ((bt->err = one_pass(bt)))
			goto failed;
		bt->pages += bt->size / (size_t)page_size();
	} while (now() < end && !fb_interrupted);
	bt->window = now() - t0;
	bt->faults = thread_faults() - f0;
	bt->cpu_ns = thread_cpu_ns() - c0;
	return NULL;
failed:
	bt->what = "mmap";
	return NULL;
}

/* Wait for the threads to be set up, then open the harness's counters on each. */
static void attach_counters(struct evidence *ev, struct bare_thread *bt, unsigned started)
{
	for (unsigned i = 0; i < started; i++) {
		while (!__atomic_load_n(&bt[i].ready, __ATOMIC_ACQUIRE))
			usleep(100);
		if (ev)
			evidence_attach(ev, i, bt[i].tid);
	}
}

int bare_loop_run(const struct bare_spec *s, struct bare_result *out, const char **what)
{
	const struct selftest_preset *p = s->p;
	struct bare_thread *bt = xcalloc(s->n, sizeof(*bt));
	struct bare_arg *args = xcalloc(s->n, sizeof(*args));
	struct evidence *ev = NULL;
	size_t size = s->size ? s->size : p->size;
	int shared_fd = -1, ret = 0, go = 0;
	unsigned started = 0;

	memset(out, 0, sizeof(*out));
	*what = "";
	if (s->counters >= 0 && evidence_create(&ev, s->counters, NULL, s->n)) {
		ret = -EINVAL;
		*what = "prepare the perf counters";
		goto out;
	}
	/*
	 * nopage: one sparse file every thread maps whole, made and read once
	 * here as the harness's setup does (the readahead of one reader picks
	 * its folios, not a race of the threads' first faults).
	 */
	if (p->file && p->same) {
		shared_fd = fsfile_open_unnamed(s->dir);
		if (shared_fd < 0 || ftruncate(shared_fd, (off_t)size)) {
			ret = shared_fd < 0 ? shared_fd : -errno;
			*what = "create the shared file";
			goto out;
		}
		ret = read_once(shared_fd, size);
		if (ret) {
			*what = "read the shared file";
			goto out;
		}
	}
	for (unsigned i = 0; i < s->n; i++) {
		bt[i] = (struct bare_thread){ .p = p,
					      .size = size,
					      .cpu = s->cpus[i],
					      .fd = shared_fd,
					      .warmup = s->warmup,
					      .secs = s->secs,
					      .go = &go };
		args[i] = (struct bare_arg){ &bt[i], s->dir };
		if (pthread_create(&bt[i].thread, NULL, bare_main, &args[i])) {
			ret = -EAGAIN;
			*what = "create a thread";
			break;
		}
		started++;
	}
	attach_counters(ev, bt, started);
	__atomic_store_n(&go, ret ? -1 : 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(bt[i].thread, NULL);
		if (bt[i].err && !ret) {
			ret = bt[i].err;
			*what = bt[i].what;
		}
		if (bt[i].own_fd && bt[i].fd >= 0)
			close(bt[i].fd);
		out->pages += bt[i].pages;
		out->faults += bt[i].faults;
		out->cpu_ns += bt[i].cpu_ns;
		if (bt[i].window > 0)
			out->pages_per_s += (double)bt[i].pages / bt[i].window;
	}
out:
	evidence_destroy(ev);
	if (shared_fd >= 0)
		close(shared_fd);
	free(bt);
	free(args);
	return ret;
}

/* What a forked round sends back: the figures, the error and the step that failed. */
struct fork_reply {
	struct bare_result r;
	int ret;
	char what[64];
};

int bare_loop_fork(const struct bare_spec *s, struct bare_result *out, const char **what)
{
	static char failed_step[64];
	struct fork_reply rep = { .ret = -EIO };
	int fds[2], status;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	*what = "fork";
	if (pipe2(fds, O_CLOEXEC))
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (!pid) {
		const char *w = "";

		close(fds[0]);
		rep.ret = bare_loop_run(s, &rep.r, &w);
		snprintf(rep.what, sizeof(rep.what), "%s", w);
		_exit(write(fds[1], &rep, sizeof(rep)) == sizeof(rep) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &rep, sizeof(rep)) != sizeof(rep))
		rep.ret = -EIO;
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = rep.r;
	snprintf(failed_step, sizeof(failed_step), "%s",
		 rep.ret == -EIO ? "hear from the child" : rep.what);
	*what = failed_step;
	return rep.ret;
}

/*
 * The bare loop against itself: when its own rounds differ by more than the
 * harness's distance from it, the rounds cannot tell the harness's doing
 * from the machine's (or the pattern's) variation: unsteady, not failed.
 */
static enum selftest_verdict within_spread(double dist, double bound, double spread, char *why,
					   size_t len)
{
	size_t used = strlen(why);

	if (!isfinite(dist) || !(spread > bound) || dist > spread)
		return SELFTEST_FAIL;
	snprintf(why + used, len - used,
		 ", within the bare loop's own spread of %.1f%% between rounds", 100 * spread);
	return SELFTEST_UNSTEADY;
}

enum selftest_verdict selftest_judge(const struct selftest_point *pt, double ratio_bound,
				     double count_bound, char *why, size_t len)
{
	double diff = fabs(pt->harness_ppf - pt->bare_ppf) / fmax(pt->bare_ppf, 1e-9);

	why[0] = '\0';
	if (!isfinite(diff) || diff > count_bound) {
		snprintf(why, len,
			 "pages/fault %.3f (faultbench) vs %.3f (bare loop), %.1f%% apart",
			 pt->harness_ppf, pt->bare_ppf, 100 * diff);
		return within_spread(diff, count_bound, pt->bare_ppf_spread, why, len);
	}
	if (!isfinite(pt->ratio) || fabs(pt->ratio - 1) > ratio_bound) {
		snprintf(why, len, "pages/s ratio %.3f outside %.2f-%.2f", pt->ratio,
			 1 - ratio_bound, 1 + ratio_bound);
		return within_spread(fabs(pt->ratio - 1), ratio_bound, pt->bare_spread, why, len);
	}
	return SELFTEST_OK;
}
