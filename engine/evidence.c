// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-side evidence per worker: one perf_event_open() counter per event
 * and worker, opened by the parent on the worker's task (pid = tid, cpu = -1,
 * inherit = 0: each thread gets counters of its own, and the worker's hot loop
 * never makes a system call for them).
 *
 * Reading a counter of a task that is running on another CPU costs an IPI to
 * that CPU (perf_event_read() -> smp_call_function_single()), and the IPI
 * interrupts the very worker being measured.  So a worker's software events and
 * tracepoints form one group and are read with one PERF_FORMAT_GROUP read: one
 * IPI per worker and reading instead of one per event.  On a 512-CPU machine
 * that is 512 interruptions per sample instead of 4,608; in a 64-vCPU TCG guest
 * on a 2-core host, where each IPI waits for the host to run the target vCPU,
 * it took one reading of 64 workers from about 80 s down to 12-19 s.
 * Software events never compete for a hardware counter, so the group is never
 * multiplexed.  Hardware and libpfm4 events stay separate counters: in one
 * group they could only be scheduled all together or not at all.
 *
 * Events:
 *  - software: page-faults, minor-faults, major-faults, context-switches,
 *    cpu-migrations, task-clock (always);
 *  - hardware cycles and instructions, tried and recorded as "not supported"
 *    when the machine (a VM, typically) has no PMU for us;
 *  - sched:sched_switch/D: sched_switch events of the worker with prev_state
 *    D, i.e. the times the worker went to sleep uninterruptibly.  Folio-lock
 *    waits (folio_lock / folio_wait_bit_common) are bit waits on a hashed wait
 *    queue, not a mutex or rwsem, so the lock:contention_begin tracepoint never
 *    sees them; a D-state switch-out is the signal they leave.  A tracepoint
 *    counter counts every switch-out, so the filter "prev_state == 2" is set
 *    with PERF_EVENT_IOC_SET_FILTER (2 is TASK_UNINTERRUPTIBLE as the
 *    tracepoint reports it: 1 << (task_state_index - 1); TASK_KILLABLE waits
 *    report D as well, TASK_IDLE waits report I and are not counted);
 *  - extra events from --event: generic perf names ("cache-misses"),
 *    tracepoints "sys:name" (id from tracefs), "sys:name/D" style filtered
 *    switch counts are only provided for sched_switch, and any other name
 *    through libpfm4 (a raw PMU event name on machines that have one).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>

#include "evidence.h"
#include "ratio.h"
#include "runopts.h"
#include "tracefs.h"
#include "util.h"

#define SWITCH_D_NAME	"sched:sched_switch/D"
#define SWITCH_D_FILTER "prev_state == 2"

enum ev_kind { EV_SOFTWARE, EV_HARDWARE, EV_TRACEPOINT, EV_PFM };

struct ev_def {
	char name[64];
	enum ev_kind kind;
	struct perf_event_attr attr;
	const char *filter; /* tracepoint filter, or NULL */
};

