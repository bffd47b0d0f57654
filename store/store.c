// SPDX-License-Identifier: GPL-2.0
/*
 * The store, whatever the engine: opening with the checks that keep it from
 * touching a database that is not a faultbench store, migrations, adding a
 * result document, selectors, and the queries of the commands that read.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "backend.h"
#include "util.h"

void store_hash(const char *text, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(text, len, md, &n, EVP_sha256(), NULL) || n != 32)
		abort(); /* SHA-256 of memory cannot fail */
	for (unsigned i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The length of a URL's scheme ("postgresql" of "postgresql://..."), 0 when t is no URL. */
static size_t url_scheme(const char *t)
{
	size_t n = 0;

	if (!isalpha((unsigned char)t[0]))
		return 0;
	/* t[n] first: strchr() finds the terminator too, and would run past it */
	while (isalnum((unsigned char)t[n]) || (t[n] && strchr("+.-", t[n])))
		n++;
	return t[n] && !strncmp(t + n, "://", 3) ? n : 0;
}

/* PostgreSQL's URL schemes, in any case (RFC 3986: schemes are case-insensitive). */
static bool is_pg_scheme(const char *t, size_t n)
{
	return (n == 10 && !strncasecmp(t, "postgresql", 10)) ||
	       (n == 8 && !strncasecmp(t, "postgres", 8));
}

const char *store_engine_name(const struct store *s)
{
	return s->e->name;
}

const char *store_target(const struct store *s)
{
	return s->target;
}

/* ---- opening: foreign and corrupt databases, schema versions ---------------- */

struct names {
	bool meta, ours, other;
};

static int table_name(struct store_row *r, void *arg)
{
	struct names *n = arg;
	const char *t = r->text(r, 0);

	if (!t)
		return 0;
	if (!strcmp(t, "fb_meta"))
		n->meta = true;
	else if (!strcmp(t, "runs") || !strcmp(t, "step_values") || !strcmp(t, "documents"))
		n->ours = true;
	else
		n->other = true;
	return 0;
}

static int meta_value(struct store_row *r, void *arg)
{
	const char *v = r->text(r, 0);

	*(char **)arg = xstrdup(v ? v : "");
	return 0;
}

static int read_meta(struct store *s, const char *key, char **value)
{
	const char *p[] = { key };

	*value = NULL;
	return s->e->query(s, "SELECT value FROM fb_meta WHERE key = ?1", p, 1, meta_value, value);
}

int store_schema_version(struct store *s, int *version)
{
	char *app = NULL, *v = NULL, *end = NULL;
	int ret = read_meta(s, "application", &app);
	long n = 0;

	if (!ret)
		ret = read_meta(s, "schema_version", &v);
	if (!ret) {
		if (v)
			n = strtol(v, &end, 10);
		if (!app || strcmp(app, "faultbench") || !v || *end || n < 1 || n > INT_MAX)
			ret = fb_usage("'%s' is not a faultbench store (its fb_meta table is "
				       "another program's); refusing to use it",
				       s->target);
	}
	*version = (int)n;
	free(app);
	free(v);
	return ret;
}

/* Create or migrate up to version upto; *from: the version found (0: none). */
static int migrate(struct store *s, int upto, int *from)
{
	int v = 0, ret = FB_OK;
	struct names n = { 0 };

	ret = s->e->query(s, s->e->tables_sql, NULL, 0, table_name, &n);
	if (!ret && n.meta)
		ret = store_schema_version(s, &v);
	else if (!ret && (n.ours || n.other))
		/* someone else's data: never add tables to it, never read it as ours */
		ret = fb_usage("'%s' is not a faultbench store (it holds other tables); refusing "
			       "to use it",
			       s->target);
	if (!ret && v > STORE_SCHEMA_VERSION)
		ret = fb_usage("'%s' has store schema %d, newer than this faultbench knows (%d); "
			       "use a newer faultbench",
			       s->target, v, STORE_SCHEMA_VERSION);
	*from = v;
	for (; !ret && v < upto; v++)
		ret = s->e->exec(s, s->e->migrations[v]);
	return ret;
}

int store_migrate(struct store *s, int upto)
{
	int from;

	return migrate(s, upto, &from);
}

/* Reading: the schema must be there, and not newer; *older when it needs upgrading. */
static int check_for_reading(struct store *s, int *older)
{
	struct names n = { 0 };
	int v = 0, ret = s->e->query(s, s->e->tables_sql, NULL, 0, table_name, &n);

	if (!ret && !n.meta && (n.ours || n.other))
		ret = fb_usage("'%s' is not a faultbench store (it holds other tables); refusing "
			       "to use it",
			       s->target);
	else if (!ret && !n.meta)
		ret = fb_usage("'%s' is an empty database, not yet a faultbench store; "
			       "'faultbench store import --store %s DIR' makes one",
			       s->target, s->target);
	if (!ret)
		ret = store_schema_version(s, &v);
	if (!ret && v > STORE_SCHEMA_VERSION)
		ret = fb_usage("'%s' has store schema %d, newer than this faultbench knows (%d); "
			       "use a newer faultbench",
			       s->target, v, STORE_SCHEMA_VERSION);
	*older = !ret && v < STORE_SCHEMA_VERSION ? v : 0;
	return ret;
}

static int count_row(struct store_row *r, void *arg)
{
	long long *n = arg;

	n[0] = r->integer(r, 0);
	n[1] = r->integer(r, 1);
	return 0;
}

/*
 * Create the schema or bring it to this version, in one transaction that
 * one process at a time takes; the others wait and find it done.  *from:
 * the version found (0: none; the current one: nothing to do).
 */
static int upgrade(struct store *s, int *from)
{
	int ret = store_begin(s);

	*from = 0;
	if (!ret && s->e->schema_lock)
		ret = s->e->exec(s, s->e->schema_lock);
	if (!ret)
		ret = migrate(s, STORE_SCHEMA_VERSION, from);
	if (!ret)
		ret = store_commit(s);
	return ret;
}

/*
 * An upgrade of a store that was there, said in one line: what changed,
 * and that older faultbench versions refuse it from now on.
 */
static void say_upgraded(struct store *s, int from)
{
	long long n[2] = { 0, 0 };

	if (!from || from >= STORE_SCHEMA_VERSION)
		return;
	s->e->query(s,
		    "SELECT (SELECT count(*) FROM runs), "
		    "(SELECT count(DISTINCT run_id) FROM step_values WHERE disturbed = 1)",
		    NULL, 0, count_row, n);
	fb_warn("upgraded the store '%s' from schema %d to %d: %lld runs, %lld of them with "
		"steps measured disturbed (read from their documents); an older faultbench "
		"refuses it now",
		s->target, from, STORE_SCHEMA_VERSION, n[0], n[1]);
}

/*
 * A store an older faultbench left, opened to read: upgraded (written) first,
 * so that every store answers as files do.  Where it cannot be (a read-only
 * file, a role that may not alter tables) it is refused with the command
 * its owner upgrades it with.
 */
static int upgrade_for_reading(struct store *s, int v)
{
	bool was = fb_set_quiet(true);
	char why[512];
	int ret, from = 0;

	s->e->close(s);
	memset(s->cache, 0, sizeof(s->cache));
	s->db = NULL;
	ret = s->e->open(s, true);
	if (!ret)
		ret = upgrade(s, &from);
	fb_set_quiet(was);
	if (!ret) {
		say_upgraded(s, from);
		return FB_OK;
	}
	/* the engine's reason, without the target it begins with again */
	snprintf(why, sizeof(why), "'%s': ", s->target);
	snprintf(why, sizeof(why), "%s",
		 fb_last_error() + (strncmp(fb_last_error(), why, strlen(why)) ? 0 : strlen(why)));
	return fb_usage("'%s' has store schema %d, this faultbench reads %d and cannot upgrade it "
			"(%s): 'faultbench store init --store %s' as its owner upgrades it",
			s->target, v, STORE_SCHEMA_VERSION, why, s->target);
}

/* A URL query's key as libpq reads it: %XX decoded ("pass%77ord" is "password"). */
static bool secret_key(const char *k, size_t n)
{
	static const char *const secrets[] = { "password", "sslpassword" };
	char key[32];
	size_t len = 0;

	for (size_t i = 0; i < n && len + 1 < sizeof(key); i++) {
		unsigned v;

		if (k[i] == '%' && i + 2 < n && isxdigit((unsigned char)k[i + 1]) &&
		    isxdigit((unsigned char)k[i + 2]) && sscanf(k + i + 1, "%2x", &v) == 1) {
			key[len++] = (char)v;
			i += 2;
		} else {
			key[len++] = k[i];
		}
	}
	key[len] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
		if (!strcasecmp(key, secrets[i]))
			return true;
	return false;
}

char *store_redact(const char *target)
{
	size_t scheme = url_scheme(target), auth_end;
	const char *auth, *at, *colon, *q;
	char *out, *o;

	if (!scheme)
		return xstrdup(target);
	/* "***" is never longer than what it replaces plus 3 */
	out = o = xmalloc(2 * strlen(target) + 4);
	auth = target + scheme + 3;
	/* libpq: the user's part ends at the first '@' before the first '/' */
	auth_end = strcspn(auth, "/?");
	at = memchr(auth, '@', auth_end);
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		o += sprintf(o, "%.*s:***", (int)(colon - target), target);
		q = at;
	} else {
		q = target;
	}
	/* then the rest, with every password=VALUE of the query as password=*** */
	while (*q) {
		const char *start = q == target || q[-1] == '?' || q[-1] == '&' ? q : NULL;
		size_t klen = start ? strcspn(q, "=&#") : 0;

		if (start && q > auth + auth_end && q[klen] == '=' && secret_key(q, klen)) {
			o += sprintf(o, "%.*s=***", (int)klen, q);
			q += klen + 1;
			q += strcspn(q, "&#");
			continue;
		}
		*o++ = *q++;
	}
	*o = '\0';
	return out;
}

