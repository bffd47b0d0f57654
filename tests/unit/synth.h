/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Synthetic result documents for the unit tests of the analysis side
 * (compare, verdicts, noise models): the schema of engine/results.h, one metric,
 * steps for each CPU count x repeat.  Static functions: each test binary
 * includes its own copy.
 */
#ifndef FB_TEST_SYNTH_H
#define FB_TEST_SYNTH_H

#include <string.h>
#include <jansson.h>

#include "resultset.h"

/* A result document: steps for each CPU count x repeat, one metric. */
static inline json_t *synth(const char *label, const char *metric, bool hb, const unsigned *ncpus,
			    unsigned nsteps, unsigned nrep, const double *values,
			    const char *variant)
{
	json_t *doc = json_object(), *steps = json_array(), *params = json_object();
	json_t *sys = json_object(), *run = json_object();
	unsigned r, s, idx = 0;

	json_object_set_new(doc, "schema_version", json_integer(1));
	json_object_set_new(doc, "label", json_string(label));
	json_object_set_new(doc, "bench", json_string("fault"));
	json_object_set_new(doc, "preset", json_string("pf1"));
	json_object_set_new(params, "size", json_integer(1 << 26));
	json_object_set_new(params, "backing", json_string("anon"));
	json_object_set_new(doc, "params", params);
	json_object_set_new(run, "mode", json_string("threads"));
	json_object_set_new(run, "samples", json_integer(5));
	json_object_set_new(doc, "run", run);
	json_object_set_new(sys, "hostname", json_string("testhost"));
	json_object_set_new(sys, "date", json_string("2026-11-01T02:00:00Z"));
	json_object_set_new(doc, "system", sys);
	for (r = 0; r < nrep; r++)
		for (s = 0; s < nsteps; s++) {
			json_t *st = json_object(), *ms = json_object(), *m = json_object();

			json_object_set_new(st, "index", json_integer(idx++));
			json_object_set_new(st, "repeat", json_integer(r));
			json_object_set_new(st, "variant", json_string(variant ? variant : ""));
			json_object_set_new(st, "ncpus", json_integer(ncpus[s]));
			json_object_set_new(st, "complete", json_true());
			json_object_set_new(m, "value", json_real(values[s * nrep + r]));
			json_object_set_new(m, "higher_better", json_boolean(hb));
			json_object_set_new(ms, metric, m);
			json_object_set_new(st, "metrics", ms);
			json_array_append_new(steps, st);
		}
	json_object_set_new(doc, "steps", steps);
	return doc;
}

/* A one-document RUN around doc (the test keeps ownership of doc). */
static inline void one_run(struct resultset *rs, json_t **doc, char **path, const char *label)
{
	memset(rs, 0, sizeof(*rs));
	rs->label = (char *)label;
	rs->arg = (char *)label;
	rs->n = 1;
	rs->docs = doc;
	rs->paths = path;
}

/* A RUN of n documents (n runs), labelled by the first; the test keeps ownership. */
static inline void n_runs(struct resultset *rs, json_t **docs, char **paths, unsigned n)
{
	memset(rs, 0, sizeof(*rs));
	rs->label = (char *)json_string_value(json_object_get(docs[0], "label"));
	rs->arg = rs->label;
	rs->n = n;
	rs->docs = docs;
	rs->paths = paths;
}

#endif
