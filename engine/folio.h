/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What really backed a mapping: huge and large folios.  A request for THP is a
 * hint; results must say what the kernel gave, not what was asked for.
 */
#ifndef FB_FOLIO_H
#define FB_FOLIO_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <jansson.h>

struct folio_report {
	size_t bytes;		/* length of the range inspected */
	size_t resident_bytes;	/* Rss of the VMA(s) covering it */
	size_t anon_huge_bytes; /* smaps AnonHugePages */
	size_t shmem_pmd_bytes; /* smaps ShmemPmdMapped */
	size_t file_pmd_bytes;	/* smaps FilePmdMapped */
	bool kpageflags_read;	/* true when pagemap + kpageflags were readable (root) */
	size_t thp_pages;	/* base pages with KPF_THP set */
	size_t compound_pages;	/* base pages in any compound page (KPF_HEAD/KPF_TAIL) */
	/* histogram of folio orders 0..9 found through kpageflags (base-page counts) */
	size_t order_pages[10];
};

/*
 * Inspect [addr, addr + len) of the calling process: smaps fields of the VMAs
 * covering the range and, if readable, per-page flags.  Pages must be present
 * (touched) for kpageflags to say anything.  Returns 0 or -errno.
 */
int folio_inspect(const void *addr, size_t len, struct folio_report *r);
/* The smaps fields of the VMAs overlapping [start, end) summed into r; text cut in place. */
void folio_parse_smaps(char *text, uintptr_t start, uintptr_t end, struct folio_report *r);
json_t *folio_report_json(const struct folio_report *r);
/* "4k", "thp (100%)", "mixed: 62% in 2M folios" — for the table. */
const char *folio_describe(const struct folio_report *r, char *buf, size_t len);

#endif
