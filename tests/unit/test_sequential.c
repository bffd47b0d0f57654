// SPDX-License-Identifier: GPL-2.0
/*
 * The anytime-valid paired test (analysis/sequential.c) and its use by
 * 'faultbench ab': the closed-form interval against the Bayes factor it
 * inverts, and simulations of whole adaptive A/B trials under the noise of
 * the development VM, stopped at the first decision:
 *
 *  - the host jumps between a fast and a slow level (pf1 at 1 CPU: 86-91k
 *    or 66-68k pages/s, a ratio of 0.76) for seconds to a minute at a time
 *    (here: exponential dwell times, mean 20 s), with 2% noise within a
 *    level; a run takes 1.5 s (a short run: --samples 5 --sample-time 0.2)
 *    and its value is the mean level over its time;
 *  - A and B runs alternate in ABBA order (AB, BA, AB, ...) and each pair's
 *    d = ln(B / A) is one observation, looked at after every pair;
 *  - A/A: at most 5% of trials ever say "worse", and at most 5% ever have an
 *    interval that excludes the true 0 (the stronger claim), although every
 *    trial looks up to 150 times;
 *  - a true +5% per-fault cost (rates / 1.05): found "worse" than a 2%
 *    threshold in at least 90% of trials within the budget of 150 pairs (7.5 minutes).
 *
 * and of ab's within design: a round is one run, 3 s of start-up then 4
 * repeats of an A and a B step of 1.2 s each in ABBA order (AB | BA | AB |
 * BA), each repeat one observation, looked at after every round, up to 600 s;
 * the same A/A and A/B requirements.
 *
 * GSL's Mersenne Twister with fixed seeds (FB_SEED overrides); no timing.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sequential.h"

#define TRIALS	  2000
#define MAX_PAIRS 150	 /* 300 runs of 1.5 s: under 10 minutes */
#define THRESHOLD 0.0202 /* ln(1 / 0.98): "more than 2% lower" */

/* E_n(mu0) as sequential.h defines it, straight from the sums. */
static double bayes_factor(const double *d, unsigned n, double mu0, double c)
{
	double t = 0, s = 0;

	for (unsigned i = 0; i < n; i++) {
		t += (d[i] - mu0) * (d[i] - mu0);
		s += d[i] - mu0;
	}
	return sqrt(c / (c + n)) * pow(t / (t - s * s / (n + c)), n / 2.0);
}

static void test_interval_inverts_the_bayes_factor(void **state)
{
	const double d[] = { -0.05, -0.042, -0.061, -0.048, -0.045, -0.039, -0.057, -0.052 };
	struct seq_test s;
	double lo, hi;

	seq_init(&s, 0.05, 1.0);
	for (unsigned i = 0; i < 8; i++)
		seq_add(&s, d[i]);
	assert_true(seq_interval(&s, &lo, &hi));
	assert_true(lo < s.mean && s.mean < hi);
	/* on the edges the factor is 1 / alpha; just inside, less; outside, more */
	assert_true(fabs(bayes_factor(d, 8, lo, 1.0) - 20) < 1e-6);
	assert_true(fabs(bayes_factor(d, 8, hi, 1.0) - 20) < 1e-6);
	assert_true(bayes_factor(d, 8, lo + 1e-4, 1.0) < 20);
	assert_true(bayes_factor(d, 8, hi + 1e-4, 1.0) > 20);
	/* all below -2%: a rate lower by more than 2% is worse */
	assert_true(hi < -THRESHOLD);
	assert_int_equal(seq_decide(&s, THRESHOLD, true), SEQ_WORSE);
	/* the same differences of a time (lower is better): B is faster */
	assert_int_equal(seq_decide(&s, THRESHOLD, false), SEQ_WITHIN);
}

