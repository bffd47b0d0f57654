// SPDX-License-Identifier: GPL-2.0
/*
 * The campaign state machine: see campaign.h.  Nothing here touches the
 * machine; campaign_host.c gives it kexec, systemd, the run and compare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "campaign.h"
#include "cmdwords.h"
#include "util.h"

static const char *const state_names[] = {
	[CB_PLANNED] = "planned", [CB_LOADING] = "loading", [CB_SWITCHING] = "switching",
	[CB_RUNNING] = "running", [CB_DONE] = "done",	    [CB_FAILED] = "failed",
};
static const char *const phase_names[] = {
	[CAMPAIGN_RUNNING] = "running",
	[CAMPAIGN_FINISHED] = "finished",
	[CAMPAIGN_STOPPED] = "stopped",
};

const char *campaign_boot_state_name(enum campaign_boot_state s)
{
	return state_names[s];
}

/* ---- the plan ------------------------------------------------------------- */

struct parse {
	struct campaign *c;
	long long boots;
	const char *order;
	char *order_buf;
	char err[256];
};

static int plan_number(struct parse *p, const char *name, const char *v, double lo, double hi,
		       double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || (*end && strcmp(end, "%")) || !(d >= lo && d <= hi)) {
		snprintf(p->err, sizeof(p->err),
			 "[campaign] %s = '%s' is not a number from %g to %g", name, v, lo, hi);
		return 0;
	}
	*out = d;
	return 1;
}

static int plan_command(struct parse *p, const char *v)
{
	static const char *const label[] = { "--label", NULL };
	struct campaign *c = p->c;
	struct cmd_words w;

	if (cmd_words_split(&w, v, CAMPAIGN_MAX_WORDS)) {
		snprintf(p->err, sizeof(p->err), "[campaign] command: more than %d words",
			 CAMPAIGN_MAX_WORDS);
		return 0;
	}
	c->command = w.v;
	c->ncommand = w.n;
	/* each boot's runs get their kernel's label */
	if (cmd_words_find(&w, label)) {
		snprintf(p->err, sizeof(p->err),
			 "[campaign] command: the labels come from the [kernel LABEL] "
			 "sections, not --label");
		return 0;
	}
	if (!c->ncommand || (strcmp(c->command[0], "run") && strcmp(c->command[0], "suite"))) {
		snprintf(p->err, sizeof(p->err),
			 "[campaign] command = '%s' is not a faultbench 'run ...' or 'suite FILE'",
			 v);
		return 0;
	}
	return 1;
}

static int plan_campaign_key(struct parse *p, const char *name, const char *v)
{
	struct campaign *c = p->c;
	double d;

	if (!strcmp(name, "boots")) {
		if (!plan_number(p, name, v, 1, CAMPAIGN_MAX_BOOTS, &d))
			return 0;
		p->boots = (long long)d;
	} else if (!strcmp(name, "order")) {
		free(p->order_buf);
		p->order = p->order_buf = xstrdup(v);
	} else if (!strcmp(name, "command")) {
		return !c->ncommand ? plan_command(p, v) : 0;
	} else if (!strcmp(name, "quiet-load")) {
		return plan_number(p, name, v, 0, 1e6, &c->quiet_load);
	} else if (!strcmp(name, "quiet-timeout")) {
		return plan_number(p, name, v, 0, 86400, &c->quiet_timeout);
	} else if (!strcmp(name, "threshold")) {
		return plan_number(p, name, v, 0, 99.99, &c->threshold);
	} else if (!strcmp(name, "on-failure")) {
		if (strcmp(v, "continue") && strcmp(v, "stop")) {
			snprintf(p->err, sizeof(p->err),
				 "[campaign] on-failure = '%s' is not continue or stop", v);
			return 0;
		}
		c->stop_on_failure = !strcmp(v, "stop");
	} else {
		snprintf(p->err, sizeof(p->err), "[campaign]: unknown key '%s'", name);
		return 0;
	}
	return 1;
}

