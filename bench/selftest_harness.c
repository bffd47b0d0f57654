// SPDX-License-Identifier: GPL-2.0
/*
 * The harness side of "faultbench selftest" (bench/selftest.h): the
 * "faultbench run" command of a round, the figures read back from its
 * result file, a round's JSON, and the selftest's options and header.
 * Kept out of cmd/selftest.c so that each piece is unit-tested
 * (tests/unit/test_selftest.c).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence.h"
#include "selftest.h"
#include "stats.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

unsigned selftest_cpus_allowed(unsigned *cpus)
{
	cpu_set_t set;
	unsigned n = 0;

	if (sched_getaffinity(0, sizeof(set), &set)) {
		cpus[0] = 0;
		return 1;
	}
	for (unsigned c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

bool selftest_in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, word, n))
			return true;
		p += len + (p[len] == ',');
	}
	return false;
}

/* Each word of list must pass ok(); else a usage error naming it. */
static int check_list(const char *opt, const char *list, bool (*ok)(const char *),
		      const char *expected)
{
	char word[64];

	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), p);
		if (!ok(word))
			return fb_usage("option '--%s': '%s' is not %s", opt, word, expected);
		p += len + (p[len] == ',');
	}
	return FB_OK;
}

static bool is_preset(const char *w)
{
	return selftest_preset(w) != NULL;
}

static bool is_backing(const char *w)
{
	return !strcmp(w, "tmpfs") || !strcmp(w, "file");
}

int selftest_check_opts(const struct selftest_opts *o)
{
	int ret = check_list("presets", o->presets, is_preset, "nopage, pf1, pf2, pf3 or pf4");

	return ret ? ret : check_list("backings", o->backings, is_backing, "tmpfs or file");
}

json_t *selftest_header_json(const struct selftest_opts *o, const char *dir)
{
	json_t *d = json_object(), *b = json_object();
	struct topo *t = NULL;
	char now[32];

	fb_utc_now(now, sizeof(now), true);
	json_object_set_new(d, "selftest_version", json_integer(1));
	json_object_set_new(d, "faultbench_version", json_string(fb_version));
	json_object_set_new(d, "start_time", json_string(now));
	json_object_set_new(d, "measure",
			    json_string(o->measure == MEASURE_COUNTERS ? "counters" : "harness"));
	if (o->counters)
		json_object_set_new(d, "counters",
				    json_string(evidence_counters_name(o->counters - 1)));
	json_object_set_new(d, "dir", json_string(dir));
	json_object_set_new(d, "tmpfs_dir", json_string(o->tmpfs_dir));
	json_object_set_new(d, "size", json_integer((json_int_t)o->size));
	json_object_set_new(d, "time", json_real(o->time));
	json_object_set_new(d, "warmup", json_real(o->warmup));
	json_object_set_new(d, "rounds", json_integer(o->rounds));
	json_object_set_new(b, "ratio", json_real(o->bound));
	json_object_set_new(b, "pages_per_fault", json_real(o->count_bound));
	json_object_set_new(d, "bounds", b);
	if (!topo_load(&t, NULL)) {
		json_object_set_new(d, "system", sysinfo_collect(t));
		topo_free(t);
	}
	if (getenv("FB_TEST_FAULT_COST_NS"))
		json_object_set_new(d, "test_fault_cost_ns",
				    json_string(getenv("FB_TEST_FAULT_COST_NS")));
	if (getenv("FB_TEST_HARNESS_MADVISE"))
		json_object_set_new(d, "test_harness_madvise",
				    json_string(getenv("FB_TEST_HARNESS_MADVISE")));
	return d;
}

