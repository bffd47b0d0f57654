// SPDX-License-Identifier: GPL-2.0
/*
 * Results: derived metrics of a step, the JSON result file (written atomically,
 * never over an existing file) and the text table printed after a run.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "interference.h"
#include "jsonfile.h"
#include "monitor.h"
#include "ratio.h"
#include "results.h"
#include "stats.h"
#include "store.h"
#include "util.h"

#define COUNT(c)  STEP_TOTAL(TOTAL_COUNT, c)
#define FAULTS	  STEP_TOTAL(TOTAL_FAULTS, 0)
#define MAJFAULTS STEP_TOTAL(TOTAL_MAJFAULTS, 0)
#define TIME	  STEP_TOTAL(TOTAL_TIME, 0)
#define CPU_TIME  STEP_TOTAL(TOTAL_CPU_TIME, 0)

void results_derive_metrics(struct step_result *r, const struct bench *b)
{
	const char *unit = b->counters[0] ? b->counters[0] : "ops";
	bool any_major = false;
	char name[48];

	if (!r->nsamples || !r->samples[0].count)
		return;
	for (unsigned s = 0; s < r->nsamples; s++)
		any_major |= step_total(r, s, MAJFAULTS) > 0;

	if (!(b->no_metrics & BENCH_NO_RATES)) {
		snprintf(name, sizeof(name), "%s/s", unit);
		step_add_ratio(r, name, true, COUNT(0), TIME, 1);
		step_add_ratio(r, "faults/s", true, FAULTS, TIME, 1);
		if (any_major)
			step_add_ratio(r, "majfaults/s", true, MAJFAULTS, TIME, 1);
	}
	if (!(b->no_metrics & BENCH_NO_PER_FAULT)) {
		snprintf(name, sizeof(name), "%s/fault", unit);
		/* fault-around or a large folio raises it, and neither is better or worse */
		step_add_ratio(r, name, true, COUNT(0), FAULTS, 1)->neither = true;
	}
	if (!(b->no_metrics & BENCH_NO_PER_CPU)) {
		snprintf(name, sizeof(name), "%s/s/cpu", unit);
		step_add_ratio(r, name, true, COUNT(0), CPU_TIME, 1);
		step_add_ratio(r, "faults/s/cpu", true, FAULTS, CPU_TIME, 1);
	}
	for (unsigned c = 1;
	     c < FB_MAX_COUNTERS && b->counters[c] && !(b->no_metrics & BENCH_NO_RATES); c++) {
		snprintf(name, sizeof(name), "%s/s", b->counters[c]);
		step_add_ratio(r, name, true, COUNT(c), TIME, 1);
	}
}

const char *results_headline_metric(const struct bench *b, char *buf, size_t len)
{
	if (b->headline_metric)
		return b->headline_metric;
	snprintf(buf, len, "%s/s", b->counters[0] ? b->counters[0] : "ops");
	return buf;
}

/* The step efficiency is measured against: same variant and repeat, 1 CPU or fewest. */
static const struct step_result *efficiency_base(const struct run *run, const struct step_result *r)
{
	const struct step_result *best = NULL;

	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *c = &run->steps[i];

		if (c->repeat != r->repeat || strcmp(c->variant, r->variant) || !c->nsamples)
			continue;
		if (!best || c->ncpus < best->ncpus)
			best = c;
	}
	return best;
}

