// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench ab --a 'run ...' (--knob PATH=VA,VB | --b 'run ...'): an
 * adaptive A/B.  It starts runs (lib/spawn, no shell) and after each asks an
 * anytime-valid test (analysis/abtally.h) whether it can stop: a round of
 * the within design (one run, the knob's values interleaved ABBA by repeat)
 * or a pair of separate runs.  It never exceeds its budget (runs, seconds).
 * Exit 0 within the threshold, 1 worse, 125 undecided (as check).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "abtally.h"
#include "cmds.h"
#include "cmdwords.h"
#include "compare.h"
#include "jsonfile.h"
#include "opt.h"
#include "resultset.h"
#include "spawn.h"
#include "util.h"

#define AB_MAX_WORDS 64

struct ab_cmd_opts {
	const char *a, *b, *knob;
	const char *threshold;
	int metric; /* 0 headline, 1 cpu */
	int design; /* 0 auto, 1 within, 2 separate */
	long long round_repeats;
	double alpha;
	long long max_runs;
	double max_time;
	const char *output;
};

#define A(field) offsetof(struct ab_cmd_opts, field)

const struct opt ab_options[] = {
	{ .name = "a",
	  .type = OPT_STR,
	  .off = A(a),
	  .help = "A's command: 'run BENCH [options]' (split at spaces, no shell); ab adds -o, "
		  "--store none and --progress=off" },
	{ .name = "b",
	  .type = OPT_STR,
	  .off = A(b),
	  .help = "B's command (default: A's, with --knob's second value)" },
	{ .name = "knob",
	  .type = OPT_STR,
	  .off = A(knob),
	  .help =
	      "PATH=VA,VB: A runs with --knob PATH=VA, B with --knob PATH=VB (see run --help)" },
	{ .name = "threshold",
	  .type = OPT_STR,
	  .def = "2%",
	  .off = A(threshold),
	  .help = "B is worse when its headline metric is worse by more than this (2 or 2%)" },
	{ .name = "metric",
	  .type = OPT_ENUM,
	  .def = "headline",
	  .choices = "headline|cpu",
	  .off = A(metric),
	  .help = "what a pair compares: the benchmark's headline metric, or cpu: the workers' "
		  "CPU time per page (task-clock), which a busy machine does not move" },
	{ .name = "design",
	  .type = OPT_ENUM,
	  .def = "auto",
	  .choices = "auto|within|separate",
	  .off = A(design),
	  .help = "within: each round one run with --knob's values interleaved ABBA by repeat "
		  "(A and B seconds apart); separate: A and B separate runs in ABBA pairs; auto: "
		  "within with --knob, separate with --b" },
	{ .name = "round-repeats",
	  .type = OPT_INT,
	  .def = "4",
	  .min = 2,
	  .max = 1000,
	  .off = A(round_repeats),
	  .help = "within: repeats of a round's run (even: each round ABBA balanced), each one "
		  "pair" },
	{ .name = "alpha",
	  .type = OPT_DOUBLE,
	  .def = "0.05",
	  .min = 0.001,
	  .max = 0.5,
	  .off = A(alpha),
	  .help = "error rate of the decision, over every look together" },
	{ .name = "max-runs",
	  .type = OPT_INT,
	  .def = "100",
	  .min = 4,
	  .max = 10000,
	  .off = A(max_runs),
	  .help = "budget: runs (A and B together, or rounds), redone ones included" },
	{ .name = "max-time",
	  .type = OPT_DOUBLE,
	  .def = "600",
	  .min = 1,
	  .max = 7 * 86400,
	  .off = A(max_time),
	  .help = "budget: seconds of wall time; a run still going at the "
		  "end is stopped and its pair not counted" },
	{ .name = "output",
	  .type = OPT_STR,
	  .off = A(output),
	  .help = "directory for the runs' results and ab.json (default results/ab-STAMP/)" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench ab --a 'run BENCH [options]' (--b 'run ...' | --knob "
		   "PATH=VA,VB) [options]\n\n"
		   "Alternates A and B runs (ABBA) and stops when an anytime-valid paired test\n"
		   "decides: exit 0 B within the threshold of A, 1 B worse, 125 undecided\n"
		   "(budget spent).  docs/compare.md, \"Deciding adaptively\".\n\noptions:\n");
	opt_print_help(f, ab_options);
	return FB_USAGE;
}

struct side {
	struct cmd_words words;
	const char *argv[AB_MAX_WORDS + 12];
	int argc; /* the user's words, before what ab adds */
	char knob[512];
};

struct ab_state {
	struct ab_cmd_opts o;
	struct ab_spec spec;
	struct side side[2]; /* within: side[0] only, its knob the whole --knob */
	const char *dir;
	char *dir_alloc;
	double threshold_pct;
	double start;
	struct ab_tally tally;
};

/*
 * Split a command at spaces (no shell); refuse what ab sets itself and
 * anything but 'run'.  within: --repeat and --knob are ab's too.
 */
static int parse_side(struct side *s, const char *cmd, const char *which, bool within)
{
	/* the first two are the user's own in the separate design */
	static const char *const refused[] = { "--repeat", "--knob",   "-o", "--output",
					       "--store",  "--format", NULL };
	const char *bad;

	if (cmd_words_split(&s->words, cmd, AB_MAX_WORDS - 1))
		return fb_usage("option '--%s': more than %d words", which, AB_MAX_WORDS - 1);
	s->argv[s->argc++] = "faultbench";
	for (unsigned i = 0; i < s->words.n; i++)
		s->argv[s->argc++] = s->words.v[i];
	bad = cmd_words_find(&s->words, refused + (within ? 0 : 2));
	if (bad)
		return fb_usage("option '--%s': '%s' is set by ab, not by its commands", which,
				bad);
	if (s->argc < 3 || strcmp(s->argv[1], "run"))
		return fb_usage("option '--%s': '%s' is not 'run BENCH [options]'", which, cmd);
	return FB_OK;
}

static int parse_options(struct ab_state *st, int argc, char **argv)
{
	struct opt_binding b = { ab_options, &st->o };
	enum ab_design design = AB_SEPARATE;
	int npos, ret;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret;
	if (npos || !st->o.a || (!st->o.b && !st->o.knob))
		return usage(stderr);
	if (cmp_parse_percent("threshold", st->o.threshold, &st->threshold_pct))
		return FB_USAGE;
	if (st->threshold_pct <= 0)
		return fb_usage("option '--threshold': '%s' must be above 0: an A/A would never "
				"be within it",
				st->o.threshold);
	ret = ab_choose_design(st->o.design, st->o.knob, st->o.b, st->o.round_repeats, &design);
	if (ret)
		return ret;
	ab_tally_init(&st->tally, design, st->o.metric == 1, st->o.alpha, st->threshold_pct);
	ret = parse_side(&st->side[0], st->o.a, "a", design == AB_WITHIN);
	if (!ret && design == AB_SEPARATE)
		ret = parse_side(&st->side[1], st->o.b ? st->o.b : st->o.a, st->o.b ? "b" : "a",
				 false);
	if (!ret && st->o.knob)
		ret = ab_knob_args(st->o.knob, design, st->side[0].knob, st->side[1].knob,
				   sizeof(st->side[0].knob));
	st->spec = (struct ab_spec){ .a = st->o.a,
				     .b = st->o.b,
				     .knob = st->o.knob,
				     .alpha = st->o.alpha,
				     .max_runs = st->o.max_runs,
				     .max_time = st->o.max_time,
				     .round_repeats = (unsigned)st->o.round_repeats };
	return ret;
}

static double elapsed(const struct ab_state *st)
{
	return now_monotonic() - st->start;
}

/*
 * One run of side 0 or 1 into DIR/NAME-NNN.json (NAME a, b, or r for a
 * round), its output into DIR/NAME-NNN.log; stopped at the time budget.
 * The run's exit status, or -1 when the budget stopped it.  *path gets the
 * result's path.
 */
static int run_side(struct ab_state *st, unsigned which, const char *name, char **path)
{
	struct side *s = &st->side[which];
	struct ab_tally *t = &st->tally;
	unsigned seq = t->design == AB_WITHIN ? t->rounds + 1 : t->pairs + t->redone + 1;
	char *log = xasprintf("%s/%s-%03u.log", st->dir, name, seq);
	/* the kill grace and a quarter second to reap are inside the budget too */
	double timeout = st->o.max_time - elapsed(st) - SPAWN_SELF_GRACE - 0.25;
	char repeat[32];
	int argc = s->argc, code;
	bool timed_out;

	*path = xasprintf("%s/%s-%03u.json", st->dir, name, seq);
	if (s->knob[0])
		s->argv[argc++] = s->knob;
	if (t->design == AB_WITHIN) {
		snprintf(repeat, sizeof(repeat), "--repeat=%lld", st->o.round_repeats);
		s->argv[argc++] = repeat;
	}
	s->argv[argc++] = "-o";
	s->argv[argc++] = *path;
	s->argv[argc++] = "--store=none";
	s->argv[argc++] = "--progress=off";
	s->argv[argc] = NULL;
	if (timeout > 0) {
		t->runs++;
		code = spawn_self_logged(s->argv, NULL, log, timeout, &timed_out);
		if (timed_out)
			code = -1;
		else if (code)
			fb_warn("ab: %s's run exited with status %d; its output is in %s", name,
				code, log);
	} else {
		code = -1;
	}
	free(log);
	return code;
}

/*
 * One pair of separate runs, A then B or (odd pairs) B then A.  FB_OK with
 * a new observation, FB_UNDECIDED when it gave none (the pair is redone),
 * -1 when the budget stopped it, or the error of a run that failed.
 */
static int one_pair(struct ab_state *st)
{
	unsigned first = st->tally.pairs % 2;
	char *path[2] = { NULL, NULL };
	json_t *doc[2] = { NULL, NULL };
	int ret = FB_OK;

	for (unsigned k = 0; k < 2 && !ret; k++) {
		unsigned which = first ^ k;

		ret = run_side(st, which, which ? "b" : "a", &path[which]);
		if (!ret && fb_interrupted)
			ret = 128 + fb_interrupted;
	}
	for (unsigned k = 0; k < 2 && !ret; k++)
		if (!(doc[k] = rs_load_file(path[k])))
			ret = FB_FAIL;
	if (!ret)
		ret = ab_tally_pair(&st->tally, doc[0], doc[1], first ? "BA" : "AB", path[0],
				    path[1], elapsed(st), stdout);
	for (unsigned k = 0; k < 2; k++) {
		json_decref(doc[k]);
		free(path[k]);
	}
	return ret;
}

/* One round of the within design: a run of both values, its repeats the pairs. */
static int one_round(struct ab_state *st)
{
	char *path = NULL;
	json_t *doc = NULL;
	int ret = run_side(st, 0, "r", &path);

	if (!ret && fb_interrupted)
		ret = 128 + fb_interrupted;
	if (!ret && !(doc = rs_load_file(path)))
		ret = FB_FAIL;
	if (!ret)
		ret = ab_tally_round(&st->tally, doc, path, elapsed(st), stdout);
	json_decref(doc);
	free(path);
	return ret;
}

/* Would one more pair or round fit the budget?  The slowest so far is the guess. */
static bool step_fits(const struct ab_state *st, double slowest)
{
	unsigned need = st->tally.design == AB_WITHIN ? 1 : 2;

	return st->tally.runs + need <= (unsigned)st->o.max_runs &&
	       elapsed(st) + slowest <= st->o.max_time;
}

static int write_summary(FILE *f, const void *arg)
{
	return fb_json_dumpf(arg, f, JSON_INDENT(1)) || fputc('\n', f) == EOF;
}

static int finish(struct ab_state *st, enum seq_decision dec, const char *why)
{
	json_t *sum = ab_tally_finish(&st->tally, &st->spec, dec, why, elapsed(st), stdout);
	char *written = NULL;

	if (fb_write_file(st->dir, "ab", ".json", FB_NEW_UNIQUE, write_summary, sum, &written))
		fb_warn("ab: cannot write %s/ab.json", st->dir);
	else
		fprintf(stderr, "faultbench: ab summary written to %s\n", written);
	free(written);
	json_decref(sum);
	return dec == SEQ_WORSE ? FB_FAIL : dec == SEQ_WITHIN ? FB_OK : FB_UNDECIDED;
}

static int loop(struct ab_state *st)
{
	enum seq_decision dec = SEQ_UNDECIDED;
	double slowest = 0;

	while (dec == SEQ_UNDECIDED) {
		double t0 = elapsed(st);
		int ret;

		if (!step_fits(st, slowest))
			return finish(st, dec, "budget spent");
		ret = st->tally.design == AB_WITHIN ? one_round(st) : one_pair(st);
		if (ret == -1)
			return finish(st, dec, "budget spent: a run was stopped at the time limit");
		if (ret > 128 && fb_interrupted) {
			finish(st, dec, "interrupted");
			return ret;
		}
		if (ret && ret != FB_UNDECIDED) {
			/* a run that fails is no evidence either way */
			finish(st, dec, "a run failed");
			return ret == FB_USAGE || ret == FB_SKIP ? ret : FB_UNDECIDED;
		}
		if (elapsed(st) - t0 > slowest)
			slowest = elapsed(st) - t0;
		dec = ab_tally_decide(&st->tally);
	}
	return finish(st, dec, NULL);
}

static int make_dir(struct ab_state *st)
{
	char stamp[32];

	if (st->o.output) {
		st->dir = st->o.output;
	} else {
		fb_utc_now(stamp, sizeof(stamp), false);
		st->dir = st->dir_alloc = xasprintf("results/ab-%s", stamp);
	}
	if (mkdir_p(st->dir))
		return fb_usage("option '--output': cannot create '%s': %s", st->dir,
				strerror(errno));
	return FB_OK;
}

int cmd_ab(int argc, char **argv)
{
	struct ab_state st = { 0 };
	int ret;

	ret = parse_options(&st, argc, argv);
	if (!ret)
		ret = make_dir(&st);
	if (!ret) {
		st.start = now_monotonic();
		fb_install_signal_handlers();
		ret = loop(&st);
	}
	for (unsigned i = 0; i < 2; i++)
		cmd_words_free(&st.side[i].words);
	free(st.dir_alloc);
	ab_tally_free(&st.tally);
	return ret < 0 ? FB_OK : ret;
}
