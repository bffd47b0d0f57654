// SPDX-License-Identifier: GPL-2.0
/*
 * Options tables: parse, validate, print and record benchmark parameters from
 * one definition per option.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "opt.h"
#include "suggest.h"
#include "util.h"

#define FIELD(o, params, type)	((type *)((char *)(params) + (o)->off))
#define CFIELD(o, params, type) ((const type *)((const char *)(params) + (o)->off))

/* Index of word (len bytes) in "a|b|c", or -1. */
static int choice_index(const char *choices, const char *word, size_t len)
{
	const char *p = choices;
	int i = 0;

	while (p && *p) {
		size_t n = strcspn(p, "|");

		if (n == len && !strncmp(p, word, len))
			return i;
		p += n + (p[n] == '|');
		i++;
	}
	return -1;
}

const char *opt_choice_name(const struct opt *o, int index)
{
	/* A few buffers in rotation: callers use several names in one printf. */
	static __thread char bufs[8][64];
	static __thread unsigned next;
	char *buf = bufs[next++ % ARRAY_SIZE(bufs)];
	const char *p = o->choices;

	for (int i = 0; p && *p; i++) {
		size_t n = strcspn(p, "|");

		if (i == index) {
			snprintf(buf, sizeof(bufs[0]), "%.*s", (int)n, p);
			return buf;
		}
		p += n + (p[n] == '|');
	}
	return "?";
}

const struct opt *opt_find(const struct opt *table, const char *name)
{
	for (const struct opt *o = table; o->name; o++)
		if (!strcmp(o->name, name))
			return o;
	return NULL;
}

/* "option '--x'" on the command line, "FILE:LINE: option 'x'" in a config file. */
static int bad_value(const struct opt *o, const char *where, const char *value, const char *why)
{
	char shown[256];

	/* a value is echoed as typed, but never as raw control bytes */
	fb_printable(value, shown, sizeof(shown));
	if (where)
		return fb_usage("%s: option '%s': '%s' %s", where, o->name, shown, why);
	return fb_usage("option '--%s': '%s' %s", o->name, shown, why);
}

/*
 * Numbers are decimal, as a user means them: strtoll(.., 0) read "010" as 8
 * and "0x10" as 16, strtod() takes hex floats, "inf" and leading blanks.
 * An optional sign, digits, and for doubles a fraction and an exponent.
 */
