// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench selftest: on this machine, kernel and filesystems, does each
 * fault preset measure what a bare loop of the same pattern measures?
 *
 *   faultbench selftest [--dir DISK_DIR] [--tmpfs-dir TMPFS] [options]
 *
 * For every preset (nopage, pf1-pf4), backing (tmpfs, and a disk file in
 * --dir) and CPU count (1 and all), rounds of "faultbench run" (the real
 * command, spawned) and the bare loop (bench/selftest.c: mmap, touch,
 * munmap, nothing else) alternate, on the same PUs.  It prints, per point,
 * the ratio of their pages/s, their pages per fault (both the kernel's
 * count) and the harness's cost; it exits 1 naming each point whose ratio
 * leaves 1 +- --bound or whose pages per fault differ by more than
 * --count-bound.  A harness that adds a system call or per-page work the
 * bare loop does not have shows up here before it shows up in a changelog
 * (FB_TEST_HARNESS_MADVISE and FB_TEST_FAULT_COST_NS prove it does).
 * The JSON goes to --output (results/selftest/), the harness's own result
 * files beside it.
 */
#include <jansson.h>
#include <linux/magic.h>
#include <math.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "fsfile.h"
#include "jsonfile.h"
#include "opt.h"
#include "selftest.h"
#include "spawn.h"
#include "stats.h"
#include "sysinfo.h"
#include "topo.h"
#include "util.h"

#define MAX_ROUNDS 50

struct selftest_opts {
	const char *dir, *tmpfs_dir, *output, *presets, *backings;
	unsigned long long size;
	double time, warmup, bound, count_bound;
	long long rounds;
};

#define S(field) offsetof(struct selftest_opts, field)

const struct opt selftest_options[] = {
	{ .name = "dir",
	  .type = OPT_STR,
	  .off = S(dir),
	  .help = "directory on the disk filesystem to test (default: the output directory)" },
	{ .name = "tmpfs-dir",
	  .type = OPT_STR,
	  .def = "/dev/shm",
	  .off = S(tmpfs_dir),
	  .help = "tmpfs mount for the tmpfs backing" },
	{ .name = "output",
	  .type = OPT_STR,
	  .def = "results/selftest",
	  .off = S(output),
	  .help = "directory for the selftest's JSON and the harness's result files" },
	{ .name = "presets",
	  .type = OPT_STR,
	  .def = "nopage,pf1,pf2,pf3,pf4",
	  .off = S(presets),
	  .help = "the presets to check, a comma list" },
	{ .name = "backings",
	  .type = OPT_STR,
	  .def = "tmpfs,file",
	  .off = S(backings),
	  .help = "tmpfs, file (a file in --dir), or both (pf1 is anonymous memory either way)" },
	{ .name = "size",
	  .type = OPT_SIZE,
	  .def = "0",
	  .max = 64.0 * (1ULL << 30),
	  .off = S(size),
	  .help = "bytes per worker per pass (0: each preset's own)" },
	{ .name = "time",
	  .type = OPT_DOUBLE,
	  .def = "2",
	  .min = 0.01,
	  .max = 3600,
	  .off = S(time),
	  .help = "measured seconds per run (the harness: 4 samples of a quarter each)" },
	{ .name = "warmup",
	  .type = OPT_DOUBLE,
	  .def = "1",
	  .max = 3600,
	  .off = S(warmup),
	  .help = "seconds of warm-up before each measurement, both sides" },
	{ .name = "rounds",
	  .type = OPT_INT,
	  .def = "3",
	  .min = 1,
	  .max = MAX_ROUNDS,
	  .off = S(rounds),
	  .help = "harness/bare-loop pairs per point, alternating order" },
	{ .name = "bound",
	  .type = OPT_DOUBLE,
	  .def = "0.10",
	  .min = 0,
	  .max = 100,
	  .off = S(bound),
	  .help = "fail a point whose pages/s ratio (median of rounds) leaves 1 +- this" },
	{ .name = "count-bound",
	  .type = OPT_DOUBLE,
	  .def = "0.01",
	  .min = 0,
	  .max = 100,
	  .off = S(count_bound),
	  .help = "fail a point whose pages per fault differ by more than this fraction" },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench selftest [--dir DISK_DIR] [options]\n"
		   "\n"
		   "Checks that each fault preset measures what a bare mmap/touch/munmap loop\n"
		   "measures on this machine, on tmpfs and on the disk filesystem of --dir, at 1\n"
		   "and all CPUs.  Run it first on a new machine or kernel.  Exit 1 names the\n"
		   "points that disagree; their JSON is kept in --output.\n\noptions:\n");
	opt_print_help(f, selftest_options);
	return FB_USAGE;
}

