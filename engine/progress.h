/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The progress of a sweep on stderr:
 *   [2/8] nopage: 4 CPUs, repeat 1/2, 2.41M pages/s, ETA 0:37
 * On a terminal one line rewritten in place, with the rate of the running
 * step's last sample (will-it-scale's per-second line); otherwise one line
 * per finished step, so a log shows how far a run got.  The ETA comes from
 * the plan from the first step on (warm-up + samples x sample-time per step)
 * and is scaled by how long finished steps really took (worker start,
 * setup, teardown).
 */
#ifndef FB_PROGRESS_H
#define FB_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

struct step_result;

struct progress {
	FILE *f;
	bool enabled, tty;
	const char *name;     /* bench or preset */
	const char *unit;     /* "pages": the live rate is of counter 0 */
	unsigned total, done; /* steps */
	unsigned repeats;
	double planned_step;	       /* seconds a step should take; 0: unknown */
	double started, step_started;  /* monotonic */
	double spent_done;	       /* seconds the finished steps took */
	const struct step_result *cur; /* the running step */
	double rate;		       /* counter 0 per second over the last sample; <0 none */
};

/*
 * planned_step: warm-up + samples x sample-time, or 0 when the benchmark times
 * itself (kernbench's builds): the ETA then starts after the first step.
 */
void progress_begin(struct progress *p, FILE *f, bool enabled, bool tty, const char *name,
		    const char *unit, unsigned total, unsigned repeats, double planned_step);
void progress_step_start(struct progress *p, const struct step_result *r);
/* From the runner after each sample of the running step. */
void progress_sample(const struct step_result *r);
void progress_step_end(struct progress *p);
void progress_end(struct progress *p);

/* Seconds left: the plan scaled by what finished steps took. <0: unknown. */
double progress_eta(const struct progress *p, double now);
/* 2410000 -> "2.41M", 950 -> "950": SI prefixes, three significant digits. */
const char *progress_si(char *buf, size_t len, double v);

#endif
