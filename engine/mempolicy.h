/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA memory placement of the workers' memory (--mem), applied with libnuma
 * in each worker after pinning, and verified after setup with move_pages()
 * in query mode.
 */
#ifndef FB_MEMPOLICY_H
#define FB_MEMPOLICY_H

#include <stddef.h>
#include <jansson.h>

#include "topo.h"

enum mem_kind { MEM_LOCAL, MEM_NODE, MEM_INTERLEAVE, MEM_REMOTE, MEM_PREFERRED };

struct mem_policy {
	enum mem_kind kind;
	int node; /* for MEM_NODE and MEM_PREFERRED */
};

/* Parse --mem; FB_OK or FB_USAGE naming "--mem". NULL or "" means local. */
int mem_policy_parse(const char *spec, struct mem_policy *mp);
/* FB_OK, or FB_SKIP when the machine cannot honour it (node missing, no NUMA). */
int mem_policy_check(const struct mem_policy *mp, const struct topo *t);
/*
 * Around bench->setup() in the parent: page cache is placed by whoever first
 * reads a file, so setup must populate it under the requested policy (node:N,
 * interleave, preferred:N; no-op for local/remote).  0 or -errno.
 */
int mem_policy_apply_setup(const struct mem_policy *mp, const struct topo *t);
void mem_policy_reset(void);
/* In a worker after pinning to pu, before it allocates. 0 or -errno. */
int mem_policy_apply(const struct mem_policy *mp, const struct topo *t, unsigned pu);
/* Per-node histogram of the pages of [addr, addr+len): {"0": n, "1": m, ...}. */
json_t *mem_placement_query(const void *addr, size_t len);

struct step_result;
/*
 * Per-node figures of a step (faults/s of the workers on each node) into r,
 * and the placement verdict against mp, the run's policy.
 */
void mem_derive_per_node(struct step_result *r, const struct mem_policy *mp, const struct topo *t);

/* ---- additions (issue 6); the declarations above are the runner's contract ---- */
#include <stdint.h>

/* Histograms cover nodes 0 .. FB_PLACEMENT_MAX_NODES - 1. */
#define FB_PLACEMENT_MAX_NODES 64

/* "node:1", "interleave", ... into buf. */
const char *mem_policy_name(const struct mem_policy *mp, char *buf, size_t len);
/* The usable node farthest from node "from" by the distance table, or -1. */
int mem_farthest_node(int from);
/*
 * The same query as mem_placement_query() into a plain array (for a worker
 * process that must hand it to its parent through shared memory): pages
 * sampled, or -errno.  Pages not present are in no bucket.
 */
int mem_placement_count(const void *addr, size_t len, uint64_t *per_node, unsigned max_nodes);
json_t *mem_placement_json(const uint64_t *per_node, unsigned max_nodes);
/*
 * Compare the workers' histograms (an array indexed by worker, or an object
 * keyed "0", "1", ...) with what mp asks for: {policy, workers_checked,
 * worst_deviation, ok, warning?}, or NULL when there is nothing to judge.
 * mem_derive_per_node() calls it on extra "placement" with the run's
 * policy, stores it as extra "placement_check" and
 * fb_warn()s when a worker is more than 5% off.
 */
json_t *mem_placement_verdict(const struct mem_policy *mp, const struct topo *t,
			      const unsigned *pus, unsigned nworkers, const json_t *placement);
/*
 * The machine's NUMA layout for the result's system metadata:
 * {available, nodes: [{node, mem_total, mem_free}], distances: [[...]]}.
 */
json_t *numa_describe(void);

#endif
