/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interference, measured per sample: how much of a sample's wall time each
 * pinned worker really had its CPU, and who else had it.  A shared machine
 * (a cloud VM, a lab box, a CI runner) gives a benchmark less than it asks
 * for at times; a sample taken then is not a figure of the kernel under test,
 * and the result must say which ones those are (issue 22).
 *
 * What is read, by the parent, between the workers' samples (never in their
 * loop), and how exact it is:
 *  - per worker, its CPU time: the kernel's per-thread CPU clock
 *    (clock_gettime on pthread_getcpuclockid()/clock_getcpuclockid(), the
 *    same sum_exec_runtime as task-clock, brought up to date by the read),
 *    or else the first field of /proc/.../schedstat (current to a tick);
 *    share = CPU time / wall time, in ns;
 *  - per worker, its run-queue wait: run_delay, the second field of
 *    /proc/.../schedstat (ns; a wait is added when it ends);
 *  - per worker, voluntary and involuntary context switches (/proc/.../status);
 *  - per pinned PU, from its line of /proc/stat: time other tasks (and
 *    interrupts) ran there = its busy time minus our workers' CPU time on it,
 *    and the hypervisor's steal time.  /proc/stat counts in USER_HZ ticks
 *    (10 ms), busy time by sampling at each timer tick: the rule uses the
 *    lowest value the reading allows (see intf_sample_judge());
 *  - PSI cpu "some" (/proc/pressure/cpu total, us), system-wide: recorded,
 *    not part of the rule (it also counts waits on CPUs we do not use).
 */
#ifndef FB_INTERFERENCE_H
#define FB_INTERFERENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <jansson.h>

#include "step.h"

/*
 * A sample is disturbed when, for any worker or pinned PU, one of these is
 * crossed.  Calibrated on the development VM: docs/compare.md "Interference".
 */
struct intf_bounds {
	double share_min; /* a worker that never blocked by itself had less of the wall time */
	double wait_max;  /* a worker waited longer on the run queue */
	double other_max; /* other tasks ran longer on a pinned PU (lowest value read) */
	double steal_max; /* the hypervisor took longer from a pinned PU (lowest value read) */
};
extern const struct intf_bounds intf_bounds;

/* One sample's interference; arrays are per worker or per distinct pinned PU. */
struct intf_sample {
	unsigned nworkers, npus;
	double *share, *wait;	 /* per worker; NAN unknown */
	int64_t *nvcsw, *nivcsw; /* per worker; -1 unknown */
	unsigned *pu;		 /* the distinct pinned PUs */
	double *other, *steal;	 /* per PU, fractions of the wall time; NAN unknown */
	double tick_frac;	 /* one /proc/stat tick as a fraction of the interval */
	double psi_some;	 /* fraction of the wall time; NAN: no PSI here */
	double read_s;		 /* what the reading at the sample's end cost, s */
	bool disturbed;
	unsigned retries; /* disturbed measurements this sample replaced */
	json_t *retried;  /* their figures (intf_sample_json each), or NULL */
};

/* A step's summary: the worst sample's figures and the counts. */
struct intf_step {
	bool known; /* the step has interference figures */
	double share_min, wait_max, other_max, steal_max, psi_some; /* NAN unknown */
	double read_s_max;
	unsigned samples, samples_disturbed, retries;
	bool disturbed;
};

/* ---- pure parts (unit-tested on fixture text) ---- */

/* /proc/.../schedstat: "exec_ns run_delay_ns timeslices".  0 or -1. */
int intf_parse_schedstat(const char *text, uint64_t *exec_ns, uint64_t *delay_ns);
/* voluntary_ctxt_switches and nonvoluntary_ctxt_switches of /proc/.../status.  0 or -1. */
int intf_parse_ctxt(const char *text, uint64_t *nvcsw, uint64_t *nivcsw);
/*
 * The "cpuN" line of /proc/stat: busy ticks (user, nice, system, irq,
 * softirq; guest time is inside user) and steal ticks.  0, or -1 when the
 * line is missing (an offline CPU) or malformed.
 */
int intf_parse_stat_cpu(const char *text, unsigned cpu, uint64_t *busy, uint64_t *steal);
/* The total= of the "some" line of /proc/pressure/cpu, us.  0 or -1. */
int intf_parse_psi_some(const char *text, uint64_t *total_us);
/*
 * The rule: set s->disturbed from the figures and the bounds.  A worker's
 * share counts only when it never blocked by itself (nvcsw 0: whatever it
 * lost went to others, the hypervisor or interrupts); wait always counts;
 * other and steal count at their lowest possible value: steal (kept in ns,
 * printed in ticks) minus one tick, other minus two (busy time is also
 * sampled per timer tick).
 */
bool intf_sample_judge(struct intf_sample *s, const struct intf_bounds *b);

struct intf_sample *intf_sample_alloc(unsigned nworkers, unsigned npus);
void intf_sample_free(struct intf_sample *s);
json_t *intf_sample_json(const struct intf_sample *s);
void intf_step_summary(const struct step_result *r, struct intf_step *out);
json_t *intf_step_json(const struct intf_step *st);
json_t *intf_bounds_json(const struct intf_bounds *b);

/* ---- reading the live system (engine/runner.c) ---- */

struct intf;
struct intf_reading;

/*
 * For the workers pinned to pus[0..n-1]; never fails (what cannot be read
 * stays unknown).  NULL, and no interference recorded (unknown), when the
 * test-only environment variable FB_TEST_NO_INTERFERENCE is set.
 */
struct intf *intf_create(const unsigned *pus, unsigned n);
/*
 * Worker i is task tid (of this process when self_task, its own process
 * otherwise); clk its CPU clock, or -1 to use schedstat.
 */
void intf_attach(struct intf *in, unsigned i, pid_t tid, bool self_task, clockid_t clk);
void intf_destroy(struct intf *in);
struct intf_reading *intf_reading_alloc(const struct intf *in);
void intf_reading_free(struct intf_reading *rd);
/* Read everything now (cumulative); cheap: a clock read and three pread()s per worker. */
void intf_read(struct intf *in, struct intf_reading *rd);
/* The figures between two readings, judged by intf_bounds. */
struct intf_sample *intf_sample_between(const struct intf *in, const struct intf_reading *a,
					const struct intf_reading *b);

#endif