struct evidence {
	unsigned nevents;
	struct ev_def ev[FB_MAX_EVENTS];
	unsigned nworkers;
	int *fds;	       /* nworkers * nevents, -1 when not open */
	uint64_t *ids;	       /* perf's id of each fd, to find it in a group read */
	int *leader;	       /* per worker: fd of its software group, or -1 */
	uint64_t *last;	       /* last good value per fd, for reads that fail */
	bool *multiplexed;     /* per event: some read was scaled */
	int counters;	       /* enum counters_mode */
	json_t *dropped;       /* name -> why it is not counted */
	json_t *attach_errors; /* "worker N: name" -> why */
};

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} generic_events[] = {
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS },
	{ "emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
	{ "bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES },
	{ "ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES },
	{ "stalled-cycles-frontend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_FRONTEND },
	{ "stalled-cycles-backend", PERF_TYPE_HARDWARE, PERF_COUNT_HW_STALLED_CYCLES_BACKEND },
};

/*
 * Counted by default; the hardware ones are dropped quietly (with a reason)
 * when unsupported.  per_fault: the kernel runs perf_sw_event() for it in
 * every page fault of a task that has it (and, once any such counter exists
 * on the machine, the static key sends every fault of every task through
 * the swevent lookup).  --counters=minimal leaves those out: the kernel's
 * per-thread min_flt/maj_flt, which the runner reads from /proc at the
 * sample ends and which every fault figure of a result comes from, count
 * the same faults at no cost (perf's page-faults also counts a fault that
 * fails or is retried, min_flt + maj_flt counts it once when it completes:
 * docs/fault.md).  The others fire at context switches and migrations,
 * never in the fault path.  --counters=none opens none of them.
 */
static const struct {
	const char *name;
	bool per_fault;
} default_events[] = {
	{ "page-faults", true },       { "minor-faults", true },    { "major-faults", true },
	{ "context-switches", false }, { "cpu-migrations", false }, { "task-clock", false },
	{ "cycles", false },	       { "instructions", false },   { SWITCH_D_NAME, false },
};

static const char *const counters_names[] = { "full", "minimal", "none" };

const char *evidence_counters_name(int counters)
{
	return counters >= 0 && (size_t)counters < ARRAY_SIZE(counters_names)
		   ? counters_names[counters]
		   : "?";
}

static bool default_event_wanted(int counters, size_t i)
{
	return counters == COUNTERS_FULL ||
	       (counters == COUNTERS_MINIMAL && !default_events[i].per_fault);
}

static int perf_open(struct perf_event_attr *attr, pid_t pid, int group_fd)
{
	return (int)syscall(SYS_perf_event_open, attr, pid, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
}

/* Counted in the worker's one software group (see the top of this file). */
static bool in_group(const struct ev_def *d)
{
	return d->kind == EV_SOFTWARE || d->kind == EV_TRACEPOINT;
}

static void attr_init(struct perf_event_attr *a, uint32_t type, uint64_t config)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->type = type;
	a->config = config;
	/* enabled from the moment it is attached; the runner only uses deltas */
	a->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	a->inherit = 0;
}

static const char *open_error(int err)
{
	switch (err) {
	case ENOENT:
	case EOPNOTSUPP:
		return "not supported";
	case EACCES:
	case EPERM:
		return "no permission (perf_event_paranoid)";
	default:
		return strerror(err);
	}
}

/*
 * The first counter of a kind switches kernel code on: each software event
 * has a static key (perf_swevent_enabled[]) in the fault and context-switch
 * paths, task events one for the scheduler hooks (perf_sched_events), a
 * tracepoint its own; the last close switches it off again.  Each switch
 * rewrites kernel text with text_poke_bp(): an int3 on the site and IPIs to
 * every CPU, at every step, on a 512-CPU machine too.  Under TCG this is
 * worse than slow: 2x4 guests froze about one boot in five with every vCPU
 * in the int3 handler or a spinlock behind it, at a step boundary (seen here
 * with qemu 7.2 and a 6.1 guest).  So the probe counter opened on ourselves
 * for each software event and tracepoint stays open until the process
 * exits: the keys are switched on once per run and steps never toggle them.
 * The kept counters count only this (mostly sleeping) parent.
 */
static struct {
	char name[64];
	int fd;
} key_holders[2 * FB_MAX_EVENTS];
static unsigned nkey_holders;

static bool hold_key(const struct ev_def *d, int fd)
{
	for (unsigned i = 0; i < nkey_holders; i++)
		if (!strcmp(key_holders[i].name, d->name))
			return false;
	if (nkey_holders == ARRAY_SIZE(key_holders) || !in_group(d))
		return false;
	snprintf(key_holders[nkey_holders].name, sizeof(key_holders[0].name), "%s", d->name);
	key_holders[nkey_holders++].fd = fd;
	return true;
}

/* Try the event on ourselves: what cannot be counted here is dropped, not attached later. */
static bool probe_event(struct ev_def *d, char *why, size_t whylen)
{
	int fd = perf_open(&d->attr, 0, -1);

	if (fd < 0) {
		snprintf(why, whylen, "%s (perf_event_open: %s)", open_error(errno),
			 strerror(errno));
		return false;
	}
	if (d->filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, d->filter) < 0) {
		snprintf(why, whylen, "filter '%s' refused: %s", d->filter, strerror(errno));
		close(fd);
		return false;
	}
	if (!hold_key(d, fd))
		close(fd);
	return true;
}

static bool pfm_ready(char *why, size_t whylen)
{
	static int ret = 1;

	if (ret == 1)
		ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		snprintf(why, whylen, "libpfm4: %s", pfm_strerror(ret));
		return false;
	}
	return true;
}

static bool pfm_has_active_pmu(void)
{
	pfm_pmu_info_t info;
	int pmu;

	for (pmu = PFM_PMU_NONE + 1; pmu < PFM_PMU_MAX; pmu++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		/* the perf_event software "PMU" is always present; it says nothing about hardware
		 */
		if (pfm_get_pmu_info(pmu, &info) == PFM_SUCCESS && info.is_present &&
		    info.type == PFM_PMU_TYPE_CORE)
			return true;
	}
	return false;
}

/*
 * Resolve an event name into d.  Returns 1 (resolved), 0 (known but not
 * countable here: reason in why) or -1 (unknown name: usage error, reason in why).
 */
static int resolve_event(const char *name, struct ev_def *d, char *why, size_t whylen)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	for (i = 0; i < ARRAY_SIZE(generic_events); i++) {
		if (strcmp(name, generic_events[i].name))
			continue;
		attr_init(&d->attr, generic_events[i].type, generic_events[i].config);
		d->kind = generic_events[i].type == PERF_TYPE_SOFTWARE ? EV_SOFTWARE : EV_HARDWARE;
		return 1;
	}
	if (strchr(name, ':')) {
		char tp[64];
		long long id;

		memcpy(tp, d->name, sizeof(tp));
		if (!strcmp(name, SWITCH_D_NAME)) {
			snprintf(tp, sizeof(tp), "sched:sched_switch");
			d->filter = SWITCH_D_FILTER;
		} else if (strchr(name, '/')) {
			snprintf(why, whylen,
				 "'%s': the only filtered tracepoint counter is '" SWITCH_D_NAME
				 "'",
				 name);
			return -1;
		}
		id = tracefs_event_id(tp, why, whylen);
		if (id == -EINVAL || id == -ENOENT)
			return -1;
		if (id < 0)
			return 0;
		attr_init(&d->attr, PERF_TYPE_TRACEPOINT, (uint64_t)id);
		d->kind = EV_TRACEPOINT;
		return 1;
	}
	if (!pfm_ready(why, whylen))
		return 0;
	{
		pfm_perf_encode_arg_t arg;
		struct perf_event_attr a;
		int ret;

		memset(&arg, 0, sizeof(arg));
		memset(&a, 0, sizeof(a));
		arg.attr = &a;
		arg.size = sizeof(arg);
		ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT,
						&arg);
		if (ret == PFM_SUCCESS) {
			attr_init(&d->attr, a.type, a.config);
			d->attr.config1 = a.config1;
			d->attr.config2 = a.config2;
			d->attr.exclude_user = a.exclude_user;
			d->attr.exclude_kernel = a.exclude_kernel;
			d->attr.exclude_hv = a.exclude_hv;
			d->kind = EV_PFM;
			return 1;
		}
		if (ret == PFM_ERR_NOTFOUND && !pfm_has_active_pmu()) {
			/* A config written for a big machine names its PMU's events: not a typo
			 * here. */
			snprintf(why, whylen,
				 "not supported: libpfm4 finds no hardware PMU on this machine");
			return 0;
		}
		snprintf(why, whylen, "unknown event '%s' (libpfm4: %s)", name, pfm_strerror(ret));
		return -1;
	}
}

