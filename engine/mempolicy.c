// SPDX-License-Identifier: GPL-2.0
/*
 * NUMA memory placement (--mem) and its verification.
 *
 * The policy is set with set_mempolicy(2) in each worker after it was pinned
 * and before it touches memory: a task's policy applies to the pages it faults
 * in later, so this is the one point where the placement of the measured
 * memory is decided.  In thread mode the policy is per thread, which is what
 * we want: each worker gets its own.
 *
 * Then we check rather than trust: move_pages(2) with a NULL node list only
 * reports the node of each page (query mode), so after worker_init the
 * runner samples the worker's pages and records a per-node histogram.  A bind
 * can be silently weakened (cpuset mems, a full node for preferred:N, THP
 * fallbacks), and a result that claims "node:1" while half its pages sat on
 * node 0 is worse than no result.
 */
#include <errno.h>
#include <numa.h>
#include <numaif.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mempolicy.h"
#include "step.h"
#include "util.h"

/* Above this many pages, query an even sample: move_pages costs a walk per page. */
#define PLACEMENT_SAMPLE_MAX 4096
/* "Differs from the request by more than 5%". */
#define PLACEMENT_TOLERANCE 0.05

static const char *const kind_names[] = {
	[MEM_LOCAL] = "local",	 [MEM_NODE] = "node",		[MEM_INTERLEAVE] = "interleave",
	[MEM_REMOTE] = "remote", [MEM_PREFERRED] = "preferred",
};

static int bad_spec(const char *spec, const char *why)
{
	return fb_usage("option '--mem': '%s' %s (local, node:N, interleave, remote, preferred:N)",
			spec, why);
}

static bool parse_node(const char *s, int *node)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 0 || v > 4095)
		return false;
	*node = (int)v;
	return true;
}

int mem_policy_parse(const char *spec, struct mem_policy *mp)
{
	const char *colon;
	size_t len;

	mp->kind = MEM_LOCAL;
	mp->node = -1;
	if (!spec || !*spec || !strcmp(spec, "local"))
		return FB_OK;
	if (!strcmp(spec, "interleave")) {
		mp->kind = MEM_INTERLEAVE;
		return FB_OK;
	}
	if (!strcmp(spec, "remote")) {
		mp->kind = MEM_REMOTE;
		return FB_OK;
	}
	colon = strchr(spec, ':');
	if (!colon)
		return bad_spec(spec, "is not a memory policy");
	len = (size_t)(colon - spec);
	if (len == 4 && !strncmp(spec, "node", 4))
		mp->kind = MEM_NODE;
	else if (len == 9 && !strncmp(spec, "preferred", 9))
		mp->kind = MEM_PREFERRED;
	else
		return bad_spec(spec, "is not a memory policy");
	if (!parse_node(colon + 1, &mp->node))
		return bad_spec(spec, "does not name a node number");
	return FB_OK;
}

const char *mem_policy_name(const struct mem_policy *mp, char *buf, size_t len)
{
	if (mp->kind == MEM_NODE || mp->kind == MEM_PREFERRED)
		snprintf(buf, len, "%s:%d", kind_names[mp->kind], mp->node);
	else
		snprintf(buf, len, "%s", kind_names[mp->kind]);
	return buf;
}

/* Nodes that have memory and that this task may allocate from. */
static struct bitmask *usable_nodes(void)
{
	struct bitmask *allowed = numa_get_mems_allowed();
	int n;

	for (n = 0; n <= numa_max_node(); n++) {
		long long size = numa_bitmask_isbitset(allowed, n) ? numa_node_size64(n, NULL) : 0;

		if (size <= 0)
			numa_bitmask_clearbit(allowed, n);
	}
	return allowed;
}

static unsigned count_usable_nodes(void)
{
	struct bitmask *b = usable_nodes();
	unsigned n = numa_bitmask_weight(b);

	numa_bitmask_free(b);
	return n;
}

