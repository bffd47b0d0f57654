// SPDX-License-Identifier: GPL-2.0
/*
 * The store's schema, one list of migrations per engine, side by side so
 * they stay the same schema: the same tables, columns and meanings, only
 * the types spelled each engine's way (SQLite's INTEGER PRIMARY KEY and
 * JSON text, PostgreSQL's identity column and jsonb).
 *
 *   fb_meta      key/value: application = faultbench, schema_version = N
 *   runs         one row per result document: who, what, when.
 *                content_hash, the SHA-256 of the file's bytes, makes adding
 *                idempotent.
 *   documents    the document itself, by run (SQLite: JSON text;
 *                PostgreSQL: the text and a jsonb copy for queries by hand).
 *                A table of its own: rows of runs stay small, so listing
 *                100,000 of them reads a few MB, not every document.
 *   step_values  one row per step and metric: the value history and check
 *                judge, the step's summary (mean, hmean, stddev, ...) and
 *                whether the step was measured disturbed
 *
 * Why the document's text even in PostgreSQL: jsonb reorders an object's
 * keys, and the order of metrics in a document is the order of compare's
 * rows; the text gives back exactly the document the file holds.
 *
 * Version 1 is the tables, version 2 the indexes for selectors and history,
 * version 3 step_values.disturbed: whether the step was measured disturbed
 * (1), quiet (0) or without interference figures (NULL: an older engine),
 * as its document's steps[i].interference.disturbed says, so that history
 * from the index marks the runs a file's reader marks (issue 22).  Stores
 * at version 2 get it from the documents they keep, in the migration's
 * transaction, by each engine's own JSON functions: nothing leaves the
 * database.
 *
 * A new version is one more string in each list (never an edit of an old
 * one: stores in the field are at every version).
 */
#include <stddef.h>

#include "backend.h"

const char *const store_stat_names[6] = { "mean", "hmean", "stddev", "cov", "min", "max" };

#define STEP_COLUMNS                                                                               \
	"step integer NOT NULL, repeat integer NOT NULL, variant text NOT NULL, "                  \
	"ncpus integer NOT NULL, complete integer NOT NULL, metric text NOT NULL, "                \
	"value double precision, higher_better integer NOT NULL, mean double precision, "          \
	"hmean double precision, stddev double precision, cov double precision, "                  \
	"min double precision, max double precision, PRIMARY KEY (run_id, step, metric))"

#define RUN_COLUMNS                                                                                \
	"content_hash text NOT NULL UNIQUE, origin text NOT NULL, machine text, "                  \
	"kernel_release text, kernel_build text, label text, bench text NOT NULL, preset text, "   \
	"name text NOT NULL, faultbench_version text, start_time text, end_time text, "            \
	"date text NOT NULL, complete integer NOT NULL, indexed_at text NOT NULL, "

#define INDEXES                                                                                    \
	"CREATE INDEX runs_name_date ON runs (name, date);"                                        \
	"CREATE INDEX runs_machine ON runs (machine);"                                             \
	"CREATE INDEX runs_label ON runs (label);"                                                 \
	"CREATE INDEX runs_kernel ON runs (kernel_release);"                                       \
	"CREATE INDEX step_values_series ON step_values "                                          \
	"(metric, ncpus, variant, run_id, step, complete, value, higher_better);"                  \
	"UPDATE fb_meta SET value = '2' WHERE key = 'schema_version';"

/*
 * Version 3's column and its index: a partial one, of the disturbed steps
 * only (few), which is all history asks of it.
 */
#define ADD_DISTURBED "ALTER TABLE step_values ADD COLUMN disturbed integer;"
#define DISTURBED_INDEX                                                                            \
	"CREATE INDEX step_values_disturbed ON step_values (ncpus, variant, run_id) "              \
	"WHERE disturbed = 1;"                                                                     \
	"UPDATE fb_meta SET value = '3' WHERE key = 'schema_version';"

const char *const store_sqlite_migrations[] = {
	"CREATE TABLE fb_meta (key text PRIMARY KEY, value text NOT NULL);"
	"INSERT INTO fb_meta VALUES ('application', 'faultbench'), ('schema_version', '1');"
	"CREATE TABLE runs (id INTEGER PRIMARY KEY, " RUN_COLUMNS "params text NOT NULL);"
	"CREATE TABLE documents (run_id integer PRIMARY KEY REFERENCES runs (id) ON DELETE "
	"CASCADE, "
	"document text NOT NULL);"
	"CREATE TABLE step_values (run_id integer NOT NULL REFERENCES runs (id) ON DELETE "
	"CASCADE, " STEP_COLUMNS ";",
	INDEXES,
	/*
	 * Each document parsed once (json_each), its steps then looked up by
	 * step_values' key: MATERIALIZED, or SQLite scans step_values and
	 * parses a run's document again for each of its rows (8 times slower).
	 */
	ADD_DISTURBED
	"WITH t AS MATERIALIZED (SELECT d.run_id AS run_id, CAST(s.key AS integer) AS step, "
	"coalesce(json_type(s.value, '$.interference.disturbed') = 'true', 0) AS disturbed "
	"FROM documents d, json_each(d.document, '$.steps') s "
	"WHERE json_type(d.document, '$.steps') = 'array' "
	"AND json_type(s.value, '$.interference') = 'object') "
	"UPDATE step_values SET disturbed = t.disturbed FROM t "
	"WHERE step_values.run_id = t.run_id AND step_values.step = t.step;" DISTURBED_INDEX,
	NULL
};

const char *const store_pg_migrations[] = {
	"CREATE TABLE fb_meta (key text PRIMARY KEY, value text NOT NULL);"
	"INSERT INTO fb_meta VALUES ('application', 'faultbench'), ('schema_version', '1');"
	"CREATE TABLE runs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, " RUN_COLUMNS
	"params jsonb NOT NULL);"
	"CREATE TABLE documents (run_id bigint PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE, "
	"document text NOT NULL, "
	"document_jsonb jsonb GENERATED ALWAYS AS (document::jsonb) STORED);"
	"CREATE TABLE step_values (run_id bigint NOT NULL REFERENCES runs (id) ON DELETE "
	"CASCADE, " STEP_COLUMNS ";",
	INDEXES,
	/* from document_jsonb, the parsed copy PostgreSQL keeps anyway */
	ADD_DISTURBED
	"UPDATE step_values v SET disturbed = t.disturbed FROM (SELECT d.run_id, "
	"s.ord - 1 AS step, "
	"CASE WHEN s.value->'interference'->'disturbed' = 'true'::jsonb THEN 1 ELSE 0 END "
	"AS disturbed FROM documents d CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN "
	"jsonb_typeof(d.document_jsonb->'steps') = 'array' THEN d.document_jsonb->'steps' "
	"ELSE '[]'::jsonb END) WITH ORDINALITY AS s(value, ord) "
	"WHERE jsonb_typeof(s.value->'interference') = 'object') t "
	"WHERE v.run_id = t.run_id AND v.step = t.step;" DISTURBED_INDEX,
	NULL
};
