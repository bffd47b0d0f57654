/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The between-run noise model of a machine: for each benchmark, variant,
 * step and metric, how much the value of one run (one invocation, for a
 * kernel one boot) varies from run to run when nothing changed.  Kernels are
 * always compared across runs, so this, not the spread of the repeats inside
 * one run, is what a difference must beat before it earns a star.
 *
 * A model is a JSON file (in results/noise/ by default) written by
 * 'faultbench noise' from K runs of one kernel; this file only loads, saves
 * and matches models: deriving one is the analysis side's job.
 */
#ifndef FB_NOISE_H
#define FB_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define NOISE_SCHEMA 1
/* A model file larger than this is refused: the largest real one is well under 1 MB. */
#define NOISE_MAX_BYTES (16u << 20)

/* One row of the model. */
struct noise_entry {
	char *name;    /* preset or benchmark: "nopage" */
	char *variant; /* "" or "same" */
	unsigned ncpus;
	char *metric;	   /* "pages/s" */
	bool log_scale;	   /* variances are of log values (rates) */
	double var_run;	   /* variance of a run's value, with `repeats` repeats a run */
	double df_run;	   /* its degrees of freedom: runs - 1 */
	double var_within; /* variance of one repeat around its run's value */
	double df_within;
	double repeats; /* mean repeats a run in the model's runs */
	unsigned runs;
};

struct noise_model {
	char *path;
	char *hostname, *cpu_model, *kernel, *date, *version;
	json_t *params; /* per name: the benchmark parameters measured */
	/*
	 * What the model was measured under (noise_conditions()): its runs and how
	 * many were left out as disturbed, the worst interference figures of the
	 * runs (when their results record them), load, kernels, settings.  Owned.
	 */
	json_t *conditions;
	unsigned runs; /* result files behind the model (0: an older model) */
	unsigned n;
	struct noise_entry *e;
};

struct noise_models {
	unsigned n;
	struct noise_model *m;
};

/*
 * The --noise option of compare, check and history: one definition, one
 * help text.  NOISE_DEFAULT may be missing (no models); "none" loads none.
 */
#define NOISE_DEFAULT "results/noise"
#define OPT_NOISE(offset)                                                                          \
	{                                                                                          \
		.name = "noise", .type = OPT_STR, .def = NOISE_DEFAULT, .off = (offset),           \
		.help = "the machine's between-run noise model: a file, or a directory of them "   \
			"('faultbench noise'); 'none': the runs alone"                             \
	}
/* Load what --noise names; FB_OK or FB_USAGE with a message. */
int noise_load_option(struct noise_models *ms, const char *value);

/*
 * Load a model file, or every model file in a directory.  A missing
 * directory is no error (no models); a file that is not a model is.
 * FB_OK or FB_USAGE with a message.
 */
int noise_load(struct noise_models *ms, const char *path, bool must_exist);
void noise_free(struct noise_models *ms);
/* A model from its file's text (the fuzz target's entry): FB_OK or FB_USAGE. */
int noise_parse(struct noise_models *ms, const char *path, const char *text, size_t len);

/*
 * The model entry for a row of results measured on doc's machine with doc's
 * parameters: same hostname and CPU model, same benchmark parameters, same
 * name, variant, CPU count and metric.  The newest model wins.  NULL if none.
 */
const struct noise_entry *noise_find(const struct noise_models *ms, json_t *doc, const char *name,
				     const char *variant, unsigned ncpus, const char *metric,
				     const struct noise_model **model);

/* The variance of a run's value with this many repeats: between + within / repeats. */
double noise_var_for(const struct noise_entry *e, double repeats);
/*
 * The run-to-run figure people read, in percent (log scale: about the
 * coefficient of variation of a run's value), for runs of `repeats` repeats
 * (< 1: the model's own).  noise, compare and history print this one
 * figure; NAN for a plain-scale entry.
 */
double noise_run_pct(const struct noise_entry *e, double repeats);

/*
 * Why no entry of the models fits this row, in words ("the model is of host
 * big1, these runs of host small2"), into buf; false when one fits.
 */
bool noise_why_unmatched(const struct noise_models *ms, json_t *doc, const char *name,
			 const char *variant, unsigned ncpus, const char *metric, char *buf,
			 size_t len);

/* A new model for the machine of doc (hostname, CPU model, kernel). */
void noise_model_init(struct noise_model *m, json_t *doc);
void noise_model_add(struct noise_model *m, const struct noise_entry *e, json_t *params);
/* Write the model to path (never over an existing file), taking sources (may be NULL): FB_OK or
 * FB_FAIL. */
int noise_save(const struct noise_model *m, const char *path, json_t *sources);
void noise_model_free(struct noise_model *m);

struct resultset;
/*
 * A new model's conditions (struct noise_model) from the runs it is derived
 * from: the worst interference figures of their steps, the runs disturbed,
 * the kernels, the settings of the first; loadavg the load at derivation
 * (NAN: unknown, left out).  New reference.
 */
json_t *noise_conditions(const struct resultset *all, double loadavg);
/* The paths of the runs, as the model's "sources". New reference. */
json_t *noise_sources(const struct resultset *all);

#endif