void harness_cmd_build(struct harness_cmd *c, const struct selftest_ctx *pc, const char *path)
{
	const struct selftest_opts *o = pc->o;
	unsigned n = 0;

	memset(c, 0, sizeof(*c));
	c->argv[n++] = "faultbench";
	c->argv[n++] = "run";
	c->argv[n++] = pc->p->name;
	if (!strcmp(pc->backing, "file")) {
		c->argv[n++] = "--backing=file";
		c->argv[n++] = c->owned[0] = xasprintf("--dir=%s", pc->file_dir);
	} else if (!strcmp(pc->backing, "tmpfs")) {
		c->argv[n++] = c->owned[0] = xasprintf("--tmpfs-dir=%s", pc->file_dir);
	}
	if (o->size) {
		snprintf(c->num[0], sizeof(c->num[0]), "--size=%llu", o->size);
		c->argv[n++] = c->num[0];
	}
	if (o->counters) {
		c->argv[n++] = c->owned[1] =
		    xasprintf("--counters=%s", evidence_counters_name(o->counters - 1));
	}
	snprintf(c->num[1], sizeof(c->num[1]), "%u", pc->ncpus);
	snprintf(c->num[2], sizeof(c->num[2]), "%g", o->warmup);
	snprintf(c->num[3], sizeof(c->num[3]), "%g", o->time / 4);
	c->argv[n++] = "--cpus";
	c->argv[n++] = c->num[1];
	c->argv[n++] = "--warmup";
	c->argv[n++] = c->num[2];
	c->argv[n++] = "--samples=4";
	c->argv[n++] = "--sample-time";
	c->argv[n++] = c->num[3];
	c->argv[n++] = "--progress=off";
	c->argv[n++] = "-o";
	c->argv[n++] = path;
	c->argv[n] = NULL;
}

void harness_cmd_free(struct harness_cmd *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->owned); i++)
		free(c->owned[i]);
	memset(c, 0, sizeof(*c));
}