void results_derive_efficiency(struct run *run)
{
	char name[48];

	snprintf(name, sizeof(name), "%s/s/cpu",
		 run->bench->counters[0] ? run->bench->counters[0] : "ops");
	for (unsigned i = 0; i < run->nsteps; i++) {
		struct step_result *r = &run->steps[i];
		const struct step_result *base = efficiency_base(run, r);
		const struct metric *per_cpu = step_metric(r, name), *base_m;
		double base_value;
		unsigned idx;
		struct metric *m;

		if (!base || !per_cpu || step_metric(r, "efficiency"))
			continue;
		base_m = step_metric(base, name);
		if (!base_m || !(base_m->value > 0))
			continue;
		/* step_add_metric() may move the array: keep an index, not a pointer. */
		base_value = base_m->value;
		idx = (unsigned)(per_cpu - r->metrics);
		/* Per-CPU rate against the smallest step's: 1.0 is perfect scaling. */
		m = step_add_metric(r, "efficiency", true);
		per_cpu = &r->metrics[idx];
		for (unsigned s = 0; s < r->nsamples; s++)
			m->v[s] = per_cpu->v[s] / base_value;
		m->value = per_cpu->value / base_value;
	}
}

/* ---- JSON ---- */

static json_t *u64_array(const uint64_t *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *metric_json(const struct metric *m)
{
	json_t *o = json_object(), *vals = json_array();

	json_object_set_new(o, "value", real_or_null(m->value));
	json_object_set_new(o, "higher_better",
			    m->neither ? json_null() : json_boolean(m->higher_better));
	for (unsigned i = 0; i < m->n; i++)
		json_array_append_new(vals, real_or_null(m->v[i]));
	json_object_set_new(o, "samples", vals);
	json_object_set_new(o, "mean", real_or_null(stats_mean(m->v, m->n)));
	json_object_set_new(o, "hmean", real_or_null(stats_hmean(m->v, m->n)));
	json_object_set_new(o, "stddev", real_or_null(stats_stddev(m->v, m->n)));
	json_object_set_new(o, "cov", real_or_null(stats_cov(m->v, m->n)));
	json_object_set_new(o, "min", real_or_null(stats_min(m->v, m->n)));
	json_object_set_new(o, "max", real_or_null(stats_max(m->v, m->n)));
	return o;
}

static json_t *sample_json(const struct step_result *r, const struct sample *smp,
			   unsigned ncounters)
{
	json_t *o = json_object(), *workers = json_array();

	json_object_set_new(o, "t", json_real(smp->t));
	if (smp->start_unix > 0)
		json_object_set_new(o, "start_unix", json_real(smp->start_unix));
	for (unsigned i = 0; smp->count && i < r->ncpus; i++) {
		json_t *w = json_object();

		json_object_set_new(w, "count", u64_array(smp->count[i], ncounters));
		json_object_set_new(w, "minflt", json_integer((json_int_t)smp->minflt[i]));
		json_object_set_new(w, "majflt", json_integer((json_int_t)smp->majflt[i]));
		json_object_set_new(w, "cpu", json_integer(smp->cpu[i]));
		if (r->nevents)
			json_object_set_new(w, "ev", u64_array(smp->ev[i], r->nevents));
		json_array_append_new(workers, w);
	}
	json_object_set_new(o, "workers", workers);
	if (smp->intf)
		json_object_set_new(o, "interference", intf_sample_json(smp->intf));
	return o;
}

static unsigned counter_count(const struct bench *b)
{
	unsigned n = 0;

	while (n < FB_MAX_COUNTERS && b->counters[n])
		n++;
	return n ? n : 1;
}

static json_t *step_json(const struct run *run, const struct step_result *r, unsigned index)
{
	unsigned nc = counter_count(run->bench);
	json_t *o = json_object(), *a;
	struct intf_step intf;

	json_object_set_new(o, "index", json_integer(index));
	json_object_set_new(o, "repeat", json_integer(r->repeat));
	json_object_set_new(o, "variant", json_string(r->variant));
	json_object_set_new(o, "ncpus", json_integer(r->ncpus));
	json_object_set_new(o, "what", r->what ? json_string(r->what) : json_null());
	a = json_array();
	for (unsigned i = 0; i < r->ncpus; i++)
		json_array_append_new(a, json_integer(r->pus[i]));
	json_object_set_new(o, "pus", a);
	json_object_set_new(o, "complete", json_boolean(r->complete));
	a = json_array();
	for (unsigned c = 0; c < nc; c++)
		json_array_append_new(
		    a, json_string(run->bench->counters[c] ? run->bench->counters[c] : "ops"));
	json_object_set_new(o, "counters", a);
	a = json_array();
	for (unsigned e = 0; e < r->nevents; e++)
		json_array_append_new(a, json_string(r->event_names[e]));
	json_object_set_new(o, "events", a);
	a = json_array();
	for (unsigned s = 0; s < r->nsamples; s++)
		json_array_append_new(a, sample_json(r, &r->samples[s], nc));
	json_object_set_new(o, "samples", a);
	a = monitor_step_json(r);
	if (a)
		json_object_set_new(o, "monitors", a);
	a = json_object();
	for (unsigned m = 0; m < r->nmetrics; m++)
		json_object_set_new(a, r->metrics[m].name, metric_json(&r->metrics[m]));
	json_object_set_new(o, "metrics", a);
	json_object_set_new(o, "extra", r->extra ? json_incref(r->extra) : json_object());
	intf_step_summary(r, &intf);
	if (intf.known)
		json_object_set_new(o, "interference", intf_step_json(&intf));
	return o;
}

/* Counts over the steps that measured interference; false when none did. */
static bool run_interference(const struct run *run, unsigned *steps, unsigned *disturbed,
			     unsigned *retries)
{
	*steps = *disturbed = *retries = 0;
	for (unsigned i = 0; i < run->nsteps; i++) {
		struct intf_step st;

		intf_step_summary(&run->steps[i], &st);
		if (!st.known)
			continue;
		(*steps)++;
		*disturbed += st.disturbed;
		*retries += st.retries;
	}
	return *steps > 0;
}

/* Absent when no step measured it (a file without it: interference unknown). */
static void interference_json(json_t *doc, const struct run *run)
{
	unsigned steps, disturbed, retries;
	json_t *o;

	if (!run_interference(run, &steps, &disturbed, &retries))
		return;
	o = json_object();
	json_object_set_new(o, "bounds", intf_bounds_json(&intf_bounds));
	json_object_set_new(o, "steps", json_integer(steps));
	json_object_set_new(o, "steps_disturbed", json_integer(disturbed));
	json_object_set_new(o, "disturbed", json_boolean(disturbed > 0));
	json_object_set_new(o, "retries", json_integer(retries));
	json_object_set_new(doc, "interference", o);
}

static json_t *comma_list_json(const char *list)
{
	json_t *a = json_array();

	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");

		json_array_append_new(a, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return a;
}

static json_t *argv_json(int argc, char **argv)
{
	json_t *a = json_array();

	for (int i = 0; i < argc; i++)
		json_array_append_new(a, json_string(argv[i]));
	return a;
}

/* The options whose values are variants of their own (pagelock's pattern). */
static json_t *matrix_options_json(const struct opt *opts)
{
	json_t *a = json_array();

	for (const struct opt *o = opts; o && o->name; o++)
		if (o->matrix)
			json_array_append_new(a, json_string(o->name));
	return a;
}

json_t *results_to_json(const struct run *run)
{
	json_t *o = json_object(), *steps = json_array();
	char name[48];

	json_object_set_new(o, "schema_version", json_integer(FB_SCHEMA_VERSION));
	json_object_set_new(o, "faultbench_version", json_string(fb_version));
	json_object_set_new(o, "command_line", argv_json(run->argc, run->argv));
	json_object_set_new(o, "label", json_string(run->ro->label));
	json_object_set_new(o, "headline_metric",
			    json_string(results_headline_metric(run->bench, name, sizeof(name))));
	json_object_set_new(o, "table_metrics", comma_list_json(run->bench->table_metrics));
	json_object_set_new(o, "samples_are_replicates",
			    json_boolean(run->bench->samples_are_replicates));
	/* what the analysis side needs, so it never asks the benchmark code */
	json_object_set_new(o, "matrix_options", matrix_options_json(run->bench->opts));
	json_object_set_new(o, "ratio_metric",
			    run->bench->ratio_metric ? json_string(run->bench->ratio_metric)
						     : json_null());
	json_object_set_new(o, "bench", json_string(run->bench->name));
	json_object_set_new(o, "preset", run->preset ? json_string(run->preset) : json_null());
	json_object_set_new(o, "params", opt_to_json(run->bench->opts, run->params));
	json_object_set_new(o, "run", opt_to_json(run_options, run->ro));
	json_object_set_new(o, "system", run->system ? json_incref(run->system) : json_object());
	json_object_set_new(o, "topology",
			    run->topology ? json_incref(run->topology) : json_object());
	json_object_set_new(o, "start_time", json_string(run->start_time));
	json_object_set_new(o, "end_time", json_string(run->end_time));
	json_object_set_new(o, "complete", json_boolean(run->complete));
	if (!run->complete)
		json_object_set_new(
		    o, "incomplete_reason",
		    json_string(run->incomplete_reason ? run->incomplete_reason : "unknown"));
	json_object_set_new(o, "evidence",
			    run->evidence ? json_incref(run->evidence) : json_object());
	if (run->faults)
		json_object_set_new(o, "faults", json_incref(run->faults));
	for (unsigned i = 0; i < run->nsteps; i++)
		json_array_append_new(steps, step_json(run, &run->steps[i], i));
	json_object_set_new(o, "steps", steps);
	interference_json(o, run);
	return o;
}

static bool is_directory_target(const char *path)
{
	struct stat st;
	size_t n = strlen(path);

	if (!stat(path, &st))
		return S_ISDIR(st.st_mode);
	return !(n > 5 && !strcmp(path + n - 5, ".json"));
}

/* <bench-or-preset>-<UTC timestamp>: the stem of a new result's name. */
static char *new_stem(const struct run *run)
{
	const char *base = run->preset ? run->preset : run->bench->name;
	char stamp[32];

	fb_utc_now(stamp, sizeof(stamp), false);
	return xasprintf("%s-%s", base, stamp);
}

static int dump_doc(FILE *f, const void *doc)
{
	return fb_json_dumpf(doc, f, JSON_INDENT(1));
}

/* dir and stem.json of an explicit FILE.json target; malloc'd. */
static void split_target(const char *path, char **dir, char **stem)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;

	if (!slash)
		*dir = xstrdup(".");
	else if (slash == path)
		*dir = xstrdup("/");
	else
		*dir = xasprintf("%.*s", (int)(slash - path), path);
	*stem = xasprintf("%.*s", (int)(strlen(base) - 5), base);
}

int results_write(const struct run *run, const char *path, const char *store, char **written)
{
	json_t *doc = results_to_json(run);
	char *dir, *stem;
	enum fb_publish how;
	int ret;

	if (is_directory_target(path)) {
		dir = xstrdup(path);
		stem = new_stem(run);
		how = FB_NEW_UNIQUE;
	} else {
		split_target(path, &dir, &stem);
		how = FB_NEW;
	}
	ret = mkdir_p(dir);
	if (!ret)
		ret = fb_write_file(dir, stem, ".json", how, dump_doc, doc, written);
	/* indexing fails with a warning at worst: the file is the result */
	if (!ret && written)
		store_index_written(store, *written);
	if (ret == -EEXIST && how == FB_NEW)
		ret = fb_fail("cannot create '%s': it exists; results are never overwritten", path);
	else if (ret)
		ret = fb_fail("cannot write a result into '%s': %s", dir, strerror(-ret));
	free(dir);
	free(stem);
	json_decref(doc);
	return ret;
}

/* ---- text table ---- */

static void fmt_num(char *buf, size_t len, double v)
{
	double a = fabs(v);

	if (!isfinite(v))
		snprintf(buf, len, "-");
	else if (a >= 1e5)
		snprintf(buf, len, "%.0f", v);
	else if (a >= 100)
		snprintf(buf, len, "%.1f", v);
	else if (a >= 1)
		snprintf(buf, len, "%.3f", v);
	else
		snprintf(buf, len, "%.4f", v);
}

/* Metric names: the headline first, then in the order of the first step that has them. */
static unsigned table_metrics(const struct run *run, const char **names, unsigned max)
{
	char buf[48];
	const char *headline = results_headline_metric(run->bench, buf, sizeof(buf));
	unsigned n = 0;

	for (unsigned i = 0; i < run->nsteps && !n; i++) {
		const struct metric *m = step_metric(&run->steps[i], headline);

		if (m)
			names[n++] = m->name;
	}

	for (unsigned i = 0; i < run->nsteps; i++)
		for (unsigned m = 0; m < run->steps[i].nmetrics && n < max; m++) {
			const char *name = run->steps[i].metrics[m].name;
			unsigned k;

			/* Per-node figures get a block of their own; monitors only in results. */
			if (strchr(name, '@') || monitor_metric(name))
				continue;
			for (k = 0; k < n && strcmp(names[k], name); k++)
				;
			if (k == n)
				names[n++] = name;
		}
	return n;
}

/* Repeats of one (variant, ncpus) cell. */
static unsigned cell_values(const struct run *run, const char *variant, unsigned ncpus,
			    const char *metric, double *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < run->nsteps && n < max; i++) {
		const struct step_result *r = &run->steps[i];
		const struct metric *m;

		if (r->ncpus != ncpus || strcmp(r->variant, variant))
			continue;
		m = step_metric(r, metric);
		if (m && isfinite(m->value))
			out[n++] = m->value;
	}
	return n;
}

