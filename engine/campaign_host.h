/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine a kexec campaign runs on (engine/campaign.c decides, this
 * acts): where its state, lock and systemd unit are, the boot's facts from
 * /proc (or a test's stand-in for it), and the acts of struct campaign_ops
 * on this machine: kexec, systemctl, the runs and the final compare.
 */
#ifndef FB_CAMPAIGN_HOST_H
#define FB_CAMPAIGN_HOST_H

#include <stdbool.h>

#include "campaign.h"

#define CAMPAIGN_UNIT "faultbench-campaign.service"

struct campaign_host {
	const char *dir;      /* the campaign's state, runs, results and table */
	const char *unit_dir; /* where start installs CAMPAIGN_UNIT */
	const char *proc;     /* FB_TEST_CAMPAIGN_PROC, or NULL: /proc */
};

/* The acts on this machine; ctx is the struct campaign_host. */
extern const struct campaign_ops campaign_host_ops;

/* The first line of /proc/<rel>, or of the test's file test_name; malloc'd or NULL. */
char *campaign_host_proc_line(const struct campaign_host *x, const char *rel,
			      const char *test_name);
/* DIR/state.json, atomically (ctx: the host).  0, or -errno with a message. */
int campaign_host_save(void *ctx, const struct campaign *c);
/*
 * The campaign's lock, held by the process that changes its state (start,
 * resume, stop) until it exits: a descriptor, -1 when another holds it, -2
 * when it cannot be made.
 */
int campaign_host_lock(const struct campaign_host *x);
/* 'campaign stop' while a resume runs: DIR/stop, which the resume reads between acts. */
int campaign_host_stop_meanwhile(const struct campaign_host *x);
/* root and kexec, or why not (FB_SKIP); FB_OK on a test's stand-in /proc. */
int campaign_host_check(const struct campaign_host *x);
/* This binary's path, for the unit's ExecStart. malloc'd, or NULL. */
char *campaign_host_self(void);
/* The unit's text: the campaign resumes at every boot until it removes the unit. */
char *campaign_host_unit_text(const struct campaign_host *x, const char *self);
/* Install and enable the unit (without systemctl: say what to do instead). */
int campaign_host_install_unit(const struct campaign_host *x);
/* Disable and remove the unit, if installed (ctx: the host).  0. */
int campaign_host_uninstall(void *ctx);
/* Reboot into the machine's default kernel (ctx: the host). */
int campaign_host_return(void *ctx);
/*
 * A kernel without append = boots with this boot's command line (what the
 * machine's boot loader gave the default kernel: root=, console=, ...),
 * less BOOT_IMAGE= (the loader's note) and any campaign's marker.
 */
void campaign_host_default_append(const struct campaign_host *x, struct campaign *c);
/* "suite FILE": FILE made absolute, since the runs start in their own directories. */
int campaign_absolute_command(struct campaign *c);

#endif
