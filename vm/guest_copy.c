// SPDX-License-Identifier: GPL-2.0
/*
 * The guest result copy: the files the guest's command wrote, read off its
 * scratch disk (vm/extract.c), to the host's --results.  A result JSON gets
 * the "vm" object (kernel, topology, accelerator); other files (*.xml,
 * *.json.gz, a command's redirected output) are copied as they are.
 *
 * The disk is the guest's, and the guest runs a kernel and a command the host
 * did not vet: its names and file types are checked here, not trusted.  The
 * walk opens every directory with O_NOFOLLOW and looks at entries with
 * AT_SYMLINK_NOFOLLOW (a link on the disk is refused, never followed), each
 * destination is a new file below --results made by fb_create(FB_NEW) in
 * directories made by fb_mkdir_below() (never through a link planted on the
 * host), and sizes and depths are bounded.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest_copy.h"
#include "util.h"
#include "vm.h"

/* rel without a leading "./" and the guest's "results/": where it goes below --results. */
static const char *below_results(const char *rel)
{
	if (!strncmp(rel, "./", 2))
		rel += 2;
	if (!strncmp(rel, "results/", 8))
		rel += 8;
	return rel;
}

/* Why rel cannot name a file below --results, or NULL. */
static const char *bad_rel(const char *results, const char *rel)
{
	const char *p = rel, *slash;

	if (!*rel)
		return "an empty name";
	if (*rel == '/')
		return "an absolute name";
	for (const unsigned char *c = (const unsigned char *)rel; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			return "a control character in its name";
	/* room for the -N suffix unused_path() may add */
	if (strlen(results) + strlen(rel) + 16 >= PATH_MAX)
		return "a name too long";
	for (;; p = slash + 1) {
		size_t len;

		slash = strchr(p, '/');
		len = slash ? (size_t)(slash - p) : strlen(p);
		if (!len)
			return "an empty component in its name";
		if ((len == 1 && *p == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return "a '.' or '..' component in its name";
		if (len > NAME_MAX)
			return "a component too long in its name";
		if (!slash)
			return NULL;
	}
}

/* p, or when a file of that name exists p with -2, -3, ... before its extension (p is taken). */
static char *unused_path(char *p)
{
	const char *slash = strrchr(p, '/'), *dot = strrchr(p, '.');
	char *base, *ext, *q = p;

	if (access(p, F_OK))
		return p;
	/* Never overwrite a result: add a suffix. */
	if (dot && slash && dot < slash)
		dot = NULL;
	ext = xstrdup(dot ? dot : "");
	base = xasprintf("%.*s", (int)(dot ? (size_t)(dot - p) : strlen(p)), p);
	/* bounded: a guest cannot make the host count for ever (FB_NEW refuses the last) */
	for (unsigned i = 2; !access(q, F_OK) && i < 100000; i++) {
		if (q != p)
			free(q);
		q = xasprintf("%s-%u%s", base, i, ext);
	}
	free(p);
	free(base);
	free(ext);
	return q;
}

/* results/rel (rel already below results) when rel is a safe name, else NULL and *why. */
static char *dest_of(const char *results, const char *rel, const char **why)
{
	*why = bad_rel(results, rel);
	return *why ? NULL : unused_path(xasprintf("%s/%s", results, rel));
}

char *vm_guest_dest(const char *results, const char *rel, const char **why)
{
	return dest_of(results, below_results(rel), why);
}

/* Copy the open file in into the new file out (both closed here); 0 or -1. */
static int copy_fd(int in, int out)
{
	char buf[65536];
	ssize_t n;
	int ret = 0;

	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			ret = -1;
			break;
		}
	if (n < 0)
		ret = -1;
	if (close(out))
		ret = -1;
	close(in);
	return ret;
}

int vm_copy_below(const char *results, const char *src, const char *dest)
{
	size_t n = strlen(results);
	const char *rel = dest + n + 1, *slash = strrchr(dest, '/');
	char *dir;
	int in, out, e;

	/* dest is results/REL: REL's directories made below results, never through a link */
	if (strncmp(dest, results, n) || dest[n] != '/')
		return errno = EINVAL, -1;
	dir = xasprintf("%.*s", slash > rel ? (int)(slash - rel) : 0, rel);
	e = fb_mkdir_below(results, dir);
	free(dir);
	if (e < 0)
		return errno = -e, -1;
	in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = fb_create(dest, FB_NEW);
	if (out < 0) {
		close(in);
		errno = -out;
		return -1;
	}
	return copy_fd(in, out);
}

/* A result JSON gets the "vm" object; any other file is copied as it is. */
static int write_host_copy(int src, const char *name, const char *dest, json_t *meta)
{
	int fd = fb_create(dest, FB_NEW);
	json_error_t err;
	json_t *doc;
	FILE *f;
	int ret;

	if (fd < 0) {
		close(src);
		return errno = -fd, -1;
	}
	doc = vm_ends_with(name, ".json") ? json_loadfd(src, 0, &err) : NULL;
	/* not JSON after all (a command's stdout redirected there): kept as it is */
	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		if (lseek(src, 0, SEEK_SET)) {
			close(src);
			close(fd);
			return -1;
		}
		return copy_fd(src, fd);
	}
	close(src);
	if (meta)
		json_object_set(doc, "vm", meta);
	f = fdopen(fd, "w");
	ret = f ? json_dumpf(doc, f, JSON_INDENT(1) | JSON_SORT_KEYS) : -1;
	if (f ? fclose(f) : close(fd))
		ret = -1;
	json_decref(doc);
	return ret;
}

/* The walk below the guest's out/: one visit per entry that is not a directory. */
struct walk {
	struct vm_copy *c;
	void (*visit)(struct walk *w, int dirfd, const char *name, const char *rel,
		      const struct stat *st);
	char *first; /* vm_console_dest(): the first regular file found */
	bool stop, silent;
};

static void refuse(struct walk *w, const char *rel, const char *why)
{
	if (w->silent)
		return;
	fb_warn("vm: the guest's result '%s' has %s: not copied", rel, why);
	w->c->refused++;
}

static void walk_dir(struct walk *w, int fd, const char *rel, unsigned depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;

	if (!d) {
		close(fd);
		return;
	}
	while (!w->stop && (e = readdir(d))) {
		struct stat st;
		char *r;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			refuse(w, r, "no status it can read");
		} else if (!S_ISDIR(st.st_mode)) {
			w->visit(w, dirfd(d), e->d_name, r, &st);
		} else if (depth >= VM_COPY_MAX_DEPTH) {
			refuse(w, r, "too many directories above it");
		} else {
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				walk_dir(w, sub, r, depth + 1);
			else
				refuse(w, r, "a directory it cannot open");
		}
		free(r);
	}
	closedir(d);
}