static void test_too_few_pairs_are_undecided(void **state)
{
	struct seq_test s;
	double lo, hi;

	seq_init(&s, 0.05, 1.0);
	assert_false(seq_interval(&s, &lo, &hi));
	seq_add(&s, -0.5);
	assert_false(seq_interval(&s, &lo, &hi));
	assert_true(isinf(lo) && isinf(hi));
	assert_int_equal(seq_decide(&s, THRESHOLD, true), SEQ_UNDECIDED);
	/* two pairs that differ wildly say nothing at 5% */
	seq_add(&s, 0.5);
	assert_int_equal(seq_decide(&s, THRESHOLD, true), SEQ_UNDECIDED);
	assert_string_equal(seq_decision_name(SEQ_UNDECIDED), "undecided");
	assert_string_equal(seq_decision_name(SEQ_WORSE), "worse");
	assert_string_equal(seq_decision_name(SEQ_WITHIN), "within");
}

/* The host: two levels of speed, each held for an exponential time. */
struct host {
	gsl_rng *rng;
	double now, next_switch;
	bool slow;
};

#define SLOW_LEVEL 0.76
#define DWELL_S	   20.0
#define RUN_S	   1.5
#define STEP_S	   0.1
#define NOISE	   0.02

/* The host's mean speed over the next secs seconds, times noise and effect. */
static double host_measure(struct host *h, double secs, double effect)
{
	double sum = 0;
	unsigned n = 0;

	for (double t = 0; t < secs; t += STEP_S, n++) {
		while (h->now >= h->next_switch) {
			h->slow = !h->slow;
			h->next_switch += gsl_ran_exponential(h->rng, DWELL_S);
		}
		sum += h->slow ? SLOW_LEVEL : 1.0;
		h->now += STEP_S;
	}
	return sum / n * effect * exp(gsl_ran_gaussian(h->rng, NOISE));
}

/* One run's value: the mean speed over its RUN_S seconds. */
static double host_run(struct host *h, double effect)
{
	return host_measure(h, RUN_S, effect);
}

/* ab's within design: a run's start-up, then its steps */
#define ROUND_START_S 3.0
#define ROUND_STEP_S  1.2
#define ROUND_REPEATS 4
#define BUDGET_S      600.0

struct trial {
	enum seq_decision decision;
	bool ever_excluded_zero; /* the interval missed the A/A truth at some look */
	unsigned pairs;
};

/* An adaptive A/B trial: pairs in ABBA order until a decision or the budget. */
static struct trial run_trial(gsl_rng *rng, double effect_b)
{
	struct host h = { .rng = rng, .slow = gsl_rng_uniform(rng) < 0.5 };
	struct seq_test s;
	struct trial t = { SEQ_UNDECIDED, false, 0 };
	double a, b, lo, hi;

	h.next_switch = gsl_ran_exponential(rng, DWELL_S);
	seq_init(&s, SEQ_ALPHA, SEQ_C);
	while (t.pairs < MAX_PAIRS && t.decision == SEQ_UNDECIDED) {
		if (t.pairs % 2 == 0) {
			a = host_run(&h, 1.0);
			b = host_run(&h, effect_b);
		} else {
			b = host_run(&h, effect_b);
			a = host_run(&h, 1.0);
		}
		seq_add(&s, log(b / a));
		t.pairs++;
		if (seq_interval(&s, &lo, &hi) && (lo > 0 || hi < 0))
			t.ever_excluded_zero = true;
		t.decision = seq_decide(&s, THRESHOLD, true);
	}
	return t;
}

/* A within-design trial: rounds of ROUND_REPEATS ABBA pairs, a look after each. */
static struct trial run_within_trial(gsl_rng *rng, double effect_b)
{
	struct host h = { .rng = rng, .slow = gsl_rng_uniform(rng) < 0.5 };
	struct seq_test s;
	struct trial t = { SEQ_UNDECIDED, false, 0 };
	double lo, hi;

	h.next_switch = gsl_ran_exponential(rng, DWELL_S);
	seq_init(&s, SEQ_ALPHA, SEQ_C);
	while (h.now + ROUND_START_S + 2 * ROUND_REPEATS * ROUND_STEP_S <= BUDGET_S &&
	       t.decision == SEQ_UNDECIDED) {
		host_measure(&h, ROUND_START_S, 1.0);
		for (unsigned rep = 0; rep < ROUND_REPEATS; rep++) {
			double a, b;

			if (rep % 2 == 0) {
				a = host_measure(&h, ROUND_STEP_S, 1.0);
				b = host_measure(&h, ROUND_STEP_S, effect_b);
			} else {
				b = host_measure(&h, ROUND_STEP_S, effect_b);
				a = host_measure(&h, ROUND_STEP_S, 1.0);
			}
			seq_add(&s, log(b / a));
			t.pairs++;
		}
		if (seq_interval(&s, &lo, &hi) && (lo > 0 || hi < 0))
			t.ever_excluded_zero = true;
		t.decision = seq_decide(&s, THRESHOLD, true);
	}
	return t;
}

