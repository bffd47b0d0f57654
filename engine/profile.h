/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System-wide call-graph profile of one step with linux-perf: perf record -g
 * while the step runs, then the top kernel symbols and their callers from
 * perf report --stdio, stored in the result.  Missing perf or permission is
 * recorded as the reason there is no profile, never a failure.
 */
#ifndef FB_PROFILE_H
#define FB_PROFILE_H

#include <jansson.h>

struct profile;

/* Start perf record writing perf_data_path; *pp is NULL (reason in *why) if it cannot. */
int profile_start(struct profile **pp, const char *perf_data_path, char **why);
/* Stop, report; {"perf_data": path, "top": [{symbol, percent, callers[...]}...]} or {"skipped": why}. */
json_t *profile_finish(struct profile *p);

#endif
