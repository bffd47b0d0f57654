/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Options tables.  One table per benchmark (and one for the options every run
 * shares) drives the command line, config files, --help and the parameters
 * recorded in results, so the four can never disagree.
 */
#ifndef FB_OPT_H
#define FB_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <jansson.h>

enum opt_type {
	OPT_BOOL,    /* bool; --x, --no-x, --x=on|off|yes|no|1|0 */
	OPT_INT,     /* long long */
	OPT_SIZE,    /* unsigned long long bytes; accepts 4k, 2M, 1G */
	OPT_DOUBLE,  /* double */
	OPT_STR,     /* const char * (points into argv or a duplicated config value) */
	OPT_ENUM,    /* int: index into choices "a|b|c" */
	OPT_ENUMSET, /* unsigned: bitmask of choices, given as a comma list "a,c" */
	OPT_STRLIST, /* struct opt_strlist: repeatable, each value kept; no default */
};

/* The values of an OPT_STRLIST in the order given; the caller frees v. */
struct opt_strlist {
	const char **v; /* each points into argv or a duplicated config value */
	unsigned n;
};

struct opt {
	const char *name; /* --name, the config key and the JSON key */
	enum opt_type type;
	const char *def;     /* default as it would be typed; NULL: unset */
	double min, max;     /* inclusive bounds for numbers; both 0: unbounded */
	const char *choices; /* "a|b|c" for OPT_ENUM and OPT_ENUMSET */
	const char *help;
	size_t off; /* offsetof() the field in the params struct */
	/*
	 * OPT_ENUMSET only: each chosen value is a variant of its own.  The run is
	 * repeated per value, and the bench sees exactly one bit set.  The first
	 * choice given is the baseline of the ratios printed (e.g. thp/4k).
	 */
	bool matrix;
};

#define OPT_END                                                                                    \
	{                                                                                          \
		.name = NULL                                                                       \
	}

/*
 * A table and the struct its offsets point into.  given, when not NULL, has
 * one flag per option of the table (in its order), set when the command line
 * or a config sets that option: "did the user choose --size?" is asked of
 * the parser, not by scanning argv again.  Built-in values (defaults, a
 * preset) are set through a binding without it.
 */
struct opt_binding {
	const struct opt *table;
	void *params;
	bool *given;
};

void opt_set_defaults(const struct opt *table, void *params);
const struct opt *opt_find(const struct opt *table, const char *name);
/* The number of options of a table (the size of a binding's given[]). */
unsigned opt_count(const struct opt *table);
/* Did the command line or a config set option name of this binding? */
bool opt_given(const struct opt_binding *b, const char *name);

/*
 * Set one option from text.  "where" names the source for messages: NULL for the
 * command line ("option '--cpus': ..."), or "configs/x.ini:12" for a config file.
 * Returns FB_OK or FB_USAGE after printing a message that names option and value.
 */
int opt_set(const struct opt *o, void *params, const char *value, const char *where);

/*
 * Parse long options from argv against several tables (first match wins).
 * Stops at the first non-option or after "--"; *next gets its index.
 * Returns FB_OK, FB_USAGE, or -1 when --help was seen.
 */
int opt_parse_argv(const struct opt_binding *b, unsigned nb, int argc, char **argv, int *next);

/*
 * The same, but options and positional arguments may come in any order, as
 * getopt_long() takes them ("compare A B --format json"): the positional
 * arguments are moved, in their order, to argv[0..*npos).  Every argument
 * after "--" is positional.
 */
int opt_parse_mixed(const struct opt_binding *b, unsigned nb, int argc, char **argv, int *npos);

/*
 * A subcommand's own options, argv[0] being its name: the table's defaults,
 * then argv[1..] parsed, with positional arguments anywhere (mixed, as
 * opt_parse_mixed()) or from the first one on (as opt_parse_argv()).  Either
 * way the positional arguments end up, in order, at argv[1 .. 1 + *npos).
 * --help prints usage(stdout).  Returns FB_OK, FB_USAGE, or -1 after --help
 * (the command then exits 0).
 */
int opt_parse_command(const struct opt_binding *b, int argc, char **argv, bool mixed,
		      int (*usage)(FILE *), int *npos);

/*
 * Take "--NAME VALUE" and "--NAME=VALUE" out of argv[1 .. *argc) (up to a
 * "--"), for an option that must not reach the options parser or the
 * result's recorded command line (--store, --runs).  *value: the last one
 * given ("" when the last "--NAME" had no value), untouched if none.
 * Returns how many were taken.
 */
int opt_take(int *argc, char **argv, const char *name, const char **value);

/* Set a name=value pair against several tables (config files). */
int opt_set_by_name(const struct opt_binding *b, unsigned nb, const char *name, const char *value,
		    const char *where);

/*
 * Every OPT_SIZE value of the table against avail bytes (fb_mem_available()):
 * a size that cannot fit is refused before anything allocates it, rather than
 * the run being OOM-killed with no result.  FB_OK or FB_USAGE naming the option.
 */
int opt_check_memory(const struct opt *table, const void *params, unsigned long long avail,
		     const char *where);

void opt_print_help(FILE *f, const struct opt *table);
/*
 * The same with the defaults as they are in params (after a preset's or a
 * benchmark's own run defaults); an option whose value differs from the one
 * in base (the table's defaults) says "(set_by; otherwise X)".
 */
void opt_print_help_params(FILE *f, const struct opt *table, const void *params, const void *base,
			   const char *set_by);
/* "4k to 64G", "1 to 100000" as --help shows bounds; "" for an unbounded option. */
const char *opt_bounds_text(const struct opt *o, char *buf, size_t len);
/* The value as it would be typed, into buf. */
void opt_format(const struct opt *o, const void *params, char *buf, size_t len);
/* Every option of the table as a JSON object (name -> typed value). */
json_t *opt_to_json(const struct opt *table, const void *params);

/* Choice index of an OPT_ENUM value; bit test for OPT_ENUMSET. */
const char *opt_choice_name(const struct opt *o, int index);

#endif