/* "# run: mode=threads ...": only the common options the benchmark uses. */
static void print_run_line(FILE *f, const struct run *run)
{
	const struct bench *b = run->bench;
	const struct run_opts *ro = run->ro;

	fprintf(f, "# run:");
	if (bench_uses_run_option(b, "mode"))
		fprintf(f, " mode=%s", opt_choice_name(opt_find(run_options, "mode"), ro->mode));
	if (bench_uses_run_option(b, "placement"))
		fprintf(f, " placement=%s",
			opt_choice_name(opt_find(run_options, "placement"), ro->placement));
	if (bench_uses_run_option(b, "samples") && bench_uses_run_option(b, "sample-time"))
		fprintf(f, " samples=%lldx%gs", ro->samples, ro->sample_time);
	if (bench_uses_run_option(b, "warmup"))
		fprintf(f, " warmup=%gs", ro->warmup);
	fprintf(f, " repeat=%lld\n", ro->repeat);
}

static void print_header(FILE *f, const struct run *run)
{
	char buf[256];
	json_t *sys = run->system;
	const char *host = json_string_value(json_object_get(sys, "hostname"));
	json_t *kernel = json_object_get(sys, "kernel");
	const char *rel = json_string_value(json_object_get(kernel, "release"));

	fprintf(f, "# faultbench %s  %s%s%s  label=%s  %s%s\n", fb_version,
		run->preset ? run->preset : run->bench->name, run->preset ? " = " : "",
		run->preset ? run->bench->name : "", run->ro->label, run->start_time,
		run->complete ? "" : "  INCOMPLETE");
	fprintf(f, "# machine: %s, kernel %s\n", host ? host : "?", rel ? rel : "?");
	fprintf(f, "# params:");
	for (const struct opt *o = run->bench->opts; o && o->name; o++) {
		opt_format(o, run->params, buf, sizeof(buf));
		fprintf(f, " %s=%s", o->name, buf);
	}
	fputc('\n', f);
	print_run_line(f, run);
	if (!run->complete)
		fprintf(f, "# INCOMPLETE: %s\n",
			run->incomplete_reason ? run->incomplete_reason : "");
}