static unsigned long seed(unsigned long def)
{
	const char *s = getenv("FB_SEED");

	return s && *s ? strtoul(s, NULL, 10) : def;
}

static void simulate_design(bool within_design, double effect_b, unsigned long def_seed,
			    unsigned *worse, unsigned *within, unsigned *excluded,
			    double *mean_pairs)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	unsigned long pairs = 0;

	gsl_rng_set(rng, seed(def_seed));
	*worse = *within = *excluded = 0;
	for (unsigned i = 0; i < TRIALS; i++) {
		struct trial t =
		    within_design ? run_within_trial(rng, effect_b) : run_trial(rng, effect_b);

		*worse += t.decision == SEQ_WORSE;
		*within += t.decision == SEQ_WITHIN;
		*excluded += t.ever_excluded_zero;
		pairs += t.pairs;
	}
	*mean_pairs = (double)pairs / TRIALS;
	gsl_rng_free(rng);
}

static void simulate(double effect_b, unsigned long def_seed, unsigned *worse, unsigned *within,
		     unsigned *excluded, double *mean_pairs)
{
	simulate_design(false, effect_b, def_seed, worse, within, excluded, mean_pairs);
}

static void test_aa_false_alarms_with_early_stopping(void **state)
{
	unsigned worse, within, excluded;
	double pairs;

	simulate(1.0, 22, &worse, &within, &excluded, &pairs);
	printf("# A/A, %u trials: worse %u, within %u, interval ever excluded 0 in %u, "
	       "%.1f pairs on average\n",
	       TRIALS, worse, within, excluded, pairs);
	assert_true(worse <= TRIALS * 0.05);
	assert_true(excluded <= TRIALS * 0.05);
	/* and the A/A is mostly decided, not left to the budget */
	assert_true(within >= TRIALS * 0.75);
}

static void test_five_percent_cost_is_found(void **state)
{
	unsigned worse, within, excluded;
	double pairs;

	/* +5% per-fault time: the rate divided by 1.05 */
	simulate(1.0 / 1.05, 23, &worse, &within, &excluded, &pairs);
	printf("# A/B +5%% cost, %u trials: worse %u, within %u, %.1f pairs on average\n", TRIALS,
	       worse, within, pairs);
	assert_true(worse >= TRIALS * 0.90);
	assert_true(within <= TRIALS * 0.05);
}

static void test_within_design_aa_and_five_percent(void **state)
{
	unsigned worse, within, excluded;
	double pairs;

	simulate_design(true, 1.0, 24, &worse, &within, &excluded, &pairs);
	printf("# within design, A/A, %u trials: worse %u, within %u, interval ever excluded 0 "
	       "in %u, %.1f pairs on average\n",
	       TRIALS, worse, within, excluded, pairs);
	assert_true(worse <= TRIALS * 0.05);
	assert_true(excluded <= TRIALS * 0.05);
	assert_true(within >= TRIALS * 0.75);
	simulate_design(true, 1.0 / 1.05, 25, &worse, &within, &excluded, &pairs);
	printf("# within design, A/B +5%% cost, %u trials: worse %u, within %u, %.1f pairs on "
	       "average\n",
	       TRIALS, worse, within, pairs);
	assert_true(worse >= TRIALS * 0.90);
	assert_true(within <= TRIALS * 0.05);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval_inverts_the_bayes_factor),
		cmocka_unit_test(test_too_few_pairs_are_undecided),
		cmocka_unit_test(test_aa_false_alarms_with_early_stopping),
		cmocka_unit_test(test_five_percent_cost_is_found),
		cmocka_unit_test(test_within_design_aa_and_five_percent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
