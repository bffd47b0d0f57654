// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/topo.c on hwloc synthetic topologies, from 1 PU to 1024
 * PUs with SMT, several packages and nodes, and several L3s per node.  In a
 * synthetic topology OS indexes follow the physical order, so with "pu:2" PU p
 * is on core p / 2 and is an SMT sibling (not its core's first PU) when p is
 * odd.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <hwloc.h>

#include "topo.h"
#include "util.h"

#define T64   "pack:2 numa:2 core:8 pu:2"
#define T128  "pack:2 numa:2 core:16 pu:2"
#define T1024 "pack:4 numa:4 core:32 pu:2"
/* EPYC-like: 4 CCXs (an L3 each) of 4 cores per node; PU p is on L3 p / 8 */
#define TEPYC "pack:2 numa:2 l3:4 core:4 pu:2"

static struct topo *load(const char *spec)
{
	struct topo *t = NULL;

	assert_int_equal(topo_load(&t, spec), FB_OK);
	assert_non_null(t);
	assert_false(topo_is_this_machine(t));
	return t;
}

static void check_shape(const char *spec, unsigned pkgs, unsigned nodes, unsigned cores,
			unsigned pus)
{
	struct topo *t = load(spec);

	assert_int_equal(topo_npackages(t), pkgs);
	assert_int_equal(topo_nnodes(t), nodes);
	assert_int_equal(topo_ncores(t), cores);
	assert_int_equal(topo_npus(t), pus);
	topo_free(t);
}

static void test_shapes(void **state)
{
	check_shape("pu:1", 1, 1, 1, 1);
	check_shape("core:1 pu:1", 1, 1, 1, 1);
	check_shape("core:2 pu:1", 1, 1, 2, 2);
	check_shape("pu:2", 1, 1, 2, 2); /* no cores: each PU counts as one */
	check_shape(T64, 2, 4, 32, 64);
	check_shape("package:2 numa:2 core:8 pu:2", 2, 4, 32, 64);
	check_shape(T128, 2, 4, 64, 128);
	check_shape(T1024, 4, 16, 512, 1024);
}

static void test_bad_topology(void **state)
{
	static const char *const bad[] = { "bogus", "", "pack:0 pu:1", "pu:", "/no/such/file.xml" };
	struct topo *t;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		t = (struct topo *)1;
		assert_int_equal(topo_load(&t, bad[i]), FB_USAGE);
		assert_null(t);
		assert_non_null(strstr(fb_last_error(), "--topology"));
	}
}

/* An XML file (as lstopo writes it on the big machine) loads like the synthetic original. */
static void test_xml(void **state)
{
	char path[] = "/tmp/fb-topo-XXXXXX.xml";
	hwloc_topology_t h;
	struct topo *t;
	int fd = mkstemps(path, 4);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_init(&h), 0);
	assert_int_equal(hwloc_topology_set_synthetic(h, T64), 0);
	assert_int_equal(hwloc_topology_load(h), 0);
	assert_int_equal(hwloc_topology_export_xml(h, path, 0), 0);
	hwloc_topology_destroy(h);

	t = load(path);
	assert_int_equal(topo_npus(t), 64);
	assert_int_equal(topo_nnodes(t), 4);
	assert_int_equal(topo_node_of_pu(t, 63), 3);
	topo_free(t);
	unlink(path);
}

static void test_this_machine(void **state)
{
	struct topo *t = NULL;
	struct cpu_plan plan;
	json_t *j;

	assert_int_equal(topo_load(&t, NULL), FB_OK);
	assert_true(topo_is_this_machine(t));
	assert_true(topo_npus(t) >= 1);
	assert_int_equal(topo_plan(t, "walk", PLACE_COMPACT, false, &plan), FB_OK);
	assert_true(plan.nsteps >= 1);
	assert_int_equal(plan.steps[plan.nsteps - 1].ncpus, topo_npus(t));
	cpu_plan_free(&plan);
	j = topo_to_json(t);
	assert_false(json_is_true(json_object_get(j, "synthetic")));
	json_decref(j);
	topo_free(t);
}