/* Any repeat of one (variant, ncpus) cell disturbed by interference. */
static bool cell_disturbed(const struct run *run, const char *variant, unsigned ncpus)
{
	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];
		struct intf_step st;

		if (r->ncpus != ncpus || strcmp(r->variant, variant))
			continue;
		intf_step_summary(r, &st);
		if (st.disturbed)
			return true;
	}
	return false;
}

/* Unique (variant, ncpus) cells in run order, taken from repeat 0. */
static void print_rows(FILE *f, const struct run *run, const char **names, unsigned nm)
{
	double vals[1024];
	bool variants = run->nsteps && run->steps[0].variant[0];
	const char *cov_metric = nm ? names[0] : NULL;
	int width = 12; /* the variant column: wider when a name needs it ("sparse/munmap") */

	for (unsigned i = 0; variants && i < run->nsteps; i++)
		if ((int)strlen(run->steps[i].variant) > width)
			width = (int)strlen(run->steps[i].variant);
	if (variants)
		fprintf(f, "# %-*s", width + 1, "variant");
	else
		fprintf(f, "#");
	fprintf(f, "%6s", "cpus");
	for (unsigned k = 0; k < nm; k++)
		fprintf(f, " %14s", names[k]);
	fprintf(f, " %8s\n", run->ro->repeat > 1 ? "cov%rep" : "cov%");
	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];
		const struct metric *m0;
		char buf[32];
		double cov;
		unsigned n;

		if (r->repeat != 0)
			continue;
		if (variants)
			fprintf(f, "  %-*s", width, r->variant);
		fprintf(f, " %6u", r->ncpus);
		for (unsigned k = 0; k < nm; k++) {
			n = cell_values(run, r->variant, r->ncpus, names[k], vals,
					ARRAY_SIZE(vals));
			fmt_num(buf, sizeof(buf), n ? stats_mean(vals, n) : NAN);
			fprintf(f, " %14s", buf);
		}
		/* CoV across repeats when there are several, else across samples. */
		n = cell_values(run, r->variant, r->ncpus, cov_metric, vals, ARRAY_SIZE(vals));
		m0 = step_metric(r, cov_metric);
		cov = n > 1 ? stats_cov(vals, n) : m0 ? stats_cov(m0->v, m0->n) : NAN;
		fmt_num(buf, sizeof(buf), cov * 100);
		fprintf(f, " %8s%s%s\n", buf, r->complete ? "" : "  (incomplete)",
			cell_disturbed(run, r->variant, r->ncpus) ? "  (disturbed)" : "");
	}
}

