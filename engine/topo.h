/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Machine topology (hwloc) and the CPU plan of a sweep: which PUs the workers
 * of each step get.  Works for 1 to thousands of PUs: nothing here uses a
 * fixed-size CPU mask.  A topology can also be a hwloc synthetic description
 * ("pack:4 numa:2 core:16 pu:2") or an XML file, for planning only.
 */
#ifndef FB_TOPO_H
#define FB_TOPO_H

#include <stdbool.h>
#include <stdio.h>
#include <jansson.h>

struct topo;

enum placement {
	PLACE_COMPACT, /* fill a node before the next; a core's SMT siblings last within it */
	PLACE_SPREAD,  /* rotate across packages and nodes, then a node's L3s; siblings last */
};

/*
 * spec: NULL for this machine, a path ending in ".xml", or a hwloc synthetic
 * description.  Returns FB_OK or FB_USAGE (message names "--topology").
 */
int topo_load(struct topo **tp, const char *spec);
/* --topology plans at most this many PUs (planning time grows much faster). */
#define TOPO_MAX_PUS 8192u
/* The PUs a synthetic description asks for, capped at TOPO_MAX_PUS + 1. */
unsigned long topo_synthetic_pus(const char *spec);
void topo_free(struct topo *t);

bool topo_is_this_machine(const struct topo *t);
unsigned topo_npus(const struct topo *t);
unsigned topo_ncores(const struct topo *t);
unsigned topo_nnodes(const struct topo *t);
unsigned topo_npackages(const struct topo *t);
/* OS index of the NUMA node holding PU pu_os, or -1. */
int topo_node_of_pu(const struct topo *t, unsigned pu_os);
/* Short one-line description, e.g. "1 package, 1 node, 2 cores, 2 PUs". */
const char *topo_summary(const struct topo *t);
void topo_print(FILE *f, const struct topo *t); /* packages, nodes, cores, PUs */
json_t *topo_to_json(const struct topo *t);

struct cpu_step {
	unsigned ncpus; /* number of workers */
	unsigned *pus;	/* OS index of each worker's PU, ncpus entries */
	const char
	    *what; /* for walk: "1 PU", "core", "LLC", "node", "package", "machine"; else NULL */
};

struct cpu_plan {
	unsigned nsteps;
	struct cpu_step *steps;
};

/*
 * Plan a sweep.  spec: "1,2,4,8-16" (worker counts), "pow2" (1,2,4,... plus the
 * maximum), "walk" (1, one core's siblings, one LLC, one node, one package, the
 * machine, dropping repeats), or "max".  Counts above the PU count are refused
 * unless oversubscribe is set, in which case PUs are reused round-robin in
 * placement order.  Returns FB_OK or FB_USAGE with a message naming "--cpus".
 */
int topo_plan(const struct topo *t, const char *spec, enum placement pl, bool oversubscribe,
	      struct cpu_plan *plan);
void cpu_plan_free(struct cpu_plan *plan);
/* The worker count of the plan's largest step (0 for an empty plan). */
unsigned cpu_plan_largest(const struct cpu_plan *plan);
/* How many NUMA nodes, packages and cores the PUs of a step cover. */
void topo_step_coverage(const struct topo *t, const struct cpu_step *s, unsigned *nodes,
			unsigned *packages, unsigned *cores);

/* The order in which a placement hands out PUs (OS indexes, npus entries). */
unsigned *topo_placement_order(const struct topo *t, enum placement pl);

/*
 * Parse a list of worker counts ("1,2,4,8-16", "pow2", "max") with max PUs
 * available; sorted, without repeats.  FB_OK or FB_USAGE.
 */
int cpu_counts_parse(const char *spec, unsigned max, unsigned **counts, unsigned *n);

#endif
