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
 * The machine's side lives here: /proc facts, kexec, systemctl, the run and
 * compare as faultbench children, the state written atomically
 * (fb_write_file: a temporary file, fsync, rename).
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/kexec.h>
#include <linux/reboot.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "campaign.h"
#include "cmds.h"
#include "opt.h"
#include "spawn.h"
#include "util.h"

#define CAMPAIGN_UNIT "faultbench-campaign.service"

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

struct ctx {
	const struct campaign_cmd_opts *o;
	const char *proc; /* FB_TEST_CAMPAIGN_PROC, or NULL: /proc */
};

/* /proc/<rel>, or the test's stand-in for it. */
static char *proc_path(const struct ctx *x, const char *rel, const char *test_name)
{
	return x->proc ? xasprintf("%s/%s", x->proc, test_name) : xasprintf("/proc/%s", rel);
}

static char *proc_line(const struct ctx *x, const char *rel, const char *test_name)
{
	char *p = proc_path(x, rel, test_name), *s = read_first_line(p);

	free(p);
	return s;
}

static int write_json(FILE *f, const void *arg)
{
	return json_dumpf(arg, f, JSON_INDENT(1) | JSON_SORT_KEYS) || fputc('\n', f) == EOF;
}

static int op_save(void *ctx, const struct campaign *c)
{
	struct ctx *x = ctx;
	json_t *j = campaign_to_json(c);
	int ret = fb_write_file(x->o->dir, "state", ".json", FB_REPLACE, write_json, j, NULL);

	json_decref(j);
	if (ret)
		fb_fail("campaign: cannot write %s/state.json: %s", x->o->dir, strerror(-ret));
	return ret;
}

static int run_tool(const char *const argv[])
{
	struct spawn s = { .argv = argv };
	int code = spawn_run(&s);
	char why[256];

	if (s.end == SPAWN_NOT_RUN)
		fb_warn("campaign: %s", spawn_describe(&s, why, sizeof(why)));
	else if (code)
		fb_warn("campaign: %s exited with status %d", argv[0], code);
	spawn_clear(&s);
	return code;
}

/*
 * Without kexec-tools, the kernel loads it by itself: kexec_file_load(2)
 * (which also checks a signed image's signature where the kernel asks for
 * one).  Machines without systemd, and the qemu guest of the campaign's
 * end-to-end test, go this way.
 */
static int kexec_file(const char *kernel, const char *initrd, const char *cmdline)
{
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC);
	int ifd = initrd ? open(initrd, O_RDONLY | O_CLOEXEC) : -1;
	long r = -1;

	if (kfd >= 0 && (!initrd || ifd >= 0))
		r = syscall(SYS_kexec_file_load, kfd, ifd, strlen(cmdline) + 1, cmdline,
			    initrd ? 0UL : (unsigned long)KEXEC_FILE_NO_INITRAMFS);
	if (r)
		fb_warn("campaign: kexec_file_load(%s%s%s): %s", kernel, initrd ? ", " : "",
			initrd ? initrd : "", strerror(errno));
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	return r ? -1 : 0;
}

static bool have_program(const char *name)
{
	char *p = spawn_find_program(name, "/sbin:/usr/sbin");

	free(p);
	return p != NULL;
}

static int op_load(void *ctx, const struct campaign *c, unsigned i)
{
	const struct campaign_kernel *k = &c->kernels[c->boots[i].kernel];
	char *cl = campaign_cmdline(c, i), *clarg = xasprintf("--command-line=%s", cl);
	char *initrd = k->initrd ? xasprintf("--initrd=%s", k->initrd) : NULL;
	const char *argv[] = { "kexec", "-l", k->kernel, clarg, initrd, NULL };
	int ret;

	(void)ctx;
	printf("campaign: boot %u of %u: kernel %s (%s), command line '%s'\n", i + 1, c->nboots,
	       k->label, k->kernel, cl);
	fflush(stdout);
	ret = have_program("kexec") ? run_tool(argv) : kexec_file(k->kernel, k->initrd, cl);
	free(initrd);
	free(clarg);
	free(cl);
	return ret;
}

static int op_switch(void *ctx, const struct campaign *c, unsigned i)
{
	const char *argv[] = { "systemctl", "kexec", NULL };

	(void)ctx;
	(void)c;
	(void)i;
	if (have_program("systemctl"))
		return run_tool(argv);
	/* no systemd to stop the services: the disks synced, straight into the loaded kernel */
	printf("campaign: no systemctl: sync and reboot(LINUX_REBOOT_CMD_KEXEC)\n");
	fflush(stdout);
	sync();
	reboot(LINUX_REBOOT_CMD_KEXEC);
	return fb_fail("campaign: reboot into the loaded kernel failed: %s", strerror(errno));
}

