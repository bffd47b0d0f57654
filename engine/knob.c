// SPDX-License-Identifier: GPL-2.0
/*
 * --knob: a sysfs/procfs setting (or, test-only, a worker environment
 * variable) run as interleaved variants, and put back afterwards.  See
 * knob.h for what is refused and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "knob.h"
#include "util.h"

#define KNOB_ENV_PREFIX	 "env:"
#define KNOB_ENV_ALLOWED "FB_TEST_"

/*
 * Open a file under /sys or /proc without leaving that filesystem: the
 * path is resolved beneath the mount's root, a symlink may not lead out of
 * it (or to another mount), and /proc's magic links (/proc/PID/fd/N) are
 * refused.  Returns the descriptor or -errno.
 */
static int knob_open(const char *path, int flags)
{
	const char *root = !strncmp(path, "/sys/", 5) ? "/sys" : "/proc";
	struct open_how how = {
		.flags = (unsigned long long)(flags | O_CLOEXEC | O_NOCTTY),
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	int dfd, fd;

	dfd = open(root, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = (int)syscall(SYS_openat2, dfd, path + strlen(root) + 1, &how, sizeof(how));
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

/*
 * The file's current setting: its first line, or the [chosen] word of a
 * list like THP's "always [madvise] never".  NULL with errno on failure.
 */
static char *knob_read(const char *path)
{
	char buf[4096], *sel, *end;
	ssize_t n;
	int fd = knob_open(path, O_RDONLY);

	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	sel = strchr(buf, '[');
	if (sel && (end = strchr(sel, ']'))) {
		*end = '\0';
		return xstrdup(sel + 1);
	}
	return xstrdup(buf);
}

static int knob_write(const char *path, const char *value)
{
	char *line = xasprintf("%s\n", value);
	int fd = knob_open(path, O_WRONLY), err = 0;
	size_t len = strlen(line);

	if (fd < 0) {
		free(line);
		return fd;
	}
	if (write(fd, line, len) != (ssize_t)len)
		err = errno ? -errno : -EIO;
	close(fd);
	free(line);
	return err;
}

static bool path_ok(const char *p)
{
	if (strncmp(p, "/sys/", 5) && strncmp(p, "/proc/", 6))
		return false;
	/* the resolution refuses escapes too; a plain name is clearer in messages */
	return !strstr(p, "/../") && !strstr(p, "/./") && !strstr(p, "//") &&
	       strcmp(p + strlen(p) - 3, "/..") && p[strlen(p) - 1] != '/';
}

static bool env_value_ok(const char *v)
{
	if (!*v || strlen(v) > 12)
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

static int split_values(struct knob *k, char *list, const char *spec)
{
	char *save = NULL, *tok;

	if (!*list)
		return fb_usage("option '--knob': '%s' has no values; use PATH=V1,V2", spec);
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (k->nvalues == KNOB_MAX_VALUES)
			return fb_usage("option '--knob': '%s' has more than %d values", spec,
					KNOB_MAX_VALUES);
		if (strpbrk(tok, "\n/ ") || strlen(tok) > 64)
			return fb_usage("option '--knob': value '%s' is not a plain word", tok);
		if (k->env && !env_value_ok(tok))
			return fb_usage("option '--knob': value '%s' of %s is not a whole number",
					tok, k->path);
		for (unsigned i = 0; i < k->nvalues; i++)
			if (!strcmp(k->values[i], tok))
				return fb_usage("option '--knob': value '%s' is given twice", tok);
		k->values[k->nvalues++] = tok;
	}
	if (!k->nvalues)
		return fb_usage("option '--knob': '%s' has no values; use PATH=V1,V2", spec);
	return FB_OK;
}

static int check_env(struct knob *k, const char *spec)
{
	const char *v;

	if (strncmp(k->path, KNOB_ENV_ALLOWED, strlen(KNOB_ENV_ALLOWED)))
		return fb_usage("option '--knob': '%s': only test-only variables %s* may be set "
				"with env:",
				spec, KNOB_ENV_ALLOWED);
	v = getenv(k->path);
	k->saved = v ? xstrdup(v) : NULL;
	k->saved_valid = true;
	k->name = k->path;
	return FB_OK;
}

static int check_file(struct knob *k, const char *spec)
{
	struct stat st;
	int fd;

	if (!path_ok(k->path))
		return fb_usage("option '--knob': '%s' is not a file under /sys or /proc "
				"(an absolute path without '.', '..' or '//')",
				k->path);
	if (geteuid() != 0)
		return fb_skip("option '--knob': writing %s needs root", k->path);
	fd = knob_open(k->path, O_RDONLY);
	if (fd < 0)
		return fb_usage("option '--knob': cannot open %s: %s%s", k->path, strerror(-fd),
				fd == -EXDEV || fd == -ELOOP ? " (a link out of its filesystem)"
							     : "");
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fb_usage("option '--knob': %s is not a regular file", k->path);
	}
	close(fd);
	k->saved = knob_read(k->path);
	if (!k->saved)
		return fb_usage("option '--knob': cannot read %s (%s): a knob must be read back "
				"to be restored",
				k->path, strerror(errno));
	k->saved_valid = true;
	k->name = strrchr(k->path, '/') + 1;
	(void)spec;
	return FB_OK;
}

int knob_parse(const char *spec, struct knob *k)
{
	char *eq;
	int ret;

	*k = (struct knob){ .current = -1 };
	k->spec_copy = xstrdup(spec);
	eq = strchr(k->spec_copy, '=');
	if (!eq || eq == k->spec_copy)
		return fb_usage("option '--knob': '%s' is not PATH=V1,V2", spec);
	*eq = '\0';
	k->path = k->spec_copy;
	if (!strncmp(k->path, KNOB_ENV_PREFIX, strlen(KNOB_ENV_PREFIX))) {
		k->env = true;
		k->path += strlen(KNOB_ENV_PREFIX);
	}
	ret = split_values(k, eq + 1, spec);
	if (!ret)
		ret = k->env ? check_env(k, spec) : check_file(k, spec);
	return ret;
}

int knob_set(struct knob *k, unsigned i)
{
	int err;

	if (i >= k->nvalues || k->current == (int)i)
		return FB_OK;
	k->written = true;
	if (k->env) {
		setenv(k->path, k->values[i], 1);
		k->current = (int)i;
		return FB_OK;
	}
	err = knob_write(k->path, k->values[i]);
	if (err)
		return fb_fail("--knob: cannot write '%s' to %s: %s", k->values[i], k->path,
			       strerror(-err));
	k->current = (int)i;
	return FB_OK;
}

void knob_restore(struct knob *k)
{
	int err;

	if (!k->written || !k->saved_valid)
		return;
	k->written = false;
	k->current = -1;
	if (k->env) {
		if (k->saved)
			setenv(k->path, k->saved, 1);
		else
			unsetenv(k->path);
		return;
	}
	err = knob_write(k->path, k->saved);
	if (err)
		fb_warn("--knob: could not restore %s to '%s': %s", k->path, k->saved,
			strerror(-err));
}

static struct knob *exit_knob;

static void restore_exit_knob(void)
{
	if (exit_knob)
		knob_restore(exit_knob);
}

void knob_restore_at_exit(struct knob *k)
{
	static bool registered;

	exit_knob = k;
	if (!registered && !atexit(restore_exit_knob))
		registered = true;
}

void knob_free(struct knob *k)
{
	if (exit_knob == k)
		exit_knob = NULL;
	free(k->saved);
	free(k->spec_copy);
	*k = (struct knob){ .current = -1 };
}

unsigned knob_variant_order(unsigned rep, unsigned k, unsigned nvariants)
{
	return rep % 2 ? nvariants - 1 - k : k;
}
