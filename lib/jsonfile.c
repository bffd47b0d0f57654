// SPDX-License-Identifier: GPL-2.0
/*
 * A JSON document to a new file (see jsonfile.h): temporary name, then link(),
 * which fails when the name exists, unlike rename().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonfile.h"
#include "util.h"

int json_write_new_file(json_t *doc, const char *path)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int ret = FB_OK;

	if (json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(10)))
		ret = fb_fail("cannot write '%s': %s", tmp, strerror(errno));
	else if (link(tmp, path))
		ret = fb_fail("cannot create '%s': %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return ret;
}
