// SPDX-License-Identifier: GPL-2.0
/*
 * Tracepoint ids from tracefs, for perf_event_open(PERF_TYPE_TRACEPOINT).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/magic.h>

#include "fsfile.h"
#include "tracefs.h"
#include "util.h"

static bool is_tracefs(const char *dir)
{
	return fsfile_is_fs(dir, TRACEFS_MAGIC);
}

const char *tracefs_dir(char *why, size_t whylen)
{
	/* debugfs/tracing is an automount of tracefs; it fails when debugfs is locked. */
	static const char *const dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	static const char *found;
	size_t i;

	if (found)
		return found;
	for (i = 0; i < ARRAY_SIZE(dirs); i++)
		if (is_tracefs(dirs[i]))
			return found = dirs[i];
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 && is_tracefs(dirs[0]))
		return found = dirs[0];
	snprintf(why, whylen, "tracefs is not mounted at %s and mounting it failed: %s", dirs[0],
		 strerror(errno));
	return NULL;
}

static bool valid_part(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!(s[i] == '_' || s[i] == '-' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

long long tracefs_event_id(const char *event, char *why, size_t whylen)
{
	const char *sep = strpbrk(event, ":/"), *dir;
	char path[512], *line, *end;
	long long id;

	if (!sep || !valid_part(event, sep - event) || !valid_part(sep + 1, strlen(sep + 1))) {
		snprintf(why, whylen, "'%s' is not a tracepoint name sys:name", event);
		return -EINVAL;
	}
	dir = tracefs_dir(why, whylen);
	if (!dir)
		return -ENODEV;
	snprintf(path, sizeof(path), "%s/events/%.*s/%s/id", dir, (int)(sep - event), event,
		 sep + 1);
	errno = 0;
	line = read_first_line(path);
	if (!line) {
		int err = errno ? errno : ENOENT;

		if (err == EACCES || err == EPERM) /* it exists, we may not read it */
			snprintf(why, whylen,
				 "cannot read tracepoint '%s' (%s: %s): tracefs needs root", event,
				 path, strerror(err));
		else
			snprintf(why, whylen, "no tracepoint '%s' in this kernel (%s: %s)", event,
				 path, strerror(err));
		return err == ENOENT ? -ENOENT : -err;
	}
	errno = 0;
	id = strtoll(line, &end, 10);
	if (errno || end == line || id < 0) {
		snprintf(why, whylen, "%s: '%s' is not an id", path, line);
		free(line);
		return -EINVAL;
	}
	free(line);
	return id;
}
