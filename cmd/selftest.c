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
 * files beside it.  --measure=counters measures instead what the harness's
 * per-worker perf counters cost the bare loop per fault (bench/selftest_cost.c).
 * The pieces live in bench/selftest*.c, unit-tested there.
 */
#include <jansson.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmds.h"
#include "jsonfile.h"
#include "opt.h"
#include "selftest.h"
#include "spawn.h"
#include "util.h"

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
	  .max = SELFTEST_MAX_ROUNDS,
	  .off = S(rounds),
	  .help = "harness/bare-loop pairs per point, alternating order" },
	{ .name = "measure",
	  .type = OPT_ENUM,
	  .def = "harness",
	  .choices = "harness|counters",
	  .off = S(measure),
	  .help = "harness: faultbench run against the bare loop (pass/fail); counters: what "
		  "the per-worker perf counters of --counters=minimal and full cost the bare "
		  "loop per fault (figures only)" },
	{ .name = "counters",
	  .type = OPT_ENUM,
	  .def = "default",
	  .choices = "default|full|minimal|none",
	  .off = S(counters),
	  .help = "--counters for the harness's runs (default: run's own default)" },
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

/* "faultbench run PRESET ..." into workdir/NAME.json; its exit status. */
static int run_harness(const struct selftest_ctx *pc, unsigned round, char **path, char **why)
{
	struct harness_cmd c;
	int code;
	struct spawn sp = { .argv = c.argv,
			    .file = "/proc/self/exe",
			    .pass_interrupt = true,
			    .out = { SPAWN_NULL },
			    .err = { SPAWN_CAPTURE } };

	*path = xasprintf("%s/%s-%s-%ucpu-r%u.json", pc->workdir, pc->p->name, pc->backing,
			  pc->ncpus, round + 1);
	unlink(*path); /* a result is never overwritten: a rerun into the same name */
	harness_cmd_build(&c, pc, *path);
	code = spawn_run(&sp);
	*why = NULL;
	if (code && sp.err_buf) {
		char *nl = strchr(sp.err_buf, '\n');

		if (nl)
			*nl = '\0';
		*why = xstrdup(sp.err_buf);
	}
	spawn_clear(&sp);
	harness_cmd_free(&c);
	return code;
}

static int run_bare(const struct selftest_ctx *pc, const struct harness_fig *h,
		    struct bare_result *b)
{
	const char *what;
	struct bare_spec s = { .p = pc->p,
			       .dir = pc->file_dir,
			       .size = pc->o->size,
			       .cpus = h->pus,
			       .n = h->npus,
			       .warmup = pc->o->warmup,
			       .secs = pc->o->time,
			       .counters = -1 };
	int ret = bare_loop_run(&s, b, &what);

	if (ret)
		return fb_fail("selftest: bare loop %s %s: cannot %s: %s", pc->p->name, pc->backing,
			       what, strerror(-ret));
	return FB_OK;
}

/*
 * One point: rounds of both, alternating which goes first (the bare loop
 * needs the PUs the harness planned, so round 1 starts with the harness).
 * FB_OK (its verdict added to the lists), FB_SKIP when the harness cannot
 * run it here, or an error.
 */
struct verdict_lists {
	char failed[2048], unsteady[2048]; /* "pf3/file/2, ..." */
};

static void list_point(char *list, size_t len, const struct selftest_ctx *pc)
{
	size_t used = strlen(list);

	snprintf(list + used, len - used, "%s%s/%s/%u", used ? ", " : "", pc->p->name, pc->backing,
		 pc->ncpus);
}

static int run_point(const struct selftest_ctx *pc, json_t *points, struct verdict_lists *vl)
{
	enum selftest_verdict v;
	struct harness_fig h[SELFTEST_MAX_ROUNDS];
	struct bare_result b[SELFTEST_MAX_ROUNDS];
	struct selftest_point pt;
	unsigned nr = (unsigned)pc->o->rounds;
	json_t *rounds = json_array(), *pj = selftest_point_json(pc, rounds, points);
	char why[256];
	int ret = FB_OK;

	for (unsigned i = 0; i < nr && !ret; i++) {
		char *path = NULL, *err = NULL;
		bool bare_first = i % 2 && i > 0;
		int code;

		if (bare_first)
			ret = run_bare(pc, &h[i - 1], &b[i]);
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
			ret = harness_read(path, &h[i]);
		if (!ret && !bare_first)
			ret = run_bare(pc, &h[i], &b[i]);
		if (!ret) {
			json_t *rj = harness_round_json(&h[i], &b[i]);

			json_object_set_new(rj, "harness_result", json_string(path));
			json_array_append_new(rounds, rj);
		}
		free(err);
		free(path);
		if (fb_interrupted)
			ret = 128 + fb_interrupted;
	}
	if (ret)
		return ret;
	harness_summarize(h, b, nr, &pt);
	v = selftest_judge(&pt, pc->o->bound, pc->o->count_bound, why, sizeof(why));
	harness_point_json(pj, &pt, v, why);
	printf("%-6s %-5s %3u CPUs  ratio %6.3f  cost %+6.1f%%  cpu ratio %6.3f  pages/fault %8.3f "
	       "vs %8.3f  faults outside samples %5.1f%%  %s%s\n",
	       pc->p->name, pc->backing, pc->ncpus, pt.ratio, 100 * (1 - pt.ratio), pt.cpu_ratio,
	       pt.harness_ppf, pt.bare_ppf, 100 * pt.unsampled,
	       v == SELFTEST_OK	    ? "ok"
	       : v == SELFTEST_FAIL ? "FAIL: "
				    : "UNSTEADY: ",
	       why);
	fflush(stdout);
	if (v == SELFTEST_FAIL)
		list_point(vl->failed, sizeof(vl->failed), pc);
	else if (v == SELFTEST_UNSTEADY)
		list_point(vl->unsteady, sizeof(vl->unsteady), pc);
	return FB_OK;
}

