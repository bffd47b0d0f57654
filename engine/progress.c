// SPDX-License-Identifier: GPL-2.0
/*
 * Progress of a sweep (see progress.h).  The runner reports each sample
 * through progress_sample(); one sweep runs at a time in a process, so the
 * running one is kept here rather than threaded through the runner's calls.
 */
#include <math.h>
#include <string.h>

#include "progress.h"
#include "step.h"
#include "util.h"

static struct progress *running;

const char *progress_si(char *buf, size_t len, double v)
{
	static const char prefix[] = " kMGTPE";
	unsigned i = 0;

	if (!isfinite(v)) {
		snprintf(buf, len, "-");
		return buf;
	}
	while (fabs(v) >= 999.5 && i < sizeof(prefix) - 2) {
		v /= 1000;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.*f%c",
			 fabs(v) < 9.995   ? 2
			 : fabs(v) < 99.95 ? 1
					   : 0,
			 v, prefix[i]);
	return buf;
}

double progress_eta(const struct progress *p, double now)
{
	double in_step = p->done < p->total ? now - p->step_started : 0;
	unsigned left = p->total - p->done;
	double eta;

	if (p->planned_step > 0) {
		/* finished steps say how much longer than planned a step really takes */
		double factor = p->done ? p->spent_done / (p->done * p->planned_step) : 1;

		eta = left * p->planned_step * factor - in_step;
	} else if (p->done) {
		eta = left * (p->spent_done / p->done) - in_step;
	} else {
		return -1;
	}
	return eta > 0 ? eta : 0;
}

static void print_line(struct progress *p, bool finished)
{
	const struct step_result *r = p->cur;
	double eta = progress_eta(p, now_monotonic());
	char rate[32] = "", when[32];

	if (p->rate >= 0) {
		char si[16];

		snprintf(rate, sizeof(rate), ", %s %s/s", progress_si(si, sizeof(si), p->rate),
			 p->unit);
	}
	if (eta < 0)
		snprintf(when, sizeof(when), "ETA ?");
	else if (eta >= 3600)
		snprintf(when, sizeof(when), "ETA %d:%02d:%02d", (int)eta / 3600,
			 (int)eta / 60 % 60, (int)eta % 60);
	else
		snprintf(when, sizeof(when), "ETA %d:%02d", (int)eta / 60, (int)eta % 60);
	fprintf(p->f, "%s[%u/%u] %s: %u CPUs%s%s, repeat %u/%u%s, %s%s", p->tty ? "\r\033[K" : "",
		p->done + !finished, p->total, p->name, r->ncpus, r->variant[0] ? ", " : "",
		r->variant, r->repeat + 1, p->repeats, rate, when, p->tty ? "" : "\n");
	fflush(p->f);
}

void progress_begin(struct progress *p, FILE *f, bool enabled, bool tty, const char *name,
		    const char *unit, unsigned total, unsigned repeats, double planned_step)
{
	*p = (struct progress){ .f = f,
				.enabled = enabled,
				.tty = tty,
				.name = name,
				.unit = unit ? unit : "ops",
				.total = total,
				.repeats = repeats,
				.planned_step = planned_step,
				.started = now_monotonic(),
				.rate = -1 };
	running = enabled ? p : NULL;
}

void progress_step_start(struct progress *p, const struct step_result *r)
{
	p->cur = r;
	p->rate = -1;
	p->step_started = now_monotonic();
	if (p->enabled && p->tty)
		print_line(p, false);
}

void progress_sample(const struct step_result *r)
{
	struct progress *p = running;

	if (!p || !r->nsamples)
		return;
	p->rate = sample_rate(r, r->nsamples - 1, 0);
	if (p->tty)
		print_line(p, false);
}

void progress_step_end(struct progress *p)
{
	double now = now_monotonic();

	p->spent_done += now - p->step_started;
	p->step_started = now; /* nothing of the next step has run yet */
	p->done++;
	/* a log gets one line per finished step, with its last rate */
	if (p->enabled && !p->tty && p->cur)
		print_line(p, true);
}

void progress_end(struct progress *p)
{
	if (p->enabled && p->tty)
		fprintf(p->f, "\r\033[K");
	running = NULL;
}