static int plan_kernel_key(struct parse *p, const char *label, const char *name, const char *v)
{
	struct campaign *c = p->c;
	struct campaign_kernel *k = NULL;
	char **field;

	for (unsigned i = 0; i < c->nkernels; i++)
		if (!strcmp(c->kernels[i].label, label))
			k = &c->kernels[i];
	if (!k) {
		if (c->nkernels == CAMPAIGN_MAX_KERNELS || !fb_name_ok(label)) {
			snprintf(p->err, sizeof(p->err), "[kernel %s]: %s", label,
				 fb_name_ok(label) ? "too many kernels"
						   : "not a label (letters, digits, . _ -)");
			return 0;
		}
		k = &c->kernels[c->nkernels++];
		k->label = xstrdup(label);
	}
	field = !strcmp(name, "kernel")	  ? &k->kernel
		: !strcmp(name, "initrd") ? &k->initrd
		: !strcmp(name, "append") ? &k->append
					  : NULL;
	if (!field || *field) {
		snprintf(p->err, sizeof(p->err), "[kernel %s]: %s key '%s'", label,
			 field ? "a second" : "unknown", name);
		return 0;
	}
	*field = xstrdup(v);
	return 1;
}

static int plan_handler(void *user, const char *section, const char *name, const char *v)
{
	struct parse *p = user;

	if (p->err[0])
		return 0;
	if (!strcmp(section, "campaign"))
		return plan_campaign_key(p, name, v);
	if (!strncmp(section, "kernel ", 7) && section[7])
		return plan_kernel_key(p, section + 7, name, v);
	snprintf(p->err, sizeof(p->err), "unknown section [%s] (campaign, or kernel LABEL)",
		 section);
	return 0;
}

/* interleaved: A B A B ...; abba: A B B A A B ... (a linear drift hits both alike) */
static int lay_out_boots(struct parse *p)
{
	struct campaign *c = p->c;
	bool abba = !strcmp(p->order, "abba");

	if (!abba && strcmp(p->order, "interleaved")) {
		snprintf(p->err, sizeof(p->err),
			 "[campaign] order = '%s' is not interleaved or abba", p->order);
		return -1;
	}
	if (p->boots * c->nkernels > CAMPAIGN_MAX_BOOTS) {
		snprintf(p->err, sizeof(p->err), "more than %d boots in all", CAMPAIGN_MAX_BOOTS);
		return -1;
	}
	c->nboots = (unsigned)p->boots * c->nkernels;
	c->boots = xcalloc(c->nboots, sizeof(*c->boots));
	for (unsigned r = 0, i = 0; r < p->boots; r++)
		for (unsigned k = 0; k < c->nkernels; k++, i++)
			c->boots[i].kernel = abba && r % 2 ? c->nkernels - 1 - k : k;
	return 0;
}

int campaign_parse_plan(const char *ini, struct campaign *c, char *err, size_t errlen)
{
	struct parse p = { .c = c, .boots = 3, .order = "interleaved" };
	int line;

	memset(c, 0, sizeof(*c));
	c->quiet_load = 0.5;
	c->quiet_timeout = 600;
	c->threshold = 2;
	line = ini_parse_string(ini, plan_handler, &p);
	if (!p.err[0] && line)
		snprintf(p.err, sizeof(p.err), "line %d is not 'key = value' or '[section]'", line);
	if (!p.err[0] && !c->ncommand)
		snprintf(p.err, sizeof(p.err), "[campaign] has no command (like 'run pf1')");
	if (!p.err[0] && !c->nkernels)
		snprintf(p.err, sizeof(p.err), "no [kernel LABEL] section");
	for (unsigned i = 0; !p.err[0] && i < c->nkernels; i++)
		if (!c->kernels[i].kernel)
			snprintf(p.err, sizeof(p.err), "[kernel %s] has no kernel = PATH",
				 c->kernels[i].label);
	if (!p.err[0])
		lay_out_boots(&p);
	free(p.order_buf);
	if (p.err[0]) {
		snprintf(err, errlen, "%s", p.err);
		campaign_free(c);
		return -1;
	}
	return 0;
}

