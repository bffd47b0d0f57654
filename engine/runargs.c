// SPDX-License-Identifier: GPL-2.0
/*
 * Where BENCH is on run's command line (runargs.h): a word that is no option
 * and no option's value.  Whether an option takes a value comes from the
 * tables, run_options[] and every benchmark's.
 */
#include <string.h>

#include "opt.h"
#include "registry.h"
#include "runargs.h"
#include "runopts.h"

bool run_word_takes_value(const char *word)
{
	const struct opt *o;

	if (!strcmp(word, "-o"))
		return true;
	if (strncmp(word, "--", 2) || strchr(word, '='))
		return false;
	o = opt_find(run_options, word + 2);
	for (const struct bench_entry *e = bench_registry; !o && e->name; e++)
		o = e->bench->opts ? opt_find(e->bench->opts, word + 2) : NULL;
	return o && o->type != OPT_BOOL;
}

int run_bench_word(int argc, char *const *argv, int from)
{
	for (int i = from; i < argc && strcmp(argv[i], "--"); i++) {
		if (argv[i][0] != '-')
			return i;
		if (run_word_takes_value(argv[i]))
			i++;
	}
	return -1;
}