int mem_policy_check(const struct mem_policy *mp, const struct topo *t)
{
	char name[32];
	unsigned nodes;
	bool usable;

	if (mp->kind == MEM_LOCAL)
		return FB_OK;
	mem_policy_name(mp, name, sizeof(name));
	if (!topo_is_this_machine(t)) {
		/* Planning for another machine: only the node count can be checked. */
		nodes = topo_nnodes(t);
		if ((mp->kind == MEM_NODE || mp->kind == MEM_PREFERRED) &&
		    (unsigned)mp->node >= nodes)
			return fb_skip("--mem %s: the topology has %u NUMA node%s", name, nodes,
				       nodes == 1 ? "" : "s");
		return FB_OK;
	}
	if (numa_available() < 0)
		return fb_skip("--mem %s: this kernel has no NUMA support", name);
	nodes = count_usable_nodes();
	switch (mp->kind) {
	case MEM_NODE:
	case MEM_PREFERRED: {
		struct bitmask *b = usable_nodes();

		usable = mp->node <= numa_max_node() && numa_bitmask_isbitset(b, mp->node);
		numa_bitmask_free(b);
		if (!usable)
			return fb_skip("--mem %s: node %d has no memory usable here (this machine "
				       "has %u NUMA node%s with memory)",
				       name, mp->node, nodes, nodes == 1 ? "" : "s");
		return FB_OK;
	}
	case MEM_INTERLEAVE:
	case MEM_REMOTE:
		if (nodes < 2)
			return fb_skip(
			    "--mem %s needs at least 2 NUMA nodes with memory; this machine has %u",
			    name, nodes);
		return FB_OK;
	case MEM_LOCAL:
		break;
	}
	return FB_OK;
}

static int set_policy_nodes(int mode, struct bitmask *nodes)
{
	/* maxnode is the number of bits plus one, a historical quirk of the syscall. */
	if (set_mempolicy(mode, nodes ? nodes->maskp : NULL, nodes ? nodes->size + 1 : 0) < 0)
		return -errno;
	return 0;
}

static int set_policy_node(int mode, int node)
{
	struct bitmask *b = numa_allocate_nodemask();
	int ret;

	numa_bitmask_setbit(b, (unsigned)node);
	ret = set_policy_nodes(mode, b);
	numa_bitmask_free(b);
	return ret;
}

static int set_interleave_all(void)
{
	struct bitmask *b = usable_nodes();
	int ret = set_policy_nodes(MPOL_INTERLEAVE, b);

	numa_bitmask_free(b);
	return ret;
}

/*
 * The node farthest from node "from" by the distance table.  Ties (qemu and
 * many 2-socket machines have one remote distance) go to the first node after
 * "from" in circular order, so the workers of different nodes spread their
 * memory over several remote nodes instead of all picking the lowest.
 */
int mem_farthest_node(int from)
{
	struct bitmask *b = usable_nodes();
	int max = numa_max_node(), best = -1, best_dist = -1, i;

	for (i = 1; i <= max + 1; i++) {
		int n = (from + i) % (max + 1), d;

		if (!numa_bitmask_isbitset(b, n))
			continue;
		d = from >= 0 ? numa_distance(from, n) : 0;
		if (n == from)
			d = -1;
		if (d > best_dist) {
			best_dist = d;
			best = n;
		}
	}
	numa_bitmask_free(b);
	return best;
}

int mem_policy_apply_setup(const struct mem_policy *mp, const struct topo *t)
{
	switch (mp->kind) {
	case MEM_NODE:
		return set_policy_node(MPOL_BIND, mp->node);
	case MEM_PREFERRED:
		return set_policy_node(MPOL_PREFERRED, mp->node);
	case MEM_INTERLEAVE:
		return set_interleave_all();
	case MEM_LOCAL:
	case MEM_REMOTE:
		break;
	}
	return 0;
}

