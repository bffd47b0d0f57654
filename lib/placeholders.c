// SPDX-License-Identifier: GPL-2.0
/*
 * TEMPORARY weak definitions so the tree links while the real implementations
 * are being written in parallel.  Each real definition overrides its weak
 * twin; this file is deleted once every one exists.
 */
#include <errno.h>
#include <stdlib.h>

#include "evidence.h"
#include "folio.h"
#include "mempolicy.h"
#include "profile.h"
#include "stats.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

#define WEAK __attribute__((weak))
#define NAN_ __builtin_nan("")

WEAK int topo_load(struct topo **tp, const char *spec) { *tp = NULL; return fb_fail("topology: not built yet"); }
WEAK void topo_free(struct topo *t) {}
WEAK bool topo_is_this_machine(const struct topo *t) { return true; }
WEAK unsigned topo_npus(const struct topo *t) { return 1; }
WEAK unsigned topo_ncores(const struct topo *t) { return 1; }
WEAK unsigned topo_nnodes(const struct topo *t) { return 1; }
WEAK unsigned topo_npackages(const struct topo *t) { return 1; }
WEAK int topo_node_of_pu(const struct topo *t, unsigned pu_os) { return 0; }
WEAK const char *topo_summary(const struct topo *t) { return "unknown"; }
WEAK void topo_print(FILE *f, const struct topo *t) {}
WEAK json_t *topo_to_json(const struct topo *t) { return json_object(); }
WEAK int topo_plan(const struct topo *t, const char *spec, enum placement pl, bool o, struct cpu_plan *plan) { return fb_fail("plan: not built yet"); }
WEAK void cpu_plan_free(struct cpu_plan *plan) {}
WEAK unsigned *topo_placement_order(const struct topo *t, enum placement pl) { return NULL; }
WEAK int cpu_counts_parse(const char *spec, unsigned max, unsigned **c, unsigned *n) { return FB_FAIL; }

WEAK double stats_mean(const double *v, size_t n) { double s = 0; for (size_t i = 0; i < n; i++) s += v[i]; return n ? s / n : NAN_; }
WEAK double stats_hmean(const double *v, size_t n) { return NAN_; }
WEAK double stats_stddev(const double *v, size_t n) { return NAN_; }
WEAK double stats_cov(const double *v, size_t n) { return NAN_; }
WEAK double stats_min(const double *v, size_t n) { return NAN_; }
WEAK double stats_max(const double *v, size_t n) { return NAN_; }
WEAK double stats_median(const double *v, size_t n) { return NAN_; }
WEAK double stats_percentile(const double *v, size_t n, double p) { return NAN_; }
WEAK double stats_best_hmean(const double *v, size_t n, double pct, bool hb) { return NAN_; }
WEAK double stats_best_amean(const double *v, size_t n, double pct, bool hb) { return NAN_; }
WEAK struct welch stats_welch(const double *a, size_t na, const double *b, size_t nb) { struct welch w = { 0 }; return w; }
WEAK double stats_pdiff(double base, double value, bool hb) { return NAN_; }

WEAK json_t *sysinfo_collect(const struct topo *t) { return json_object(); }
WEAK char *sysfs_selected_choice(const char *path) { return NULL; }

WEAK int folio_inspect(const void *addr, size_t len, struct folio_report *r) { return -ENOSYS; }
WEAK json_t *folio_report_json(const struct folio_report *r) { return json_object(); }
WEAK const char *folio_describe(const struct folio_report *r, char *buf, size_t len) { return "?"; }

WEAK int evidence_create(struct evidence **evp, const char *extra, unsigned n) { *evp = NULL; return FB_OK; }
WEAK void evidence_attach(struct evidence *ev, unsigned worker, pid_t tid) {}
WEAK unsigned evidence_count(const struct evidence *ev) { return 0; }
WEAK const char *evidence_name(const struct evidence *ev, unsigned i) { return "?"; }
WEAK void evidence_read(struct evidence *ev, unsigned worker, uint64_t *vals) {}
WEAK json_t *evidence_describe(const struct evidence *ev) { return NULL; }
WEAK void evidence_destroy(struct evidence *ev) {}
WEAK void evidence_derive(struct step_result *r) {}

WEAK int mem_policy_parse(const char *spec, struct mem_policy *mp) { mp->kind = MEM_LOCAL; mp->node = -1; return FB_OK; }
WEAK int mem_policy_check(const struct mem_policy *mp, const struct topo *t) { return FB_OK; }
WEAK int mem_policy_apply_setup(const struct mem_policy *mp, const struct topo *t) { return 0; }
WEAK void mem_policy_reset(void) {}
WEAK int mem_policy_apply(const struct mem_policy *mp, const struct topo *t, unsigned pu) { return 0; }
WEAK json_t *mem_placement_query(const void *addr, size_t len) { return NULL; }
WEAK void mem_derive_per_node(struct step_result *r, const struct topo *t) {}

WEAK int profile_start(struct profile **pp, const char *path, char **why) { *pp = NULL; *why = xstrdup("not built yet"); return FB_SKIP; }
WEAK json_t *profile_finish(struct profile *p) { return NULL; }

#include "bench.h"
WEAK const struct bench bench_fault = { .name = "fault", .summary = "not built yet" };