/* Replace every copy of secret (n bytes) in *msg with "***". */
static void mask_copies(char **msg, const char *secret, size_t n)
{
	size_t from = 0;
	char *hit;

	if (!n)
		return;
	/* search on after each "***": a secret of '*'s must not match its own mask */
	while ((hit = memmem(*msg + from, strlen(*msg + from), secret, n))) {
		size_t at = (size_t)(hit - *msg);
		char *next = xasprintf("%.*s***%s", (int)at, *msg, hit + n);

		free(*msg);
		*msg = next;
		from = at + 3;
	}
}

char *store_mask_secrets(const char *conninfo, const char *msg)
{
	char *out = xstrdup(msg), *shown = store_redact(conninfo);
	const char *a = conninfo, *b = shown;

	/*
	 * The secrets are where the redacted target differs: walk both, and
	 * mask each stretch of conninfo that became "***" wherever libpq's
	 * message repeats it ("invalid percent-encoded token: ...").
	 */
	while (*a && *b) {
		if (*a == *b && strncmp(b, "***", 3)) {
			a++, b++;
			continue;
		}
		if (!strncmp(b, "***", 3)) {
			size_t n = strcspn(a, b[3] ? (char[]){ b[3], 0 } : "");

			mask_copies(&out, a, n);
			a += n;
			b += 3;
			continue;
		}
		break;
	}
	free(shown);
	return out;
}

