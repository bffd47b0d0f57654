// SPDX-License-Identifier: GPL-2.0
/*
 * Do the stars survive a second run?  Simulations of the verdicts
 * (analysis/verdict.c) under the noise this project measured on its development
 * VM: a run (boot) effect several times larger than the noise of the repeats
 * inside one run.  In log units, a run's value is
 *
 *	log(mu_step) + b_run + e_repeat,  b ~ N(0, 5%), e ~ N(0, 1.5%), 3 repeats,
 *
 * and the noise model is derived, like 'faultbench noise' does, from K = 10
 * runs of the same distribution.  Each table has four steps (1, 2, 4, 8
 * CPUs), so the Benjamini-Hochberg family is real.
 *
 *  - A/A, one run a side with the model: at most 5% of rows starred, and
 *    check's rule says "regression" in at most 5% of tables;
 *  - the old rule (Welch over the repeats pooled per side) fails the same
 *    A/A: it stars far more than 5%;
 *  - A/B with a true loss of twice the run-to-run spread, with the runs a
 *    side that compare says it needs (runs_needed at that size): detected
 *    on at least 90% of rows.
 *
 * GSL's Mersenne Twister with fixed seeds keeps them deterministic
 * (FB_SEED overrides, to try others).
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
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "compare.h"
#include "noise.h"
#include "stats.h"
#include "synth.h"
#include "util.h"

#define SIM_N	    1000
#define SIM_STEPS   4
#define SIM_REPEATS 3
#define SIM_RUN_SD  0.05  /* between runs (boots), log units */
#define SIM_REP_SD  0.015 /* repeats inside one run */
#define SIM_MODEL_K 10

static const unsigned sim_ncpus[SIM_STEPS] = { 1, 2, 4, 8 };
static const double sim_mu[SIM_STEPS] = { 3e5, 5.8e5, 1.1e6, 2e6 };

static gsl_rng *new_rng(unsigned long seed)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);

	gsl_rng_set(rng, getenv("FB_SEED") ? strtoul(getenv("FB_SEED"), NULL, 0) : seed);
	return rng;
}

static double sim_run_sd = SIM_RUN_SD; /* the run effect of sim_run() */

/* One run: a document with SIM_REPEATS repeats of every step, shifted by factor. */
static json_t *sim_run(gsl_rng *rng, const char *label, double factor)
{
	double v[SIM_STEPS * SIM_REPEATS];

	for (unsigned s = 0; s < SIM_STEPS; s++) {
		double b = gsl_ran_gaussian(rng, sim_run_sd);

		for (unsigned r = 0; r < SIM_REPEATS; r++)
			v[s * SIM_REPEATS + r] =
			    sim_mu[s] * factor * exp(b + gsl_ran_gaussian(rng, SIM_REP_SD));
	}
	return synth(label, "pages/s", true, sim_ncpus, SIM_STEPS, SIM_REPEATS, v, NULL);
}

/* A model from SIM_MODEL_K simulated runs, through the same code as 'faultbench noise'. */
static void sim_model(gsl_rng *rng, struct noise_models *ms)
{
	json_t *docs[SIM_MODEL_K];
	char *paths[SIM_MODEL_K] = { 0 };
	struct cmp_opts o = { .all = true, .quiet = true };
	struct resultset rs;
	struct cmp_table t;
	unsigned i;

	for (i = 0; i < SIM_MODEL_K; i++)
		docs[i] = sim_run(rng, "noise", 1);
	n_runs(&rs, docs, paths, SIM_MODEL_K);
	assert_int_equal(cmp_build(&rs, 1, &o, &t), FB_OK);
	ms->n = 1;
	ms->m = xcalloc(1, sizeof(*ms->m));
	noise_model_init(&ms->m[0], docs[0]);
	ms->m[0].date = xstrdup("2026-12-02T00:00:00Z");
	ms->m[0].path = xstrdup("simulated");
	cmp_derive_noise(&t, &ms->m[0]);
	assert_int_equal(ms->m[0].n, SIM_STEPS);
	cmp_free(&t);
	for (i = 0; i < SIM_MODEL_K; i++)
		json_decref(docs[i]);
}