static bool has_event(const struct evidence *ev, const char *name)
{
	unsigned i;

	for (i = 0; i < ev->nevents; i++)
		if (!strcmp(ev->ev[i].name, name))
			return true;
	return json_object_get(ev->dropped, name) != NULL;
}

static int add_event(struct evidence *ev, const char *name)
{
	char why[256] = "";
	struct ev_def d;
	int ret;

	if (!*name || has_event(ev, name))
		return FB_OK;
	if (strlen(name) >= sizeof(d.name))
		return fb_usage("option '--event': '%s' is too long", name);
	ret = resolve_event(name, &d, why, sizeof(why));
	if (ret < 0)
		return fb_usage("option '--event': %s", why);
	if (ret > 0 && !probe_event(&d, why, sizeof(why)))
		ret = 0;
	if (ret == 0) {
		json_object_set_new(ev->dropped, name, json_string(why));
		return FB_OK;
	}
	if (ev->nevents == FB_MAX_EVENTS)
		return fb_usage(
		    "option '--event': more than %d events in all (the defaults count up to %zu)",
		    FB_MAX_EVENTS, ARRAY_SIZE(default_events));
	ev->ev[ev->nevents++] = d;
	return FB_OK;
}

int evidence_create(struct evidence **evp, int counters, const char *extra, unsigned nworkers)
{
	struct evidence *ev = xcalloc(1, sizeof(*ev));
	char *list, *tok, *save = NULL;
	size_t i;
	int ret = FB_OK;

	*evp = NULL;
	ev->counters = counters;
	ev->dropped = json_object();
	ev->attach_errors = json_object();
	for (i = 0; i < ARRAY_SIZE(default_events) && ret == FB_OK; i++)
		if (default_event_wanted(counters, i))
			ret = add_event(ev, default_events[i].name);
	if (extra && ret == FB_OK) {
		list = xstrdup(extra);
		for (tok = strtok_r(list, ",", &save); tok && ret == FB_OK;
		     tok = strtok_r(NULL, ",", &save))
			ret = add_event(ev, tok);
		free(list);
	}
	if (ret != FB_OK) {
		evidence_destroy(ev);
		return ret;
	}
	ev->nworkers = nworkers;
	ev->fds = xcalloc((size_t)nworkers * ev->nevents + 1, sizeof(int));
	ev->ids = xcalloc((size_t)nworkers * ev->nevents + 1, sizeof(uint64_t));
	ev->leader = xcalloc(nworkers + 1, sizeof(int));
	for (i = 0; i < nworkers; i++)
		ev->leader[i] = -1;
	ev->last = xcalloc((size_t)nworkers * ev->nevents + 1, sizeof(uint64_t));
	ev->multiplexed = xcalloc(ev->nevents + 1, sizeof(bool));
	for (i = 0; i < (size_t)nworkers * ev->nevents; i++)
		ev->fds[i] = -1;
	*evp = ev;
	return FB_OK;
}

