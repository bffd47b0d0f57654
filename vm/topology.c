// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's shape: --numa NODESxCPUS (one package per node), --smt threads
 * per core, --mem split evenly across the nodes, and --host-nodes binding
 * each node's memory to a host node.  Pure but for the check that a host
 * node exists, which the caller may replace (unit tests, the fuzz target).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"

/* A NUMA node of this host: qemu would fail with an mbind error deep in its log. */
static bool sysfs_has_node(unsigned node)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%u", node);
	return !access(path, F_OK);
}

/* --host-nodes: one host node per guest node, or one for all. */
static int parse_host_nodes(const char *spec, struct vm_topology *t, bool (*has)(unsigned))
{
	const char *s = spec;
	unsigned n = 0, i;
	char *end;

	while (*s) {
		unsigned long v;

		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || end == s || (*end && *end != ',') || (*end == ',' && !end[1]) ||
		    n == t->nodes || v > 1023 || *s < '0' || *s > '9')
			return fb_usage(
			    "option '--host-nodes': '%s' is not a list of up to %u host "
			    "NUMA nodes (one per guest node, like 0,1)",
			    spec, t->nodes);
		if (!has((unsigned)v))
			return fb_usage("option '--host-nodes': this host has no NUMA node %lu", v);
		t->host_node[n++] = (unsigned)v;
		s = *end ? end + 1 : end;
	}
	if (n != 1 && n != t->nodes)
		return fb_usage(
		    "option '--host-nodes': '%s' names %u host nodes for %u guest nodes "
		    "(give one per guest node, or one for all)",
		    spec, n, t->nodes);
	for (i = n; i < t->nodes; i++)
		t->host_node[i] = t->host_node[0];
	t->bound = true;
	return FB_OK;
}

/* strtoul that takes digits only: no sign, no blanks (" 2x4" and "-1x4" are not topologies) */
static bool digits(const char *s)
{
	return *s >= '0' && *s <= '9';
}

int vm_topology_parse(const struct vm_opts *o, struct vm_topology *t,
		      bool (*host_has_node)(unsigned node))
{
	const char *s = o->numa;
	unsigned long n, c;
	char *end;

	*t = (struct vm_topology){ 0 };
	errno = 0;
	n = digits(s) ? strtoul(s, &end, 10) : 0;
	if (!n || errno || (*end != 'x' && *end != 'X') || n > VM_MAX_NODES)
		return fb_usage(
		    "option '--numa': '%s' is not NODESxCPUS with 1-64 nodes (like 4x16)", s);
	s = end + 1;
	c = digits(s) ? strtoul(s, &end, 10) : 0;
	if (!c || errno || *end || c > VM_MAX_VCPUS)
		return fb_usage("option '--numa': '%s' is not NODESxCPUS (like 4x16)", o->numa);
	if (n * c > VM_MAX_VCPUS)
		return fb_usage(
		    "option '--numa': '%s' is %lu vCPUs; qemu's pc machine takes at most %d",
		    o->numa, n * c, VM_MAX_VCPUS);
	if (o->smt < 1 || c % (unsigned long)o->smt)
		return fb_usage(
		    "option '--smt': %lld threads per core do not divide %lu CPUs per node", o->smt,
		    c);
	t->nodes = (unsigned)n;
	t->cpus_per_node = (unsigned)c;
	t->vcpus = (unsigned)(n * c);
	t->smt = (unsigned)o->smt;
	t->node_mem_mib = o->mem / VM_MiB / n;
	if (o->host_nodes &&
	    parse_host_nodes(o->host_nodes, t, host_has_node ? host_has_node : sysfs_has_node))
		return FB_USAGE;
	if (t->node_mem_mib < 128)
		return fb_usage(
		    "option '--mem': %llu MiB per node is too little; give at least 128 MiB a node",
		    t->node_mem_mib);
	return FB_OK;
}

unsigned vm_guest_nodes(const struct vm_opts *o)
{
	unsigned long n = strtoul(o->numa, NULL, 10);

	return n <= VM_MAX_NODES ? (unsigned)n : 0;
}
