// SPDX-License-Identifier: GPL-2.0
/*
 * The validity of result documents and of their values (validity.h).
 *
 * Why refuse rather than average: a repeat whose workers got no CPU time
 * reads as a rate of 0, and a hand-edited or damaged file can hold a
 * negative or NaN figure.  Fed to a harmonic mean, a log scale or a variance
 * they give "Hmean 0.00", "+nan%", detectable effects of +-180000% and
 * regressions of -1319453%: a verdict about nothing.  So each such value is
 * named (file, step, metric, what is wrong with it) and left out, and what
 * remains is judged, or nothing is.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resultset.h"
#include "util.h"
#include "validity.h"

/*
 * Names from a result reach file names (plots), gnuplot titles and markdown:
 * a result whose label, bench or preset a run could not have written is not
 * read at all.
 */
static int check_doc_names(const char *path, json_t *doc)
{
	static const char *const keys[] = { "label", "bench", "preset" };
	char shown[256];

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		json_t *v = json_object_get(doc, keys[i]);

		if (!v || json_is_null(v) ||
		    (json_is_string(v) && fb_name_ok(json_string_value(v))))
			continue;
		if (!json_is_string(v))
			return fb_usage("'%s': \"%s\" is not a string; not a faultbench result",
					path, keys[i]);
		return fb_usage("'%s': %s '%s' is not a name faultbench writes (letters, digits "
				"and '.-_+~'); refusing this result",
				path, keys[i],
				fb_printable(json_string_value(v), shown, sizeof(shown)));
	}
	return FB_OK;
}

static int check_steps(const char *where, json_t *steps)
{
	json_t *step;
	size_t i;

	json_array_foreach (steps, i, step) {
		json_t *nc = json_object_get(step, "ncpus");

		if (!json_is_object(step))
			return fb_usage("'%s': step %zu is not an object; not a faultbench result",
					where, i);
		/* a step without a CPU count is skipped by compare (older files); a wrong one is
		 * not */
		if (nc && (!json_is_integer(nc) || json_integer_value(nc) < 0 ||
			   json_integer_value(nc) > (1 << 20)))
			return fb_usage(
			    "'%s': step %zu: \"ncpus\" is not a CPU count (0..%d); not a "
			    "faultbench result",
			    where, i, 1 << 20);
		if (json_object_get(step, "metrics") &&
		    !json_is_object(json_object_get(step, "metrics")))
			return fb_usage("'%s': step %zu: \"metrics\" is not an object; not a "
					"faultbench result",
					where, i);
	}
	return FB_OK;
}

int rs_check_doc(const char *where, json_t *doc)
{
	json_t *sv = json_object_get(doc, "schema_version");

	if (!json_is_object(doc) || !json_is_integer(sv) ||
	    !json_is_string(json_object_get(doc, "bench")) ||
	    !json_is_array(json_object_get(doc, "steps")))
		return fb_usage("'%s' is not a faultbench result (no schema_version, bench or "
				"steps)",
				where);
	/* a newer schema may mean other things by the same keys: never guess */
	if (json_integer_value(sv) < 1 || json_integer_value(sv) > RS_SCHEMA_VERSION)
		return fb_usage("'%s': schema_version %lld is not one this faultbench reads (1 to "
				"%d)%s",
				where, (long long)json_integer_value(sv), RS_SCHEMA_VERSION,
				json_integer_value(sv) > RS_SCHEMA_VERSION
				    ? "; a newer faultbench wrote it"
				    : "");
	if (check_doc_names(where, doc))
		return FB_USAGE;
	return check_steps(where, json_object_get(doc, "steps"));
}

