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
#include "resultset.h"
#include "util.h"
#include "validity.h"

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

static void entry_free(struct noise_entry *e);

/*
 * One entry; NULL when usable, else why not.  A variance that is negative,
 * NaN or infinite (or df below 1, repeats below 1) no set of runs can give:
 * the model is broken, and is refused whole rather than trusted in part.
 */
static const char *entry_from_json(struct noise_entry *e, json_t *j)
{
	json_t *nc = json_object_get(j, "ncpus"), *vw = json_object_get(j, "var_within");

	memset(e, 0, sizeof(*e));
	if (!json_is_object(j) || !json_is_string(json_object_get(j, "name")) ||
	    !json_is_string(json_object_get(j, "metric")) || !json_is_integer(nc) ||
	    json_integer_value(nc) < 1 || json_integer_value(nc) > 1 << 20)
		return "no name, metric or CPU count";
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
	{
		json_int_t runs = json_integer_value(json_object_get(j, "runs"));

		e->runs = runs > 0 && runs < 1 << 30 ? (unsigned)runs : 0;
	}
	if (!(e->var_run >= 0) || !isfinite(e->var_run))
		return isnan(e->var_run) ? "var_run is missing or NaN"
					 : "var_run is negative or infinite";
	if (!(e->df_run >= 1) || !isfinite(e->df_run))
		return "df_run is below 1 (a variance needs 2 runs)";
	if (!(e->repeats >= 1) || !isfinite(e->repeats))
		return "repeats is below 1";
	if (vw && (!(e->var_within >= 0) || !isfinite(e->var_within)))
		return "var_within is negative, NaN or infinite";
	if (!vw)
		e->var_within = 0;
	if (!(e->df_within >= 0) || !isfinite(e->df_within))
		e->df_within = 0;
	return NULL;
}

/* The model of doc (already parsed) into ms; FB_OK or FB_USAGE saying why it is refused. */
static int model_from_json(struct noise_models *ms, const char *path, json_t *doc)
{
	json_t *entries = json_object_get(doc, "entries"),
	       *machine = json_object_get(doc, "machine");
	json_t *version = json_object_get(doc, "noise_model"), *j;
	struct noise_model m = { 0 };
	size_t i;

	if (!json_is_object(doc) || !json_is_integer(version) || !json_is_array(entries) ||
	    !json_is_object(machine))
		return fb_usage("'%s' is not a faultbench noise model (no noise_model, machine or "
				"entries)",
				path);
	if (json_integer_value(version) != NOISE_SCHEMA)
		return fb_usage("noise model '%s': noise_model %lld is not a version this "
				"faultbench reads (%d)",
				path, (long long)json_integer_value(version), NOISE_SCHEMA);
	m.path = xstrdup(path);
	m.hostname = dup_str(machine, "hostname");
	m.cpu_model = dup_str(machine, "cpu_model");
	m.kernel = dup_str(machine, "kernel");
	m.date = dup_str(doc, "date");
	m.version = dup_str(doc, "faultbench_version");
	m.params = json_incref(json_object_get(doc, "params"));
	if (!json_is_object(m.params)) {
		json_decref(m.params);
		m.params = json_object();
	}
	m.conditions = json_incref(json_object_get(doc, "conditions"));
	{
		json_int_t runs = json_integer_value(json_object_get(doc, "runs"));

		m.runs = runs > 0 && runs < 1 << 30 ? (unsigned)runs : 0;
	}
	json_array_foreach (entries, i, j) {
		struct noise_entry e;
		const char *why = entry_from_json(&e, j);

		if (why) {
			char shown[128];

			entry_free(&e);
			noise_model_free(&m);
			return fb_usage(
			    "noise model '%s': entry %zu (%s): %s; a broken model, not "
			    "used (make it again with 'faultbench noise')",
			    path, i,
			    fb_printable(json_string_value(json_object_get(j, "name"))
					     ? json_string_value(json_object_get(j, "name"))
					     : "?",
					 shown, sizeof(shown)),
			    why);
		}
		m.e = xrealloc(m.e, (m.n + 1) * sizeof(*m.e));
		m.e[m.n++] = e;
	}
	ms->m = xrealloc(ms->m, (ms->n + 1) * sizeof(*ms->m));
	ms->m[ms->n++] = m;
	return FB_OK;
}

int noise_parse(struct noise_models *ms, const char *path, const char *text, size_t len)
{
	json_error_t err;
	json_t *doc;
	int ret;

	if (len > NOISE_MAX_BYTES)
		return fb_usage("noise model '%s' is larger than %u MiB; not a faultbench noise "
				"model",
				path, NOISE_MAX_BYTES >> 20);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		return fb_usage("noise model '%s' line %d: %s", path, err.line, err.text);
	ret = model_from_json(ms, path, doc);
	json_decref(doc);
	return ret;
}

