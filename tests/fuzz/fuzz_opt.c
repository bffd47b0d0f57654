// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the option parser.  The input is an argv, one argument per
 * line: the first names a benchmark or preset (else "fault"), the rest are
 * parsed against run_options and its options, as "faultbench run" does, then
 * checked as run checks text options, then formatted back as a result's
 * params.  Both parsers (options first, and mixed with positionals) run.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "opt.h"
#include "registry.h"
#include "runcheck.h"
#include "util.h"

#define MAX_ARGS 64

static int split(char *s, char **argv)
{
	int n = 0;

	for (char *tok = s; tok && n < MAX_ARGS; n++) {
		char *nl = strchr(tok, '\n');

		argv[n] = tok;
		if (nl)
			*nl = '\0';
		tok = nl ? nl + 1 : NULL;
	}
	return n;
}

/* OPT_STRLIST values are gathered in an array the caller frees. */
static void free_lists(const struct opt *table, void *params)
{
	for (const struct opt *o = table; o && o->name; o++)
		if (o->type == OPT_STRLIST)
			free(((struct opt_strlist *)((char *)params + o->off))->v);
}

static void parse(const struct bench *b, int argc, char **argv, bool mixed)
{
	struct run_opts ro;
	void *params = xcalloc(1, b->params_size ? b->params_size : 1);
	struct opt_binding bind[] = { { run_options, &ro }, { b->opts, params } };
	int next, ret;

	opt_set_defaults(run_options, &ro);
	opt_set_defaults(b->opts, params);
	ret = mixed ? opt_parse_mixed(bind, 2, argc, argv, &next)
		    : opt_parse_argv(bind, 2, argc, argv, &next);
	if (!ret && !run_opts_check_text(&ro, NULL)) {
		json_t *j = opt_to_json(b->opts, params);

		json_decref(j);
		j = opt_to_json(run_options, &ro);
		json_decref(j);
		opt_check_memory(b->opts, params, 1ULL << 30, NULL);
	}
	free_lists(run_options, &ro);
	free_lists(b->opts, params);
	free(params);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *argv[MAX_ARGS], *copy[MAX_ARGS];
	const struct bench_entry *e;
	int argc;

	fb_set_quiet(true);
	argc = split(s, argv);
	e = argc ? bench_lookup(argv[0]) : NULL;
	if (!e)
		e = bench_lookup("fault");
	/* the parsers reorder argv: each gets its own copy of the pointers */
	memcpy(copy, argv, sizeof(argv));
	parse(e->bench, argc - 1, argv + 1, false);
	parse(e->bench, argc - 1, copy + 1, true);
	free(s);
	return 0;
}
