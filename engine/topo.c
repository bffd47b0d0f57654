// SPDX-License-Identifier: GPL-2.0
/*
 * Machine topology through hwloc, and the CPU plan of a sweep: which PU each
 * worker of each step is pinned to.
 *
 * Everything is sized at run time (hwloc bitmaps, malloc'd arrays): the
 * machines this runs on go past 1024 PUs, where a cpu_set_t silently drops
 * CPUs.  PUs are identified by their OS index, the number sched_setaffinity()
 * and /sys use; hwloc's logical order is only used to walk the machine in
 * its physical order (package, node, core).
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hwloc.h>
#include <hwloc/export.h>

#include "topo.h"
#include "util.h"

/* What we need to know of one PU to place workers; kept in hwloc logical order. */
struct pu_info {
	unsigned os;	  /* OS index: what workers are pinned to */
	unsigned core;	  /* dense core index; a PU without a core is its own */
	unsigned smt;	  /* rank among its core's PUs: 0 first, 1 the sibling ... */
	unsigned group;	  /* dense index of its CPU node, in physical order */
	unsigned package; /* dense package index; 0 when hwloc has no packages */
	int llc;	  /* logical index of its last-level cache, -1 if none */
};

struct topo {
	hwloc_topology_t h;
	bool this_machine;
	const char *kind; /* "this machine", "synthetic" or "xml" */
	char *source;
	unsigned npus, ncores, nnodes, npackages, nllcs, smt;
	hwloc_obj_type_t llc_type;
	unsigned *by_os;    /* indexes of pu[] in the order of their OS indexes */
	struct pu_info *pu; /* npus entries */
	unsigned ngroups;   /* NUMA nodes that hold PUs */
	int *group_node;    /* OS index of each group's node, -1 if none */
	unsigned *group_package;
	char *summary;
	char *description;
};

/*
 * The node a PU is local to: the smallest NUMA node whose cpuset holds it.
 * Memory-only nodes (HBM, CXL) are attached higher up and get a larger
 * cpuset, so the smallest one is the PU's ordinary DRAM node.
 */
static hwloc_obj_t local_node(hwloc_topology_t h, hwloc_obj_t pu)
{
	hwloc_obj_t node = NULL, best = NULL;
	int best_weight = INT_MAX;

	while ((node = hwloc_get_next_obj_by_type(h, HWLOC_OBJ_NUMANODE, node))) {
		int w;

		if (!node->cpuset || !hwloc_bitmap_isset(node->cpuset, pu->os_index))
			continue;
		w = hwloc_bitmap_weight(node->cpuset);
		if (w >= 0 && w < best_weight) {
			best = node;
			best_weight = w;
		}
	}
	return best;
}

static unsigned group_of(struct topo *t, int node_os, unsigned package)
{
	unsigned g;

	for (g = 0; g < t->ngroups; g++)
		if (t->group_node[g] == node_os)
			return g;
	t->group_node = xrealloc(t->group_node, (t->ngroups + 1) * sizeof(*t->group_node));
	t->group_package = xrealloc(t->group_package, (t->ngroups + 1) * sizeof(*t->group_package));
	t->group_node[t->ngroups] = node_os;
	t->group_package[t->ngroups] = package;
	return t->ngroups++;
}

static void describe_pu(struct topo *t, hwloc_obj_t obj, struct pu_info *p)
{
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t->h, HWLOC_OBJ_CORE, obj);
	hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t->h, HWLOC_OBJ_PACKAGE, obj);
	hwloc_obj_t node = local_node(t->h, obj);
	hwloc_obj_t llc = NULL;

	p->os = obj->os_index;
	p->package = pkg ? pkg->logical_index : 0;
	if (core) {
		/* the core's first PU by its first children: a search of every PU inside
		 * its cpuset made the scan quadratic (8192 PUs took a minute) */
		hwloc_obj_t first = core;

		while (first->first_child)
			first = first->first_child;
		if (first->type != HWLOC_OBJ_PU)
			first = NULL;
		p->core = core->logical_index;
		p->smt = first ? obj->logical_index - first->logical_index : 0;
	} else {
		p->core = obj->logical_index;
		p->smt = 0;
	}
	if (t->nllcs)
		llc = hwloc_get_ancestor_obj_by_type(t->h, t->llc_type, obj);
	p->llc = llc ? (int)llc->logical_index : -1;
	p->group = group_of(t, node ? (int)node->os_index : -1, p->package);
	if (p->smt + 1 > t->smt)
		t->smt = p->smt + 1;
}