/* Wait until the 1-minute load is at most the plan's quiet-load, or quiet-timeout passed. */
static void wait_quiet(const struct ctx *x, const struct campaign *c, struct campaign_boot *b)
{
	double start = now_monotonic();

	for (;;) {
		char *l = proc_line(x, "loadavg", "loadavg");

		b->load = l ? strtod(l, NULL) : 0;
		free(l);
		b->quiet_wait = now_monotonic() - start;
		if (b->load <= c->quiet_load || b->quiet_wait >= c->quiet_timeout)
			break;
		sleep(5);
	}
	if (b->load > c->quiet_load)
		fb_warn("campaign: load %.2f after %.0f s, above quiet-load %.2f: running anyway "
			"(recorded)",
			b->load, b->quiet_wait, c->quiet_load);
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static void remove_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int op_run(void *ctx, const struct campaign *c, struct campaign_boot *b, unsigned i)
{
	struct ctx *x = ctx;
	const char *label = c->kernels[b->kernel].label;
	char *dir = xasprintf("%s/runs/%u", x->o->dir, i), *log = xasprintf("%s/output.txt", dir);
	const char **argv = xcalloc(c->ncommand + 4, sizeof(*argv));
	struct spawn s = { .file = "/proc/self/exe", .dir = dir, .pass_interrupt = true };
	int code;

	/* a run interrupted in this boot starts afresh: nothing of it counts */
	remove_tree(dir);
	if (mkdir_p(dir)) {
		code = fb_fail("campaign: cannot create %s", dir);
		goto out;
	}
	wait_quiet(x, c, b);
	argv[0] = "faultbench";
	for (unsigned k = 0; k < c->ncommand; k++)
		argv[k + 1] = c->command[k];
	argv[c->ncommand + 1] = "--label";
	argv[c->ncommand + 2] = label;
	s.argv = argv;
	s.out = (struct spawn_io){ SPAWN_FILE, .path = log };
	s.err = (struct spawn_io){ SPAWN_TO_STDOUT };
	printf("campaign: boot %u of %u (%s): %.0f s after boot, load %.2f: running\n", i + 1,
	       c->nboots, label, b->uptime + b->quiet_wait, b->load);
	fflush(stdout);
	b->started = (long long)time(NULL);
	code = spawn_run(&s);
	b->ended = (long long)time(NULL);
	spawn_clear(&s);
	printf("campaign: boot %u: exit %d (its output: %s)\n", i + 1, code, log);
out:
	free(argv);
	free(log);
	free(dir);
	return code;
}

/* The result files of boot i, linked into results/<label>/ under their own names. */
static struct {
	const char *into;
	unsigned boot, n;
} gather;

static int gather_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *base = path + ftw->base;
	char *dest;

	(void)st;
	if (type != FTW_F || (!strstr(base, ".json") || strstr(base, "faultbench.db")))
		return 0;
	dest = xasprintf("%s/boot%u-%s", gather.into, gather.boot + 1, base);
	if (!link(path, dest) || errno == EEXIST)
		gather.n++;
	free(dest);
	return 0;
}

/* The compare table of the done boots, and check's verdict of the second kernel against the first.
 */