/*
 * The interference footer: how many steps were disturbed beyond the bounds
 * (their rows end in "(disturbed)"), which, and the worst figures.
 */
static void print_interference(FILE *f, const struct run *run)
{
	unsigned steps, disturbed, retries, listed = 0;
	double share = NAN, wait = NAN;

	if (!run_interference(run, &steps, &disturbed, &retries))
		return;
	for (unsigned i = 0; i < run->nsteps; i++) {
		struct intf_step st;

		intf_step_summary(&run->steps[i], &st);
		if (!st.known)
			continue;
		share = isfinite(share) ? fmin(share, st.share_min) : st.share_min;
		wait = isfinite(wait) ? fmax(wait, st.wait_max) : st.wait_max;
	}
	fprintf(f,
		"# interference: %u of %u steps disturbed (bounds: worker share >= %g, "
		"run-queue wait <= %g, other tasks <= %g, steal <= %g); worst share %.3f, "
		"wait %.3f",
		disturbed, steps, intf_bounds.share_min, intf_bounds.wait_max,
		intf_bounds.other_max, intf_bounds.steal_max, share, wait);
	if (retries)
		fprintf(f, "; %u disturbed samples re-measured", retries);
	fputc('\n', f);
	for (unsigned i = 0; i < run->nsteps && disturbed; i++) {
		const struct step_result *r = &run->steps[i];
		struct intf_step st;

		intf_step_summary(r, &st);
		if (!st.disturbed)
			continue;
		if (listed++ == 8) {
			fprintf(f, "#   ... (the result file has every step)\n");
			break;
		}
		fprintf(f,
			"#   disturbed: %u CPUs%s%s repeat %u: %u of %u samples, share min %.3f, "
			"wait max %.3f, other max %.3f, steal max %.3f\n",
			r->ncpus, r->variant[0] ? " " : "", r->variant, r->repeat,
			st.samples_disturbed, st.samples, st.share_min, st.wait_max, st.other_max,
			st.steal_max);
	}
}