/*
 * The rule before runs were the replicate, kept here as the reference the
 * simulations hold the verdicts against (nothing else uses it any more).
 */
struct welch {
	double t, df, p; /* two-sided p-value */
	bool valid;	 /* false when either side has fewer than 2 values or no variance */
};

static double sample_variance(const double *v, size_t n)
{
	double sd = stats_stddev(v, n);

	return sd * sd;
}

/*
 * Welch's t-test: does not assume equal variances, which matters because a
 * kernel change often changes the spread of a fault rate as well as its mean.
 * df from the Welch-Satterthwaite equation (not rounded down, as R and scipy).
 */
static struct welch stats_welch(const double *a, size_t na, const double *b, size_t nb)
{
	struct welch w = { .t = NAN, .df = NAN, .p = NAN, .valid = false };
	double va, vb, sa, sb, se2;

	if (na < 2 || nb < 2)
		return w;
	va = sample_variance(a, na);
	vb = sample_variance(b, nb);
	sa = va / na;
	sb = vb / nb;
	se2 = sa + sb;
	if (!(se2 > 0) || !isfinite(se2))
		return w;
	w.t = (stats_mean(a, na) - stats_mean(b, nb)) / sqrt(se2);
	w.df = se2 * se2 / (sa * sa / (na - 1) + sb * sb / (nb - 1));
	/* Two-sided: twice the tail beyond |t|; Q keeps precision for small p. */
	w.p = 2 * gsl_cdf_tdist_Q(fabs(w.t), w.df);
	if (w.p > 1)
		w.p = 1;
	w.valid = true;
	return w;
}

#define NEAR(a, b, eps) assert_true(fabs((a) - (b)) <= (eps))

/* The reference itself, against published examples. */
static void test_welch_wikipedia_example1(void **state)
{
	const double a[] = { 27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1,
			     21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4 };
	const double b[] = { 27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0,
			     24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4 };
	struct welch w = stats_welch(a, 15, b, 15);

	assert_true(w.valid);
	NEAR(w.t, -2.45535639828601, 1e-9);
	NEAR(w.df, 24.98852929023142, 1e-9);
	NEAR(w.p, 0.021378001462862062, 1e-6);
}

static void test_welch_wikipedia_example3(void **state)
{
	const double a[] = { 19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0 };
	const double b[] = { 28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7,
			     23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3, 20.4, 23.9, 13.3 };
	struct welch w = stats_welch(a, 10, b, 20), r = stats_welch(b, 20, a, 10);

	assert_true(w.valid);
	NEAR(w.t, -2.2255120399698485, 1e-9);
	NEAR(w.df, 24.524634944257343, 1e-9);
	NEAR(w.p, 0.03548453083001357, 1e-6);
	/* symmetric in its arguments apart from the sign of t */
	NEAR(r.t, -w.t, 1e-12);
	NEAR(r.p, w.p, 1e-12);
}

static void test_welch_degenerate(void **state)
{
	const double a[] = { 1, 1, 1 }, b[] = { 1, 1, 1, 1 }, c[] = { 1, 2 };

	assert_false(stats_welch(a, 3, b, 4).valid); /* no variance at all */
	assert_false(stats_welch(a, 1, c, 2).valid); /* too few values */
	assert_false(stats_welch(a, 0, c, 0).valid);
	/* one constant side is fine: the other has spread */
	struct welch w = stats_welch(a, 3, c, 2);
	assert_true(w.valid);
	assert_true(w.p > 0 && w.p <= 1);
	/* identical samples: t = 0, p = 1 */
	w = stats_welch(c, 2, c, 2);
	assert_true(w.valid);
	NEAR(w.t, 0, 0);
	NEAR(w.p, 1, 1e-12);
}

struct sim_result {
	unsigned stars, regressions_rows, tables_with_regression, old_stars, tested, needed;
};

/* One comparison of k runs a side; the candidate's values times factor. */
static void sim_compare(gsl_rng *rng, unsigned k, double factor, double detect,
			struct sim_result *res)
{
	json_t *a[16], *b[16];
	char *paths[16] = { 0 };
	struct resultset runs[2];
	struct noise_models ms = { 0 };
	struct cmp_opts o = { .all = true, .quiet = true, .noise = &ms, .detect_pct = detect };
	struct cmp_table t;
	bool regression = false;
	unsigned i;