int store_open(struct store **sp, const char *target, enum store_mode mode)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int ret;

	size_t scheme = url_scheme(target);
	char shown[256];

	*sp = NULL;
	/* a URL is never a file name: "mysql://h/db" must not become an SQLite file of that name */
	if (scheme && !is_pg_scheme(target, scheme)) {
		char *redacted = store_redact(target);

		ret =
		    fb_usage("the store '%s' is a URL of a kind faultbench cannot use: a store is "
			     "a file (SQLite) or a postgresql:// URL",
			     fb_printable(redacted, shown, sizeof(shown)));
		free(redacted);
		free(s);
		return ret;
	}
	s->e = scheme ? &store_pg : &store_sqlite;
	s->target = store_redact(target);
	s->conninfo = xstrdup(target);
	/* libpq takes only lower-case schemes: "POSTGRESQL://" means the same */
	for (size_t i = 0; i < scheme; i++)
		s->conninfo[i] = (char)tolower((unsigned char)s->conninfo[i]);
	ret = s->e->open(s, mode == STORE_WRITE);
	if (!ret && mode == STORE_WRITE) {
		int from = 0;

		ret = upgrade(s, &from);
		if (!ret)
			say_upgraded(s, from);
	} else if (!ret) {
		int older = 0;

		ret = check_for_reading(s, &older);
		if (!ret && older)
			ret = upgrade_for_reading(s, older);
	}
	if (ret) {
		store_close(s);
		s = NULL;
	}
	*sp = s;
	return ret;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		store_rollback(s);
	s->e->close(s);
	free(s->target);
	free(s->conninfo);
	free(s);
}

