// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench topo: show a machine (this one, a hwloc synthetic description or
 * an XML file) and the CPU plan a sweep would use on it, so a plan for a
 * 512-CPU box can be checked from a laptop before booking the box.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <hwloc.h>
#include <jansson.h>

#include "cmds.h"
#include "jsonfile.h"
#include "opt.h"
#include "topo.h"
#include "util.h"

struct topo_cmd_opts {
	const char *topology;
	const char *cpus;
	int placement; /* enum placement */
	bool oversubscribe;
	int format; /* 0 text, 1 json */
};

#define T(field) offsetof(struct topo_cmd_opts, field)

const struct opt topo_cmd_options[] = {
	{ .name = "topology",
	  .type = OPT_STR,
	  .off = T(topology),
	  .help = "hwloc synthetic description ('pack:2 numa:2 core:16 pu:2') or XML file; "
		  "default: this machine" },
	{ .name = "cpus",
	  .type = OPT_STR,
	  .def = "walk",
	  .off = T(cpus),
	  .help = "worker counts: list and ranges (1,2,4,8-16), pow2, walk (1, core, LLC, "
		  "node, package, machine) or max" },
	{ .name = "placement",
	  .type = OPT_ENUM,
	  .def = "compact",
	  .choices = "compact|spread",
	  .off = T(placement),
	  .help = "compact fills a node before the next (SMT siblings last); spread rotates "
		  "across packages and nodes, then L3 caches within a node, then cores (SMT "
		  "siblings last)" },
	{ .name = "oversubscribe",
	  .type = OPT_BOOL,
	  .def = "off",
	  .off = T(oversubscribe),
	  .help = "allow more workers than PUs (PUs reused round-robin)" },
	{ .name = "format",
	  .type = OPT_ENUM,
	  .def = "text",
	  .choices = "text|json",
	  .off = T(format),
	  .help = "what to print on stdout" },
	OPT_END
};

/* A step's distinct PUs as compact ranges ("0-15,32-47"); malloc'd. */
static char *step_pus(const struct cpu_step *s)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	char *str = NULL;
	unsigned i;

	for (i = 0; i < s->ncpus; i++)
		hwloc_bitmap_set(set, s->pus[i]);
	if (hwloc_bitmap_list_asprintf(&str, set) < 0 || !str)
		str = xstrdup("?");
	hwloc_bitmap_free(set);
	return str;
}

static void print_plan_text(const struct topo *t, const struct topo_cmd_opts *o,
			    const struct cpu_plan *plan)
{
	unsigned i;

	topo_print(stdout, t);
	printf("\nplan: --cpus %s --placement %s%s\n", o->cpus,
	       o->placement == PLACE_SPREAD ? "spread" : "compact",
	       o->oversubscribe ? " --oversubscribe" : "");
	printf("%8s  %-8s %5s %8s %6s  %s\n", "workers", "what", "nodes", "packages", "cores",
	       "PUs");
	for (i = 0; i < plan->nsteps; i++) {
		const struct cpu_step *s = &plan->steps[i];
		unsigned nodes, packages, cores;
		char *pus = step_pus(s);

		topo_step_coverage(t, s, &nodes, &packages, &cores);
		printf("%8u  %-8s %5u %8u %6u  %s%s\n", s->ncpus, s->what ? s->what : "-", nodes,
		       packages, cores, pus, s->ncpus > topo_npus(t) ? " (oversubscribed)" : "");
		free(pus);
	}
}

static void print_plan_json(const struct topo *t, const struct topo_cmd_opts *o,
			    const struct cpu_plan *plan)
{
	json_t *steps = json_array(), *root;
	unsigned i;

	for (i = 0; i < plan->nsteps; i++) {
		const struct cpu_step *s = &plan->steps[i];
		unsigned nodes, packages, cores;
		char *pus = step_pus(s);

		topo_step_coverage(t, s, &nodes, &packages, &cores);
		json_array_append_new(steps, json_pack("{s:i, s:s?, s:s, s:i, s:i, s:i}", "ncpus",
						       (int)s->ncpus, "what", s->what, "pus", pus,
						       "nodes", (int)nodes, "packages",
						       (int)packages, "cores", (int)cores));
		free(pus);
	}
	root = json_pack("{s:o, s:s, s:s, s:b, s:o}", "topology", topo_to_json(t), "cpus", o->cpus,
			 "placement", o->placement == PLACE_SPREAD ? "spread" : "compact",
			 "oversubscribe", o->oversubscribe, "steps", steps);
	fb_json_dumpf(root, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(root);
}

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench topo [options]\n\n"
		   "Show the machine and the CPU plan of a sweep: for each step, its workers,\n"
		   "their PUs and the nodes, packages and cores they cover.\n\noptions:\n");
	opt_print_help(f, topo_cmd_options);
	return FB_USAGE;
}

int cmd_topo(int argc, char **argv)
{
	struct topo_cmd_opts o;
	struct opt_binding b = { topo_cmd_options, &o };
	struct cpu_plan plan;
	struct topo *t;
	int npos, err;

	err = opt_parse_command(&b, argc, argv, false, usage, &npos);
	if (err)
		return err < 0 ? FB_OK : err;
	if (npos)
		return fb_usage("topo takes no arguments, got '%s'; see 'faultbench topo --help'",
				argv[1]);
	err = topo_load(&t, o.topology);
	if (err)
		return err;
	err = topo_plan(t, o.cpus, o.placement == PLACE_SPREAD ? PLACE_SPREAD : PLACE_COMPACT,
			o.oversubscribe, &plan);
	if (!err) {
		if (o.format == 1)
			print_plan_json(t, &o, &plan);
		else
			print_plan_text(t, &o, &plan);
		cpu_plan_free(&plan);
	}
	topo_free(t);
	return err;
}