void campaign_free(struct campaign *c)
{
	for (unsigned i = 0; i < c->ncommand; i++)
		free(c->command[i]);
	free(c->command);
	for (unsigned i = 0; i < c->nkernels; i++) {
		free(c->kernels[i].label);
		free(c->kernels[i].kernel);
		free(c->kernels[i].initrd);
		free(c->kernels[i].append);
	}
	for (unsigned i = 0; i < c->nboots; i++) {
		free(c->boots[i].why);
		free(c->boots[i].release);
		free(c->boots[i].cmdline);
	}
	free(c->boots);
	free(c->why_stopped);
	memset(c, 0, sizeof(*c));
}

/* ---- the state as JSON ---------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *campaign_to_json(const struct campaign *c)
{
	json_t *j = json_object(), *ks = json_array(), *bs = json_array(), *cmd = json_array();

	json_object_set_new(j, "version", json_integer(1));
	json_object_set_new(j, "id", json_string(c->id));
	json_object_set_new(j, "phase", json_string(phase_names[c->phase]));
	json_object_set_new(j, "why_stopped", str_or_null(c->why_stopped));
	json_object_set_new(j, "on_failure", json_string(c->stop_on_failure ? "stop" : "continue"));
	for (unsigned i = 0; i < c->ncommand; i++)
		json_array_append_new(cmd, json_string(c->command[i]));
	json_object_set_new(j, "command", cmd);
	json_object_set_new(j, "quiet_load", json_real(c->quiet_load));
	json_object_set_new(j, "quiet_timeout", json_real(c->quiet_timeout));
	json_object_set_new(j, "threshold", json_real(c->threshold));
	for (unsigned i = 0; i < c->nkernels; i++) {
		const struct campaign_kernel *k = &c->kernels[i];

		json_array_append_new(ks,
				      json_pack("{s:s, s:s, s:o, s:o}", "label", k->label, "kernel",
						k->kernel, "initrd", str_or_null(k->initrd),
						"append", str_or_null(k->append)));
	}
	json_object_set_new(j, "kernels", ks);
	for (unsigned i = 0; i < c->nboots; i++) {
		const struct campaign_boot *b = &c->boots[i];

		json_array_append_new(
		    bs, json_pack("{s:i, s:s, s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:f, s:f, s:f, "
				  "s:I, s:I}",
				  "kernel", (int)b->kernel, "state", state_names[b->state],
				  "boot_id_before", b->boot_id_before, "boot_id", b->boot_id,
				  "attempts", (int)b->attempts, "status", b->status, "why",
				  str_or_null(b->why), "release", str_or_null(b->release),
				  "cmdline", str_or_null(b->cmdline), "uptime", b->uptime,
				  "quiet_wait", b->quiet_wait, "load", b->load, "started",
				  (json_int_t)b->started, "ended", (json_int_t)b->ended));
	}
	json_object_set_new(j, "boots", bs);
	return j;
}

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static char *dup_or_null(json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static int boot_from_json(json_t *jb, struct campaign_boot *b, unsigned nkernels)
{
	json_t *v;
	int s = name_index(state_names, ARRAY_SIZE(state_names),
			   json_string_value(json_object_get(jb, "state")));
	json_int_t k = json_integer_value(json_object_get(jb, "kernel"));

	if (s < 0 || k < 0 || (unsigned)k >= nkernels)
		return -1;
	b->kernel = (unsigned)k;
	b->state = (enum campaign_boot_state)s;
	snprintf(b->boot_id_before, sizeof(b->boot_id_before), "%s",
		 json_string_value(json_object_get(jb, "boot_id_before")) ?: "");
	snprintf(b->boot_id, sizeof(b->boot_id), "%s",
		 json_string_value(json_object_get(jb, "boot_id")) ?: "");
	b->attempts = (unsigned)json_integer_value(json_object_get(jb, "attempts"));
	b->status = (int)json_integer_value(json_object_get(jb, "status"));
	b->why = dup_or_null(json_object_get(jb, "why"));
	b->release = dup_or_null(json_object_get(jb, "release"));
	b->cmdline = dup_or_null(json_object_get(jb, "cmdline"));
	b->uptime = json_number_value(json_object_get(jb, "uptime"));
	b->quiet_wait = json_number_value(json_object_get(jb, "quiet_wait"));
	b->load = json_number_value(json_object_get(jb, "load"));
	v = json_object_get(jb, "started");
	b->started = json_integer_value(v);
	b->ended = json_integer_value(json_object_get(jb, "ended"));
	return 0;
}

int campaign_from_json(json_t *j, struct campaign *c, char *err, size_t errlen)
{
	json_t *ks = json_object_get(j, "kernels"), *bs = json_object_get(j, "boots"),
	       *cmd = json_object_get(j, "command"), *v;
	const char *id = json_string_value(json_object_get(j, "id"));
	int phase = name_index(phase_names, ARRAY_SIZE(phase_names),
			       json_string_value(json_object_get(j, "phase")));
	size_t i;

	memset(c, 0, sizeof(*c));
	if (json_integer_value(json_object_get(j, "version")) != 1 || !id ||
	    strlen(id) > CAMPAIGN_ID_LEN || phase < 0 || !json_is_array(ks) ||
	    !json_array_size(ks) || json_array_size(ks) > CAMPAIGN_MAX_KERNELS ||
	    !json_is_array(bs) || json_array_size(bs) > CAMPAIGN_MAX_BOOTS || !json_is_array(cmd) ||
	    !json_array_size(cmd))
		goto bad;
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->phase = (enum campaign_phase)phase;
	c->why_stopped = dup_or_null(json_object_get(j, "why_stopped"));
	c->stop_on_failure =
	    !strcmp(json_string_value(json_object_get(j, "on_failure")) ?: "", "stop");
	c->quiet_load = json_number_value(json_object_get(j, "quiet_load"));
	c->quiet_timeout = json_number_value(json_object_get(j, "quiet_timeout"));
	c->threshold = json_number_value(json_object_get(j, "threshold"));
	c->command = xcalloc(json_array_size(cmd), sizeof(*c->command));
	json_array_foreach (cmd, i, v) {
		if (!json_is_string(v))
			goto bad;
		c->command[c->ncommand++] = xstrdup(json_string_value(v));
	}
	json_array_foreach (ks, i, v) {
		struct campaign_kernel *k = &c->kernels[c->nkernels];
		const char *label = json_string_value(json_object_get(v, "label"));
		const char *kernel = json_string_value(json_object_get(v, "kernel"));

		if (!label || !fb_name_ok(label) || !kernel)
			goto bad;
		c->nkernels++;
		k->label = xstrdup(label);
		k->kernel = xstrdup(kernel);
		k->initrd = dup_or_null(json_object_get(v, "initrd"));
		k->append = dup_or_null(json_object_get(v, "append"));
	}
	c->boots = xcalloc(json_array_size(bs) + 1, sizeof(*c->boots));
	json_array_foreach (bs, i, v) {
		if (boot_from_json(v, &c->boots[c->nboots], c->nkernels))
			goto bad;
		c->nboots++;
	}
	return 0;
bad:
	snprintf(err, errlen, "not a campaign state of this faultbench (version 1)");
	campaign_free(c);
	return -1;
}

/* ---- the state machine ---------------------------------------------------- */

