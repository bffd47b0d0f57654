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

#include "cmds.h"
#include "faultacct.h"
#include "jsonfile.h"
#include "knob.h"
#include "mempolicy.h"
#include "prepare.h"
#include "registry.h"
#include "results.h"
#include "runargs.h"
#include "runcheck.h"
#include "runner.h"
#include "runs.h"
#include "store.h"
#include "sweep.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

struct run_state {
	const struct bench_entry *entry;
	const struct bench *b;
	struct run_prep prep; /* owns what the next five are copies of */
	void *params;
	struct run_opts ro;
	struct topo *topo;
	struct cpu_plan plan;
	struct run_env env; /* what every step shares, decided once */
	struct sweep sweep; /* variants and the loop over them (engine/sweep.c) */
	struct run run;
	char *outdir;
	char *dir_alloc; /* ro.dir when it is the output directory */
	char *default_output;
	const char *store; /* --store: where the result is indexed, or NULL */
	char stamp[32];
	struct knob knob; /* --knob: its values are variants too */
	bool has_knob;
};

/*
 * --store TARGET or --store=TARGET, taken out of argv before the options
 * are parsed: where a result is indexed is no parameter of the run, and a
 * connection string stays out of the result's command_line.  NULL if absent.
 */
static const char *take_store_option(int *argc, char **argv)
{
	const char *target = NULL;

	opt_take(argc, argv, "store", &target);
	return target;
}

/* The store the result goes to: --store, else the default for results/LABEL/. */
static int choose_store(struct run_state *st, const char *given)
{
	if (given && !*given)
		return fb_usage("option '--store' is empty; name a store, or 'none'");
	if (given && !strcmp(given, "none"))
		given = NULL;
	else if (!given && st->default_output)
		given = STORE_DEFAULT;
	st->store = given;
	return FB_OK;
}

/* The common options the benchmark uses; the others named apart. */
static void print_common_help(const struct bench *b, const struct run_opts *ro,
			      const struct run_opts *base, const char *set_by)
{
	struct opt used[64] = { 0 };
	unsigned n = 0, nignored = 0;

	for (const struct opt *o = run_options; o->name && n + 1 < ARRAY_SIZE(used); o++)
		if (bench_uses_run_option(b, o->name))
			used[n++] = *o;
	opt_print_help_params(stdout, used, ro, base, set_by);
	for (const struct opt *o = run_options; o->name; o++)
		if (!bench_uses_run_option(b, o->name))
			printf("%s--%s",
			       nignored++ ? ", "
					  : "  not used by this benchmark (accepted, no effect): ",
			       o->name);
	if (nignored)
		putchar('\n');
}

/*
 * The options with the defaults this name runs with: a preset's values and
 * the benchmark's own run defaults, not only the tables' ("nopage" shows
 * --backing's default as tmpfs, set by the preset, where fault has anon).
 */
static void print_run_help(const struct bench_entry *e)
{
	const struct bench *b = e->bench;
	void *base = xcalloc(1, b->params_size ? b->params_size : 1);
	struct run_opts ro_base;
	struct run_prep prep;
	char *set_by;

	/* the values a run starts from: defaults, run defaults, preset */
	run_prep_init(&prep, e);
	opt_set_defaults(b->opts, base);
	opt_set_defaults(run_options, &ro_base);

	printf("usage: faultbench run %s [options]\n\n%s\n", e->name,
	       e->summary ? e->summary : b->summary);
	if (e->preset)
		printf("preset of '%s': %s\n", b->name, e->preset);
	if (b->run_defaults)
		printf("run defaults of '%s': %s\n", b->name, b->run_defaults);
	printf("\n%s options:\n", b->name);
	set_by = xasprintf("preset %s", e->name);
	opt_print_help_params(stdout, b->opts, prep.params, base, set_by);
	free(set_by);
	printf("\ncommon options:\n");
	set_by = xasprintf("%s's default", b->name);
	print_common_help(b, &prep.ro, &ro_base, set_by);
	free(set_by);
	printf("  -o FILE|DIR              same as --output\n");
	printf("  --store TARGET           also index the result into this store: an SQLite file\n"
	       "                           or postgresql://... (default " STORE_DEFAULT " when\n"
	       "                           the result goes to results/LABEL/; 'none': the file\n"
	       "                           alone); not recorded in the result\n");
	run_prep_free(&prep);
	free(base);
}

static int parse_command_line(struct run_state *st, int argc, char **argv)
{
	struct opt_binding bind[2];
	unsigned nb = run_prep_bindings(&st->prep, bind);
	int next, ret;

	ret = opt_parse_argv(bind, nb, argc, argv, &next);
	if (ret < 0) {
		print_run_help(st->entry);
		return -1;
	}
	if (ret)
		return ret;
	if (next < argc)
		return fb_usage("unexpected argument '%s'; see 'faultbench run %s --help'",
				argv[next], st->entry->name);
	return FB_OK;
}

