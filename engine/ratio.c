// SPDX-License-Identifier: GPL-2.0
/* Ratio metrics of per-sample totals (ratio.h). */
#include <math.h>
#include <stdint.h>

#include "ratio.h"

/* Sum of one per-worker array over the sample's workers; an absent array is 0. */
static uint64_t workers_sum(const struct step_result *r, const uint64_t *per_worker)
{
	uint64_t sum = 0;

	for (unsigned i = 0; per_worker && i < r->ncpus; i++)
		sum += per_worker[i];
	return sum;
}

double step_total(const struct step_result *r, unsigned s, struct step_total t)
{
	const struct sample *smp = &r->samples[s];
	uint64_t sum = 0;

	switch (t.kind) {
	case TOTAL_COUNT:
		for (unsigned i = 0; smp->count && i < r->ncpus; i++)
			sum += smp->count[i][t.arg];
		return (double)sum;
	case TOTAL_FAULTS:
		return (double)(workers_sum(r, smp->minflt) + workers_sum(r, smp->majflt));
	case TOTAL_MAJFAULTS:
		return (double)workers_sum(r, smp->majflt);
	case TOTAL_EVENT:
		for (unsigned i = 0; smp->ev && i < r->ncpus; i++)
			sum += smp->ev[i][t.arg];
		return (double)sum;
	case TOTAL_TIME:
		return smp->t;
	case TOTAL_CPU_TIME:
		return smp->t * r->ncpus;
	}
	return NAN;
}

struct metric *step_add_ratio(struct step_result *r, const char *name, bool higher_better,
			      struct step_total num, struct step_total den, double scale)
{
	struct metric *m = step_add_metric(r, name, higher_better);
	double tn = 0, td = 0;

	for (unsigned s = 0; s < r->nsamples; s++) {
		double a = step_total(r, s, num), b = step_total(r, s, den);

		m->v[s] = b > 0 ? scale * a / b : NAN;
		tn += a;
		td += b;
	}
	m->value = td > 0 ? scale * tn / td : NAN;
	return m;
}
