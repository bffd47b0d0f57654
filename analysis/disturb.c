// SPDX-License-Identifier: GPL-2.0
/*
 * A result's interference, summarised per run (disturb.h).  Reads only the
 * step summaries the engine wrote (steps[i].interference): the samples'
 * figures are in the file for whoever wants them, a listing needs the worst.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "disturb.h"
#include "validity.h"

/* The worse of a and a step's figure v (lower is worse when low_bad); NAN ignored. */
static double worse(double a, json_t *v, bool low_bad)
{
	double x;

	if (!json_is_number(v))
		return a;
	x = json_number_value(v);
	if (!isfinite(x))
		return a;
	if (isnan(a))
		return x;
	return low_bad ? fmin(a, x) : fmax(a, x);
}

bool disturb_doc(json_t *doc, long ncpus, const char *variant, struct disturb_sum *s)
{
	json_t *step;
	size_t i;

	*s = (struct disturb_sum){
		.share_min = NAN, .wait_max = NAN, .other_max = NAN, .steal_max = NAN
	};
	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		json_t *intf = json_object_get(step, "interference");
		const char *v = json_string_value(json_object_get(step, "variant"));

		if (!json_is_object(intf) ||
		    (ncpus >= 0 && json_integer_value(json_object_get(step, "ncpus")) != ncpus) ||
		    (variant && strcmp(v ? v : "", variant)))
			continue;
		s->steps++;
		s->disturbed += rs_step_disturbed(step);
		s->share_min = worse(s->share_min, json_object_get(intf, "share_min"), true);
		s->wait_max = worse(s->wait_max, json_object_get(intf, "wait_max"), false);
		s->other_max = worse(s->other_max, json_object_get(intf, "other_max"), false);
		s->steal_max = worse(s->steal_max, json_object_get(intf, "steal_max"), false);
	}
	return s->steps > 0;
}

static size_t put_fig(char *buf, size_t len, const char *sep, const char *name, double v)
{
	if (isnan(v))
		return (size_t)snprintf(buf, len, "%s%s ?", sep, name);
	return (size_t)snprintf(buf, len, "%s%s %.3f", sep, name, v);
}

void disturb_fmt(const struct disturb_sum *s, bool known, char *buf, size_t len)
{
	size_t n;

	if (!known) {
		snprintf(buf, len, "interference unknown");
		return;
	}
	n = (size_t)snprintf(buf, len, "%u of %u step%s disturbed", s->disturbed, s->steps,
			     s->steps == 1 ? "" : "s");
	if (n < len)
		n += put_fig(buf + n, len - n, "; worst ", "share", s->share_min);
	if (n < len)
		n += put_fig(buf + n, len - n, ", ", "wait", s->wait_max);
	if (n < len)
		n += put_fig(buf + n, len - n, ", ", "other", s->other_max);
	if (n < len)
		put_fig(buf + n, len - n, ", ", "steal", s->steal_max);
}
