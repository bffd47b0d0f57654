// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the engine's step data (engine/step.c), the generic derived
 * metrics (engine/results.c) and the result file round trip: what the engine
 * writes is what the analysis side (analysis/resultset.c) reads, in the same
 * schema version, and version 1 files are brought up to date on reading.
 * Fake benchmarks and samples only: nothing here runs a worker.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench.h"
#include "results.h"
#include "resultset.h"
#include "util.h"

struct fake_params {
	unsigned kind; /* a matrix option: each chosen value a variant */
	long long size;
};

static const struct opt fake_opts[] = { { .name = "kind",
					  .type = OPT_ENUMSET,
					  .def = "a",
					  .choices = "a|b",
					  .help = "variants",
					  .off = offsetof(struct fake_params, kind),
					  .matrix = true },
					{ .name = "size",
					  .type = OPT_INT,
					  .def = "4",
					  .help = "a plain option",
					  .off = offsetof(struct fake_params, size) },
					OPT_END };

static const struct bench fake_bench = {
	.name = "fake",
	.summary = "a benchmark that never runs",
	.opts = fake_opts,
	.params_size = sizeof(struct fake_params),
	.counters = { "pages", "rounds" },
	.ratio_metric = "pages/s",
};

/*
 * Two workers, two samples of 0.5 s and 1 s: worker i counts 100 * (i + 1)
 * pages and 10 faults per sample, so the step's totals are known by hand.
 */
static void fake_step(struct step_result *r)
{
	static const double t[] = { 0.5, 1.0 };

	memset(r, 0, sizeof(*r));
	r->ncpus = 2;
	r->pus = xcalloc(2, sizeof(unsigned));
	r->pus[1] = 1;
	r->what = "2 CPUs";
	r->nsamples = 2;
	r->samples = xcalloc(2, sizeof(*r->samples));
	r->extra = json_object();
	r->complete = true;
	snprintf(r->variant, sizeof(r->variant), "a");
	for (unsigned s = 0; s < 2; s++) {
		struct sample *smp = &r->samples[s];

		smp->t = t[s];
		smp->count = xcalloc(2, sizeof(*smp->count));
		smp->minflt = xcalloc(2, sizeof(uint64_t));
		smp->majflt = xcalloc(2, sizeof(uint64_t));
		smp->cpu = xcalloc(2, sizeof(int32_t));
		for (unsigned w = 0; w < 2; w++) {
			smp->count[w][0] = 100 * (w + 1);
			smp->count[w][1] = 1;
			smp->minflt[w] = 10;
		}
	}
}

static void test_step_metrics(void **state)
{
	struct step_result r;
	struct metric *m;

	fake_step(&r);
	m = step_add_metric(&r, "x", false);
	assert_int_equal(m->n, 2);
	m->v[1] = 7;
	assert_ptr_equal(step_metric(&r, "x"), &r.metrics[0]);
	assert_null(step_metric(&r, "y"));
	/* sample 1: 300 pages in 1 s, sample 0: 300 pages in 0.5 s */
	assert_true(sample_rate(&r, 0, 0) == 600);
	assert_true(sample_rate(&r, 1, 0) == 300);
	step_result_free(&r);
	assert_int_equal(r.nmetrics, 0);
	assert_null(r.samples);
}

static void test_derived_metrics(void **state)
{
	struct step_result r;

	fake_step(&r);
	results_derive_metrics(&r, &fake_bench);
	/* totals over the whole interval: 600 pages, 40 faults in 1.5 s */
	assert_true(fabs(step_metric(&r, "pages/s")->value - 400) < 1e-9);
	assert_true(fabs(step_metric(&r, "faults/s")->value - 40 / 1.5) < 1e-9);
	assert_true(fabs(step_metric(&r, "pages/fault")->value - 15) < 1e-9);
	assert_true(fabs(step_metric(&r, "pages/s/cpu")->value - 200) < 1e-9);
	assert_true(fabs(step_metric(&r, "rounds/s")->value - 4 / 1.5) < 1e-9);
	/* per sample, not the whole interval's */
	assert_true(step_metric(&r, "pages/s")->v[0] == 600);
	assert_true(step_metric(&r, "pages/s")->v[1] == 300);
	/* no major fault anywhere: no majfaults/s row */
	assert_null(step_metric(&r, "majfaults/s"));
	step_result_free(&r);
}

