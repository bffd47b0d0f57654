/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The monitor of a stress run: one thread of the parent that, ten times a
 * second, drains the kernel log (kmsg.h) and checks that every worker (a
 * thread or a child process) still makes progress.  A worker whose progress
 * count has not moved for the timeout is hung: its kernel stack
 * (/proc/PID/task/TID/stack, as root) and the kernel's list of blocked tasks
 * (sysrq w, where /proc/sysrq-trigger exists and may be written) go into the
 * report, and the run is stopped.  A hang in the kernel is a verdict, like a
 * corrupt page: the anon_vma seed's failure was one.
 *
 * The worker table lives in a MAP_SHARED mapping so that child processes
 * update it as threads do.  Each worker writes only its own entry.
 */
#ifndef FB_WATCHDOG_H
#define FB_WATCHDOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <jansson.h>

#include "kmsg.h"

struct wd_worker {
	char name[64];	/* "reader 3", "faulter 0" */
	pid_t pid, tid; /* set by the worker when it starts; 0 before */
	uint64_t beat;	/* progress: bumped by the worker only */
	int done;	/* the worker has returned: no longer watched */
};

struct wd_stall {
	unsigned worker;
	double idle;   /* seconds without progress when reported */
	char why[128]; /* what was seen */
	char *state;   /* "S (sleeping)", "D (disk sleep)", from /proc/.../status */
	char *stack;   /* the kernel stack, or why it could not be read */
};

#define WD_MAX_STALLS 16

struct watchdog {
	double timeout;	     /* seconds without progress; 0: not watched */
	struct wd_worker *w; /* n entries, MAP_SHARED */
	unsigned n;
	struct kmsg_log *klog;
	int *stop; /* set on a hang or a kernel bug report: the run ends */
	/* Private to the monitor thread. */
	pthread_t th;
	bool running;
	int quit;
	uint64_t *last;
	double *last_change;
	/* The report; the lock also guards klog (monitor thread vs caller). */
	pthread_mutex_t lock;
	struct wd_stall stalls[WD_MAX_STALLS];
	unsigned nstalls;
	bool sysrq_done;
	char **blocked; /* sysrq w: the kernel log lines it produced */
	unsigned nblocked;
	char blocked_why[256]; /* why there are none */
};

void wd_init(struct watchdog *wd, unsigned nworkers, double timeout, struct kmsg_log *klog,
	     int *stop);
void wd_name(struct watchdog *wd, unsigned i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Called by the worker itself, in its thread or process. */
void wd_enter(struct wd_worker *w);
void wd_leave(struct wd_worker *w);
static inline void wd_beat(struct wd_worker *w)
{
	/* One writer: a relaxed store is enough, and costs a plain store. */
	__atomic_store_n(&w->beat, w->beat + 1, __ATOMIC_RELAXED);
}
/* For an entry that several processes share (the processes of one fork tree). */
static inline void wd_beat_shared(struct wd_worker *w)
{
	__atomic_fetch_add(&w->beat, 1, __ATOMIC_RELAXED);
}

/* The monitor thread: from wd_start until wd_stop, which drains the log once more. */
int wd_start(struct watchdog *wd);
void wd_stop(struct watchdog *wd);

/*
 * Join worker i's thread by deadline (CLOCK_MONOTONIC seconds); a thread
 * still running then is reported as hung and left alone.  False then.
 */
bool wd_join(struct watchdog *wd, unsigned i, pthread_t th, double deadline);
/* Report worker i as hung: its state and kernel stack, then the blocked tasks. */
void wd_report(struct watchdog *wd, unsigned i, double idle, const char *why);
/* The deadline for joining a worker after the run: short when it is known to be hung. */
double wd_join_deadline(const struct watchdog *wd, unsigned i, double now);
bool wd_reported(const struct watchdog *wd, unsigned i);

void wd_print(const struct watchdog *wd, FILE *f);
json_t *wd_to_json(const struct watchdog *wd);
void wd_free(struct watchdog *wd);

#endif
