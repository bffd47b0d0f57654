// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/mempolicy.c: parsing --mem, the checks against the
 * machine, and the move_pages() placement query on real mappings of this
 * machine (whatever its node count: the tests read the node count first).
 */
#include <numa.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "mempolicy.h"
#include "runopts.h"
#include "util.h"

static void parse_good(void **state)
{
	struct mem_policy mp;

	assert_int_equal(mem_policy_parse(NULL, &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_LOCAL);
	assert_int_equal(mem_policy_parse("", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_LOCAL);
	assert_int_equal(mem_policy_parse("local", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_LOCAL);
	assert_int_equal(mem_policy_parse("interleave", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_INTERLEAVE);
	assert_int_equal(mem_policy_parse("remote", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_REMOTE);
	assert_int_equal(mem_policy_parse("node:3", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_NODE);
	assert_int_equal(mp.node, 3);
	assert_int_equal(mem_policy_parse("preferred:0", &mp), FB_OK);
	assert_int_equal(mp.kind, MEM_PREFERRED);
	assert_int_equal(mp.node, 0);
}

static void parse_bad(void **state)
{
	static const char *const bad[] = {
		"bind",		"node",	      "node:",	   "node:x",	 "node:-1",
		"node:1x",	"node:99999", "preferred", "preferred:", "Local",
		"interleave:1", "nodes:1",    "node:1:2",  " node:1",	 "local,remote",
	};
	struct mem_policy mp;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(mem_policy_parse(bad[i], &mp), FB_USAGE);
		assert_non_null(strstr(fb_last_error(), "--mem"));
		assert_non_null(strstr(fb_last_error(), bad[i]));
	}
}

static void names_round_trip(void **state)
{
	static const char *const specs[] = { "local", "interleave", "remote", "node:2",
					     "preferred:1" };
	struct mem_policy mp;
	char buf[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(specs); i++) {
		assert_int_equal(mem_policy_parse(specs[i], &mp), FB_OK);
		assert_string_equal(mem_policy_name(&mp, buf, sizeof(buf)), specs[i]);
	}
}

static unsigned nodes_with_memory(void)
{
	unsigned n = 0;

	for (int i = 0; i <= numa_max_node(); i++)
		n += numa_node_size64(i, NULL) > 0;
	return n;
}

static void check_against_machine(void **state)
{
	struct topo *t = NULL;
	struct mem_policy mp;
	unsigned nodes;
	char spec[32];

	if (numa_available() < 0)
		skip();
	assert_int_equal(topo_load(&t, NULL), FB_OK);
	nodes = nodes_with_memory();
	assert_int_equal(mem_policy_parse("local", &mp), FB_OK);
	assert_int_equal(mem_policy_check(&mp, t), FB_OK);
	assert_int_equal(mem_policy_parse("node:0", &mp), FB_OK);
	assert_int_equal(mem_policy_check(&mp, t), FB_OK);
	/* A node this machine does not have: skipped, with the reason. */
	snprintf(spec, sizeof(spec), "node:%d", numa_max_node() + 1);
	assert_int_equal(mem_policy_parse(spec, &mp), FB_OK);
	assert_int_equal(mem_policy_check(&mp, t), FB_SKIP);
	assert_non_null(strstr(fb_last_error(), "node"));
	assert_int_equal(mem_policy_parse("interleave", &mp), FB_OK);
	assert_int_equal(mem_policy_check(&mp, t), nodes >= 2 ? FB_OK : FB_SKIP);
	assert_int_equal(mem_policy_parse("remote", &mp), FB_OK);
	assert_int_equal(mem_policy_check(&mp, t), nodes >= 2 ? FB_OK : FB_SKIP);
	topo_free(t);
}

static char *map_pages(size_t n)
{
	char *p = mmap(NULL, n * (size_t)page_size(), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_true(p != MAP_FAILED);
	return p;
}

static long long hist_sum(json_t *h)
{
	const char *k;
	json_t *v;
	long long s = 0;

	json_object_foreach (h, k, v)
		s += json_integer_value(v);
	return s;
}

/* Touched pages are all found, on node 0 when bound there; untouched ones nowhere. */
static void query_touched_and_untouched(void **state)
{
	size_t n = 64, i, ps = (size_t)page_size();
	struct topo *t = NULL;
	struct mem_policy mp;
	char *p;
	json_t *h;

	if (numa_available() < 0)
		skip();
	assert_int_equal(topo_load(&t, NULL), FB_OK);
	assert_int_equal(mem_policy_parse("node:0", &mp), FB_OK);
	assert_int_equal(mem_policy_apply(&mp, t, 0), 0);
	p = map_pages(n);
	h = mem_placement_query(p, n * ps);
	assert_non_null(h);
	assert_int_equal(hist_sum(h), 0);
	json_decref(h);
	for (i = 0; i < n / 2; i++)
		p[i * ps] = 1;
	h = mem_placement_query(p, n * ps);
	assert_int_equal(hist_sum(h), n / 2);
	assert_int_equal(json_integer_value(json_object_get(h, "0")), n / 2);
	json_decref(h);
	mem_policy_reset();
	munmap(p, n * ps);
	topo_free(t);
}

/* A range larger than the sample limit is sampled, evenly, all of it touched. */
static void query_samples_large_ranges(void **state)
{
	size_t n = 20000, i, ps = (size_t)page_size();
	uint64_t per_node[FB_PLACEMENT_MAX_NODES];
	char *p = map_pages(n);
	uint64_t sum = 0;
	int sampled;

	for (i = 0; i < n; i++)
		p[i * ps] = 1;
	sampled = mem_placement_count(p, n * ps, per_node, FB_PLACEMENT_MAX_NODES);
	assert_true(sampled > 0 && sampled <= 4096);
	for (i = 0; i < FB_PLACEMENT_MAX_NODES; i++)
		sum += per_node[i];
	/*
	 * Every sampled page is counted on a node unless the kernel could not
	 * say where it was at that instant (a negative move_pages() status: the
	 * page under reclaim, migration or a THP collapse by another part of a
	 * busy machine).  Seen here: 4090 of 4096 once in many runs.  A few
	 * such pages are the kernel's truth, not a counting error.
	 */
	assert_true(sum <= (uint64_t)sampled && sum >= (uint64_t)sampled * 99 / 100);
	/* An unaligned start and odd length still count whole pages. */
	sampled = mem_placement_count(p + 100, 3 * ps, per_node, FB_PLACEMENT_MAX_NODES);
	assert_int_equal(sampled, 4);
	assert_int_equal(mem_placement_count(NULL, 0, per_node, FB_PLACEMENT_MAX_NODES), 0);
	munmap(p, n * ps);
}

/* Verdicts: right placement is ok, pages on the wrong node give a warning. */
static void verdict(void **state)
{
	struct topo *t = NULL;
	struct mem_policy mp;
	unsigned pus[2] = { 0, 0 };
	json_t *placement, *v;

	if (numa_available() < 0)
		skip();
	assert_int_equal(topo_load(&t, NULL), FB_OK);
	assert_int_equal(mem_policy_parse("node:0", &mp), FB_OK);
	placement = json_pack("[{s:i}, {s:i}]", "0", 100, "0", 97);
	v = mem_placement_verdict(&mp, t, pus, 2, placement);
	assert_non_null(v);
	assert_true(json_is_true(json_object_get(v, "ok")));
	assert_null(json_object_get(v, "warning"));
	json_decref(v);
	json_decref(placement);
	placement = json_pack("[{s:i}, {s:i, s:i}]", "0", 100, "0", 90, "1", 10);
	v = mem_placement_verdict(&mp, t, pus, 2, placement);
	assert_true(json_is_false(json_object_get(v, "ok")));
	assert_non_null(strstr(json_string_value(json_object_get(v, "warning")), "worker 1"));
	json_decref(v);
	json_decref(placement);
	/* Nothing measured: nothing to judge. */
	placement = json_pack("[{}, {}]");
	assert_null(mem_placement_verdict(&mp, t, pus, 2, placement));
	json_decref(placement);
	topo_free(t);
}

static void describe(void **state)
{
	json_t *d = numa_describe(), *dist;

	assert_non_null(d);
	if (numa_available() < 0) {
		assert_true(json_is_false(json_object_get(d, "available")));
		json_decref(d);
		return;
	}
	dist = json_object_get(d, "distances");
	assert_int_equal(json_array_size(json_object_get(d, "nodes")), json_array_size(dist));
	assert_true(json_array_size(dist) >= 1);
	/* A node's distance to itself is the local distance, 10 by ACPI convention. */
	assert_int_equal(json_integer_value(json_array_get(json_array_get(dist, 0), 0)), 10);
	assert_true(json_integer_value(json_object_get(
			json_array_get(json_object_get(d, "nodes"), 0), "mem_total")) > 0);
	json_decref(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(check_against_machine),
		cmocka_unit_test(query_touched_and_untouched),
		cmocka_unit_test(query_samples_large_ranges),
		cmocka_unit_test(verdict),
		cmocka_unit_test(describe),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