static char tmpdir[] = "/tmp/fb-test-results.XXXXXX";

static void fake_run(struct run *run, struct run_opts *ro, struct fake_params *p,
		     struct step_result *steps)
{
	static char *argv[] = { "faultbench", "run", "fake", NULL };

	opt_set_defaults(run_options, ro);
	opt_set_defaults(fake_opts, p);
	ro->label = "unit";
	fake_step(&steps[0]);
	results_derive_metrics(&steps[0], &fake_bench);
	*run = (struct run){ .bench = &fake_bench,
			     .params = p,
			     .ro = ro,
			     .argc = 3,
			     .argv = argv,
			     .nsteps = 1,
			     .steps = steps,
			     .complete = true };
	snprintf(run->start_time, sizeof(run->start_time), "2026-12-02T11:00:00Z");
	snprintf(run->end_time, sizeof(run->end_time), "2026-12-02T11:00:02Z");
}

static void test_round_trip(void **state)
{
	struct run run;
	struct run_opts ro;
	struct fake_params p;
	struct step_result steps[1];
	char *path = NULL, *target;
	json_t *doc, *step, *m;

	assert_non_null(mkdtemp(tmpdir));
	fake_run(&run, &ro, &p, steps);
	target = xasprintf("%s/one.json", tmpdir);
	assert_int_equal(results_write(&run, target, NULL, &path), FB_OK);
	assert_string_equal(path, target);

	doc = rs_load_file(path);
	assert_non_null(doc);
	/* the engine's schema is the one the analysis side reads */
	assert_int_equal(FB_SCHEMA_VERSION, RS_SCHEMA_VERSION);
	assert_int_equal(json_integer_value(json_object_get(doc, "schema_version")),
			 FB_SCHEMA_VERSION);
	assert_string_equal(json_string_value(json_object_get(doc, "bench")), "fake");
	assert_string_equal(json_string_value(json_object_get(doc, "label")), "unit");
	assert_string_equal(json_string_value(json_object_get(doc, "ratio_metric")), "pages/s");
	assert_int_equal(json_array_size(json_object_get(doc, "matrix_options")), 1);
	assert_string_equal(
	    json_string_value(json_array_get(json_object_get(doc, "matrix_options"), 0)), "kind");
	step = json_array_get(json_object_get(doc, "steps"), 0);
	m = json_object_get(json_object_get(step, "metrics"), "pages/s");
	/* doubles come back bit for bit */
	assert_true(json_real_value(json_object_get(m, "value")) ==
		    step_metric(&steps[0], "pages/s")->value);
	assert_true(json_number_value(json_array_get(json_object_get(m, "samples"), 0)) == 600);
	json_decref(doc);

	/* never over an existing file */
	assert_int_not_equal(results_write(&run, target, NULL, NULL), FB_OK);
	unlink(path);
	rmdir(tmpdir);
	free(path);
	free(target);
	step_result_free(&steps[0]);
}

/* A version 1 file without matrix_options: the steps' variants name them. */
static void test_v1_upgrade(void **state)
{
	static const char v1[] =
	    "{\"schema_version\": 1, \"bench\": \"dio\", \"label\": \"old\","
	    " \"params\": {\"buffer\": \"thp,4k\", \"driver\": \"file\", \"n\": 3},"
	    " \"steps\": [{\"variant\": \"thp/own\"}, {\"variant\": \"4k/own\"}]}";
	char path[] = "/tmp/fb-test-v1.XXXXXX";
	int fd = mkstemp(path);
	json_t *doc, *list;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, v1, sizeof(v1) - 1), (ssize_t)sizeof(v1) - 1);
	close(fd);
	doc = rs_load_file(path);
	unlink(path);
	assert_non_null(doc);
	list = json_object_get(doc, "matrix_options");
	assert_int_equal(json_array_size(list), 1);
	assert_string_equal(json_string_value(json_array_get(list, 0)), "buffer");
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_step_metrics),
		cmocka_unit_test(test_derived_metrics),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_v1_upgrade),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
