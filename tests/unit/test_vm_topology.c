// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for vm/topology.c: the guest's shape from --numa, --smt, --mem
 * and --host-nodes, and the git-style usage errors (exit 2) for each way
 * they can be wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util.h"
#include "vm.h"

#define GiB (1024ULL * VM_MiB)

/* A host with nodes 0-3. */
static bool four_nodes(unsigned node)
{
	return node < 4;
}

static struct vm_opts opts(const char *numa, long long smt, unsigned long long mem,
			   const char *host_nodes)
{
	struct vm_opts o;

	opt_set_defaults(vm_options, &o);
	o.numa = numa;
	o.smt = smt;
	o.mem = mem;
	o.host_nodes = host_nodes;
	return o;
}

/* The status of parsing, and the message in *msg (fb_last_error()). */
static int parse(const char *numa, long long smt, unsigned long long mem, const char *hn,
		 struct vm_topology *t)
{
	struct vm_opts o = opts(numa, smt, mem, hn);

	return vm_topology_parse(&o, t, four_nodes);
}

static void shapes(void **state)
{
	struct vm_topology t;

	(void)state;
	assert_int_equal(parse("2x4", 1, 4 * GiB, NULL, &t), FB_OK);
	assert_int_equal(t.nodes, 2);
	assert_int_equal(t.cpus_per_node, 4);
	assert_int_equal(t.vcpus, 8);
	assert_int_equal(t.smt, 1);
	assert_int_equal(t.node_mem_mib, 2048);
	assert_false(t.bound);
	assert_int_equal(parse("4X16", 2, 4 * GiB, NULL, &t), FB_OK);
	assert_int_equal(t.vcpus, 64);
	assert_int_equal(t.smt, 2);
	assert_int_equal(t.node_mem_mib, 1024);
	assert_int_equal(parse("1x1", 1, 256 * VM_MiB, NULL, &t), FB_OK);
	assert_int_equal(t.vcpus, 1);
	/* the largest qemu's pc machine takes */
	assert_int_equal(parse("1x255", 1, 4 * GiB, NULL, &t), FB_OK);
	assert_int_equal(parse("15x17", 1, 4 * GiB, NULL, &t), FB_OK);
	assert_int_equal(vm_guest_nodes(&(struct vm_opts){ .numa = "4x16" }), 4);
	assert_int_equal(vm_guest_nodes(&(struct vm_opts){ .numa = "65x1" }), 0);
}

static void host_nodes(void **state)
{
	struct vm_topology t;

	(void)state;
	assert_int_equal(parse("2x4", 1, 4 * GiB, "1,3", &t), FB_OK);
	assert_true(t.bound);
	assert_int_equal(t.host_node[0], 1);
	assert_int_equal(t.host_node[1], 3);
	/* one for all */
	assert_int_equal(parse("4x2", 1, 4 * GiB, "2", &t), FB_OK);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(t.host_node[i], 2);
	assert_int_equal(parse("2x4", 1, 4 * GiB, "0,0,0", &t), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "option '--host-nodes': '0,0,0' is not a list"));
	assert_int_equal(parse("4x2", 1, 4 * GiB, "0,1", &t), FB_USAGE);
	assert_non_null(strstr(fb_last_error(), "names 2 host nodes for 4 guest nodes"));
	assert_int_equal(parse("2x4", 1, 4 * GiB, "9", &t), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--host-nodes': this host has no NUMA node 9");
	const char *bad[] = { "0,x", "", ",", "0,", "-1", " 1", "+1", "1024", "0,,1" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		if (*bad[i])
			assert_int_equal(parse("2x4", 1, 4 * GiB, bad[i], &t), FB_USAGE);
}

static void refused(void **state)
{
	struct vm_topology t;
	static const char *const bad[] = {
		"4y16", "x4",	"4x",	"0x4", "4x0",  "65x1", "2x4x",
		"-1x4", " 2x4", "2x-4", "",    "2x4 ", "2x1k", "99999999999999999999x1",
		"1x256"
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse(bad[i], 1, 4 * GiB, NULL, &t), FB_USAGE);
		assert_non_null(strstr(fb_last_error(), "option '--numa': '"));
	}
	assert_int_equal(parse("16x16", 1, 4 * GiB, NULL, &t), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--numa': '16x16' is 256 vCPUs; qemu's pc "
					     "machine takes at most 255");
	assert_int_equal(parse("2x4", 3, 4 * GiB, NULL, &t), FB_USAGE);
	assert_string_equal(fb_last_error(),
			    "option '--smt': 3 threads per core do not divide 4 CPUs per node");
	/* 4 nodes of 1 GiB: 64 MiB each is too little */
	assert_int_equal(parse("16x1", 1, 1 * GiB, NULL, &t), FB_USAGE);
	assert_string_equal(fb_last_error(), "option '--mem': 64 MiB per node is too little; give "
					     "at least 128 MiB a node");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(shapes),
		cmocka_unit_test(host_nodes),
		cmocka_unit_test(refused),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
