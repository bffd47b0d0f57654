// SPDX-License-Identifier: GPL-2.0
/*
 * The common harness of the race reproducers (see harness.h): the block the
 * workers share and the reports they make, the run (kernel log and watchdog)
 * and its verdict, and the two ways a test runs its workers: threads of this
 * process, or child processes in a process group of their own.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <numa.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "jsonfile.h"

/* ---------------------------------------------------------------- common */

struct stress_shared *stress_shared_alloc(size_t extra)
{
	void *p = mmap(NULL, sizeof(struct stress_shared) + extra, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fputs("faultbench: out of memory\n", stderr);
		abort();
	}
	return p;
}

void stress_shared_free(struct stress_shared *sh, size_t extra)
{
	munmap(sh, sizeof(*sh) + extra);
}

void stress_report_corruption(struct stress_shared *sh, const struct pattern_mismatch *m,
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

void stress_report_failure(struct stress_shared *sh, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_exchange_n(&sh->failed, 1, __ATOMIC_ACQ_REL) == 0) {
		va_start(ap, fmt);
		vsnprintf(sh->errmsg, sizeof(sh->errmsg), fmt, ap);
		va_end(ap);
	}
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
}

uint64_t stress_seed(const struct stress_opts *o)
{
	struct timespec ts;

	if (o->seed)
		return (uint64_t)o->seed;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)getpid()) %
		   1000000000ULL +
	       1;
}

unsigned stress_online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

/* Copy one unit from a live mapping with volatile loads (the compiler must fault each word). */
void stress_copy_unit(const void *src, uint64_t *dst)
{
	const volatile uint64_t *s = src;
	size_t i;

	for (i = 0; i < PATTERN_WORDS; i++)
		dst[i] = s[i];
}

unsigned stress_default_workers(const struct stress_opts *o)
{
	unsigned n = o->workers > 0 ? (unsigned)o->workers : 2 * stress_online_cpus();

	if (n < 2)
		n = 2;
	return n > 256 ? 256 : n;
}

void stress_dwell(double s)
{
	sleep_until(now_monotonic() + s);
}

int stress_write_knob(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;
	size_t len = strlen(value);

	if (fd < 0)
		return -errno;
	if (write(fd, value, len) != (ssize_t)len)
		ret = -errno;
	close(fd);
	return ret;
}

int stress_compact_once(void)
{
	return stress_write_knob("/proc/sys/vm/compact_memory", "1");
}

int stress_find_nodes(int *nodes, int max)
{
	int n, found = 0;

	if (numa_available() < 0)
		return 0;
	for (n = 0; n <= numa_max_node() && found < max; n++)
		if (numa_bitmask_isbitset(numa_all_nodes_ptr, n))
			nodes[found++] = n;
	return found;
}

uint64_t stress_meminfo(const char *field)
{
	char *text = read_text_file("/proc/meminfo"), *p;
	unsigned long long kb = 0;
	size_t len = strlen(field);

	for (p = text; p && (p = strstr(p, field)); p += len)
		if ((p == text || p[-1] == '\n') && p[len] == ':') {
			sscanf(p + len + 1, "%llu", &kb);
			break;
		}
	free(text);
	return kb * 1024;
}

uint64_t stress_mem_available(void)
{
	return stress_meminfo("MemAvailable");
}

/* ------------------------------------------------ the run and its verdict */

