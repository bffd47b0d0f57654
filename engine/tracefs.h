/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where tracefs is and what a tracepoint's perf id is.  perf_event_open()
 * wants the numeric id of a tracepoint (PERF_TYPE_TRACEPOINT), which only
 * tracefs tells: events/SYS/NAME/id.  debugfs may be locked down (it is on
 * some test machines), so /sys/kernel/tracing comes first and is mounted
 * when we are root and it is not.
 */
#ifndef FB_TRACEFS_H
#define FB_TRACEFS_H

#include <stddef.h>

/*
 * The tracefs directory ("/sys/kernel/tracing"), mounting it if needed and
 * possible; NULL with the reason in why when there is none.
 */
const char *tracefs_dir(char *why, size_t whylen);

/*
 * The perf id of tracepoint "sys:name" (or "sys/name").  Returns the id (>= 0),
 * -ENOENT for a tracepoint this kernel does not have, -EINVAL for a name
 * that is not sys:name, or another -errno with the reason in why.
 */
long long tracefs_event_id(const char *event, char *why, size_t whylen);

#endif
