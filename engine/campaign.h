/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A campaign: several boots of each of a few kernels on the machine itself,
 * interleaved (A, B, A, B, ...), each boot one run of its kernel's label,
 * switched with kexec and resumed after every boot (docs/campaign.md).
 *
 * This is the state machine, apart from the machine: campaign_decide() says
 * what to do from the saved state and the facts of the boot it runs in (its
 * boot id, the campaign's marker on its command line), and
 * campaign_resume() does it through callbacks (kexec, the run, compare,
 * saving the state).  Every decision is saved, atomically, before the act
 * it names, so a crash, a power cut or a kernel that never comes back costs
 * at most the boot in progress, which the next resume names as failed, with
 * the reason.  tests/unit/test_campaign.c crashes it between any two steps.
 */
#ifndef FB_CAMPAIGN_H
#define FB_CAMPAIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define CAMPAIGN_MAX_KERNELS  8
#define CAMPAIGN_MAX_BOOTS    1000
#define CAMPAIGN_MAX_WORDS    256 /* in command = */
#define CAMPAIGN_MAX_ATTEMPTS 3	  /* switches (or runs) tried for one boot before it fails */
#define CAMPAIGN_ID_LEN	      16
#define CAMPAIGN_BOOT_ID_LEN  40

/*
 * A boot's life: planned; loading (the switch to it is decided and saved,
 * the kernel being loaded); switching (the switch was asked for); running
 * (it came up, its run started); done or failed.
 */
enum campaign_boot_state {
	CB_PLANNED,
	CB_LOADING,
	CB_SWITCHING,
	CB_RUNNING,
	CB_DONE,
	CB_FAILED,
};

enum campaign_phase { CAMPAIGN_RUNNING, CAMPAIGN_FINISHED, CAMPAIGN_STOPPED };

struct campaign_kernel {
	char *label;  /* the label of its runs (a directory name) */
	char *kernel; /* the image kexec loads */
	char *initrd; /* or NULL */
	char *append; /* its command line (the marker is added) */
};

struct campaign_boot {
	unsigned kernel; /* index into kernels */
	enum campaign_boot_state state;
	char boot_id_before[CAMPAIGN_BOOT_ID_LEN]; /* the boot that switched to it */
	char boot_id[CAMPAIGN_BOOT_ID_LEN];	   /* its own, once it came up */
	unsigned attempts;			   /* switches asked for, then runs started */
	int status;				   /* the command's exit status, when done */
	char *why;				   /* why it failed */
	char *release, *cmdline;		   /* of the kernel that came up */
	double uptime;				   /* seconds since boot when its run started */
	double quiet_wait, load;		   /* the wait for quiet, and the load then */
	long long started, ended;		   /* unix seconds of its run */
};

struct campaign {
	char id[CAMPAIGN_ID_LEN + 1]; /* in the marker: fb_campaign=ID.N */
	enum campaign_phase phase;
	char *why_stopped;
	bool stop_on_failure;
	char **command; /* faultbench's arguments: run ... or suite FILE */
	unsigned ncommand;
	double quiet_load, quiet_timeout;
	double threshold; /* check's, in percent, for the verdict at the end */
	struct campaign_kernel kernels[CAMPAIGN_MAX_KERNELS];
	unsigned nkernels;
	struct campaign_boot *boots;
	unsigned nboots;
};

/* What this boot is: from /proc (or a test). */
struct campaign_facts {
	const char *boot_id;
	const char *cmdline; /* the running kernel's command line */
	const char *release;
	double uptime;
};

enum campaign_act {
	CA_NONE,	   /* nothing to do here (ended, in the default kernel) */
	CA_SWITCH,	   /* load boot .boot's kernel and switch to it */
	CA_RUN,		   /* run the command as boot .boot */
	CA_FINISH,	   /* every boot ended: compare, check */
	CA_RETURN_DEFAULT, /* ended or stopped in a campaign kernel: back to the default one */
};

struct campaign_action {
	enum campaign_act act;
	unsigned boot;
};

/*
 * The plan, an INI text (docs/campaign.md): [campaign] boots, order,
 * command, quiet-load, quiet-timeout, on-failure, threshold; one
 * [kernel LABEL] section per kernel with kernel, initrd, append.  The boots
 * are laid out in their order.  0, or -1 with the reason in err.
 */
int campaign_parse_plan(const char *ini, struct campaign *c, char *err, size_t errlen);
/* The state as JSON, and back (0, or -1 with the reason). */
json_t *campaign_to_json(const struct campaign *c);
int campaign_from_json(json_t *j, struct campaign *c, char *err, size_t errlen);
void campaign_free(struct campaign *c);

/* The boot index of the marker fb_campaign=ID.N on cmdline for campaign id, or -1. */
int campaign_marker(const char *cmdline, const char *id);
/* The kernel command line for boot i: the kernel's append and the marker. malloc'd. */
char *campaign_cmdline(const struct campaign *c, unsigned i);

/* What to do now; records in c what the facts say happened (a boot that failed, ...). */
struct campaign_action campaign_decide(struct campaign *c, const struct campaign_facts *f);

/* The machine, for campaign_resume(): each returns 0 on success. */
struct campaign_ops {
	void *ctx;
	/* write the state where the next resume reads it, atomically */
	int (*save)(void *ctx, const struct campaign *c);
	/* load boot i's kernel (kexec -l) */
	int (*load)(void *ctx, const struct campaign *c, unsigned i);
	/* ask for the switch (systemctl kexec); the machine then goes down */
	int (*switch_kernel)(void *ctx, const struct campaign *c, unsigned i);
	/* wait for quiet and run the command as boot i (b->quiet_wait, load); its exit status */
	int (*run)(void *ctx, const struct campaign *c, struct campaign_boot *b, unsigned i);
	/* the table and verdict of the done boots */
	int (*finish)(void *ctx, const struct campaign *c);
	/* remove what resumes the campaign at boot (the systemd unit) */
	int (*uninstall)(void *ctx);
	/* reboot into the machine's default kernel */
	int (*return_default)(void *ctx);
	/* whether 'campaign stop' asked, meanwhile, for the end (may be NULL) */
	bool (*stop_requested)(void *ctx);
};

enum campaign_outcome {
	CAMPAIGN_SWITCHED,    /* the machine is going down into the next boot */
	CAMPAIGN_ENDED,	      /* finished or stopped here; nothing left to do */
	CAMPAIGN_REBOOTING,   /* going back to the default kernel */
	CAMPAIGN_ERROR,	      /* the state could not be saved, or an act failed: said why */
	CAMPAIGN_INTERRUPTED, /* SIGINT/SIGTERM: left as a kill would leave it, run stopped */
};

/*
 * Decide and act until the machine must go down or the campaign has ended.
 * Saves the state before every act.
 */
enum campaign_outcome campaign_resume(struct campaign *c, const struct campaign_facts *f,
				      const struct campaign_ops *ops);
/* A boot's state by name ("done"), for status. */
const char *campaign_boot_state_name(enum campaign_boot_state s);

#endif
