// SPDX-License-Identifier: GPL-2.0
/*
 * faultbench campaign start|resume|status|stop|unit: several boots of each
 * of a few kernels on this machine, switched with kexec, each boot one run
 * of its kernel's label, the compare table and check's verdict at the end
 * (docs/campaign.md).
 *
 *   start PLAN.ini  check the plan and the machine, write the state into
 *                   --dir, install the systemd unit, and switch to the first
 *                   boot's kernel
 *   resume          what the unit runs at every boot: judge the boot, run,
 *                   record, switch to the next (engine/campaign.c decides)
 *   status          the boots and where they stand
 *   stop            end it: every result stays; back to the default kernel
 *   unit            print the systemd unit start would install
 *
 * The decisions are engine/campaign.c's, the machine's side (/proc facts,
 * kexec, systemctl, the runs and compare as faultbench children, the state,
 * the lock, the unit) engine/campaign_host.c's; the subcommands are here.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "campaign.h"
#include "campaign_host.h"
#include "cmds.h"
#include "opt.h"
#include "util.h"

struct campaign_cmd_opts {
	const char *dir;
	const char *unit_dir;
};

#define C(field) offsetof(struct campaign_cmd_opts, field)

const struct opt campaign_options[] = {
	{ .name = "dir",
	  .type = OPT_STR,
	  .def = "/var/lib/faultbench/campaign",
	  .off = C(dir),
	  .help = "the campaign's directory: its state, each boot's run, the results and the "
		  "table" },
	{ .name = "unit-dir",
	  .type = OPT_STR,
	  .def = "/etc/systemd/system",
	  .off = C(unit_dir),
	  .help = "where start installs " CAMPAIGN_UNIT },
	OPT_END
};

static int usage(FILE *f)
{
	fprintf(f, "usage: faultbench campaign start PLAN.ini [--dir DIR]\n"
		   "       faultbench campaign status|stop|resume|unit [--dir DIR]\n"
		   "\n"
		   "Boot each kernel of the plan several times, interleaved, through kexec;\n"
		   "each boot waits for a quiet machine and runs the plan's command as one run\n"
		   "of its kernel's label; the compare table and check's verdict come at the\n"
		   "end, and the machine goes back to its default kernel.  A systemd unit\n"
		   "resumes the campaign at every boot; root and kexec not locked down are\n"
		   "needed (docs/campaign.md).\n\noptions:\n");
	opt_print_help(f, campaign_options);
	return FB_USAGE;
}

/* A path that goes into the unit and the kernel command line as it is: no blanks, no quotes. */
static int check_plain_path(const char *what, const char *p)
{
	for (const char *s = p; *s; s++)
		if (!(*s == '/' || *s == '.' || *s == '_' || *s == '-' || *s == '+' ||
		      (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z')))
			return fb_usage("option '--%s': '%s' has a character other than letters, "
					"digits and / . _ - + (it goes into a systemd unit)",
					what, p);
	if (p[0] != '/')
		return fb_usage("option '--%s': '%s' is not an absolute path", what, p);
	return FB_OK;
}

static int load_state(const struct campaign_host *x, struct campaign *c)
{
	char *p = xasprintf("%s/state.json", x->dir), err[256];
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	int ret = FB_OK;

	if (!j)
		ret = fb_usage("campaign: no campaign in %s (%s)", x->dir, je.text);
	else if (campaign_from_json(j, c, err, sizeof(err)))
		ret = fb_fail("campaign: %s: %s", p, err);
	json_decref(j);
	free(p);
	return ret;
}

static int resume(const struct campaign_host *x, struct campaign *c)
{
	char *bid = campaign_host_proc_line(x, "sys/kernel/random/boot_id", "boot_id");
	char *cl = campaign_host_proc_line(x, "cmdline", "cmdline"),
	     *up = campaign_host_proc_line(x, "uptime", "uptime");
	char *rel = campaign_host_proc_line(x, "sys/kernel/osrelease", "osrelease");
	struct campaign_facts f = { bid ? bid : "", cl ? cl : "", rel, up ? strtod(up, NULL) : 0 };
	struct campaign_ops ops = campaign_host_ops;
	enum campaign_outcome r;

	ops.ctx = (void *)x;
	if (!bid)
		return fb_fail("campaign: cannot read this boot's id");
	/* SIGINT/SIGTERM: its run stops, then resume (campaign_resume()) */
	fb_install_signal_handlers();
	r = campaign_resume(c, &f, &ops);
	free(bid);
	free(cl);
	free(up);
	free(rel);
	if (r == CAMPAIGN_INTERRUPTED)
		return fb_error(128 + fb_interrupted,
				"campaign: interrupted; its state is kept, and the next 'campaign "
				"resume' goes on from it");
	return r == CAMPAIGN_ERROR ? FB_FAIL : FB_OK;
}

static int start(const struct campaign_host *x, const char *plan_path)
{
	char *text = read_text_file(plan_path), err[512], *p;
	struct campaign c;
	unsigned char r[CAMPAIGN_ID_LEN / 2];
	int ret;

	if (!text)
		return fb_usage("campaign: cannot read %s", plan_path);
	ret = campaign_parse_plan(text, &c, err, sizeof(err));
	free(text);
	if (ret)
		return fb_usage("campaign: %s: %s", plan_path, err);
	for (unsigned k = 0; k < c.nkernels && !ret; k++) {
		ret = check_plain_path("kernel", c.kernels[k].kernel);
		if (!ret && access(c.kernels[k].kernel, R_OK))
			ret = fb_usage("campaign: [kernel %s] kernel = %s: %s", c.kernels[k].label,
				       c.kernels[k].kernel, strerror(errno));
		if (!ret && c.kernels[k].initrd && access(c.kernels[k].initrd, R_OK))
			ret = fb_usage("campaign: [kernel %s] initrd = %s: %s", c.kernels[k].label,
				       c.kernels[k].initrd, strerror(errno));
	}
	p = xasprintf("%s/state.json", x->dir);
	if (!ret && !access(p, F_OK))
		ret = fb_usage("campaign: %s holds a campaign already ('campaign status', or "
			       "another --dir)",
			       x->dir);
	free(p);
	if (!ret)
		ret = campaign_host_check(x);
	if (!ret && mkdir_p(x->dir))
		ret = fb_fail("campaign: cannot create %s: %s", x->dir, strerror(errno));
	if (!ret && campaign_host_lock(x) < 0)
		ret = fb_fail("campaign: cannot lock %s/lock", x->dir);
	if (!ret && getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		ret = fb_fail("campaign: no random bytes for its id");
	if (!ret) {
		for (size_t i = 0; i < sizeof(r); i++)
			snprintf(c.id + 2 * i, 3, "%02x", r[i]);
		campaign_absolute_command(&c);
		campaign_host_default_append(x, &c);
		ret = campaign_host_save((void *)x, &c) ? FB_FAIL : campaign_host_install_unit(x);
	}
	if (!ret) {
		printf("campaign %s: %u boots of %u kernels in %s\n", c.id, c.nboots, c.nkernels,
		       x->dir);
		ret = resume(x, &c);
	}
	campaign_free(&c);
	return ret;
}

static void status(const struct campaign *c, const struct campaign_host *x)
{
	static const char *const phases[] = { "running", "finished", "stopped" };

	printf("campaign %s in %s: %s%s%s\n", c->id, x->dir, phases[c->phase],
	       c->why_stopped ? ": " : "", c->why_stopped ? c->why_stopped : "");
	printf("%4s  %-12s %-9s %-36s %8s %6s  %s\n", "boot", "kernel", "state", "boot id",
	       "uptime", "load", "why");
	for (unsigned i = 0; i < c->nboots; i++) {
		const struct campaign_boot *b = &c->boots[i];

		printf("%4u  %-12s %-9s %-36s %8.0f %6.2f  %s\n", i + 1,
		       c->kernels[b->kernel].label, campaign_boot_state_name(b->state),
		       b->boot_id[0] ? b->boot_id : "-", b->uptime, b->load, b->why ? b->why : "");
	}
}

static int stop(const struct campaign_host *x, struct campaign *c)
{
	char *cl = campaign_host_proc_line(x, "cmdline", "cmdline");
	int ret = FB_OK;

	if (c->phase == CAMPAIGN_RUNNING) {
		c->phase = CAMPAIGN_STOPPED;
		c->why_stopped = xstrdup("stopped by 'campaign stop'");
		ret = campaign_host_save((void *)x, c);
	}
	printf("campaign %s stopped; every result stays in %s\n", c->id, x->dir);
	/* in a campaign kernel: reboot, and the default kernel's resume removes the unit */
	if (!ret && campaign_marker(cl, c->id) >= 0)
		ret = campaign_host_return((void *)x) ? FB_FAIL : FB_OK;
	else if (!ret)
		campaign_host_uninstall((void *)x);
	free(cl);
	return ret;
}

int cmd_campaign(int argc, char **argv)
{
	struct campaign_cmd_opts o;
	struct opt_binding b = { campaign_options, &o };
	struct campaign_host x = { .proc = getenv("FB_TEST_CAMPAIGN_PROC") };
	struct campaign c;
	const char *sub;
	int ret, npos;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	if (!npos)
		return usage(stderr);
	sub = argv[1];
	x.dir = o.dir;
	x.unit_dir = o.unit_dir;
	if (x.proc)
		fb_warn("FB_TEST_CAMPAIGN_PROC=%s: boot facts and load are read there, not in "
			"/proc (tests only)",
			x.proc);
	ret = check_plain_path("dir", o.dir);
	if (!ret)
		ret = check_plain_path("unit-dir", o.unit_dir);
	if (ret)
		return ret;
	if (!strcmp(sub, "start"))
		return npos == 2 ? start(&x, argv[2])
				 : fb_usage("campaign start needs one PLAN.ini");
	if (npos != 1)
		return fb_usage("campaign %s: unexpected argument '%s'", sub, argv[2]);
	if (!strcmp(sub, "unit")) {
		char *self = campaign_host_self(),
		     *t = campaign_host_unit_text(&x, self ? self : "faultbench");

		fputs(t, stdout);
		free(t);
		free(self);
		return FB_OK;
	}
	if (strcmp(sub, "resume") && strcmp(sub, "status") && strcmp(sub, "stop"))
		return fb_usage("campaign: unknown subcommand '%s' (start, resume, status, stop, "
				"unit)",
				sub);
	if (strcmp(sub, "status")) {
		int lock = campaign_host_lock(&x);

		if (lock == -1 && !strcmp(sub, "stop"))
			return campaign_host_stop_meanwhile(&x);
		if (lock == -1)
			return fb_skip("campaign: another 'campaign resume' is running in %s",
				       o.dir);
		if (lock < 0)
			return fb_usage("campaign: no campaign in %s (cannot open its lock: %s)",
					o.dir, strerror(errno));
	}
	ret = load_state(&x, &c);
	if (ret)
		return ret;
	if (!strcmp(sub, "status"))
		status(&c, &x);
	else if (!strcmp(sub, "stop"))
		ret = stop(&x, &c);
	else
		ret = resume(&x, &c);
	campaign_free(&c);
	return ret;
}
