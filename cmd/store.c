// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench store import|init|info: the results store (docs/store.md).
 *
 *   import DIR|FILE...  add every result file under each DIR (recursively)
 *                       and each FILE; a file already there (the same bytes,
 *                       by SHA-256) is left alone, so an import can be rerun
 *                       any time and several can run at once
 *   init                create the store, or migrate it to this schema
 *   info                the engine, schema version and what the store holds
 *
 * --store names the store: results/faultbench.db by default, a path to an
 * SQLite file, or postgresql://... for a lab's server.
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmds.h"
#include "opt.h"
#include "resultset.h"
#include "store.h"
#include "util.h"

struct store_cmd_opts {
	const char *store;
	long long batch;
};

#define T(field) offsetof(struct store_cmd_opts, field)

const struct opt store_options[] = {
	{ .name = "store",
	  .type = OPT_STR,
	  .def = STORE_DEFAULT,
	  .off = T(store),
	  .help = "the store: an SQLite file, or postgresql://... (libpq's URI)" },
	{ .name = "batch",
	  .type = OPT_INT,
	  .def = "500",
	  .min = 1,
	  .max = 100000,
	  .off = T(batch),
	  .help = "import: files a transaction (another writer waits for it, never longer)" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench store import [--store TARGET] DIR|FILE...\n"
		   "       faultbench store init [--store TARGET]\n"
		   "       faultbench store info [--store TARGET]\n"
		   "\n"
		   "The results store: an index of result files in SQLite (default " STORE_DEFAULT
		   ")\n"
		   "or PostgreSQL, for history, check and compare over many runs and machines\n"
		   "(RUN 'store:machine=big1,label=6.18-rc3'; docs/store.md).\n\noptions:\n");
	opt_print_help(f, store_options);
	return FB_USAGE;
}

struct import {
	struct store *s;
	unsigned batch, in_batch;
	unsigned added, present, skipped;
};

static int flush(struct import *im)
{
	int ret = FB_OK;

	if (im->in_batch)
		ret = store_commit(im->s);
	im->in_batch = 0;
	return ret;
}

/* One file; a file that is not a result is skipped with a warning. */
static int import_file(const char *path, void *arg)
{
	struct import *im = arg;
	size_t len;
	char *text, *origin;
	json_t *doc = NULL;
	bool added = false, was;
	int ret;

	/* a Ctrl-C ends the walk here, between two files: the import says where it stopped */
	if (fb_interrupted)
		return 128 + fb_interrupted;
	text = rs_read_file(path, &len);
	if (text) {
		was = fb_set_quiet(true);
		doc = rs_parse(path, text, len);
		fb_set_quiet(was);
	}
	if (!doc) {
		if (!text)
			fb_warn("cannot read '%s': %s; skipped", path, strerror(errno));
		else
			fb_warn("%s; skipped", fb_last_error());
		im->skipped++;
		free(text);
		return FB_OK;
	}
	origin = realpath(path, NULL);
	ret = im->in_batch++ ? FB_OK : store_begin(im->s);
	if (!ret)
		ret = store_add(im->s, doc, text, len, origin ? origin : path, &added);
	if (!ret) {
		*(added ? &im->added : &im->present) += 1;
		if (im->in_batch >= im->batch)
			ret = flush(im);
	}
	free(origin);
	json_decref(doc);
	free(text);
	return ret;
}

static int import(struct store *s, char **args, int n, unsigned batch)
{
	struct import im = { .s = s, .batch = batch };
	json_t *doc = NULL;
	int ret = FB_OK;

	fb_install_signal_handlers();
	for (int i = 0; i < n && !ret; i++) {
		struct stat st;

		if (stat(args[i], &st))
			ret = fb_usage("cannot read '%s': %s", args[i], strerror(errno));
		else if (S_ISDIR(st.st_mode))
			ret = rs_walk(args[i], true, import_file, &im);
		else if (!(doc = rs_load_file(args[i])))
			ret = FB_USAGE; /* a file named on its own must be a result */
		else
			ret = import_file(args[i], &im);
		json_decref(doc);
		doc = NULL;
	}
	if (!ret)
		ret = flush(&im);
	else if (im.in_batch)
		store_rollback(s); /* what this batch added is not there: rerun the import */
	printf("store %s (%s): %u added, %u already there, %u skipped (not results)\n",
	       store_target(s), store_engine_name(s), ret ? 0 : im.added, im.present, im.skipped);
	if (fb_interrupted)
		ret = fb_error(128 + fb_interrupted,
			       "store import: interrupted; the batch being imported was rolled "
			       "back (rerun the import to finish: files already there are "
			       "skipped)");
	return ret;
}

static int count_runs(long long *out, struct store *s)
{
	struct store_sel sel = { 0 };
	struct store_entry *list;
	size_t n;
	int ret = store_list(s, &sel, NULL, &list, &n);

	*out = (long long)n;
	store_list_free(list, n);
	return ret;
}

static int info(struct store *s)
{
	int v = 0, ret = store_schema_version(s, &v);
	long long runs = 0;

	if (!ret)
		ret = count_runs(&runs, s);
	if (!ret)
		printf("store %s: %s, schema %d, %lld runs\n", store_target(s),
		       store_engine_name(s), v, runs);
	return ret;
}

int cmd_store(int argc, char **argv)
{
	struct store_cmd_opts c;
	struct opt_binding b = { store_options, &c };
	struct store *s = NULL;
	const char *sub;
	int npos, ret;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	if (npos < 1)
		return usage(stderr);
	sub = argv[1];
	if (!strcmp(sub, "import") && npos < 2)
		return fb_usage("store import: which directories or files? see 'faultbench store "
				"--help'");
	if (strcmp(sub, "import") && strcmp(sub, "init") && strcmp(sub, "info"))
		return fb_usage("store: '%s' is not one of import, init, info", sub);
	if (strcmp(sub, "import") && npos > 1)
		return fb_usage("store %s: unexpected argument '%s'", sub, argv[2]);
	if (!*c.store)
		return fb_usage("option '--store' is empty; name a store (an SQLite file or "
				"postgresql://...)");
	ret = store_open(&s, c.store, strcmp(sub, "info") ? STORE_WRITE : STORE_READ);
	if (ret)
		return ret;
	if (!strcmp(sub, "import"))
		ret = import(s, argv + 2, npos - 1, (unsigned)c.batch);
	else if (!strcmp(sub, "info"))
		ret = info(s);
	else
		printf("store %s: %s, schema %d\n", store_target(s), store_engine_name(s),
		       STORE_SCHEMA_VERSION);
	store_close(s);
	return ret;
}