/* Field k of a '/'-separated variant name, into buf. */
static const char *variant_field(const char *variant, unsigned k, char *buf, size_t len)
{
	const char *p = variant;

	while (k-- && (p = strchr(p, '/')))
		p++;
	if (!p)
		return NULL;
	snprintf(buf, len, "%.*s", (int)strcspn(p, "/"), p);
	return buf;
}

/* The variant name with field k replaced by value. */
static void variant_with(const char *variant, unsigned k, const char *value, char *out, size_t len)
{
	char field[64];
	size_t used = 0;

	out[0] = '\0';
	for (unsigned i = 0; variant_field(variant, i, field, sizeof(field)); i++)
		used += snprintf(out + used, used < len ? len - used : 0, "%s%s", i ? "/" : "",
				 i == k ? value : field);
}

/*
 * Ratios between variants that differ in one matrix option only, against
 * that option's first value (its baseline): thp/4k, same/disjoint, and with
 * two options both thp/4k at each sharing and shared/own at each buffer kind.
 */
static void print_ratios(FILE *f, const struct run *run)
{
	const char *metric = run->bench->ratio_metric;
	const char *first = run->nsteps ? run->steps[0].variant : "";
	double a[1024], b[1024];
	bool header = false;

	if (!metric || !first[0])
		return;
	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];
		char mine[64], base_value[64], base[64];

		if (r->repeat)
			continue;
		for (unsigned k = 0; variant_field(r->variant, k, mine, sizeof(mine)); k++) {
			unsigned na, nb;

			if (!variant_field(first, k, base_value, sizeof(base_value)) ||
			    !strcmp(mine, base_value))
				continue;
			variant_with(r->variant, k, base_value, base, sizeof(base));
			na = cell_values(run, r->variant, r->ncpus, metric, a, ARRAY_SIZE(a));
			nb = cell_values(run, base, r->ncpus, metric, b, ARRAY_SIZE(b));
			if (!na || !nb)
				continue;
			if (!header)
				fprintf(f, "# ratios of %s between variants\n", metric);
			header = true;
			fprintf(f, "#   %s vs %s at %u CPUs: %.3f\n", r->variant, base, r->ncpus,
				stats_mean(a, na) / stats_mean(b, nb));
		}
	}
}

