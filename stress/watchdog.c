// SPDX-License-Identifier: GPL-2.0
/*
 * The monitor of a stress run (see watchdog.h): kernel-log draining, progress
 * watching, and the report of a hung worker.
 *
 * Nothing here may itself hang on a hung worker: the monitor only reads
 * counters and /proc files, and workers are joined with a deadline.  A thread
 * that does not end by then is left running (it may be stuck in the kernel,
 * uninterruptibly); the caller must then not free what it uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "watchdog.h"

/* How often the monitor looks: a tenth of a second costs nothing measurable. */
#define WD_PERIOD 0.1
/* Joining a worker after the run: how long before it counts as hung. */
#define WD_JOIN_GRACE 30.0
/* ... and for a worker already reported as hung (its report is made). */
#define WD_JOIN_HUNG 1.0

void wd_init(struct watchdog *wd, unsigned nworkers, double timeout, struct kmsg_log *klog,
	     int *stop)
{
	memset(wd, 0, sizeof(*wd));
	wd->timeout = timeout;
	wd->n = nworkers;
	wd->klog = klog;
	wd->stop = stop;
	wd->w = mmap(NULL, (nworkers ? nworkers : 1) * sizeof(*wd->w), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (wd->w == MAP_FAILED) {
		fputs("faultbench: out of memory\n", stderr);
		abort();
	}
	wd->last = xcalloc(nworkers + 1, sizeof(*wd->last));
	wd->last_change = xcalloc(nworkers + 1, sizeof(*wd->last_change));
	pthread_mutex_init(&wd->lock, NULL);
}

void wd_name(struct watchdog *wd, unsigned i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(wd->w[i].name, sizeof(wd->w[i].name), fmt, ap);
	va_end(ap);
}

void wd_enter(struct wd_worker *w)
{
	__atomic_store_n(&w->pid, getpid(), __ATOMIC_RELAXED);
	__atomic_store_n(&w->tid, gettid(), __ATOMIC_RELEASE);
}

void wd_leave(struct wd_worker *w)
{
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
}

/* One line of /proc/PID/task/TID/status: the scheduler state ("D (disk sleep)"). */
static char *task_state(pid_t pid, pid_t tid)
{
	char *path = xasprintf("/proc/%d/task/%d/status", (int)pid, (int)tid);
	char *s = read_text_file(path), *p, *state = NULL;

	free(path);
	p = s ? strstr(s, "\nState:") : NULL;
	if (p) {
		p += strlen("\nState:");
		p += strspn(p, " \t");
		state = xasprintf("%.*s", (int)strcspn(p, "\n"), p);
	}
	free(s);
	return state ? state : xstrdup("unknown");
}

/* The kernel stack of a task, or why it could not be read (it needs root). */
static char *task_stack(pid_t pid, pid_t tid)
{
	char *path = xasprintf("/proc/%d/task/%d/stack", (int)pid, (int)tid);
	char *s = read_text_file(path);

	if (!s || !*s) {
		free(s);
		s = xasprintf("%s: %s", path, errno ? strerror(errno) : "empty");
	}
	free(path);
	return s;
}

/*
 * sysrq w: the kernel lists its tasks in uninterruptible sleep into the log,
 * synchronously in this write, so one drain afterwards collects the list.
 * Called with the lock held, once per run.
 */
static void blocked_tasks(struct watchdog *wd)
{
	struct kmsg_log *k = wd->klog;
	int fd;

	if (wd->sysrq_done)
		return;
	wd->sysrq_done = true;
	if (k->source == KMSG_NONE) {
		snprintf(wd->blocked_why, sizeof(wd->blocked_why),
			 "not asked for: the kernel log is not readable");
		return;
	}
	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(wd->blocked_why, sizeof(wd->blocked_why), "/proc/sysrq-trigger: %s",
			 strerror(errno));
		return;
	}
	kmsg_poll(k); /* what came before is not part of the list */
	k->capturing = true;
	if (write(fd, "w", 1) != 1)
		snprintf(wd->blocked_why, sizeof(wd->blocked_why),
			 "writing /proc/sysrq-trigger: %s", strerror(errno));
	close(fd);
	kmsg_poll(k);
	k->capturing = false;
	wd->blocked = k->capture;
	wd->nblocked = k->ncapture;
	k->capture = NULL;
	k->ncapture = 0;
	if (!wd->nblocked && !wd->blocked_why[0])
		snprintf(wd->blocked_why, sizeof(wd->blocked_why),
			 "sysrq w logged nothing (sysrq may be compiled out)");
}

