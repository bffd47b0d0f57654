// SPDX-License-Identifier: GPL-2.0
/*
 * Between-run noise models: loading, matching and saving (see noise.h).
 *
 * Matching is strict on purpose.  A model measured on another machine, or
 * with other benchmark parameters (a different --size changes the noise as
 * much as the rate), says nothing about these runs; using it anyway would
 * turn a star into a claim about the wrong machine.  The kernel release may
 * differ (comparing kernels is the point) and the precision options
 * (samples, sample-time) may too: the model's within-run part is scaled to
 * the repeats at hand, and compare reports when the runs disagree with it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonfile.h"
#include "noise.h"
#include "util.h"

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return xstrdup(s ? s : "");
}

static double num_or_nan(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static bool entry_from_json(struct noise_entry *e, json_t *j)
{
	json_t *nc = json_object_get(j, "ncpus");

	memset(e, 0, sizeof(*e));
	if (!json_is_string(json_object_get(j, "name")) ||
	    !json_is_string(json_object_get(j, "metric")) || !json_is_integer(nc) ||
	    json_integer_value(nc) < 1 || json_integer_value(nc) > 1 << 20)
		return false;
	e->name = dup_str(j, "name");
	e->variant = dup_str(j, "variant");
	e->metric = dup_str(j, "metric");
	e->ncpus = (unsigned)json_integer_value(nc);
	e->log_scale = json_is_true(json_object_get(j, "log_scale"));
	e->var_run = num_or_nan(j, "var_run");
	e->df_run = num_or_nan(j, "df_run");
	e->var_within = num_or_nan(j, "var_within");
	e->df_within = num_or_nan(j, "df_within");
	e->repeats = num_or_nan(j, "repeats");
	e->runs = (unsigned)json_integer_value(json_object_get(j, "runs"));
	/* an entry the statistics cannot use is dropped, not trusted */
	if (!(e->var_run >= 0) || !(e->df_run >= 1) || !(e->repeats >= 1) ||
	    !isfinite(e->var_run)) {
		free(e->name);
		free(e->variant);
		free(e->metric);
		return false;
	}
	if (!(e->var_within >= 0) || !isfinite(e->var_within))
		e->var_within = 0;
	return true;
}

static int load_file(struct noise_models *ms, const char *path)
{
	json_error_t err;
	json_t *doc = fb_json_load_file(path, &err), *entries, *j, *machine;
	struct noise_model *m;
	size_t i;

	if (!doc)
		return fb_usage("noise model '%s' line %d: %s", path, err.line, err.text);
	entries = json_object_get(doc, "entries");
	machine = json_object_get(doc, "machine");
	if (!json_is_integer(json_object_get(doc, "noise_model")) || !json_is_array(entries) ||
	    !json_is_object(machine)) {
		json_decref(doc);
		return fb_usage("'%s' is not a faultbench noise model", path);
	}
	ms->m = xrealloc(ms->m, (ms->n + 1) * sizeof(*ms->m));
	m = &ms->m[ms->n++];
	memset(m, 0, sizeof(*m));
	m->path = xstrdup(path);
	m->hostname = dup_str(machine, "hostname");
	m->cpu_model = dup_str(machine, "cpu_model");
	m->kernel = dup_str(machine, "kernel");
	m->date = dup_str(doc, "date");
	m->version = dup_str(doc, "faultbench_version");
	m->params = json_incref(json_object_get(doc, "params"));
	if (!m->params)
		m->params = json_object();
	json_array_foreach (entries, i, j) {
		struct noise_entry e;

		if (!entry_from_json(&e, j))
			continue;
		m->e = xrealloc(m->e, (m->n + 1) * sizeof(*m->e));
		m->e[m->n++] = e;
	}
	json_decref(doc);
	return FB_OK;
}

static bool is_json_name(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 5 && !strcmp(name + n - 5, ".json");
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int load_dir(struct noise_models *ms, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, i;
	int ret = FB_OK;

	if (!d)
		return fb_usage("cannot read directory '%s': %s", dir, strerror(errno));
	while ((de = readdir(d)))
		if (is_json_name(de->d_name)) {
			names = xrealloc(names, (n + 1) * sizeof(*names));
			names[n++] = xstrdup(de->d_name);
		}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		char *p = xasprintf("%s/%s", dir, names[i]);

		if (!ret)
			ret = load_file(ms, p);
		free(p);
		free(names[i]);
	}
	free(names);
	return ret;
}

