// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of a run's options beyond their syntax, shared by "faultbench
 * run" and suite configs: a suite must refuse before its first job what run
 * would refuse at its last one.
 */
#include <stdlib.h>
#include <string.h>

#include "mempolicy.h"
#include "opt.h"
#include "runcheck.h"
#include "topo.h"
#include "util.h"

static int empty_path(const char *opt, const char *where)
{
	if (where)
		return fb_usage("%s: option '%s' is empty; name a file or directory", where, opt);
	return fb_usage("option '--%s' is empty; name a file or directory", opt);
}

int run_opts_check_text(const struct run_opts *ro, const char *where)
{
	int ret;

	if (ro->label) {
		ret = fb_check_name(where ? "option 'label'" : "option '--label'", ro->label);
		if (ret)
			return ret;
	}
	if (ro->output && !*ro->output)
		return empty_path("output", where);
	if (ro->dir && !*ro->dir)
		return empty_path("dir", where);
	if (ro->topology) {
		if (where)
			return fb_usage("%s: option 'topology': run measures this machine; plan "
					"other topologies with 'faultbench topo --topology'",
					where);
		return fb_usage("option '--topology': run measures this machine; plan other "
				"topologies with 'faultbench topo --topology'");
	}
	return FB_OK;
}

/* This machine's topology, loaded once: a config checks many jobs against it. */
static const struct topo *this_machine(void)
{
	static struct topo *t;

	if (!t && topo_load(&t, NULL))
		t = NULL;
	return t;
}

static unsigned largest_step(const struct cpu_plan *plan)
{
	unsigned n = 0;

	for (unsigned i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].ncpus > n)
			n = plan->steps[i].ncpus;
	return n;
}

/* Halve --size until the largest step fits; false (and size unchanged) when it cannot. */
static bool halve_to_fit(const struct bench *b, void *params, const struct cpu_plan *plan,
			 unsigned long long *was, unsigned long long *need)
{
	const struct opt *o = opt_find(b->opts, "size");
	unsigned long long avail = fb_mem_available() / 10 * 9, *size;
	unsigned n = largest_step(plan);

	if (!b->mem_need || !o || o->type != OPT_SIZE || !n)
		return false;
	*need = b->mem_need(params, n);
	if (*need <= avail)
		return false;
	size = (unsigned long long *)((char *)params + o->off);
	*was = *size;
	/* halving keeps a power of two a power of two, and a page multiple above 1 MiB */
	while (*size > (1ULL << 20) && b->mem_need(params, n) > avail)
		*size /= 2;
	if (b->mem_need(params, n) > avail) {
		*size = *was;	/* even 1 MiB does not fit: run_check_plan_memory() says so */
		return false;
	}
	return true;
}

bool run_fit_size(const struct bench *b, void *params, const struct cpu_plan *plan)
{
	const struct opt *o = opt_find(b->opts, "size");
	unsigned long long was, need, *size;
	unsigned n = largest_step(plan);

	if (!halve_to_fit(b, params, plan, &was, &need))
		return false;
	size = (unsigned long long *)((char *)params + o->off);
	fb_warn("%s: --size %llu MiB for a step of %u workers would need %.1f GiB, more than the "
		"%.1f GiB available; running with --size %llu MiB (give --size to choose)",
		b->name, was >> 20, n, need / 1073741824.0, fb_mem_available() / 1073741824.0,
		*size >> 20);
	return true;
}

/* Is the largest step, as the options are, more than the memory available? */
static bool plan_too_big(const struct bench *b, const void *params, const struct cpu_plan *plan)
{
	unsigned n = largest_step(plan);

	return b->mem_need && n && b->mem_need(params, n) > fb_mem_available();
}

int run_check_plan_memory(const struct bench *b, const void *params, const struct cpu_plan *plan)
{
	unsigned long long avail = fb_mem_available(), need;
	unsigned n = largest_step(plan);

	if (!b->mem_need)
		return FB_OK;
	need = b->mem_need(params, n);
	if (!n || need <= avail)
		return FB_OK;
	return fb_usage("%s: a step of %u workers needs about %.1f GiB, more than this machine has "
			"available (%.1f GiB): lower --size or --cpus",
			b->name, n, need / 1073741824.0, avail / 1073741824.0);
}

/*
 * A suite's check of a job: a --size that run would halve to fit (when the
 * job does not give it) is no reason to refuse the job; one that cannot fit
 * even halved is.
 */
static int plan_fits(const struct bench *b, const void *params, const struct cpu_plan *plan)
{
	void *scratch;
	unsigned long long was, need;
	bool fits;

	if (!plan_too_big(b, params, plan))
		return FB_OK;
	scratch = xmalloc(b->params_size ? b->params_size : 1);
	memcpy(scratch, params, b->params_size);
	fits = halve_to_fit(b, scratch, plan, &was, &need);
	free(scratch);
	return fits ? FB_OK : run_check_plan_memory(b, params, plan);
}

char *run_decide_dirs(struct run_opts *ro, char **dir_alloc)
{
	const char *out = ro->output, *slash;
	size_t n = out ? strlen(out) : 0;
	char *outdir;

	if (!out)
		outdir = xasprintf("results/%s", ro->label ? ro->label : "default");
	else if (n > 5 && !strcmp(out + n - 5, ".json") && (slash = strrchr(out, '/')))
		outdir = slash == out ? xstrdup("/") : xasprintf("%.*s", (int)(slash - out), out);
	else if (n > 5 && !strcmp(out + n - 5, ".json"))
		outdir = xstrdup(".");
	else
		outdir = xstrdup(out);
	*dir_alloc = NULL;
	if (!ro->dir)
		ro->dir = *dir_alloc = xstrdup(outdir);
	return outdir;
}

int run_check_here(const struct bench *b, const void *params, const struct run_opts *ro_in)
{
	const struct topo *t = this_machine();
	struct cpu_plan plan = { 0 };
	struct run_opts ro_copy = *ro_in, *ro = &ro_copy;
	char *dir_alloc, *outdir = run_decide_dirs(ro, &dir_alloc);
	struct mem_policy mp;
	int ret;

	free(outdir);
	if (!t) {
		free(dir_alloc);
		return FB_FAIL;
	}
	ret = mem_policy_parse(ro->mem, &mp);
	if (!ret)
		ret = topo_plan(t, ro->cpus, ro->placement, ro->oversubscribe, &plan);
	if (!ret)
		ret = opt_check_memory(b->opts, params, fb_mem_available(), NULL);
	if (!ret)
		ret = plan_fits(b, params, &plan);
	cpu_plan_free(&plan);
	if (!ret)
		ret = mem_policy_check(&mp, t);
	if (!ret && b->check)
		ret = b->check(params, ro);
	free(dir_alloc);
	return ret;
}