static int load_file(struct noise_models *ms, const char *path)
{
	struct stat st;
	FILE *f;
	char *text;
	size_t len;
	int ret;

	errno = 0;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return fb_usage("cannot read noise model '%s': %s", path,
				errno ? strerror(errno) : "not a regular file");
	/* a huge model makes every compare slow and hungry (issue 23 C4): refuse it */
	if ((unsigned long long)st.st_size > NOISE_MAX_BYTES)
		return fb_usage("noise model '%s' is larger than %u MiB; not a faultbench noise "
				"model",
				path, NOISE_MAX_BYTES >> 20);
	f = fopen(path, "rb");
	if (!f)
		return fb_usage("cannot read noise model '%s': %s", path, strerror(errno));
	text = xmalloc((size_t)st.st_size + 1);
	len = fread(text, 1, (size_t)st.st_size, f);
	fclose(f);
	ret = noise_parse(ms, path, text, len);
	free(text);
	return ret;
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
	json_decref(m->conditions);
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

static const char *first_param_difference(json_t *a, json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach (a, key, v)
		if (!json_equal(v, json_object_get(b, key)))
			return key;
	json_object_foreach (b, key, v)
		if (!json_object_get(a, key))
			return key;
	return NULL;
}

bool noise_why_unmatched(const struct noise_models *ms, json_t *doc, const char *name,
			 const char *variant, unsigned ncpus, const char *metric, char *buf,
			 size_t len)
{
	json_t *sys = json_object_get(doc, "system");
	const char *host = json_string_value(json_object_get(sys, "hostname"));
	const char *cpu = json_string_value(json_object_get(sys, "cpu_model"));
	char a[96], b[96];

	if (!ms || !ms->n) {
		snprintf(buf, len, "no noise model");
		return true;
	}
	if (noise_find(ms, doc, name, variant, ncpus, metric, NULL))
		return false;
	/* the newest model (the one that would win) explains */
	{
		const struct noise_model *m = &ms->m[0];
		const char *key;

		for (unsigned i = 1; i < ms->n; i++)
			if (strcmp(ms->m[i].date, m->date) > 0)
				m = &ms->m[i];
		if (!same_machine(m, doc)) {
			snprintf(buf, len,
				 "'%s' is of host '%s' (%s), these runs of host '%s' (%s): a model "
				 "is of one machine",
				 m->path, fb_printable(m->hostname, a, sizeof(a)), m->cpu_model,
				 fb_printable(host ? host : "?", b, sizeof(b)), cpu ? cpu : "?");
			return true;
		}
		if (!json_object_get(m->params, name)) {
			snprintf(buf, len, "'%s' has no step of %s", m->path,
				 fb_printable(name, a, sizeof(a)));
			return true;
		}
		key = first_param_difference(json_object_get(m->params, name),
					     json_object_get(doc, "params"));
		if (key) {
			snprintf(buf, len,
				 "'%s' was measured with other %s parameters ('%s' differs): the "
				 "noise depends on them",
				 m->path, fb_printable(name, a, sizeof(a)),
				 fb_printable(key, b, sizeof(b)));
			return true;
		}
		snprintf(buf, len, "'%s' has no entry for %s %s at %u CPU%s%s%s", m->path,
			 fb_printable(name, a, sizeof(a)), metric, ncpus, ncpus == 1 ? "" : "s",
			 *variant ? ", variant " : "", fb_printable(variant, b, sizeof(b)));
	}
	return true;
}

double noise_run_pct(const struct noise_entry *e, double repeats)
{
	if (!e->log_scale)
		return NAN;
	return 100 * sqrt(noise_var_for(e, repeats >= 1 ? repeats : e->repeats));
}

double noise_var_for(const struct noise_entry *e, double repeats)
{
	/* one repeat a run has no within-run variance: none to take out or put in */
	double within = isfinite(e->var_within) ? e->var_within : 0;
	/* The model's runs had e->repeats repeats: take their share out, put ours in. */
	double between = e->var_run - within / e->repeats;

	if (between < 0)
		between = 0; /* the runs varied less than their repeats: no run effect seen */
	if (!(repeats >= 1))
		repeats = e->repeats;
	return between + within / repeats;
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
	/* for people: the run-to-run figure noise, compare and history print (log scale: ~ CoV) */
	if (e->log_scale)
		json_object_set_new(j, "run_cov_pct", json_real(noise_run_pct(e, e->repeats)));
	return j;
}

static int dump_json(FILE *f, const void *doc)
{
	return fb_json_dumpf(doc, f, JSON_INDENT(1)) || fputc('\n', f) == EOF;
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
	json_object_set_new(doc, "runs", json_integer(m->runs));
	json_object_set_new(doc, "faultbench_version", json_string(m->version ? m->version : ""));
	json_object_set_new(doc, "date", json_string(m->date ? m->date : ""));
	json_object_set_new(machine, "hostname", json_string(m->hostname));
	json_object_set_new(machine, "cpu_model", json_string(m->cpu_model));
	json_object_set_new(machine, "kernel", json_string(m->kernel));
	json_object_set_new(doc, "machine", machine);
	json_object_set(doc, "params", m->params);
	json_object_set_new(doc, "sources", sources ? sources : json_array()); /* stolen */
	if (m->conditions)
		json_object_set(doc, "conditions", m->conditions);
	for (unsigned i = 0; i < m->n; i++)
		json_array_append_new(entries, entry_json(&m->e[i]));
	json_object_set_new(doc, "entries", entries);
	ret = write_new(path, doc);
	json_decref(doc);
	return ret;
}

/* ---- a new model's record of its runs ---------------------------------- */

/* Worst of one interference figure over the runs: min (share) or max (the rest). */
static void worst(json_t *into, const char *key, json_t *v, bool min)
{
	json_t *cur = json_object_get(into, key);

	if (!json_is_number(v))
		return;
	if (!cur || (min ? json_number_value(v) < json_number_value(cur)
			 : json_number_value(v) > json_number_value(cur)))
		json_object_set_new(into, key, json_real(json_number_value(v)));
}

/*
 * What the model was measured under: without it, a model taken on a quiet
 * night and used on a busy afternoon looks as good as a fresh one.  The
 * interference figures are the worst of the runs' steps (when their results
 * record them, CONTRACT of issue 22), the load the one at derivation.
 */
json_t *noise_conditions(const struct resultset *all, double loadavg)
{
	json_t *c = json_object(), *intf = json_object(), *kernels = json_array();
	json_t *sys = json_object_get(all->docs[0], "system"), *settings = json_object();
	static const char *const keys[] = { "thp", "fault_around_bytes", "numa_balancing",
					    "cpufreq_governors", "virtualization" };
	unsigned known = 0, disturbed = 0;

	for (unsigned i = 0; i < all->n; i++) {
		json_t *doc = all->docs[i], *step, *k;
		size_t s, j;
		bool seen = false;

		k = json_object_get(json_object_get(json_object_get(doc, "system"), "kernel"),
				    "release");
		json_array_foreach (kernels, j, step)
			seen |= json_equal(step, k);
		if (json_is_string(k) && !seen)
			json_array_append(kernels, k);
		if (json_object_get(doc, "interference"))
			known++;
		disturbed += rs_doc_disturbed(doc);
		json_array_foreach (json_object_get(doc, "steps"), s, step) {
			json_t *si = json_object_get(step, "interference");

			worst(intf, "share_min", json_object_get(si, "share_min"), true);
			worst(intf, "wait_max", json_object_get(si, "wait_max"), false);
			worst(intf, "other_max", json_object_get(si, "other_max"), false);
			worst(intf, "steal_max", json_object_get(si, "steal_max"), false);
			worst(intf, "psi_some", json_object_get(si, "psi_some"), false);
		}
	}
	json_object_set_new(c, "runs", json_integer(all->n));
	if (known) {
		json_object_set_new(intf, "runs_known", json_integer(known));
		json_object_set_new(intf, "runs_disturbed", json_integer(disturbed));
		json_object_set_new(c, "interference", intf);
	} else {
		json_decref(intf);
		json_object_set_new(c, "interference", json_null()); /* older results: unknown */
	}
	if (isfinite(loadavg))
		json_object_set_new(c, "loadavg", json_real(loadavg));
	json_object_set_new(c, "loadavg_is",
			    json_string("the 1-minute load when the model was derived"));
	json_object_set_new(c, "kernels", kernels);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (json_object_get(sys, keys[i]))
			json_object_set(settings, keys[i], json_object_get(sys, keys[i]));
	json_object_set_new(c, "settings", settings);
	if (json_object_get(all->docs[0], "run"))
		json_object_set(c, "run", json_object_get(all->docs[0], "run"));
	return c;
}

json_t *noise_sources(const struct resultset *all)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < all->n; i++)
		json_array_append_new(a, json_string(all->paths[i]));
	return a;
}