static void walk_base(struct walk *w, const char *base)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0)
		walk_dir(w, fd, "", 0);
}

/* The guest file name (in dirfd) to dest, its directory dir made below --results; 0 or errno. */
static int write_one(int dirfd, const char *name, const char *dir, const char *dest,
		     const struct vm_copy *c)
{
	int src = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), e;

	if (src < 0)
		return errno;
	e = fb_mkdir_below(c->results, dir);
	if (e < 0) {
		close(src);
		return -e;
	}
	errno = 0;
	if (write_host_copy(src, name, dest, c->meta))
		return errno ? errno : EIO;
	return 0;
}

static void copy_one(struct walk *w, int dirfd, const char *name, const char *rel,
		     const struct stat *st)
{
	struct vm_copy *c = w->c;
	unsigned long long max = c->max_file ? c->max_file : VM_COPY_MAX_FILE;
	const char *r = below_results(rel), *why, *slash;
	char *dest, *dir;
	int err;

	if (!S_ISREG(st->st_mode)) {
		refuse(w, rel, "a type other than a regular file (a link?)");
		return;
	}
	if ((unsigned long long)st->st_size > max) {
		refuse(w, rel, "a size over the limit");
		return;
	}
	dest = dest_of(c->results, r, &why);
	if (!dest) {
		refuse(w, rel, why);
		return;
	}
	slash = strrchr(r, '/');
	dir = xasprintf("%.*s", slash ? (int)(slash - r) : 0, r);
	err = write_one(dirfd, name, dir, dest, c);
	if (err) {
		fb_warn("vm: cannot write %s: %s", dest, strerror(err));
		c->failed++;
	} else {
		if (!c->quiet)
			fprintf(stderr, "faultbench: vm: result %s\n", dest);
		c->copied++;
	}
	free(dir);
	free(dest);
}

void vm_copy_results(struct vm_copy *c, const char *base)
{
	struct walk w = { .c = c, .visit = copy_one };

	walk_base(&w, base);
}

static void find_first(struct walk *w, int dirfd, const char *name, const char *rel,
		       const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return;
	w->first = xstrdup(rel);
	w->stop = true;
}

/* The release as a file name: anything but [A-Za-z0-9._+-] becomes '_'. */
static char *safe_release(const char *release)
{
	char *s = xasprintf("%.64s", release && *release ? release : "unknown");

	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '+' || *p == '-'))
			*p = '_';
	return s;
}

char *vm_console_dest(const struct vm_copy *c, const char *base, const char *release)
{
	struct vm_copy quiet = *c;
	struct walk w = { .c = &quiet, .visit = find_first, .silent = true };
	const char *r, *slash, *why;
	char *rel, *rname, *dest;

	walk_base(&w, base);
	if (!w.first)
		return NULL;
	/* the directory of its host copy (copy_one()'s rule), not the copy itself */
	r = below_results(w.first);
	slash = strrchr(r, '/');
	rname = safe_release(release);
	rel = xasprintf("%.*sconsole-%s.log", slash ? (int)(slash - r + 1) : 0, r, rname);
	dest = dest_of(c->results, rel, &why);
	free(rname);
	free(rel);
	free(w.first);
	return dest;
}
