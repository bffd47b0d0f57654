// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for engine/campaign.c: the plan, the state's JSON round trip,
 * the marker, and the state machine driven on a simulated machine (boot
 * ids, a kernel command line, kexec, a disk that keeps only what was saved)
 * with a crash between any two of its steps, either of faultbench (the same
 * boot goes on) or of the machine (a power cut: it comes back in its default
 * kernel).  Whatever the crash, the campaign ends, every boot is done or
 * failed with a reason, a run counts only in the boot and kernel it was
 * planned for, at most the boot in progress is lost, and the machine is left
 * in its default kernel with nothing installed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "campaign.h"
#include "util.h"

static const char plan_ab[] = "[campaign]\n"
			      "boots = 2\n"
			      "command = run pf1 --cpus 1\n"
			      "quiet-load = 1.5\n"
			      "[kernel a]\n"
			      "kernel = /boot/vmlinuz-a\n"
			      "append = root=/dev/sda1 ro\n"
			      "[kernel b]\n"
			      "kernel = /boot/vmlinuz-b\n"
			      "initrd = /boot/initrd.img-b\n";

static void plan_parsing(void **state)
{
	struct campaign c;
	char err[256];
	char *cl;

	(void)state;
	assert_int_equal(campaign_parse_plan(plan_ab, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nkernels, 2);
	assert_int_equal(c.nboots, 4);
	/* interleaved: a b a b */
	assert_int_equal(c.boots[0].kernel, 0);
	assert_int_equal(c.boots[1].kernel, 1);
	assert_int_equal(c.boots[2].kernel, 0);
	assert_int_equal(c.boots[3].kernel, 1);
	assert_int_equal(c.ncommand, 4);
	assert_string_equal(c.command[3], "1");
	assert_true(c.quiet_load == 1.5);
	strcpy(c.id, "0123abcd");
	cl = campaign_cmdline(&c, 2);
	assert_string_equal(cl, "root=/dev/sda1 ro fb_campaign=0123abcd.2");
	assert_int_equal(campaign_marker(cl, c.id), 2);
	free(cl);
	cl = campaign_cmdline(&c, 3);
	assert_string_equal(cl, "fb_campaign=0123abcd.3");
	free(cl);
	campaign_free(&c);

	/* abba */
	assert_int_equal(
	    campaign_parse_plan("[campaign]\nboots=2\norder=abba\ncommand=suite q.ini\n"
				"[kernel x]\nkernel=/k1\n[kernel y]\nkernel=/k2\n",
				&c, err, sizeof(err)),
	    0);
	assert_int_equal(c.boots[2].kernel, 1);
	assert_int_equal(c.boots[3].kernel, 0);
	campaign_free(&c);

	/* refusals, each with its reason */
	static const struct {
		const char *ini, *why;
	} bad[] = {
		{ "[campaign]\ncommand = run pf1 --label x\n[kernel a]\nkernel=/k\n", "--label" },
		{ "[campaign]\ncommand = topo\n[kernel a]\nkernel=/k\n", "not a faultbench 'run" },
		{ "[campaign]\ncommand = run pf1\n", "no [kernel" },
		{ "[campaign]\ncommand = run pf1\n[kernel a]\ninitrd=/i\n", "no kernel = PATH" },
		{ "[campaign]\ncommand = run pf1\n[kernel ../x]\nkernel=/k\n", "not a label" },
		{ "[campaign]\nboots = 0\ncommand = run pf1\n[kernel a]\nkernel=/k\n", "boots" },
		{ "[campaign]\norder = random\ncommand = run pf1\n[kernel a]\nkernel=/k\n",
		  "order" },
		{ "[campaign]\non-failure = maybe\ncommand = run pf1\n[kernel a]\nkernel=/k\n",
		  "on-failure" },
		{ "[campaign]\ncommand = run pf1\n[kernel a]\nkernel=/k\nkernel=/k2\n",
		  "a second" },
		{ "[other]\nx=1\n", "unknown section" },
		{ "[campaign]\nbogus = 1\n", "unknown key" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		assert_int_equal(campaign_parse_plan(bad[i].ini, &c, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("plan %zu: '%s' does not say '%s'", i, err, bad[i].why);
	}
}

static void json_round_trip(void **state)
{
	struct campaign c, d;
	char err[256], *s1, *s2;
	json_t *j;

	(void)state;
	assert_int_equal(campaign_parse_plan(plan_ab, &c, err, sizeof(err)), 0);
	strcpy(c.id, "feedbeef");
	c.boots[0].state = CB_DONE;
	strcpy(c.boots[0].boot_id, "b-1");
	c.boots[0].release = xstrdup("6.18.0-a");
	c.boots[1].state = CB_FAILED;
	c.boots[1].why = xstrdup("did not come back");
	j = campaign_to_json(&c);
	s1 = json_dumps(j, JSON_SORT_KEYS);
	assert_int_equal(campaign_from_json(j, &d, err, sizeof(err)), 0);
	json_decref(j);
	j = campaign_to_json(&d);
	s2 = json_dumps(j, JSON_SORT_KEYS);
	assert_string_equal(s1, s2);
	json_decref(j);
	free(s1);
	free(s2);
	campaign_free(&d);
	/* a state that is not one: refused, never half-read */
	j = json_pack("{s:i, s:s}", "version", 2, "id", "x");
	assert_int_equal(campaign_from_json(j, &d, err, sizeof(err)), -1);
	json_decref(j);
	j = campaign_to_json(&c);
	json_object_set_new(json_array_get(json_object_get(j, "boots"), 0), "kernel",
			    json_integer(7));
	assert_int_equal(campaign_from_json(j, &d, err, sizeof(err)), -1);
	json_decref(j);
	campaign_free(&c);
}

static void markers(void **state)
{
	(void)state;
	assert_int_equal(campaign_marker("ro fb_campaign=ab.3 quiet", "ab"), 3);
	assert_int_equal(campaign_marker("fb_campaign=ab.0\n", "ab"), 0);
	assert_int_equal(campaign_marker("ro fb_campaign=abc.3", "ab"), -1);
	assert_int_equal(campaign_marker("ro xfb_campaign=ab.3", "ab"), -1);
	assert_int_equal(campaign_marker("ro fb_campaign=ab.x", "ab"), -1);
	assert_int_equal(campaign_marker("ro fb_campaign=ab.3x", "ab"), -1);
	assert_int_equal(campaign_marker("ro", "ab"), -1);
	assert_int_equal(campaign_marker(NULL, "ab"), -1);
}

/* ---- a simulated machine ---------------------------------------------------- */

#define MAXB 16

struct machine {
	unsigned boot_no;
	char boot_id[40], cmdline[128];
	int pending; /* the boot kexec will bring up, -1 none */
	char *disk;  /* the state as last saved */
	long events, crash_at;
	bool power_cut; /* the crash takes the machine down (else faultbench only) */
	jmp_buf crash;
	unsigned runs[MAXB];	    /* completed runs per boot index */
	char run_boot_id[MAXB][40]; /* where the last of them ran */
	const char *panics;	    /* a kernel label that never comes back */
	unsigned finishes, returns;
	bool installed;
	const char *id;
	unsigned stop_after; /* 'campaign stop' once this many runs completed (0: never) */
	unsigned runs_done;
};

static void tick(struct machine *m)
{
	if (++m->events == m->crash_at)
		longjmp(m->crash, 1);
}

static void boot_into(struct machine *m, int boot)
{
	m->boot_no++;
	snprintf(m->boot_id, sizeof(m->boot_id), "boot-%u", m->boot_no);
	if (boot >= 0)
		snprintf(m->cmdline, sizeof(m->cmdline), "root=/dev/sda1 fb_campaign=%s.%d", m->id,
			 boot);
	else
		snprintf(m->cmdline, sizeof(m->cmdline), "root=/dev/sda1");
	m->pending = -1;
}

static int op_save(void *ctx, const struct campaign *c)
{
	struct machine *m = ctx;
	json_t *j;

	tick(m);
	j = campaign_to_json(c);
	free(m->disk);
	m->disk = json_dumps(j, 0);
	json_decref(j);
	return 0;
}

static int op_load(void *ctx, const struct campaign *c, unsigned i)
{
	(void)c;
	(void)i;
	tick(ctx);
	return 0;
}

static int op_switch(void *ctx, const struct campaign *c, unsigned i)
{
	struct machine *m = ctx;

	(void)c;
	tick(m);
	m->pending = (int)i;
	return 0;
}

static int op_run(void *ctx, const struct campaign *c, struct campaign_boot *b, unsigned i)
{
	struct machine *m = ctx;

	tick(m);
	/* the run happens in the boot and kernel planned for it, or not at all */
	assert_int_equal(campaign_marker(m->cmdline, c->id), (int)i);
	assert_string_equal(b->boot_id, m->boot_id);
	m->runs[i]++;
	m->runs_done++;
	snprintf(m->run_boot_id[i], sizeof(m->run_boot_id[i]), "%s", m->boot_id);
	tick(m); /* a crash after the run, before it is recorded */
	return 0;
}

static int op_finish(void *ctx, const struct campaign *c)
{
	struct machine *m = ctx;

	(void)c;
	tick(m);
	m->finishes++;
	return 0;
}

static int op_uninstall(void *ctx)
{
	struct machine *m = ctx;

	tick(m);
	m->installed = false;
	return 0;
}

static int op_return(void *ctx)
{
	struct machine *m = ctx;

	tick(m);
	m->returns++;
	return 0;
}

static bool op_stop_requested(void *ctx)
{
	struct machine *m = ctx;

	return m->stop_after && m->runs_done >= m->stop_after;
}

static const struct campaign_ops ops = {
	.stop_requested = op_stop_requested,
	.save = op_save,
	.load = op_load,
	.switch_kernel = op_switch,
	.run = op_run,
	.finish = op_finish,
	.uninstall = op_uninstall,
	.return_default = op_return,
};

/*
 * Start the plan on machine m (booted in its default kernel) and resume it
 * at every boot, as the systemd unit would, until nothing is installed.
 * The final state is left in *out.
 */
static void drive(struct machine *m, const char *plan, struct campaign *out)
{
	struct campaign_ops o = ops;
	struct campaign c;
	char err[256];
	json_t *j;

	o.ctx = m;
	m->id = "c0ffee";
	boot_into(m, -1);
	assert_int_equal(campaign_parse_plan(plan, &c, err, sizeof(err)), 0);
	strcpy(c.id, m->id);
	j = campaign_to_json(&c);
	m->disk = json_dumps(j, 0);
	json_decref(j);
	campaign_free(&c);
	m->installed = true;
	for (unsigned round = 0; m->installed; round++) {
		struct campaign_facts f = { m->boot_id, m->cmdline, "6.18", 30 };
		enum campaign_outcome r;

		assert_true(round < 200);
		j = json_loads(m->disk, 0, NULL);
		assert_non_null(j);
		assert_int_equal(campaign_from_json(j, &c, err, sizeof(err)), 0);
		json_decref(j);
		if (setjmp(m->crash)) {
			campaign_free(&c);
			m->crash_at = 0;
			if (m->power_cut)
				boot_into(m, -1);
			continue;
		}
		r = campaign_resume(&c, &f, &o);
		if (r == CAMPAIGN_SWITCHED) {
			const char *label = c.kernels[c.boots[m->pending].kernel].label;

			boot_into(m, m->panics && !strcmp(label, m->panics) ? -1 : m->pending);
		} else if (r == CAMPAIGN_REBOOTING) {
			boot_into(m, -1);
		} else {
			assert_int_equal(r, CAMPAIGN_ENDED);
		}
		campaign_free(&c);
	}
	j = json_loads(m->disk, 0, NULL);
	assert_int_equal(campaign_from_json(j, out, err, sizeof(err)), 0);
	json_decref(j);
	free(m->disk);
	m->disk = NULL;
}

/* What must hold whatever happened; returns the failed boots. */
static unsigned check_end(const struct machine *m, const struct campaign *c)
{
	unsigned failed = 0;

	assert_false(m->installed);
	/* left in the default kernel */
	assert_int_equal(campaign_marker(m->cmdline, c->id), -1);
	for (unsigned i = 0; i < c->nboots; i++) {
		const struct campaign_boot *b = &c->boots[i];

		if (b->state == CB_FAILED) {
			failed++;
			assert_non_null(b->why);
			continue;
		}
		if (c->phase == CAMPAIGN_STOPPED && b->state == CB_PLANNED)
			continue;
		assert_int_equal(b->state, CB_DONE);
		/* the run that counts ran in the boot recorded for it */
		assert_true(m->runs[i] >= 1);
		assert_string_equal(m->run_boot_id[i], b->boot_id);
		assert_string_equal(b->release, "6.18");
	}
	if (c->phase == CAMPAIGN_FINISHED)
		assert_true(m->finishes >= 1);
	return failed;
}

static void clean_campaign(void **state)
{
	struct machine m = { 0 };
	struct campaign c;

	(void)state;
	drive(&m, plan_ab, &c);
	assert_int_equal(c.phase, CAMPAIGN_FINISHED);
	assert_int_equal(check_end(&m, &c), 0);
	/* one boot each, one run each, one table, and back to the default kernel */
	assert_int_equal(m.boot_no, 1 + 4 + 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(m.runs[i], 1);
	assert_int_equal(m.finishes, 1);
	assert_int_equal(m.returns, 1);
	campaign_free(&c);
}

/* A crash between any two steps, of faultbench or of the whole machine. */
static void crash_anywhere(void **state)
{
	struct machine m = { 0 };
	struct campaign c;
	long steps;

	(void)state;
	drive(&m, plan_ab, &c);
	steps = m.events;
	campaign_free(&c);
	/* saves, loads, switches, runs, the table, the return: every one a crash point */
	assert_true(steps > 20);
	for (int cut = 0; cut < 2; cut++)
		for (long at = 1; at <= steps; at++) {
			unsigned failed;

			memset(&m, 0, sizeof(m));
			m.crash_at = at;
			m.power_cut = cut;
			drive(&m, plan_ab, &c);
			assert_int_equal(c.phase, CAMPAIGN_FINISHED);
			failed = check_end(&m, &c);
			/* faultbench's crash loses nothing; a power cut at most the boot in
			 * progress */
			if (failed > (unsigned)cut)
				fail_msg("crash at step %ld (%s): %u boots failed", at,
					 cut ? "power cut" : "faultbench", failed);
			campaign_free(&c);
		}
}

/* A kernel that never comes back: that boot fails, named; the plan says whether to go on. */
static void kernel_does_not_come_back(void **state)
{
	struct machine m = { .panics = "b" };
	struct campaign c;
	char *plan;

	(void)state;
	drive(&m, plan_ab, &c);
	assert_int_equal(c.phase, CAMPAIGN_FINISHED);
	assert_int_equal(check_end(&m, &c), 2);
	assert_int_equal(c.boots[1].state, CB_FAILED);
	assert_non_null(strstr(c.boots[1].why, "kernel b did not come back"));
	assert_int_equal(c.boots[2].state, CB_DONE);
	campaign_free(&c);

	memset(&m, 0, sizeof(m));
	m.panics = "b";
	plan = xasprintf("[campaign]\non-failure = stop\n%s", strstr(plan_ab, "boots"));
	drive(&m, plan, &c);
	assert_int_equal(c.phase, CAMPAIGN_STOPPED);
	assert_int_equal(check_end(&m, &c), 1);
	assert_int_equal(c.boots[2].state, CB_PLANNED);
	assert_non_null(c.why_stopped);
	assert_int_equal(m.finishes, 0);
	free(plan);
	campaign_free(&c);
}

/* 'campaign stop' during the second run: that run counts, the rest is not run, back to default. */
static void stop_meanwhile(void **state)
{
	struct machine m = { .stop_after = 2 };
	struct campaign c;

	(void)state;
	drive(&m, plan_ab, &c);
	assert_int_equal(c.phase, CAMPAIGN_STOPPED);
	assert_string_equal(c.why_stopped, "stopped by 'campaign stop'");
	assert_int_equal(check_end(&m, &c), 0);
	assert_int_equal(c.boots[1].state, CB_DONE);
	assert_int_equal(c.boots[2].state, CB_PLANNED);
	assert_int_equal(m.returns, 1);
	assert_int_equal(m.finishes, 0);
	campaign_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plan_parsing),	  cmocka_unit_test(json_round_trip),
		cmocka_unit_test(markers),	  cmocka_unit_test(clean_campaign),
		cmocka_unit_test(crash_anywhere), cmocka_unit_test(kernel_does_not_come_back),
		cmocka_unit_test(stop_meanwhile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
