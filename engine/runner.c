// SPDX-License-Identifier: GPL-2.0
/*
 * The sweep runner: runs one step of a CPU plan with pinned workers (threads or
 * processes), samples their counters and the kernel's per-task fault counts,
 * and keeps every sample of every worker.  See runner.h for the rules.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "evidence.h"
#include "faultacct.h"
#include "interference.h"
#include "mempolicy.h"
#include "monitor.h"
#include "progress.h"
#include "results.h"
#include "runner.h"
#include "util.h"

/* Shared by the parent and every worker of a step; MAP_SHARED so processes see it. */
struct runner_ctl {
	int32_t go;	 /* futex: 1 once every worker is ready */
	int32_t stop;	 /* nonzero: leave the loop */
	int32_t release; /* futex: finished workers may exit */
	char pad1[FB_CACHELINE - 12];
	uint32_t bar_count; /* worker_barrier() */
	int32_t bar_gen;    /* futex */
	char pad2[FB_CACHELINE - 8];
	int32_t state[]; /* enum worker_state, one per worker */
};

/* One step runs at a time; workers (threads or forked children) inherit this. */
static struct runner_ctl *ctl;
static size_t ctl_bytes;

static long futex(int32_t *uaddr, int op, int32_t val, const struct timespec *ts)
{
	/* Not FUTEX_PRIVATE: worker processes share these words through MAP_SHARED. */
	return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

static void futex_wake_all(int32_t *uaddr)
{
	futex(uaddr, FUTEX_WAKE, INT_MAX, NULL);
}

/* Wait while *uaddr == val, for at most 50 ms (callers re-check stop). */
static void futex_wait_short(int32_t *uaddr, int32_t val)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	futex(uaddr, FUTEX_WAIT, val, &ts);
}

static void set_state(unsigned id, int state)
{
	__atomic_store_n(&ctl->state[id], state, __ATOMIC_RELEASE);
}

static int get_state(unsigned id)
{
	return __atomic_load_n(&ctl->state[id], __ATOMIC_ACQUIRE);
}

int worker_fail(struct worker *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->slot->error, sizeof(w->slot->error), fmt, ap);
	va_end(ap);
	set_state(w->id, WS_FAILED);
	return -1;
}

void worker_barrier(struct worker *w, void (*last_hook)(struct worker *w))
{
	int32_t gen = __atomic_load_n(&ctl->bar_gen, __ATOMIC_ACQUIRE);

	if (__atomic_add_fetch(&ctl->bar_count, 1, __ATOMIC_ACQ_REL) == w->nworkers) {
		if (last_hook)
			last_hook(w);
		__atomic_store_n(&ctl->bar_count, 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&ctl->bar_gen, 1, __ATOMIC_RELEASE);
		futex_wake_all(&ctl->bar_gen);
		return;
	}
	/* A worker that stopped never arrives: waiters leave when stop is set. */
	while (__atomic_load_n(&ctl->bar_gen, __ATOMIC_ACQUIRE) == gen && !worker_should_stop(w))
		futex_wait_short(&ctl->bar_gen, gen);
}

int pin_self_to(const unsigned *pus, unsigned n)
{
	unsigned max = 0;
	cpu_set_t *set;
	size_t size;
	int ret;

	for (unsigned i = 0; i < n; i++)
		if (pus[i] > max)
			max = pus[i];
	/* Sized for the largest PU: no fixed-size cpu_set_t, machines have > 1024 PUs. */
	set = CPU_ALLOC(max + 1);
	if (!set)
		return -ENOMEM;
	size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(size, set);
	for (unsigned i = 0; i < n; i++)
		CPU_SET_S(pus[i], size, set);
	ret = sched_setaffinity(0, size, set) ? -errno : 0;
	CPU_FREE(set);
	return ret;
}

/* The worker this thread (or process) is, for the SIGBUS handler; NULL outside workers. */
static __thread struct worker *this_worker;
static size_t sigbus_page;

/*
 * A page of a mapped file that cannot be backed (a full tmpfs or disk, a file
 * truncated under the mapping) raises SIGBUS in the worker touching it, which
 * killed the whole run without a word.  The worker marks itself failed, and an
 * anonymous page over the address lets the access complete, so the worker
 * reaches its next stop check; the parent reports the failure and keeps what
 * was measured.  Outside a worker, or for a hardware error, the default action.
 */
