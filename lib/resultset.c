// SPDX-License-Identifier: GPL-2.0
/*
 * Loading result files: one file, a directory of them, or a label under
 * results/.  zlib's gzread() reads plain files as they are, so .json and
 * .json.gz go through the same path (nightly archives are usually gzipped).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "resultset.h"
#include "util.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

bool rs_is_result_name(const char *name)
{
	return name[0] != '.' && (ends_with(name, ".json") || ends_with(name, ".json.gz"));
}

char *rs_read_file(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	char *buf;
	int got;

	if (!gz)
		return NULL;
	gzbuffer(gz, 1 << 17);
	buf = xmalloc(cap + 1);
	for (;;) {
		if (cap - n < (1 << 15)) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = gzread(gz, buf + n, (unsigned)(cap - n));
		if (got < 0) {
			free(buf);
			gzclose(gz);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(gz);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

json_t *rs_load_file(const char *path)
{
	json_error_t err;
	size_t len;
	char *text = rs_read_file(path, &len);
	json_t *doc;

	if (!text) {
		fb_usage("cannot read '%s': %s", path, errno ? strerror(errno) : "gzip error");
		return NULL;
	}
	doc = json_loadb(text, len, 0, &err);
	free(text);
	if (!doc) {
		fb_usage("'%s' line %d: %s", path, err.line, err.text);
		return NULL;
	}
	if (!json_is_object(doc) || !json_is_integer(json_object_get(doc, "schema_version")) ||
	    !json_is_string(json_object_get(doc, "bench")) ||
	    !json_is_array(json_object_get(doc, "steps"))) {
		json_decref(doc);
		fb_usage("'%s' is not a faultbench result (no schema_version, bench or steps)",
			 path);
		return NULL;
	}
	if (json_integer_value(json_object_get(doc, "schema_version")) > 1)
		fb_warn("'%s': schema_version %lld is newer than this faultbench knows (1)", path,
			json_integer_value(json_object_get(doc, "schema_version")));
	return doc;
}

const char *rs_doc_name(json_t *doc)
{
	const char *p = json_string_value(json_object_get(doc, "preset"));

	return p && *p ? p : json_string_value(json_object_get(doc, "bench"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int rs_walk(const char *dir, bool recursive, int (*fn)(const char *path, void *arg), void *arg)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = FB_OK;

	if (!d)
		return fb_usage("cannot read directory '%s': %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat st;

		if (!ret && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && recursive)
				ret = rs_walk(path, true, fn, arg);
			else if (S_ISREG(st.st_mode) && rs_is_result_name(names[i]))
				ret = fn(path, arg);
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return ret;
}

static void rs_add(struct resultset *rs, json_t *doc, const char *path)
{
	rs->docs = xrealloc(rs->docs, (rs->n + 1) * sizeof(*rs->docs));
	rs->paths = xrealloc(rs->paths, (rs->n + 1) * sizeof(*rs->paths));
	rs->docs[rs->n] = doc;
	rs->paths[rs->n] = xstrdup(path);
	rs->n++;
}

static int add_file(const char *path, void *arg)
{
	json_t *doc = rs_load_file(path);

	if (!doc)
		return FB_USAGE;
	rs_add(arg, doc, path);
	return FB_OK;
}

/* A directory holds the results of one label; plots/ and the like below it are skipped. */
static int load_dir(struct resultset *rs, const char *dir)
{
	int ret = rs_walk(dir, false, add_file, rs);

	if (ret)
		return ret;
	if (!rs->n)
		return fb_usage("'%s' holds no result files (*.json, *.json.gz)", dir);
	return FB_OK;
}

int resultset_load(struct resultset *rs, const char *arg)
{
	struct stat st;
	int ret;

	memset(rs, 0, sizeof(*rs));
	rs->arg = xstrdup(arg);
	if (stat(arg, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			ret = load_dir(rs, arg);
		else
			ret = add_file(arg, rs);
	} else if (!strchr(arg, '/')) {
		char *dir = xasprintf("results/%s", arg);

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			ret = load_dir(rs, dir);
		else
			ret = fb_usage("'%s' is neither a result file, a directory nor a label "
				       "under results/",
				       arg);
		free(dir);
	} else {
		ret = fb_usage("cannot read '%s': %s", arg, strerror(errno));
	}
	if (ret)
		return ret;
	{
		const char *l = json_string_value(json_object_get(rs->docs[0], "label"));

		rs->label = xstrdup(l && *l ? l : arg);
	}
	return FB_OK;
}

void resultset_free(struct resultset *rs)
{
	unsigned i;

	for (i = 0; i < rs->n; i++) {
		json_decref(rs->docs[i]);
		free(rs->paths[i]);
	}
	free(rs->docs);
	free(rs->paths);
	free(rs->arg);
	free(rs->label);
	memset(rs, 0, sizeof(*rs));
}

int resultset_load_all(struct resultset **runs, char *const *args, unsigned n)
{
	int ret = FB_OK;

	*runs = xcalloc(n, sizeof(**runs));
	for (unsigned i = 0; i < n && !ret; i++)
		ret = resultset_load(&(*runs)[i], args[i]);
	return ret;
}

void resultset_free_all(struct resultset *runs, unsigned n)
{
	for (unsigned i = 0; runs && i < n; i++)
		resultset_free(&runs[i]);
	free(runs);
}

int resultset_load_merged(struct resultset *all, const char *const *args, unsigned n)
{
	int ret = FB_OK;

	memset(all, 0, sizeof(*all));
	for (unsigned i = 0; i < n && !ret; i++) {
		struct resultset rs;

		ret = resultset_load(&rs, args[i]);
		if (ret) {
			resultset_free(&rs);
			break;
		}
		all->docs = xrealloc(all->docs, (all->n + rs.n) * sizeof(*all->docs));
		all->paths = xrealloc(all->paths, (all->n + rs.n) * sizeof(*all->paths));
		for (unsigned k = 0; k < rs.n; k++) {
			all->docs[all->n] = rs.docs[k];
			all->paths[all->n++] = rs.paths[k];
		}
		if (!all->label) {
			all->label = rs.label;
			all->arg = rs.arg;
		} else {
			free(rs.label);
			free(rs.arg);
		}
		free(rs.docs);
		free(rs.paths);
	}
	return ret;
}
