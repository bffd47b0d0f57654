/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The results store: an index of result files in a real database, SQLite
 * (a file, the default: results/faultbench.db) or PostgreSQL (a lab's
 * machines pushing to one server).  The files stay the source of truth; the
 * store holds each result document whole beside the columns the selectors
 * and history query, so a RUN read from the store is the very document the
 * file holds and every answer is the same (docs/store.md).
 *
 * A store is named by a target: "postgresql://..." (or "postgres://...",
 * handed to libpq as it is, so TLS, passwords files and services are libpq's)
 * or the path of an SQLite file.
 */
#ifndef FB_STORE_H
#define FB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

/* The schema this faultbench writes and reads (store/schema.c). */
#define STORE_SCHEMA_VERSION 3
/* The store a run in results/ is indexed into, and selectors read by default. */
#define STORE_DEFAULT "results/faultbench.db"
/* A RUN argument "store:machine=big1,label=6.18-rc3" selects runs from a store. */
#define STORE_PREFIX "store:"

struct store;

enum store_mode {
	STORE_READ,  /* must exist with the current schema; nothing is written */
	STORE_WRITE, /* created or migrated to the current schema when needed */
};

/*
 * Open the store at target.  FB_OK, or FB_USAGE with a message naming the
 * target: unreachable, not a database, a database of something else, a
 * schema newer than this faultbench knows (or older, when reading).
 */
int store_open(struct store **s, const char *target, enum store_mode mode);
void store_close(struct store *s);
/* "SQLite" or "PostgreSQL", and the target as given. */
const char *store_engine_name(const struct store *s);
const char *store_target(const struct store *s);
/*
 * target for a message: a URL's password ("postgresql://u:***@h/db") and
 * every password= or sslpassword= of its query ("?password=***") masked.
 * malloc'd.
 */
char *store_redact(const char *target);
/* The schema version of an open store. */
int store_schema_version(struct store *s, int *version);

/* Group many store_add() calls into one transaction (an import's batch). */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/*
 * Add one result document: doc as parsed (and checked) from text, the file's
 * uncompressed bytes, whose SHA-256 is the run's identity: a document
 * already there is left as it is (*added false).  origin: the file's path.
 * FB_OK, or FB_FAIL with a message.
 */
int store_add(struct store *s, json_t *doc, const char *text, size_t len, const char *origin,
	      bool *added);

/* The SHA-256 of text as 64 hex digits and a NUL. */
void store_hash(const char *text, size_t len, char hex[65]);

/*
 * A selector: which runs of a store.  Every field given must match; NULL
 * fields match anything.  since and until are ISO 8601 UTC times, inclusive
 * (a date alone: until the end of that day), compared with the run's date.
 */
struct store_sel {
	const char *machine, *label, *kernel, *bench;
	char since[24], until[24];
	char *buf; /* the values point into it */
};

/*
 * Parse a selector, the text after "store:": comma-separated key=value with
 * keys machine, label, kernel, bench (the benchmark or preset), since and
 * until (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC); empty: every run.  FB_OK or
 * FB_USAGE with a message that quotes the selector.
 */
int store_sel_parse(const char *text, struct store_sel *sel);
void store_sel_free(struct store_sel *sel);
/* Does a RUN argument name a selector? */
bool store_is_selector(const char *arg);

/* One run as listed by store_list(): enough to order and pick it. */
struct store_entry {
	long long id;
	char *origin, *date, *label, *machine;
};

/*
 * The runs a selector picks whose benchmark or preset name is name (NULL:
 * any), in the order a directory walk of their origins would meet them
 * (rs_walk(): depth first, by name).  FB_OK or FB_USAGE.
 */
int store_list(struct store *s, const struct store_sel *sel, const char *name,
	       struct store_entry **list, size_t *n);
void store_list_free(struct store_entry *list, size_t n);
/* The document of run id, parsed; NULL with a message. */
json_t *store_document(struct store *s, long long id);

/* A value of one step, for history: which run, the value and its direction. */
struct store_value {
	long long run_id;
	double value;
	bool higher_better;
};

/*
 * Every numeric value of metric at ncpus and variant, in complete steps
 * (not marked "complete": false), of the runs named name the selector
 * picks, by run id and then step order.  FB_OK or FB_USAGE.
 */
int store_values(struct store *s, const struct store_sel *sel, const char *name, const char *metric,
		 long ncpus, const char *variant, struct store_value **v, size_t *n);

/*
 * The ids of the runs named name the selector picks that have a step at
 * ncpus and variant measured disturbed (steps[i].interference.disturbed,
 * whether complete or not, as history reads a file: disturb_doc()), in no
 * particular order.  FB_OK or FB_USAGE.
 */
int store_disturbed_runs(struct store *s, const struct store_sel *sel, const char *name, long ncpus,
			 const char *variant, long long **ids, size_t *n);

/*
 * Index the result file "faultbench run" just wrote into write_target, its
 * --store (NULL: none, the result file alone).  A failure is a warning,
 * never a lost result.
 */
void store_index_written(const char *write_target, const char *path);

/* Compare two paths as a directory walk meets them (for sorting origins). */
int store_walk_cmp(const char *a, const char *b);

#endif
