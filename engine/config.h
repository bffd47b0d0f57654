/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Suite configuration files (configs/NAME.ini, read with libinih), in the style
 * of fio job files: a [global] section and one section per job, whose keys
 * are exactly the command-line option names of "faultbench run".  Every key
 * is validated through the same options tables as the command line, so a
 * config can never mean something the command line would not.
 *
 *   [global]
 *   repeat = 3              ; applies to every job (a job's own key wins)
 *   [pf1-sweep]
 *   bench = pf1             ; the benchmark or preset; default: the section name
 *   cpus = walk
 */
#ifndef FB_CONFIG_H
#define FB_CONFIG_H

struct cfg_kv {
	char *key, *value;
	unsigned line;
};

struct cfg_job {
	char *name;    /* the section */
	char *bench;   /* "bench" key, else the section name */
	unsigned line; /* of the section header */
	unsigned nkv;
	struct cfg_kv *kv; /* the job's own keys, without "bench" */
};

struct config {
	char *path;
	unsigned nglobal;
	struct cfg_kv *global;
	unsigned njobs;
	struct cfg_job *jobs;
};

/*
 * Read and validate a config file.  FB_OK, or FB_USAGE after a message that
 * names the file, the line and the option ("configs/x.ini:12: option 'cpus': ...").
 * config_free() is safe after a failure.
 */
int config_load(const char *path, struct config *cfg);
void config_free(struct config *cfg);

/*
 * The effective options of job i, global keys first and then the job's own
 * (a job's key replaces the global one of that name), as "--key=value"
 * strings; NULL-terminated, free with config_free_argv().
 */
char **config_job_options(const struct config *cfg, unsigned i, unsigned *n);
void config_free_argv(char **argv);

#endif