static void worker_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "SIGBUS: a page of the mapped file could not be backed "
				  "(is the filesystem full? see df)";
	struct worker *w = this_worker;
	uintptr_t page = (uintptr_t)si->si_addr & ~(uintptr_t)(sigbus_page - 1);

	(void)uc;
	if (!w || si->si_code != BUS_ADRERR ||
	    mmap((void *)page, sigbus_page, PROT_READ | PROT_WRITE,
		 MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) {
		signal(sig, SIG_DFL); /* the access faults again, and the default kills */
		return;
	}
	if (get_state(w->id) != WS_FAILED) {
		memcpy(w->slot->error, msg,
		       sizeof(msg) < sizeof(w->slot->error) ? sizeof(msg)
							    : sizeof(w->slot->error) - 1);
		set_state(w->id, WS_FAILED);
	}
}

static void catch_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = worker_sigbus, .sa_flags = SA_SIGINFO };

	sigbus_page = (size_t)page_size();
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

static void record_rusage(struct worker_slot *slot)
{
	struct rusage ru;

	if (!getrusage(RUSAGE_THREAD, &ru)) {
		slot->ru_minflt = (uint64_t)ru.ru_minflt;
		slot->ru_majflt = (uint64_t)ru.ru_majflt;
	}
}

/*
 * The worker's whole life.  Order matters: pin, then touch the slot and apply
 * the memory policy, then let the benchmark allocate, so first touch is local.
 */
static void worker_main(struct worker *w, const struct mem_policy *mp)
{
	const struct bench *b = w->step->bench;
	struct worker_slot *slot = w->slot;
	int ret = pin_self_to(&w->pu, 1);

	memset(slot, 0, sizeof(*slot));
	slot->tid = (pid_t)syscall(SYS_gettid);
	this_worker = w;
	if (ret) {
		worker_fail(w, "cannot pin worker %u to PU %u: %s", w->id, w->pu, strerror(-ret));
		return;
	}
	slot->cpu_at_start = sched_getcpu();
	ret = mem_policy_apply(mp, w->step->topo, w->pu);
	if (ret) {
		worker_fail(w, "cannot apply --mem policy: %s", strerror(-ret));
		return;
	}
	if (b->worker_init && b->worker_init(w)) {
		if (get_state(w->id) != WS_FAILED)
			worker_fail(w, "worker %u failed to initialise", w->id);
		return;
	}
	if (get_state(w->id) == WS_FAILED)
		return; /* a SIGBUS during its first touch */
	/* Verify, not assume: only the worker can ask where its own pages are. */
	if (w->mem && w->mem_len) {
		slot->placement_pages = mem_placement_count(w->mem, w->mem_len, slot->node_pages,
							    FB_PLACEMENT_MAX_NODES);
		slot->placement_shared = w->mem_shared;
	}
	set_state(w->id, WS_READY);
	while (!__atomic_load_n(&ctl->go, __ATOMIC_ACQUIRE) && !worker_should_stop(w))
		futex_wait_short(&ctl->go, 0);
	if (!worker_should_stop(w)) {
		set_state(w->id, WS_RUNNING);
		b->worker_loop(w);
	}
	if (b->worker_fini)
		b->worker_fini(w);
	if (get_state(w->id) == WS_FAILED)
		return;
	record_rusage(slot);
	set_state(w->id, WS_DONE);
	/* Stay until the parent has read /proc at this same instant. */
	while (!__atomic_load_n(&ctl->release, __ATOMIC_ACQUIRE))
		futex_wait_short(&ctl->release, 0);
}

struct thread_arg {
	struct worker w;
	const struct mem_policy *mp;
	pthread_t thread;
};

static void *thread_main(void *p)
{
	struct thread_arg *ta = p;
	/* The worker's own copy, on its own stack: nothing it reads in the loop is shared. */
	struct worker w = ta->w;

	/*
	 * Signals belong to the parent thread, which stops everybody cleanly:
	 * the thread starts with them blocked (start_threads()), so none is
	 * handled here, where it would not wake the parent's sleep.
	 */
	fb_test_term_at("worker");
	worker_main(&w, ta->mp);
	return NULL;
}

/* Everything the parent keeps about the running workers of one step. */
struct step_run {
	struct step_ctx sc;
	unsigned n;
	struct worker_slot *slots; /* n pages */
	size_t slot_stride;
	struct thread_arg *threads; /* threads mode */
	pid_t *pids;		    /* processes mode */
	int *statfd;		    /* /proc/.../stat of each worker */
	struct evidence *ev;
	struct monitor *mon;	   /* NULL: --monitors=off */
	struct fault_marks *marks; /* each worker's faults at the sample ends (faultacct.h) */
	struct intf *intf;	   /* interference per sample */
	struct mem_policy mp;
	bool threads_mode;
};

