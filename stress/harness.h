/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stress author's header: what every race reproducer (stress/<name>.c)
 * shares, implemented in harness.c (the run, its verdict, worker threads and
 * child processes) and files.c (test files and filesystem checks).
 *
 * A test's life, in this order:
 *
 *	stress_begin()          the kernel log counts from here; the watchdog table
 *	(setup: files, memory; stress_report_failure() when it cannot be done)
 *	stress_run_threads()    or stress_spawn_children() + stress_run_children():
 *	                        the workers run for --time, or until a corruption, a
 *	                        failure, a kernel bug report, a hang or a signal
 *	(the final check, if stress_may_final_check(); the summary lines)
 *	return stress_finish()  the verdict, exit status and --output result
 *
 * Every test is built so that a failure it reports is a real one: a page is
 * judged only against what the writers had *finished* (published) before the
 * read began and what they had *started* when it ended, never against a write
 * that may still be in flight.
 */
#ifndef FB_STRESS_HARNESS_H
#define FB_STRESS_HARNESS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "kmsg.h"
#include "pattern.h"
#include "stress.h"
#include "util.h"
#include "watchdog.h"

#define MiB ((uint64_t)1 << 20)

/* Shared between all threads or processes of a test (MAP_SHARED anonymous). */
struct stress_shared {
	int corrupt; /* first reporter wins (atomic) */
	int failed;  /* could not run: errmsg */
	struct pattern_mismatch m;
	char who[160];
	char errmsg[256];
	volatile int stop;
};

/* The shared block plus extra bytes of the test's own right after it (sh + 1). */
struct stress_shared *stress_shared_alloc(size_t extra);
void stress_shared_free(struct stress_shared *sh, size_t extra);

static inline bool stress_should_stop(const struct stress_shared *sh)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_RELAXED) || fb_interrupted;
}

/* A wrong page: the first report is kept (who saw it, how) and the run stops. */
void stress_report_corruption(struct stress_shared *sh, const struct pattern_mismatch *m,
			      const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The test cannot go on here (exit 125 unless something worse was found). */
void stress_report_failure(struct stress_shared *sh, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* xorshift64*: fast, and the same sequence for the same --seed. */
static inline uint64_t stress_rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* The state of random stream number stream of a run. */
static inline uint64_t stress_rnd_seed(uint64_t seed, uint64_t stream)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + stream * 0xbf58476d1ce4e5b9ULL + 1;

	return s ? s : 1;
}

/* --seed, or one from the clock when it is 0 (printed by the test, for repeating a run). */
uint64_t stress_seed(const struct stress_opts *o);
unsigned stress_online_cpus(void);
/* --workers, or 2 per CPU; at least 2, at most 256. */
unsigned stress_default_workers(const struct stress_opts *o);
/* Copy one unit from a live mapping with volatile loads (the compiler must fault each word). */
void stress_copy_unit(const void *src, uint64_t *dst);
void stress_dwell(double s);
/* Write value to a /proc or /sys file, as echo would (no newline needed); 0 or -errno. */
int stress_write_knob(const char *path, const char *value);
/* One write to /proc/sys/vm/compact_memory (compact every zone); 0 or -errno. */
int stress_compact_once(void);
/* The NUMA nodes with memory, up to max of them, into nodes; how many (0 without NUMA). */
int stress_find_nodes(int *nodes, int max);
/* A /proc/meminfo field ("MemTotal", "SwapFree") in bytes; 0 when it is not there. */
uint64_t stress_meminfo(const char *field);
/* MemAvailable from /proc/meminfo in bytes; 0 when unknown. */
uint64_t stress_mem_available(void);

/* --------------------------------------------------- files (files.c) */

/* Unnamed files, filesystem checks and the exec helper are lib/fsfile.h's. */
/* FB_OK, or FB_USAGE when a file of size bytes cannot be kept in memory here. */
int stress_check_size(const char *test, unsigned long long size);
/* A second descriptor of the same file, opened with O_DIRECT; -errno on failure. */
int stress_reopen_direct(int fd);
int stress_pwrite_all(int fd, const void *buf, size_t len, off_t off);
int stress_pread_all(int fd, void *buf, size_t len, off_t off);
/* Write the pattern of gen over [off, off + len) with aligned chunks; 0 or -errno. */
int stress_write_pattern(int fd, uint64_t off, uint64_t len, uint64_t gen, uint64_t seed);

/* ------------------------------------------ the run and its verdict */

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
	double t_start;	   /* when the workers were started */
	json_t *details;   /* the test's own facts for the result ("details"), or NULL */
	bool left_running; /* a worker could not be joined: see stress_finish() */
	char start_time[32];
};