/* Per-node metrics ("faults/s@node1") when the run has them. */
static void print_per_node(FILE *f, const struct run *run)
{
	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];
		bool any = false;

		for (unsigned m = 0; m < r->nmetrics; m++) {
			char buf[32];

			if (!strchr(r->metrics[m].name, '@'))
				continue;
			if (!any)
				fprintf(f, "# per node, %u CPUs%s%s:", r->ncpus,
					r->variant[0] ? " " : "", r->variant);
			any = true;
			fmt_num(buf, sizeof(buf), r->metrics[m].value);
			fprintf(f, " %s=%s", r->metrics[m].name, buf);
		}
		if (any)
			fputc('\n', f);
	}
}

/*
 * Pinned workers must stay on their PU; a sample that saw a worker elsewhere
 * means pinning failed (cpuset, isolation) and the figures are not what they seem.
 */
static void print_migrations(FILE *f, const struct run *run)
{
	unsigned long moved = 0, seen = 0;

	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];

		for (unsigned s = 0; s < r->nsamples; s++)
			for (unsigned w = 0; r->samples[s].cpu && w < r->ncpus; w++) {
				seen++;
				moved += r->samples[s].cpu[w] >= 0 &&
					 (unsigned)r->samples[s].cpu[w] != r->pus[w];
			}
	}
	if (moved)
		fprintf(f,
			"# WARNING: %lu of %lu worker samples ran on a CPU other than the "
			"planned PU: pinning failed\n",
			moved, seen);
}

