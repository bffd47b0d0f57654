// SPDX-License-Identifier: GPL-2.0
/*
 * Every race reproducer faultbench stress knows: one line each, in the order
 * --help lists them.  stress/<name>.c defines `const struct stress_test
 * stress_<name>`; the list below declares it and puts it in the table.
 */
#include <string.h>

#include "stress.h"

#define STRESS_TESTS(X)                                                                            \
	X(invalidate)                                                                              \
	X(truncate)                                                                                \
	X(migrate)                                                                                 \
	X(zap_coherence)                                                                           \
	X(thp_split_dio)                                                                           \
	X(anon_vma)

#define STRESS_DECLARE(n) extern const struct stress_test stress_##n;
#define STRESS_ENTRY(n)	  &stress_##n,

STRESS_TESTS(STRESS_DECLARE)

const struct stress_test *const stress_registry[] = { STRESS_TESTS(STRESS_ENTRY) NULL };

const struct stress_test *stress_lookup(const char *name)
{
	const struct stress_test *const *t;

	for (t = stress_registry; *t; t++)
		if (!strcmp((*t)->name, name))
			return *t;
	return NULL;
}
