// SPDX-License-Identifier: GPL-2.0
/*
 * Validation of a run's options beyond their syntax, the checks
 * engine/prepare.c makes for "faultbench run" and suite configs alike: a
 * suite must refuse before its first job what run would refuse at its last
 * one.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

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

/*
 * What a step of n workers writes into files against the free space there:
 * true when it does not fit (*need, *avail and *dir say what).  A filesystem
 * without a size (f_blocks 0) or a directory not made yet is not checked here.
 */
static bool fs_short(const struct bench *b, const void *params, const char *rundir, unsigned n,
		     unsigned long long *need, unsigned long long *avail, const char **dir)
{
	struct statvfs sv;

	*dir = NULL;
	if (!b->fs_need || !n)
		return false;
	*need = b->fs_need(params, rundir, n, dir);
	if (!*need || !*dir || statvfs(*dir, &sv) || !sv.f_blocks)
		return false;
	*avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
	return *need > *avail;
}

static bool step_too_big(const struct bench *b, const void *params, const char *rundir, unsigned n,
			 unsigned long long avail)
{
	unsigned long long need, free_space;
	const char *dir;

	return b->mem_need(params, n) > avail ||
	       fs_short(b, params, rundir, n, &need, &free_space, &dir);
}

/*
 * Halve a --size nobody gave until the plan's largest step fits in 90% of the
 * memory available; *was and *need: the size and need before.  False, the
 * size unchanged, when nothing was to do or even 1 MiB does not fit.
 */
static bool halve_to_fit(const struct bench *b, void *params, const char *rundir,
			 const struct cpu_plan *plan, unsigned long long *was,
			 unsigned long long *need)
{
	const struct opt *o = opt_find(b->opts, "size");
	unsigned long long avail = fb_mem_available() / 10 * 9, *size;
	unsigned n = cpu_plan_largest(plan);

	if (!b->mem_need || !o || o->type != OPT_SIZE || !n)
		return false;
	*need = b->mem_need(params, n);
	if (!step_too_big(b, params, rundir, n, avail))
		return false;
	size = (unsigned long long *)((char *)params + o->off);
	*was = *size;
	/* halving keeps a power of two a power of two, and a page multiple above 1 MiB */
	while (*size > (1ULL << 20) && step_too_big(b, params, rundir, n, avail))
		*size /= 2;
	if (!step_too_big(b, params, rundir, n, avail))
		return true;
	*size = *was; /* run_check_plan_memory() says why */
	return false;
}

bool run_fit_size(const struct bench *b, void *params, const char *rundir,
		  const struct cpu_plan *plan, bool quiet)
{
	unsigned long long was, need, fs_need, fs_avail;
	char sneed[32], savail[32];
	const char *dir;
	bool fs = fs_short(b, params, rundir, cpu_plan_largest(plan), &fs_need, &fs_avail, &dir);

	if (!halve_to_fit(b, params, rundir, plan, &was, &need))
		return false;
	fb_format_size_pair(need, fb_mem_available(), sneed, savail, sizeof(sneed));
	if (!quiet && fs)
		fb_warn(
		    "%s: --size %llu MiB for a step of %u workers would need %llu MiB of "
		    "files in '%s', more than its %llu MiB free; running with --size %llu MiB "
		    "(give --size to choose)",
		    b->name, was >> 20, cpu_plan_largest(plan), fs_need >> 20, dir, fs_avail >> 20,
		    *(unsigned long long *)((char *)params + opt_find(b->opts, "size")->off) >> 20);
	else if (!quiet)
		fb_warn("%s: --size %llu MiB for a step of %u workers would need %s, more "
			"than the %s available; running with --size %llu MiB (give --size to "
			"choose)",
			b->name, was >> 20, cpu_plan_largest(plan), sneed, savail,
			*(unsigned long long *)((char *)params + opt_find(b->opts, "size")->off) >>
			    20);
	return true;
}

int run_check_plan_memory(const struct bench *b, const void *params, const char *rundir,
			  const struct cpu_plan *plan)
{
	unsigned long long avail = fb_mem_available(), need, fs_avail;
	unsigned n = cpu_plan_largest(plan);
	char sneed[32], savail[32];
	const char *dir;

	if (fs_short(b, params, rundir, n, &need, &fs_avail, &dir))
		return fb_usage("%s: a step of %u workers needs %llu MiB of files in '%s', more "
				"than its %llu MiB free (a page past it would be a SIGBUS): lower "
				"--size or --cpus, or use a larger filesystem",
				b->name, n, need >> 20, dir, fs_avail >> 20);
	if (!b->mem_need || !n)
		return FB_OK;
	need = b->mem_need(params, n);
	if (need <= avail)
		return FB_OK;
	fb_format_size_pair(need, avail, sneed, savail, sizeof(sneed));
	return fb_usage("%s: a step of %u workers needs about %s, more than this machine has "
			"available (%s): lower --size or --cpus",
			b->name, n, sneed, savail);
}

int run_check_plan(const struct bench *b, const void *params, const struct run_opts *ro,
		   const struct topo *t, const struct cpu_plan *plan, const struct mem_policy *mp)
{
	int ret = opt_check_memory(b->opts, params, fb_mem_available(), NULL);

	if (!ret)
		ret = run_check_plan_memory(b, params, ro->dir, plan);
	if (!ret)
		ret = mem_policy_check(mp, t);
	if (!ret && b->check)
		ret = b->check(params, ro);
	return ret;
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