static int op_finish(void *ctx, const struct campaign *c)
{
	struct ctx *x = ctx;
	char *res = xasprintf("%s/results", x->o->dir),
	     *table = xasprintf("%s/table.txt", x->o->dir);
	const char **cmp = xcalloc(c->nkernels + 3, sizeof(*cmp));
	char **dirs = xcalloc(c->nkernels, sizeof(*dirs));
	struct spawn s = { .file = "/proc/self/exe", .argv = cmp };
	int ret = FB_OK;

	/* rebuilt from the state each time: only done boots count */
	remove_tree(res);
	cmp[0] = "faultbench";
	cmp[1] = "compare";
	for (unsigned k = 0; k < c->nkernels; k++) {
		dirs[k] = xasprintf("%s/%s", res, c->kernels[k].label);
		mkdir_p(dirs[k]);
		cmp[2 + k] = dirs[k];
	}
	for (unsigned i = 0; i < c->nboots; i++) {
		char *run = xasprintf("%s/runs/%u", x->o->dir, i);

		gather.into = dirs[c->boots[i].kernel];
		gather.boot = i;
		if (c->boots[i].state == CB_DONE)
			nftw(run, gather_one, 16, FTW_PHYS);
		free(run);
	}
	s.out = (struct spawn_io){ SPAWN_FILE, .path = table };
	s.err = (struct spawn_io){ SPAWN_TO_STDOUT };
	spawn_run(&s);
	spawn_clear(&s);
	if (c->nkernels == 2) {
		char *thr = xasprintf("%g%%", c->threshold);
		const char *chk[] = { "faultbench",  "check",	    "--baseline",
				      dirs[0],	     "--candidate", dirs[1],
				      "--threshold", thr,	    NULL };
		struct spawn k = { .file = "/proc/self/exe", .argv = chk };

		k.out = (struct spawn_io){ SPAWN_APPEND, .path = table };
		k.err = (struct spawn_io){ SPAWN_TO_STDOUT };
		spawn_run(&k);
		printf("campaign: check's verdict: exit %d\n", k.code);
		spawn_clear(&k);
		free(thr);
	}
	{
		char *t = read_text_file(table);

		printf("campaign: finished; the table (%s):\n%s", table, t ? t : "(none)\n");
		free(t);
	}
	for (unsigned k = 0; k < c->nkernels; k++)
		free(dirs[k]);
	free(dirs);
	free(cmp);
	free(table);
	free(res);
	return ret;
}

static char *unit_path(const struct ctx *x)
{
	return xasprintf("%s/%s", x->o->unit_dir, CAMPAIGN_UNIT);
}

static int op_uninstall(void *ctx)
{
	struct ctx *x = ctx;
	char *p = unit_path(x);
	const char *dis[] = { "systemctl", "disable", CAMPAIGN_UNIT, NULL };

	if (!access(p, F_OK)) {
		if (have_program("systemctl"))
			run_tool(dis);
		if (unlink(p))
			fb_warn("campaign: cannot remove %s: %s", p, strerror(errno));
		else
			printf("campaign: removed %s\n", p);
	}
	free(p);
	return 0;
}

static int op_return(void *ctx)
{
	const char *argv[] = { "systemctl", "reboot", NULL };

	(void)ctx;
	if (!have_program("systemctl")) {
		printf("campaign: no systemctl: reboot the machine into its default kernel\n");
		return 0;
	}
	printf("campaign: back to the default kernel: systemctl reboot\n");
	fflush(stdout);
	return run_tool(argv);
}

/*
 * The campaign's lock, held by the process that changes its state (start,
 * resume, stop) until it exits: a descriptor, -1 when another holds it, -2
 * when it cannot be made.
 */
