// SPDX-License-Identifier: GPL-2.0
/*
 * The evidence of 'faultbench ab' (abtally.h): observations from result
 * documents into the anytime-valid test, progress lines, the decision and
 * ab.json.  cmd/ab.c runs the runs and feeds their documents here.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "abtally.h"
#include "paired.h"
#include "util.h"

int ab_choose_design(int design, const char *knob, const char *b, long long round_repeats,
		     enum ab_design *d)
{
	if (design == 1 && !knob)
		return fb_usage("option '--design': 'within' needs --knob PATH=VA,VB (one run "
				"interleaves both values)");
	if (design == 1 && b)
		return fb_usage("option '--design': 'within' runs A's command only; --b needs "
				"'separate'");
	if (round_repeats % 2)
		return fb_usage("option '--round-repeats': %lld is odd; an even count keeps each "
				"round balanced (AB BA ...)",
				round_repeats);
	*d = design == 2 || (!design && b) ? AB_SEPARATE : AB_WITHIN;
	return FB_OK;
}

int ab_knob_args(const char *spec, enum ab_design d, char *a, char *b, size_t len)
{
	const char *eq = strchr(spec, '='), *comma = eq ? strchr(eq + 1, ',') : NULL;

	if (!eq || !comma || strchr(comma + 1, ',') || comma == eq + 1 || !comma[1])
		return fb_usage("option '--knob': '%s' is not PATH=VA,VB (two values)", spec);
	if ((size_t)snprintf(a, len, "--knob=%s", spec) >= len)
		return fb_usage("option '--knob': '%s' is too long", spec);
	if (d == AB_WITHIN)
		return FB_OK;
	snprintf(a, len, "--knob=%.*s", (int)(comma - spec), spec);
	snprintf(b, len, "--knob=%.*s%s", (int)(eq + 1 - spec), spec, comma + 1);
	return FB_OK;
}

void ab_tally_init(struct ab_tally *t, enum ab_design design, bool cpu, double alpha,
		   double threshold_pct)
{
	*t = (struct ab_tally){ .design = design,
				.cpu = cpu,
				.threshold = -log(1 - threshold_pct / 100),
				/* a time: lower is better; a rate's is read from its result */
				.higher_better = !cpu,
				.log = json_array() };
	seq_init(&t->seq, alpha, SEQ_C);
}

void ab_tally_free(struct ab_tally *t)
{
	free(t->metric_name);
	json_decref(t->log);
	t->metric_name = NULL;
	t->log = NULL;
}

static double pct(double d)
{
	return (exp(d) - 1) * 100;
}

void ab_tally_interval_pct(const struct ab_tally *t, double *lo, double *hi)
{
	double l, h;

	if (!seq_interval(&t->seq, &l, &h)) {
		*lo = *hi = NAN;
		return;
	}
	*lo = pct(l);
	*hi = pct(h);
}

enum seq_decision ab_tally_decide(const struct ab_tally *t)
{
	return seq_decide(&t->seq, t->threshold, t->higher_better);
}

/* The metric's name, from the first document read. */
static void name_metric(struct ab_tally *t, json_t *doc)
{
	if (t->metric_name)
		return;
	t->metric_name = xstrdup(
	    t->cpu ? PAIRED_CPU_METRIC
		   : json_string_value(json_object_get(doc, "headline_metric")) ?: "?");
}

/* "  interval [...]  N runs, S s\n" */
static void print_tail(const struct ab_tally *t, double elapsed, FILE *out)
{
	double lo, hi;

	ab_tally_interval_pct(t, &lo, &hi);
	if (isnan(lo))
		fprintf(out, "  interval unbounded yet");
	else
		fprintf(out, "  interval [%+.2f%%, %+.2f%%]", lo, hi);
	fprintf(out, "  %u runs, %.0f s\n", t->runs, elapsed);
	fflush(out);
}

int ab_tally_pair(struct ab_tally *t, json_t *a, json_t *b, const char *order, const char *pa,
		  const char *pb, double elapsed, FILE *out)
{
	double d = 0, va = NAN, vb = NAN;
	bool hb = t->higher_better;
	int ret = paired_run_ratio(a, b, t->cpu, &d, &hb, &va, &vb);
	json_t *rec = json_pack("{s:s, s:s, s:s, s:b}", "order", order, "a", pa, "b", pb,
				"disturbed", ret != FB_OK);

	if (!ret) {
		/* only a pair that was read says which way is better */
		t->higher_better = hb;
		seq_add(&t->seq, d);
		t->pairs++;
		json_object_set_new(rec, "log_ratio", json_real(d));
	} else {
		t->redone++;
	}
	json_array_append_new(t->log, rec);
	name_metric(t, a);
	fprintf(out, "pair %3u %s: A %.6g, B %.6g %s", t->pairs + t->redone, order, va, vb,
		t->metric_name);
	if (ret)
		fprintf(out, "  disturbed or broken: redone");
	else
		fprintf(out, "  %+.2f%%", pct(d));
	print_tail(t, elapsed, out);
	return ret ? FB_UNDECIDED : FB_OK;
}