static unsigned count_type(hwloc_topology_t h, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(h, type);

	return n > 0 ? (unsigned)n : 0;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void describe_machine(struct topo *t)
{
	char buf[4096];
	unsigned long flags = HWLOC_TOPOLOGY_EXPORT_SYNTHETIC_FLAG_NO_ATTRS;

	t->summary = xasprintf(
	    "%u %s, %u %s, %u %s, %u %s", t->npackages, plural(t->npackages, "package", "packages"),
	    t->nnodes, plural(t->nnodes, "node", "nodes"), t->ncores,
	    plural(t->ncores, "core", "cores"), t->npus, plural(t->npus, "PU", "PUs"));
	/* A synthetic string reproduces the shape with --topology; asymmetric machines have none.
	 */
	if (hwloc_topology_export_synthetic(t->h, buf, sizeof(buf), flags) > 0)
		t->description = xstrdup(buf);
	else
		t->description = xstrdup(t->summary);
}

static const struct pu_info *sort_pus;

static int cmp_pu_os(const void *a, const void *b)
{
	unsigned x = sort_pus[*(const unsigned *)a].os, y = sort_pus[*(const unsigned *)b].os;

	return x < y ? -1 : x > y;
}

static void index_by_os(struct topo *t)
{
	t->by_os = xcalloc(t->npus ? t->npus : 1, sizeof(*t->by_os));
	for (unsigned i = 0; i < t->npus; i++)
		t->by_os[i] = i;
	sort_pus = t->pu;
	qsort(t->by_os, t->npus, sizeof(*t->by_os), cmp_pu_os);
}

static int scan(struct topo *t)
{
	hwloc_obj_t obj = NULL;
	unsigned i = 0;

	t->npus = count_type(t->h, HWLOC_OBJ_PU);
	if (!t->npus)
		return FB_USAGE;
	t->ncores = count_type(t->h, HWLOC_OBJ_CORE);
	if (!t->ncores)
		t->ncores = t->npus;
	t->nnodes = count_type(t->h, HWLOC_OBJ_NUMANODE);
	if (!t->nnodes)
		t->nnodes = 1;
	t->npackages = count_type(t->h, HWLOC_OBJ_PACKAGE);
	if (!t->npackages)
		t->npackages = 1;
	/* The LLC is where workers start sharing a cache: L3, or L2 where there is no L3. */
	t->llc_type = HWLOC_OBJ_L3CACHE;
	t->nllcs = count_type(t->h, HWLOC_OBJ_L3CACHE);
	if (!t->nllcs) {
		t->llc_type = HWLOC_OBJ_L2CACHE;
		t->nllcs = count_type(t->h, HWLOC_OBJ_L2CACHE);
	}
	t->pu = xcalloc(t->npus, sizeof(*t->pu));
	while ((obj = hwloc_get_next_obj_by_type(t->h, HWLOC_OBJ_PU, obj)) && i < t->npus)
		describe_pu(t, obj, &t->pu[i++]);
	t->npus = i;
	index_by_os(t);
	describe_machine(t);
	return FB_OK;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/*
 * The PUs a synthetic description asks for: the product of every count in it
 * ("pack:4 numa:2 core:16 pu:2" -> 256), saturating at TOPO_MAX_PUS + 1.
 * Counts are the digit runs outside parentheses (attributes) that do not end
 * a type name ("l3"); hwloc also takes "core: 4" and "4pu:2", so the text is
 * scanned rather than split into words.  hwloc's own load, and the plans,
 * take time that grows much faster than the PU count: 131072 PUs never end.
 */
unsigned long topo_synthetic_pus(const char *spec)
{
	unsigned long total = 1;
	unsigned depth = 0;
	const char *s = spec;

	while (*s) {
		unsigned long n = 0;
		bool in_name = s > spec && isalpha((unsigned char)s[-1]);

		if (*s == '(' || *s == ')') {
			depth += *s == '(' ? 1 : depth ? -1u : 0;
			s++;
			continue;
		}
		if (!isdigit((unsigned char)*s)) {
			s++;
			continue;
		}
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && isxdigit((unsigned char)s[2])) {
			/* hwloc reads counts with strtoul(.., 0): "0x861620" is 8.8 million
			 * (found by make fuzz); octal "017" is less than 17, so decimal is safe */
			for (s += 2; isxdigit((unsigned char)*s); s++)
				n = n > TOPO_MAX_PUS
					? n
					: n * 16 +
					      (unsigned long)(isdigit((unsigned char)*s)
								  ? *s - '0'
								  : (tolower((unsigned char)*s) -
								     'a' + 10));
		} else {
			for (; isdigit((unsigned char)*s); s++)
				n = n > TOPO_MAX_PUS ? n : n * 10 + (unsigned long)(*s - '0');
		}
		if (depth || in_name || !n)
			continue;
		total = n > TOPO_MAX_PUS ? TOPO_MAX_PUS + 1 : total * n;
		if (total > TOPO_MAX_PUS)
			return TOPO_MAX_PUS + 1;
	}
	return total;
}

static bool parens_balanced(const char *spec)
{
	int depth = 0;

	for (const char *s = spec; *s; s++) {
		depth += *s == '(' ? 1 : *s == ')' ? -1 : 0;
		if (depth < 0 || depth > 1) /* hwloc's attributes do not nest */
			return false;
	}
	return depth == 0;
}

/*
 * hwloc inserts each object of a synthetic description by comparing its
 * cpuset with every sibling on its way down from the root, so its load costs
 * about (objects) x (widths of the levels above) x (bitmap words): a flat
 * "pack:1 core:8192 pu:1" took a minute, "pack:64 core:128 pu:1" 0.9 s,
 * "pack:32 numa:4 core:32 pu:2" 0.1 s (2-vCPU EPYC VM, hwloc 2.9).  The
 * budget keeps accepted descriptions near half a second here at most.
 */
#define TOPO_WORK_BUDGET 2.5e8

/*
 * A synthetic description in the one form faultbench takes: words TYPE:COUNT,
 * each optionally followed by hwloc attributes in parentheses, a decimal
 * count.  hwloc itself reads more ("2 2", "core: 4", "4pu:2", hex counts,
 * attributes anywhere), which made the estimates above unsound: what hwloc
 * made of "pac(r4m1u:1333333333cor)=e:16 pu:2" never finished loading.
 * Returns FB_OK with *work the estimate, or FB_USAGE with the reason in why.
 */
static int synthetic_parse(const char *spec, double *work, char *why, size_t len)
{
	double objects = 1, widths = 0, npus = 1, cost = 0;
	const char *s = spec;
	unsigned nlevels = 0;

	while (*s) {
		unsigned long n = 0;

		if (*s == ' ') {
			s++;
			continue;
		}
		/* "[numa]": memory attached to the level above, one per parent, no count */
		if (*s == '[' && isalpha((unsigned char)s[1])) {
			const char *close = strchr(s, ']'), *paren = strchr(s, '(');

			if (!close || (paren && paren < close && !strchr(paren, ')'))) {
				snprintf(why, len, "has an unclosed '['");
				return FB_USAGE;
			}
			s = close + 1;
			continue;
		}
		if (!isalpha((unsigned char)*s)) {
			snprintf(why, len, "a level is TYPE:COUNT, like 'core:16'");
			return FB_USAGE;
		}
		while (isalnum((unsigned char)*s))
			s++;
		if (*s != ':' || !isdigit((unsigned char)s[1])) {
			snprintf(why, len,
				 "a level is TYPE:COUNT with a decimal count, like 'core:16'");
			return FB_USAGE;
		}
		for (s++; isdigit((unsigned char)*s); s++)
			n = n > TOPO_MAX_PUS ? n : n * 10 + (unsigned long)(*s - '0');
		if (*s == '(') {
			const char *close = strchr(s, ')');

			if (!close || memchr(s + 1, '(', (size_t)(close - s - 1))) {
				snprintf(why, len, "has unbalanced parentheses");
				return FB_USAGE;
			}
			s = close + 1;
		}
		if (*s && *s != ' ') {
			snprintf(why, len, "levels are separated by spaces");
			return FB_USAGE;
		}
		if (!n || n > TOPO_MAX_PUS || (npus *= (double)n) > TOPO_MAX_PUS) {
			snprintf(why, len, "has %s PUs; faultbench plans 1 to %u",
				 n ? "more than that many" : "no", TOPO_MAX_PUS);
			return FB_USAGE;
		}
		widths += (double)n;
		objects *= (double)n;
		cost += objects * widths;
		nlevels++;
	}
	if (!nlevels) {
		snprintf(why, len, "is empty");
		return FB_USAGE;
	}
	*work = cost * (npus / 64 + 1);
	return FB_OK;
}

/*
 * An XML file is loaded once in a child first: libhwloc 2.9's XML reader
 * crashes on some broken files (a NULL cpuset in hwloc_bitmap_compare_first,
 * found by make fuzz), and its work is bounded by nothing but the file.  The
 * child has 10 s of CPU; FB_OK when it loaded and has at most TOPO_MAX_PUS PUs.
 */
#define TOPO_XML_CPU_SECONDS 10

static int xml_loads_safely(const char *path)
{
	struct rlimit cpu = { TOPO_XML_CPU_SECONDS, TOPO_XML_CPU_SECONDS + 1 };
	int status, n;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return fb_fail("cannot fork to read '%s': %s", path, strerror(errno));
	if (!pid) {
		static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
		hwloc_topology_t h;

		/* a crash here is an answer, not a finding of a sanitizer or fuzzer */
		for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
			signal(fatal[i], SIG_DFL);
		setrlimit(RLIMIT_CPU, &cpu);
		if (hwloc_topology_init(&h) < 0 || hwloc_topology_set_xml(h, path) ||
		    hwloc_topology_load(h))
			_exit(1);
		n = hwloc_get_nbobjs_by_type(h, HWLOC_OBJ_PU);
		_exit(n > 0 && (unsigned)n <= TOPO_MAX_PUS ? 0 : 2);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fb_fail("cannot wait for the reader of '%s': %s", path,
				       strerror(errno));
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return FB_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		return fb_usage("option '--topology': '%s' has no PUs or more than %u", path,
				TOPO_MAX_PUS);
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGXCPU || WTERMSIG(status) == SIGKILL))
		return fb_usage("option '--topology': hwloc took over %d s of CPU to read '%s'",
				TOPO_XML_CPU_SECONDS, path);
	if (WIFSIGNALED(status))
		return fb_usage("option '--topology': hwloc crashed reading '%s' (signal %d): "
				"not a topology it can read",
				path, WTERMSIG(status));
	return fb_usage("option '--topology': '%s' is not a hwloc synthetic topology or XML file",
			path);
}