static int take_lock(const struct ctx *x)
{
	char *p = xasprintf("%s/lock", x->o->dir);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	free(p);
	if (fd < 0)
		return -2;
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 'campaign stop' while a resume ran: DIR/stop, which the resume reads between acts. */
static bool op_stop_requested(void *ctx)
{
	struct ctx *x = ctx;
	char *p = xasprintf("%s/stop", x->o->dir);
	bool yes = !access(p, F_OK);

	free(p);
	return yes;
}

static const struct campaign_ops machine_ops = {
	.save = op_save,
	.load = op_load,
	.switch_kernel = op_switch,
	.run = op_run,
	.finish = op_finish,
	.uninstall = op_uninstall,
	.return_default = op_return,
	.stop_requested = op_stop_requested,
};

/* This binary's path, for the unit's ExecStart. malloc'd, or NULL. */
static char *self_path(void)
{
	char p[PATH_MAX];

	return realpath("/proc/self/exe", p) ? xstrdup(p) : NULL;
}

/* The unit's text: the campaign resumes at every boot until it removes the unit. */
static char *unit_text(const struct ctx *x, const char *self)
{
	return xasprintf(
	    "# Written by 'faultbench campaign start'; removed when the campaign ends\n"
	    "# (docs/campaign.md).\n"
	    "[Unit]\n"
	    "Description=faultbench campaign in %s\n"
	    "Wants=network-online.target\n"
	    "After=network-online.target multi-user.target\n"
	    "ConditionPathExists=%s/state.json\n"
	    "\n"
	    "[Service]\n"
	    "Type=oneshot\n"
	    "ExecStart=%s campaign resume --dir %s --unit-dir %s\n"
	    "StandardOutput=append:%s/journal.log\n"
	    "StandardError=append:%s/journal.log\n"
	    "TimeoutStartSec=infinity\n"
	    "\n"
	    "[Install]\n"
	    "WantedBy=multi-user.target\n",
	    x->o->dir, x->o->dir, self, x->o->dir, x->o->unit_dir, x->o->dir, x->o->dir);
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

static int load_state(const struct ctx *x, struct campaign *c)
{
	char *p = xasprintf("%s/state.json", x->o->dir), err[256];
	json_error_t je;
	json_t *j = json_load_file(p, 0, &je);
	int ret = FB_OK;

	if (!j)
		ret = fb_usage("campaign: no campaign in %s (%s)", x->o->dir, je.text);
	else if (campaign_from_json(j, c, err, sizeof(err)))
		ret = fb_fail("campaign: %s: %s", p, err);
	json_decref(j);
	free(p);
	return ret;
}

static int resume(const struct ctx *x, struct campaign *c)
{
	char *bid = proc_line(x, "sys/kernel/random/boot_id", "boot_id");
	char *cl = proc_line(x, "cmdline", "cmdline"), *up = proc_line(x, "uptime", "uptime");
	char *rel = proc_line(x, "sys/kernel/osrelease", "osrelease");
	struct campaign_facts f = { bid ? bid : "", cl ? cl : "", rel, up ? strtod(up, NULL) : 0 };
	struct campaign_ops ops = machine_ops;
	enum campaign_outcome r;

	ops.ctx = (void *)x;
	if (!bid)
		return fb_fail("campaign: cannot read this boot's id");
	r = campaign_resume(c, &f, &ops);
	free(bid);
	free(cl);
	free(up);
	free(rel);
	return r == CAMPAIGN_ERROR ? FB_FAIL : FB_OK;
}

/* root and kexec, or why not (exit 4). */
static int check_machine(const struct ctx *x)
{
	char *dis, *lock;
	int ret = FB_OK;

	if (x->proc)
		return FB_OK;
	if (geteuid())
		return fb_skip("campaign: needs root (kexec_load, the systemd unit)");
	dis = read_first_line("/proc/sys/kernel/kexec_load_disabled");
	lock = read_first_line("/sys/kernel/security/lockdown");
	if (dis && strcmp(dis, "0"))
		ret = fb_skip("campaign: kexec is disabled (kernel.kexec_load_disabled = %s)", dis);
	else if (lock && !strstr(lock, "[none]"))
		ret = fb_skip("campaign: the kernel is locked down (%s): kexec of an unsigned "
			      "kernel is refused",
			      lock);
	free(dis);
	free(lock);
	return ret;
}

static int install_unit(const struct ctx *x)
{
	char *self = self_path(), *text, *p = unit_path(x);
	const char *en[] = { "systemctl", "enable", CAMPAIGN_UNIT, NULL };
	FILE *f;
	int ret = FB_OK, fd;

	if (!have_program("systemctl")) {
		printf("campaign: no systemctl: no unit installed; run 'faultbench campaign resume "
		       "--dir %s' at every boot (from the machine's init)\n",
		       x->o->dir);
		free(self);
		free(p);
		return FB_OK;
	}
	text = unit_text(x, self ? self : "/usr/local/bin/faultbench");
	/* replaced, never written through a link planted there */
	fd = fb_create(p, FB_REPLACE);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fd >= 0 && !f)
		close(fd);
	if (!f || fputs(text, f) < 0 || fclose(f))
		ret = fb_fail("campaign: cannot write %s: %s", p, strerror(fd < 0 ? -fd : errno));
	else if (run_tool(en))
		ret = fb_fail("campaign: systemctl enable %s failed", CAMPAIGN_UNIT);
	else
		printf("campaign: installed %s\n", p);
	free(text);
	free(self);
	free(p);
	return ret;
}

/*
 * A kernel without append = boots with this boot's command line (what the
 * machine's boot loader gave the default kernel: root=, console=, ...),
 * less BOOT_IMAGE= (the loader's note) and any campaign's marker.
 */
static void default_append(const struct ctx *x, struct campaign *c)
{
	char *cl = proc_line(x, "cmdline", "cmdline"), *save = NULL, *w;
	char *keep = xstrdup("");

	for (w = cl ? strtok_r(cl, " ", &save) : NULL; w; w = strtok_r(NULL, " ", &save)) {
		char *t;

		if (!strncmp(w, "BOOT_IMAGE=", 11) || !strncmp(w, "fb_campaign=", 12))
			continue;
		t = xasprintf("%s%s%s", keep, *keep ? " " : "", w);
		free(keep);
		keep = t;
	}
	for (unsigned k = 0; k < c->nkernels; k++)
		if (!c->kernels[k].append) {
			c->kernels[k].append = xstrdup(keep);
			printf("campaign: kernel %s boots with this boot's command line: '%s'\n",
			       c->kernels[k].label, keep);
		}
	free(keep);
	free(cl);
}

/* "suite FILE": FILE made absolute, since the runs start in their own directories. */
static int absolute_command(struct campaign *c)
{
	for (unsigned i = 1; i < c->ncommand; i++) {
		char real[PATH_MAX];

		if (c->command[i][0] == '-' || !strchr(c->command[i], '.') ||
		    !realpath(c->command[i], real))
			continue;
		free(c->command[i]);
		c->command[i] = xstrdup(real);
	}
	return FB_OK;
}

static int start(const struct ctx *x, const char *plan_path)
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
	p = xasprintf("%s/state.json", x->o->dir);
	if (!ret && !access(p, F_OK))
		ret = fb_usage("campaign: %s holds a campaign already ('campaign status', or "
			       "another --dir)",
			       x->o->dir);
	free(p);
	if (!ret)
		ret = check_machine(x);
	if (!ret && mkdir_p(x->o->dir))
		ret = fb_fail("campaign: cannot create %s: %s", x->o->dir, strerror(errno));
	if (!ret && take_lock(x) < 0)
		ret = fb_fail("campaign: cannot lock %s/lock", x->o->dir);
	if (!ret && getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		ret = fb_fail("campaign: no random bytes for its id");
	if (!ret) {
		for (size_t i = 0; i < sizeof(r); i++)
			snprintf(c.id + 2 * i, 3, "%02x", r[i]);
		absolute_command(&c);
		default_append(x, &c);
		ret = op_save((void *)x, &c) ? FB_FAIL : install_unit(x);
	}
	if (!ret) {
		printf("campaign %s: %u boots of %u kernels in %s\n", c.id, c.nboots, c.nkernels,
		       x->o->dir);
		ret = resume(x, &c);
	}
	campaign_free(&c);
	return ret;
}

static void status(const struct campaign *c, const struct ctx *x)
{
	static const char *const phases[] = { "running", "finished", "stopped" };

	printf("campaign %s in %s: %s%s%s\n", c->id, x->o->dir, phases[c->phase],
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

/* A resume is running (its run, or a switch): it stops at its next act. */
static int stop_meanwhile(const struct ctx *x)
{
	char *p = xasprintf("%s/stop", x->o->dir);
	int fd = fb_create(p, FB_REPLACE);
	int ret = fd >= 0 && !close(fd) ? FB_OK : fb_fail("campaign: cannot write %s", p);

	if (!ret)
		printf("campaign: a resume is running in %s: the campaign stops after the run in "
		       "progress, then the machine goes back to its default kernel\n",
		       x->o->dir);
	free(p);
	return ret;
}

static int stop(const struct ctx *x, struct campaign *c)
{
	char *cl = proc_line(x, "cmdline", "cmdline");
	int ret = FB_OK;

	if (c->phase == CAMPAIGN_RUNNING) {
		c->phase = CAMPAIGN_STOPPED;
		c->why_stopped = xstrdup("stopped by 'campaign stop'");
		ret = op_save((void *)x, c);
	}
	printf("campaign %s stopped; every result stays in %s\n", c->id, x->o->dir);
	/* in a campaign kernel: reboot, and the default kernel's resume removes the unit */
	if (!ret && campaign_marker(cl, c->id) >= 0)
		ret = op_return((void *)x) ? FB_FAIL : FB_OK;
	else if (!ret)
		op_uninstall((void *)x);
	free(cl);
	return ret;
}

int cmd_campaign(int argc, char **argv)
{
	struct campaign_cmd_opts o;
	struct opt_binding b = { campaign_options, &o };
	struct ctx x = { .o = &o, .proc = getenv("FB_TEST_CAMPAIGN_PROC") };
	struct campaign c;
	const char *sub;
	int ret, npos;

	ret = opt_parse_command(&b, argc, argv, true, usage, &npos);
	if (ret)
		return ret < 0 ? FB_OK : ret;
	if (!npos)
		return usage(stderr);
	sub = argv[1];
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
		char *self = self_path(), *t = unit_text(&x, self ? self : "faultbench");

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
		int lock = take_lock(&x);

		if (lock == -1 && !strcmp(sub, "stop"))
			return stop_meanwhile(&x);
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