int store_begin(struct store *s)
{
	int ret = s->e->exec(s, s->e->begin_write);

	s->in_tx = !ret;
	return ret;
}

int store_commit(struct store *s)
{
	s->in_tx = false;
	return s->e->exec(s, "COMMIT");
}

void store_rollback(struct store *s)
{
	/* after an error, which was reported: a failed rollback adds nothing */
	bool was = fb_set_quiet(true);

	s->in_tx = false;
	s->e->exec(s, "ROLLBACK");
	fb_set_quiet(was);
}

/* ---- adding a document ------------------------------------------------------ */

static const char *str_at(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/*
 * The rows of step_values, with what history's reading of a file takes as
 * the value: a number, in a step not marked "complete": false.
 */
static void extract_values(json_t *doc, struct store_run *r)
{
	json_t *step, *m;
	size_t i;
	const char *metric;

	json_array_foreach (json_object_get(doc, "steps"), i, step) {
		json_t *intf = json_object_get(step, "interference");
		/* as analysis/validity.c's rs_step_disturbed() reads it; no figures: unknown */
		int disturbed =
		    json_is_object(intf) ? json_is_true(json_object_get(intf, "disturbed")) : -1;

		json_object_foreach (json_object_get(step, "metrics"), metric, m) {
			struct store_step_value *v;
			const char *variant = str_at(step, "variant");

			r->values = xrealloc(r->values, (r->nvalues + 1) * sizeof(*r->values));
			v = &r->values[r->nvalues++];
			v->step = (long long)i;
			v->repeat = json_integer_value(json_object_get(step, "repeat"));
			v->ncpus = json_integer_value(json_object_get(step, "ncpus"));
			v->variant = variant ? variant : "";
			v->metric = metric;
			v->complete = !json_is_false(json_object_get(step, "complete"));
			v->higher_better =
			    !json_is_false(json_object_get(m, "higher_better")); /* null: neither */
			v->has_value = json_is_number(json_object_get(m, "value"));
			v->value =
			    v->has_value ? json_number_value(json_object_get(m, "value")) : 0;
			for (unsigned k = 0; k < 6; k++)
				v->stat[k] = num_or_nan(json_object_get(m, store_stat_names[k]));
			v->disturbed = disturbed;
		}
	}
}

static void extract_run(json_t *doc, const char *origin, struct store_run *r)
{
	json_t *sys = json_object_get(doc, "system"), *kernel = json_object_get(sys, "kernel");
	const char *preset = str_at(doc, "preset");

	r->origin = origin;
	r->machine = str_at(sys, "hostname");
	r->kernel_release = str_at(kernel, "release");
	r->kernel_build = str_at(kernel, "version");
	r->label = str_at(doc, "label");
	r->bench = str_at(doc, "bench");
	r->preset = preset && *preset ? preset : NULL;
	r->name = r->preset ? r->preset : r->bench;
	r->faultbench_version = str_at(doc, "faultbench_version");
	r->start_time = str_at(doc, "start_time");
	r->end_time = str_at(doc, "end_time");
	/* the date history orders by: the system's, else the start */
	r->date = str_at(sys, "date");
	if (!r->date)
		r->date = r->start_time ? r->start_time : "?";
	r->complete = !json_is_false(json_object_get(doc, "complete"));
	r->params = json_dumps(json_object_get(doc, "params") ? json_object_get(doc, "params")
							      : json_object(),
			       JSON_COMPACT);
	/* compact, every double with the 17 digits that give it back exactly */
	r->document = json_dumps(doc, JSON_COMPACT);
	extract_values(doc, r);
}

int store_add(struct store *s, json_t *doc, const char *text, size_t len, const char *origin,
	      bool *added)
{
	struct store_run r = { 0 };
	int ret;

	*added = false;
	store_hash(text, len, r.hash);
	extract_run(doc, origin, &r);
	if (!r.params || !r.document || !r.bench)
		ret = fb_fail("'%s': cannot add it to the store: not a faultbench result", origin);
	else
		ret = s->e->add(s, &r, added);
	free(r.params);
	free(r.document);
	free(r.values);
	return ret;
}

/* ---- selectors -------------------------------------------------------------- */

bool store_is_selector(const char *arg)
{
	return !strncmp(arg, STORE_PREFIX, strlen(STORE_PREFIX));
}

/* YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS (a trailing Z allowed) into a full UTC time. */
static bool parse_time(const char *v, bool end_of_day, char out[24])
{
	struct tm tm = { 0 };
	const char *rest = strptime(v, "%Y-%m-%d", &tm);
	time_t t;

	if (!rest || rest - v != 10)
		return false;
	if (*rest == 'T') {
		const char *r2 = strptime(rest + 1, "%H:%M:%S", &tm);

		if (!r2 || r2 - rest != 9)
			return false;
		rest = r2;
	} else if (end_of_day) {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	if (*rest == 'Z')
		rest++;
	if (*rest)
		return false;
	/* normalised back: 2026-02-30 is refused, not read as March */
	t = timegm(&(struct tm){ .tm_year = tm.tm_year,
				 .tm_mon = tm.tm_mon,
				 .tm_mday = tm.tm_mday,
				 .tm_hour = tm.tm_hour,
				 .tm_min = tm.tm_min,
				 .tm_sec = tm.tm_sec });
	struct tm back;

	if (!gmtime_r(&t, &back) || back.tm_mday != tm.tm_mday || back.tm_mon != tm.tm_mon)
		return false;
	return strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &back) == 20;
}

/* Machine names and kernel releases: a name, also what hostnames are made of. */
static bool value_ok(const char *key, const char *v)
{
	if (!strcmp(key, "machine") || !strcmp(key, "kernel")) {
		if (!*v || strlen(v) > 255)
			return false;
		for (const char *p = v; *p; p++)
			if (!(('a' <= *p && *p <= 'z') || ('A' <= *p && *p <= 'Z') ||
			      ('0' <= *p && *p <= '9') || strchr(".-_+~:", *p)))
				return false;
		return true;
	}
	return fb_name_ok(v);
}

static int sel_error(const char *text, const char *why, const char *what)
{
	char shown[128], w[64];

	return fb_usage("'%s%s': %s%s%s%s; a selector is key=value,... with keys machine, label, "
			"kernel, bench, since, until",
			STORE_PREFIX, fb_printable(text, shown, sizeof(shown)), why,
			what ? " '" : "", what ? fb_printable(what, w, sizeof(w)) : "",
			what ? "'" : "");
}

static int sel_set(struct store_sel *sel, const char *text, char *key, char *v)
{
	const char **field = NULL;

	if (!strcmp(key, "machine"))
		field = &sel->machine;
	else if (!strcmp(key, "label"))
		field = &sel->label;
	else if (!strcmp(key, "kernel"))
		field = &sel->kernel;
	else if (!strcmp(key, "bench"))
		field = &sel->bench;
	else if (strcmp(key, "since") && strcmp(key, "until"))
		return sel_error(text, "unknown key", key);
	if (field) {
		if (*field)
			return sel_error(text, "key given twice:", key);
		if (!value_ok(key, v))
			return sel_error(text, "not a name faultbench writes:", v);
		*field = v;
		return FB_OK;
	}
	{
		char *out = !strcmp(key, "since") ? sel->since : sel->until;

		if (*out)
			return sel_error(text, "key given twice:", key);
		if (!parse_time(v, out == sel->until, out))
			return sel_error(text,
					 "not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS):", v);
	}
	return FB_OK;
}

int store_sel_parse(const char *text, struct store_sel *sel)
{
	char *save = NULL, *tok;
	int ret = FB_OK;

	memset(sel, 0, sizeof(*sel));
	if (strlen(text) > 1024)
		return sel_error("...", "longer than 1024 bytes", NULL);
	sel->buf = xstrdup(text);
	if (!*text)
		return FB_OK;
	/* strtok_r would pass over empty items ("a=b,,c=d"): refuse them */
	if (text[0] == ',' || text[strlen(text) - 1] == ',' || strstr(text, ",,"))
		ret = sel_error(text, "an empty item", NULL);
	for (tok = strtok_r(sel->buf, ",", &save); tok && !ret; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			ret = sel_error(text, "not key=value:", tok);
		else {
			*eq = '\0';
			ret = sel_set(sel, text, tok, eq + 1);
		}
	}
	if (!ret && *sel->since && *sel->until && strcmp(sel->since, sel->until) > 0)
		ret = sel_error(text, "since is after until", NULL);
	if (ret)
		store_sel_free(sel);
	return ret;
}

void store_sel_free(struct store_sel *sel)
{
	free(sel->buf);
	memset(sel, 0, sizeof(*sel));
}

/* The selector as SQL conditions on runs r, its values from params[*n] on. */
static void sel_where(const struct store_sel *sel, char *sql, size_t len, const char **params,
		      unsigned *n)
{
	static const char *const cond[] = { "r.machine = ",	   "r.label = ",
					    "r.kernel_release = ", "(r.name = %s OR r.bench = %s)",
					    "r.date >= ",	   "r.date <= " };
	const char *v[] = { sel->machine,
			    sel->label,
			    sel->kernel,
			    sel->bench,
			    *sel->since ? sel->since : NULL,
			    *sel->until ? sel->until : NULL };

	for (unsigned i = 0; i < 6; i++) {
		size_t used = strlen(sql);
		char ph[8];

		if (!v[i])
			continue;
		params[*n] = v[i];
		snprintf(ph, sizeof(ph), "?%u", ++*n);
		if (i == 3)
			snprintf(sql + used, len - used, " AND (r.name = %s OR r.bench = %s)", ph,
				 ph);
		else
			snprintf(sql + used, len - used, " AND %s%s", cond[i], ph);
	}
}

/* ---- queries for the reading commands --------------------------------------- */

int store_walk_cmp(const char *a, const char *b)
{
	/* a directory walk sorts names per directory: '/' sorts before any name byte */
	for (;; a++, b++) {
		unsigned char x = *a == '/' ? 1 : (unsigned char)*a;
		unsigned char y = *b == '/' ? 1 : (unsigned char)*b;

		if (x != y || !x)
			return (int)x - (int)y;
	}
}

struct list_ctx {
	struct store_entry *v;
	size_t n, cap;
};

static char *col_dup(struct store_row *r, unsigned c)
{
	const char *t = r->text(r, c);

	return xstrdup(t ? t : "?");
}

static int list_row(struct store_row *r, void *arg)
{
	struct list_ctx *c = arg;
	struct store_entry *e;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 1024;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	e = &c->v[c->n++];
	e->id = r->integer(r, 0);
	e->origin = col_dup(r, 1);
	e->date = col_dup(r, 2);
	e->label = col_dup(r, 3);
	e->machine = col_dup(r, 4);
	return 0;
}

/* A path whose '/' is \x01: strcmp() of two keys is store_walk_cmp() of the paths. */
static char *walk_key(const char *path)
{
	char *k = xstrdup(path);

	for (char *p = k; *p; p++)
		if (*p == '/')
			*p = '\x01';
	return k;
}

struct keyed {
	char *key;
	struct store_entry e;
};

static int entry_order(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->e.id > y->e.id) - (x->e.id < y->e.id);
}