int campaign_marker(const char *cmdline, const char *id)
{
	size_t n = strlen(id);

	for (const char *p = cmdline ? strstr(cmdline, "fb_campaign=") : NULL; p;
	     p = strstr(p + 1, "fb_campaign=")) {
		const char *v = p + strlen("fb_campaign=");
		char *end;
		long i;

		if ((p != cmdline && p[-1] != ' ') || strncmp(v, id, n) || v[n] != '.')
			continue;
		errno = 0;
		i = strtol(v + n + 1, &end, 10);
		if (!errno && end != v + n + 1 && (!*end || *end == ' ' || *end == '\n') &&
		    i >= 0 && i < CAMPAIGN_MAX_BOOTS)
			return (int)i;
	}
	return -1;
}

char *campaign_cmdline(const struct campaign *c, unsigned i)
{
	const char *a = c->kernels[c->boots[i].kernel].append;

	return xasprintf("%s%sfb_campaign=%s.%u", a ? a : "", a && *a ? " " : "", c->id, i);
}

static void fail_boot(struct campaign *c, struct campaign_boot *b, char *why)
{
	b->state = CB_FAILED;
	free(b->why);
	b->why = why;
	if (c->stop_on_failure && c->phase == CAMPAIGN_RUNNING) {
		c->phase = CAMPAIGN_STOPPED;
		free(c->why_stopped);
		c->why_stopped = xasprintf("a boot failed and the plan says on-failure = stop");
	}
}