/* At the start, before any setup: the kernel log counts from here on. */
void stress_begin(struct stress_run *run, const char *test, const struct stress_opts *o,
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
static void stress_watch(struct stress_run *run)
{
	int ret = wd_start(&run->wd);

	if (ret)
		stress_report_failure(run->sh, "starting the monitor thread: %s", strerror(-ret));
}

/*
 * Test hook (FB_STRESS_TEST_STALL=1, for tests only): the first worker stops
 * making progress for good, as a worker stuck in the kernel would, so that
 * the tests can prove the watchdog catches it.
 */
void stress_stall_hook(unsigned slot)
{
	const char *env = getenv("FB_STRESS_TEST_STALL");

	if (slot != 0 || !env || strcmp(env, "1"))
		return;
	for (;;)
		sleep(3600);
}

void stress_add_detail(struct stress_run *run, const char *key, json_t *value)
{
	if (!run->details)
		run->details = json_object();
	json_object_set_new(run->details, key, value);
}

bool stress_plant_due(const struct stress_run *run)
{
	return run->o->plant_corruption && now_monotonic() - run->t_start > run->o->time / 4;
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
	json_object_set_new(opts, "scale",
			    json_string(o->scale == STRESS_SCALE_SEED ? "seed" : "bounded"));
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
	if (run->details)
		json_object_set(doc, "details", run->details);
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
int stress_finish(struct stress_run *run, bool decided, const char *undecided_why)
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
	json_decref(run->details);
	return status;
}

/* Whether the end-of-run check may look at the data: not after a hang or a stop for a reason. */
bool stress_may_final_check(const struct stress_run *run)
{
	return !run->sh->corrupt && !run->sh->failed && !fb_interrupted && !run->wd.nstalls &&
	       !run->klog.nmatch;
}

/* "2048 pages", or "skipped" when the run stopped for a reason (final is then 0). */
const char *stress_final_text(uint64_t final, char *buf, size_t len)
{
	if (final)
		snprintf(buf, len, "%" PRIu64 " pages", final);
	else
		snprintf(buf, len, "skipped (the run was stopped)");
	return buf;
}

/* ---------------------------------------------------------- worker threads */

/*
 * Join every thread, each by a deadline: a thread that does not end is
 * reported as hung and left running (stress_finish() then leaves at once).
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

void stress_run_threads(struct stress_run *run, struct stress_thread *t, unsigned n)
{
	struct stress_shared *sh = run->sh;
	double deadline;
	unsigned i;
	int err;

	stress_watch(run);
	run->t_start = now_monotonic();
	deadline = run->t_start + run->o->time;
	for (i = 0; i < n; i++) {
		err = pthread_create(&t[i].th, NULL, t[i].fn, t[i].arg);
		if (err) {
			stress_report_failure(sh, "pthread_create: %s", strerror(err));
			break;
		}
		t[i].started = true;
	}
	for (; i < n; i++)
		wd_leave(stress_worker(run, i)); /* never started: not watched */
	while (!stress_should_stop(sh) && now_monotonic() < deadline)
		sleep_until(now_monotonic() + 0.02 < deadline ? now_monotonic() + 0.02 : deadline);
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	join_threads(run, t, n);
}

/* ---------------------------------------------------------- child processes */

/*
 * A stress child in process group *pgid (the first child founds it): it dies
 * with this process, takes the default SIGINT/SIGTERM and is in the
 * watchdog's hands from its first instruction.  0 in the child, which runs
 * its body and _exit()s; the pid in the parent; -errno.
 */
pid_t stress_fork(pid_t *pgid, struct wd_worker *me, unsigned slot)
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
		stress_stall_hook(slot);
		return 0;
	}
	/* Both sides set the group, so it is set whichever runs first. */
	setpgid(pid, *pgid ? *pgid : pid);
	if (!*pgid)
		*pgid = pid;
	return pid;
}

unsigned stress_spawn_children(struct stress_run *run, struct stress_child *ch, unsigned n,
			       pid_t *pgid,
			       void (*body)(void *arg, unsigned slot, struct wd_worker *me),
			       void *arg)
{
	unsigned i, nch = 0;

	for (i = 0; i < n && !run->sh->failed; i++) {
		struct wd_worker *w = stress_worker(run, i);
		pid_t pid = stress_fork(pgid, w, i);

		if (pid == 0) {
			body(arg, i, w);
			_exit(FB_OK); /* bodies _exit() themselves: never back into the parent's
					 code */
		}
		if (pid < 0) {
			stress_report_failure(run->sh, "fork: %s", strerror(-pid));
			break;
		}
		ch[nch++] = (struct stress_child){ .pid = pid, .slot = i };
	}
	for (i = nch; i < n; i++)
		wd_leave(stress_worker(run, i)); /* never forked: not watched */
	return nch;
}