/* One harness run's figures, from its result file. */
struct harness_fig {
	double pages_per_s, ppf, unsampled_share;
	unsigned pus[CPU_SETSIZE];
	unsigned npus;
};

static double metric(const json_t *step, const char *name)
{
	const json_t *v =
	    json_object_get(json_object_get(json_object_get(step, "metrics"), name), "value");

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static int read_harness(const char *path, struct harness_fig *h)
{
	json_error_t err;
	json_t *d = json_load_file(path, 0, &err), *step, *pus, *f;
	size_t i;

	step = json_array_get(json_object_get(d, "steps"), 0);
	if (!step) {
		json_decref(d);
		return fb_fail("selftest: no step in '%s'", path);
	}
	h->pages_per_s = metric(step, "pages/s");
	h->ppf = metric(step, "pages/fault");
	f = json_object_get(json_object_get(step, "extra"), "faults");
	h->unsampled_share = NAN;
	if (json_is_integer(json_object_get(f, "total")) &&
	    json_integer_value(json_object_get(f, "total")) > 0)
		h->unsampled_share = (double)json_integer_value(json_object_get(f, "unsampled")) /
				     (double)json_integer_value(json_object_get(f, "total"));
	pus = json_object_get(step, "pus");
	h->npus = 0;
	for (i = 0; i < json_array_size(pus) && i < CPU_SETSIZE; i++)
		h->pus[h->npus++] = (unsigned)json_integer_value(json_array_get(pus, i));
	json_decref(d);
	return h->npus ? FB_OK : fb_fail("selftest: no PUs in '%s'", path);
}

struct point_ctx {
	const struct selftest_opts *o;
	const struct selftest_preset *p;
	const char *backing;  /* "tmpfs", "file" or "anon" */
	const char *file_dir; /* where the bare loop's files go */
	unsigned ncpus;
	const char *workdir;
};

/* "faultbench run PRESET ..." into workdir/NAME.json; its exit status. */
static int run_harness(const struct point_ctx *pc, unsigned round, char **path, char **why)
{
	const struct selftest_opts *o = pc->o;
	char cpus[16], warm[32], st[32], size[32], *dirarg = NULL;
	const char *argv[24];
	int n = 0, code;
	struct spawn sp = { .argv = argv,
			    .file = "/proc/self/exe",
			    .pass_interrupt = true,
			    .out = { SPAWN_NULL },
			    .err = { SPAWN_CAPTURE } };

	*path = xasprintf("%s/%s-%s-%ucpu-r%u.json", pc->workdir, pc->p->name, pc->backing,
			  pc->ncpus, round + 1);
	unlink(*path); /* a result is never overwritten: a rerun into the same name */
	snprintf(cpus, sizeof(cpus), "%u", pc->ncpus);
	snprintf(warm, sizeof(warm), "%g", o->warmup);
	snprintf(st, sizeof(st), "%g", o->time / 4);
	argv[n++] = "faultbench";
	argv[n++] = "run";
	argv[n++] = pc->p->name;
	if (!strcmp(pc->backing, "file")) {
		argv[n++] = "--backing=file";
		dirarg = xasprintf("--dir=%s", pc->file_dir);
		argv[n++] = dirarg;
	} else if (!strcmp(pc->backing, "tmpfs")) {
		dirarg = xasprintf("--tmpfs-dir=%s", pc->file_dir);
		argv[n++] = dirarg;
	}
	if (o->size) {
		snprintf(size, sizeof(size), "--size=%llu", o->size);
		argv[n++] = size;
	}
	argv[n++] = "--cpus";
	argv[n++] = cpus;
	argv[n++] = "--warmup";
	argv[n++] = warm;
	argv[n++] = "--samples=4";
	argv[n++] = "--sample-time";
	argv[n++] = st;
	argv[n++] = "--progress=off";
	argv[n++] = "-o";
	argv[n++] = *path;
	argv[n] = NULL;
	code = spawn_run(&sp);
	*why = NULL;
	if (code && sp.err_buf) {
		char *nl = strchr(sp.err_buf, '\n');

		if (nl)
			*nl = '\0';
		*why = xstrdup(sp.err_buf);
	}
	spawn_clear(&sp);
	free(dirarg);
	return code;
}

struct round_fig {
	struct harness_fig h;
	struct bare_result b;
};

static int run_bare(const struct point_ctx *pc, const struct harness_fig *h, struct bare_result *b)
{
	const char *what;
	int ret = bare_loop_run(pc->p, pc->file_dir, pc->o->size, h->pus, h->npus, pc->o->warmup,
				pc->o->time, b, &what);

	if (ret)
		return fb_fail("selftest: bare loop %s %s: cannot %s: %s", pc->p->name, pc->backing,
			       what, strerror(-ret));
	return FB_OK;
}

static json_t *round_json(const struct round_fig *r)
{
	json_t *o = json_object();
	double bppf = r->b.faults ? (double)r->b.pages / (double)r->b.faults : NAN;

	json_object_set_new(o, "harness_pages_per_s", json_real(r->h.pages_per_s));
	json_object_set_new(o, "bare_pages_per_s", json_real(r->b.pages_per_s));
	json_object_set_new(o, "ratio", json_real(r->h.pages_per_s / r->b.pages_per_s));
	json_object_set_new(o, "harness_pages_per_fault", json_real(r->h.ppf));
	json_object_set_new(o, "bare_pages_per_fault",
			    isfinite(bppf) ? json_real(bppf) : json_null());
	json_object_set_new(o, "harness_unsampled_fault_share",
			    isfinite(r->h.unsampled_share) ? json_real(r->h.unsampled_share)
							   : json_null());
	return o;
}

/*
 * One point: rounds of both, alternating which goes first (the bare loop
 * needs the PUs the harness planned, so round 1 starts with the harness).
 * FB_OK with *ok set, FB_SKIP when the harness cannot run it here, or an error.
 */
static int run_point(const struct point_ctx *pc, json_t *points, bool *ok, char *failed,
		     size_t flen)
{
	const struct selftest_opts *o = pc->o;
	struct round_fig r[MAX_ROUNDS];
	double ratio[MAX_ROUNDS], hppf[MAX_ROUNDS], bppf[MAX_ROUNDS], share[MAX_ROUNDS];
	struct selftest_point pt;
	unsigned nr = (unsigned)o->rounds, nshare = 0;
	json_t *pj = json_object(), *rounds = json_array();
	char why[256];
	int ret = FB_OK;

	for (unsigned i = 0; i < nr && !ret; i++) {
		char *path = NULL, *err = NULL;
		bool bare_first = i % 2 && i > 0;
		int code;

		if (bare_first)
			ret = run_bare(pc, &r[i - 1].h, &r[i].b);
		code = ret ? ret : run_harness(pc, i, &path, &err);
		if (!ret && code == FB_SKIP) {
			printf("%-6s %-5s %3u CPUs  skipped: %s\n", pc->p->name, pc->backing,
			       pc->ncpus, err ? err : "cannot run here");
			json_object_set_new(pj, "skipped",
					    json_string(err ? err : "cannot run here"));
			ret = FB_SKIP;
		} else if (!ret && code) {
			ret = fb_fail("selftest: faultbench run %s (%s, %u CPUs) exited %d: %s",
				      pc->p->name, pc->backing, pc->ncpus, code, err ? err : "");
		}
		if (!ret)
			ret = read_harness(path, &r[i].h);
		if (!ret && !bare_first)
			ret = run_bare(pc, &r[i].h, &r[i].b);
		if (!ret) {
			json_t *rj = round_json(&r[i]);

			json_object_set_new(rj, "harness_result", json_string(path));
			json_array_append_new(rounds, rj);
			ratio[i] = r[i].h.pages_per_s / r[i].b.pages_per_s;
			hppf[i] = r[i].h.ppf;
			bppf[i] =
			    r[i].b.faults ? (double)r[i].b.pages / (double)r[i].b.faults : NAN;
			if (isfinite(r[i].h.unsampled_share))
				share[nshare++] = r[i].h.unsampled_share;
		}
		free(err);
		free(path);
		if (fb_interrupted)
			ret = 128 + fb_interrupted;
	}
	json_object_set_new(pj, "preset", json_string(pc->p->name));
	json_object_set_new(pj, "backing", json_string(pc->backing));
	json_object_set_new(pj, "ncpus", json_integer(pc->ncpus));
	json_object_set_new(pj, "rounds", rounds);
	if (ret) {
		json_array_append_new(points, pj);
		return ret;
	}
	pt = (struct selftest_point){ .ratio = stats_median(ratio, nr),
				      .harness_ppf = stats_median(hppf, nr),
				      .bare_ppf = stats_median(bppf, nr) };
	*ok = selftest_judge(&pt, o->bound, o->count_bound, why, sizeof(why));
	json_object_set_new(pj, "ratio", json_real(pt.ratio));
	json_object_set_new(pj, "harness_cost", json_real(1 - pt.ratio));
	json_object_set_new(pj, "harness_pages_per_fault", json_real(pt.harness_ppf));
	json_object_set_new(pj, "bare_pages_per_fault",
			    isfinite(pt.bare_ppf) ? json_real(pt.bare_ppf) : json_null());
	json_object_set_new(pj, "unsampled_fault_share",
			    nshare ? json_real(stats_median(share, nshare)) : json_null());
	json_object_set_new(pj, "ok", json_boolean(*ok));
	if (!*ok)
		json_object_set_new(pj, "why", json_string(why));
	json_array_append_new(points, pj);
	printf("%-6s %-5s %3u CPUs  ratio %6.3f  cost %+6.1f%%  pages/fault %8.3f vs %8.3f  "
	       "faults outside samples %5.1f%%  %s%s\n",
	       pc->p->name, pc->backing, pc->ncpus, pt.ratio, 100 * (1 - pt.ratio), pt.harness_ppf,
	       pt.bare_ppf, nshare ? 100 * stats_median(share, nshare) : NAN,
	       *ok ? "ok" : "FAIL: ", *ok ? "" : why);
	fflush(stdout);
	if (!*ok) {
		size_t used = strlen(failed);

		snprintf(failed + used, flen - used, "%s%s/%s/%u", used ? ", " : "", pc->p->name,
			 pc->backing, pc->ncpus);
	}
	return FB_OK;
}

static unsigned cpus_allowed(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return (unsigned)CPU_COUNT(&set);
}

static bool in_list(const char *list, const char *word)
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

static int check_opts(const struct selftest_opts *o)
{
	char word[64];

	for (const char *p = o->presets; *p;) {
		size_t len = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), p);
		if (!selftest_preset(word))
			return fb_usage(
			    "option '--presets': '%s' is not nopage, pf1, pf2, pf3 or pf4", word);
		p += len + (p[len] == ',');
	}
	for (const char *p = o->backings; *p;) {
		size_t len = strcspn(p, ",");

		snprintf(word, sizeof(word), "%.*s", (int)(len < 63 ? len : 63), p);
		if (strcmp(word, "tmpfs") && strcmp(word, "file"))
			return fb_usage("option '--backings': '%s' is not tmpfs or file", word);
		p += len + (p[len] == ',');
	}
	return FB_OK;
}

