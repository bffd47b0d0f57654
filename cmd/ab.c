// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench ab --a 'run ...' --b 'run ...': an adaptive A/B.  A and B runs
 * alternate in ABBA order (AB, BA, AB, ...), each a separate 'faultbench
 * run' (lib/spawn), and after every pair an anytime-valid test
 * (analysis/sequential.h) on the pairs' log ratios looks at the evidence.
 * It stops as soon as it decides (B worse than A by more than the threshold,
 * or within it) or the budget (runs, seconds) would be exceeded by another
 * pair; looking after every pair does not raise its error rate.  A pair
 * with a run that says it was disturbed (interference) is redone, within
 * the budget.  Exit 0 within, 1 worse, 125 undecided (as check).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "compare.h"
#include "jsonfile.h"
#include "opt.h"
#include "paired.h"
#include "resultset.h"
#include "sequential.h"
#include "spawn.h"
#include "util.h"

#define AB_MAX_WORDS 64

struct ab_cmd_opts {
	const char *a, *b, *knob;
	const char *threshold;
	int metric; /* 0 headline, 1 cpu */
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
	  .help = "budget: A and B runs together, redone ones included" },
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
	char *words_copy;
	const char *argv[AB_MAX_WORDS + 12];
	int argc; /* the user's words, before what ab adds */
	char knob[512];
};

struct ab_state {
	struct ab_cmd_opts o;
	struct side side[2];
	const char *dir;
	char *dir_alloc;
	double threshold; /* log scale */
	double start;
	unsigned runs, pairs, redone;
	struct seq_test seq;
	bool higher_better;
	const char *metric_name;
	json_t *log; /* ab.json's "pairs" */
};