static void came_up(struct campaign_boot *b, const struct campaign_facts *f)
{
	b->state = CB_RUNNING;
	b->attempts = 1; /* from now on: runs started */
	snprintf(b->boot_id, sizeof(b->boot_id), "%s", f->boot_id);
	free(b->release);
	free(b->cmdline);
	b->release = f->release ? xstrdup(f->release) : NULL;
	b->cmdline = f->cmdline ? xstrdup(f->cmdline) : NULL;
	b->uptime = f->uptime;
}

/*
 * The boot in progress (at most one is between planned and ended), judged
 * by what this boot is.  Returns the action it needs, or CA_NONE to go on to
 * the next one.
 */
static struct campaign_action judge_in_progress(struct campaign *c, unsigned i,
						const struct campaign_facts *f)
{
	struct campaign_boot *b = &c->boots[i];
	const char *label = c->kernels[b->kernel].label;
	bool same_boot =
	    !strcmp(f->boot_id, b->state == CB_RUNNING ? b->boot_id : b->boot_id_before);
	int marker = campaign_marker(f->cmdline, c->id);
	struct campaign_action none = { CA_NONE, 0 }, again = { CA_SWITCH, i }, run = { CA_RUN, i };

	switch (b->state) {
	case CB_LOADING:
	case CB_SWITCHING:
		if (marker == (int)i && !same_boot) {
			came_up(b, f);
			return run;
		}
		if (same_boot || b->state == CB_LOADING) {
			/*
			 * Still the boot that decided the switch (faultbench stopped
			 * before kexec did), or the machine went down before the
			 * switch was asked for (a power cut, not the kernel): again.
			 */
			if (b->attempts < CAMPAIGN_MAX_ATTEMPTS)
				return again;
			fail_boot(c, b,
				  xasprintf("the switch to kernel %s did not happen in %u attempts "
					    "(kexec refused, or the machine went down first)",
					    label, b->attempts));
			return none;
		}
		fail_boot(c, b,
			  xasprintf("kernel %s did not come back: the machine booted without the "
				    "campaign's marker (boot id %s; a panic, a hang reset by the "
				    "watchdog, or a power cut during its boot)",
				    label, f->boot_id));
		return none;
	case CB_RUNNING:
		if (!same_boot) {
			fail_boot(c, b,
				  xasprintf("the machine went down during the run of boot %u "
					    "(kernel %s; boot id %s, now %s): its results are left "
					    "out",
					    i + 1, label, b->boot_id, f->boot_id));
			return none;
		}
		/* faultbench itself stopped mid-run in this boot: the run once more */
		if (b->attempts < CAMPAIGN_MAX_ATTEMPTS) {
			b->attempts++;
			return run;
		}
		fail_boot(c, b, xasprintf("its run was interrupted %u times", b->attempts));
		return none;
	default:
		return none;
	}
}

struct campaign_action campaign_decide(struct campaign *c, const struct campaign_facts *f)
{
	struct campaign_action a = { CA_NONE, 0 };
	bool in_campaign_kernel = campaign_marker(f->cmdline, c->id) >= 0;

