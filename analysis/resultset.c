// SPDX-License-Identifier: GPL-2.0
/*
 * Loading result files: one file, a directory of them, or a label under
 * results/.  zlib's gzread() reads plain files as they are, so .json and
 * .json.gz go through the same path (nightly archives are usually gzipped).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <zlib.h>
#include <linux/magic.h>

#include "labels.h"
#include "nearby.h"
#include "resultset.h"
#include "store.h"
#include "util.h"
#include "validity.h"

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

bool rs_is_result_name(const char *name)
{
	return name[0] != '.' && (ends_with(name, ".json") || ends_with(name, ".json.gz"));
}

/*
 * Only regular files: /dev/zero, a FIFO or a terminal would be read forever.
 * A file given by name is checked here; rs_walk() passes only regular files.
 */
static int check_regular(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	return S_ISREG(st.st_mode) ? 0 : -EINVAL;
}

char *rs_read_file(const char *path, size_t *len)
{
	gzFile gz;
	size_t cap = 1 << 16, n = 0;
	char *buf;
	int got;

	errno = -check_regular(path);
	if (errno)
		return NULL;
	gz = gzopen(path, "rb");
	if (!gz)
		return NULL;
	gzbuffer(gz, 1 << 17);
	buf = xmalloc(cap + 1);
	for (;;) {
		if (cap - n < (1 << 15)) {
			/* a small .json.gz can inflate to gigabytes: stop at the cap */
			if (cap >= RS_MAX_BYTES) {
				free(buf);
				gzclose(gz);
				errno = EFBIG;
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		}
		got = gzread(gz, buf + n, (unsigned)(cap - n));
		if (got < 0) {
			free(buf);
			gzclose(gz);
			errno = 0;
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

/* Why rs_read_file() failed, for a message. */
static const char *read_error(int err)
{
	switch (err) {
	case 0:
		return "gzip error";
	case EINVAL:
		return "not a regular file";
	case EFBIG:
		return "larger than " RS_MAX_TEXT " (uncompressed); not a faultbench result";
	default:
		return strerror(err);
	}
}

/* Is tok one of the '/'-joined values of a variant ("thp/own")? */
static bool variant_has(const char *variant, const char *tok)
{
	size_t n = strlen(tok);
	const char *c = variant;

	while (c) {
		if (!strncmp(c, tok, n) && (c[n] == '/' || !c[n]))
			return true;
		c = strchr(c, '/');
		if (c)
			c++;
	}
	return false;
}

/* Is value (a parameter's "thp,4k") made only of values seen in the steps' variants? */
static bool in_variants(json_t *doc, const char *value)
{
	char *copy = xstrdup(value), *save = NULL, *tok;
	bool all = true;

	for (tok = strtok_r(copy, ",", &save); tok && all; tok = strtok_r(NULL, ",", &save)) {
		json_t *step;
		size_t i;
		bool found = false;

		json_array_foreach (json_object_get(doc, "steps"), i, step) {
			const char *v = json_string_value(json_object_get(step, "variant"));

			if (v && variant_has(v, tok)) {
				found = true;
				break;
			}
		}
		all = found;
	}
	free(copy);
	return all;
}

/*
 * Version 1 files may lack "matrix_options" (files written before results
 * named them): they are read by what the steps show, a parameter whose every
 * comma value appears in the steps' variants, never by asking the benchmark
 * code built into this binary, which may be another version.  Version 2
 * files always carry the key.
 */
static void upgrade_v1(json_t *doc)
{
	json_t *list, *v;
	const char *key;

	if (json_object_get(doc, "matrix_options"))
		return;
	list = json_array();
	json_object_foreach (json_object_get(doc, "params"), key, v)
		if (json_is_string(v) && *json_string_value(v) &&
		    in_variants(doc, json_string_value(v)))
			json_array_append_new(list, json_string(key));
	json_object_set_new(doc, "matrix_options", list);
}

/* A noise model, a stress test's output or any other JSON is not a run. */
bool rs_is_result_doc(json_t *doc)
{
	return json_is_object(doc) && json_is_integer(json_object_get(doc, "schema_version")) &&
	       json_is_string(json_object_get(doc, "bench")) &&
	       json_is_array(json_object_get(doc, "steps"));
}

/*
 * Duplicate keys are refused: which of two "value"s a reader takes is not
 * the JSON standard's to say, and a result never has two.
 */
json_t *rs_parse_text(const char *text, size_t len, json_error_t *err)
{
	json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, err);
	size_t qlen;
	char *quoted;

	if (doc)
		return doc;
	/* NaN or Infinity from Python's json: read, so the value is refused by name */
	quoted = rs_quote_nonfinite(text, len, &qlen);
	if (quoted) {
		json_error_t err2;

		doc = json_loadb(quoted, qlen, JSON_REJECT_DUPLICATES, &err2);
		free(quoted);
	}
	return doc;
}

json_t *rs_parse(const char *path, const char *text, size_t len)
{
	json_error_t err;
	json_t *doc = rs_parse_text(text, len, &err);

	if (!doc) {
		fb_usage("'%s' line %d: %s", path, err.line, err.text);
		return NULL;
	}
	if (rs_check_doc(path, doc)) {
		json_decref(doc);
		return NULL;
	}
	if (json_integer_value(json_object_get(doc, "schema_version")) < 2)
		upgrade_v1(doc);
	return doc;
}

json_t *rs_load_file(const char *path)
{
	size_t len;
	char *text = rs_read_file(path, &len);
	json_t *doc;

	if (!text) {
		fb_usage("cannot read '%s': %s", path, read_error(errno));
		return NULL;
	}
	doc = rs_parse(path, text, len);
	free(text);
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

/*
 * Directories and files already seen in one walk, by device and inode: a
 * symlink loop ("ln -s . d/a") or a second way to one file reads nothing twice.
 */
struct walk {
	int (*fn)(const char *path, void *arg);
	void *arg;
	struct {
		dev_t dev;
		ino_t ino;
	} * seen;
	size_t nseen;
	unsigned depth;
	unsigned skipped; /* files and directories skipped, each with a warning */
};

static bool walk_seen(struct walk *w, const struct stat *st)
{
	for (size_t i = 0; i < w->nseen; i++)
		if (w->seen[i].dev == st->st_dev && w->seen[i].ino == st->st_ino)
			return true;
	w->seen = xrealloc(w->seen, (w->nseen + 1) * sizeof(*w->seen));
	w->seen[w->nseen].dev = st->st_dev;
	w->seen[w->nseen++].ino = st->st_ino;
	return false;
}

/* The names in dir, sorted; NULL (errno set) when it cannot be read. */
static char **dir_names(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 64;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_str);
	return names ? names : xcalloc(1, sizeof(*names));
}

/*
 * What is below the directory given is skipped with a warning, and counted,
 * whatever is wrong with it: an unreadable directory, a link into /proc or
 * /sys, a file that is no result (fn returns RS_WALK_SKIP).  One bad entry
 * ended history and compare DIR (exit 2) while store import skipped it.
 */
static bool walk_skip_dir(struct walk *w, const char *dir, char ***names, size_t *n)
{
	struct statfs sf;

	if (!statfs(dir, &sf) && (sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC)) {
		fb_warn("'%s' is in /proc or /sys, not a results directory; skipped", dir);
		w->skipped++;
		return true;
	}
	*names = dir_names(dir, n);
	if (*names || !w->depth)
		return false;
	fb_warn("cannot read directory '%s': %s; skipped", dir, strerror(errno));
	w->skipped++;
	return true;
}

static int walk_dir(struct walk *w, const char *dir, bool recursive)
{
	size_t n = 0, i;
	char **names = NULL;
	int ret = FB_OK;

	if (walk_skip_dir(w, dir, &names, &n))
		return FB_OK;
	if (!names)
		return fb_usage("cannot read directory '%s': %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct stat st;

		if (!ret && stat(path, &st) == 0 && !walk_seen(w, &st)) {
			if (S_ISDIR(st.st_mode) && recursive && w->depth < RS_MAX_DEPTH) {
				w->depth++;
				ret = walk_dir(w, path, true);
				w->depth--;
			} else if (S_ISREG(st.st_mode) && rs_is_result_name(names[i])) {
				ret = w->fn(path, w->arg);
				if (ret == RS_WALK_SKIP) {
					w->skipped++;
					ret = FB_OK;
				}
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return ret;
}

int rs_walk(const char *dir, bool recursive, int (*fn)(const char *path, void *arg), void *arg)
{
	struct walk w = { .fn = fn, .arg = arg };
	struct stat st;
	int ret;

	if (stat(dir, &st) == 0)
		walk_seen(&w, &st);
	ret = walk_dir(&w, dir, recursive);
	if (w.skipped)
		fb_warn("'%s': %u %s skipped (see above)", dir, w.skipped,
			w.skipped == 1 ? "entry" : "entries");
	free(w.seen);
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

/* A file found in a directory: one that is no result is skipped, as by every walk. */
static int add_walked_file(const char *path, void *arg)
{
	bool was = fb_set_quiet(true);
	int ret = add_file(path, arg);

	fb_set_quiet(was);
	if (!ret)
		return FB_OK;
	fb_warn("%s; skipped", fb_last_error());
	return RS_WALK_SKIP;
}

/* A directory holds the results of one label; plots/ and the like below it are skipped. */
static int load_dir(struct resultset *rs, const char *dir)
{
	int ret = rs_walk(dir, false, add_walked_file, rs);

	if (ret)
		return ret;
	if (!rs->n)
		return fb_usage("'%s' holds no result files (*.json, *.json.gz)", dir);
	return FB_OK;
}

/*
 * A RUN from the store: the documents of the runs the selector picks, in
 * the order a walk of the directories they came from would read them, each
 * under the path it was indexed from.
 */
static int load_store(struct resultset *rs, const char *arg, const char *store)
{
	const char *target = store ? store : STORE_DEFAULT;
	struct store_sel sel;
	struct store_entry *list = NULL;
	struct store *s = NULL;
	size_t n = 0;
	int ret = store_sel_parse(arg + strlen(STORE_PREFIX), &sel);

	if (!ret)
		ret = store_open(&s, target, STORE_READ);
	if (!ret)
		ret = store_list(s, &sel, NULL, &list, &n);
	for (size_t i = 0; i < n && !ret; i++) {
		json_t *doc = store_document(s, list[i].id);

		char *where = xasprintf("%s (run %lld of the store)", list[i].origin, list[i].id);

		/* a document from the store passes the checks of a file: it was one */
		if (doc && rs_check_doc(where, doc)) {
			json_decref(doc);
			doc = NULL;
		} else if (doc && json_integer_value(json_object_get(doc, "schema_version")) < 2) {
			upgrade_v1(doc);
		}
		free(where);
		if (doc)
			rs_add(rs, doc, list[i].origin);
		else
			ret = FB_USAGE;
	}
	if (!ret && !rs->n)
		ret = fb_usage("'%s' selects no run in the store '%s'", arg, store_target(s));
	store_list_free(list, n);
	store_close(s);
	store_sel_free(&sel);
	return ret;
}

int resultset_load(struct resultset *rs, const char *arg, const char *store)
{
	struct stat st;
	int ret;

	memset(rs, 0, sizeof(*rs));
	rs->arg = xstrdup(arg);
	if (store_is_selector(arg)) {
		ret = load_store(rs, arg, store);
	} else if (stat(arg, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			ret = load_dir(rs, arg);
		else
			ret = add_file(arg, rs);
	} else if (!strchr(arg, '/')) {
		char *dir = xasprintf("results/%s", arg);

		char hint[256];

		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			ret = load_dir(rs, dir);
		else
			ret = fb_usage("'%s' is neither a result file, a directory nor a label "
				       "under results/%s",
				       arg, nearby_run_hint(arg, hint, sizeof(hint)));
		free(dir);
	} else {
		char hint[256];
		int err = errno;

		ret = fb_usage("cannot read '%s': %s%s", arg, strerror(err),
			       err == ENOENT ? nearby_run_hint(arg, hint, sizeof(hint)) : "");
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

int resultset_load_all(struct resultset **runs, char *const *args, unsigned n, const char *store)
{
	int ret = FB_OK;

	*runs = xcalloc(n, sizeof(**runs));
	for (unsigned i = 0; i < n && !ret; i++)
		ret = resultset_load(&(*runs)[i], args[i], store);
	if (!ret) {
		char **labels = xcalloc(n, sizeof(*labels));
		json_t **first = xcalloc(n, sizeof(*first));

		for (unsigned i = 0; i < n; i++) {
			labels[i] = (*runs)[i].label;
			first[i] = (*runs)[i].docs[0];
		}
		/* two machines' lab-3 are two runs: every view names them apart */
		labels_make_distinct(labels, first, n);
		for (unsigned i = 0; i < n; i++)
			(*runs)[i].label = labels[i];
		free(labels);
		free(first);
	}
	return ret;
}

void resultset_free_all(struct resultset *runs, unsigned n)
{
	for (unsigned i = 0; runs && i < n; i++)
		resultset_free(&runs[i]);
	free(runs);
}

int resultset_load_merged(struct resultset *all, const char *const *args, unsigned n,
			  const char *store)
{
	int ret = FB_OK;

	memset(all, 0, sizeof(*all));
	for (unsigned i = 0; i < n && !ret; i++) {
		struct resultset rs;

		ret = resultset_load(&rs, args[i], store);
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
