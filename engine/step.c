// SPDX-License-Identifier: GPL-2.0
/*
 * The data of a measured step (see step.h): adding and finding its metrics,
 * the rate of a sample, freeing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interference.h"
#include "step.h"
#include "util.h"

void sample_free(struct sample *s)
{
	free(s->count);
	free(s->minflt);
	free(s->majflt);
	free(s->cpu);
	free(s->ev);
	free(s->mon);
	intf_sample_free(s->intf);
	memset(s, 0, sizeof(*s));
}

void step_result_free(struct step_result *r)
{
	for (unsigned i = 0; i < r->nsamples; i++)
		sample_free(&r->samples[i]);
	free(r->samples);
	for (unsigned m = 0; m < r->nmetrics; m++)
		free(r->metrics[m].v);
	free(r->metrics);
	free(r->event_names);
	free(r->monitor_names);
	free(r->pus);
	json_decref(r->extra);
	memset(r, 0, sizeof(*r));
}

struct metric *step_add_metric(struct step_result *r, const char *name, bool higher_better)
{
	struct metric *m;

	r->metrics = xrealloc(r->metrics, (r->nmetrics + 1) * sizeof(*r->metrics));
	m = &r->metrics[r->nmetrics++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->higher_better = higher_better;
	m->n = r->nsamples;
	m->v = xcalloc(r->nsamples ? r->nsamples : 1, sizeof(double));
	return m;
}

const struct metric *step_metric(const struct step_result *r, const char *name)
{
	for (unsigned m = 0; m < r->nmetrics; m++)
		if (!strcmp(r->metrics[m].name, name))
			return &r->metrics[m];
	return NULL;
}

double sample_rate(const struct step_result *r, unsigned s, unsigned counter)
{
	const struct sample *smp = &r->samples[s];
	uint64_t sum = 0;

	if (!smp->count || smp->t <= 0)
		return 0;
	for (unsigned i = 0; i < r->ncpus; i++)
		sum += smp->count[i][counter];
	return sum / smp->t;
}
