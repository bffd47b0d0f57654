// SPDX-License-Identifier: GPL-2.0
/*
 * Every fault accounted for (faultacct.h): sums of the samples' per-worker
 * fault deltas against each worker's own final count.
 *
 * Why the final count is the worker's getrusage(RUSAGE_THREAD) after its
 * teardown: a new thread or forked process starts at zero faults, so that
 * figure is everything the worker took in its life, first touch and munmap
 * included; the runner cross-checks it against /proc (final_faults_proc).
 */
#include <sys/resource.h>

#include "faultacct.h"

static uint64_t sampled_faults(const struct step_result *r, unsigned w)
{
	uint64_t sum = 0;

	for (unsigned s = 0; s < r->nsamples; s++)
		if (r->samples[s].minflt && r->samples[s].majflt)
			sum += r->samples[s].minflt[w] + r->samples[s].majflt[w];
	return sum;
}

static json_t *count_or_null(bool known, uint64_t v)
{
	return known ? json_integer((json_int_t)v) : json_null();
}

json_t *fault_acct_step_json(const struct step_result *r, const struct fault_marks *m, unsigned n)
{
	uint64_t sampled = 0, before = 0, between = 0, after = 0, total = 0;
	json_t *o = json_object(), *per = json_array();
	bool known = n > 0;

	for (unsigned w = 0; w < n; w++) {
		uint64_t ws = sampled_faults(r, w);
		/* a count that went backwards is not a count: leave it unknown */
		bool ok = m[w].final_known && m[w].final >= m[w].last && m[w].last >= m[w].first &&
			  m[w].last - m[w].first >= ws;
		json_t *pw = json_object();

		sampled += ws;
		known &= ok;
		if (ok) {
			before += m[w].first;
			between += m[w].last - m[w].first - ws;
			after += m[w].final - m[w].last;
			total += m[w].final;
		}
		json_object_set_new(pw, "sampled", json_integer((json_int_t)ws));
		json_object_set_new(pw, "unsampled", count_or_null(ok, ok ? m[w].final - ws : 0));
		json_array_append_new(per, pw);
	}
	json_object_set_new(o, "sampled", json_integer((json_int_t)sampled));
	json_object_set_new(o, "unsampled", count_or_null(known, total - sampled));
	json_object_set_new(o, "total", count_or_null(known, total));
	json_object_set_new(o, "before_samples", count_or_null(known, before));
	json_object_set_new(o, "between_samples", count_or_null(known, between));
	json_object_set_new(o, "after_samples", count_or_null(known, after));
	json_object_set_new(o, "per_worker", per);
	return o;
}

static uint64_t count_of(const json_t *o, const char *key, bool *known)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v)) {
		*known = false;
		return 0;
	}
	return (uint64_t)json_integer_value(v);
}

json_t *fault_acct_run_json(const struct step_result *steps, unsigned nsteps,
			    uint64_t process_faults)
{
	uint64_t sampled = 0, unsampled = 0;
	bool known = true;
	json_t *o = json_object();

	for (unsigned i = 0; i < nsteps; i++) {
		const json_t *f = json_object_get(steps[i].extra, "faults");

		if (!f) /* a benchmark that runs its own step (run_step): no workers to count */
			continue;
		sampled += count_of(f, "sampled", &known);
		unsampled += count_of(f, "unsampled", &known);
	}
	known &= process_faults >= sampled + unsampled;
	json_object_set_new(o, "workers_sampled", json_integer((json_int_t)sampled));
	json_object_set_new(o, "workers_unsampled", count_or_null(known, unsampled));
	json_object_set_new(o, "harness",
			    count_or_null(known, process_faults - sampled - unsampled));
	json_object_set_new(o, "total", json_integer((json_int_t)process_faults));
	json_object_set_new(o, "counted_until", json_string("the result was made"));
	return o;
}

uint64_t fault_acct_process_faults(void)
{
	struct rusage self, children;

	if (getrusage(RUSAGE_SELF, &self) || getrusage(RUSAGE_CHILDREN, &children))
		return 0;
	return (uint64_t)(self.ru_minflt + self.ru_majflt + children.ru_minflt +
			  children.ru_majflt);
}