static void test_node_of_pu(void **state)
{
	struct topo *t = load(T64);
	unsigned p;

	for (p = 0; p < 64; p++)
		assert_int_equal(topo_node_of_pu(t, p), (int)(p / 16));
	assert_int_equal(topo_node_of_pu(t, 64), -1);
	assert_int_equal(topo_node_of_pu(t, 100000), -1);
	topo_free(t);

	t = load("pu:1");
	assert_int_equal(topo_node_of_pu(t, 0), 0);
	topo_free(t);
}

/* Every PU exactly once. */
static void check_permutation(const unsigned *order, unsigned n)
{
	char *seen = calloc(n, 1);
	unsigned i;

	assert_non_null(order);
	for (i = 0; i < n; i++) {
		assert_true(order[i] < n);
		assert_false(seen[order[i]]);
		seen[order[i]] = 1;
	}
	free(seen);
}

/* Compact: node by node; within a node first PUs of cores, then siblings. */
static void check_compact(const char *spec, unsigned node_size)
{
	struct topo *t = load(spec);
	unsigned n = topo_npus(t), i;
	unsigned *order = topo_placement_order(t, PLACE_COMPACT);

	check_permutation(order, n);
	for (i = 0; i < n; i++) {
		unsigned in_node = i % node_size;

		assert_int_equal(topo_node_of_pu(t, order[i]), (int)(i / node_size));
		/* the first half of each node's run are first PUs (even), then siblings */
		assert_int_equal(order[i] % 2, in_node >= node_size / 2);
	}
	free(order);
	topo_free(t);
}

static void test_compact(void **state)
{
	check_compact(T64, 16);
	check_compact(T128, 32);
	check_compact(T1024, 64);
}

/* Spread: distinct nodes first, alternating packages, all first PUs before siblings. */
static void check_spread(const char *spec, unsigned nnodes, unsigned npkgs)
{
	struct topo *t = load(spec);
	unsigned n = topo_npus(t), i, j;
	unsigned *order = topo_placement_order(t, PLACE_SPREAD);
	unsigned nodes_per_pkg = nnodes / npkgs, node_size = n / nnodes;

	check_permutation(order, n);
	for (i = 0; i < nnodes; i++)
		for (j = 0; j < i; j++)
			assert_int_not_equal(topo_node_of_pu(t, order[i]),
					     topo_node_of_pu(t, order[j]));
	/* consecutive picks alternate packages while there are nodes left in each */
	for (i = 1; i < npkgs; i++)
		assert_int_not_equal(topo_node_of_pu(t, order[i]) / nodes_per_pkg,
				     topo_node_of_pu(t, order[i - 1]) / nodes_per_pkg);
	for (i = 0; i < n; i++)
		assert_int_equal(order[i] % 2, i >= n / 2);
	/* within a node, its cores are taken in order */
	for (i = nnodes; i < n / 2; i++)
		assert_int_equal(order[i], order[i - nnodes] + 2);
	(void)node_size;
	free(order);
	topo_free(t);
}

static void test_spread(void **state)
{
	check_spread(T64, 4, 2);
	check_spread(T128, 4, 2);
	check_spread(T1024, 16, 4);
}

/*
 * Spread on several L3s per node: the nodes in turn as before, and within a
 * node its L3s in turn, the cores of an L3 in order, SMT siblings last.  On
 * TEPYC worker i < 64 goes to node 0, 2, 1, 3 (i % 4), and is that node's
 * pick k = i / 4: L3 k % 4 of the node, core k / 4 of that L3; workers 64 to
 * 127 take the siblings of the same cores in the same order.
 */
