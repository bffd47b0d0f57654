// SPDX-License-Identifier: GPL-2.0
/*
 * "faultbench selftest --measure=counters": what the per-worker perf
 * counters of the harness cost a fault.  The bare loop of bench/selftest.c
 * runs in three arms: with no perf counter at all (what a worker of
 * --counters=none has, and what will-it-scale has), with the counters of
 * --counters=minimal and with those of --counters=full, each opened on each
 * of its threads before they start, exactly as the runner opens them
 * (evidence_create() and evidence_attach()).  Nothing else differs.
 *
 * Measurement notes:
 *  - each arm runs in a process of its own (bare_loop_fork()): a process
 *    that opened a software counter keeps a probe of it open to hold the
 *    kernel's static key (engine/evidence.c), and a key left on would put
 *    the next arm's faults through perf's swevent lookup too;
 *  - the figure is CPU time per fault, each thread's own CPU clock over its
 *    window: a wait for the CPU (another tenant) is not in it, so it is
 *    steadier on a shared machine than pages per second, which is kept too;
 *  - arms alternate forwards and backwards (ABC CBA) so that a slow spell
 *    of the machine falls on all of them; the figures are medians of the
 *    rounds' differences, not differences of medians.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "runopts.h"
#include "selftest.h"
#include "stats.h"
#include "util.h"

const char *const cost_arm_names[COST_ARMS] = { "none", "minimal", "full" };

/* The evidence_create() mode of an arm; -1: no counters at all. */
static int arm_counters(unsigned arm)
{
	return arm == COST_FULL ? COUNTERS_FULL : arm == COST_MINIMAL ? COUNTERS_MINIMAL : -1;
}

unsigned cost_arm_order(unsigned round, unsigned k)
{
	return round % 2 ? COST_ARMS - 1 - k : k;
}

static double ns_per_fault(const struct bare_result *b)
{
	return b->faults ? (double)b->cpu_ns / (double)b->faults : NAN;
}

void cost_summarize(const struct bare_result (*r)[COST_ARMS], unsigned nrounds, struct cost_fig *f)
{
	double v[SELFTEST_MAX_ROUNDS];

	for (unsigned a = 0; a < COST_ARMS; a++) {
		for (unsigned i = 0; i < nrounds; i++)
			v[i] = ns_per_fault(&r[i][a]);
		f->ns_per_fault[a] = stats_median(v, nrounds);
		for (unsigned i = 0; i < nrounds; i++)
			v[i] =
			    r[i][a].faults ? (double)r[i][a].pages / (double)r[i][a].faults : NAN;
		f->ppf[a] = stats_median(v, nrounds);
		for (unsigned i = 0; i < nrounds; i++)
			v[i] = ns_per_fault(&r[i][a]) - ns_per_fault(&r[i][COST_NONE]);
		f->extra_ns[a] = stats_median(v, nrounds);
		for (unsigned i = 0; i < nrounds; i++)
			v[i] = r[i][a].pages_per_s / r[i][COST_NONE].pages_per_s;
		f->rate_ratio[a] = stats_median(v, nrounds);
	}
}

static json_t *arm_json(const struct bare_result *b)
{
	json_t *o = json_object();

	json_object_set_new(o, "pages_per_s", json_real(b->pages_per_s));
	json_object_set_new(o, "pages", json_integer((json_int_t)b->pages));
	json_object_set_new(o, "faults", json_integer((json_int_t)b->faults));
	json_object_set_new(o, "cpu_ns", json_integer((json_int_t)b->cpu_ns));
	return o;
}

static json_t *summary_json(const struct cost_fig *f)
{
	json_t *o = json_object();

	for (unsigned a = 0; a < COST_ARMS; a++) {
		json_t *arm = json_object();

		json_object_set_new(arm, "cpu_ns_per_fault", json_real(f->ns_per_fault[a]));
		json_object_set_new(arm, "pages_per_fault", json_real(f->ppf[a]));
		json_object_set_new(arm, "extra_cpu_ns_per_fault", json_real(f->extra_ns[a]));
		json_object_set_new(arm, "pages_per_s_ratio", json_real(f->rate_ratio[a]));
		json_object_set_new(o, cost_arm_names[a], arm);
	}
	return o;
}

int cost_point(const struct selftest_ctx *pc, const unsigned *cpus, json_t *points)
{
	static struct bare_result r[SELFTEST_MAX_ROUNDS][COST_ARMS];
	const struct selftest_opts *o = pc->o;
	unsigned nr = (unsigned)o->rounds;
	json_t *rounds = json_array(), *pj = selftest_point_json(pc, rounds, points);
	struct cost_fig f;
	int ret = FB_OK;

	for (unsigned i = 0; i < nr && !ret; i++) {
		json_t *rj = json_object(), *order = json_array();

		for (unsigned k = 0; k < COST_ARMS && !ret; k++) {
			unsigned a = cost_arm_order(i, k);
			struct bare_spec s = { .p = pc->p,
					       .dir = pc->file_dir,
					       .size = o->size,
					       .cpus = cpus,
					       .n = pc->ncpus,
					       .warmup = o->warmup,
					       .secs = o->time,
					       .counters = arm_counters(a) };
			const char *what;

			ret = bare_loop_fork(&s, &r[i][a], &what);
			if (ret)
				ret = fb_fail(
				    "selftest: bare loop %s %s (%s counters): cannot %s: %s",
				    pc->p->name, pc->backing, cost_arm_names[a], what,
				    strerror(-ret));
			else
				json_object_set_new(rj, cost_arm_names[a], arm_json(&r[i][a]));
			json_array_append_new(order, json_string(cost_arm_names[a]));
			if (fb_interrupted)
				ret = 128 + fb_interrupted;
		}
		json_object_set_new(rj, "order", order);
		json_array_append_new(rounds, rj);
	}
	if (ret)
		return ret;
	cost_summarize((const struct bare_result(*)[COST_ARMS])r, nr, &f);
	json_object_set_new(pj, "summary", summary_json(&f));
	printf("%-6s %-5s %3u CPUs  cpu-ns/fault none %7.1f  minimal %+6.1f  full %+6.1f  "
	       "pages/s vs none: minimal %.3f  full %.3f  pages/fault %.3f\n",
	       pc->p->name, pc->backing, pc->ncpus, f.ns_per_fault[COST_NONE],
	       f.extra_ns[COST_MINIMAL], f.extra_ns[COST_FULL], f.rate_ratio[COST_MINIMAL],
	       f.rate_ratio[COST_FULL], f.ppf[COST_NONE]);
	fflush(stdout);
	return FB_OK;
}