/* A child of ours ended: what its exit says about the run goes into the shared report. */
static void child_ended(struct stress_run *run, struct stress_child *ch, int st, bool killed_by_us)
{
	struct stress_shared *sh = run->sh;
	const char *name = run->wd.w[ch->slot].name;

	ch->reaped = true;
	ch->status = st;
	ch->killed_by_us = killed_by_us;
	wd_leave(stress_worker(run, ch->slot));
	if (killed_by_us || sh->corrupt || ch->term_first)
		return;
	if (WIFSIGNALED(st))
		stress_report_failure(sh,
				      "%s was killed by signal %d (%s): not judged, but a crash "
				      "here may itself be a kernel bug",
				      name, WTERMSIG(st), strsignal(WTERMSIG(st)));
	else if (WEXITSTATUS(st) != FB_OK && WEXITSTATUS(st) != FB_FAIL && !sh->failed)
		stress_report_failure(sh, "%s exited with status %d", name, WEXITSTATUS(st));
}

/* Reap what has ended; the number reaped.  *gone: no child of the group is left. */
static unsigned reap_some(struct stress_run *run, struct stress_child *ch, unsigned n, pid_t pgid,
			  bool killed_by_us, bool *gone)
{
	unsigned i, got = 0;
	pid_t pid;
	int st;

	while ((pid = waitpid(-pgid, &st, WNOHANG)) > 0)
		for (i = 0; i < n; i++)
			if (ch[i].pid == pid && !ch[i].reaped) {
				child_ended(run, &ch[i], st, killed_by_us);
				got++;
			}
	*gone = pid < 0 && errno == ECHILD;
	return got;
}

/*
 * SIGTERM to the loads (term_first), each reaped by STRESS_TERM_GRACE; the
 * number reaped.  Sent again every second: a program may miss the first one
 * for a while (faultbench run kernbench, told during its setup, otherwise
 * notices only when the build it then starts has finished).
 */
static unsigned stop_loads(struct stress_run *run, struct stress_child *ch, unsigned n, pid_t pgid)
{
	double deadline = now_monotonic() + STRESS_TERM_GRACE, next = 0;
	unsigned i, got = 0, loads = 1;
	bool gone = false;

	while (loads && !gone && now_monotonic() < deadline) {
		for (i = 0, loads = 0; i < n; i++) {
			if (!ch[i].term_first || ch[i].reaped)
				continue;
			loads++;
			if (now_monotonic() >= next)
				kill(ch[i].pid, SIGTERM);
		}
		if (now_monotonic() >= next)
			next = now_monotonic() + 1.0;
		if (loads)
			stress_dwell(0.05);
		got += reap_some(run, ch, n, pgid, true, &gone);
	}
	return got;
}

void stress_run_children(struct stress_run *run, struct stress_child *ch, unsigned n, pid_t pgid,
			 void (*tick)(struct stress_run *run, void *arg), void *arg)
{
	double deadline;
	unsigned i, left = n;
	bool gone = false;
	char why[96];

	stress_watch(run);
	run->t_start = now_monotonic();
	if (!n)
		return; /* and no group to kill: kill(0) would be our own */
	deadline = run->t_start + run->o->time;
	while (!stress_should_stop(run->sh) && now_monotonic() < deadline) {
		left -= reap_some(run, ch, n, pgid, false, &gone);
		if (tick)
			tick(run, arg);
		stress_dwell(0.02);
	}
	__atomic_store_n(&run->sh->stop, 1, __ATOMIC_RELEASE);
	left -= stop_loads(run, ch, n, pgid);
	kill(-pgid, SIGKILL);
	/*
	 * Reap every child by a deadline: one that does not die is stuck in the
	 * kernel (uninterruptibly), and waiting for it would hang this run as
	 * well.  It is reported with its stack instead.
	 */
	deadline = now_monotonic() + STRESS_REAP_GRACE;
	while (left && !gone && now_monotonic() < deadline) {
		left -= reap_some(run, ch, n, pgid, true, &gone);
		if (left)
			stress_dwell(0.02);
	}
	snprintf(why, sizeof(why), "did not die within %.0f s of SIGKILL", STRESS_REAP_GRACE);
	for (i = 0; i < n; i++) {
		if (ch[i].reaped)
			continue;
		wd_report(&run->wd, ch[i].slot, 0, why);
		run->left_running = true;
	}
}