/* Split a command at spaces; refuse what ab sets itself and anything but 'run'. */
static int parse_side(struct side *s, const char *cmd, const char *which)
{
	static const char *const refused[] = { "-o", "--output", "--store", "--format", NULL };
	char *save = NULL, *tok;

	s->words_copy = xstrdup(cmd);
	s->argv[s->argc++] = "faultbench";
	for (tok = strtok_r(s->words_copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (s->argc == AB_MAX_WORDS)
			return fb_usage("option '--%s': more than %d words", which, AB_MAX_WORDS);
		for (unsigned i = 0; refused[i]; i++) {
			size_t n = strlen(refused[i]);

			if (!strncmp(tok, refused[i], n) && (!tok[n] || tok[n] == '='))
				return fb_usage(
				    "option '--%s': '%s' is set by ab, not by its commands", which,
				    refused[i]);
		}
		s->argv[s->argc++] = tok;
	}
	if (s->argc < 3 || strcmp(s->argv[1], "run"))
		return fb_usage("option '--%s': '%s' is not 'run BENCH [options]'", which, cmd);
	return FB_OK;
}

/* --knob PATH=VA,VB: each side gets its own single value. */
static int split_knob(struct ab_state *st)
{
	const char *spec = st->o.knob, *eq = strchr(spec, '='), *comma;

	comma = eq ? strchr(eq + 1, ',') : NULL;
	if (!eq || !comma || strchr(comma + 1, ',') || comma == eq + 1 || !comma[1])
		return fb_usage("option '--knob': '%s' is not PATH=VA,VB (two values)", spec);
	snprintf(st->side[0].knob, sizeof(st->side[0].knob), "--knob=%.*s", (int)(comma - spec),
		 spec);
	snprintf(st->side[1].knob, sizeof(st->side[1].knob), "--knob=%.*s%s", (int)(eq + 1 - spec),
		 spec, comma + 1);
	return FB_OK;
}

static int parse_options(struct ab_state *st, int argc, char **argv)
{
	struct opt_binding b = { ab_options, &st->o };
	double pct;
	int npos, ret;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret;
	if (npos || !st->o.a || (!st->o.b && !st->o.knob))
		return usage(stderr);
	if (cmp_parse_percent("threshold", st->o.threshold, &pct))
		return FB_USAGE;
	if (pct <= 0)
		return fb_usage("option '--threshold': '%s' must be above 0: an A/A would never "
				"be within it",
				st->o.threshold);
	st->threshold = -log(1 - pct / 100);
	ret = parse_side(&st->side[0], st->o.a, "a");
	if (!ret)
		ret = parse_side(&st->side[1], st->o.b ? st->o.b : st->o.a, st->o.b ? "b" : "a");
	if (!ret && st->o.knob)
		ret = split_knob(st);
	return ret;
}

static double elapsed(const struct ab_state *st)
{
	return now_monotonic() - st->start;
}

/*
 * One run of side 0 (A) or 1 (B) into DIR/a-NNN.json, its output into
 * DIR/a-NNN.log; stopped at the time budget.  The run's exit status, or -1
 * when the budget stopped it.  *path gets the result's path.
 */
static int run_side(struct ab_state *st, unsigned which, char **path)
{
	struct side *s = &st->side[which];
	const char *name = which ? "b" : "a";
	char *log = xasprintf("%s/%s-%03u.log", st->dir, name, st->pairs + st->redone + 1);
	int argc = s->argc, code;
	struct spawn sp = {
		.file = "/proc/self/exe",
		.out = { SPAWN_FILE, .path = log },
		.err = { SPAWN_TO_STDOUT },
		.pass_interrupt = true,
		.grace = 1,
	};

	*path = xasprintf("%s/%s-%03u.json", st->dir, name, st->pairs + st->redone + 1);
	if (s->knob[0])
		s->argv[argc++] = s->knob;
	s->argv[argc++] = "-o";
	s->argv[argc++] = *path;
	s->argv[argc++] = "--store=none";
	s->argv[argc++] = "--progress=off";
	s->argv[argc] = NULL;
	sp.argv = s->argv;
	/* the kill grace (1 s) and the reaping after it are inside the budget too */
	sp.timeout = st->o.max_time - elapsed(st) - sp.grace - 0.25;
	if (sp.timeout <= 0) {
		free(log);
		return -1;
	}
	st->runs++;
	code = spawn_run(&sp);
	if (sp.end == SPAWN_NOT_RUN) {
		char why[256];

		code = fb_fail("%s", spawn_describe(&sp, why, sizeof(why)));
	} else if (sp.end == SPAWN_TIMED_OUT) {
		code = -1;
	} else if (code) {
		fb_warn("ab: %s's run exited with status %d; its output is in %s", name, code, log);
	}
	spawn_clear(&sp);
	free(log);
	return code;
}

static double pct(const struct ab_state *st, double d)
{
	return (exp(d) - 1) * 100;
}

/* The interval in percent of B against A, NAN while unbounded. */
static void interval_pct(const struct ab_state *st, double *lo, double *hi)
{
	double l, h;

	if (!seq_interval(&st->seq, &l, &h)) {
		*lo = *hi = NAN;
		return;
	}
	*lo = pct(st, l);
	*hi = pct(st, h);
}

/*
 * One pair, A then B or (odd pairs) B then A.  FB_OK with a new observation,
 * FB_UNDECIDED when a run was disturbed (the pair is redone), -1 when the
 * budget stopped it, or the error of a run that failed.
 */
static int one_pair(struct ab_state *st)
{
	unsigned first = st->pairs % 2;
	char *path[2] = { NULL, NULL };
	json_t *doc[2] = { NULL, NULL };
	double d = 0, va = NAN, vb = NAN, lo, hi;
	int ret = FB_OK;

	for (unsigned k = 0; k < 2 && !ret; k++) {
		unsigned which = first ^ k;

		ret = run_side(st, which, &path[which]);
		if (!ret && fb_interrupted)
			ret = 128 + fb_interrupted;
	}
	for (unsigned k = 0; k < 2 && !ret; k++)
		if (!(doc[k] = rs_load_file(path[k])))
			ret = FB_FAIL;
	if (!ret)
		ret = paired_run_ratio(doc[0], doc[1], st->o.metric == 1, &d, &st->higher_better,
				       &va, &vb);
	if (!ret || ret == FB_UNDECIDED) {
		json_t *rec = json_pack("{s:s, s:s, s:s, s:b}", "order", first ? "BA" : "AB", "a",
					path[0], "b", path[1], "disturbed", ret == FB_UNDECIDED);

		if (!ret) {
			seq_add(&st->seq, d);
			st->pairs++;
			json_object_set_new(rec, "log_ratio", json_real(d));
		} else {
			st->redone++;
		}
		json_array_append_new(st->log, rec);
		if (!st->metric_name)
			st->metric_name = xstrdup(
			    st->o.metric == 1
				? PAIRED_CPU_METRIC
				: json_string_value(json_object_get(doc[0], "headline_metric")) ?: "?");
		interval_pct(st, &lo, &hi);
		printf("pair %3u %s: A %.6g, B %.6g %s", st->pairs + st->redone,
		       first ? "BA" : "AB", va, vb, st->metric_name);
		if (ret)
			printf("  disturbed or broken: redone");
		else
			printf("  %+.2f%%", pct(st, d));
		if (isnan(lo))
			printf("  interval unbounded yet");
		else
			printf("  interval [%+.2f%%, %+.2f%%]", lo, hi);
		printf("  %u runs, %.0f s\n", st->runs, elapsed(st));
		fflush(stdout);
	}
	for (unsigned k = 0; k < 2; k++) {
		json_decref(doc[k]);
		free(path[k]);
	}
	return ret;
}

/* Would one more pair fit the budget?  The slowest pair so far is the guess. */
static bool pair_fits(const struct ab_state *st, double slowest)
{
	return st->runs + 2 <= (unsigned)st->o.max_runs && elapsed(st) + slowest <= st->o.max_time;
}

static int write_summary(FILE *f, const void *arg)
{
	return fb_json_dumpf(arg, f, JSON_INDENT(1)) || fputc('\n', f) == EOF;
}

static int finish(struct ab_state *st, enum seq_decision dec, const char *why)
{
	double lo, hi, pct_thr = (1 - exp(-st->threshold)) * 100;
	json_t *sum;
	char *written = NULL;

	interval_pct(st, &lo, &hi);
	printf("ab: %s", seq_decision_name(dec));
	if (dec == SEQ_WORSE)
		printf(": B is worse than A by more than %.3g%%", pct_thr);
	else if (dec == SEQ_WITHIN)
		printf(": B is within %.3g%% of A (not worse by more)", pct_thr);
	else
		printf(" (%s)", why);
	if (st->pairs) {
		printf("; B/A %s %+.2f%%", st->metric_name ? st->metric_name : "",
		       pct(st, st->seq.mean));
		if (isnan(lo))
			printf(", confidence sequence still unbounded");
		else
			printf(", %.0f%% confidence sequence [%+.2f%%, %+.2f%%]",
			       (1 - st->o.alpha) * 100, lo, hi);
	}
	printf("\nab: spent %u runs (%u pairs, %u redone as disturbed) and %.0f s of a budget of "
	       "%lld runs and %.0f s\n",
	       st->runs, st->pairs, st->redone, elapsed(st), st->o.max_runs, st->o.max_time);
	sum = json_pack("{s:s, s:s, s:s?, s:f, s:f, s:f, s:{s:I, s:f}, s:s, s:s?, s:I, s:I, s:I, "
			"s:f, s:o}",
			"a", st->o.a, "b", st->o.b ? st->o.b : st->o.a, "knob", st->o.knob,
			"threshold_pct", pct_thr, "alpha", st->o.alpha, "mixture_c", st->seq.c,
			"budget", "runs", (json_int_t)st->o.max_runs, "seconds", st->o.max_time,
			"decision", seq_decision_name(dec), "why", dec ? NULL : why, "runs",
			(json_int_t)st->runs, "pairs", (json_int_t)st->pairs, "redone",
			(json_int_t)st->redone, "seconds", elapsed(st), "pairs_log",
			json_incref(st->log));
	if (st->pairs) {
		json_object_set_new(sum, "metric", json_string(st->metric_name));
		json_object_set_new(sum, "change_pct", json_real(pct(st, st->seq.mean)));
		if (!isnan(lo)) {
			json_object_set_new(sum, "interval_pct", json_pack("[f,f]", lo, hi));
		}
	}
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

		if (!pair_fits(st, slowest))
			return finish(st, dec, "budget spent");
		ret = one_pair(st);
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
		dec = seq_decide(&st->seq, st->threshold, st->higher_better);
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
		seq_init(&st.seq, st.o.alpha, SEQ_C);
		st.log = json_array();
		st.start = now_monotonic();
		fb_install_signal_handlers();
		ret = loop(&st);
	}
	for (unsigned i = 0; i < 2; i++)
		free(st.side[i].words_copy);
	free(st.dir_alloc);
	free((char *)st.metric_name);
	json_decref(st.log);
	return ret < 0 ? FB_OK : ret;
}