static void test_spread_l3(void **state)
{
	/* 4 nodes, or 4 L3s, in 2 packages take turns in this order */
	static const unsigned alternate[] = { 0, 2, 1, 3 };
	struct topo *t = load(TEPYC);
	unsigned *order = topo_placement_order(t, PLACE_SPREAD);
	unsigned i, j;

	assert_int_equal(topo_npus(t), 128);
	check_permutation(order, 128);
	/* the first 16 workers: 16 distinct L3s, 4 on each node */
	for (i = 0; i < 16; i++) {
		assert_int_equal(topo_node_of_pu(t, order[i]), (int)alternate[i % 4]);
		for (j = 0; j < i; j++)
			assert_int_not_equal(order[i] / 8, order[j] / 8);
	}
	/* every core's first PU (even) before any sibling (odd) */
	for (i = 0; i < 128; i++)
		assert_int_equal(order[i] % 2, i >= 64);
	for (i = 0; i < 128; i++) {
		unsigned k = (i % 64) / 4;

		assert_int_equal(order[i],
				 alternate[i % 4] * 32 + (k % 4) * 8 + (k / 4) * 2 + i / 64);
	}
	free(order);
	topo_free(t);

	/* one node, 3 L3s of 4 cores, no SMT: 0, 4, 8, 1, 5, 9 ... */
	t = load("pack:1 l3:3 core:4 pu:1");
	order = topo_placement_order(t, PLACE_SPREAD);
	for (i = 0; i < 12; i++)
		assert_int_equal(order[i], (i % 3) * 4 + i / 3);
	free(order);
	topo_free(t);

	/*
	 * One node over 2 packages of 2 L3s (no NUMA level): the L3s alternate
	 * packages, 0, 2, 1, 3; L3 l holds PUs 16 l to 16 l + 15.
	 */
	t = load("pack:2 l3:2 core:8 pu:2");
	assert_int_equal(topo_nnodes(t), 1);
	order = topo_placement_order(t, PLACE_SPREAD);
	check_permutation(order, 64);
	for (i = 0; i < 64; i++)
		assert_int_equal(order[i], alternate[i % 4] * 16 + ((i % 32) / 4) * 2 + i / 32);
	free(order);
	topo_free(t);
}

/*
 * L3s of different sizes (an EPYC with cores fused off): an L3 that has no
 * core left is skipped, the others keep their turns.  The machine is
 * "numa:1 l3:3 core:4 pu:1" with 1, 4 and 2 cores left in its L3s, through
 * an XML file.
 */
static void test_spread_l3_uneven(void **state)
{
	static const unsigned want[] = { 0, 4, 8, 5, 9, 6, 7 };
	char path[] = "/tmp/fb-topo-XXXXXX.xml";
	hwloc_topology_t h;
	hwloc_bitmap_t keep = hwloc_bitmap_alloc();
	struct topo *t;
	unsigned *order, i;
	int fd = mkstemps(path, 4);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_init(&h), 0);
	assert_int_equal(hwloc_topology_set_synthetic(h, "numa:1 l3:3 core:4 pu:1"), 0);
	assert_int_equal(hwloc_topology_load(h), 0);
	hwloc_bitmap_set(keep, 0);
	hwloc_bitmap_set_range(keep, 4, 9);
	assert_int_equal(hwloc_topology_restrict(h, keep, 0), 0);
	assert_int_equal(hwloc_topology_export_xml(h, path, 0), 0);
	hwloc_topology_destroy(h);
	hwloc_bitmap_free(keep);

	t = load(path);
	assert_int_equal(topo_npus(t), ARRAY_SIZE(want));
	order = topo_placement_order(t, PLACE_SPREAD);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(order[i], want[i]);
	free(order);
	topo_free(t);
	unlink(path);
}

static void check_same_order(const char *a, const char *b, enum placement pl)
{
	struct topo *ta = load(a), *tb = load(b);
	unsigned *oa = topo_placement_order(ta, pl), *ob = topo_placement_order(tb, pl);
	unsigned i;

	assert_int_equal(topo_npus(ta), topo_npus(tb));
	for (i = 0; i < topo_npus(ta); i++)
		assert_int_equal(oa[i], ob[i]);
	free(oa);
	free(ob);
	topo_free(ta);
	topo_free(tb);
}