static struct worker_slot *slot_of(struct step_run *s, unsigned i)
{
	return (struct worker_slot *)((char *)s->slots + i * s->slot_stride);
}

static void init_worker(struct step_run *s, struct worker *w, unsigned i)
{
	memset(w, 0, sizeof(*w));
	w->id = i;
	w->nworkers = s->n;
	w->pu = s->sc.pus[i];
	w->step = &s->sc;
	w->shared = s->sc.shared;
	w->slot = slot_of(s, i);
	w->stop = &ctl->stop;
}

static int start_threads(struct step_run *s)
{
	sigset_t mask;
	int err = FB_OK;

	s->threads = xcalloc(s->n, sizeof(*s->threads));
	/* a new thread inherits the mask: blocked from its first instruction */
	fb_block_interrupts(&mask);
	for (unsigned i = 0; i < s->n && !err; i++) {
		struct thread_arg *ta = &s->threads[i];
		pthread_attr_t attr;
		int ret;

		init_worker(s, &ta->w, i);
		ta->mp = &s->mp;
		pthread_attr_init(&attr);
		ret = pthread_create(&ta->thread, &attr, thread_main, ta);
		pthread_attr_destroy(&attr);
		if (ret) {
			s->n = i; /* only these exist: stop and join them */
			err = fb_fail("cannot create worker thread %u: %s", i, strerror(ret));
		}
	}
	fb_restore_interrupts(&mask);
	return err;
}

static int start_processes(struct step_run *s)
{
	pid_t parent = getpid();
	sigset_t mask;
	int err = FB_OK;

	s->pids = xcalloc(s->n, sizeof(*s->pids));
	fflush(NULL);
	/*
	 * Forked with SIGINT/SIGTERM blocked until SIG_IGN: a ^C to the group
	 * in between ran our handler in the worker (its own copy of
	 * fb_interrupted, which makes a fault worker skip its first touch, and a
	 * kill() of fb_forward_pid), where only the parent must act on it.
	 */
	fb_block_interrupts(&mask);
	for (unsigned i = 0; i < s->n && !err; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			s->n = i;
			err = fb_fail("cannot fork worker %u: %s", i, strerror(errno));
			break;
		}
		if (pid == 0) {
			struct worker w;

			fb_test_term_at("worker");
			/* Never outlive the parent, and leave Ctrl-C to it. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (getppid() != parent)
				_exit(1);
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			fb_restore_interrupts(&mask);
			init_worker(s, &w, i);
			worker_main(&w, &s->mp);
			_exit(0);
		}
		s->pids[i] = pid;
	}
	fb_restore_interrupts(&mask);
	return err;
}

/* A worker process that died without saying why (killed, crashed). */
static bool process_died(struct step_run *s, unsigned i)
{
	int status;

	if (s->threads_mode || !s->pids[i])
		return false;
	if (waitpid(s->pids[i], &status, WNOHANG) != s->pids[i])
		return false;
	s->pids[i] = 0;
	if (get_state(i) != WS_DONE && get_state(i) != WS_FAILED) {
		/* nobody here sends SIGKILL: the OOM killer does, and says so only in dmesg */
		snprintf(slot_of(s, i)->error, sizeof(slot_of(s, i)->error),
			 "worker process %u died (%s %d)%s", i,
			 WIFSIGNALED(status) ? "signal" : "exit status",
			 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
			 WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
			     ? ": killed, most likely by the OOM killer (see dmesg)"
			     : "");
		set_state(i, WS_FAILED);
	}
	return true;
}

/* First failed worker, or -1. */
static int failed_worker(struct step_run *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		process_died(s, i);
		if (get_state(i) == WS_FAILED)
			return (int)i;
	}
	return -1;
}

static int report_failure(struct step_run *s, int i)
{
	const char *msg = slot_of(s, i)->error;

	return fb_fail("%s: %s", s->sc.bench->name, *msg ? msg : "a worker failed");
}

/* Wait until every worker is ready (or one failed, or we were interrupted). */
static int wait_ready(struct step_run *s)
{
	for (;;) {
		unsigned ready = 0;
		int bad = failed_worker(s);

		if (bad >= 0)
			return report_failure(s, bad);
		if (fb_interrupted)
			return 128 + fb_interrupted;
		for (unsigned i = 0; i < s->n; i++)
			ready += get_state(i) == WS_READY;
		if (ready == s->n)
			return FB_OK;
		usleep(1000);
	}
}

static int read_task_stat(int fd, uint64_t *minflt, uint64_t *majflt, int32_t *cpu);

/*
 * Once every worker has finished, compare the kernel's per-task counts read
 * through /proc (what samples use) with what each worker's own getrusage()
 * said at the same instant: they must agree, and the result shows it.
 */
static void cross_check_faults(struct step_run *s, struct step_result *r)
{
	json_t *workers = json_object_get(r->extra, "workers");

	for (unsigned i = 0; s->statfd && i < s->n; i++) {
		struct worker_slot *slot = slot_of(s, i);
		json_t *w = json_array_get(workers, i);
		uint64_t minflt = 0, majflt = 0;
		int32_t cpu;

		if (!w || get_state(i) != WS_DONE ||
		    read_task_stat(s->statfd[i], &minflt, &majflt, &cpu))
			continue;
		json_object_set_new(w, "final_faults_proc",
				    json_integer((json_int_t)(minflt + majflt)));
		if (s->marks) {
			s->marks[i].final = slot->ru_minflt + slot->ru_majflt;
			s->marks[i].final_known = true;
		}
		json_object_set_new(w, "final_faults_rusage",
				    json_integer((json_int_t)(slot->ru_minflt + slot->ru_majflt)));
	}
}

static bool all_finished(struct step_run *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		int st;

		process_died(s, i);
		st = get_state(i);
		if (st != WS_DONE && st != WS_FAILED)
			return false;
	}
	return true;
}