int ab_tally_round(struct ab_tally *t, json_t *doc, const char *path, double elapsed, FILE *out)
{
	struct paired_obs obs;
	json_t *rec, *ds = json_array();
	double sum = 0;

	paired_repeat_ratios(doc, t->cpu, &obs);
	/* a round without a valid pair cannot say which way is better */
	if (obs.n)
		t->higher_better = obs.higher_better;
	for (unsigned i = 0; i < obs.n; i++) {
		seq_add(&t->seq, obs.d[i]);
		sum += obs.d[i];
		json_array_append_new(ds, json_real(obs.d[i]));
	}
	t->pairs += obs.n;
	t->left_out += obs.left_out;
	t->rounds++;
	rec = json_pack("{s:s, s:o, s:I}", "run", path, "log_ratios", ds, "left_out",
			(json_int_t)obs.left_out);
	json_array_append_new(t->log, rec);
	name_metric(t, doc);
	fprintf(out, "round %3u: %u pairs", t->rounds, obs.n);
	if (obs.left_out)
		fprintf(out, " (%u left out: missing, broken or disturbed)", obs.left_out);
	if (obs.n)
		fprintf(out, ", A %.6g, B %.6g %s, mean %+.2f%%", obs.va, obs.vb, t->metric_name,
			pct(sum / obs.n));
	print_tail(t, elapsed, out);
	free(obs.d);
	return obs.n ? FB_OK : FB_UNDECIDED;
}

static void print_decision(FILE *out, const struct ab_tally *t, const struct ab_spec *spec,
			   enum seq_decision dec, const char *why, double pct_thr)
{
	double lo, hi;

	ab_tally_interval_pct(t, &lo, &hi);
	fprintf(out, "ab: %s", seq_decision_name(dec));
	if (dec == SEQ_WORSE)
		fprintf(out, ": B is worse than A by more than %.3g%%", pct_thr);
	else if (dec == SEQ_WITHIN)
		fprintf(out, ": B is within %.3g%% of A (not worse by more)", pct_thr);
	else
		fprintf(out, " (%s)", why);
	if (t->pairs) {
		fprintf(out, "; B/A %s %+.2f%%", t->metric_name ?: "", pct(t->seq.mean));
		if (isnan(lo))
			fprintf(out, ", confidence sequence still unbounded");
		else
			fprintf(out, ", %.0f%% confidence sequence [%+.2f%%, %+.2f%%]",
				(1 - spec->alpha) * 100, lo, hi);
	}
	fputc('\n', out);
}

static void print_spent(FILE *out, const struct ab_tally *t, const struct ab_spec *spec,
			double elapsed)
{
	if (t->design == AB_WITHIN)
		fprintf(out,
			"ab: spent %u runs (%u rounds of %u repeats: %u pairs, %u left out as "
			"disturbed or broken)",
			t->runs, t->rounds, spec->round_repeats, t->pairs, t->left_out);
	else
		fprintf(out, "ab: spent %u runs (%u pairs, %u redone as disturbed)", t->runs,
			t->pairs, t->redone);
	fprintf(out, " and %.0f s of a budget of %lld runs and %.0f s\n", elapsed, spec->max_runs,
		spec->max_time);
}

json_t *ab_tally_finish(const struct ab_tally *t, const struct ab_spec *spec, enum seq_decision dec,
			const char *why, double elapsed, FILE *out)
{
	double lo, hi, pct_thr = (1 - exp(-t->threshold)) * 100;
	json_t *sum;

	print_decision(out, t, spec, dec, why, pct_thr);
	print_spent(out, t, spec, elapsed);
	if (!t->cpu && !t->pairs && (t->left_out || t->redone))
		fprintf(out, "ab: every pair was left out (disturbed or broken): on a busy machine "
			     "compare the CPU time per page (--metric cpu), which other tasks "
			     "running beside the workers do not move\n");
	sum =
	    json_pack("{s:s, s:s, s:s?, s:s, s:f, s:f, s:f, s:{s:I, s:f}, s:s, s:s?, s:I, "
		      "s:I, s:I, s:I, s:f, s:O}",
		      "a", spec->a, "b", spec->b ?: spec->a, "knob", spec->knob, "design",
		      t->design == AB_WITHIN ? "within" : "separate", "threshold_pct", pct_thr,
		      "alpha", spec->alpha, "mixture_c", t->seq.c, "budget", "runs",
		      (json_int_t)spec->max_runs, "seconds", spec->max_time, "decision",
		      seq_decision_name(dec), "why", dec ? NULL : why, "runs", (json_int_t)t->runs,
		      "pairs", (json_int_t)t->pairs, "redone", (json_int_t)t->redone, "left_out",
		      (json_int_t)t->left_out, "seconds", elapsed, "pairs_log", t->log);
	if (t->design == AB_WITHIN)
		json_object_set_new(sum, "round_repeats", json_integer(spec->round_repeats));
	if (t->pairs) {
		ab_tally_interval_pct(t, &lo, &hi);
		json_object_set_new(sum, "metric", json_string(t->metric_name));
		json_object_set_new(sum, "change_pct", json_real(pct(t->seq.mean)));
		if (!isnan(lo))
			json_object_set_new(sum, "interval_pct", json_pack("[f,f]", lo, hi));
	}
	return sum;
}
