/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An anytime-valid paired test: a confidence sequence for the mean of paired
 * log-differences (d = ln(B / A) of adjacent A and B runs) that may be looked
 * at after every pair and stopped at any time, keeping its error rate.
 *
 * The test is the scale-invariant normal-mixture sequential t-test (Lai 1976;
 * Wang and Ramdas 2023, "Anytime-valid t-tests and confidence sequences for
 * Gaussian means with unknown variance", their Gaussian mixture over the
 * mean with the right Haar mixture over the variance).  With d_i ~ N(mu,
 * sigma^2), T = sum (d_i - mu0)^2 and S = sum (d_i - mu0), the Bayes factor
 *
 *	E_n(mu0) = sqrt(c / (c + n)) * (T / (T - S^2 / (n + c)))^(n / 2)
 *
 * of an effect delta = (mu - mu0) / sigma ~ N(0, 1 / c) against mu = mu0 is
 * a test martingale under mu = mu0 for every sigma (in the filtration of
 * the scale-invariant statistics), so by Ville's inequality it ever reaches
 * 1 / alpha with probability at most alpha.  The confidence sequence is the
 * set of mu0 it has not rejected; E_n grows with |mean - mu0|, so the set is
 * an interval in closed form (sequential.c).  No variance is needed in
 * advance, and the noise of the machine of the moment sets the width.
 */
#ifndef FB_SEQUENTIAL_H
#define FB_SEQUENTIAL_H

#include <stdbool.h>

#define SEQ_ALPHA 0.05 /* default error rate, over all the looks together */
#define SEQ_C	  1.0  /* default mixture precision: effects of about one sd */

struct seq_test {
	double alpha, c;
	unsigned n;
	double mean, m2; /* Welford's running mean and sum of squared deviations */
};

enum seq_decision {
	SEQ_UNDECIDED,
	SEQ_WORSE,  /* B is worse than A by more than the threshold */
	SEQ_WITHIN, /* B is no worse than A by more than the threshold */
};

void seq_init(struct seq_test *s, double alpha, double c);
void seq_add(struct seq_test *s, double d);

/*
 * The (1 - alpha) confidence sequence for the mean of d at this point: true
 * and [*lo, *hi] when it is bounded, false (and -inf, +inf) while it is not
 * (fewer than 2 pairs, or too few for the alpha).  Its intersection over
 * time is valid too; callers that stop at the first decision need not keep it.
 */
bool seq_interval(const struct seq_test *s, double *lo, double *hi);

/*
 * The decision on "loss", the mean of d with its sign chosen so that a
 * positive value is worse (-d for a rate, d for a time): worse when the whole
 * interval is above threshold (a loss beyond it), within when it is all
 * below.  threshold is on the log scale: ln(1 / (1 - 0.02)) for "2% lower".
 */
enum seq_decision seq_decide(const struct seq_test *s, double threshold, bool higher_better);

/* The name of a decision: "worse", "within", "undecided". */
const char *seq_decision_name(enum seq_decision d);

#endif