static bool decimal_syntax(const char *s, bool real)
{
	bool digits = false;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s >= '0' && *s <= '9'; s++)
		digits = true;
	if (real && *s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			digits = true;
	if (real && digits && (*s == 'e' || *s == 'E')) {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return digits && !*s;
}

static bool in_bounds(const struct opt *o, double v)
{
	return (o->min == 0 && o->max == 0) || (v >= o->min && v <= o->max);
}

/* 4096 -> "4k", 1099511627776 -> "1T": sizes as a user would type them. */
static const char *human_size(char *buf, size_t len, double bytes)
{
	static const char units[] = "kMGT";
	unsigned long long v = (unsigned long long)bytes;
	int u = -1;

	while (v >= 1024 && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", v);
	else
		snprintf(buf, len, "%llu%c", v, units[u]);
	return buf;
}

static const char *fmt_bound(const struct opt *o, double v, char *buf, size_t len);

static int out_of_bounds(const struct opt *o, const char *where, const char *value)
{
	char why[128], lo[32], hi[32];

	snprintf(why, sizeof(why), "is out of range (%s to %s)",
		 fmt_bound(o, o->min, lo, sizeof(lo)), fmt_bound(o, o->max, hi, sizeof(hi)));
	return bad_value(o, where, value, why);
}

static int parse_bool(const char *value, bool *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcmp(value, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(value, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static int set_enumset(const struct opt *o, void *params, const char *value, const char *where)
{
	unsigned mask = 0;
	const char *p = value;
	char why[256];

	if (!*value)
		return bad_value(o, where, value, "is empty");
	while (*p) {
		size_t n = strcspn(p, ",");
		int i = choice_index(o->choices, p, n);

		if (i < 0) {
			snprintf(why, sizeof(why), "has '%.*s', not one of %s", (int)n, p,
				 o->choices);
			return bad_value(o, where, value, why);
		}
		mask |= 1u << i;
		p += n + (p[n] == ',');
	}
	*FIELD(o, params, unsigned) = mask;
	return FB_OK;
}

static int strlist_add(struct opt_strlist *l, const char *value)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = value;
	return FB_OK;
}

int opt_set(const struct opt *o, void *params, const char *value, const char *where)
{
	unsigned long long sz;
	char *end;
	double d;
	long long ll;
	int i;

	switch (o->type) {
	case OPT_BOOL:
		if (parse_bool(value, FIELD(o, params, bool)))
			return bad_value(o, where, value, "is not on or off");
		return FB_OK;
	case OPT_INT:
		errno = 0;
		ll = decimal_syntax(value, false) ? strtoll(value, &end, 10) : 0;
		if (!decimal_syntax(value, false) || errno || end == value || *end)
			return bad_value(o, where, value, "is not an integer");
		if (!in_bounds(o, (double)ll))
			return out_of_bounds(o, where, value);
		*FIELD(o, params, long long) = ll;
		return FB_OK;
	case OPT_SIZE:
		if (!parse_size(value, &sz))
			return bad_value(o, where, value, "is not a size (like 4k, 2M, 1G)");
		if (!in_bounds(o, (double)sz))
			return out_of_bounds(o, where, value);
		*FIELD(o, params, unsigned long long) = sz;
		return FB_OK;
	case OPT_DOUBLE:
		errno = 0;
		d = decimal_syntax(value, true) ? strtod(value, &end) : 0;
		if (!decimal_syntax(value, true) || errno || end == value || *end || !isfinite(d))
			return bad_value(o, where, value, "is not a number");
		if (!in_bounds(o, d))
			return out_of_bounds(o, where, value);
		*FIELD(o, params, double) = d;
		return FB_OK;
	case OPT_STR:
		*FIELD(o, params, const char *) = value;
		return FB_OK;
	case OPT_ENUM:
		i = choice_index(o->choices, value, strlen(value));
		if (i < 0) {
			char why[256];

			snprintf(why, sizeof(why), "is not one of %s", o->choices);
			return bad_value(o, where, value, why);
		}
		*FIELD(o, params, int) = i;
		return FB_OK;
	case OPT_ENUMSET:
		return set_enumset(o, params, value, where);
	case OPT_STRLIST:
		return strlist_add(FIELD(o, params, struct opt_strlist), value);
	}
	return FB_USAGE;
}

void opt_set_defaults(const struct opt *table, void *params)
{
	for (const struct opt *o = table; o->name; o++) {
		if (o->def) {
			/* A default that does not parse is a bug in the table. */
			if (opt_set(o, params, o->def, "built-in default"))
				abort();
		} else if (o->type == OPT_STR) {
			*FIELD(o, params, const char *) = NULL;
		} else if (o->type == OPT_STRLIST) {
			*FIELD(o, params, struct opt_strlist) = (struct opt_strlist){ NULL, 0 };
		}
	}
}

/*
 * "; did you mean '--sample-time'?" for a name no table has (prefix "--" on
 * the command line, "" in a config file), or fallback when nothing is close.
 */
static const char *unknown_hint(const struct opt_binding *b, unsigned nb, const char *typed,
				const char *prefix, const char *fallback, char *buf, size_t len)
{
	struct fb_suggest s;

	fb_suggest_init(&s, typed);
	for (unsigned i = 0; i < nb; i++)
		for (const struct opt *o = b[i].table; o->name; o++)
			fb_suggest_add(&s, o->name);
	fb_suggest_hint(&s, prefix, buf, len);
	if (!buf[0])
		snprintf(buf, len, "%s", fallback);
	return buf;
}

static const struct opt *find_binding(const struct opt_binding *b, unsigned nb, const char *name,
				      size_t len, const struct opt_binding **in)
{
	for (unsigned i = 0; i < nb; i++)
		for (const struct opt *o = b[i].table; o->name; o++)
			if (strlen(o->name) == len && !strncmp(o->name, name, len)) {
				*in = &b[i];
				return o;
			}
	return NULL;
}

unsigned opt_count(const struct opt *table)
{
	unsigned n = 0;

	while (table && table[n].name)
		n++;
	return n;
}

bool opt_given(const struct opt_binding *b, const char *name)
{
	const struct opt *o = b->table ? opt_find(b->table, name) : NULL;

	return o && b->given && b->given[o - b->table];
}

/* Set o in binding in from text, and flag it given by the user when it took. */
static int set_given(const struct opt_binding *in, const struct opt *o, const char *value,
		     const char *where)
{
	int ret = opt_set(o, in->params, value, where);

	if (!ret && in->given)
		in->given[o - in->table] = true;
	return ret;
}

static void set_bool_given(const struct opt_binding *in, const struct opt *o, bool value)
{
	*FIELD(o, in->params, bool) = value;
	if (in->given)
		in->given[o - in->table] = true;
}

int opt_set_by_name(const struct opt_binding *b, unsigned nb, const char *name, const char *value,
		    const char *where)
{
	const struct opt_binding *in;
	const struct opt *o = find_binding(b, nb, name, strlen(name), &in);
	char hint[256];

	if (!o) {
		if (where)
			return fb_usage("%s: unknown option '%s'%s", where, name,
					unknown_hint(b, nb, name, "", "", hint, sizeof(hint)));
		return fb_usage("unknown option '--%s'%s", name,
				unknown_hint(b, nb, name, "--", "", hint, sizeof(hint)));
	}
	return set_given(in, o, value, where);
}

/* One "--name[=value]" argument; may consume the next argv entry as its value. */
static int parse_one(const struct opt_binding *b, unsigned nb, int argc, char **argv, int *i)
{
	const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct opt_binding *in;
	const struct opt *o;

	o = find_binding(b, nb, arg, len, &in);
	if (!o && !eq && !strncmp(arg, "no-", 3)) {
		o = find_binding(b, nb, arg + 3, len - 3, &in);
		if (o && o->type == OPT_BOOL) {
			set_bool_given(in, o, false);
			return FB_OK;
		}
		o = NULL;
	}
	if (!o) {
		char typed[128], hint[256];

		snprintf(typed, sizeof(typed), "%.*s", (int)len, arg);
		return fb_usage(
		    "unknown option '--%s'%s", typed,
		    unknown_hint(b, nb, typed, "--", "; see --help", hint, sizeof(hint)));
	}
	if (eq)
		return set_given(in, o, eq + 1, NULL);
	if (o->type == OPT_BOOL) {
		set_bool_given(in, o, true);
		return FB_OK;
	}
	if (*i + 1 >= argc)
		return fb_usage("option '--%s' needs a value", o->name);
	return set_given(in, o, argv[++*i], NULL);
}

/*
 * Both parsers in one: "anywhere" moves each positional argument to the front
 * and goes on; otherwise the first one ends the options.
 */
static int parse_args(const struct opt_binding *b, unsigned nb, int argc, char **argv,
		      bool anywhere, int *next)
{
	int i, npos = 0, ret;

	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h"))
			return -1;
		if (!strcmp(a, "-o")) {
			a = "--output";
			if (i + 1 >= argc)
				return fb_usage("option '-o' needs a value");
			argv[i] = "--output";
		}
		if (strncmp(a, "--", 2) || a[2] == '\0') {
			if (a[0] == '-' && a[1])
				return fb_usage("unknown option '%s'; see --help", a);
			if (!anywhere)
				break;
			argv[npos++] = argv[i];
			continue;
		}
		ret = parse_one(b, nb, argc, argv, &i);
		if (ret)
			return ret;
	}
	if (!anywhere) {
		*next = i;
		return FB_OK;
	}
	while (i < argc)
		argv[npos++] = argv[i++];
	*next = npos;
	return FB_OK;
}

int opt_parse_argv(const struct opt_binding *b, unsigned nb, int argc, char **argv, int *next)
{
	return parse_args(b, nb, argc, argv, false, next);
}

int opt_parse_mixed(const struct opt_binding *b, unsigned nb, int argc, char **argv, int *npos)
{
	return parse_args(b, nb, argc, argv, true, npos);
}

int opt_parse_command(const struct opt_binding *b, int argc, char **argv, bool mixed,
		      int (*usage)(FILE *), int *npos)
{
	int next, ret;

	opt_set_defaults(b->table, b->params);
	ret = mixed ? opt_parse_mixed(b, 1, argc - 1, argv + 1, &next)
		    : opt_parse_argv(b, 1, argc - 1, argv + 1, &next);
	if (ret < 0)
		usage(stdout);
	if (ret)
		return ret;
	if (mixed) {
		*npos = next;
		return FB_OK;
	}
	/* opt_parse_argv() leaves them where they were: move them up to argv[1]. */
	*npos = argc - 1 - next;
	memmove(argv + 1, argv + 1 + next, (size_t)*npos * sizeof(*argv));
	return FB_OK;
}

void opt_format(const struct opt *o, const void *params, char *buf, size_t len)
{
	const struct opt_strlist *l;
	const char *s;
	unsigned mask;
	size_t used = 0;

	switch (o->type) {
	case OPT_BOOL:
		snprintf(buf, len, "%s", *CFIELD(o, params, bool) ? "on" : "off");
		break;
	case OPT_INT:
		snprintf(buf, len, "%lld", *CFIELD(o, params, long long));
		break;
	case OPT_SIZE:
		snprintf(buf, len, "%llu", *CFIELD(o, params, unsigned long long));
		break;
	case OPT_DOUBLE:
		snprintf(buf, len, "%g", *CFIELD(o, params, double));
		break;
	case OPT_STR:
		s = *CFIELD(o, params, const char *);
		snprintf(buf, len, "%s", s ? s : "");
		break;
	case OPT_ENUM:
		snprintf(buf, len, "%s", opt_choice_name(o, *CFIELD(o, params, int)));
		break;
	case OPT_ENUMSET:
		mask = *CFIELD(o, params, unsigned);
		buf[0] = '\0';
		for (int i = 0; i < 32 && used < len; i++)
			if (mask & (1u << i))
				used += snprintf(buf + used, len - used, "%s%s", used ? "," : "",
						 opt_choice_name(o, i));
		break;
	case OPT_STRLIST:
		l = CFIELD(o, params, struct opt_strlist);
		buf[0] = '\0';
		for (unsigned i = 0; i < l->n && used < len; i++)
			used += snprintf(buf + used, len - used, "%s%s", i ? "," : "", l->v[i]);
		break;
	}
}

static json_t *opt_value_json(const struct opt *o, const void *params)
{
	char buf[512];
	const char *s;

	switch (o->type) {
	case OPT_BOOL:
		return json_boolean(*CFIELD(o, params, bool));
	case OPT_INT:
		return json_integer(*CFIELD(o, params, long long));
	case OPT_SIZE:
		return json_integer((json_int_t)*CFIELD(o, params, unsigned long long));
	case OPT_DOUBLE:
		return json_real(*CFIELD(o, params, double));
	case OPT_STR:
		s = *CFIELD(o, params, const char *);
		return s ? json_string(s) : json_null();
	default:
		opt_format(o, params, buf, sizeof(buf));
		return json_string(buf);
	}
}

json_t *opt_to_json(const struct opt *table, const void *params)
{
	json_t *obj = json_object();

	for (const struct opt *o = table; o->name; o++)
		json_object_set_new(obj, o->name, opt_value_json(o, params));
	return obj;
}

static const char *type_hint(const struct opt *o)
{
	switch (o->type) {
	case OPT_BOOL:
		return "";
	case OPT_INT:
		return "=N";
	case OPT_SIZE:
		return "=SIZE";
	case OPT_DOUBLE:
		return "=X";
	case OPT_STR:
		return "=TEXT";
	case OPT_ENUM:
		return "=CHOICE";
	case OPT_ENUMSET:
		return "=LIST";
	case OPT_STRLIST:
		return "=TEXT...";
	}
	return "";
}

/* A bound as a user would type it: 1M, not 1.04858e+06; 1048576, not 1.04858e+06. */
static const char *fmt_bound(const struct opt *o, double v, char *buf, size_t len)
{
	if (o->type == OPT_SIZE)
		return human_size(buf, len, v);
	if (o->type == OPT_INT)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%g", v);
	return buf;
}

/* The value of o in params for --help: sizes as typed, "none" when unset. */
static const char *help_value(const struct opt *o, const void *params, char *buf, size_t len)
{
	if (o->type == OPT_SIZE)
		return human_size(buf, len, (double)*CFIELD(o, params, unsigned long long));
	if (o->type == OPT_STR && !*CFIELD(o, params, const char *))
		return "none";
	opt_format(o, params, buf, len);
	return buf[0] ? buf : "none";
}

/*
 * One option's help: its name, text, choices, default and bounds.  With
 * params, the default shown is the value there (a preset's), marked with
 * set_by when it differs from the table's own default in base.
 */
static void print_one_help(FILE *f, const struct opt *o, const void *params, const void *base,
			   const char *set_by)
{
	char head[64], val[512], own[512], lo[32], hi[32];

	snprintf(head, sizeof(head), "--%s%s", o->name, type_hint(o));
	fprintf(f, "  %-22s %s\n", head, o->help);
	if (o->choices)
		fprintf(f, "  %-22s   %s: %s%s\n", "", o->type == OPT_ENUMSET ? "any of" : "one of",
			o->choices, o->matrix ? " (each value given runs as a variant)" : "");
	if (params) {
		help_value(o, params, val, sizeof(val));
		fprintf(f, "  %-22s   default: %s", "", val);
		if (base && set_by && strcmp(val, help_value(o, base, own, sizeof(own))))
			fprintf(f, " (%s; otherwise %s)", set_by, own);
	} else {
		fprintf(f, "  %-22s   default: %s", "", o->def ? o->def : "none");
	}
	if (o->min != 0 || o->max != 0)
		fprintf(f, "; bounds: %s to %s", fmt_bound(o, o->min, lo, sizeof(lo)),
			fmt_bound(o, o->max, hi, sizeof(hi)));
	fputc('\n', f);
}

const char *opt_bounds_text(const struct opt *o, char *buf, size_t len)
{
	char lo[32], hi[32];

	buf[0] = '\0';
	if (o->min != 0 || o->max != 0)
		snprintf(buf, len, "%s to %s", fmt_bound(o, o->min, lo, sizeof(lo)),
			 fmt_bound(o, o->max, hi, sizeof(hi)));
	return buf;
}

void opt_print_help(FILE *f, const struct opt *table)
{
	for (const struct opt *o = table; o->name; o++)
		print_one_help(f, o, NULL, NULL, NULL);
}

void opt_print_help_params(FILE *f, const struct opt *table, const void *params, const void *base,
			   const char *set_by)
{
	for (const struct opt *o = table; o->name; o++)
		print_one_help(f, o, params, base, set_by);
}

int opt_check_memory(const struct opt *table, const void *params, unsigned long long avail,
		     const char *where)
{
	for (const struct opt *o = table; o && o->name; o++) {
		unsigned long long v;
		char why[160], have[32], value[32];

		if (o->type != OPT_SIZE)
			continue;
		v = *CFIELD(o, params, unsigned long long);
		if (v <= avail)
			continue;
		snprintf(why, sizeof(why), "is more memory than this machine has available (%s)",
			 human_size(have, sizeof(have), (double)(avail >> 20 << 20)));
		return bad_value(o, where, human_size(value, sizeof(value), (double)v), why);
	}
	return FB_OK;
}

int opt_take(int *argc, char **argv, const char *name, const char **value)
{
	size_t n = strlen(name);
	int i = 1, o = 1, taken = 0;

	while (i < *argc && strcmp(argv[i], "--")) {
		const char *a = argv[i];

		if (!strncmp(a, "--", 2) && !strncmp(a + 2, name, n) && a[2 + n] == '=') {
			*value = a + 3 + n;
			i++;
		} else if (!strncmp(a, "--", 2) && !strcmp(a + 2, name)) {
			*value = i + 1 < *argc ? argv[i + 1] : "";
			i += 2;
		} else {
			argv[o++] = argv[i++];
			continue;
		}
		taken++;
	}
	while (i < *argc)
		argv[o++] = argv[i++];
	argv[o] = NULL;
	*argc = o;
	return taken;
}