bool wd_reported(const struct watchdog *wd, unsigned i)
{
	unsigned s;

	for (s = 0; s < wd->nstalls; s++)
		if (wd->stalls[s].worker == i)
			return true;
	return false;
}

void wd_report(struct watchdog *wd, unsigned i, double idle, const char *why)
{
	pid_t pid = __atomic_load_n(&wd->w[i].pid, __ATOMIC_RELAXED);
	pid_t tid = __atomic_load_n(&wd->w[i].tid, __ATOMIC_ACQUIRE);
	struct wd_stall *s;

	pthread_mutex_lock(&wd->lock);
	if (!wd_reported(wd, i) && wd->nstalls < WD_MAX_STALLS) {
		s = &wd->stalls[wd->nstalls++];
		s->worker = i;
		s->idle = idle;
		snprintf(s->why, sizeof(s->why), "%s", why);
		s->state = tid ? task_state(pid, tid) : xstrdup("not started");
		s->stack = tid ? task_stack(pid, tid) : xstrdup("(the worker never started)");
	}
	blocked_tasks(wd);
	pthread_mutex_unlock(&wd->lock);
	__atomic_store_n(wd->stop, 1, __ATOMIC_RELEASE);
}

/* Every worker whose count has not moved for the timeout is reported. */
static void check_progress(struct watchdog *wd, double now)
{
	char why[128];
	unsigned i;

	for (i = 0; i < wd->n; i++) {
		uint64_t b = __atomic_load_n(&wd->w[i].beat, __ATOMIC_RELAXED);

		if (__atomic_load_n(&wd->w[i].done, __ATOMIC_ACQUIRE) || wd_reported(wd, i))
			continue;
		if (b != wd->last[i]) {
			wd->last[i] = b;
			wd->last_change[i] = now;
			continue;
		}
		if (now - wd->last_change[i] < wd->timeout)
			continue;
		snprintf(why, sizeof(why), "no progress for %.1f s (--watchdog %g)",
			 now - wd->last_change[i], wd->timeout);
		wd_report(wd, i, now - wd->last_change[i], why);
	}
}

static void *monitor(void *arg)
{
	struct watchdog *wd = arg;

	while (!__atomic_load_n(&wd->quit, __ATOMIC_ACQUIRE)) {
		double now = now_monotonic();

		pthread_mutex_lock(&wd->lock);
		if (kmsg_poll(wd->klog))
			__atomic_store_n(wd->stop, 1, __ATOMIC_RELEASE);
		pthread_mutex_unlock(&wd->lock);
		if (wd->timeout > 0)
			check_progress(wd, now);
		sleep_until(now + WD_PERIOD);
	}
	return NULL;
}

int wd_start(struct watchdog *wd)
{
	double now = now_monotonic();
	unsigned i;
	int err;

	/* A worker that never makes its first step is hung from the start. */
	for (i = 0; i < wd->n; i++)
		wd->last_change[i] = now;
	err = pthread_create(&wd->th, NULL, monitor, wd);
	if (err)
		return -err;
	wd->running = true;
	return 0;
}

void wd_stop(struct watchdog *wd)
{
	if (wd->running) {
		__atomic_store_n(&wd->quit, 1, __ATOMIC_RELEASE);
		pthread_join(wd->th, NULL); /* it never blocks for long: see the top */
		wd->running = false;
	}
	pthread_mutex_lock(&wd->lock);
	if (kmsg_poll(wd->klog))
		__atomic_store_n(wd->stop, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&wd->lock);
}