/*
 * L3s change nothing where they cannot: one L3 per node, an L3 over several
 * nodes, L2s shared by a few cores with no L3, give T128's spread; compact
 * fills a node in physical order whatever its L3s, so one L3 after the other.
 */
static void test_l3_unchanged(void **state)
{
	check_same_order("pack:2 numa:2 l3:1 core:16 pu:2", T128, PLACE_SPREAD);
	check_same_order("pack:2 l3:1 numa:2 core:16 pu:2", T128, PLACE_SPREAD);
	check_same_order("pack:2 numa:2 l2:4 core:4 pu:2", T128, PLACE_SPREAD);
	check_same_order("pack:2 numa:2 l2:4 core:4 pu:2", T128, PLACE_COMPACT);
	check_same_order(TEPYC, T128, PLACE_COMPACT);
	check_compact(TEPYC, 32);
}

/* Walk on TEPYC: the LLC step is one CCX, with either placement. */
static void test_walk_l3(void **state)
{
	static const unsigned want[] = { 1, 2, 8, 32, 64, 128 };
	static const char *const what[] = { "1 PU", "core", "LLC", "node", "package", "machine" };
	static const enum placement pls[] = { PLACE_COMPACT, PLACE_SPREAD };
	struct topo *t = load(TEPYC);
	struct cpu_plan plan;
	unsigned p, i, k;

	for (p = 0; p < ARRAY_SIZE(pls); p++) {
		assert_int_equal(topo_plan(t, "walk", pls[p], false, &plan), FB_OK);
		assert_int_equal(plan.nsteps, ARRAY_SIZE(want));
		for (i = 0; i < plan.nsteps; i++) {
			assert_int_equal(plan.steps[i].ncpus, want[i]);
			assert_string_equal(plan.steps[i].what, what[i]);
			assert_int_equal(plan.steps[i].pus[0], 0);
			/* every step is the aligned block of PUs holding PU 0 */
			for (k = 0; k < plan.steps[i].ncpus; k++)
				assert_true(plan.steps[i].pus[k] < want[i]);
		}
		cpu_plan_free(&plan);
	}
	topo_free(t);
}

static void test_orders_tiny(void **state)
{
	struct topo *t = load("pu:1");
	unsigned *c = topo_placement_order(t, PLACE_COMPACT);
	unsigned *s = topo_placement_order(t, PLACE_SPREAD);

	assert_int_equal(c[0], 0);
	assert_int_equal(s[0], 0);
	free(c);
	free(s);
	topo_free(t);

	t = load("core:1 pu:2"); /* one core, two siblings */
	c = topo_placement_order(t, PLACE_SPREAD);
	assert_int_equal(c[0], 0);
	assert_int_equal(c[1], 1);
	free(c);
	topo_free(t);
}

struct walk_want {
	unsigned n;
	const char *what;
};

static void check_walk(const char *spec, const struct walk_want *want, unsigned nwant)
{
	struct topo *t = load(spec);
	struct cpu_plan plan;
	unsigned i;

	assert_int_equal(topo_plan(t, "walk", PLACE_COMPACT, false, &plan), FB_OK);
	assert_int_equal(plan.nsteps, nwant);
	for (i = 0; i < nwant; i++) {
		assert_int_equal(plan.steps[i].ncpus, want[i].n);
		assert_string_equal(plan.steps[i].what, want[i].what);
		assert_int_equal(plan.steps[i].pus[0], 0);
	}
	cpu_plan_free(&plan);
	topo_free(t);
}

