/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "faultbench selftest" (cmd/selftest.c): does the harness measure what a
 * bare loop of the same pattern measures, on this machine and filesystem?
 * This holds the bare loop (a few lines of mmap, touch, munmap, timed with
 * clock_gettime and counted with getrusage, none of the harness's code) and
 * the rules that judge a point.  docs/selftest.md says why and how.
 */
#ifndef FB_SELFTEST_H
#define FB_SELFTEST_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* One preset as the bare loop runs it: must be the preset's pattern (unit-tested). */
struct selftest_preset {
	const char *name; /* "pf3": a preset of bench/registry.c */
	bool file;	  /* backed by a file: tmpfs and --dir; else anonymous */
	bool shared;	  /* MAP_SHARED */
	bool write;	  /* store, else load */
	bool same;	  /* every worker maps one file (--sharing=same) */
	size_t size;	  /* the preset's --size */
};

extern const struct selftest_preset selftest_presets[]; /* NULL name ends it */
const struct selftest_preset *selftest_preset(const char *name);

struct bare_result {
	double pages_per_s;	/* sum over the threads of pages / their window */
	uint64_t pages, faults; /* in the windows, all threads */
	uint64_t cpu_ns;	/* the threads' CPU time in their windows (thread CPU clock) */
};

/* What bare_loop_run() runs. */
struct bare_spec {
	const struct selftest_preset *p;
	const char *dir; /* where its files go (ignored for anonymous memory) */
	size_t size;	 /* bytes per pass; 0: the preset's */
	const unsigned *cpus;
	unsigned n;	     /* threads, thread i pinned to cpus[i] */
	double warmup, secs; /* seconds of warm-up, then of whole passes counted */
	/*
	 * -1: no perf counter anywhere near it (the bare loop proper); else an
	 * enum counters_mode: the counters a harness worker gets (evidence_create()
	 * with it) opened on each thread before it starts, as the runner does.
	 */
	int counters;
};

/*
 * Run the pattern in s->n threads: each passes "mmap, touch every page,
 * munmap" for s->warmup seconds, then counts whole passes for s->secs more.
 * 0 or -errno (*what names the step).
 */
int bare_loop_run(const struct bare_spec *s, struct bare_result *out, const char **what);

/*
 * The same in a child process of its own, so that the perf counters it
 * opens (and the static keys evidence_create() holds for the life of a
 * process) are gone when it ends: rounds with and without them can follow
 * each other.  0 or -errno (*what names the step).
 */
int bare_loop_fork(const struct bare_spec *s, struct bare_result *out, const char **what);

/* The measured figures of one point (a preset, a backing, a CPU count), medians of rounds. */
struct selftest_point {
	double ratio;		/* harness pages/s / bare pages/s */
	double harness_ppf;	/* pages per fault, harness (its samples) */
	double bare_ppf;	/* pages per fault, bare loop (its window) */
	double unsampled;	/* harness's faults outside its samples, share; NAN unknown */
	double bare_spread;	/* the bare loop's rounds: max / min pages/s - 1; 0 with one */
	double bare_ppf_spread; /* the same of their pages per fault */
	double cpu_ratio; /* bare CPU ns per page / harness's: below 1, the harness costs CPU */
};

/* A point's verdict. */
enum selftest_verdict { SELFTEST_FAIL, SELFTEST_OK, SELFTEST_UNSTEADY };

/*
 * Judge a point: SELFTEST_OK when the ratio is within 1 +- ratio_bound and
 * pages per fault agree within count_bound (relative); SELFTEST_UNSTEADY
 * when either is outside its bound but inside the bare loop's own
 * round-to-round spread (a difference the rounds cannot resolve);
 * SELFTEST_FAIL otherwise.  why says what ("pages/s ratio 0.52 outside
 * 0.90-1.10", "pages/fault 11.80 vs 1.00").
 */
enum selftest_verdict selftest_judge(const struct selftest_point *pt, double ratio_bound,
				     double count_bound, char *why, size_t len);

/* The options of one selftest, as its table (cmd/selftest.c) fills them. */
struct selftest_opts {
	const char *dir, *tmpfs_dir, *output, *presets, *backings;
	unsigned long long size;
	double time, warmup, bound, count_bound;
	long long rounds;
	int measure;  /* enum selftest_measure */
	int counters; /* 0: the run's default; else 1 + enum counters_mode (--counters) */
};

/* --measure: the harness against the bare loop, or the perf counters' cost. */
enum selftest_measure { MEASURE_HARNESS, MEASURE_COUNTERS };

#define SELFTEST_MAX_ROUNDS 50

/* One point being measured: a preset, a backing and a CPU count. */
struct selftest_ctx {
	const struct selftest_opts *o;
	const struct selftest_preset *p;
	const char *backing;  /* "tmpfs", "file" or "anon" */
	const char *file_dir; /* where the files go */
	unsigned ncpus;
	const char *workdir; /* the harness's result files */
};

/* The CPUs this process may use, in order, into cpus[CPU_SETSIZE]; their count. */
unsigned selftest_cpus_allowed(unsigned *cpus);
/* "presets" and "backings" of o: FB_OK, or FB_USAGE after naming the bad word. */
int selftest_check_opts(const struct selftest_opts *o);
/* Is word one of the comma list's items? */
bool selftest_in_list(const char *list, const char *word);
/* The JSON document's header: version, options, bounds, the machine. */
json_t *selftest_header_json(const struct selftest_opts *o, const char *dir);

/* ---- the harness side (bench/selftest_harness.c) ---- */

/* "faultbench run PRESET ..." of one round: argv[] and the strings it owns. */
struct harness_cmd {
	const char *argv[32];
	char *owned[4];
	char num[5][32];
};
/* Fill c with the command that writes its result to path. */
void harness_cmd_build(struct harness_cmd *c, const struct selftest_ctx *pc, const char *path);
void harness_cmd_free(struct harness_cmd *c);

/* One harness run's figures, from its result file. */
struct harness_fig {
	double pages_per_s, ppf, unsampled_share;
	/*
	 * The workers' CPU time per page counted: their thread CPU clocks (the
	 * interference share of each sample times its length), the clock the
	 * bare loop reads; NAN without interference figures.
	 */
	double cpu_ns_per_page;
	unsigned pus[CPU_SETSIZE];
	unsigned npus;
};
/* FB_OK, or FB_FAIL after saying what the file lacks. */
int harness_read(const char *path, struct harness_fig *h);
/* A point's medians over its nr rounds h[i] and b[i]. */
void harness_summarize(const struct harness_fig *h, const struct bare_result *b, unsigned nr,
		       struct selftest_point *pt);
/* The point's figures and verdict into its JSON object pj. */
void harness_point_json(json_t *pj, const struct selftest_point *pt, enum selftest_verdict v,
			const char *why);
/* One round's figures as the selftest's JSON keeps them. */
json_t *harness_round_json(const struct harness_fig *h, const struct bare_result *b);

/* ---- the perf counters' cost (bench/selftest_cost.c, --measure=counters) ---- */

/*
 * The arms of a round: the bare loop with no perf counter (what a worker of
 * --counters=none has), and with the counters of minimal and of full.
 */
enum { COST_NONE, COST_MINIMAL, COST_FULL, COST_ARMS };
extern const char *const cost_arm_names[COST_ARMS];

/* The arm run k-th (0..COST_ARMS-1) in round i: forwards, then backwards (ABC CBA). */
unsigned cost_arm_order(unsigned round, unsigned k);

/* A point's figures over its rounds: medians, and against the arm without counters. */
struct cost_fig {
	double ns_per_fault[COST_ARMS]; /* CPU ns per fault, median of rounds */
	double ppf[COST_ARMS];		/* pages per fault, median */
	double extra_ns[COST_ARMS];	/* median of the rounds' ns/fault - none's */
	double rate_ratio[COST_ARMS];	/* median of the rounds' pages/s over none's */
};
void cost_summarize(const struct bare_result (*r)[COST_ARMS], unsigned nrounds, struct cost_fig *f);

/*
 * A point's object in points[]: its preset, backing, CPU count and rounds
 * (an array the caller fills); returned borrowed from points.
 */
json_t *selftest_point_json(const struct selftest_ctx *pc, json_t *rounds, json_t *points);

/* Measure one point (rounds of every arm, on cpus) into points[]; FB_OK or an error. */
int cost_point(const struct selftest_ctx *pc, const unsigned *cpus, json_t *points);

#endif
