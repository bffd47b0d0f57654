// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's "run BENCH OPTIONS" prepared on the host, the way run prepares
 * it (engine/prepare.c: the tables' defaults, the benchmark's run defaults,
 * the preset, then the options), and checked against the guest's topology
 * (a hwloc synthetic description of --numa and --smt): an unknown benchmark
 * or option, a bad value, a --cpus plan the guest cannot hold are refused
 * before minutes of booting (exit 2), with the message the guest's run would
 * print and a last line saying so, which scripts/faultbench-bisect-step reads
 * as the guest refusing the options.  What needs the guest's own machine
 * (its nodes' memory, free space, the benchmark's check()) is left to the
 * guest.
 */
#include <stdlib.h>
#include <string.h>

#include "mempolicy.h"
#include "prepare.h"
#include "registry.h"
#include "runargs.h"
#include "runcheck.h"
#include "topo.h"
#include "util.h"
#include "vm.h"

/* The guest as a hwloc synthetic topology: one package and one NUMA node per --numa node. */
char *vm_guest_topology_spec(const struct vm_topology *t)
{
	return xasprintf("pack:%u numa:1 core:%u pu:%u", t->nodes, t->cpus_per_node / t->smt,
			 t->smt);
}

/*
 * The plan against the guest: --cpus and --profile-cpus; --mem's syntax.
 * Whether the guest has a --mem node is its run's to say (a skip, status 4,
 * which scripts/faultbench-bisect-step reads from the guest).
 */
static int check_plan(struct run_prep *p, const struct vm_topology *t)
{
	char *spec = vm_guest_topology_spec(t);
	struct topo *topo = NULL;
	struct cpu_plan plan = { 0 };
	struct mem_policy mem;
	unsigned *counts = NULL, n = 0;
	int err = mem_policy_parse(p->ro.mem, &mem);

	if (!err)
		err = topo_load(&topo, spec);
	if (!err)
		err = topo_plan(topo, p->ro.cpus, p->ro.placement, p->ro.oversubscribe, &plan);
	if (!err)
		err =
		    run_prep_profile_choose(p->ro.profile_cpus, &p->ro.profile, &plan, &counts, &n);
	free(counts);
	cpu_plan_free(&plan);
	if (topo)
		topo_free(topo);
	free(spec);
	return err;
}

/* run's options of args (what follows BENCH in the guest's run line). */
static int check_options(const struct bench_entry *e, int argc, char **argv,
			 const struct vm_topology *t)
{
	struct run_prep p;
	struct opt_binding bind[2];
	unsigned nb;
	int next, err;

	run_prep_init(&p, e);
	nb = run_prep_bindings(&p, bind);
	err = opt_parse_argv(bind, nb, argc, argv, &next);
	if (err < 0) /* --help: the guest prints it */
		err = FB_OK;
	else if (!err && next < argc)
		err = fb_usage("unexpected argument '%s'; see 'faultbench run %s --help'",
			       argv[next], e->name);
	else if (!err)
		err = run_opts_check_text(&p.ro, NULL);
	if (!err)
		err = check_plan(&p, t);
	run_prep_free(&p);
	return err;
}

/*
 * The guest's run line as run reads it: --store and --runs taken out, BENCH
 * moved to a[1] (engine/runargs.c, run's own rule); its length.
 */
static int as_run_reads_it(int argc, char **argv, char **a)
{
	const char *v;
	int n = argc, i;
	char *bench;

	memcpy(a, argv, (size_t)argc * sizeof(*a));
	opt_take(&n, a, "runs", &v);
	opt_take(&n, a, "store", &v);
	i = run_bench_word(n, a, 1);
	if (i > 1) {
		bench = a[i];
		memmove(a + 2, a + 1, (size_t)(i - 1) * sizeof(*a));
		a[1] = bench;
	}
	return n;
}

int vm_check_guest_run(const struct vm_opts *o, int argc, char **argv)
{
	const struct bench_entry *e;
	struct vm_topology t;
	char **a, hint[256];
	int n, err;

	/* a shell line or another command: the guest's */
	if (o->shell || argc < 2 || strcmp(argv[0], "run"))
		return FB_OK;
	/* the parsers reorder what they are given: a copy */
	a = xcalloc((size_t)argc + 1, sizeof(*a));
	n = as_run_reads_it(argc, argv, a);
	/* no benchmark (run's own usage, or --help): the guest's run says it */
	if (n < 2 || a[1][0] == '-') {
		free(a);
		return FB_OK;
	}
	err = vm_topology_parse(o, &t, NULL);
	if (err) {
		free(a);
		return err;
	}
	e = bench_lookup(a[1]);
	if (!e) {
		if (!bench_suggest_hint(a[1], hint, sizeof(hint))[0])
			snprintf(hint, sizeof(hint), "; see 'faultbench list'");
		err = fb_usage("'%s' is not a benchmark%s", a[1], hint);
	} else {
		err = check_options(e, n - 2, a + 2, &t);
	}
	free(a);
	if (err)
		fb_usage("vm: the guest's command was refused on the host, before a boot (a "
			 "guest of --numa %s, --smt %lld)",
			 o->numa, o->smt);
	return err;
}
