// SPDX-License-Identifier: GPL-2.0
/*
 * kernbench as a load alongside a stress test (migrate --scale seed: the 2010
 * report ran kernbench while it raced migration against faults).  The load
 * is faultbench's own kernbench benchmark, run as `faultbench run kernbench`
 * in a directory of its own under --dir: a generated C tree built with
 * make -j(2 x CPUs) over and over.  It is stopped with SIGTERM, on which it
 * stops make and its compilers, removes its tree and writes an incomplete
 * result; the builds counted there are what the stress run reports.  Its
 * numbers are not a benchmark result (they ran beside the stress children).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "kernbench_load.h"
#include "util.h"

/* Is prog an executable file in one of $PATH's directories? */
static bool in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *dir, *save = NULL, file[PATH_MAX];
	bool found = false;

	dirs = xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dirs, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof(file), "%s/%s", dir, prog);
		found = access(file, X_OK) == 0;
	}
	free(dirs);
	return found;
}

int kb_load_prepare(struct kb_load *l, const char *dir)
{
	ssize_t n;

	memset(l, 0, sizeof(*l));
	if (!in_path("make") || !in_path("cc")) {
		snprintf(l->why, sizeof(l->why), "make or cc is not in PATH");
		return -ENOENT;
	}
	n = readlink("/proc/self/exe", l->exe, sizeof(l->exe) - 1);
	if (n <= 0) {
		snprintf(l->why, sizeof(l->why), "/proc/self/exe: %s", strerror(errno));
		return -errno;
	}
	l->exe[n] = '\0';
	snprintf(l->dir, sizeof(l->dir), "%s/fb-stress-kernbench.XXXXXX", dir);
	if (!mkdtemp(l->dir)) {
		int err = errno;

		snprintf(l->why, sizeof(l->why), "cannot create a directory in '%s': %s", dir,
			 strerror(err));
		l->dir[0] = '\0';
		return -err;
	}
	snprintf(l->result, sizeof(l->result), "%s/kernbench.json", l->dir);
	snprintf(l->log, sizeof(l->log), "%s/kernbench.log", l->dir);
	return 0;
}

void kb_load_exec(const struct kb_load *l)
{
	char *argv[] = { (char *)l->exe,    "run",
			 "kernbench",	    "--cpus=max",
			 "--jobs=optimal",  "--iterations=1000",
			 "--progress=off",  "--dir",
			 (char *)l->dir,    "--output",
			 (char *)l->result, NULL };
	int fd = open(l->log, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	execv(l->exe, argv);
	_exit(127);
}

/* The builds the incomplete result holds (the warm-up build is not one of them). */
static unsigned builds_in(const char *result)
{
	json_t *doc = json_load_file(result, 0, NULL), *steps, *step;
	unsigned n = 0;
	size_t i;

	steps = json_object_get(doc, "steps");
	json_array_foreach (steps, i, step)
		n += json_array_size(json_object_get(
		    json_object_get(json_object_get(step, "extra"), "kernbench"), "builds"));
	json_decref(doc);
	return n;
}

/* The log's last line, for a load that ended on its own. */
static void last_line(const char *log, char *buf, size_t len)
{
	char *text = read_text_file(log), *end, *start;

	buf[0] = '\0';
	if (!text)
		return;
	end = text + strlen(text);
	while (end > text && end[-1] == '\n')
		*--end = '\0';
	start = strrchr(text, '\n');
	snprintf(buf, len, "%s", start ? start + 1 : text);
	free(text);
}

unsigned kb_load_finish(struct kb_load *l, char *note, size_t len)
{
	unsigned builds;

	if (!l->dir[0])
		return 0;
	builds = builds_in(l->result);
	last_line(l->log, note, len);
	unlink(l->result);
	unlink(l->log);
	if (rmdir(l->dir))
		fb_warn("stress: kernbench's directory '%s' is not empty (%s): left as it is",
			l->dir, strerror(errno));
	l->dir[0] = '\0';
	return builds;
}
