/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's result files, read off its scratch disk, copied below the
 * host's --results directory.  The guest is not trusted with the host's
 * files: whatever its disk holds (links, "..", absolute or overlong names,
 * huge files, a release string with slashes), nothing is written outside
 * --results, through a link planted there, or over an existing file.
 */
#ifndef FB_VM_GUEST_COPY_H
#define FB_VM_GUEST_COPY_H

#include <stdbool.h>
#include <jansson.h>

/* A guest file larger than this is refused (the scratch disk is at most --disk). */
#define VM_COPY_MAX_FILE (1ULL << 30)
/* Directories below the guest's out/ deeper than this are refused. */
#define VM_COPY_MAX_DEPTH 16

struct vm_copy {
	const char *results;	     /* --results: every file lands below it */
	json_t *meta;		     /* the "vm" object each result JSON gets, or NULL */
	unsigned long long max_file; /* 0: VM_COPY_MAX_FILE */
	bool quiet;		     /* no "result FILE" line for each copy */
	unsigned copied, failed, refused;
};

/*
 * Where the guest file rel (its path below the guest's out/) goes: its path
 * below the guest's results/ (or working directory) under results, with -2,
 * -3, ... before the extension when that file exists.  NULL, and *why, when
 * rel is empty, absolute, has an empty, "." or ".." component or a control
 * byte, or the path would be too long.
 */
char *vm_guest_dest(const char *results, const char *rel, const char **why);

/*
 * Copy every regular file below the directory base (the guest's out/) to
 * c->results, a result JSON with c->meta as its "vm" object; links, devices
 * and the like are refused with a warning, never followed.  Counts in c.
 */
void vm_copy_results(struct vm_copy *c, const char *base);

/*
 * Where the guest's console log goes: beside the first result found below
 * base, as console-<release>.log (the release made a safe file name); NULL
 * when the guest wrote no result.
 */
char *vm_console_dest(const struct vm_copy *c, const char *base, const char *release);

/*
 * Copy the file src to dest, a new file below results (its directories made
 * by fb_mkdir_below(): never through a link planted there); 0 or -1 (errno).
 */
int vm_copy_below(const char *results, const char *src, const char *dest);

#endif