/* In walk order; a key a run, made once (100,000 runs: 1.7 million comparisons). */
static void sort_walk_order(struct store_entry *v, size_t n)
{
	struct keyed *k = xmalloc((n + 1) * sizeof(*k));

	for (size_t i = 0; i < n; i++) {
		k[i].key = walk_key(v[i].origin);
		k[i].e = v[i];
	}
	qsort(k, n, sizeof(*k), entry_order);
	for (size_t i = 0; i < n; i++) {
		v[i] = k[i].e;
		free(k[i].key);
	}
	free(k);
}

int store_list(struct store *s, const struct store_sel *sel, const char *name,
	       struct store_entry **list, size_t *n)
{
	char sql[1024] =
	    "SELECT r.id, r.origin, r.date, r.label, r.machine FROM runs r WHERE 1 = 1";
	const char *params[8];
	unsigned np = 0;
	struct list_ctx c = { 0 };
	int ret;

	if (name) {
		params[np++] = name;
		strcat(sql, " AND r.name = ?1");
	}
	sel_where(sel, sql, sizeof(sql), params, &np);
	ret = s->e->query(s, sql, params, np, list_row, &c);
	sort_walk_order(c.v, c.n);
	*list = c.v;
	*n = c.n;
	return ret;
}

void store_list_free(struct store_entry *list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i].origin);
		free(list[i].date);
		free(list[i].label);
		free(list[i].machine);
	}
	free(list);
}

