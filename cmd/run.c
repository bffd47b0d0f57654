// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench run BENCH [options]: a sweep over CPU counts, repeated and
 * expanded into variants as asked, written as one JSON result.  Whatever was
 * measured before a failure or Ctrl-C is kept and marked incomplete.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "cmds.h"
#include "mempolicy.h"
#include "profile.h"
#include "results.h"
#include "runcheck.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

/* One combination of matrix option values: a params copy with one bit each. */
struct variant {
	void *params;
	char name[64];
};

struct run_state {
	const struct bench_entry *entry;
	const struct bench *b;
	void *params;
	struct run_opts ro;
	struct topo *topo;
	struct cpu_plan plan;
	struct variant *variants;
	unsigned nvariants;
	struct run run;
	char *outdir;
	char *preset_args;		/* OPT_STR values of the preset point into it */
	char *run_defaults_args;
	char *default_output;
	char stamp[32];
};

static void print_run_help(const struct bench_entry *e)
{
	const struct bench *b = e->bench;

	printf("usage: faultbench run %s [options]\n\n%s\n", e->name, e->summary ? e->summary : b->summary);
	if (e->preset)
		printf("preset of '%s': %s\n", b->name, e->preset);
	if (b->run_defaults)
		printf("run defaults of '%s': %s\n", b->name, b->run_defaults);
	printf("\n%s options:\n", b->name);
	opt_print_help(stdout, b->opts);
	printf("\ncommon options:\n");
	opt_print_help(stdout, run_options);
	printf("  -o FILE|DIR              same as --output\n");
}

/*
 * Apply built-in "--a=b --c=d" options (a bench's run defaults, a preset)
 * before the user's own.  *keep holds the copy OPT_STR values point into.
 */
