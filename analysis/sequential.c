// SPDX-License-Identifier: GPL-2.0
/*
 * The anytime-valid paired test of sequential.h: a confidence sequence for
 * the mean of paired log-differences, in closed form.
 */
#include <math.h>

#include "sequential.h"

void seq_init(struct seq_test *s, double alpha, double c)
{
	*s = (struct seq_test){ .alpha = alpha > 0 && alpha < 1 ? alpha : SEQ_ALPHA,
				.c = c > 0 ? c : SEQ_C };
}

void seq_add(struct seq_test *s, double d)
{
	double delta = d - s->mean;

	s->n++;
	s->mean += delta / s->n;
	s->m2 += delta * (d - s->mean);
}

/*
 * Write V = sum (d_i - mean)^2 and u = n (mean - mu0)^2: then T = V + u and
 * S^2 / (n + c) = u n / (n + c), so with k = c / (n + c)
 *
 *	E_n(mu0) = sqrt(c / (c + n)) * ((V + u) / (V + k u))^(n / 2),
 *
 * increasing in u.  E_n < 1 / alpha holds for u < u* where, with
 * r = (sqrt((c + n) / c) / alpha)^(2 / n), (V + u) = r (V + k u):
 * u* = V (r - 1) / (1 - r k), unbounded when r k >= 1.
 */
bool seq_interval(const struct seq_test *s, double *lo, double *hi)
{
	double n = s->n, k, r, ustar, half;

	*lo = -INFINITY;
	*hi = INFINITY;
	if (s->n < 2 || !isfinite(s->m2))
		return false;
	k = s->c / (n + s->c);
	r = pow(sqrt((s->c + n) / s->c) / s->alpha, 2.0 / n);
	if (r * k >= 1)
		return false;
	ustar = s->m2 * (r - 1) / (1 - r * k);
	half = sqrt(ustar / n);
	*lo = s->mean - half;
	*hi = s->mean + half;
	return true;
}

enum seq_decision seq_decide(const struct seq_test *s, double threshold, bool higher_better)
{
	double lo, hi, loss_lo, loss_hi;

	if (!seq_interval(s, &lo, &hi))
		return SEQ_UNDECIDED;
	/* a rate that fell (d < 0) is a loss */
	loss_lo = higher_better ? -hi : lo;
	loss_hi = higher_better ? -lo : hi;
	if (loss_lo > threshold)
		return SEQ_WORSE;
	if (loss_hi < threshold)
		return SEQ_WITHIN;
	return SEQ_UNDECIDED;
}

const char *seq_decision_name(enum seq_decision d)
{
	return d == SEQ_WORSE ? "worse" : d == SEQ_WITHIN ? "within" : "undecided";
}