static int doc_row(struct store_row *r, void *arg)
{
	const char *t = r->text(r, 0);

	*(char **)arg = t ? xstrdup(t) : NULL;
	return 0;
}

json_t *store_document(struct store *s, long long id)
{
	char idtext[24], *text = NULL;
	const char *p[] = { idtext };
	json_error_t err;
	json_t *doc = NULL;

	snprintf(idtext, sizeof(idtext), "%lld", id);
	if (s->e->query(s, "SELECT document FROM documents WHERE run_id = ?1", p, 1, doc_row,
			&text))
		return NULL;
	if (!text) {
		fb_usage("'%s': run %lld is gone (deleted while read?)", s->target, id);
		return NULL;
	}
	/* as strict as a file's reader (analysis/resultset.c): no duplicate keys */
	doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	if (!doc)
		fb_usage("'%s': the document of run %lld is damaged: %s", s->target, id, err.text);
	free(text);
	return doc;
}

struct values_ctx {
	struct store_value *v;
	size_t n, cap;
};

static int value_row(struct store_row *r, void *arg)
{
	struct values_ctx *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 4096;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n].run_id = r->integer(r, 0);
	c->v[c->n].value = r->real(r, 1);
	c->v[c->n].higher_better = r->integer(r, 2) != 0;
	c->n++;
	return 0;
}