	for (unsigned i = 0; i < c->nboots && c->phase == CAMPAIGN_RUNNING; i++) {
		enum campaign_boot_state s = c->boots[i].state;

		if (s == CB_LOADING || s == CB_SWITCHING || s == CB_RUNNING) {
			a = judge_in_progress(c, i, f);
			if (a.act != CA_NONE) {
				if (a.act == CA_SWITCH) {
					struct campaign_boot *b = &c->boots[i];

					b->state = CB_LOADING;
					b->attempts++;
					snprintf(b->boot_id_before, sizeof(b->boot_id_before), "%s",
						 f->boot_id);
				}
				return a;
			}
		}
	}
	if (c->phase != CAMPAIGN_RUNNING)
		return (struct campaign_action){ in_campaign_kernel ? CA_RETURN_DEFAULT : CA_NONE,
						 0 };
	for (unsigned i = 0; i < c->nboots; i++)
		if (c->boots[i].state == CB_PLANNED) {
			struct campaign_boot *b = &c->boots[i];

			b->state = CB_LOADING;
			b->attempts = 1;
			snprintf(b->boot_id_before, sizeof(b->boot_id_before), "%s", f->boot_id);
			return (struct campaign_action){ CA_SWITCH, i };
		}
	return (struct campaign_action){ CA_FINISH, 0 };
}

enum campaign_outcome campaign_resume(struct campaign *c, const struct campaign_facts *f,
				      const struct campaign_ops *ops)
{
	for (;;) {
		struct campaign_action a;
		struct campaign_boot *b;
		int status;

		/* a stop asked while a run went on: after that run, not during it */
		if (c->phase == CAMPAIGN_RUNNING && ops->stop_requested &&
		    ops->stop_requested(ops->ctx)) {
			c->phase = CAMPAIGN_STOPPED;
			free(c->why_stopped);
			c->why_stopped = xstrdup("stopped by 'campaign stop'");
			/* a boot switched to but not run is not a boot: planned again */
			for (unsigned i = 0; i < c->nboots; i++) {
				struct campaign_boot *p = &c->boots[i];

				if (p->state == CB_LOADING || p->state == CB_SWITCHING) {
					p->state = CB_PLANNED;
					p->attempts = 0;
				} else if (p->state == CB_RUNNING) {
					fail_boot(c, p,
						  xstrdup("the campaign was stopped before its run "
							  "ended"));
				}
			}
		}
		a = campaign_decide(c, f);
		b = &c->boots[a.boot];

		if (ops->save(ops->ctx, c))
			return CAMPAIGN_ERROR;
		/*
		 * Stopped by a signal: leave the state as it was saved, as if
		 * killed here (the next resume judges it), but after the run
		 * was stopped, and never to kexec or reboot on.  Killed by the
		 * signal, resume left its run going (issue 23 D6).
		 */
		if (fb_interrupted)
			return CAMPAIGN_INTERRUPTED;
		switch (a.act) {
		case CA_NONE:
			ops->uninstall(ops->ctx);
			return CAMPAIGN_ENDED;
		case CA_SWITCH:
			if (ops->load(ops->ctx, c, a.boot)) {
				fail_boot(c, b,
					  xasprintf("kexec could not load kernel %s",
						    c->kernels[b->kernel].label));
				continue;
			}
			b->state = CB_SWITCHING;
			if (ops->save(ops->ctx, c))
				return CAMPAIGN_ERROR;
			if (ops->switch_kernel(ops->ctx, c, a.boot))
				return CAMPAIGN_ERROR;
			return CAMPAIGN_SWITCHED;
		case CA_RUN:
			status = ops->run(ops->ctx, c, b, a.boot);
			/* the boot stays "running" on disk: a resume runs it again */
			if (fb_interrupted)
				return CAMPAIGN_INTERRUPTED;
			if (status) {
				fail_boot(c, b,
					  xasprintf("the command exited with status %d", status));
				b->status = status;
			} else {
				b->state = CB_DONE;
				b->status = 0;
			}
			continue;
		case CA_FINISH:
			if (ops->finish(ops->ctx, c))
				return CAMPAIGN_ERROR;
			c->phase = CAMPAIGN_FINISHED;
			continue;
		case CA_RETURN_DEFAULT:
			/*
			 * The unit stays: the default kernel's resume finds the
			 * campaign ended and removes it.  Removed first, a crash
			 * here would leave the machine in a campaign kernel.
			 */
			return ops->return_default(ops->ctx) ? CAMPAIGN_ERROR : CAMPAIGN_REBOOTING;
		}
	}
}