void mem_policy_reset(void)
{
	set_mempolicy(MPOL_DEFAULT, NULL, 0);
}

/* The node a worker on pu should have its pages on, or -1 for "all nodes evenly". */
static int expected_node(const struct mem_policy *mp, const struct topo *t, unsigned pu)
{
	switch (mp->kind) {
	case MEM_LOCAL:
		return topo_node_of_pu(t, pu);
	case MEM_NODE:
	case MEM_PREFERRED:
		return mp->node;
	case MEM_REMOTE:
		return mem_farthest_node(topo_node_of_pu(t, pu));
	case MEM_INTERLEAVE:
		break;
	}
	return -1;
}

int mem_policy_apply(const struct mem_policy *mp, const struct topo *t, unsigned pu)
{
	int node;

	switch (mp->kind) {
	case MEM_LOCAL:
		/* Default policy: first touch from the pinned CPU places pages locally. */
		return set_policy_nodes(MPOL_DEFAULT, NULL);
	case MEM_REMOTE:
		node = expected_node(mp, t, pu);
		if (node < 0)
			return -ENODEV;
		return set_policy_node(MPOL_BIND, node);
	case MEM_NODE:
	case MEM_PREFERRED:
	case MEM_INTERLEAVE:
		/* the same policy for every worker as for setup */
		return mem_policy_apply_setup(mp, t);
	}
	return -EINVAL;
}

int mem_placement_count(const void *addr, size_t len, uint64_t *per_node, unsigned max_nodes)
{
	uintptr_t ps = (uintptr_t)page_size();
	uintptr_t start = (uintptr_t)addr & ~(ps - 1);
	size_t npages, n, i;
	void **pages;
	int *status;

	memset(per_node, 0, max_nodes * sizeof(*per_node));
	if (!addr || !len)
		return 0;
	npages = ((uintptr_t)addr + len - start + ps - 1) / ps;
	n = npages < PLACEMENT_SAMPLE_MAX ? npages : PLACEMENT_SAMPLE_MAX;
	pages = xcalloc(n, sizeof(*pages));
	status = xcalloc(n, sizeof(*status));
	/* An even sample over the whole range: stripes of a huge buffer all count. */
	for (i = 0; i < n; i++)
		pages[i] = (void *)(start + (uintptr_t)((double)i * npages / n) * ps);
	if (move_pages(0, n, pages, NULL, status, 0) < 0) {
		int err = -errno;

		free(pages);
		free(status);
		return err;
	}
	/* Negative status: not present (-ENOENT) or not migratable; not placed anywhere. */
	for (i = 0; i < n; i++)
		if (status[i] >= 0 && (unsigned)status[i] < max_nodes)
			per_node[status[i]]++;
	free(pages);
	free(status);
	return (int)n;
}

json_t *mem_placement_json(const uint64_t *per_node, unsigned max_nodes)
{
	json_t *h = json_object();
	char key[16];
	unsigned i;

	for (i = 0; i < max_nodes; i++) {
		if (!per_node[i])
			continue;
		snprintf(key, sizeof(key), "%u", i);
		json_object_set_new(h, key, json_integer((json_int_t)per_node[i]));
	}
	return h;
}

json_t *mem_placement_query(const void *addr, size_t len)
{
	uint64_t per_node[FB_PLACEMENT_MAX_NODES];
	int n = mem_placement_count(addr, len, per_node, FB_PLACEMENT_MAX_NODES);

	if (n < 0)
		return NULL;
	return mem_placement_json(per_node, FB_PLACEMENT_MAX_NODES);
}

/* Sum of a histogram, and the count on one node. */
static double hist_total(const json_t *h)
{
	const char *k;
	json_t *v;
	double sum = 0;

	json_object_foreach ((json_t *)h, k, v)
		sum += (double)json_integer_value(v);
	return sum;
}