/* Why v cannot be a measured value of a metric of this direction, or NULL. */
static const char *value_problem(json_t *v, bool higher_better)
{
	double x;

	if (json_is_string(v)) {
		const char *s = json_string_value(v);

		/* rs_quote_nonfinite() turned Python's tokens into these */
		if (!strcmp(s, "NaN"))
			return "NaN";
		if (!strcmp(s, "Infinity") || !strcmp(s, "-Infinity"))
			return "infinite";
	}
	if (!json_is_number(v))
		return "not a number";
	x = json_number_value(v);
	if (isnan(x))
		return "NaN";
	if (!isfinite(x))
		return "infinite";
	if (x < 0)
		return "negative";
	if (x == 0 && higher_better)
		return "zero (nothing counted: no CPU time, or a pass longer than a sample)";
	return NULL;
}

const char *rs_number_problem(double v, bool higher_better)
{
	json_t *j = json_real(v);
	const char *why;

	/* json_real() refuses NaN and infinities: say so without it */
	if (!j)
		return isnan(v) ? "NaN" : "infinite";
	why = value_problem(j, higher_better);
	json_decref(j);
	return why;
}

const char *rs_metric_problem(json_t *m, bool samples_too)
{
	bool hb = json_is_true(json_object_get(m, "higher_better"));
	const char *why = value_problem(json_object_get(m, "value"), hb);
	json_t *s;
	size_t i;

	if (why || !samples_too)
		return why;
	json_array_foreach (json_object_get(m, "samples"), i, s) {
		why = value_problem(s, hb);
		if (why)
			return why;
	}
	return NULL;
}

bool rs_step_disturbed(json_t *step)
{
	return json_is_true(json_object_get(json_object_get(step, "interference"), "disturbed"));
}

bool rs_doc_disturbed(json_t *doc)
{
	json_t *step;
	size_t i;

	if (json_is_true(json_object_get(json_object_get(doc, "interference"), "disturbed")))
		return true;
	json_array_foreach (json_object_get(doc, "steps"), i, step)
		if (rs_step_disturbed(step))
			return true;
	return false;
}

void rs_step_name(json_t *doc, json_t *step, char *buf, size_t len)
{
	const char *name = rs_doc_name(doc), *variant;
	char shown[96];

	variant = json_string_value(json_object_get(step, "variant"));
	snprintf(buf, len, "%s repeat %lld, %lld CPU%s%s%s", name ? name : "?",
		 (long long)json_integer_value(json_object_get(step, "repeat")),
		 (long long)json_integer_value(json_object_get(step, "ncpus")),
		 json_integer_value(json_object_get(step, "ncpus")) == 1 ? "" : "s",
		 variant && *variant ? ", variant " : "",
		 variant && *variant ? fb_printable(variant, shown, sizeof(shown)) : "");
}

/* Does the text at p start with word, not followed by a letter or digit? */
static size_t token_at(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(end - p) < n || memcmp(p, word, n))
		return 0;
	if (p + n < end && (isalnum((unsigned char)p[n]) || p[n] == '_'))
		return 0;
	return n;
}

char *rs_quote_nonfinite(const char *text, size_t len, size_t *outlen)
{
	static const char *const words[] = { "-Infinity", "Infinity", "NaN" };
	const char *p = text, *end = text + len;
	char *out = NULL;
	size_t n = 0, cap = 0;
	bool in_string = false, found = false;

	while (p < end) {
		size_t k = 0, w;

		if (in_string) {
			if (*p == '\\' && p + 1 < end)
				k = 2;
			else if (*p == '"')
				in_string = false;
		} else if (*p == '"') {
			in_string = true;
		} else {
			for (w = 0; w < ARRAY_SIZE(words) && !k; w++)
				k = token_at(p, end, words[w]);
			if (k) {
				found = true;
				if (n + k + 3 > cap) {
					cap = 2 * (n + k + 3) + len;
					out = xrealloc(out, cap);
				}
				out[n++] = '"';
				memcpy(out + n, p, k);
				n += k;
				out[n++] = '"';
				p += k;
				continue;
			}
		}
		if (!k)
			k = 1;
		if (n + k + 1 > cap) {
			cap = 2 * (n + k + 1) + len;
			out = xrealloc(out, cap);
		}
		memcpy(out + n, p, k);
		n += k;
		p += k;
	}
	if (!found) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}
