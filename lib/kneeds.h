/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a `faultbench vm` guest needs of its kernel's .config beyond booting:
 * the features the guest's topology and the options of its command line ask
 * for (--page=thp needs transparent huge pages, --event perf events, a guest
 * of several nodes NUMA, ...).  vm refuses a kernel lacking one before a
 * boot of minutes under TCG, instead of a benchmark failing in the guest
 * with "madvise: Invalid argument", which a bisection would take for the
 * commit's fault.
 */
#ifndef FB_KNEEDS_H
#define FB_KNEEDS_H

#include <stddef.h>

/* One kernel symbol the guest needs, and why (for the message). */
struct kneed {
	const char *sym; /* "CONFIG_TRANSPARENT_HUGEPAGE" */
	char *why;	 /* "--page=thp (transparent huge pages)", malloc'd */
};

/*
 * The needs of a guest of `nodes` NUMA nodes running the command argv
 * (faultbench's arguments, or with shell set one shell command line, split
 * at blanks) and, when ini is not NULL, a suite config's text.  Each symbol
 * once, in the order found; at most max.  Returns how many were written.
 */
size_t kneeds_find(int argc, const char *const *argv, int shell, const char *ini, unsigned nodes,
		   struct kneed *out, size_t max);
/*
 * The first need a .config text does not meet (not =y or =m), or NULL.  A
 * kernel without its .config is not judged: NULL.
 */
const struct kneed *kneeds_unmet(const char *config_text, const struct kneed *needs, size_t n);
void kneeds_free(struct kneed *needs, size_t n);

#endif