/* A --mem request the kernel did not honour (more than 5% of pages elsewhere). */
static void print_placement_warnings(FILE *f, const struct run *run)
{
	for (unsigned i = 0; i < run->nsteps; i++) {
		json_t *check = json_object_get(run->steps[i].extra, "placement_check");
		const char *warning = json_string_value(json_object_get(check, "warning"));

		if (warning)
			fprintf(f, "# WARNING: %u CPUs%s%s: %s\n", run->steps[i].ncpus,
				run->steps[i].variant[0] ? " " : "", run->steps[i].variant,
				warning);
	}
}

void results_print_table(FILE *f, const struct run *run)
{
	const char *names[64];
	unsigned nm = table_metrics(run, names, ARRAY_SIZE(names));

	print_header(f, run);
	print_migrations(f, run);
	print_placement_warnings(f, run);
	print_rows(f, run, names, nm);
	print_ratios(f, run);
	print_per_node(f, run);
	print_interference(f, run);
}

/* ---- CSV ---- */

/*
 * One record per step (each repeat) and metric, a "long" table every
 * spreadsheet and data-frame reader pivots as it likes.  value is the step's
 * figure over its whole measured interval; mean .. max are over its samples.
 */
void results_print_csv(FILE *f, const struct run *run)
{
	static const char *const head[] = {
		"label",  "bench",   "preset",	      "variant",  "cpus",      "repeat",
		"metric", "value",   "mean",	      "stddev",	  "cov_pct",   "min",
		"max",	  "samples", "higher_better", "complete", "disturbed", "samples_disturbed",
		"retries"
	};

	for (size_t i = 0; i < ARRAY_SIZE(head); i++)
		csv_field(f, head[i], i == 0);
	csv_end_row(f);
	for (unsigned i = 0; i < run->nsteps; i++) {
		const struct step_result *r = &run->steps[i];
		struct intf_step st;

		intf_step_summary(r, &st);
		for (unsigned k = 0; k < r->nmetrics; k++) {
			const struct metric *m = &r->metrics[k];

			csv_field(f, run->ro->label, true);
			csv_field(f, run->bench->name, false);
			csv_field(f, run->preset ? run->preset : "", false);
			csv_field(f, r->variant, false);
			csv_uint(f, r->ncpus, false);
			csv_uint(f, r->repeat, false);
			csv_field(f, m->name, false);
			csv_num(f, m->value, false);
			csv_num(f, m->n ? stats_mean(m->v, m->n) : NAN, false);
			csv_num(f, m->n > 1 ? stats_stddev(m->v, m->n) : NAN, false);
			csv_num(f, m->n > 1 ? 100 * stats_cov(m->v, m->n) : NAN, false);
			csv_num(f, m->n ? stats_min(m->v, m->n) : NAN, false);
			csv_num(f, m->n ? stats_max(m->v, m->n) : NAN, false);
			csv_uint(f, m->n, false);
			csv_field(f, m->neither ? "" : m->higher_better ? "true" : "false", false);
			csv_field(f, r->complete ? "true" : "false", false);
			/* empty when unknown: a step that measured no interference */
			csv_field(f, !st.known ? "" : st.disturbed ? "true" : "false", false);
			if (st.known) {
				csv_uint(f, st.samples_disturbed, false);
				csv_uint(f, st.retries, false);
			} else {
				csv_field(f, "", false);
				csv_field(f, "", false);
			}
			csv_end_row(f);
		}
	}
}