static double hist_node(const json_t *h, int node)
{
	char key[16];

	snprintf(key, sizeof(key), "%d", node);
	return (double)json_integer_value(json_object_get(h, key));
}

/*
 * How far one worker's histogram is from the request: the fraction of its
 * pages off the expected node, or for interleave the largest distance of a
 * node's share from an even split.  Negative when there is nothing to judge.
 */
static double placement_error(const struct mem_policy *mp, const struct topo *t, unsigned pu,
			      const json_t *h)
{
	double total = hist_total(h), worst = 0;
	int node = expected_node(mp, t, pu);
	unsigned nodes, i;
	struct bitmask *b;

	if (total <= 0)
		return -1;
	if (mp->kind != MEM_INTERLEAVE)
		return node < 0 ? -1 : 1.0 - hist_node(h, node) / total;
	b = usable_nodes();
	nodes = numa_bitmask_weight(b);
	for (i = 0; nodes && i < b->size; i++) {
		double share;

		if (!numa_bitmask_isbitset(b, i))
			continue;
		share = hist_node(h, (int)i) / total;
		if (share - 1.0 / nodes > worst)
			worst = share - 1.0 / nodes;
		if (1.0 / nodes - share > worst)
			worst = 1.0 / nodes - share;
	}
	numa_bitmask_free(b);
	return worst;
}

static const json_t *worker_hist(const json_t *placement, unsigned w)
{
	char key[16];

	if (json_is_array(placement))
		return json_array_get(placement, w);
	snprintf(key, sizeof(key), "%u", w);
	return json_object_get(placement, key);
}

json_t *mem_placement_verdict(const struct mem_policy *mp, const struct topo *t,
			      const unsigned *pus, unsigned nworkers, const json_t *placement)
{
	double worst = -1;
	unsigned w, worst_w = 0, judged = 0;
	char name[32], msg[200];
	json_t *v;

	if (!placement || !topo_is_this_machine(t) || numa_available() < 0)
		return NULL;
	for (w = 0; w < nworkers; w++) {
		const json_t *h = worker_hist(placement, w);
		double e = h ? placement_error(mp, t, pus[w], h) : -1;

		if (e < 0)
			continue;
		judged++;
		if (e > worst) {
			worst = e;
			worst_w = w;
		}
	}
	if (!judged)
		return NULL;
	v = json_object();
	json_object_set_new(v, "policy", json_string(mem_policy_name(mp, name, sizeof(name))));
	json_object_set_new(v, "workers_checked", json_integer(judged));
	json_object_set_new(v, "worst_deviation", json_real(worst));
	json_object_set_new(v, "ok", json_boolean(worst <= PLACEMENT_TOLERANCE));
	if (worst > PLACEMENT_TOLERANCE) {
		snprintf(msg, sizeof(msg),
			 "--mem %s: worker %u (PU %u) has %.0f%% of its pages off the requested "
			 "placement",
			 name, worst_w, pus[worst_w], worst * 100);
		json_object_set_new(v, "warning", json_string(msg));
	}
	return v;
}

/* The name of the primary counter's rate ("pages/s"): the first "/s" metric that is not faults/s.
 */
static const char *primary_rate_name(const struct step_result *r)
{
	unsigned i;

	for (i = 0; i < r->nmetrics; i++) {
		const char *n = r->metrics[i].name;
		size_t len = strlen(n);

		if (len > 2 && !strcmp(n + len - 2, "/s") && !strchr(n, '@') &&
		    strcmp(n, "faults/s") && strncmp(n, "faults", 6))
			return n;
	}
	return "ops/s";
}

