/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing a JSON document to a new file: written under a temporary name and
 * linked into place, so a reader never sees half a file and an existing file
 * (an earlier run's result) is never overwritten.
 */
#ifndef FB_JSONFILE_H
#define FB_JSONFILE_H

#include <jansson.h>

/* FB_OK, or FB_FAIL with the reason printed. */
int json_write_new_file(json_t *doc, const char *path);

#endif