static int dump(FILE *f, const void *doc)
{
	return fb_json_dumpf(doc, f, JSON_INDENT(1));
}

static json_t *header_json(const struct selftest_opts *o, const char *dir)
{
	json_t *d = json_object(), *b = json_object();
	struct topo *t = NULL;
	char now[32];

	fb_utc_now(now, sizeof(now), true);
	json_object_set_new(d, "selftest_version", json_integer(1));
	json_object_set_new(d, "faultbench_version", json_string(fb_version));
	json_object_set_new(d, "start_time", json_string(now));
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

static int run_all(const struct selftest_opts *o, const char *dir, const char *workdir,
		   json_t *points, char *failed, size_t flen)
{
	unsigned counts[2] = { 1, cpus_allowed() };
	int ret = FB_OK;

	for (const struct selftest_preset *p = selftest_presets; p->name && !ret; p++) {
		if (!in_list(o->presets, p->name))
			continue;
		for (int f = 0; f < 2 && !ret; f++) {
			const char *backing = f ? "file" : "tmpfs";

			if (!in_list(o->backings, backing))
				continue;
			if (!p->file && f && in_list(o->backings, "tmpfs"))
				continue; /* anonymous memory: once is enough */
			for (unsigned c = 0; c < 2 && !ret; c++) {
				struct point_ctx pc = { .o = o,
							.p = p,
							.ncpus = counts[c],
							.backing = p->file ? backing : "anon",
							.file_dir = f ? dir : o->tmpfs_dir,
							.workdir = workdir };
				bool ok = true;

				if (c && counts[1] == 1)
					break;
				ret = run_point(&pc, points, &ok, failed, flen);
				if (ret == FB_SKIP)
					ret = FB_OK;
			}
		}
	}
	return ret;
}

int cmd_selftest(int argc, char **argv)
{
	struct selftest_opts o;
	struct opt_binding b = { selftest_options, &o };
	char failed[4096] = "", stamp[32], *workdir, *stem, *written = NULL;
	json_t *doc, *points;
	const char *dir;
	int npos, ret, wret;

	ret = opt_parse_command(&b, argc, argv, false, usage, &npos);
	if (ret < 0)
		return FB_OK;
	if (!ret && npos > 1)
		ret = usage(stderr);
	if (!ret)
		ret = check_opts(&o);
	if (ret)
		return ret;
	dir = o.dir ? o.dir : o.output;
	fb_utc_now(stamp, sizeof(stamp), false);
	stem = xasprintf("selftest-%s", stamp);
	workdir = xasprintf("%s/%s", o.output, stem);
	ret = mkdir_p(workdir);
	if (!ret && strcmp(dir, o.output))
		ret = mkdir_p(dir);
	if (ret) {
		ret = fb_fail("selftest: cannot create '%s': %s", workdir, strerror(-ret));
		goto out;
	}
	fb_install_signal_handlers();
	doc = header_json(&o, dir);
	points = json_array();
	json_object_set_new(doc, "points", points);
	printf("# faultbench selftest: harness / bare loop, pages/s and pages per fault; bounds "
	       "+-%.0f%% and %.1f%%\n",
	       100 * o.bound, 100 * o.count_bound);
	ret = run_all(&o, dir, workdir, points, failed, sizeof(failed));
	json_object_set_new(doc, "complete", json_boolean(ret == FB_OK));
	json_object_set_new(doc, "ok", json_boolean(ret == FB_OK && !failed[0]));
	json_object_set_new(doc, "failed", json_string(failed));
	wret = fb_write_file(o.output, stem, ".json", FB_NEW_UNIQUE, dump, doc, &written);
	json_decref(doc);
	if (wret)
		fb_fail("selftest: cannot write into '%s': %s", o.output, strerror(-wret));
	else
		printf("selftest: written to %s (the harness's results in %s/)\n", written,
		       workdir);
	if (!ret && failed[0])
		ret = fb_fail("selftest: faultbench does not measure what a bare loop measures: %s",
			      failed);
	else if (!ret && wret)
		ret = FB_FAIL;
out:
	free(written);
	free(workdir);
	free(stem);
	return ret;
}
