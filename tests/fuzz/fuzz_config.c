// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the INI config loader (suite FILE.ini), the input being the
 * file: inih, the byte checks, every key through the options tables, the
 * checks run makes, and each job's command line.
 */
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	struct config cfg;
	int fd = fuzz_memfd(data, size, path, sizeof(path));

	if (fd < 0)
		return 0;
	fb_set_quiet(true);
	if (!config_load(path, &cfg)) {
		for (unsigned i = 0; i < cfg.njobs; i++) {
			unsigned n;

			config_free_argv(config_job_options(&cfg, i, &n));
		}
	}
	config_free(&cfg);
	close(fd);
	return 0;
}
