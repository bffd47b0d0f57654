/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the store asks of a database engine: store.c holds everything the
 * engines share (the checks on open, migrations, selectors, history's
 * queries) and talks to SQLite (sqlite.c) or PostgreSQL (pg.c) only
 * through these few operations.  SQL is written once, with ?1, ?2, ...
 * placeholders and text parameters; pg.c turns them into $1, $2.
 */
#ifndef FB_STORE_BACKEND_H
#define FB_STORE_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "store.h"

/* One value of one step: a row of step_values. */
struct store_step_value {
	long long step, repeat, ncpus;
	const char *variant, *metric;
	bool complete, higher_better;
	bool has_value;
	double value;
	/* steps[i].interference.disturbed: 1 or 0; -1 (NULL) when the step has no figures */
	int disturbed;
	/* mean, hmean, stddev, cov, min, max: the step's summary; NAN when absent */
	double stat[6];
};

/* One run as written: a row of runs and its values. */
struct store_run {
	char hash[65];
	const char *origin, *machine, *kernel_release, *kernel_build, *label, *bench, *preset,
	    *name, *faultbench_version, *start_time, *end_time, *date;
	bool complete;
	char *params;	/* JSON text */
	char *document; /* the whole document, compact JSON text */
	size_t nvalues;
	struct store_step_value *values;
};

extern const char *const store_stat_names[6];

/* A row of a query's answer; columns from 0. */
struct store_row {
	const char *(*text)(struct store_row *r, unsigned col); /* NULL for NULL */
	double (*real)(struct store_row *r, unsigned col);
	long long (*integer)(struct store_row *r, unsigned col);
	void *h;
	int i;
};

typedef int (*store_row_fn)(struct store_row *r, void *arg);

struct store_engine {
	const char *name;
	/* s->target is set; FB_OK or FB_USAGE with a message */
	int (*open)(struct store *s, bool write);
	void (*close)(struct store *s);
	/* SQL without parameters or rows (DDL, transactions) */
	int (*exec)(struct store *s, const char *sql);
	int (*query)(struct store *s, const char *sql, const char *const *params, unsigned n,
		     store_row_fn row, void *arg);
	/* insert run and its values unless its hash is there (*added false) */
	int (*add)(struct store *s, const struct store_run *run, bool *added);
	/* start a transaction that writes: the lock is taken at once */
	const char *begin_write;
	/* taken after begin_write by the process that may create or migrate (or NULL) */
	const char *schema_lock;
	/* the names of the tables of the database (one column) */
	const char *tables_sql;
	/* migrations[v - 1] takes the schema from version v - 1 to v */
	const char *const *migrations;
};

struct store {
	const struct store_engine *e;
	char *target;	/* for messages: a password in a URI is shown as *** */
	char *conninfo; /* as given */
	void *db;
	void *cache[4]; /* an engine's prepared statements */
	bool in_tx;
};

extern const struct store_engine store_sqlite, store_pg;
extern const char *const store_sqlite_migrations[], *const store_pg_migrations[];

/*
 * msg (an engine's error message) with every password of conninfo in it
 * replaced by "***": libpq repeats parts of a URL it cannot parse.  malloc'd.
 */
char *store_mask_secrets(const char *conninfo, const char *msg);

/* For the unit tests: create or migrate an open store up to version `upto`. */
int store_migrate(struct store *s, int upto);

#endif