static int too_many_pus(const char *spec)
{
	char shown[256];

	return fb_usage("option '--topology': '%s' has more than %u PUs; faultbench plans up to "
			"that many",
			fb_printable(spec, shown, sizeof(shown)), TOPO_MAX_PUS);
}

int topo_load(struct topo **tp, const char *spec)
{
	struct topo *t = xcalloc(1, sizeof(*t));
	char why[128];
	double work;
	int err;

	*tp = NULL;
	if (hwloc_topology_init(&t->h) < 0) {
		free(t);
		return fb_fail("hwloc: cannot initialise a topology");
	}
	if (!spec) {
		t->this_machine = true;
		t->kind = "this machine";
		t->source = xstrdup("this machine");
		err = 0;
	} else if (ends_with(spec, ".xml")) {
		t->kind = "xml";
		t->source = xstrdup(spec);
		err = xml_loads_safely(spec);
		if (err) {
			topo_free(t);
			return err;
		}
		err = hwloc_topology_set_xml(t->h, spec);
	} else {
		t->kind = "synthetic";
		t->source = xstrdup(spec);
		if (!parens_balanced(spec)) {
			char shown[256];

			topo_free(t);
			/* the count above skips attributes in (): unclosed, hwloc reads them
			 * as levels of its own (found by make fuzz: 20 s and more to load) */
			return fb_usage("option '--topology': '%s' has unbalanced parentheses",
					fb_printable(spec, shown, sizeof(shown)));
		}
		if (topo_synthetic_pus(spec) > TOPO_MAX_PUS) {
			topo_free(t);
			return too_many_pus(spec);
		}
		if (synthetic_parse(spec, &work, why, sizeof(why))) {
			char shown[256];

			topo_free(t);
			return fb_usage("option '--topology': '%s' %s%s",
					fb_printable(spec, shown, sizeof(shown)),
					strchr(why, ' ') == why + 1 || !strncmp(why, "a ", 2) ||
						!strncmp(why, "levels", 6)
					    ? "is not a synthetic topology: "
					    : "",
					why);
		}
		if (work > TOPO_WORK_BUDGET) {
			char shown[256];

			topo_free(t);
			return fb_usage(
			    "option '--topology': '%s' would take hwloc too long to build "
			    "(about %.0f times the budget): its cost grows with the "
			    "width of each level; give fewer objects per level "
			    "(e.g. 'pack:32 numa:4 core:32 pu:2' for 8192 PUs)",
			    fb_printable(spec, shown, sizeof(shown)),
			    work / TOPO_WORK_BUDGET + 0.5);
		}
		err = *spec ? hwloc_topology_set_synthetic(t->h, spec) : -1;
	}
	if (!err)
		err = hwloc_topology_load(t->h);
	if (!err && spec && (unsigned)hwloc_get_nbobjs_by_type(t->h, HWLOC_OBJ_PU) > TOPO_MAX_PUS) {
		topo_free(t);
		return too_many_pus(spec);
	}
	if (!err)
		err = scan(t);
	if (err) {
		bool mine = t->this_machine;

		topo_free(t);
		if (mine)
			return fb_fail("hwloc: cannot read this machine's topology");
		return fb_usage(
		    "option '--topology': '%s' is not a hwloc synthetic topology or XML file",
		    spec);
	}
	*tp = t;
	return FB_OK;
}