static void test_walk(void **state)
{
	static const struct walk_want one[] = { { 1, "1 PU" } };
	static const struct walk_want two[] = { { 1, "1 PU" }, { 2, "node" } };
	static const struct walk_want w64[] = {
		{ 1, "1 PU" }, { 2, "core" }, { 16, "node" }, { 32, "package" }, { 64, "machine" }
	};
	static const struct walk_want w1024[] = { { 1, "1 PU" },
						  { 2, "core" },
						  { 64, "node" },
						  { 256, "package" },
						  { 1024, "machine" } };
	/* an L3 per half package, one NUMA node for the machine: sorted by size */
	static const struct walk_want llc[] = {
		{ 1, "1 PU" }, { 2, "core" }, { 16, "LLC" }, { 32, "package" }, { 64, "node" }
	};

	check_walk("pu:1", one, ARRAY_SIZE(one));
	check_walk("core:1 pu:1", one, ARRAY_SIZE(one));
	check_walk("core:2 pu:1", two, ARRAY_SIZE(two));
	check_walk(T64, w64, ARRAY_SIZE(w64));
	check_walk(T1024, w1024, ARRAY_SIZE(w1024));
	check_walk("pack:2 l3:2 core:8 pu:2", llc, ARRAY_SIZE(llc));
}

/* The PUs of a walk step are one core's siblings, one node's PUs ... */
static void test_walk_sets(void **state)
{
	struct topo *t = load(T128);
	struct cpu_plan plan;
	unsigned i;

	assert_int_equal(topo_plan(t, "walk", PLACE_SPREAD, false, &plan), FB_OK);
	assert_int_equal(plan.nsteps, 5);
	assert_int_equal(plan.steps[1].pus[0] / 2, plan.steps[1].pus[1] / 2);
	for (i = 0; i < plan.steps[2].ncpus; i++)
		assert_int_equal(topo_node_of_pu(t, plan.steps[2].pus[i]), 0);
	for (i = 0; i < plan.steps[3].ncpus; i++)
		assert_true(plan.steps[3].pus[i] < 64);
	cpu_plan_free(&plan);
	topo_free(t);
}

static void check_counts_plan(const char *spec, const char *cpus, const unsigned *want,
			      unsigned nwant, enum placement pl)
{
	struct topo *t = load(spec);
	unsigned *order = topo_placement_order(t, pl);
	struct cpu_plan plan;
	unsigned i, k;

	assert_int_equal(topo_plan(t, cpus, pl, false, &plan), FB_OK);
	assert_int_equal(plan.nsteps, nwant);
	for (i = 0; i < nwant; i++) {
		assert_int_equal(plan.steps[i].ncpus, want[i]);
		assert_null(plan.steps[i].what);
		for (k = 0; k < want[i]; k++)
			assert_int_equal(plan.steps[i].pus[k], order[k]);
	}
	cpu_plan_free(&plan);
	free(order);
	topo_free(t);
}

static void test_counts_plans(void **state)
{
	static const unsigned pow2_64[] = { 1, 2, 4, 8, 16, 32, 64 };
	static const unsigned pow2_1024[] = { 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024 };
	static const unsigned pow2_12[] = { 1, 2, 4, 8, 12 };
	static const unsigned list[] = { 1, 2, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const unsigned max1[] = { 1 };

	check_counts_plan(T64, "pow2", pow2_64, ARRAY_SIZE(pow2_64), PLACE_COMPACT);
	check_counts_plan(T1024, "pow2", pow2_1024, ARRAY_SIZE(pow2_1024), PLACE_SPREAD);
	check_counts_plan("core:6 pu:2", "pow2", pow2_12, ARRAY_SIZE(pow2_12), PLACE_COMPACT);
	check_counts_plan(T64, "1,2,4,8-16", list, ARRAY_SIZE(list), PLACE_SPREAD);
	check_counts_plan(T64, "16,8-16,4,2,1,1", list, ARRAY_SIZE(list), PLACE_COMPACT);
	check_counts_plan("pu:1", "max", max1, 1, PLACE_COMPACT);
	check_counts_plan("pu:1", "pow2", max1, 1, PLACE_SPREAD);
}

static void test_oversubscribe(void **state)
{
	struct topo *t = load("core:2 pu:1");
	struct cpu_plan plan;
	unsigned k;

	assert_int_equal(topo_plan(t, "5", PLACE_COMPACT, false, &plan), FB_USAGE);
	assert_int_equal(plan.nsteps, 0);
	assert_non_null(strstr(fb_last_error(), "--cpus"));
	assert_non_null(strstr(fb_last_error(), "--oversubscribe"));

	assert_int_equal(topo_plan(t, "1,5", PLACE_COMPACT, true, &plan), FB_OK);
	assert_int_equal(plan.nsteps, 2);
	assert_int_equal(plan.steps[1].ncpus, 5);
	for (k = 0; k < 5; k++)
		assert_int_equal(plan.steps[1].pus[k], k % 2);
	cpu_plan_free(&plan);

	/* pow2 and max still mean the PU count when oversubscribing */
	assert_int_equal(topo_plan(t, "pow2", PLACE_COMPACT, true, &plan), FB_OK);
	assert_int_equal(plan.nsteps, 2);
	assert_int_equal(plan.steps[1].ncpus, 2);
	cpu_plan_free(&plan);

	/* a runaway count is refused, not allocated */
	assert_int_equal(topo_plan(t, "1-4000000000", PLACE_COMPACT, true, &plan), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "--cpus"));
	topo_free(t);
}

