// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the vm guest result copy (vm/guest_copy.c), whose input is a
 * disk the guest wrote.  The input describes the guest's out/ tree, one
 * entry per line: "d NAME" a directory, "f NAME CONTENT" a file (CONTENT to
 * the end of the line, "\n" for a newline), "l NAME TARGET" a symbolic link
 * (TARGET "@out" is a directory outside the results, "@keep" a file there),
 * "p NAME" a link planted in the host's results directory to "@out",
 * "r RELEASE" the release the guest reports.  The tree is made in a private
 * directory and copied; then nothing outside the results directory may have
 * changed.  Every NAME also goes through vm_guest_dest(), whose answer must
 * lie below the results directory.
 */
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "guest_copy.h"
#include "util.h"

#define MAX_ENTRIES 32

static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/* vm_guest_dest()'s promise: below "/r", no "." or ".." or empty component. */
static void check_dest(const char *name)
{
	const char *why = NULL;
	char *d = vm_guest_dest("/r", name, &why), *p;

	if (!d) {
		if (!why)
			abort();
		return;
	}
	if (strncmp(d, "/r/", 3) || strstr(d, "//") || strstr(d, "/./") || strstr(d, "/../") ||
	    (strlen(d) >= 3 && !strcmp(d + strlen(d) - 3, "/..")) ||
	    (strlen(d) >= 2 && !strcmp(d + strlen(d) - 2, "/.")))
		abort();
	for (p = d; *p; p++)
		if ((unsigned char)*p < 0x20)
			abort();
	free(d);
}

/*
 * The directory fd of name's parent below root, made as needed, never
 * through a link (the harness must not write outside either); -1 if not.
 */
static int parent_dir(int root, char *name, char **leaf)
{
	int fd = dup(root);
	char *p = name, *slash;

	while (fd >= 0 && (slash = strchr(p, '/'))) {
		int sub;

		*slash = '\0';
		if (!*p || !strcmp(p, "..")) {
			close(fd);
			return -1;
		}
		mkdirat(fd, p, 0700);
		sub = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = sub;
		p = slash + 1;
	}
	*leaf = p;
	if (fd >= 0 && (!*p || !strcmp(p, "..") || !strcmp(p, "."))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void make_entry(int guest, const char *outside, char *line, const char *res,
		       const char **release)
{
	char kind = line[0], *name = line + 2, *rest, *leaf, *target;
	int dir, fd;

	if (strlen(line) < 3 || line[1] != ' ')
		return;
	if (kind == 'r') {
		*release = name;
		return;
	}
	rest = strchr(name, ' ');
	if (rest)
		*rest++ = '\0';
	check_dest(name);
	if (kind == 'p') {
		char *p;

		if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
			return;
		p = xasprintf("%s/%s", res, name);
		symlink(outside, p);
		free(p);
		return;
	}
	dir = parent_dir(guest, name, &leaf);
	if (dir < 0)
		return;
	if (kind == 'd') {
		mkdirat(dir, leaf, 0700);
	} else if (kind == 'f' && rest) {
		unescape(rest);
		fd = openat(dir, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (write(fd, rest, strlen(rest)) < 0)
				(void)0;
			close(fd);
		}
	} else if (kind == 'l' && rest) {
		target = !strcmp(rest, "@out")	  ? xstrdup(outside)
			 : !strcmp(rest, "@keep") ? xasprintf("%s/keep", outside)
						  : xstrdup(rest);
		symlinkat(target, dir, leaf);
		free(target);
	}
	close(dir);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path);
}

/* outside/ holds keep ("keep") and nothing else; root holds guest, res, outside. */
static void check_untouched(const char *root, const char *outside)
{
	char *keep = xasprintf("%s/keep", outside), *text = read_text_file(keep);
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	if (!text || strcmp(text, "keep"))
		abort();
	free(text);
	free(keep);
	d = opendir(outside);
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (!d || n != 1)
		abort();
	closedir(d);
	d = opendir(root);
	n = 0;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (!d || n != 3)
		abort();
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char shm[] = "/dev/shm/fb-fuzz-guestcopy-XXXXXX", tmp[] = "/tmp/fb-fuzz-guestcopy-XXXXXX";
	char *root, *s = fuzz_string(data, size), *line, *save = NULL;
	char *guest, *res, *outside, *keep, *console;
	const char *release = NULL;
	struct vm_copy c = { .max_file = 256, .quiet = true };
	unsigned entries = 0;
	int gfd;
	FILE *f;

	fb_set_quiet(true);
	/* tmpfs when there is one: many small trees a second, no disk */
	root = mkdtemp(shm) ? shm : mkdtemp(tmp);
	if (!root) {
		free(s);
		return 0;
	}
	guest = xasprintf("%s/guest", root);
	res = xasprintf("%s/res", root);
	outside = xasprintf("%s/outside", root);
	keep = xasprintf("%s/keep", outside);
	mkdir(guest, 0700);
	mkdir(res, 0700);
	mkdir(outside, 0700);
	f = fopen(keep, "w");
	if (f) {
		fputs("keep", f);
		fclose(f);
	}
	gfd = open(guest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (line = strtok_r(s, "\n", &save); line && entries < MAX_ENTRIES && gfd >= 0;
	     line = strtok_r(NULL, "\n", &save), entries++)
		make_entry(gfd, outside, line, res, &release);
	if (gfd >= 0)
		close(gfd);
	c.results = res;
	c.meta = json_pack("{s:s}", "accel", "tcg");
	console = vm_console_dest(&c, guest, release);
	if (console && strncmp(console, res, strlen(res)))
		abort();
	vm_copy_results(&c, guest);
	if (console)
		vm_copy_below(res, keep, console);
	check_untouched(root, outside);
	json_decref(c.meta);
	free(console);
	nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(guest);
	free(res);
	free(outside);
	free(keep);
	free(s);
	return 0;
}
