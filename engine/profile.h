/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Call-graph profile of one step with linux-perf: perf record -g on the
 * step's CPUs while it runs, then the top kernel symbols and their callers from
 * perf report --stdio, stored in the result.  Missing perf or permission is
 * recorded as the reason there is no profile, never a failure.
 */
#ifndef FB_PROFILE_H
#define FB_PROFILE_H

#include <jansson.h>

struct profile;

/*
 * Start perf record for perf_data_path (NAME.perf.data: perf writes in a
 * private directory beside it, and the file is given the first free name of
 * NAME.perf.data, NAME-2.perf.data, ... when done), sampling the CPUs in cpus (a perf
 * -C list, "0,2-3"; NULL: every CPU); *pp is NULL (reason in *why) if it cannot.
 */
int profile_start(struct profile **pp, const char *perf_data_path, const char *cpus, char **why);
/* Stop, report; {"perf_data": path, "top": [{symbol, percent, callers[...]}...]} or {"skipped":
 * why}. */
json_t *profile_finish(struct profile *p);

/*
 * --profile-cpus: a comma list of worker counts ("1,64"), each 1 or more, into
 * *counts (malloc'd, *n of them, in the order given).  0 or -1 (bad list,
 * *counts NULL); "all" is the caller's.
 */
int profile_parse_counts(const char *spec, unsigned **counts, unsigned *n);
/*
 * Parse the text of perf report --stdio --no-children --sort symbol -g
 * folded,...,callee (modified in place): the top kernel symbols as
 * [{symbol, percent, callers [{percent, callers [frame...]}...]}...], and the
 * header's "samples" and "event" set into out.
 */
json_t *profile_parse_report(char *text, json_t *out);

#endif
