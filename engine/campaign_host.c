// SPDX-License-Identifier: GPL-2.0
/*
 * The machine's side of a kexec campaign (campaign_host.h): /proc facts,
 * kexec, systemctl, the run and compare as faultbench children, the state
 * written atomically (fb_write_file: a temporary file, fsync, rename), the
 * lock, the systemd unit.  What to do next is engine/campaign.c's decision.
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
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "campaign_host.h"
#include "fsfile.h"
#include "spawn.h"
#include "util.h"

/* /proc/<rel>, or the test's stand-in for it. */
static char *proc_path(const struct campaign_host *x, const char *rel, const char *test_name)
{
	return x->proc ? xasprintf("%s/%s", x->proc, test_name) : xasprintf("/proc/%s", rel);
}

char *campaign_host_proc_line(const struct campaign_host *x, const char *rel, const char *test_name)
{
	char *p = proc_path(x, rel, test_name), *s = read_first_line(p);

	free(p);
	return s;
}

static int write_json(FILE *f, const void *arg)
{
	return json_dumpf(arg, f, JSON_INDENT(1) | JSON_SORT_KEYS) || fputc('\n', f) == EOF;
}

int campaign_host_save(void *ctx, const struct campaign *c)
{
	struct campaign_host *x = ctx;
	json_t *j = campaign_to_json(c);
	int ret = fb_write_file(x->dir, "state", ".json", FB_REPLACE, write_json, j, NULL);

	json_decref(j);
	if (ret)
		fb_fail("campaign: cannot write %s/state.json: %s", x->dir, strerror(-ret));
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
static void wait_quiet(const struct campaign_host *x, const struct campaign *c,
		       struct campaign_boot *b)
{
	double start = now_monotonic();

	for (;;) {
		char *l = campaign_host_proc_line(x, "loadavg", "loadavg");

		b->load = l ? strtod(l, NULL) : 0;
		free(l);
		b->quiet_wait = now_monotonic() - start;
		if (b->load <= c->quiet_load || b->quiet_wait >= c->quiet_timeout || fb_interrupted)
			break;
		sleep(5);
	}
	if (b->load > c->quiet_load)
		fb_warn("campaign: load %.2f after %.0f s, above quiet-load %.2f: running anyway "
			"(recorded)",
			b->load, b->quiet_wait, c->quiet_load);
}

static int op_run(void *ctx, const struct campaign *c, struct campaign_boot *b, unsigned i)
{
	struct campaign_host *x = ctx;
	const char *label = c->kernels[b->kernel].label;
	char *dir = xasprintf("%s/runs/%u", x->dir, i), *log = xasprintf("%s/output.txt", dir);
	const char **argv = xcalloc(c->ncommand + 4, sizeof(*argv));
	int code;

	/* a run interrupted in this boot starts afresh: nothing of it counts */
	fsfile_remove_tree(dir);
	if (mkdir_p(dir)) {
		code = fb_fail("campaign: cannot create %s", dir);
		goto out;
	}
	wait_quiet(x, c, b);
	if (fb_interrupted) {
		code = 128 + fb_interrupted;
		goto out;
	}
	argv[0] = "faultbench";
	for (unsigned k = 0; k < c->ncommand; k++)
		argv[k + 1] = c->command[k];
	argv[c->ncommand + 1] = "--label";
	argv[c->ncommand + 2] = label;
	printf("campaign: boot %u of %u (%s): %.0f s after boot, load %.2f: running\n", i + 1,
	       c->nboots, label, b->uptime + b->quiet_wait, b->load);
	fflush(stdout);
	b->started = (long long)time(NULL);
	code = spawn_self_logged(argv, dir, log, 0, NULL);
	b->ended = (long long)time(NULL);
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
	struct campaign_host *x = ctx;
	char *res = xasprintf("%s/results", x->dir), *table = xasprintf("%s/table.txt", x->dir);
	const char **cmp = xcalloc(c->nkernels + 3, sizeof(*cmp));
	char **dirs = xcalloc(c->nkernels, sizeof(*dirs));
	struct spawn s = { .file = "/proc/self/exe", .argv = cmp };
	int ret = FB_OK;

	/* rebuilt from the state each time: only done boots count */
	fsfile_remove_tree(res);
	cmp[0] = "faultbench";
	cmp[1] = "compare";
	for (unsigned k = 0; k < c->nkernels; k++) {
		dirs[k] = xasprintf("%s/%s", res, c->kernels[k].label);
		mkdir_p(dirs[k]);
		cmp[2 + k] = dirs[k];
	}
	for (unsigned i = 0; i < c->nboots; i++) {
		char *run = xasprintf("%s/runs/%u", x->dir, i);

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

static char *unit_path(const struct campaign_host *x)
{
	return xasprintf("%s/%s", x->unit_dir, CAMPAIGN_UNIT);
}

int campaign_host_uninstall(void *ctx)
{
	struct campaign_host *x = ctx;
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

int campaign_host_return(void *ctx)
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
int campaign_host_lock(const struct campaign_host *x)
{
	char *p = xasprintf("%s/lock", x->dir);
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
	struct campaign_host *x = ctx;
	char *p = xasprintf("%s/stop", x->dir);
	bool yes = !access(p, F_OK);

	free(p);
	return yes;
}

const struct campaign_ops campaign_host_ops = {
	.save = campaign_host_save,
	.load = op_load,
	.switch_kernel = op_switch,
	.run = op_run,
	.finish = op_finish,
	.uninstall = campaign_host_uninstall,
	.return_default = campaign_host_return,
	.stop_requested = op_stop_requested,
};

/* This binary's path, for the unit's ExecStart. malloc'd, or NULL. */
char *campaign_host_self(void)
{
	char p[PATH_MAX];

	return realpath("/proc/self/exe", p) ? xstrdup(p) : NULL;
}

/* The unit's text: the campaign resumes at every boot until it removes the unit. */
char *campaign_host_unit_text(const struct campaign_host *x, const char *self)
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
	    x->dir, x->dir, self, x->dir, x->unit_dir, x->dir, x->dir);
}

/* root and kexec, or why not (exit 4). */
int campaign_host_check(const struct campaign_host *x)
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

int campaign_host_install_unit(const struct campaign_host *x)
{
	char *self = campaign_host_self(), *text, *p = unit_path(x);
	const char *en[] = { "systemctl", "enable", CAMPAIGN_UNIT, NULL };
	FILE *f;
	int ret = FB_OK, fd;

	if (!have_program("systemctl")) {
		printf("campaign: no systemctl: no unit installed; run 'faultbench campaign resume "
		       "--dir %s' at every boot (from the machine's init)\n",
		       x->dir);
		free(self);
		free(p);
		return FB_OK;
	}
	text = campaign_host_unit_text(x, self ? self : "/usr/local/bin/faultbench");
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
void campaign_host_default_append(const struct campaign_host *x, struct campaign *c)
{
	char *cl = campaign_host_proc_line(x, "cmdline", "cmdline"), *save = NULL, *w;
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
int campaign_absolute_command(struct campaign *c)
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

/* A resume is running (its run, or a switch): it stops at its next act. */
int campaign_host_stop_meanwhile(const struct campaign_host *x)
{
	char *p = xasprintf("%s/stop", x->dir);
	int fd = fb_create(p, FB_REPLACE);
	int ret = fd >= 0 && !close(fd) ? FB_OK : fb_fail("campaign: cannot write %s", p);

	if (!ret)
		printf("campaign: a resume is running in %s: the campaign stops after the run in "
		       "progress, then the machine goes back to its default kernel\n",
		       x->dir);
	free(p);
	return ret;
}