double wd_join_deadline(const struct watchdog *wd, unsigned i, double now)
{
	double grace = wd->timeout > WD_JOIN_GRACE ? wd->timeout : WD_JOIN_GRACE;

	return now + (wd_reported(wd, i) ? WD_JOIN_HUNG : grace);
}

bool wd_join(struct watchdog *wd, unsigned i, pthread_t th, double deadline)
{
	double left = deadline - now_monotonic();
	struct timespec ts;
	char why[128];

	/* pthread_timedjoin_np() takes CLOCK_REALTIME. */
	clock_gettime(CLOCK_REALTIME, &ts);
	if (left > 0) {
		ts.tv_sec += (time_t)left;
		ts.tv_nsec += (long)((left - (double)(time_t)left) * 1e9);
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
	}
	if (pthread_timedjoin_np(th, NULL, &ts) == 0)
		return true;
	snprintf(why, sizeof(why), "still running when the run ended, and not ended %.0f s later",
		 left > 0 ? left : 0);
	wd_report(wd, i, 0, why);
	return false;
}

static void print_lines(FILE *f, const char *indent, const char *text)
{
	const char *p = text;

	while (*p) {
		size_t n = strcspn(p, "\n");

		fprintf(f, "%s%.*s\n", indent, (int)n, p);
		p += n + (p[n] == '\n');
	}
}

void wd_print(const struct watchdog *wd, FILE *f)
{
	unsigned i;

	for (i = 0; i < wd->nstalls; i++) {
		const struct wd_stall *s = &wd->stalls[i];
		const struct wd_worker *w = &wd->w[s->worker];

		fprintf(f, "  HUNG: %s (pid %d, tid %d): %s; state %s; kernel stack:\n", w->name,
			(int)w->pid, (int)w->tid, s->why, s->state);
		print_lines(f, "      ", s->stack);
	}
	if (!wd->nstalls)
		return;
	if (wd->nblocked)
		fprintf(f, "  blocked tasks (sysrq w):\n");
	else
		fprintf(f, "  blocked tasks: %s\n", wd->blocked_why);
	for (i = 0; i < wd->nblocked; i++)
		fprintf(f, "      %s\n", wd->blocked[i]);
}

json_t *wd_to_json(const struct watchdog *wd)
{
	json_t *o = json_object(), *stalls = json_array(), *blocked = json_array();
	unsigned i;

	json_object_set_new(o, "timeout", json_real(wd->timeout));
	for (i = 0; i < wd->nstalls; i++) {
		const struct wd_stall *s = &wd->stalls[i];
		json_t *j = json_object();

		json_object_set_new(j, "worker", json_string(wd->w[s->worker].name));
		json_object_set_new(j, "pid", json_integer(wd->w[s->worker].pid));
		json_object_set_new(j, "tid", json_integer(wd->w[s->worker].tid));
		json_object_set_new(j, "why", json_string(s->why));
		json_object_set_new(j, "seconds_without_progress", json_real(s->idle));
		json_object_set_new(j, "state", json_string(s->state));
		json_object_set_new(j, "kernel_stack", json_string(s->stack));
		json_array_append_new(stalls, j);
	}
	json_object_set_new(o, "hung", stalls);
	if (wd->nstalls) {
		for (i = 0; i < wd->nblocked; i++)
			json_array_append_new(blocked, json_string(wd->blocked[i]));
		json_object_set_new(o, "blocked_tasks", blocked);
		if (wd->blocked_why[0])
			json_object_set_new(o, "blocked_tasks_why", json_string(wd->blocked_why));
	} else {
		json_decref(blocked);
	}
	return o;
}

void wd_free(struct watchdog *wd)
{
	unsigned i;

	for (i = 0; i < wd->nstalls; i++) {
		free(wd->stalls[i].state);
		free(wd->stalls[i].stack);
	}
	for (i = 0; i < wd->nblocked; i++)
		free(wd->blocked[i]);
	free(wd->blocked);
	free(wd->last);
	free(wd->last_change);
	munmap(wd->w, (wd->n ? wd->n : 1) * sizeof(*wd->w));
	pthread_mutex_destroy(&wd->lock);
}