static void detach(struct evidence *ev, unsigned worker)
{
	for (unsigned k = 0; k < ev->nevents; k++) {
		int *fdp = &ev->fds[worker * ev->nevents + k];

		if (*fdp >= 0)
			close(*fdp);
		*fdp = -1;
	}
	ev->leader[worker] = -1;
}

/*
 * One counter of worker's task; grouped events join the worker's group, the
 * first of them that opens leads it.  Returns the fd or -1 (errno set).
 */
static int open_counter(struct evidence *ev, unsigned worker, unsigned k, pid_t tid)
{
	const struct ev_def *d = &ev->ev[k];
	struct perf_event_attr attr = d->attr;
	int group = in_group(d) ? ev->leader[worker] : -1;
	int fd, err;

	if (in_group(d))
		attr.read_format |= PERF_FORMAT_GROUP | PERF_FORMAT_ID;
	/*
	 * The leader starts disabled and is enabled once its group is complete:
	 * siblings added to an enabled group of a running task stay inactive
	 * until its next context switch (seen on 6.18: task-clock read 0).
	 */
	attr.disabled = in_group(d) && group < 0;
	fd = perf_open(&attr, tid, group);
	if (fd < 0)
		return -1;
	if ((d->filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, d->filter) < 0) ||
	    ioctl(fd, PERF_EVENT_IOC_ID, &ev->ids[worker * ev->nevents + k]) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	if (in_group(d) && group < 0)
		ev->leader[worker] = fd;
	return fd;
}

