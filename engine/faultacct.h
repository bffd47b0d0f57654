/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every fault accounted for: the faults a step's workers took inside the
 * sample windows (what the rates are made of) and outside them (setup and
 * first touch, between samples, after the last sample and teardown), so
 * that sampled + unsampled is the kernel's own count for the workers, and
 * the run's total adds the harness's own faults (the main process and the
 * commands it ran).  Nobody can then mistake harness work for the
 * benchmark's, or miss faults the samples do not see.
 */
#ifndef FB_FAULTACCT_H
#define FB_FAULTACCT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

#include "step.h"

/* One worker's cumulative fault count (minflt + majflt) at three instants. */
struct fault_marks {
	uint64_t first;	  /* at the start of the first sample */
	uint64_t last;	  /* at the end of the last sample */
	uint64_t final;	  /* the worker's own getrusage() after its teardown */
	bool final_known; /* false: the worker failed or was not read */
};

/*
 * steps[i].extra.faults: { "sampled", "unsampled", "total", "before_samples",
 * "between_samples", "after_samples", "per_worker": [{"sampled", "unsampled"}] };
 * the unsampled figures and total are null when a worker's final count is unknown.
 */
json_t *fault_acct_step_json(const struct step_result *r, const struct fault_marks *m, unsigned n);

/*
 * The run's top-level "faults": the steps' sums, and "harness": what the
 * process and its children took besides the workers, up to process_faults
 * (getrusage of self and children when the result is made).
 */
json_t *fault_acct_run_json(const struct step_result *steps, unsigned nsteps,
			    uint64_t process_faults);

/* minflt + majflt of this process (every thread, live or gone) and its waited-for children. */
uint64_t fault_acct_process_faults(void);

#endif