void topo_free(struct topo *t)
{
	if (!t)
		return;
	if (t->h)
		hwloc_topology_destroy(t->h);
	free(t->pu);
	free(t->by_os);
	free(t->group_node);
	free(t->group_package);
	free(t->source);
	free(t->summary);
	free(t->description);
	free(t);
}

bool topo_is_this_machine(const struct topo *t)
{
	return t->this_machine;
}

unsigned topo_npus(const struct topo *t)
{
	return t->npus;
}

unsigned topo_ncores(const struct topo *t)
{
	return t->ncores;
}

unsigned topo_nnodes(const struct topo *t)
{
	return t->nnodes;
}

unsigned topo_npackages(const struct topo *t)
{
	return t->npackages;
}

/* By OS index, through the index sorted at scan(): a search per PU made a plan quadratic. */
static const struct pu_info *find_pu(const struct topo *t, unsigned pu_os)
{
	unsigned lo = 0, hi = t->npus;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct pu_info *p = &t->pu[t->by_os[mid]];

		if (p->os == pu_os)
			return p;
		if (p->os < pu_os)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int topo_node_of_pu(const struct topo *t, unsigned pu_os)
{
	const struct pu_info *p = find_pu(t, pu_os);

	return p ? t->group_node[p->group] : -1;
}

const char *topo_summary(const struct topo *t)
{
	return t->summary;
}

/* ---- placement ---- */

/*
 * Compact: node after node in physical order (so package after package);
 * within a node every core's first PU, then every core's second PU: an SMT
 * sibling halves a worker's core, so it comes only once the node is full.
 * Cores go in physical order, so a node with several L3s fills one L3 after
 * the other.
 */
static unsigned *compact_order(const struct topo *t)
{
	unsigned *order = xcalloc(t->npus, sizeof(*order));
	unsigned g, r, i, n = 0;

	for (g = 0; g < t->ngroups; g++)
		for (r = 0; r < t->smt; r++)
			for (i = 0; i < t->npus; i++)
				if (t->pu[i].group == g && t->pu[i].smt == r)
					order[n++] = i;
	return order;
}

/* Spread visits nodes so that consecutive ones sit in different packages. */
static unsigned *spread_node_order(const struct topo *t)
{
	unsigned *rank = xcalloc(t->ngroups, sizeof(*rank));
	unsigned *order = xcalloc(t->ngroups, sizeof(*order));
	unsigned g, h, r, n = 0, maxrank = 0;

	for (g = 0; g < t->ngroups; g++) {
		for (h = 0; h < g; h++)
			if (t->group_package[h] == t->group_package[g])
				rank[g]++;
		if (rank[g] > maxrank)
			maxrank = rank[g];
	}
	for (r = 0; r <= maxrank; r++)
		for (g = 0; g < t->ngroups; g++)
			if (rank[g] == r)
				order[n++] = g;
	free(rank);
	return order;
}

/*
 * The L3 a PU shares with others, -1 if none.  Only an L3 counts: an L2 is a
 * core's own on most machines, and where a few cores share one (a cluster of
 * small cores) spread keeps the plain core order.
 */
static int spread_l3(const struct topo *t, const struct pu_info *p)
{
	return t->llc_type == HWLOC_OBJ_L3CACHE ? p->llc : -1;
}

struct l3_pick {
	unsigned rank; /* how many PUs of the same L3 come before it in the run */
	unsigned turn; /* how many L3s of the same package come before its L3 */
	unsigned slot; /* its L3's rank among the run's L3s, by first PU */
	unsigned pu;   /* index into t->pu */
};

static int cmp_l3_pick(const void *a, const void *b)
{
	const struct l3_pick *x = a, *y = b;

	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	if (x->turn != y->turn)
		return x->turn < y->turn ? -1 : 1;
	return x->slot < y->slot ? -1 : x->slot > y->slot;
}

/*
 * Reorder one run of a node's PUs (one SMT rank, physical order) so that
 * consecutive picks go to the node's L3s in turn: the first core of every L3,
 * then the second of every L3 ...  Two workers on one L3 share its capacity
 * and its bandwidth (on EPYC a node has several CCXs, an L3 each), so every
 * L3 of the node gets a worker before any gets a second.  A run on a single
 * L3, or with none, is left exactly as it was: such machines keep their plans.
 * A node over several packages (hwloc without NUMA information) takes its
 * L3s alternating packages, as spread_node_order() does with nodes.
 */
static void rotate_l3s(const struct topo *t, unsigned *run, unsigned len)
{
	struct l3_pick *pick;
	unsigned *seen, *slot_of, *slot_pkg, *turn, i, s, nslots = 0;

	for (i = 1; i < len; i++)
		if (spread_l3(t, &t->pu[run[i]]) != spread_l3(t, &t->pu[run[0]]))
			break;
	if (i >= len)
		return;
	/* llc is -1 or a logical index below nllcs: shift by one to index arrays */
	seen = xcalloc(t->nllcs + 1, sizeof(*seen));
	slot_of = xcalloc(t->nllcs + 1, sizeof(*slot_of));
	pick = xcalloc(len, sizeof(*pick));
	slot_pkg = xcalloc(len, sizeof(*slot_pkg));
	turn = xcalloc(len, sizeof(*turn));
	for (i = 0; i < len; i++) {
		unsigned c = (unsigned)(spread_l3(t, &t->pu[run[i]]) + 1);

		if (!seen[c]) {
			slot_pkg[nslots] = t->pu[run[i]].package;
			slot_of[c] = nslots++;
		}
		pick[i].rank = seen[c]++;
		pick[i].slot = slot_of[c];
		pick[i].pu = run[i];
	}
	for (s = 0; s < nslots; s++)
		for (i = 0; i < s; i++)
			if (slot_pkg[i] == slot_pkg[s])
				turn[s]++;
	for (i = 0; i < len; i++)
		pick[i].turn = turn[pick[i].slot];
	qsort(pick, len, sizeof(*pick), cmp_l3_pick);
	for (i = 0; i < len; i++)
		run[i] = pick[i].pu;
	free(turn);
	free(slot_pkg);
	free(pick);
	free(slot_of);
	free(seen);
}

/*
 * Spread: one PU per node in turn; within a node, one PU per L3 in turn;
 * first PUs of cores on every node before any SMT sibling.  Each new worker
 * adds memory bandwidth, an L3 while the node has an unused one, and a whole
 * core.
 */
static unsigned *spread_order(const struct topo *t)
{
	unsigned *compact = compact_order(t);
	unsigned *nodes = spread_node_order(t);
	unsigned *order = xcalloc(t->npus, sizeof(*order));
	/* start and length of each (node, smt rank) run in the compact order */
	size_t nruns = (size_t)t->ngroups * t->smt;
	unsigned *start = xcalloc(nruns, sizeof(*start));
	unsigned *len = xcalloc(nruns, sizeof(*len));
	unsigned i, r, k, n = 0;
	size_t run;

	for (i = t->npus; i-- > 0;) {
		const struct pu_info *p = &t->pu[compact[i]];

		run = (size_t)p->group * t->smt + p->smt;
		start[run] = i;
		len[run]++;
	}
	for (run = 0; run < nruns; run++)
		if (len[run])
			rotate_l3s(t, compact + start[run], len[run]);
	for (r = 0; r < t->smt; r++) {
		bool more = true;

		for (k = 0; more; k++) {
			unsigned j;

			more = false;
			for (j = 0; j < t->ngroups; j++) {
				run = (size_t)nodes[j] * t->smt + r;
				if (k < len[run]) {
					order[n++] = compact[start[run] + k];
					more = true;
				}
			}
		}
	}
	free(start);
	free(len);
	free(nodes);
	free(compact);
	return order;
}

/* Indexes into t->pu in placement order. */
static unsigned *placement_indexes(const struct topo *t, enum placement pl)
{
	return pl == PLACE_SPREAD ? spread_order(t) : compact_order(t);
}

unsigned *topo_placement_order(const struct topo *t, enum placement pl)
{
	unsigned *order = placement_indexes(t, pl);
	unsigned i;

	for (i = 0; i < t->npus; i++)
		order[i] = t->pu[order[i]].os;
	return order;
}

/* ---- worker counts ---- */

/* Oversubscribed plans are for a few workers per PU, never a runaway allocation. */
#define OVERSUBSCRIBE_FACTOR 64
#define PLAN_MAX_ENTRIES     (1u << 26)

static bool parse_uint(const char *s, size_t len, unsigned *v)
{
	unsigned long long x = 0;
	size_t i;

	if (!len || len > 10)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	if (x > UINT_MAX)
		return false;
	*v = (unsigned)x;
	return true;
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

struct counts {
	unsigned *v;
	unsigned n, cap;
};

static void counts_add(struct counts *c, unsigned v)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 16;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = v;
}

static void counts_add_pow2(struct counts *c, unsigned npus)
{
	unsigned long long v;

	for (v = 1; v < npus; v *= 2)
		counts_add(c, (unsigned)v);
	counts_add(c, npus);
}

static int count_out_of_range(const char *spec, unsigned count, unsigned npus, unsigned limit)
{
	if (!count)
		return fb_usage("option '--cpus': '%s' asks for 0 workers; counts go from 1 to %u, "
				"the machine's PUs",
				spec, npus);
	if (limit <= npus)
		return fb_usage("option '--cpus': '%s' asks for %u workers but the machine has %u "
				"%s; add --oversubscribe to reuse PUs",
				spec, count, npus, plural(npus, "PU", "PUs"));
	return fb_usage("option '--cpus': '%s' asks for %u workers, more than %u per PU on %u PUs",
			spec, count, OVERSUBSCRIBE_FACTOR, npus);
}

/*
 * One item of a list: N, A-B, pow2 or max.  npus is what "max" and "pow2"
 * mean; limit is the largest count allowed (npus unless oversubscribing).
 */
static int parse_item(const char *spec, const char *s, size_t len, unsigned npus, unsigned limit,
		      struct counts *c)
{
	const char *dash = memchr(s, '-', len);
	unsigned a, b, v;

	if (len == 4 && !strncmp(s, "pow2", 4)) {
		counts_add_pow2(c, npus);
		return FB_OK;
	}
	if (len == 3 && !strncmp(s, "max", 3)) {
		counts_add(c, npus);
		return FB_OK;
	}
	if (!dash) {
		if (!parse_uint(s, len, &a))
			return fb_usage("option '--cpus': '%s' is not a CPU list", spec);
		b = a;
	} else if (!parse_uint(s, dash - s, &a) ||
		   !parse_uint(dash + 1, len - (dash - s) - 1, &b) || a > b) {
		return fb_usage("option '--cpus': '%s' is not a CPU list", spec);
	}
	if (!a || b > limit)
		return count_out_of_range(spec, a ? b : 0, npus, limit);
	for (v = a;; v++) {
		counts_add(c, v);
		if (v == b)
			break;
	}
	return FB_OK;
}

static int parse_counts(const char *spec, unsigned npus, unsigned limit, unsigned **counts,
			unsigned *n)
{
	struct counts c = { 0 };
	const char *s = spec;
	unsigned i, m = 0;

	*counts = NULL;
	*n = 0;
	if (!spec || !*spec)
		return fb_usage("option '--cpus': '%s' is not a CPU list", spec ? spec : "");
	for (;;) {
		size_t len = strcspn(s, ",");
		int err = parse_item(spec, s, len, npus, limit, &c);

		if (err) {
			free(c.v);
			return err;
		}
		if (!s[len])
			break;
		s += len + 1;
	}
	qsort(c.v, c.n, sizeof(*c.v), cmp_unsigned);
	for (i = 0; i < c.n; i++)
		if (!m || c.v[m - 1] != c.v[i])
			c.v[m++] = c.v[i];
	*counts = c.v;
	*n = m;
	return FB_OK;
}

int cpu_counts_parse(const char *spec, unsigned max, unsigned **counts, unsigned *n)
{
	return parse_counts(spec, max, max, counts, n);
}

/* ---- plans ---- */

static void plan_add(struct cpu_plan *plan, unsigned ncpus, unsigned *pus, const char *what)
{
	struct cpu_step *s;

	plan->steps = xrealloc(plan->steps, (plan->nsteps + 1) * sizeof(*plan->steps));
	s = &plan->steps[plan->nsteps++];
	s->ncpus = ncpus;
	s->pus = pus;
	s->what = what;
}

/* The levels of a walk, from one PU to the whole machine. */
enum walk_level { W_PU, W_CORE, W_LLC, W_NODE, W_PACKAGE, W_MACHINE, W_NLEVELS };

static const char *const walk_names[W_NLEVELS] = { "1 PU", "core",    "LLC",
						   "node", "package", "machine" };

static bool in_level(const struct topo *t, enum walk_level lvl, const struct pu_info *first,
		     const struct pu_info *p)
{
	switch (lvl) {
	case W_PU:
		return p == first;
	case W_CORE:
		return p->core == first->core;
	case W_LLC:
		return p->llc == first->llc;
	case W_NODE:
		return p->group == first->group;
	case W_PACKAGE:
		return p->package == first->package;
	default:
		return true;
	}
}

/*
 * The PU, core, LLC, node and package holding the placement's first PU, then
 * the machine.  Sorted by size (an LLC can hold several nodes) and a size that
 * repeats the previous one is dropped: it would measure the same thing twice.
 */
static int plan_walk(const struct topo *t, const unsigned *order, struct cpu_plan *plan)
{
	const struct pu_info *first = &t->pu[order[0]];
	unsigned *pus[W_NLEVELS] = { NULL };
	unsigned n[W_NLEVELS] = { 0 };
	unsigned i, lvl, done = 0;

	for (lvl = 0; lvl < W_NLEVELS; lvl++) {
		if (lvl == W_LLC && first->llc < 0)
			continue;
		pus[lvl] = xcalloc(t->npus, sizeof(unsigned));
		for (i = 0; i < t->npus; i++) {
			const struct pu_info *p = &t->pu[order[i]];

			if (in_level(t, lvl, first, p))
				pus[lvl][n[lvl]++] = p->os;
		}
	}
	while (done < W_NLEVELS) {
		unsigned best = W_NLEVELS;

		for (lvl = 0; lvl < W_NLEVELS; lvl++)
			if (pus[lvl] && (best == W_NLEVELS || n[lvl] < n[best]))
				best = lvl;
		if (best == W_NLEVELS)
			break;
		if (plan->nsteps && plan->steps[plan->nsteps - 1].ncpus == n[best])
			free(pus[best]);
		else
			plan_add(plan, n[best], pus[best], walk_names[best]);
		pus[best] = NULL;
		done++;
	}
	return FB_OK;
}

static int plan_counts(const struct topo *t, const char *spec, const unsigned *order,
		       bool oversubscribe, struct cpu_plan *plan)
{
	unsigned long long limit = t->npus, total = 0;
	unsigned *counts, n, i, k;
	int err;

	if (oversubscribe)
		limit *= OVERSUBSCRIBE_FACTOR;
	if (limit > UINT_MAX)
		limit = UINT_MAX;
	err = parse_counts(spec, t->npus, (unsigned)limit, &counts, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++)
		total += counts[i];
	if (total > PLAN_MAX_ENTRIES) {
		free(counts);
		return fb_usage("option '--cpus': '%s' plans %llu workers in all; that is too many",
				spec, total);
	}
	for (i = 0; i < n; i++) {
		unsigned *pus = xcalloc(counts[i], sizeof(*pus));

		/* Oversubscribed workers reuse PUs in placement order, round-robin. */
		for (k = 0; k < counts[i]; k++)
			pus[k] = t->pu[order[k % t->npus]].os;
		plan_add(plan, counts[i], pus, NULL);
	}
	free(counts);
	return FB_OK;
}

int topo_plan(const struct topo *t, const char *spec, enum placement pl, bool oversubscribe,
	      struct cpu_plan *plan)
{
	unsigned *order = placement_indexes(t, pl);
	int err;

	plan->nsteps = 0;
	plan->steps = NULL;
	if (spec && !strcmp(spec, "walk"))
		err = plan_walk(t, order, plan);
	else
		err = plan_counts(t, spec, order, oversubscribe, plan);
	free(order);
	if (err)
		cpu_plan_free(plan);
	return err;
}

unsigned cpu_plan_largest(const struct cpu_plan *plan)
{
	unsigned n = 0;

	for (unsigned i = 0; i < plan->nsteps; i++)
		if (plan->steps[i].ncpus > n)
			n = plan->steps[i].ncpus;
	return n;
}

void cpu_plan_free(struct cpu_plan *plan)
{
	unsigned i;

	if (!plan)
		return;
	for (i = 0; i < plan->nsteps; i++)
		free(plan->steps[i].pus);
	free(plan->steps);
	plan->steps = NULL;
	plan->nsteps = 0;
}

/*
 * How many distinct nodes, packages and cores a step's PUs cover.  Not in
 * topo.h (the contract has no way to ask for a PU's core or package), so
 * cmd/topo.c declares it itself; unknown PUs are ignored.
 */
void topo_step_coverage(const struct topo *t, const struct cpu_step *s, unsigned *nodes,
			unsigned *packages, unsigned *cores);
void topo_step_coverage(const struct topo *t, const struct cpu_step *s, unsigned *nodes,
			unsigned *packages, unsigned *cores)
{
	hwloc_bitmap_t g = hwloc_bitmap_alloc(), p = hwloc_bitmap_alloc(), c = hwloc_bitmap_alloc();
	unsigned i;

	for (i = 0; i < s->ncpus; i++) {
		const struct pu_info *pu = find_pu(t, s->pus[i]);

		if (!pu)
			continue;
		hwloc_bitmap_set(g, pu->group);
		hwloc_bitmap_set(p, pu->package);
		hwloc_bitmap_set(c, pu->core);
	}
	*nodes = (unsigned)hwloc_bitmap_weight(g);
	*packages = (unsigned)hwloc_bitmap_weight(p);
	*cores = (unsigned)hwloc_bitmap_weight(c);
	hwloc_bitmap_free(g);
	hwloc_bitmap_free(p);
	hwloc_bitmap_free(c);
}

/* ---- printing ---- */

/* PUs of a group or a package as compact ranges, "0-15,32-47"; malloc'd. */
static char *pus_where(const struct topo *t, bool by_package, unsigned which, unsigned *ncores)
{
	hwloc_bitmap_t set = hwloc_bitmap_alloc();
	hwloc_bitmap_t cores = hwloc_bitmap_alloc();
	char *s = NULL;
	unsigned i;

	for (i = 0; i < t->npus; i++) {
		const struct pu_info *p = &t->pu[i];

		if ((by_package ? p->package : p->group) != which)
			continue;
		hwloc_bitmap_set(set, p->os);
		hwloc_bitmap_set(cores, p->core);
	}
	if (hwloc_bitmap_list_asprintf(&s, set) < 0 || !s)
		s = xstrdup("?");
	if (ncores)
		*ncores = (unsigned)hwloc_bitmap_weight(cores);
	hwloc_bitmap_free(set);
	hwloc_bitmap_free(cores);
	return s;
}

static void print_node(FILE *f, const struct topo *t, unsigned g)
{
	unsigned ncores;
	char *pus = pus_where(t, false, g, &ncores);

	if (t->group_node[g] >= 0)
		fprintf(f, "    node %d: %u %s, PUs %s\n", t->group_node[g], ncores,
			plural(ncores, "core", "cores"), pus);
	else
		fprintf(f, "    (no NUMA node): %u %s, PUs %s\n", ncores,
			plural(ncores, "core", "cores"), pus);
	free(pus);
}

void topo_print(FILE *f, const struct topo *t)
{
	unsigned p, g;

	fprintf(f, "%s: %s, SMT %u, ", t->this_machine ? "this machine" : t->kind, t->summary,
		t->smt);
	if (t->nllcs)
		fprintf(f, "%u %s\n", t->nllcs,
			t->llc_type == HWLOC_OBJ_L3CACHE
			    ? plural(t->nllcs, "L3 cache", "L3 caches")
			    : plural(t->nllcs, "L2 cache", "L2 caches"));
	else
		fprintf(f, "no caches described\n");
	if (!t->this_machine)
		fprintf(f, "  source: %s\n", t->source);
	fprintf(f, "  shape: %s\n", t->description);
	for (p = 0; p < t->npackages; p++) {
		unsigned ncores;
		char *pus = pus_where(t, true, p, &ncores);

		fprintf(f, "  package %u: %u %s, PUs %s\n", p, ncores,
			plural(ncores, "core", "cores"), pus);
		free(pus);
		for (g = 0; g < t->ngroups; g++)
			if (t->group_package[g] == p)
				print_node(f, t, g);
	}
	if (t->nnodes > t->ngroups)
		fprintf(f, "  %u memory-only %s\n", t->nnodes - t->ngroups,
			plural(t->nnodes - t->ngroups, "node", "nodes"));
}

json_t *topo_to_json(const struct topo *t)
{
	json_t *nodes = json_object();
	unsigned g;

	for (g = 0; g < t->ngroups; g++) {
		char key[16];
		char *pus = pus_where(t, false, g, NULL);

		snprintf(key, sizeof(key), "%d", t->group_node[g]);
		json_object_set_new(nodes, key, json_string(pus));
		free(pus);
	}
	return json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:s, s:s, s:o, s:s, s:s}", "packages",
			 (int)t->npackages, "nodes", (int)t->nnodes, "cores", (int)t->ncores, "pus",
			 (int)t->npus, "smt", (int)t->smt, "llcs", (int)t->nllcs, "synthetic",
			 !t->this_machine, "kind", t->kind, "source", t->source, "node_pus", nodes,
			 "summary", t->summary, "description", t->description);
}
