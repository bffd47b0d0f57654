/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A test binary's scratch directory under /tmp, and at("name") for a path in
 * it: the tests that plant links and files (security, hardening) share one.
 * Static functions: each test binary includes its own copy.
 */
#ifndef FB_TEST_SCRATCH_H
#define FB_TEST_SCRATCH_H

#include <stdio.h>
#include <stdlib.h>

#include "fsfile.h"

static char scratch_dir[64];

/* Make /tmp/fb-test-NAME.XXXXXX: 0, or -1 (a cmocka setup's answer). */
static inline int scratch_make(const char *name)
{
	snprintf(scratch_dir, sizeof(scratch_dir), "/tmp/fb-test-%s.XXXXXX", name);
	return mkdtemp(scratch_dir) ? 0 : -1;
}

/* The scratch directory and all in it, links not followed. */
static inline int scratch_remove(void)
{
	return fsfile_remove_tree(scratch_dir) ? -1 : 0;
}

/* scratch_dir/name; four at a time stay valid (a call's arguments). */
static inline char *at(const char *name)
{
	static char buf[4][512];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/%s", scratch_dir, name);
	return b;
}

#endif
