// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the runner (engine/runner.c) with a fake benchmark: one step
 * of pinned workers in threads and in processes mode gives the samples and
 * metrics asked for; a worker that fails, or a setup that fails, ends the
 * step incomplete with the worker's own message; the hooks run in their
 * order.  Structure only: no assertion depends on how fast anything ran.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include "results.h"
#include "runner.h"
#include "util.h"

struct fake_params {
	long long fail_worker; /* -1: none; else this worker's init fails */
	bool fail_setup;
	bool sigbus; /* the loop touches a page past the end of its file */
};

/* MAP_SHARED: worker processes report through it too. */
struct fake_shared {
	int setups, teardowns, reports;
	int inits, finis;
};

static struct fake_shared *shared_page(void)
{
	struct fake_shared *sh =
	    mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	return sh;
}

static struct fake_shared *last_shared;

static int fake_setup(struct step_ctx *sc)
{
	const struct fake_params *p = sc->params;

	if (p->fail_setup)
		return fb_fail("fake: setup refused");
	last_shared->setups++;
	sc->shared = last_shared;
	return FB_OK;
}

/* A mapping of two pages over a file of one: the second page is a SIGBUS. */
static void touch_past_eof(void)
{
	FILE *f = tmpfile();
	volatile char *m;

	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), page_size()), 0);
	m = mmap(NULL, 2 * page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fileno(f), 0);
	assert_true(m != MAP_FAILED);
	m[0] = 1;
	m[page_size()] = 1; /* the worker carries on after it: an anonymous page */
	munmap((void *)m, 2 * page_size());
	fclose(f);
}

static int fake_worker_init(struct worker *w)
{
	const struct fake_params *p = w->step->params;
	struct fake_shared *sh = w->shared;

	__atomic_add_fetch(&sh->inits, 1, __ATOMIC_RELAXED);
	if (p->fail_worker == (long long)w->id)
		return worker_fail(w, "fake worker %u refused", w->id);
	/* where a full tmpfs raises it: the first touch of the worker's pages */
	if (p->sigbus && w->id == 1)
		touch_past_eof();
	return 0;
}

static void fake_worker_loop(struct worker *w)
{
	while (!worker_should_stop(w))
		worker_count(w, 0, 1);
}

static void fake_worker_fini(struct worker *w)
{
	struct fake_shared *sh = w->shared;

	__atomic_add_fetch(&sh->finis, 1, __ATOMIC_RELAXED);
}

static void fake_report(struct step_ctx *sc)
{
	last_shared->reports++;
}

static void fake_teardown(struct step_ctx *sc)
{
	last_shared->teardowns++;
}

static const struct bench fake_bench = {
	.name = "fake",
	.summary = "counts loop iterations",
	.params_size = sizeof(struct fake_params),
	.counters = { "loops" },
	.setup = fake_setup,
	.worker_init = fake_worker_init,
	.worker_loop = fake_worker_loop,
	.worker_fini = fake_worker_fini,
	.report = fake_report,
	.teardown = fake_teardown,
};

static int run_fake(int mode, unsigned nworkers, struct fake_params *p, struct step_result *r)
{
	static unsigned pus[4];
	struct run_opts ro;
	struct run_env env = { .bench = &fake_bench, .ro = &ro };
	struct cpu_step cs = { .ncpus = nworkers, .pus = pus, .what = NULL };
	struct topo *t = NULL;
	int ret;

	opt_set_defaults(run_options, &ro);
	ro.mode = mode;
	ro.samples = 2;
	ro.sample_time = 0.02;
	ro.warmup = 0;
	ro.dir = "/tmp";
	assert_int_equal(topo_load(&t, NULL), FB_OK);
	env.topo = t;
	assert_int_equal(mem_policy_parse(ro.mem, &env.mem), FB_OK);
	/* every worker on PU 0: valid on any machine, and pinning is still exercised */
	memset(pus, 0, sizeof(pus));
	last_shared = shared_page();
	ret = runner_run_step(&env, p, &cs, 0, 0, r);
	topo_free(t);
	return ret;
}

static void check_complete_step(int mode)
{
	struct fake_params p = { .fail_worker = -1 };
	struct step_result r;

	assert_int_equal(run_fake(mode, 2, &p, &r), FB_OK);
	assert_true(r.complete);
	assert_int_equal(r.ncpus, 2);
	assert_int_equal(r.nsamples, 2);
	for (unsigned s = 0; s < r.nsamples; s++) {
		assert_true(r.samples[s].t > 0);
		assert_non_null(r.samples[s].count);
		assert_non_null(r.samples[s].minflt);
	}
	/* the generic metrics, one value per sample */
	assert_non_null(step_metric(&r, "loops/s"));
	assert_int_equal(step_metric(&r, "loops/s")->n, 2);
	assert_non_null(step_metric(&r, "faults/s"));
	/* the hooks, each once per step or per worker */
	assert_int_equal(last_shared->setups, 1);
	assert_int_equal(last_shared->inits, 2);
	assert_int_equal(last_shared->finis, 2);
	assert_int_equal(last_shared->reports, 1);
	assert_int_equal(last_shared->teardowns, 1);
	step_result_free(&r);
	munmap(last_shared, sizeof(*last_shared));
}

static void test_threads(void **state)
{
	check_complete_step(MODE_THREADS);
}

static void test_processes(void **state)
{
	check_complete_step(MODE_PROCESSES);
}

static void test_worker_failure(void **state)
{
	struct fake_params p = { .fail_worker = 1 };
	struct step_result r;

	assert_int_equal(run_fake(MODE_THREADS, 2, &p, &r), FB_FAIL);
	assert_false(r.complete);
	assert_non_null(strstr(fb_last_error(), "fake worker 1 refused"));
	/* teardown still runs after setup succeeded */
	assert_int_equal(last_shared->teardowns, 1);
	step_result_free(&r);
	munmap(last_shared, sizeof(*last_shared));
}

/* A SIGBUS in a worker (a full tmpfs) fails the step with a message; the run lives on. */
static void check_sigbus(int mode)
{
	struct fake_params p = { .fail_worker = -1, .sigbus = true };
	struct step_result r;

	assert_int_equal(run_fake(mode, 2, &p, &r), FB_FAIL);
	assert_false(r.complete);
	assert_non_null(strstr(fb_last_error(), "SIGBUS"));
	step_result_free(&r);
	munmap(last_shared, sizeof(*last_shared));
}

static void test_sigbus_threads(void **state)
{
	check_sigbus(MODE_THREADS);
}

static void test_sigbus_processes(void **state)
{
	check_sigbus(MODE_PROCESSES);
}

static void test_setup_failure(void **state)
{
	struct fake_params p = { .fail_worker = -1, .fail_setup = true };
	struct step_result r;

	assert_int_equal(run_fake(MODE_PROCESSES, 1, &p, &r), FB_FAIL);
	assert_false(r.complete);
	assert_int_equal(r.nsamples, 0);
	assert_int_equal(last_shared->inits, 0);
	assert_int_equal(last_shared->teardowns, 0);
	step_result_free(&r);
	munmap(last_shared, sizeof(*last_shared));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads),		 cmocka_unit_test(test_processes),
		cmocka_unit_test(test_worker_failure),	 cmocka_unit_test(test_sigbus_threads),
		cmocka_unit_test(test_sigbus_processes), cmocka_unit_test(test_setup_failure),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