static void add_node_metric(struct step_result *r, const char *name, int node, const bool *on_node,
			    bool faults)
{
	char full[sizeof(((struct metric *)0)->name)];
	double total = 0, time = 0;
	struct metric *m;
	unsigned s, w;

	snprintf(full, sizeof(full), "%.32s@node%u", name, (unsigned)node % 100000u);
	m = step_add_metric(r, full, true);
	for (s = 0; s < r->nsamples; s++) {
		const struct sample *sa = &r->samples[s];
		double sum = 0;

		for (w = 0; w < r->ncpus; w++) {
			if (!on_node[w])
				continue;
			if (faults)
				sum += (double)(sa->minflt[w] + sa->majflt[w]);
			else
				sum += (double)sa->count[w][0];
		}
		if (m->v && s < m->n)
			m->v[s] = sa->t > 0 ? sum / sa->t : 0;
		total += sum;
		time += sa->t;
	}
	m->value = time > 0 ? total / time : 0;
}

void mem_derive_per_node(struct step_result *r, const struct mem_policy *mp, const struct topo *t)
{
	unsigned w, nused = 0, nodes_max = 0;
	bool *on_node;
	int *node_of;
	json_t *verdict;
	int n;

	if (!r->ncpus || !r->pus)
		return;
	/* one mapping shared by every worker cannot be local to each of them */
	if (mp->kind == MEM_LOCAL && json_is_true(json_object_get(r->extra, "placement_shared")))
		verdict = NULL;
	else
		verdict =
		    mem_placement_verdict(mp, t, r->pus, r->ncpus,
					  r->extra ? json_object_get(r->extra, "placement") : NULL);
	if (verdict) {
		const char *warn = json_string_value(json_object_get(verdict, "warning"));

		if (warn)
			fb_warn("%s", warn);
		json_object_set_new(r->extra, "placement_check", verdict);
	}
	if (!r->samples || !r->nsamples || !r->samples[0].minflt)
		return;
	node_of = xcalloc(r->ncpus, sizeof(*node_of));
	for (w = 0; w < r->ncpus; w++) {
		node_of[w] = topo_node_of_pu(t, r->pus[w]);
		if (node_of[w] >= 0 && (unsigned)node_of[w] + 1 > nodes_max)
			nodes_max = (unsigned)node_of[w] + 1;
	}
	on_node = xcalloc(r->ncpus, sizeof(*on_node));
	/* Only a step spread over several nodes has anything to show per node. */
	for (n = 0; n < (int)nodes_max; n++) {
		for (w = 0; w < r->ncpus && node_of[w] != n; w++)
			;
		nused += w < r->ncpus;
	}
	for (n = 0; nused > 1 && n < (int)nodes_max; n++) {
		bool any = false;

		for (w = 0; w < r->ncpus; w++) {
			on_node[w] = node_of[w] == n;
			any |= on_node[w];
		}
		if (!any)
			continue;
		add_node_metric(r, primary_rate_name(r), n, on_node, false);
		add_node_metric(r, "faults/s", n, on_node, true);
	}
	free(on_node);
	free(node_of);
}

json_t *numa_describe(void)
{
	json_t *d = json_object(), *nodes, *dist;
	int max, i, j;

	if (numa_available() < 0) {
		json_object_set_new(d, "available", json_false());
		return d;
	}
	json_object_set_new(d, "available", json_true());
	max = numa_max_node();
	nodes = json_array();
	dist = json_array();
	for (i = 0; i <= max; i++) {
		long long free_bytes = 0, size = numa_node_size64(i, &free_bytes);
		json_t *row = json_array(), *node;

		if (size < 0)
			continue; /* a hole in the node numbering */
		node = json_object();
		json_object_set_new(node, "node", json_integer(i));
		json_object_set_new(node, "mem_total", json_integer(size));
		json_object_set_new(node, "mem_free", json_integer(free_bytes));
		json_array_append_new(nodes, node);
		for (j = 0; j <= max; j++)
			if (numa_node_size64(j, NULL) >= 0)
				json_array_append_new(row, json_integer(numa_distance(i, j)));
		json_array_append_new(dist, row);
	}
	json_object_set_new(d, "nodes", nodes);
	json_object_set_new(d, "distances", dist);
	return d;
}
