// SPDX-License-Identifier: GPL-2.0
/*
 * The PostgreSQL engine of the store, through libpq: a lab's machines push
 * their results to one server.  The target is handed to libpq as it is, so
 * TLS (sslmode, sslrootcert), ~/.pgpass and PGSERVICE work as libpq
 * documents them.  A run and its values go in as one statement, so a
 * machine's role needs INSERT on runs, documents and step_values, SELECT on fb_meta
 * (the schema version) and on runs (id, content_hash) (the row it adds, the
 * hash ON CONFLICT compares), and
 * nothing else (docs/store.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "backend.h"
#include "util.h"

static PGconn *conn(struct store *s)
{
	return s->db;
}

/* The message of libpq or the server, on one line. */
static int pg_error(struct store *s, const char *what, const char *msg)
{
	char *m = store_mask_secrets(s->conninfo, msg && *msg ? msg : PQerrorMessage(conn(s)));
	char shown[1024];
	size_t n = strlen(m);

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		m[--n] = '\0';
	for (char *p = m; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	/* the server's words, and the target's, never reach the terminal raw */
	n = (size_t)fb_usage("'%s': %s: %s", s->target, what,
			     fb_printable(m, shown, sizeof(shown)));
	free(m);
	return (int)n;
}

static void no_notices(void *arg, const char *message)
{
}

static int pg_open(struct store *s, bool write)
{
	PGconn *c = PQconnectdb(s->conninfo);

	s->db = c;
	if (!c)
		return fb_usage("cannot connect to the store '%s': out of memory", s->target);
	if (PQstatus(c) != CONNECTION_OK)
		return pg_error(s, "cannot connect", NULL);
	PQsetNoticeProcessor(c, no_notices, NULL);
	return FB_OK;
}

static void pg_close(struct store *s)
{
	PQfinish(conn(s));
}

static int check_result(struct store *s, PGresult *res, const char *what)
{
	ExecStatusType st = PQresultStatus(res);

	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return FB_OK;
	return pg_error(s, what, PQresultErrorMessage(res));
}

static int pg_exec(struct store *s, const char *sql)
{
	PGresult *res = PQexec(conn(s), sql);
	int ret = check_result(s, res, "cannot change it");

	PQclear(res);
	return ret;
}

/* ?1, ?2 ... as $1, $2 ...: the SQL of store.c is written once for both engines. */
static char *dollars(const char *sql)
{
	char *out = xstrdup(sql);

	for (char *p = out; *p; p++)
		if (*p == '?' && p[1] >= '0' && p[1] <= '9')
			*p = '$';
	return out;
}

static const char *row_text(struct store_row *r, unsigned c)
{
	return PQgetisnull(r->h, r->i, (int)c) ? NULL : PQgetvalue(r->h, r->i, (int)c);
}

/* float8 comes as the shortest text that reads back to the same double */
static double row_real(struct store_row *r, unsigned c)
{
	return strtod(PQgetvalue(r->h, r->i, (int)c), NULL);
}

static long long row_integer(struct store_row *r, unsigned c)
{
	return strtoll(PQgetvalue(r->h, r->i, (int)c), NULL, 10);
}

static int pg_query(struct store *s, const char *sql, const char *const *params, unsigned n,
		    store_row_fn fn, void *arg)
{
	char *q = dollars(sql);
	PGresult *res = PQexecParams(conn(s), q, (int)n, NULL, params, NULL, NULL, 0);
	struct store_row row = { .text = row_text, .real = row_real, .integer = row_integer };
	int ret = check_result(s, res, "cannot query it");

	row.h = res;
	for (int i = 0; !ret && i < PQntuples(res); i++) {
		row.i = i;
		ret = fn(&row, arg);
	}
	PQclear(res);
	free(q);
	return ret;
}

static json_t *real_or_null(double v)
{
	return isnan(v) ? json_null() : json_real(v);
}

/* The values as a JSON array of rows, for jsonb_to_recordset(): one statement a run. */
static char *values_json(const struct store_run *r)
{
	json_t *a = json_array();
	char *text;

	for (size_t k = 0; k < r->nvalues; k++) {
		const struct store_step_value *v = &r->values[k];
		json_t *o =
		    json_pack("{sIsIsssIsisssosi}", "step", (json_int_t)v->step, "repeat",
			      (json_int_t)v->repeat, "variant", v->variant, "ncpus",
			      (json_int_t)v->ncpus, "complete", (int)v->complete, "metric",
			      v->metric, "value", v->has_value ? json_real(v->value) : json_null(),
			      "higher_better", (int)v->higher_better);

		for (unsigned j = 0; j < 6; j++)
			json_object_set_new(o, store_stat_names[j], real_or_null(v->stat[j]));
		json_object_set_new(o, "disturbed",
				    v->disturbed < 0 ? json_null() : json_integer(v->disturbed));
		json_array_append_new(a, o);
	}
	/* 17 digits: every double comes back exactly */
	text = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(a);
	return text;
}

static const char add_sql[] =
    "WITH r AS (INSERT INTO runs (content_hash, origin, machine, kernel_release, "
    "kernel_build, label, bench, preset, name, faultbench_version, start_time, end_time, "
    "date, complete, indexed_at, params) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, "
    "$9, $10, $11, $12, $13, $14::integer, "
    "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), $15::jsonb) "
    "ON CONFLICT (content_hash) DO NOTHING RETURNING id), "
    "d AS (INSERT INTO documents SELECT r.id, $16 FROM r), "
    "v AS (INSERT INTO step_values SELECT r.id, x.* FROM r, jsonb_to_recordset($17::jsonb) "
    "AS x(step integer, repeat integer, variant text, ncpus integer, complete integer, "
    "metric text, value double precision, higher_better integer, mean double precision, "
    "hmean double precision, stddev double precision, cov double precision, "
    "min double precision, max double precision, disturbed integer)) "
    "SELECT count(*) FROM r";

static int pg_add(struct store *s, const struct store_run *r, bool *added)
{
	char *values = values_json(r);
	const char *p[] = { r->hash,	     r->origin,
			    r->machine,	     r->kernel_release,
			    r->kernel_build, r->label,
			    r->bench,	     r->preset,
			    r->name,	     r->faultbench_version,
			    r->start_time,   r->end_time,
			    r->date,	     r->complete ? "1" : "0",
			    r->params,	     r->document,
			    values };
	PGresult *res = PQexecParams(conn(s), add_sql, (int)ARRAY_SIZE(p), NULL, p, NULL, NULL, 0);
	int ret = check_result(s, res, "cannot add to it");

	*added = !ret && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0");
	PQclear(res);
	free(values);
	return ret;
}

const struct store_engine store_pg = {
	.name = "PostgreSQL",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.query = pg_query,
	.add = pg_add,
	.begin_write = "BEGIN",
	/* concurrent first pushes: one creates the tables, the others wait and find them */
	.schema_lock = "SELECT pg_advisory_xact_lock(7238717165)",
	.tables_sql = "SELECT table_name FROM information_schema.tables "
		      "WHERE table_schema = current_schema()",
	.migrations = store_pg_migrations,
};
