// SPDX-License-Identifier: GPL-2.0
/*
 * A run's sweep (sweep.h): variants, then repeats outermost, steps, then
 * variants.  Every sweep is interleaved, and the variants of a step go in
 * ABBA order by repeat (knob_variant_order()), so each repeat's variants are
 * adjacent in time and pair up (compare): a drift of the host falls on both
 * sides alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "progress.h"
#include "sweep.h"
#include "util.h"

/*
 * A --knob value names its variant "enabled=never", before the matrix
 * options' part ("enabled=never/4k"): compare shows what follows the '='.
 */
static void name_knob_variant(struct variant *var, const struct knob *k, unsigned i, size_t used)
{
	char *matrix = xstrdup(var->name);

	var->knob_value = i;
	snprintf(var->name, sizeof(var->name), "%s=%s%s%s", k->name, k->values[i], used ? "/" : "",
		 matrix);
	free(matrix);
}

/* Keep the pick-th value of a matrix option's mask; its name joins the variant's. */
static size_t pick_value(struct variant *var, const struct opt *o, unsigned *rest, size_t used)
{
	unsigned *mask = (unsigned *)((char *)var->params + o->off);
	unsigned bits = __builtin_popcount(*mask), pick = *rest % bits, bit;

	*rest /= bits;
	for (bit = 0; pick || !(*mask & (1u << bit)); bit++)
		if (*mask & (1u << bit))
			pick--;
	*mask = 1u << bit;
	/* Only options given several values name the variant: runs compare only with equal params.
	 */
	if (bits < 2)
		return used;
	used += snprintf(var->name + used, sizeof(var->name) - used, "%s%s", used ? "/" : "",
			 opt_choice_name(o, (int)bit));
	return used >= sizeof(var->name) ? sizeof(var->name) - 1 : used;
}

void sweep_variants(struct sweep *sw, const struct bench *b, const void *params)
{
	unsigned total = 1;

	for (const struct opt *o = b->opts; o && o->name; o++)
		if (o->type == OPT_ENUMSET && o->matrix)
			total *=
			    __builtin_popcount(*(const unsigned *)((const char *)params + o->off));
	/* the knob's values innermost: a repeat runs them back to back */
	if (sw->knob)
		total *= sw->knob->nvalues;
	sw->variants = xcalloc(total, sizeof(*sw->variants));
	sw->nvariants = total;
	for (unsigned v = 0; v < total; v++) {
		struct variant *var = &sw->variants[v];
		unsigned rest = sw->knob ? v / sw->knob->nvalues : v;
		size_t used = 0;

		var->params = xmalloc(b->params_size ? b->params_size : 1);
		memcpy(var->params, params, b->params_size);
		for (const struct opt *o = b->opts; o && o->name; o++)
			if (o->type == OPT_ENUMSET && o->matrix)
				used = pick_value(var, o, &rest, used);
		if (sw->knob)
			name_knob_variant(var, sw->knob, v % sw->knob->nvalues, used);
	}
}

char *sweep_pu_list(const struct cpu_step *cs)
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

static int run_one(struct sweep *sw, unsigned step, unsigned v, unsigned repeat,
		   struct step_result *r)
{
	const struct cpu_step *cs = &sw->plan->steps[step];
	/*
	 * The last variant is profiled: the first is the baseline of the ratios
	 * (disjoint, 4k), the interesting case comes after it.
	 */
	bool profile =
	    repeat == 0 && v == sw->nvariants - 1 && run_prep_profiles(sw->prep, cs->ncpus);
	struct profile *prof = NULL;
	char *why = NULL;
	int ret;

	if (profile) {
		/* one perf.data per step: each can be opened alone with perf report */
		char *path = xasprintf("%s/%s-%s-%ucpus.perf.data", sw->outdir, sw->name, sw->stamp,
				       cs->ncpus);
		char *cpus = sweep_pu_list(cs);

		profile_start(&prof, path, cpus, &why);
		free(cpus);
		free(path);
	}
	ret = sw->knob ? knob_set(sw->knob, sw->variants[v].knob_value) : FB_OK;
	if (!ret)
		ret = runner_run_step(sw->env, sw->variants[v].params, cs, step, repeat, r);
	snprintf(r->variant, sizeof(r->variant), "%s", sw->variants[v].name);
	if (profile) {
		json_t *p = prof ? profile_finish(prof)
				 : json_pack("{s:s}", "skipped", why ? why : "unknown");

		/* the step's own (older results had one run-wide evidence.profile) */
		if (p && r->extra)
			json_object_set_new(r->extra, "profile", p);
		else
			json_decref(p);
		free(why);
	}
	return ret;
}

/* Seconds a step should take by the plan; 0 when the benchmark times itself. */
static double planned_step_time(const struct sweep *sw)
{
	const struct run_opts *ro = sw->env->ro;

	if (!bench_uses_run_option(sw->env->bench, "sample-time") ||
	    !bench_uses_run_option(sw->env->bench, "samples"))
		return 0;
	return ro->warmup + (double)ro->samples * ro->sample_time;
}

int sweep_run(struct sweep *sw, struct run *run)
{
	const struct run_opts *ro = sw->env->ro;
	unsigned total = (unsigned)ro->repeat * sw->plan->nsteps * sw->nvariants;
	struct progress prog;
	int ret = FB_OK;

	progress_begin(&prog, stderr, ro->progress, isatty(STDERR_FILENO), sw->name,
		       sw->env->bench->counters[0], total, (unsigned)ro->repeat,
		       planned_step_time(sw));
	run->steps = xcalloc(total ? total : 1, sizeof(struct step_result));
	for (unsigned rep = 0; rep < ro->repeat && !ret; rep++)
		for (unsigned i = 0; i < sw->plan->nsteps && !ret; i++)
			for (unsigned k = 0; k < sw->nvariants && !ret; k++) {
				unsigned v = knob_variant_order(rep, k, sw->nvariants);
				struct step_result *r = &run->steps[run->nsteps];

				r->ncpus = sw->plan->steps[i].ncpus;
				r->repeat = rep;
				snprintf(r->variant, sizeof(r->variant), "%s",
					 sw->variants[v].name);
				progress_step_start(&prog, r);
				ret = run_one(sw, i, v, rep, r);
				if (!ret)
					progress_step_end(&prog);
				if (r->nsamples)
					run->nsteps++;
				else
					step_result_free(r);
			}
	progress_end(&prog);
	return ret;
}

void sweep_free(struct sweep *sw)
{
	for (unsigned v = 0; v < sw->nvariants; v++)
		free(sw->variants[v].params);
	free(sw->variants);
	sw->variants = NULL;
	sw->nvariants = 0;
}