static int dump(FILE *f, const void *doc)
{
	return fb_json_dumpf(doc, f, JSON_INDENT(1));
}

static int run_all(const struct selftest_opts *o, const char *dir, const char *workdir,
		   json_t *points, struct verdict_lists *vl)
{
	static unsigned cpus[CPU_SETSIZE];
	unsigned counts[2] = { 1, selftest_cpus_allowed(cpus) };
	int ret = FB_OK;

	for (const struct selftest_preset *p = selftest_presets; p->name && !ret; p++) {
		if (!selftest_in_list(o->presets, p->name))
			continue;
		for (int f = 0; f < 2 && !ret; f++) {
			const char *backing = f ? "file" : "tmpfs";

			if (!selftest_in_list(o->backings, backing))
				continue;
			if (!p->file && f && selftest_in_list(o->backings, "tmpfs"))
				continue; /* anonymous memory: once is enough */
			for (unsigned c = 0; c < 2 && !ret; c++) {
				struct selftest_ctx pc = { .o = o,
							   .p = p,
							   .ncpus = counts[c],
							   .backing = p->file ? backing : "anon",
							   .file_dir = f ? dir : o->tmpfs_dir,
							   .workdir = workdir };

				if (c && counts[1] == 1)
					break;
				ret = o->measure == MEASURE_COUNTERS ? cost_point(&pc, cpus, points)
								     : run_point(&pc, points, vl);
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
	static struct verdict_lists vl;
	char stamp[32], *workdir, *stem, *written = NULL;
	json_t *doc, *points;
	const char *dir;
	int npos, ret, wret;

	ret = opt_parse_command(&b, argc, argv, false, usage, &npos);
	if (ret < 0)
		return FB_OK;
	if (!ret && npos > 1)
		ret = usage(stderr);
	if (!ret)
		ret = selftest_check_opts(&o);
	if (ret)
		return ret;
	dir = o.dir ? o.dir : o.output;
	fb_utc_now(stamp, sizeof(stamp), false);
	stem = xasprintf("selftest-%s", stamp);
	workdir = xasprintf("%s/%s", o.output, stem);
	ret = mkdir_p(o.measure == MEASURE_COUNTERS ? o.output : workdir);
	if (!ret && strcmp(dir, o.output))
		ret = mkdir_p(dir);
	if (ret) {
		ret = fb_fail("selftest: cannot create '%s': %s", workdir, strerror(-ret));
		goto out;
	}
	fb_install_signal_handlers();
	doc = selftest_header_json(&o, dir);
	points = json_array();
	json_object_set_new(doc, "points", points);
	if (o.measure == MEASURE_COUNTERS)
		printf(
		    "# faultbench selftest --measure=counters: CPU ns per fault of the bare loop "
		    "without perf counters, and what minimal's and full's add\n");
	else
		printf("# faultbench selftest: harness / bare loop, pages/s and pages per fault; "
		       "bounds +-%.0f%% and %.1f%%\n",
		       100 * o.bound, 100 * o.count_bound);
	ret = run_all(&o, dir, workdir, points, &vl);
	json_object_set_new(doc, "complete", json_boolean(ret == FB_OK));
	json_object_set_new(doc, "ok",
			    json_boolean(ret == FB_OK && !vl.failed[0] && !vl.unsteady[0]));
	json_object_set_new(doc, "failed", json_string(vl.failed));
	json_object_set_new(doc, "unsteady", json_string(vl.unsteady));
	wret = fb_write_file(o.output, stem, ".json", FB_NEW_UNIQUE, dump, doc, &written);
	json_decref(doc);
	if (wret)
		fb_fail("selftest: cannot write into '%s': %s", o.output, strerror(-wret));
	else if (o.measure == MEASURE_COUNTERS)
		printf("selftest: written to %s\n", written);
	else
		printf("selftest: written to %s (the harness's results in %s/)\n", written,
		       workdir);
	if (vl.unsteady[0])
		fb_warn(
		    "selftest: the bare loop's own rounds differ too much to judge %s: run again "
		    "with more --rounds, on a quieter machine",
		    vl.unsteady);
	if (!ret && vl.failed[0])
		ret = fb_fail("selftest: faultbench does not measure what a bare loop measures: %s",
			      vl.failed);
	else if (!ret && wret)
		ret = FB_FAIL;
	else if (!ret && vl.unsteady[0])
		ret = FB_UNDECIDED; /* as check: this machine could not tell */
out:
	free(written);
	free(workdir);
	free(stem);
	return ret;
}