	sim_model(rng, &ms);
	for (i = 0; i < k; i++) {
		a[i] = sim_run(rng, "6.18-a", 1);
		b[i] = sim_run(rng, "6.18-b", factor);
	}
	n_runs(&runs[0], a, paths, k);
	n_runs(&runs[1], b, paths, k);
	assert_int_equal(cmp_build(runs, 2, &o, &t), FB_OK);
	assert_int_equal(t.groups[0].nrows, SIM_STEPS);
	for (unsigned r = 0; r < t.groups[0].nrows; r++) {
		const struct cmp_row *row = &t.groups[0].rows[r];
		struct welch w =
		    stats_welch(row->cells[0].v, row->cells[0].n, row->cells[1].v, row->cells[1].n);

		res->tested += cmp_testable(row, 1);
		res->stars += cmp_significant(row, 1, NULL);
		if (cmp_check_row(row, 2) == CHECK_REGRESSION) {
			res->regressions_rows++;
			regression = true;
		}
		/* the rule before runs were the replicate: Welch over pooled repeats */
		res->old_stars += w.valid && w.p < 0.05;
		if (row->verdicts[1].runs_needed > res->needed)
			res->needed = row->verdicts[1].runs_needed;
	}
	res->tables_with_regression += regression;
	cmp_free(&t);
	noise_free(&ms);
	for (i = 0; i < k; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
}

static void test_aa_one_run_a_side(void **state)
{
	gsl_rng *rng = new_rng(20261202);
	struct sim_result res = { 0 };
	unsigned rows = SIM_N * SIM_STEPS;

	for (unsigned i = 0; i < SIM_N; i++)
		sim_compare(rng, 1, 1.0, 5, &res);
	gsl_rng_free(rng);
	print_message("A/A, 1 run a side + model: %u of %u rows tested, %u starred (%.2f%%), "
		      "check 'regression' in %u of %u tables; old pooled-repeats rule: %u "
		      "starred (%.2f%%)\n",
		      res.tested, rows, res.stars, 100.0 * res.stars / rows,
		      res.tables_with_regression, SIM_N, res.old_stars,
		      100.0 * res.old_stars / rows);
	/*
	 * Nearly every row is tested: a run whose repeats spread far beyond the
	 * model's (F test at 0.1%) is, by chance, kept from the model now and then.
	 */
	assert_true(res.tested >= rows - rows / 100);
	assert_true(res.stars <= rows / 20);
	assert_true(res.tables_with_regression <= SIM_N / 20);
	/* the old rule fails this test: run effects look like changes to it */
	assert_true(res.old_stars > rows / 5);
}

static void test_aa_three_runs_no_model(void **state)
{
	gsl_rng *rng = new_rng(7);
	struct sim_result res = { 0 };
	unsigned rows = SIM_N * SIM_STEPS;

	/* the runs alone: df = 4, no model consulted */
	for (unsigned i = 0; i < SIM_N; i++) {
		json_t *a[3], *b[3];
		char *paths[3] = { 0 };
		struct resultset runs[2];
		struct cmp_opts o = { .all = true, .quiet = true };
		struct cmp_table t;

		for (unsigned k = 0; k < 3; k++) {
			a[k] = sim_run(rng, "a", 1);
			b[k] = sim_run(rng, "b", 1);
		}
		n_runs(&runs[0], a, paths, 3);
		n_runs(&runs[1], b, paths, 3);
		assert_int_equal(cmp_build(runs, 2, &o, &t), FB_OK);
		for (unsigned r = 0; r < t.groups[0].nrows; r++) {
			res.tested += cmp_testable(&t.groups[0].rows[r], 1);
			res.stars += cmp_significant(&t.groups[0].rows[r], 1, NULL);
		}
		cmp_free(&t);
		for (unsigned k = 0; k < 3; k++) {
			json_decref(a[k]);
			json_decref(b[k]);
		}
	}
	gsl_rng_free(rng);
	print_message("A/A, 3 runs a side, no model: %u of %u rows starred\n", res.stars, rows);
	assert_int_equal(res.tested, rows);
	assert_true(res.stars <= rows / 20);
}

static void test_ab_runs_compare_asks_for(void **state)
{
	gsl_rng *rng = new_rng(5);
	double run_sd = sqrt(SIM_RUN_SD * SIM_RUN_SD + SIM_REP_SD * SIM_REP_SD / SIM_REPEATS);
	double loss = exp(-2 * run_sd);		     /* twice the run-to-run spread */
	double detect = 100 * (exp(2 * run_sd) - 1); /* the same size, as --detect */
	struct sim_result probe = { 0 }, res = { 0 };
	unsigned k, rows = SIM_N * SIM_STEPS;

	/* what compare asks for: one look at a 1-run comparison, as a user would */
	sim_compare(rng, 1, loss, detect, &probe);
	k = probe.needed;
	assert_true(k >= 2 && k <= 16);
	for (unsigned i = 0; i < SIM_N; i++)
		sim_compare(rng, k, loss, detect, &res);
	gsl_rng_free(rng);
	print_message("A/B, loss %.1f%% (2 x run-to-run sd), %u runs a side as compare asks: "
		      "%u of %u rows starred (%.1f%%), check 'regression' on %u rows\n",
		      100 * (1 - loss), k, res.stars, rows, 100.0 * res.stars / rows,
		      res.regressions_rows);
	assert_true(res.stars >= rows * 9 / 10);
	assert_true(res.regressions_rows >= rows * 9 / 10);
}

/*
 * Runs that vary far more than the model says (a stale model, a busier
 * machine) are tested on their own variance, and the table says so.
 */
static void test_model_disagreement(void **state)
{
	gsl_rng *rng = new_rng(17);
	struct noise_models ms = { 0 };
	struct cmp_opts o = { .all = true, .quiet = true, .noise = &ms };
	json_t *a[5], *b[5];
	char *paths[5] = { 0 };
	struct resultset runs[2];
	struct cmp_table t;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	sim_run_sd = 0.01; /* the model: a quiet machine */
	sim_model(rng, &ms);
	sim_run_sd = 0.20; /* the runs: a busy one */
	for (unsigned i = 0; i < 5; i++) {
		a[i] = sim_run(rng, "a", 1);
		b[i] = sim_run(rng, "b", 1);
	}
	sim_run_sd = SIM_RUN_SD;
	n_runs(&runs[0], a, paths, 5);
	n_runs(&runs[1], b, paths, 5);
	assert_int_equal(cmp_build(runs, 2, &o, &t), FB_OK);
	assert_true(t.disagreeing_rows >= 3);
	for (unsigned r = 0; r < t.groups[0].nrows; r++)
		if (t.groups[0].rows[r].verdicts[1].model_disagrees)
			assert_int_equal(t.groups[0].rows[r].verdicts[1].source, VAR_RUNS);
	f = open_memstream(&buf, &len);
	cmp_print(f, &t, CMP_TEXT, false);
	fclose(f);
	assert_non_null(strstr(buf, "vary significantly more than the noise model says"));
	free(buf);
	cmp_free(&t);
	noise_free(&ms);
	for (unsigned i = 0; i < 5; i++) {
		json_decref(a[i]);
		json_decref(b[i]);
	}
	gsl_rng_free(rng);
}

/* Benjamini-Hochberg against R's p.adjust(p, "BH") on a small example. */
static void test_bh_adjust(void **state)
{
	const double p[] = { 0.01, 0.04, 0.03, NAN, 0.20 };
	/* R: p.adjust(c(0.01, 0.04, 0.03, 0.20), "BH") = 0.04 0.0533 0.0533 0.20 */
	double q[5];

	assert_int_equal(stats_bh_adjust(p, 5, q), 4);
	assert_float_equal(q[0], 0.04, 1e-12);
	assert_float_equal(q[1], 0.16 / 3, 1e-12);
	assert_float_equal(q[2], 0.16 / 3, 1e-12);
	assert_true(isnan(q[3]));
	assert_float_equal(q[4], 0.20, 1e-12);
}

/* A detectable effect: (t(0.975, df) + t(0.8, df)) * se; df = 10 from t tables. */
static void test_detectable(void **state)
{
	/* t(0.975, 10) = 2.228139, t(0.80, 10) = 0.879058 */
	assert_float_equal(stats_detectable(1.0, 10, 0.05, 0.8), 2.228139 + 0.879058, 1e-5);
	assert_true(isnan(stats_detectable(1.0, 0.5, 0.05, 0.8)));
}

/* A shift in a series is found once, where it happened; noise alone finds none. */
static void test_cusum_one_change(void **state)
{
	gsl_rng *rng = new_rng(11);
	double y[60];
	size_t cp[8], n;
	unsigned false_series = 0;

	for (unsigned i = 0; i < 60; i++)
		y[i] = (i >= 35 ? log(0.85) : 0) + gsl_ran_gaussian(rng, 0.02);
	n = stats_cusum_changes(y, 60, 0.02, 0.01, 2, cp, 8);
	assert_int_equal(n, 1);
	assert_int_equal(cp[0], 35);
	for (unsigned s = 0; s < 200; s++) {
		for (unsigned i = 0; i < 30; i++)
			y[i] = gsl_ran_gaussian(rng, 0.02);
		false_series += stats_cusum_changes(y, 30, 0.02, 0.01, 2, cp, 8) > 0;
	}
	gsl_rng_free(rng);
	print_message("CUSUM: %u of 200 noise-only series with a change point\n", false_series);
	assert_true(false_series <= 6);
}

/* A model survives saving and loading, and matches only its own machine and parameters. */
static void test_model_roundtrip(void **state)
{
	gsl_rng *rng = new_rng(3);
	struct noise_models ms = { 0 }, back = { 0 };
	char path[] = "/tmp/fb-test-noise.XXXXXX";
	json_t *doc = sim_run(rng, "x", 1);
	const struct noise_model *used;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	sim_model(rng, &ms);
	assert_int_equal(noise_save(&ms.m[0], path, NULL), FB_OK);
	/* never over an existing file */
	assert_int_equal(noise_save(&ms.m[0], path, NULL), FB_FAIL);
	assert_int_equal(noise_load(&back, path, true), FB_OK);
	assert_int_equal(back.n, 1);
	assert_int_equal(back.m[0].n, SIM_STEPS);
	assert_non_null(noise_find(&back, doc, "pf1", "", 2, "pages/s", &used));
	assert_null(noise_find(&back, doc, "pf1", "", 3, "pages/s", NULL));
	assert_null(noise_find(&back, doc, "pf1", "", 2, "faults/s", NULL));
	json_object_set_new(json_object_get(doc, "system"), "hostname", json_string("other"));
	assert_null(noise_find(&back, doc, "pf1", "", 2, "pages/s", NULL));
	json_object_set_new(json_object_get(doc, "system"), "hostname", json_string("testhost"));
	json_object_set_new(json_object_get(doc, "params"), "size", json_integer(4096));
	assert_null(noise_find(&back, doc, "pf1", "", 2, "pages/s", NULL));
	/* a missing default directory is no error; a named missing file is */
	assert_int_equal(noise_load(&back, "/nonexistent/noise", false), FB_OK);
	assert_int_equal(noise_load(&back, "/nonexistent/noise", true), FB_USAGE);
	unlink(path);
	noise_free(&ms);
	noise_free(&back);
	json_decref(doc);
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch_wikipedia_example1),
		cmocka_unit_test(test_welch_wikipedia_example3),
		cmocka_unit_test(test_welch_degenerate),
		cmocka_unit_test(test_bh_adjust),
		cmocka_unit_test(test_detectable),
		cmocka_unit_test(test_cusum_one_change),
		cmocka_unit_test(test_model_roundtrip),
		cmocka_unit_test(test_model_disagreement),
		cmocka_unit_test(test_aa_one_run_a_side),
		cmocka_unit_test(test_aa_three_runs_no_model),
		cmocka_unit_test(test_ab_runs_compare_asks_for),
	};

	fb_set_quiet(true);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