int store_values(struct store *s, const struct store_sel *sel, const char *name, const char *metric,
		 long ncpus, const char *variant, struct store_value **v, size_t *n)
{
	char sql[1024] = "SELECT v.run_id, v.value, v.higher_better FROM step_values v "
			 "JOIN runs r ON r.id = v.run_id WHERE v.metric = ?1 AND v.ncpus = ?2 "
			 "AND v.variant = ?3 AND v.complete = 1 AND v.value IS NOT NULL "
			 "AND r.name = ?4";
	char nc[24];
	const char *params[10] = { metric, nc, variant, name };
	unsigned np = 4;
	struct values_ctx c = { 0 };
	int ret;

	snprintf(nc, sizeof(nc), "%ld", ncpus);
	sel_where(sel, sql, sizeof(sql), params, &np);
	strcat(sql, " ORDER BY v.run_id, v.step");
	ret = s->e->query(s, sql, params, np, value_row, &c);
	*v = c.v;
	*n = c.n;
	return ret;
}

struct ids_ctx {
	long long *v;
	size_t n, cap;
};

static int id_row(struct store_row *r, void *arg)
{
	struct ids_ctx *c = arg;

	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = r->integer(r, 0);
	return 0;
}

int store_disturbed_runs(struct store *s, const struct store_sel *sel, const char *name, long ncpus,
			 const char *variant, long long **ids, size_t *n)
{
	/* disturbed = 1 as the partial index step_values_disturbed has it: few rows read */
	char sql[1024] = "SELECT DISTINCT v.run_id FROM step_values v JOIN runs r ON r.id = "
			 "v.run_id WHERE v.disturbed = 1 AND v.ncpus = ?1 AND v.variant = ?2 "
			 "AND r.name = ?3";
	char nc[24];
	const char *params[10] = { nc, variant, name };
	unsigned np = 3;
	struct ids_ctx c = { 0 };
	int ret;

	snprintf(nc, sizeof(nc), "%ld", ncpus);
	sel_where(sel, sql, sizeof(sql), params, &np);
	ret = s->e->query(s, sql, params, np, id_row, &c);
	*ids = c.v;
	*n = c.n;
	return ret;
}

/* ---- the store a run writes into -------------------------------------------- */

static int index_file(struct store *s, const char *path)
{
	char *text = read_text_file(path), *origin;
	json_error_t err;
	json_t *doc;
	bool added;
	int ret;

	if (!text)
		return fb_fail("cannot read '%s': %s", path, strerror(errno));
	doc = json_loads(text, 0, &err);
	if (!doc) {
		free(text);
		return fb_fail("'%s' line %d: %s", path, err.line, err.text);
	}
	origin = realpath(path, NULL);
	ret = store_begin(s);
	if (!ret)
		ret = store_add(s, doc, text, strlen(text), origin ? origin : path, &added);
	if (!ret)
		ret = store_commit(s);
	free(origin);
	json_decref(doc);
	free(text);
	return ret;
}

void store_index_written(const char *write_target, const char *path)
{
	struct store *s;
	int ret;

	if (!write_target || !path)
		return;
	ret = store_open(&s, write_target, STORE_WRITE);
	if (!ret)
		ret = index_file(s, path);
	store_close(s);
	if (ret) {
		char *shown = store_redact(write_target);

		fb_warn("'%s' is kept but not in the store '%s'; 'faultbench store import --store "
			"%s DIR' adds it later",
			path, shown, shown);
		free(shown);
	}
}
