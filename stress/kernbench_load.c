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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "fsfile.h"
#include "kernbench_load.h"
#include "spawn.h"
#include "util.h"

/* Is prog an executable file in one of $PATH's directories? */
static bool in_path(const char *prog)
{
	char *path = spawn_find_program(prog, NULL);
	bool found = path;

	free(path);
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
	if (fsfile_mkdtemp(l->dir, "stress: kernbench load", FB_FAIL)) {
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
	struct spawn sp = {
		.argv =
		    (const char *const[]){ l->exe, "run", "kernbench", "--cpus=max",
					   "--jobs=optimal", "--iterations=1000", "--progress=off",
					   "--dir", l->dir, "--output", l->result, NULL },
		.out = { SPAWN_FILE, .path = l->log },
		.err = { SPAWN_TO_STDOUT },
		/* the harness's SIGTERM to this child must reach kernbench, which then stops */
		.pass_interrupt = true,
	};

	fb_install_signal_handlers(); /* the harness reset them to SIG_DFL in this child */
	_exit(spawn_run(&sp));
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