/* At the start, before any setup: the kernel log counts from here on. */
void stress_begin(struct stress_run *run, const char *test, const struct stress_opts *o,
		  struct stress_shared *sh, uint64_t seed, unsigned nworkers);
static inline struct wd_worker *stress_worker(struct stress_run *run, unsigned slot)
{
	return &run->wd.w[slot];
}

/*
 * Test hook (FB_STRESS_TEST_STALL=1, for tests only): the worker in slot 0
 * stops making progress for good, as a worker stuck in the kernel would, so
 * that the tests can prove the watchdog catches it.
 */
void stress_stall_hook(unsigned slot);
/* Add key: value (its reference is taken over) to the result's "details" object. */
void stress_add_detail(struct stress_run *run, const char *key, json_t *value);
/* --plant-corruption, and a quarter of --time has passed since the workers started. */
bool stress_plant_due(const struct stress_run *run);
/* Whether the end-of-run check may look at the data: not after a hang or a stop for a reason. */
bool stress_may_final_check(const struct stress_run *run);
/* "2048 pages", or "skipped" when the run was stopped (final is then 0). */
const char *stress_final_text(uint64_t final, char *buf, size_t len);

/*
 * The end of every test: drain the log, judge (corruption, kernel bug, hang:
 * exit 1; otherwise 0, or 125 when the test failed to run or decided is false,
 * with undecided_why; 128 + N after signal N), print the verdict, write the
 * --output result.  Frees the run's log and watchdog, except after a worker
 * that could not be joined: then it _exit()s at once.
 */
int stress_finish(struct stress_run *run, bool decided, const char *undecided_why);

/* ---------------------------------------------------- worker threads */

/* A worker thread of a test: slot i of the watchdog is thread i. */
struct stress_thread {
	void *(*fn)(void *);
	void *arg;
	pthread_t th;
	bool started;
};

/*
 * Watch, start the threads (run->t_start), wait for --time or a stop, stop
 * them and join each by a deadline: one that does not end is reported as hung
 * and left running.
 */
void stress_run_threads(struct stress_run *run, struct stress_thread *t, unsigned n);

/* ---------------------------------------------------- child processes */

/* A child process of a test, in watchdog slot slot (whose name names it in reports). */
struct stress_child {
	pid_t pid;
	unsigned slot;
	bool reaped;
	/*
	 * A load, not a checker (migrate's kernbench): stopped with SIGTERM so it
	 * can clean up before the group's SIGKILL; its exit status is not judged.
	 */
	bool term_first;
	int status;	   /* its wait status, once reaped */
	bool killed_by_us; /* reaped after the run told it to stop */
};

/* Children that do not die this long after SIGKILL are stuck in the kernel. */
#define STRESS_REAP_GRACE 10.0
/* How long a term_first child may take to clean up after SIGTERM (a build to stop). */
#define STRESS_TERM_GRACE 30.0

/*
 * A stress child in process group *pgid (the first child founds it): it dies
 * with this process, takes the default SIGINT/SIGTERM and is in the
 * watchdog's hands from its first instruction.  0 in the child, which runs
 * its body and _exit()s; the pid in the parent; -errno.
 */
pid_t stress_fork(pid_t *pgid, struct wd_worker *me, unsigned slot);

/*
 * Fork children 0..n-1 (named by the caller with wd_name() first), child i
 * in slot i running body(arg, i, its watchdog entry), which must not return.
 * Returns how many were forked (a fork failure is reported and ends the
 * loop); slots never forked are not watched.
 */
unsigned stress_spawn_children(struct stress_run *run, struct stress_child *ch, unsigned n,
			       pid_t *pgid,
			       void (*body)(void *arg, unsigned slot, struct wd_worker *me),
			       void *arg);

/*
 * Watch the children until --time or a stop, calling tick(run, arg) (may be
 * NULL) every 20 ms; then SIGTERM to the term_first children, reaped by
 * STRESS_TERM_GRACE, then SIGKILL to the group and every child reaped by
 * STRESS_REAP_GRACE: one that does not die is reported as hung.  A child that
 * was killed by a signal or exited other than 0 (nothing found) or 1
 * (corruption, already reported) makes the run undecided.
 */
void stress_run_children(struct stress_run *run, struct stress_child *ch, unsigned n, pid_t pgid,
			 void (*tick)(struct stress_run *run, void *arg), void *arg);

#endif
