/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-side evidence per worker through perf_event_open: software events
 * (page-faults, minor/major faults, context switches, migrations, task-clock),
 * hardware events where supported, and tracepoints by name.  Counters are
 * opened by the parent on each worker's task after it is ready, so the hot loop
 * does nothing extra.
 */
#ifndef FB_EVIDENCE_H
#define FB_EVIDENCE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "step.h"

struct evidence;

/*
 * Prepare the event list: the default events of counters (enum
 * counters_mode, engine/runopts.h: full, minimal or none of them) plus
 * "extra" (a comma list of perf event names and tracepoints "sys:name"; may
 * be NULL).  Events the machine cannot count are dropped and recorded with
 * the reason, never an error.  FB_OK or FB_USAGE (an unknown event name).
 */
int evidence_create(struct evidence **evp, int counters, const char *extra, unsigned nworkers);
/* "full", "minimal", "none": the --counters choice of a mode. */
const char *evidence_counters_name(int counters);
/* Attach the counters to one worker's task; failures are recorded, not fatal. */
void evidence_attach(struct evidence *ev, unsigned worker, pid_t tid);
unsigned evidence_count(const struct evidence *ev);
const char *evidence_name(const struct evidence *ev, unsigned i);
/* Current values of worker w's counters (cumulative); 0 for a dropped event. */
void evidence_read(struct evidence *ev, unsigned worker, uint64_t *vals);
/* What was dropped and why, derived figures' definitions: into step extra. */
json_t *evidence_describe(const struct evidence *ev);
void evidence_destroy(struct evidence *ev);
/* Derived per-step metrics (sleeps per 1,000 faults, ...) from the samples. */
void evidence_derive(struct step_result *r);

#endif