static void stop_workers(struct step_run *s, struct step_result *r)
{
	__atomic_store_n(&ctl->stop, 1, __ATOMIC_RELEASE);
	futex_wake_all(&ctl->go);
	futex_wake_all(&ctl->bar_gen);
	while (!all_finished(s))
		usleep(1000);
	if (r)
		cross_check_faults(s, r);
	__atomic_store_n(&ctl->release, 1, __ATOMIC_RELEASE);
	futex_wake_all(&ctl->release);
	if (s->threads_mode) {
		for (unsigned i = 0; s->threads && i < s->n; i++)
			pthread_join(s->threads[i].thread, NULL);
		return;
	}
	for (unsigned i = 0; s->pids && i < s->n; i++) {
		if (!s->pids[i])
			continue;
		while (waitpid(s->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
		s->pids[i] = 0;
	}
}

/*
 * From /proc/.../stat of one task: min_flt (field 10), maj_flt (12) and the
 * CPU it last ran on (39) — the kernel's own counts, at no cost to the worker.
 */
static int read_task_stat(int fd, uint64_t *minflt, uint64_t *majflt, int32_t *cpu)
{
	char buf[1024], *p, *save = NULL;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	int field = 3;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	for (p = strtok_r(p + 1, " ", &save); p; p = strtok_r(NULL, " ", &save), field++) {
		if (field == 10)
			*minflt = strtoull(p, NULL, 10);
		else if (field == 12)
			*majflt = strtoull(p, NULL, 10);
		else if (field == 39) {
			*cpu = (int32_t)strtol(p, NULL, 10);
			return 0;
		}
	}
	return -1;
}

static int open_stat_files(struct step_run *s)
{
	s->statfd = xcalloc(s->n, sizeof(int));
	for (unsigned i = 0; i < s->n; i++) {
		pid_t tid = slot_of(s, i)->tid;
		char path[64];

		if (s->threads_mode)
			snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
		else
			snprintf(path, sizeof(path), "/proc/%d/stat", tid);
		s->statfd[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (s->statfd[i] < 0)
			return fb_fail("cannot open %s: %s", path, strerror(errno));
	}
	return FB_OK;
}

/* A cumulative reading of every worker at one instant. */
struct reading {
	double t;
	double wall; /* CLOCK_REALTIME at t */
	uint64_t (*count)[FB_MAX_COUNTERS];
	uint64_t *minflt, *majflt;
	int32_t *cpu;
	uint64_t (*ev)[FB_MAX_EVENTS];
	uint64_t *mon; /* system-wide monitors, read just after the workers */
	double mon_t;
	struct intf_reading *intf;
};

static void reading_alloc(struct reading *rd, unsigned n, unsigned nmon)
{
	rd->count = xcalloc(n, sizeof(*rd->count));
	rd->minflt = xcalloc(n, sizeof(uint64_t));
	rd->majflt = xcalloc(n, sizeof(uint64_t));
	rd->cpu = xcalloc(n, sizeof(int32_t));
	rd->ev = xcalloc(n, sizeof(*rd->ev));
	rd->mon = nmon ? xcalloc(nmon, sizeof(uint64_t)) : NULL;
	rd->intf = NULL;
}

static void reading_free(struct reading *rd)
{
	free(rd->count);
	free(rd->minflt);
	free(rd->majflt);
	free(rd->cpu);
	free(rd->ev);
	free(rd->mon);
	intf_reading_free(rd->intf);
}

/*
 * Read every worker.  The time stamp is the middle of the pass: with many
 * workers the pass itself takes a while and both ends would bias the rate.
 */
static void take_reading(struct step_run *s, struct reading *rd)
{
	double t0 = now_monotonic(), wall0 = now_realtime();

	for (unsigned i = 0; i < s->n; i++) {
		struct worker_slot *slot = slot_of(s, i);

		for (unsigned c = 0; c < FB_MAX_COUNTERS; c++)
			rd->count[i][c] = __atomic_load_n(&slot->count[c], __ATOMIC_RELAXED);
		if (read_task_stat(s->statfd[i], &rd->minflt[i], &rd->majflt[i], &rd->cpu[i]))
			rd->cpu[i] = -1;
		if (s->ev)
			evidence_read(s->ev, i, rd->ev[i]);
	}
	rd->t = (t0 + now_monotonic()) / 2;
	/* the same instant on the wall clock, to line samples up with other logs */
	rd->wall = wall0 + (rd->t - t0);
	/* its own time stamps: share is CPU time over the same interval as the clocks read */
	if (rd->intf)
		intf_read(s->intf, rd->intf);
	/*
	 * After the workers' pass and outside its time stamp: /proc/interrupts
	 * takes long to format on a large machine, and these carry their own.
	 */
	if (rd->mon)
		monitor_read(s->mon, rd->mon, &rd->mon_t);
}

static void store_sample(struct step_run *s, struct step_result *r, const struct reading *a,
			 const struct reading *b)
{
	struct sample *smp;
	unsigned n = s->n;

	r->samples = xrealloc(r->samples, (r->nsamples + 1) * sizeof(*r->samples));
	smp = &r->samples[r->nsamples++];
	memset(smp, 0, sizeof(*smp));
	smp->t = b->t - a->t;
	smp->start_unix = a->wall;
	smp->count = xcalloc(n, sizeof(*smp->count));
	smp->minflt = xcalloc(n, sizeof(uint64_t));
	smp->majflt = xcalloc(n, sizeof(uint64_t));
	smp->cpu = xcalloc(n, sizeof(int32_t));
	smp->ev = xcalloc(n, sizeof(*smp->ev));
	for (unsigned i = 0; i < n; i++) {
		for (unsigned c = 0; c < FB_MAX_COUNTERS; c++)
			smp->count[i][c] = b->count[i][c] - a->count[i][c];
		smp->minflt[i] = b->minflt[i] - a->minflt[i];
		smp->majflt[i] = b->majflt[i] - a->majflt[i];
		smp->cpu[i] = b->cpu[i];
		for (unsigned e = 0; e < r->nevents; e++)
			smp->ev[i][e] = b->ev[i][e] - a->ev[i][e];
	}
	if (r->nmonitors) {
		smp->mon = xcalloc(r->nmonitors, sizeof(uint64_t));
		for (unsigned m = 0; m < r->nmonitors; m++)
			smp->mon[m] = monitor_delta(a->mon[m], b->mon[m]);
		smp->mon_t = b->mon_t - a->mon_t;
	}
	if (a->intf && b->intf)
		smp->intf = intf_sample_between(s->intf, a->intf, b->intf);
}

/*
 * --retry-disturbed: drop the sample just stored when interference disturbed
 * it and it may be taken again; its figures are kept, and handed to the
 * sample that replaces it (keep_retried()).  True when dropped.
 */
static bool drop_disturbed(struct step_run *s, struct step_result *r, json_t **retried)
{
	struct sample *smp = &r->samples[r->nsamples - 1];
	json_t *o;

	if (!smp->intf || !smp->intf->disturbed ||
	    (long long)json_array_size(*retried) >= s->sc.ro->retry_disturbed)
		return false;
	if (!*retried)
		*retried = json_array();
	o = intf_sample_json(smp->intf);
	json_object_set_new(o, "t", json_real(smp->t));
	json_object_set_new(o, "start_unix", json_real(smp->start_unix));
	json_array_append_new(*retried, o);
	sample_free(smp);
	r->nsamples--;
	return true;
}

static void keep_retried(struct step_result *r, json_t **retried)
{
	struct sample *smp = &r->samples[r->nsamples - 1];

	if (*retried && smp->intf) {
		smp->intf->retries = (unsigned)json_array_size(*retried);
		smp->intf->retried = *retried;
	} else {
		json_decref(*retried);
	}
	*retried = NULL;
}

/* Where the sampled windows start and end, for the faults outside them. */
static void mark_faults(struct step_run *s, const struct reading *rd, bool first)
{
	if (!s->marks)
		s->marks = xcalloc(s->n, sizeof(*s->marks));
	for (unsigned i = 0; i < s->n; i++) {
		if (first)
			s->marks[i].first = rd->minflt[i] + rd->majflt[i];
		s->marks[i].last = rd->minflt[i] + rd->majflt[i];
	}
}

static bool step_should_end(struct step_run *s, int *ret)
{
	int bad;

	if (fb_interrupted) {
		*ret = 128 + fb_interrupted;
		return true;
	}
	bad = failed_worker(s);
	if (bad >= 0) {
		*ret = report_failure(s, bad);
		return true;
	}
	return false;
}

/* Warm up, then take --samples samples of --sample-time each. */
static int sample_loop(struct step_run *s, struct step_result *r)
{
	const struct run_opts *ro = s->sc.ro;
	struct reading prev, cur;
	double start, next;
	json_t *retried = NULL; /* disturbed samples replaced by the next one */
	int ret = FB_OK;

	reading_alloc(&prev, s->n, r->nmonitors);
	reading_alloc(&cur, s->n, r->nmonitors);
	if (s->intf) {
		prev.intf = intf_reading_alloc(s->intf);
		cur.intf = intf_reading_alloc(s->intf);
	}
	start = now_monotonic();
	__atomic_store_n(&ctl->go, 1, __ATOMIC_RELEASE);
	futex_wake_all(&ctl->go);

	sleep_until(start + ro->warmup);
	while (now_monotonic() < start + ro->warmup && !step_should_end(s, &ret))
		sleep_until(start + ro->warmup);
	if (ret)
		goto out;
	take_reading(s, &prev);
	mark_faults(s, &prev, true);
	for (long long k = 0; k < ro->samples; k++) {
		/*
		 * Each sample lasts --sample-time from the reading before it, not
		 * to the next point of a fixed grid: when a busy host kept this
		 * thread off the CPU past a grid point, the next sample would
		 * end at once, a fraction of a millisecond long, and its rates
		 * and interference fractions (ticks over its length) would be
		 * noise (seen on the shared development VM: "other" 39.6).
		 */
		next = prev.t + ro->sample_time;
		while (now_monotonic() < next && !step_should_end(s, &ret))
			sleep_until(next);
		if (ret)
			break;
		take_reading(s, &cur);
		mark_faults(s, &cur, false);
		store_sample(s, r, &prev, &cur);
		if (drop_disturbed(s, r, &retried)) {
			k--; /* measured again from here */
		} else {
			keep_retried(r, &retried);
			progress_sample(r);
			fb_test_term_at("sample");
		}
		struct reading tmp = prev;
		prev = cur;
		cur = tmp;
	}
out:
	json_decref(retried);
	reading_free(&prev);
	reading_free(&cur);
	return ret;
}

static int map_shared_state(struct step_run *s)
{
	s->slot_stride = (sizeof(struct worker_slot) + page_size() - 1) & ~(page_size() - 1);
	ctl_bytes = sizeof(*ctl) + s->n * sizeof(int32_t);
	ctl = mmap(NULL, ctl_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	/*
	 * Slots are not touched here: each worker touches its own first, after
	 * pinning, so the page is allocated on the worker's node.
	 */
	s->slots = mmap(NULL, s->n * s->slot_stride, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED || s->slots == MAP_FAILED) {
		if (ctl != MAP_FAILED)
			munmap(ctl, ctl_bytes);
		ctl = NULL;
		s->slots = NULL;
		return fb_fail("cannot map worker state: %s", strerror(errno));
	}
	return FB_OK;
}

/* Pages per node of each worker's declared memory, for mem_derive_per_node(). */
static void record_placement(struct step_run *s, struct step_result *r)
{
	json_t *arr = json_array();
	bool any = false, shared = false;

	for (unsigned i = 0; i < s->n; i++) {
		struct worker_slot *slot = slot_of(s, i);

		any |= slot->placement_pages > 0;
		shared |= slot->placement_shared;
		json_array_append_new(
		    arr, slot->placement_pages > 0
			     ? mem_placement_json(slot->node_pages, FB_PLACEMENT_MAX_NODES)
			     : json_null());
	}
	if (any) {
		json_object_set_new(r->extra, "placement", arr);
		if (shared)
			json_object_set_new(r->extra, "placement_shared", json_true());
	} else {
		json_decref(arr);
	}
}

/* Per-worker findings after init: the PU it started on and its memory placement. */
static void record_workers(struct step_run *s, struct step_result *r)
{
	json_t *arr = json_array();

	record_placement(s, r);

	for (unsigned i = 0; i < s->n; i++) {
		struct worker_slot *slot = slot_of(s, i);
		json_t *o = json_object();

		json_object_set_new(o, "pu", json_integer(s->sc.pus[i]));
		json_object_set_new(o, "cpu_at_start", json_integer(slot->cpu_at_start));
		json_object_set_new(o, "tid", json_integer(slot->tid));
		json_array_append_new(arr, o);
	}
	json_object_set_new(r->extra, "workers", arr);
}

static void name_events(struct step_run *s, struct step_result *r)
{
	r->nevents = s->ev ? evidence_count(s->ev) : 0;
	if (r->nevents > FB_MAX_EVENTS)
		r->nevents = FB_MAX_EVENTS;
	r->event_names = xcalloc(r->nevents ? r->nevents : 1, sizeof(*r->event_names));
	for (unsigned e = 0; e < r->nevents; e++)
		snprintf(r->event_names[e], sizeof(r->event_names[e]), "%s",
			 evidence_name(s->ev, e));
}

/* What the monitors read in this step, and what they cannot read here. */
static void start_monitors(struct step_run *s, struct step_result *r)
{
	json_t *missing;

	if (!s->sc.ro->monitors)
		return;
	s->mon = monitor_create("", s->sc.pus, s->n);
	r->nmonitors = monitor_count(s->mon);
	r->monitor_names = xcalloc(r->nmonitors ? r->nmonitors : 1, sizeof(*r->monitor_names));
	for (unsigned i = 0; i < r->nmonitors; i++)
		snprintf(r->monitor_names[i], sizeof(r->monitor_names[i]), "%s",
			 monitor_name(s->mon, i));
	missing = monitor_unavailable(s->mon);
	if (json_object_size(missing))
		json_object_set_new(r->extra, "monitors_unavailable", missing);
	else
		json_decref(missing);
}

/* Each worker's CPU clock and /proc files, opened once for every sample. */
static void start_interference(struct step_run *s)
{
	s->intf = intf_create(s->sc.pus, s->n);
	for (unsigned i = 0; i < s->n; i++) {
		clockid_t clk = (clockid_t)-1;
		int err = s->threads_mode ? pthread_getcpuclockid(s->threads[i].thread, &clk)
					  : clock_getcpuclockid(s->pids[i], &clk);

		intf_attach(s->intf, i, slot_of(s, i)->tid, s->threads_mode,
			    err ? (clockid_t)-1 : clk);
	}
}

static int run_workers(struct step_run *s, struct step_result *r)
{
	int ret;

	ret = map_shared_state(s);
	if (ret)
		return ret;
	ret = s->threads_mode ? start_threads(s) : start_processes(s);
	if (!ret)
		ret = wait_ready(s);
	if (!ret)
		ret = open_stat_files(s);
	if (!ret) {
		for (unsigned i = 0; s->ev && i < s->n; i++)
			evidence_attach(s->ev, i, slot_of(s, i)->tid);
		name_events(s, r);
		start_interference(s);
		start_monitors(s, r);
		record_workers(s, r);
		ret = sample_loop(s, r);
	}
	stop_workers(s, s->statfd ? r : NULL);
	if (s->marks && r->nsamples)
		json_object_set_new(r->extra, "faults", fault_acct_step_json(r, s->marks, s->n));
	if (!ret && failed_worker(s) >= 0)
		ret = report_failure(s, failed_worker(s));
	return ret;
}

static void release_step(struct step_run *s)
{
	for (unsigned i = 0; s->statfd && i < s->n; i++)
		if (s->statfd[i] >= 0)
			close(s->statfd[i]);
	free(s->statfd);
	free(s->marks);
	free(s->threads);
	free(s->pids);
	if (s->slots)
		munmap(s->slots, s->n * s->slot_stride);
	if (ctl)
		munmap(ctl, ctl_bytes);
	ctl = NULL;
	evidence_destroy(s->ev);
	monitor_destroy(s->mon);
	intf_destroy(s->intf);
}

static int setup_step(struct step_run *s)
{
	const struct bench *b = s->sc.bench;
	int ret = FB_OK;

	if (b->setup) {
		/* Page cache goes where its first reader runs: populate under the policy. */
		mem_policy_apply_setup(&s->mp, s->sc.topo);
		ret = b->setup(&s->sc);
		mem_policy_reset();
	}
	return ret;
}

static void derive_all(struct step_run *s, struct step_result *r)
{
	const struct bench *b = s->sc.bench;

	results_derive_metrics(r, b);
	if (b->derive)
		b->derive(&s->sc, r);
	evidence_derive(r);
	monitor_derive(r);
	mem_derive_per_node(r, &s->mp, s->sc.topo);
}

/*
 * A complete step whose workers counted nothing is not a rate of zero: a
 * pass longer than the samples, or workers that never got CPU time.  Say so,
 * in the output and in the result, rather than print 0.0000 as a figure.
 */
static void warn_nothing_counted(const struct step_run *s, struct step_result *r)
{
	const char *unit = s->sc.bench->counters[0] ? s->sc.bench->counters[0] : "operations";
	uint64_t total = 0;
	double t = 0;
	char *msg;

	for (unsigned i = 0; i < r->nsamples; i++) {
		t += r->samples[i].t;
		for (unsigned w = 0; r->samples[i].count && w < r->ncpus; w++)
			total += r->samples[i].count[w][0];
	}
	if (total || !r->nsamples)
		return;
	msg = xasprintf("no %s counted in %.2f s of samples: a pass takes longer than a sample "
			"(raise --sample-time, lower --size) or the workers got no CPU time",
			unit, t);
	fb_warn("%s, %u CPUs: %s", s->sc.bench->name, r->ncpus, msg);
	json_object_set_new(r->extra, "warning", json_string(msg));
	free(msg);
}

int runner_run_step(const struct run_env *env, const void *params, const struct cpu_step *cs,
		    unsigned step_index, unsigned repeat, struct step_result *r)
{
	const struct bench *b = env->bench;
	const struct run_opts *ro = env->ro;
	struct step_run s = { .mp = env->mem };
	int ret;

	memset(r, 0, sizeof(*r));
	r->ncpus = cs->ncpus;
	r->pus = xmalloc(cs->ncpus * sizeof(unsigned));
	memcpy(r->pus, cs->pus, cs->ncpus * sizeof(unsigned));
	r->what = cs->what;
	r->repeat = repeat;
	r->extra = json_object();

	catch_sigbus();
	s.n = cs->ncpus;
	s.threads_mode = ro->mode == MODE_THREADS;
	s.sc = (struct step_ctx){ .bench = b,
				  .params = params,
				  .ro = ro,
				  .topo = env->topo,
				  .nworkers = cs->ncpus,
				  .pus = cs->pus,
				  .step_index = step_index,
				  .repeat = repeat,
				  .dir = ro->dir,
				  .extra = r->extra,
				  .result = r };
	ret = setup_step(&s);
	if (ret)
		goto out;
	if (b->run_step) {
		ret = b->run_step(&s.sc);
	} else {
		ret = evidence_create(&s.ev, ro->counters, ro->events, s.n);
		if (!ret)
			ret = run_workers(&s, r);
		if (s.ev)
			json_object_set_new(r->extra, "evidence", evidence_describe(s.ev));
	}
	if (b->report)
		b->report(&s.sc);
	if (b->teardown)
		b->teardown(&s.sc);
out:
	r->complete = ret == FB_OK && r->nsamples > 0;
	if (r->complete && !b->run_step)
		warn_nothing_counted(&s, r);
	if (r->nsamples)
		derive_all(&s, r);
	release_step(&s);
	return ret;
}