static double metric(const json_t *step, const char *name)
{
	const json_t *v =
	    json_object_get(json_object_get(json_object_get(step, "metrics"), name), "value");

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* Sum over samples and workers of share x sample length, over the pages counted. */
static double cpu_ns_per_page(const json_t *step)
{
	const json_t *smp, *w;
	double cpu_s = 0, pages = 0;
	size_t i, k;

	json_array_foreach (json_object_get(step, "samples"), i, smp) {
		const json_t *share =
		    json_object_get(json_object_get(smp, "interference"), "share");
		double t = json_number_value(json_object_get(smp, "t"));

		json_array_foreach (json_object_get(smp, "workers"), k, w) {
			const json_t *sh = json_array_get(share, k);

			if (!json_is_number(sh))
				return NAN;
			cpu_s += json_number_value(sh) * t;
			pages += json_number_value(json_array_get(json_object_get(w, "count"), 0));
		}
	}
	return pages > 0 && cpu_s > 0 ? 1e9 * cpu_s / pages : NAN;
}

int harness_read(const char *path, struct harness_fig *h)
{
	json_error_t err;
	json_t *d = json_load_file(path, 0, &err), *step, *pus, *f, *total;
	size_t i;

	step = json_array_get(json_object_get(d, "steps"), 0);
	if (!step) {
		json_decref(d);
		return fb_fail("selftest: no step in '%s'", path);
	}
	h->pages_per_s = metric(step, "pages/s");
	h->cpu_ns_per_page = cpu_ns_per_page(step);
	h->ppf = metric(step, "pages/fault");
	f = json_object_get(json_object_get(step, "extra"), "faults");
	total = json_object_get(f, "total");
	h->unsampled_share = NAN;
	if (json_is_integer(total) && json_integer_value(total) > 0)
		h->unsampled_share = (double)json_integer_value(json_object_get(f, "unsampled")) /
				     (double)json_integer_value(total);
	pus = json_object_get(step, "pus");
	h->npus = 0;
	for (i = 0; i < json_array_size(pus) && i < CPU_SETSIZE; i++)
		h->pus[h->npus++] = (unsigned)json_integer_value(json_array_get(pus, i));
	json_decref(d);
	return h->npus ? FB_OK : fb_fail("selftest: no PUs in '%s'", path);
}

static json_t *real_or_null(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static double bare_cpu_ns_per_page(const struct bare_result *b)
{
	return b->pages && b->cpu_ns ? (double)b->cpu_ns / (double)b->pages : NAN;
}

json_t *harness_round_json(const struct harness_fig *h, const struct bare_result *b)
{
	json_t *o = json_object();
	double bppf = b->faults ? (double)b->pages / (double)b->faults : NAN;

	json_object_set_new(o, "harness_pages_per_s", json_real(h->pages_per_s));
	json_object_set_new(o, "bare_pages_per_s", json_real(b->pages_per_s));
	json_object_set_new(o, "ratio", json_real(h->pages_per_s / b->pages_per_s));
	json_object_set_new(o, "harness_pages_per_fault", json_real(h->ppf));
	json_object_set_new(o, "bare_pages_per_fault", real_or_null(bppf));
	json_object_set_new(o, "harness_unsampled_fault_share", real_or_null(h->unsampled_share));
	json_object_set_new(o, "harness_cpu_ns_per_page", real_or_null(h->cpu_ns_per_page));
	json_object_set_new(o, "bare_cpu_ns_per_page", real_or_null(bare_cpu_ns_per_page(b)));
	return o;
}

static double ppf(const struct bare_result *b)
{
	return b->faults ? (double)b->pages / (double)b->faults : NAN;
}

void harness_summarize(const struct harness_fig *h, const struct bare_result *b, unsigned nr,
		       struct selftest_point *pt)
{
	double ratio[SELFTEST_MAX_ROUNDS] = { 0 }, hppf[SELFTEST_MAX_ROUNDS] = { 0 };
	double bppf[SELFTEST_MAX_ROUNDS] = { 0 };
	double share[SELFTEST_MAX_ROUNDS], lo = INFINITY, hi = 0, plo = INFINITY, phi = 0;
	double cpu[SELFTEST_MAX_ROUNDS];
	unsigned nshare = 0, ncpu = 0;

	for (unsigned i = 0; i < nr; i++) {
		ratio[i] = h[i].pages_per_s / b[i].pages_per_s;
		hppf[i] = h[i].ppf;
		bppf[i] = ppf(&b[i]);
		if (isfinite(h[i].unsampled_share))
			share[nshare++] = h[i].unsampled_share;
		if (isfinite(bare_cpu_ns_per_page(&b[i]) / h[i].cpu_ns_per_page))
			cpu[ncpu++] = bare_cpu_ns_per_page(&b[i]) / h[i].cpu_ns_per_page;
		lo = fmin(lo, b[i].pages_per_s);
		hi = fmax(hi, b[i].pages_per_s);
		plo = fmin(plo, bppf[i]);
		phi = fmax(phi, bppf[i]);
	}
	*pt = (struct selftest_point){ .ratio = stats_median(ratio, nr),
				       .harness_ppf = stats_median(hppf, nr),
				       .bare_ppf = stats_median(bppf, nr),
				       .unsampled = nshare ? stats_median(share, nshare) : NAN,
				       .bare_spread = lo > 0 && nr ? hi / lo - 1 : NAN,
				       .bare_ppf_spread = plo > 0 && nr ? phi / plo - 1 : NAN,
				       .cpu_ratio = ncpu ? stats_median(cpu, ncpu) : NAN };
}

void harness_point_json(json_t *pj, const struct selftest_point *pt, enum selftest_verdict v,
			const char *why)
{
	static const char *const names[] = { "fail", "ok", "unsteady" };
	bool ok = v == SELFTEST_OK;

	json_object_set_new(pj, "ratio", json_real(pt->ratio));
	json_object_set_new(pj, "harness_cost", json_real(1 - pt->ratio));
	json_object_set_new(pj, "harness_pages_per_fault", json_real(pt->harness_ppf));
	json_object_set_new(pj, "bare_pages_per_fault", real_or_null(pt->bare_ppf));
	json_object_set_new(pj, "unsampled_fault_share", real_or_null(pt->unsampled));
	json_object_set_new(pj, "cpu_ratio", real_or_null(pt->cpu_ratio));
	json_object_set_new(pj, "bare_spread", real_or_null(pt->bare_spread));
	json_object_set_new(pj, "bare_pages_per_fault_spread", real_or_null(pt->bare_ppf_spread));
	json_object_set_new(pj, "verdict", json_string(names[v]));
	json_object_set_new(pj, "ok", json_boolean(ok));
	if (!ok)
		json_object_set_new(pj, "why", json_string(why));
}

json_t *selftest_point_json(const struct selftest_ctx *pc, json_t *rounds, json_t *points)
{
	json_t *pj = json_object();

	json_object_set_new(pj, "preset", json_string(pc->p->name));
	json_object_set_new(pj, "backing", json_string(pc->backing));
	json_object_set_new(pj, "ncpus", json_integer(pc->ncpus));
	json_object_set_new(pj, "rounds", rounds);
	json_array_append_new(points, pj);
	return pj;
}