static void apply_builtin(const char *args, const struct opt_binding *bind, char **keep)
{
	char *tok, *save = NULL, *argv[64];
	int n = 0, next;

	if (!args)
		return;
	*keep = xstrdup(args);
	for (tok = strtok_r(*keep, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	/* Built-in options that do not parse are a bug in the registry. */
	if (opt_parse_argv(bind, 1, n, argv, &next))
		abort();
}

static int parse_command_line(struct run_state *st, int argc, char **argv)
{
	struct opt_binding bind[] = { { run_options, &st->ro }, { st->b->opts, st->params } };
	int next, ret;

	ret = opt_parse_argv(bind, ARRAY_SIZE(bind), argc, argv, &next);
	if (ret < 0) {
		print_run_help(st->entry);
		return -1;
	}
	if (ret)
		return ret;
	if (next < argc)
		return fb_usage("unexpected argument '%s'; see 'faultbench run %s --help'", argv[next],
				st->entry->name);
	return run_opts_check_text(&st->ro, NULL);
}

/*
 * Matrix options with several values expand into one variant per combination,
 * named by those values joined with '/' ("thp/own").
 */
static void expand_variants(struct run_state *st)
{
	const struct bench *b = st->b;
	unsigned total = 1;

	for (const struct opt *o = b->opts; o && o->name; o++)
		if (o->type == OPT_ENUMSET && o->matrix)
			total *= __builtin_popcount(*(unsigned *)((char *)st->params + o->off));
	st->variants = xcalloc(total, sizeof(*st->variants));
	st->nvariants = total;
	for (unsigned v = 0; v < total; v++) {
		unsigned rest = v;
		size_t used = 0;

		st->variants[v].params = xmalloc(b->params_size);
		memcpy(st->variants[v].params, st->params, b->params_size);
		for (const struct opt *o = b->opts; o && o->name; o++) {
			unsigned *mask, bits, pick, bit;

			if (o->type != OPT_ENUMSET || !o->matrix)
				continue;
			mask = (unsigned *)((char *)st->variants[v].params + o->off);
			bits = __builtin_popcount(*mask);
			pick = rest % bits;
			rest /= bits;
			for (bit = 0; pick || !(*mask & (1u << bit)); bit++)
				if (*mask & (1u << bit))
					pick--;
			*mask = 1u << bit;
			/*
			 * Only options given several values name the variant: runs
			 * compare only with equal params, so names stay consistent.
			 */
			if (bits < 2)
				continue;
			used += snprintf(st->variants[v].name + used, sizeof(st->variants[v].name) - used,
					 "%s%s", used ? "/" : "", opt_choice_name(o, (int)bit));
			if (used >= sizeof(st->variants[v].name))
				used = sizeof(st->variants[v].name) - 1;
		}
	}
}

/* The output directory (for results, perf.data, and disk-backed files by default). */
static int prepare_output(struct run_state *st)
{
	const char *out = st->ro.output;
	size_t n;

	if (!out)
		out = st->ro.output = st->default_output = xasprintf("results/%s", st->ro.label);
	n = strlen(out);
	if (n > 5 && !strcmp(out + n - 5, ".json")) {
		const char *slash = strrchr(out, '/');

		struct stat sb;

		/* lstat: a dangling link there would be refused only after the run */
		if (!lstat(out, &sb))
			return fb_usage("option '--output': '%s' exists; results are never overwritten", out);
		if (!slash)
			st->outdir = xstrdup(".");
		else
			st->outdir = slash == out ? xstrdup("/")
						  : xasprintf("%.*s", (int)(slash - out), out);
	} else {
		st->outdir = xstrdup(out);
	}
	if (mkdir_p(st->outdir))
		return fb_usage("option '--output': cannot create '%s': %s", st->outdir, strerror(errno));
	if (!st->ro.dir)
		st->ro.dir = st->outdir;
	else if (mkdir_p(st->ro.dir))
		return fb_usage("option '--dir': cannot create '%s': %s", st->ro.dir, strerror(errno));
	return FB_OK;
}

static void progress(const struct run_state *st, unsigned done, unsigned total,
		     const struct step_result *r, double started)
{
	double elapsed = now_monotonic() - started;
	double eta = done ? elapsed / done * (total - done) : 0;

	if (!st->ro.progress || !isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r\033[K[%u/%u] %s: %u CPUs%s%s, repeat %u/%lld, ETA %d:%02d", done + 1,
		total, st->entry->name, r->ncpus, r->variant[0] ? ", " : "", r->variant,
		r->repeat + 1, st->ro.repeat, (int)eta / 60, (int)eta % 60);
	fflush(stderr);
}

static unsigned profile_target(const struct run_state *st)
{
	unsigned largest = 0;

	if (st->ro.profile_cpus)
		return (unsigned)st->ro.profile_cpus;
	for (unsigned i = 0; i < st->plan.nsteps; i++)
		if (st->plan.steps[i].ncpus > largest)
			largest = st->plan.steps[i].ncpus;
	return largest;
}

/* The step's PUs as a perf -C list: "0,1,4" (each once: --oversubscribe reuses PUs). */
static char *pu_list(const struct cpu_step *cs)
{
	char *list = xstrdup(""), *next;
	unsigned i, j;

	for (i = 0; i < cs->ncpus; i++) {
		for (j = 0; j < i && cs->pus[j] != cs->pus[i]; j++)
			;
		if (j < i)
			continue;
		next = xasprintf("%s%s%u", list, *list ? "," : "", cs->pus[i]);
		free(list);
		list = next;
	}
	return list;
}

static int run_one(struct run_state *st, unsigned step, unsigned v, unsigned repeat,
		   struct step_result *r)
{
	/*
	 * The last variant is profiled: the first is the baseline of the ratios
	 * (disjoint, 4k), the interesting case comes after it.
	 */
	bool profile = st->ro.profile && repeat == 0 && v == st->nvariants - 1 &&
		       st->plan.steps[step].ncpus == profile_target(st);
	struct profile *prof = NULL;
	char *why = NULL;
	int ret;

	if (profile) {
		char *path = xasprintf("%s/%s-%s.perf.data", st->outdir, st->entry->name, st->stamp);

		char *cpus = pu_list(&st->plan.steps[step]);

		profile_start(&prof, path, cpus, &why);
		free(cpus);
		free(path);
	}
	ret = runner_run_step(st->b, st->variants[v].params, &st->ro, st->topo,
			      &st->plan.steps[step], step, repeat, r);
	snprintf(r->variant, sizeof(r->variant), "%s", st->variants[v].name);
	if (profile) {
		json_t *p = prof ? profile_finish(prof) : json_pack("{s:s}", "skipped", why ? why : "unknown");

		if (p) {
			json_object_set_new(p, "ncpus", json_integer(r->ncpus));
			json_object_set_new(p, "variant", json_string(r->variant));
			json_object_set_new(st->run.evidence, "profile", p);
		}
		free(why);
	}
	return ret;
}

/* Repeats outermost, then steps, then variants: every sweep is interleaved. */
static int sweep(struct run_state *st)
{
	unsigned total = (unsigned)st->ro.repeat * st->plan.nsteps * st->nvariants, done = 0;
	double started = now_monotonic();
	int ret = FB_OK;

	st->run.steps = xcalloc(total, sizeof(struct step_result));
	for (unsigned rep = 0; rep < st->ro.repeat && !ret; rep++)
		for (unsigned i = 0; i < st->plan.nsteps && !ret; i++)
			for (unsigned v = 0; v < st->nvariants && !ret; v++, done++) {
				struct step_result *r = &st->run.steps[st->run.nsteps];

				r->ncpus = st->plan.steps[i].ncpus;
				r->repeat = rep;
				snprintf(r->variant, sizeof(r->variant), "%s", st->variants[v].name);
				progress(st, done, total, r, started);
				ret = run_one(st, i, v, rep, r);
				if (r->nsamples)
					st->run.nsteps++;
				else
					step_result_free(r);
			}
	if (st->ro.progress && isatty(STDERR_FILENO))
		fprintf(stderr, "\r\033[K");
	return ret;
}

static const char *incomplete_reason(int ret)
{
	if (ret == 128 + 2)
		return "interrupted (SIGINT)";
	if (ret == 128 + 15)
		return "interrupted (SIGTERM)";
	if (ret == FB_SKIP)
		return "skipped part-way";
	return fb_last_error()[0] ? fb_last_error() : "failed";
}

static int finish(struct run_state *st, int ret, int argc, char **argv)
{
	char *written = NULL;
	int wret;

	fb_utc_now(st->run.end_time, sizeof(st->run.end_time), true);
	st->run.complete = ret == FB_OK;
	if (!st->run.complete)
		st->run.incomplete_reason = incomplete_reason(ret);
	if (!st->run.nsteps && ret != FB_OK)
		return ret;	/* nothing measured: nothing to keep */
	results_derive_efficiency(&st->run);
	wret = results_write(&st->run, st->ro.output, &written);
	if (st->ro.format == FORMAT_JSON) {
		json_t *doc = results_to_json(&st->run);

		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
		putchar('\n');
		json_decref(doc);
	} else {
		results_print_table(stdout, &st->run);
	}
	if (written)
		fprintf(stderr, "faultbench: result written to %s%s\n", written,
			st->run.complete ? "" : " (incomplete)");
	free(written);
	return ret ? ret : wret;
}

static void release(struct run_state *st)
{
	for (unsigned i = 0; i < st->run.nsteps; i++)
		step_result_free(&st->run.steps[i]);
	free(st->run.steps);
	for (unsigned v = 0; v < st->nvariants; v++)
		free(st->variants[v].params);
	free(st->variants);
	free(st->params);
	free(st->outdir);
	free(st->preset_args);
	free(st->run_defaults_args);
	free(st->default_output);
	cpu_plan_free(&st->plan);
	topo_free(st->topo);
	json_decref(st->run.system);
	json_decref(st->run.topology);
	json_decref(st->run.evidence);
}

static int prepare(struct run_state *st, int argc, char **argv)
{
	struct mem_policy mp;
	int ret;

	opt_set_defaults(run_options, &st->ro);
	st->params = xcalloc(1, st->b->params_size ? st->b->params_size : 1);
	opt_set_defaults(st->b->opts, st->params);
	apply_builtin(st->b->run_defaults, &(struct opt_binding){ run_options, &st->ro },
		      &st->run_defaults_args);
	apply_builtin(st->entry->preset, &(struct opt_binding){ st->b->opts, st->params },
		      &st->preset_args);
	ret = parse_command_line(st, argc, argv);
	if (!ret)
		ret = mem_policy_parse(st->ro.mem, &mp);
	if (!ret)
		ret = topo_load(&st->topo, NULL);
	if (!ret)
		ret = topo_plan(st->topo, st->ro.cpus, st->ro.placement, st->ro.oversubscribe, &st->plan);
	/* sizes that cannot fit are refused here, not OOM-killed later with nothing kept */
	if (!ret)
		ret = opt_check_memory(st->b->opts, st->params, fb_mem_available(), NULL);
	if (!ret)
		ret = mem_policy_check(&mp, st->topo);
	if (!ret && st->b->check)
		ret = st->b->check(st->params, &st->ro);
	if (!ret)
		ret = prepare_output(st);
	return ret;
}

int cmd_run(int argc, char **argv)
{
	struct run_state st = { 0 };
	int ret;

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			printf("usage: faultbench run BENCH [options]; 'faultbench list' lists them\n");
			return FB_OK;
		}
		return fb_usage("run needs a benchmark; see 'faultbench list'");
	}
	st.entry = bench_lookup(argv[1]);
	if (!st.entry)
		return fb_usage("'%s' is not a benchmark; see 'faultbench list'", argv[1]);
	st.b = st.entry->bench;
	ret = prepare(&st, argc - 2, argv + 2);
	if (ret) {
		release(&st);
		return ret < 0 ? FB_OK : ret;
	}
	expand_variants(&st);
	st.run = (struct run){ .bench = st.b, .preset = st.entry->preset ? st.entry->name : NULL,
			       .params = st.params, .ro = &st.ro, .argc = argc, .argv = argv,
			       .system = sysinfo_collect(st.topo), .topology = topo_to_json(st.topo),
			       .evidence = json_object() };
	fb_utc_now(st.run.start_time, sizeof(st.run.start_time), true);
	fb_utc_now(st.stamp, sizeof(st.stamp), false);
	fb_install_signal_handlers();
	ret = sweep(&st);
	ret = finish(&st, ret, argc, argv);
	release(&st);
	return ret;
}