/* Create the directories run_decide_dirs() chose, once the checks passed. */
static int create_output(struct run_state *st)
{
	const char *out = st->ro.output;
	bool by_label = !out;
	size_t n;
	struct stat sb;
	int ret;

	if (!out)
		out = st->ro.output = st->default_output = xstrdup(st->outdir);
	n = strlen(out);
	/* lstat: a dangling link there would be refused only after the run */
	if (n > 5 && !strcmp(out + n - 5, ".json") && !lstat(out, &sb))
		return fb_usage("option '--output': '%s' exists; results are never overwritten",
				out);
	/* results/LABEL: a link planted there would take the results elsewhere */
	ret = by_label ? fb_mkdir_below("results", st->outdir + strlen("results/"))
		       : mkdir_p(st->outdir);
	if (ret == -ELOOP)
		return fb_usage("option '--label': '%s' is a symbolic link; results go into a "
				"directory of that name, never through a link",
				st->outdir);
	if (ret)
		return fb_usage("option '--output': cannot create '%s': %s", st->outdir,
				strerror(by_label ? -ret : errno));
	if (st->ro.dir != st->dir_alloc && mkdir_p(st->ro.dir))
		return fb_usage("option '--dir': cannot create '%s': %s", st->ro.dir,
				strerror(errno));
	return FB_OK;
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
		return ret; /* nothing measured: nothing to keep */
	results_derive_efficiency(&st->run);
	st->run.faults =
	    fault_acct_run_json(st->run.steps, st->run.nsteps, fault_acct_process_faults());
	wret = results_write(&st->run, st->ro.output, st->store, &written);
	if (st->ro.format == FORMAT_JSON) {
		json_t *doc = results_to_json(&st->run);

		fb_json_dumpf(doc, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(doc);
	} else if (st->ro.format == FORMAT_CSV) {
		results_print_csv(stdout, &st->run);
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
	sweep_free(&st->sweep);
	free(st->default_output);
	run_prep_free(&st->prep);
	knob_free(&st->knob);
	json_decref(st->run.system);
	json_decref(st->run.topology);
	json_decref(st->run.evidence);
	json_decref(st->run.faults);
}

/* The plan, prepared and checked by engine/prepare.c as a suite's jobs are. */
static int prepare(struct run_state *st, int argc, char **argv)
{
	struct run_prep *p = &st->prep;
	int ret;

	run_prep_init(p, st->entry);
	st->params = p->params;
	ret = parse_command_line(st, argc, argv);
	if (!ret && p->ro.knob) {
		st->has_knob = true;
		ret = knob_parse(p->ro.knob, &st->knob);
	}
	if (!ret)
		ret = run_prep_check(p, NULL, NULL, false);
	st->ro = p->ro;
	st->topo = p->topo;
	st->plan = p->plan;
	st->env.mem = p->mem;
	st->outdir = p->outdir;
	st->dir_alloc = p->dir_alloc;
	if (!ret)
		ret = create_output(st);
	return ret;
}

/*
 * "faultbench run [options] BENCH [options]", as the man page says and as git
 * takes its options: BENCH (engine/runargs.c) is moved to argv[1], where the
 * rest of run expects it.
 */
static void bench_to_front(int argc, char **argv)
{
	int i = run_bench_word(argc, argv, 1);
	char *a;

	if (i < 1)
		return;
	a = argv[i];
	memmove(argv + 2, argv + 1, (size_t)(i - 1) * sizeof(*argv));
	argv[1] = a;
}

int cmd_run(int argc, char **argv)
{
	struct run_state st = { 0 };
	const char *store;
	long runs;
	int ret = runs_take_option(&argc, argv, &runs);

	if (ret)
		return ret;
	if (runs > 1) /* each run its own process, with every other option as given */
		return runs_repeat(argc, argv, runs);
	store = take_store_option(&argc, argv);
	bench_to_front(argc, argv);

	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
			printf("usage: faultbench run [options] BENCH [options]; 'faultbench list' "
			       "lists "
			       "them\n");
			return FB_OK;
		}
		return fb_usage("run needs a benchmark; see 'faultbench list'");
	}
	st.entry = bench_lookup(argv[1]);
	if (!st.entry) {
		char hint[256];

		if (!bench_suggest_hint(argv[1], hint, sizeof(hint))[0])
			snprintf(hint, sizeof(hint), "; see 'faultbench list'");
		return fb_usage("'%s' is not a benchmark%s", argv[1], hint);
	}
	st.b = st.entry->bench;
	ret = prepare(&st, argc - 2, argv + 2);
	if (!ret)
		ret = choose_store(&st, store);
	if (ret) {
		release(&st);
		return ret < 0 ? FB_OK : ret;
	}
	st.env.bench = st.b;
	st.env.ro = &st.ro;
	st.env.topo = st.topo;
	st.sweep = (struct sweep){ .env = &st.env,
				   .prep = &st.prep,
				   .plan = &st.plan,
				   .name = st.entry->name,
				   .outdir = st.outdir,
				   .stamp = st.stamp,
				   .knob = st.has_knob ? &st.knob : NULL };
	sweep_variants(&st.sweep, st.b, st.params);
	st.run = (struct run){ .bench = st.b,
			       .preset = st.entry->preset ? st.entry->name : NULL,
			       .params = st.params,
			       .ro = &st.ro,
			       .argc = argc,
			       .argv = argv,
			       .system = sysinfo_collect(st.topo),
			       .topology = topo_to_json(st.topo),
			       .evidence = json_object() };
	fb_utc_now(st.run.start_time, sizeof(st.run.start_time), true);
	fb_utc_now(st.stamp, sizeof(st.stamp), false);
	fb_install_signal_handlers();
	if (st.has_knob)
		knob_restore_at_exit(&st.knob);
	ret = sweep_run(&st.sweep, &st.run);
	/* the setting is put back before anything is written or printed */
	if (st.has_knob)
		knob_restore(&st.knob);
	ret = finish(&st, ret, argc, argv);
	release(&st);
	return ret;
}
