// SPDX-License-Identifier: GPL-2.0
/*
 * The preparation of a run, written once: run and suite (its validation and
 * its jobs, which are runs) both call it.  Two copies of it disagreed: a
 * suite validated a preset's job without its preset, without the
 * benchmark's run defaults and without --profile-cpus, so "suite --dry-run"
 * passed jobs that run refused.
 */
#include <stdlib.h>
#include <string.h>

#include "prepare.h"
#include "profile.h"
#include "runcheck.h"
#include "util.h"

/*
 * Apply built-in "--a=b --c=d" options (a bench's run defaults, a preset)
 * before the user's own.  *keep holds the copy OPT_STR values point into.
 */
static void apply_builtin(const char *args, const struct opt_binding *bind, char **keep)
{
	char *tok, *save = NULL, *argv[64];
	int n = 0, next;

	if (!args)
		return;
	*keep = xstrdup(args);
	for (tok = strtok_r(*keep, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	/* Built-in options that do not parse are a bug in the registry. */
	if (opt_parse_argv(bind, 1, n, argv, &next))
		abort();
}

void run_prep_init(struct run_prep *p, const struct bench_entry *e)
{
	const struct bench *b = e->bench;

	memset(p, 0, sizeof(*p));
	p->entry = e;
	p->b = b;
	p->params = xcalloc(1, b->params_size ? b->params_size : 1);
	p->ro_given = xcalloc(opt_count(run_options) + 1, sizeof(bool));
	p->params_given = xcalloc(opt_count(b->opts) + 1, sizeof(bool));
	opt_set_defaults(run_options, &p->ro);
	if (b->opts)
		opt_set_defaults(b->opts, p->params);
	apply_builtin(b->run_defaults, &(struct opt_binding){ run_options, &p->ro, NULL },
		      &p->run_defaults_args);
	apply_builtin(e->preset, &(struct opt_binding){ b->opts, p->params, NULL },
		      &p->preset_args);
}

unsigned run_prep_bindings(struct run_prep *p, struct opt_binding b[2])
{
	b[0] = (struct opt_binding){ run_options, &p->ro, p->ro_given };
	if (!p->b->opts)
		return 1;
	b[1] = (struct opt_binding){ p->b->opts, p->params, p->params_given };
	return 2;
}

bool run_prep_given(const struct run_prep *p, const char *name)
{
	struct opt_binding b[2];
	unsigned nb = run_prep_bindings((struct run_prep *)p, b);

	for (unsigned i = 0; i < nb; i++)
		if (opt_given(&b[i], name))
			return true;
	return false;
}

int run_prep_profile_choose(const char *spec, bool *profile, const struct cpu_plan *plan,
			    unsigned **counts_out, unsigned *nout)
{
	unsigned *counts, n, i, j;

	*counts_out = NULL;
	*nout = 0;
	if (spec)
		*profile = true;
	if (!*profile)
		return FB_OK;
	*counts_out = xcalloc(plan->nsteps + 1, sizeof(unsigned));
	if (spec && !strcmp(spec, "all")) {
		for (i = 0; i < plan->nsteps; i++)
			(*counts_out)[(*nout)++] = plan->steps[i].ncpus;
		return FB_OK;
	}
	if (!spec) {
		(*counts_out)[(*nout)++] = cpu_plan_largest(plan);
		return FB_OK;
	}
	if (profile_parse_counts(spec, &counts, &n))
		return fb_usage("option '--profile-cpus': '%s' is not a list of worker counts "
				"(1,64) or 'all'",
				spec);
	for (j = 0; j < n; j++) {
		for (i = 0; i < plan->nsteps && plan->steps[i].ncpus != counts[j]; i++)
			;
		if (i == plan->nsteps) {
			unsigned bad = counts[j];

			free(counts);
			return fb_usage("option '--profile-cpus': %u workers is not a step of this "
					"run; see --cpus",
					bad);
		}
		if (*nout < plan->nsteps)
			(*counts_out)[(*nout)++] = counts[j];
	}
	free(counts);
	return FB_OK;
}

bool run_prep_profiles(const struct run_prep *p, unsigned ncpus)
{
	for (unsigned i = 0; i < p->nprofile; i++)
		if (p->profile_counts[i] == ncpus)
			return true;
	return false;
}

int run_prep_check(struct run_prep *p, struct topo *machine, const char *where, bool quiet)
{
	int ret = run_opts_check_text(&p->ro, where);

	if (ret)
		return ret;
	/* before any check: benchmarks check the directory their files will be in */
	p->outdir = run_decide_dirs(&p->ro, &p->dir_alloc);
	ret = mem_policy_parse(p->ro.mem, &p->mem);
	p->topo = machine;
	p->topo_borrowed = machine;
	if (!ret && !machine)
		ret = topo_load(&p->topo, NULL);
	if (!ret)
		ret =
		    topo_plan(p->topo, p->ro.cpus, p->ro.placement, p->ro.oversubscribe, &p->plan);
	if (!ret)
		ret = run_prep_profile_choose(p->ro.profile_cpus, &p->ro.profile, &p->plan,
					      &p->profile_counts, &p->nprofile);
	/* sizes that cannot fit are refused here, not OOM-killed later with nothing kept */
	if (!ret && !run_prep_given(p, "size"))
		run_fit_size(p->b, p->params, p->ro.dir, &p->plan, quiet);
	if (!ret)
		ret = run_check_plan(p->b, p->params, &p->ro, p->topo, &p->plan, &p->mem);
	return ret;
}

void run_prep_free(struct run_prep *p)
{
	free(p->params);
	free(p->ro_given);
	free(p->params_given);
	free(p->run_defaults_args);
	free(p->preset_args);
	free(p->outdir);
	free(p->dir_alloc);
	free(p->profile_counts);
	cpu_plan_free(&p->plan);
	if (!p->topo_borrowed)
		topo_free(p->topo);
	memset(p, 0, sizeof(*p));
}