int noise_load(struct noise_models *ms, const char *path, bool must_exist)
{
	struct stat st;

	if (stat(path, &st)) {
		if (!must_exist && errno == ENOENT)
			return FB_OK;
		return fb_usage("cannot read noise model '%s': %s", path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(ms, path);
	return load_file(ms, path);
}

int noise_load_option(struct noise_models *ms, const char *value)
{
	if (!strcmp(value, "none"))
		return FB_OK;
	/* the default place may be absent; a model named on the command line may not */
	return noise_load(ms, value, strcmp(value, NOISE_DEFAULT) != 0);
}

static void entry_free(struct noise_entry *e)
{
	free(e->name);
	free(e->variant);
	free(e->metric);
}

void noise_model_free(struct noise_model *m)
{
	for (unsigned i = 0; i < m->n; i++)
		entry_free(&m->e[i]);
	free(m->e);
	free(m->path);
	free(m->hostname);
	free(m->cpu_model);
	free(m->kernel);
	free(m->date);
	free(m->version);
	json_decref(m->params);
	memset(m, 0, sizeof(*m));
}

void noise_free(struct noise_models *ms)
{
	for (unsigned i = 0; i < ms->n; i++)
		noise_model_free(&ms->m[i]);
	free(ms->m);
	memset(ms, 0, sizeof(*ms));
}

static bool same_string(json_t *o, const char *key, const char *want)
{
	const char *s = json_string_value(json_object_get(o, key));

	return !strcmp(s ? s : "", want ? want : "");
}

static bool same_machine(const struct noise_model *m, json_t *doc)
{
	json_t *sys = json_object_get(doc, "system");

	return same_string(sys, "hostname", m->hostname) &&
	       same_string(sys, "cpu_model", m->cpu_model);
}

const struct noise_entry *noise_find(const struct noise_models *ms, json_t *doc, const char *name,
				     const char *variant, unsigned ncpus, const char *metric,
				     const struct noise_model **model)
{
	const struct noise_entry *best = NULL;
	const struct noise_model *bestm = NULL;

	for (unsigned i = 0; ms && i < ms->n; i++) {
		const struct noise_model *m = &ms->m[i];

		if (!same_machine(m, doc) ||
		    !json_equal(json_object_get(m->params, name), json_object_get(doc, "params")))
			continue;
		for (unsigned k = 0; k < m->n; k++) {
			const struct noise_entry *e = &m->e[k];

			if (e->ncpus != ncpus || strcmp(e->name, name) ||
			    strcmp(e->variant, variant) || strcmp(e->metric, metric))
				continue;
			/* ISO dates sort as strings: the newest model wins */
			if (!bestm || strcmp(m->date, bestm->date) > 0) {
				best = e;
				bestm = m;
			}
		}
	}
	if (model)
		*model = bestm;
	return best;
}

double noise_var_for(const struct noise_entry *e, double repeats)
{
	/* The model's runs had e->repeats repeats: take their share out, put ours in. */
	double between = e->var_run - e->var_within / e->repeats;

	if (between < 0)
		between = 0; /* the runs varied less than their repeats: no run effect seen */
	if (!(repeats >= 1))
		repeats = e->repeats;
	return between + e->var_within / repeats;
}

void noise_model_init(struct noise_model *m, json_t *doc)
{
	json_t *sys = json_object_get(doc, "system");

	memset(m, 0, sizeof(*m));
	m->hostname = dup_str(sys, "hostname");
	m->cpu_model = dup_str(sys, "cpu_model");
	m->kernel = dup_str(json_object_get(sys, "kernel"), "release");
	m->params = json_object();
}

void noise_model_add(struct noise_model *m, const struct noise_entry *e, json_t *params)
{
	struct noise_entry *n;

	m->e = xrealloc(m->e, (m->n + 1) * sizeof(*m->e));
	n = &m->e[m->n++];
	*n = *e;
	n->name = xstrdup(e->name);
	n->variant = xstrdup(e->variant);
	n->metric = xstrdup(e->metric);
	if (params && !json_object_get(m->params, e->name))
		json_object_set(m->params, e->name, params);
}

static json_t *entry_json(const struct noise_entry *e)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(e->name));
	json_object_set_new(j, "variant", json_string(e->variant));
	json_object_set_new(j, "ncpus", json_integer(e->ncpus));
	json_object_set_new(j, "metric", json_string(e->metric));
	json_object_set_new(j, "log_scale", json_boolean(e->log_scale));
	json_object_set_new(j, "runs", json_integer(e->runs));
	json_object_set_new(j, "repeats", json_real(e->repeats));
	json_object_set_new(j, "var_run", json_real(e->var_run));
	json_object_set_new(j, "df_run", json_real(e->df_run));
	json_object_set_new(j, "var_within", json_real(e->var_within));
	json_object_set_new(j, "df_within", json_real(e->df_within));
	/* for people: the run-to-run spread as a percentage (log scale: ~ CoV) */
	if (e->log_scale)
		json_object_set_new(j, "run_cov_pct", json_real(100 * sqrt(e->var_run)));
	return j;
}

static int dump_json(FILE *f, const void *doc)
{
	return fb_json_dumpf(doc, f, JSON_INDENT(1)) ||
	       fputc('\n', f) == EOF;
}

/* Through the one safe-write helper: never over an existing file, never through a link. */
static int write_new(const char *path, json_t *doc)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/'), *stem, *dot;
	const char *ext = "";
	int err;

	stem = xstrdup(slash ? slash + 1 : path);
	if (slash)
		slash[1] = '\0';
	else
		strcpy(dir, ".");
	dot = strrchr(stem, '.');
	if (dot && !strcmp(dot, ".json")) {
		*dot = '\0';
		ext = ".json";
	}
	err = fb_write_file(dir, stem, ext, FB_NEW, dump_json, doc, NULL);
	free(dir);
	free(stem);
	return err ? fb_fail("cannot create '%s': %s", path, strerror(-err)) : FB_OK;
}

int noise_save(const struct noise_model *m, const char *path, json_t *sources)
{
	json_t *doc = json_object(), *machine = json_object(), *entries = json_array();
	int ret;

	json_object_set_new(doc, "noise_model", json_integer(NOISE_SCHEMA));
	json_object_set_new(doc, "faultbench_version", json_string(m->version ? m->version : ""));
	json_object_set_new(doc, "date", json_string(m->date ? m->date : ""));
	json_object_set_new(machine, "hostname", json_string(m->hostname));
	json_object_set_new(machine, "cpu_model", json_string(m->cpu_model));
	json_object_set_new(machine, "kernel", json_string(m->kernel));
	json_object_set_new(doc, "machine", machine);
	json_object_set(doc, "params", m->params);
	json_object_set_new(doc, "sources", sources ? sources : json_array()); /* stolen */
	for (unsigned i = 0; i < m->n; i++)
		json_array_append_new(entries, entry_json(&m->e[i]));
	json_object_set_new(doc, "entries", entries);
	ret = write_new(path, doc);
	json_decref(doc);
	return ret;
}