static void test_bad_plans(void **state)
{
	static const char *const bad[] = { "0-x", "", "3-1", "0", "1,,2", "abc", "65", "walk,1" };
	struct topo *t = load(T64);
	struct cpu_plan plan;
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(topo_plan(t, bad[i], PLACE_COMPACT, false, &plan), FB_USAGE);
		assert_non_null(strstr(fb_last_error(), "option '--cpus'"));
	}
	assert_int_equal(topo_plan(t, NULL, PLACE_COMPACT, false, &plan), FB_USAGE);
	topo_free(t);
}

static void test_print_and_json(void **state)
{
	struct topo *t = load(T128);
	json_t *j = topo_to_json(t), *np;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(json_integer_value(json_object_get(j, "pus")), 128);
	assert_int_equal(json_integer_value(json_object_get(j, "cores")), 64);
	assert_int_equal(json_integer_value(json_object_get(j, "nodes")), 4);
	assert_int_equal(json_integer_value(json_object_get(j, "packages")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "smt")), 2);
	assert_true(json_is_true(json_object_get(j, "synthetic")));
	assert_string_equal(json_string_value(json_object_get(j, "source")), T128);
	np = json_object_get(j, "node_pus");
	assert_string_equal(json_string_value(json_object_get(np, "0")), "0-31");
	assert_string_equal(json_string_value(json_object_get(np, "3")), "96-127");
	json_decref(j);
	assert_string_equal(topo_summary(t), "2 packages, 4 nodes, 64 cores, 128 PUs");

	topo_print(f, t);
	fclose(f);
	assert_non_null(strstr(buf, "node 1: 16 cores, PUs 32-63"));
	assert_non_null(strstr(buf, "SMT 2"));
	free(buf);
	topo_free(t);

	t = load("pu:1");
	assert_string_equal(topo_summary(t), "1 package, 1 node, 1 core, 1 PU");
	topo_free(t);
}

static int quiet(void **state)
{
	fb_set_quiet(true);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),	       cmocka_unit_test(test_bad_topology),
		cmocka_unit_test(test_this_machine),   cmocka_unit_test(test_node_of_pu),
		cmocka_unit_test(test_compact),	       cmocka_unit_test(test_spread),
		cmocka_unit_test(test_orders_tiny),    cmocka_unit_test(test_walk),
		cmocka_unit_test(test_walk_sets),      cmocka_unit_test(test_counts_plans),
		cmocka_unit_test(test_oversubscribe),  cmocka_unit_test(test_bad_plans),
		cmocka_unit_test(test_print_and_json), cmocka_unit_test(test_xml),
		cmocka_unit_test(test_spread_l3),      cmocka_unit_test(test_spread_l3_uneven),
		cmocka_unit_test(test_l3_unchanged),   cmocka_unit_test(test_walk_l3),
	};

	return cmocka_run_group_tests(tests, quiet, NULL);
}
