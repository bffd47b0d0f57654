// SPDX-License-Identifier: GPL-2.0
/*
 * The SQLite engine of the store: one file, nothing to install or start.
 * Writers serialise on the database's lock: a transaction that writes takes
 * it at once (BEGIN IMMEDIATE) and a writer that finds it taken waits (busy
 * timeout) instead of failing, so concurrent runs and imports never lose a
 * result; readers see committed transactions only.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "backend.h"
#include "util.h"

/* A writer waits this long for another's transaction (an import's batch). */
#define BUSY_TIMEOUT_MS (10 * 60 * 1000)

enum { ST_RUN, ST_VALUE, ST_DOC };

static sqlite3 *db(struct store *s)
{
	return s->db;
}

/* A database error: corrupt or foreign files end here, as bad input (exit 2). */
static int report(struct store *s, const char *what, const char *msg)
{
	int code = sqlite3_errcode(db(s));

	if (code == SQLITE_NOTADB || code == SQLITE_CORRUPT)
		return fb_usage("'%s' is not a faultbench store (%s); refusing to use it",
				s->target, msg);
	return fb_usage("'%s': %s: %s", s->target, what, msg);
}

static int db_error(struct store *s, const char *what)
{
	return report(s, what, sqlite3_errmsg(db(s)));
}

static int sq_open(struct store *s, bool write)
{
	struct stat st;
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	sqlite3 *h = NULL;

	if (stat(s->conninfo, &st)) {
		char *dir = xstrdup(s->conninfo), *slash = strrchr(dir, '/');
		int err = 0;

		if (!write) {
			free(dir);
			return fb_usage(
			    "no store at '%s'; 'faultbench store import --store %s DIR' "
			    "makes one",
			    s->target, s->target);
		}
		/* results/faultbench.db before the first result: make results/ */
		if (slash && slash != dir) {
			*slash = '\0';
			err = mkdir_p(dir);
		}
		free(dir);
		if (err)
			return fb_usage("cannot create the store '%s': %s", s->target,
					strerror(-err));
	} else if (!S_ISREG(st.st_mode)) {
		return fb_usage("'%s' is not a faultbench store (not a regular file)", s->target);
	}
	if (sqlite3_open_v2(s->conninfo, &h, flags | SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
		int ret = fb_usage("cannot open the store '%s': %s", s->target,
				   h ? sqlite3_errmsg(h) : "out of memory");

		sqlite3_close(h);
		return ret;
	}
	s->db = h;
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(h, 0);
	return FB_OK;
}

static void sq_close(struct store *s)
{
	for (unsigned i = 0; i < 4; i++)
		sqlite3_finalize(s->cache[i]);
	sqlite3_close(db(s));
}

static int sq_exec(struct store *s, const char *sql)
{
	char *msg = NULL;
	int ret = FB_OK;

	if (sqlite3_exec(db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
		ret = report(s, "cannot change it", msg ? msg : sqlite3_errmsg(db(s)));
	sqlite3_free(msg);
	return ret;
}

static const char *row_text(struct store_row *r, unsigned c)
{
	return (const char *)sqlite3_column_text(r->h, (int)c);
}

static double row_real(struct store_row *r, unsigned c)
{
	return sqlite3_column_double(r->h, (int)c);
}

static long long row_integer(struct store_row *r, unsigned c)
{
	return sqlite3_column_int64(r->h, (int)c);
}

static int sq_query(struct store *s, const char *sql, const char *const *params, unsigned n,
		    store_row_fn fn, void *arg)
{
	sqlite3_stmt *st;
	struct store_row row = { .text = row_text, .real = row_real, .integer = row_integer };
	int rc, ret = FB_OK;

	if (sqlite3_prepare_v2(db(s), sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(s, "cannot query it");
	for (unsigned i = 0; i < n; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
	row.h = st;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && !ret)
		ret = fn(&row, arg);
	if (!ret && rc != SQLITE_DONE)
		ret = db_error(s, "cannot query it");
	sqlite3_finalize(st);
	return ret;
}

static sqlite3_stmt *cached(struct store *s, unsigned i, const char *sql)
{
	if (!s->cache[i] &&
	    sqlite3_prepare_v2(db(s), sql, -1, (sqlite3_stmt **)&s->cache[i], NULL) != SQLITE_OK)
		return NULL;
	sqlite3_reset(s->cache[i]);
	sqlite3_clear_bindings(s->cache[i]);
	return s->cache[i];
}

static void bind_opt_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_opt_real(sqlite3_stmt *st, int i, bool has, double v)
{
	if (has)
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

static int add_values(struct store *s, const struct store_run *r, long long id)
{
	sqlite3_stmt *st = cached(s, ST_VALUE,
				  "INSERT INTO step_values VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
				  "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)");

	if (!st)
		return db_error(s, "cannot add to it");
	for (size_t k = 0; k < r->nvalues; k++) {
		const struct store_step_value *v = &r->values[k];

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, id);
		sqlite3_bind_int64(st, 2, v->step);
		sqlite3_bind_int64(st, 3, v->repeat);
		sqlite3_bind_text(st, 4, v->variant, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, v->ncpus);
		sqlite3_bind_int(st, 6, v->complete);
		sqlite3_bind_text(st, 7, v->metric, -1, SQLITE_STATIC);
		bind_opt_real(st, 8, v->has_value, v->value);
		sqlite3_bind_int(st, 9, v->higher_better);
		for (unsigned j = 0; j < 6; j++)
			bind_opt_real(st, 10 + (int)j, !isnan(v->stat[j]), v->stat[j]);
		if (v->disturbed < 0)
			sqlite3_bind_null(st, 16);
		else
			sqlite3_bind_int(st, 16, v->disturbed);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_error(s, "cannot add to it");
	}
	return FB_OK;
}

static int sq_add(struct store *s, const struct store_run *r, bool *added)
{
	sqlite3_stmt *st =
	    cached(s, ST_RUN,
		   "INSERT INTO runs (content_hash, origin, machine, kernel_release, "
		   "kernel_build, label, bench, preset, name, faultbench_version, "
		   "start_time, end_time, date, complete, indexed_at, params) "
		   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
		   "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?15) "
		   "ON CONFLICT (content_hash) DO NOTHING");
	const char *t[] = {
		r->hash,       r->origin,   r->machine, r->kernel_release, r->kernel_build,
		r->label,      r->bench,    r->preset,	r->name,	   r->faultbench_version,
		r->start_time, r->end_time, r->date
	};
	long long id;
	int i;

	*added = false;
	if (!st)
		return db_error(s, "cannot add to it");
	for (i = 0; i < (int)ARRAY_SIZE(t); i++)
		bind_opt_text(st, i + 1, t[i]);
	sqlite3_bind_int(st, 14, r->complete);
	sqlite3_bind_text(st, 15, r->params, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "cannot add to it");
	if (!sqlite3_changes(db(s)))
		return FB_OK; /* the same bytes are there already */
	id = sqlite3_last_insert_rowid(db(s));
	st = cached(s, ST_DOC, "INSERT INTO documents VALUES (?1, ?2)");
	if (!st)
		return db_error(s, "cannot add to it");
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, r->document, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_error(s, "cannot add to it");
	*added = true;
	return add_values(s, r, id);
}

const struct store_engine store_sqlite = {
	.name = "SQLite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.query = sq_query,
	.add = sq_add,
	.begin_write = "BEGIN IMMEDIATE",
	.tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table'",
	.migrations = store_sqlite_migrations,
};