void evidence_attach(struct evidence *ev, unsigned worker, pid_t tid)
{
	unsigned k;

	if (!ev || worker >= ev->nworkers)
		return;
	detach(ev, worker);
	for (k = 0; k < ev->nevents; k++) {
		const struct ev_def *d = &ev->ev[k];
		char key[96], why[160];
		int fd = open_counter(ev, worker, k, tid);

		ev->fds[worker * ev->nevents + k] = fd;
		ev->last[worker * ev->nevents + k] = 0;
		if (fd < 0) {
			snprintf(key, sizeof(key), "worker %u: %s", worker, d->name);
			snprintf(why, sizeof(why), "perf_event_open(tid %d): %s", (int)tid,
				 strerror(errno));
			json_object_set_new(ev->attach_errors, key, json_string(why));
		}
	}
	if (ev->leader[worker] >= 0)
		ioctl(ev->leader[worker], PERF_EVENT_IOC_ENABLE, 0);
}

unsigned evidence_count(const struct evidence *ev)
{
	return ev ? ev->nevents : 0;
}

const char *evidence_name(const struct evidence *ev, unsigned i)
{
	return ev && i < ev->nevents ? ev->ev[i].name : "?";
}

/* The worker's software group in one read: { nr, enabled, running, { value, id }[nr] }. */
static void read_group(struct evidence *ev, unsigned worker)
{
	uint64_t buf[3 + 2 * FB_MAX_EVENTS];
	size_t base = (size_t)worker * ev->nevents;
	ssize_t got;

	if (ev->leader[worker] < 0)
		return;
	got = read(ev->leader[worker], buf, sizeof(buf));
	if (got < (ssize_t)(3 * sizeof(uint64_t)) || buf[0] > FB_MAX_EVENTS ||
	    (size_t)got < (3 + 2 * buf[0]) * sizeof(uint64_t))
		return;
	for (uint64_t j = 0; j < buf[0]; j++)
		for (unsigned k = 0; k < ev->nevents; k++)
			if (ev->fds[base + k] >= 0 && in_group(&ev->ev[k]) &&
			    ev->ids[base + k] == buf[4 + 2 * j])
				ev->last[base + k] = buf[3 + 2 * j];
}

void evidence_read(struct evidence *ev, unsigned worker, uint64_t *vals)
{
	unsigned k;

	if (!ev || worker >= ev->nworkers)
		return;
	read_group(ev, worker);
	for (k = 0; k < ev->nevents; k++) {
		size_t i = (size_t)worker * ev->nevents + k;
		uint64_t buf[3]; /* value, time enabled, time running */

		vals[k] = ev->last[i];
		if (in_group(&ev->ev[k]) || ev->fds[i] < 0 ||
		    read(ev->fds[i], buf, sizeof(buf)) != sizeof(buf))
			continue;
		/*
		 * Only hardware counters are ever multiplexed; scale them as perf
		 * stat does and say so in the description, since a scaled count
		 * is an estimate.
		 */
		if (buf[2] && buf[2] < buf[1]) {
			buf[0] = (uint64_t)((double)buf[0] * buf[1] / buf[2]);
			ev->multiplexed[k] = true;
		}
		vals[k] = ev->last[i] = buf[0];
	}
}

json_t *evidence_describe(const struct evidence *ev)
{
	json_t *o = json_object(), *names = json_array(), *mux = json_array();
	json_t *defs = json_object();
	unsigned k;

	if (!ev)
		return o;
	for (k = 0; k < ev->nevents; k++) {
		json_array_append_new(names, json_string(ev->ev[k].name));
		if (ev->multiplexed[k])
			json_array_append_new(mux, json_string(ev->ev[k].name));
	}
	json_object_set_new(o, "events", names);
	json_object_set(o, "not_counted", ev->dropped);
	if (json_object_size(ev->attach_errors))
		json_object_set(o, "attach_errors", ev->attach_errors);
	if (json_array_size(mux))
		json_object_set(o, "multiplexed_scaled", mux);
	json_decref(mux);
	json_object_set_new(o, "counters", json_string(evidence_counters_name(ev->counters)));
	if (ev->counters != COUNTERS_FULL)
		json_object_set_new(
		    o, "counters_left_out",
		    json_string(
			ev->counters == COUNTERS_NONE
			    ? "every default perf counter (--counters=none): the fault "
			      "counts are the kernel's per-thread min_flt/maj_flt, CPU time "
			      "the thread CPU clock (interference), both read at the "
			      "sample ends"
			    : "page-faults, minor-faults, major-faults (--counters=minimal: "
			      "perf_sw_event() in every fault); the fault counts are the "
			      "kernel's per-thread min_flt/maj_flt, read at the sample ends"));
	json_object_set_new(o, "per", json_string("worker task (pid = tid, cpu = -1, no inherit)"));
	json_object_set_new(o, "read",
			    json_string("software events and tracepoints as one group per worker "
					"(one read, one IPI); hardware events one by one"));
	json_object_set_new(
	    defs, SWITCH_D_NAME,
	    json_string("sched:sched_switch with filter '" SWITCH_D_FILTER
			"': the worker went to sleep uninterruptibly (folio lock and "
			"other bit waits, I/O); lock:contention_* does not see folio "
			"locks"));
	json_object_set_new(defs, "sleeps/1000faults",
			    json_string("1000 * " SWITCH_D_NAME " / page-faults (without that "
					"event: the kernel's min_flt + maj_flt), all workers"));
	json_object_set_new(defs, "ctxsw/1000faults",
			    json_string("1000 * context-switches / page-faults (without that "
					"event: the kernel's min_flt + maj_flt), all workers"));
	json_object_set_new(
	    defs, "mmap_lock/fault",
	    json_string("mmap_lock:mmap_lock_start_locking / page-faults (or min_flt + "
			"maj_flt), when asked for with --event"));
	json_object_set_new(o, "derived", defs);
	return o;
}

void evidence_destroy(struct evidence *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; ev->fds && i < ev->nworkers; i++)
		detach(ev, (unsigned)i);
	free(ev->fds);
	free(ev->ids);
	free(ev->leader);
	free(ev->last);
	free(ev->multiplexed);
	json_decref(ev->dropped);
	json_decref(ev->attach_errors);
	free(ev);
}

static int event_index(const struct step_result *r, const char *name)
{
	unsigned k;

	for (k = 0; k < r->nevents && r->event_names; k++)
		if (!strcmp(r->event_names[k], name))
			return (int)k;
	return -1;
}

/* scale * event num / event den, per sample and over the step; den < 0: the kernel's faults. */
static void add_ratio(struct step_result *r, const char *name, int num, int den, double scale)
{
	struct step_total n = STEP_TOTAL(TOTAL_EVENT, (unsigned)num);
	struct step_total d =
	    den >= 0 ? STEP_TOTAL(TOTAL_EVENT, (unsigned)den) : STEP_TOTAL(TOTAL_FAULTS, 0);

	step_add_ratio(r, name, false, n, d, scale);
}

void evidence_derive(struct step_result *r)
{
	int faults, sleeps, ctxsw, mmap_lock;

	if (!r || !r->nsamples || !r->nevents || !r->samples)
		return;
	faults = event_index(r, "page-faults");
	sleeps = event_index(r, SWITCH_D_NAME);
	ctxsw = event_index(r, "context-switches");
	mmap_lock = event_index(r, "mmap_lock:mmap_lock_start_locking");
	if (sleeps >= 0)
		add_ratio(r, "sleeps/1000faults", sleeps, faults, 1000);
	if (ctxsw >= 0)
		add_ratio(r, "ctxsw/1000faults", ctxsw, faults, 1000);
	if (mmap_lock >= 0)
		add_ratio(r, "mmap_lock/fault", mmap_lock, faults, 1);
}
