// SPDX-License-Identifier: GPL-2.0
/*
 * What really backed a mapping after a benchmark touched it.
 *
 * MADV_HUGEPAGE or a THP-enabled tmpfs is only a request: under fragmentation
 * or with defrag off the kernel quietly falls back to 4k pages, and a "THP"
 * result that was in fact measured on 4k pages is worse than no result.  Two
 * sources are used:
 *  - /proc/self/smaps (always readable): Rss and the PMD-mapped counters of
 *    the VMAs covering the range.  It cannot see mTHP (PTE-mapped large folios).
 *  - /proc/self/pagemap + /proc/kpageflags (root only: PFNs are hidden from
 *    others): per-page compound flags, from which the folio order of every
 *    present page follows, mTHP included.
 * Ranges can be GiBs, so pagemap and kpageflags are read in batches with
 * pread() of arrays, never one syscall per page, and in constant memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "folio.h"
#include "util.h"

#define PM_PRESENT  (1ULL << 63)
#define PM_PFN_MASK ((1ULL << 55) - 1)

/* include/uapi/linux/kernel-page-flags.h */
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_THP		  22

#define PM_BATCH       4096 /* pagemap entries per pread: 32 KiB, 16 MiB of address space */
#define KPF_WINDOW     1024 /* kpageflags entries per pread when PFNs are near each other */
#define MAX_ORDER_SEEN 9

struct page_info {
	uint64_t pfn; /* 0 when not present */
	uint64_t flags;
};

/* Sum one "Name:   123 kB" smaps line into *acc if it is that field. */
static void smaps_field(const char *line, const char *name, size_t *acc)
{
	size_t n = strlen(name);
	unsigned long long kb;

	if (!strncmp(line, name, n) && line[n] == ':' && sscanf(line + n + 1, "%llu", &kb) == 1)
		*acc += (size_t)kb * 1024;
}

void folio_parse_smaps(char *text, uintptr_t start, uintptr_t end, struct folio_report *r)
{
	char *line, *save = NULL;
	bool inside = false;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long lo, hi;
		int consumed = 0;

		/* VMA header: "lo-hi perms offset dev inode [path]" */
		if (sscanf(line, "%lx-%lx %*s%n", &lo, &hi, &consumed) == 2 && consumed) {
			inside = lo < end && hi > start;
			continue;
		}
		if (!inside)
			continue;
		smaps_field(line, "Rss", &r->resident_bytes);
		smaps_field(line, "AnonHugePages", &r->anon_huge_bytes);
		smaps_field(line, "ShmemPmdMapped", &r->shmem_pmd_bytes);
		smaps_field(line, "FilePmdMapped", &r->file_pmd_bytes);
	}
}

static int read_smaps(uintptr_t start, uintptr_t end, struct folio_report *r)
{
	char *text = read_text_file("/proc/self/smaps");

	if (!text)
		return errno ? -errno : -EIO;
	folio_parse_smaps(text, start, end, r);
	free(text);
	return 0;
}

static int cmp_page_by_pfn(const void *a, const void *b)
{
	uint64_t x = (*(struct page_info *const *)a)->pfn, y = (*(struct page_info *const *)b)->pfn;

	return (x > y) - (x < y);
}

/*
 * Flags of the PFNs in pages[0..n).  The present pages are sorted by PFN and
 * each cluster of PFNs within KPF_WINDOW of its first is fetched with one
 * pread: a THP is 512 consecutive PFNs, and fresh 4k pages mostly come from
 * nearby PFNs too, though rarely in virtual-address order.
 */
static int read_kpageflags(int fd, struct page_info *pages, size_t n, uint64_t *win,
			   struct page_info **order)
{
	size_t m = 0, i = 0;

	for (size_t k = 0; k < n; k++)
		if (pages[k].pfn)
			order[m++] = &pages[k];
	qsort(order, m, sizeof(*order), cmp_page_by_pfn);
	while (i < m) {
		uint64_t lo = order[i]->pfn, hi = lo;
		size_t j;
		ssize_t got;

		for (j = i + 1; j < m && order[j]->pfn - lo < KPF_WINDOW; j++)
			hi = order[j]->pfn;
		got = pread(fd, win, (hi - lo + 1) * sizeof(*win), (off_t)(lo * sizeof(*win)));
		if (got < 0)
			return -errno;
		for (; i < j; i++) {
			uint64_t idx = order[i]->pfn - lo;

			if ((idx + 1) * sizeof(*win) <= (uint64_t)got)
				order[i]->flags = win[idx];
		}
	}
	return 0;
}

static unsigned order_of(size_t npages)
{
	unsigned order = 0;

	while (npages > 1 && order < MAX_ORDER_SEEN) {
		npages >>= 1;
		order++;
	}
	return order;
}

#define KPF_HEAD_BIT (1ULL << KPF_COMPOUND_HEAD)
#define KPF_TAIL_BIT (1ULL << KPF_COMPOUND_TAIL)
#define FOLIO_SCAN   (1UL << MAX_ORDER_SEEN) /* orders are clamped at 9: look no further */

/* Compound tails before pfn up to and including their head (0 if none in reach). */
static size_t pages_before_in_folio(int kpf, uint64_t pfn, uint64_t *win)
{
	uint64_t lo = pfn > FOLIO_SCAN ? pfn - FOLIO_SCAN : 0;
	ssize_t got = pread(kpf, win, (pfn - lo) * sizeof(*win), (off_t)(lo * sizeof(*win)));
	size_t k, n = got > 0 ? got / sizeof(*win) : 0;

	for (k = n; k > 0; k--) {
		if (win[k - 1] & KPF_HEAD_BIT)
			return n - k + 1;
		if (!(win[k - 1] & KPF_TAIL_BIT))
			return 0;
	}
	return n; /* head further back still: the folio is past order 9 anyway */
}

/* Compound tails right after pfn, i.e. the rest of its folio beyond the range. */
static size_t pages_after_in_folio(int kpf, uint64_t pfn, uint64_t *win)
{
	ssize_t got = pread(kpf, win, FOLIO_SCAN * sizeof(*win), (off_t)((pfn + 1) * sizeof(*win)));
	size_t k, n = got > 0 ? got / sizeof(*win) : 0;

	for (k = 0; k < n && (win[k] & KPF_TAIL_BIT); k++)
		;
	return k;
}

/*
 * Folios in virtual order: a head and the tails that follow it with
 * consecutive PFNs form one folio.  Where a folio is only partly mapped in the
 * range (the range starts or ends inside it, or part of it was zapped and
 * refaulted), the part outside is found in PFN space through kpageflags, so
 * that the order is the folio's real one.  That costs a pread only at such
 * edges; a fully mapped THP needs none.
 */
static void count_folios(int kpf, const struct page_info *pages, size_t n, uint64_t *win,
			 struct folio_report *r)
{
	size_t i = 0;

	while (i < n) {
		uint64_t f = pages[i].flags, last;
		size_t run = 1, folio;

		if (!pages[i].pfn) {
			i++;
			continue;
		}
		if (!(f & (KPF_HEAD_BIT | KPF_TAIL_BIT))) {
			r->order_pages[0]++;
			i++;
			continue;
		}
		while (i + run < n && pages[i + run].pfn == pages[i].pfn + run &&
		       (pages[i + run].flags & KPF_TAIL_BIT))
			run++;
		for (size_t k = i; k < i + run; k++)
			if (pages[k].flags & (1ULL << KPF_THP))
				r->thp_pages++;
		r->compound_pages += run;
		folio = run;
		if (!(f & KPF_HEAD_BIT))
			folio += pages_before_in_folio(kpf, pages[i].pfn, win);
		last = pages[i].pfn + run - 1;
		/* the next page in the range, when it follows in PFN space, is not a tail */
		if (folio < FOLIO_SCAN && (i + run == n || pages[i + run].pfn != last + 1))
			folio += pages_after_in_folio(kpf, last, win);
		r->order_pages[order_of(folio)] += run;
		i += run;
	}
}

/* Forget partial per-page counts: "unknown" must not look like "none". */
static void clear_page_counts(struct folio_report *r)
{
	r->kpageflags_read = false;
	r->thp_pages = 0;
	r->compound_pages = 0;
	memset(r->order_pages, 0, sizeof(r->order_pages));
}

/*
 * pagemap + kpageflags for [start, end), PM_BATCH pages at a time so memory
 * stays constant however large the range.  A folio cut by a batch boundary is
 * handled like one cut by the range's ends: each part finds the folio's full
 * size in PFN space, so its order comes out right.
 */
static void read_page_flags(uintptr_t start, uintptr_t end, long ps, struct folio_report *r)
{
	int pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	int kpf = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	size_t npages = (end - start) / ps, done = 0;
	uint64_t *buf = NULL, *win = NULL;
	struct page_info *pages = NULL, **order = NULL;
	bool any_pfn = false, ok = false;

	if (pm < 0 || kpf < 0)
		goto out;
	pages = xmalloc(PM_BATCH * sizeof(*pages));
	order = xmalloc(PM_BATCH * sizeof(*order));
	buf = xmalloc(PM_BATCH * sizeof(*buf));
	/* big enough for both the batched reads and the folio-edge scans */
	win = xmalloc((KPF_WINDOW > FOLIO_SCAN ? KPF_WINDOW : FOLIO_SCAN) * sizeof(*win));
	while (done < npages) {
		size_t want = npages - done < PM_BATCH ? npages - done : PM_BATCH;
		off_t off = (off_t)((start / ps + done) * sizeof(*buf));
		ssize_t got = pread(pm, buf, want * sizeof(*buf), off);
		size_t k, n;

		if (got <= 0)
			goto out;
		n = got / sizeof(*buf);
		for (k = 0; k < n; k++) {
			pages[k].pfn = (buf[k] & PM_PRESENT) ? buf[k] & PM_PFN_MASK : 0;
			pages[k].flags = 0;
			any_pfn |= pages[k].pfn != 0;
		}
		if (read_kpageflags(kpf, pages, n, win, order))
			goto out;
		count_folios(kpf, pages, n, win, r);
		done += n;
	}
	/* Without CAP_SYS_ADMIN every PFN reads as 0: then we learnt nothing. */
	ok = any_pfn;
out:
	if (ok)
		r->kpageflags_read = true;
	else
		clear_page_counts(r);
	free(pages);
	free(order);
	free(buf);
	free(win);
	if (pm >= 0)
		close(pm);
	if (kpf >= 0)
		close(kpf);
}

int folio_inspect(const void *addr, size_t len, struct folio_report *r)
{
	long ps = page_size();
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(ps - 1);
	uintptr_t end;
	int ret;

	memset(r, 0, sizeof(*r));
	r->bytes = len;
	if (!len)
		return 0;
	if ((uintptr_t)addr + len < (uintptr_t)addr)
		return -EINVAL;
	end = ((uintptr_t)addr + len + ps - 1) & ~(uintptr_t)(ps - 1);
	ret = read_smaps(start, end, r);
	if (ret)
		return ret;
	read_page_flags(start, end, ps, r);
	return 0;
}

json_t *folio_report_json(const struct folio_report *r)
{
	json_t *o = json_object(), *orders = json_object();
	char desc[128];

	json_object_set_new(o, "bytes", json_integer(r->bytes));
	json_object_set_new(o, "resident_bytes", json_integer(r->resident_bytes));
	json_object_set_new(o, "anon_huge_bytes", json_integer(r->anon_huge_bytes));
	json_object_set_new(o, "shmem_pmd_bytes", json_integer(r->shmem_pmd_bytes));
	json_object_set_new(o, "file_pmd_bytes", json_integer(r->file_pmd_bytes));
	json_object_set_new(o, "kpageflags_read", json_boolean(r->kpageflags_read));
	if (r->kpageflags_read) {
		json_object_set_new(o, "thp_pages", json_integer(r->thp_pages));
		json_object_set_new(o, "compound_pages", json_integer(r->compound_pages));
		for (unsigned i = 0; i <= MAX_ORDER_SEEN; i++) {
			char key[4];

			if (!r->order_pages[i])
				continue;
			snprintf(key, sizeof(key), "%u", i);
			json_object_set_new(orders, key, json_integer(r->order_pages[i]));
		}
		json_object_set_new(o, "order_pages", orders);
	} else {
		/* unknown is not zero: say so rather than record zeros */
		json_decref(orders);
		json_object_set_new(o, "thp_pages", json_null());
		json_object_set_new(o, "compound_pages", json_null());
		json_object_set_new(o, "order_pages", json_null());
	}
	json_object_set_new(o, "description", json_string(folio_describe(r, desc, sizeof(desc))));
	return o;
}

/* "62%"; "<1%" and ">99%" so that a little is never shown as none or all. */
static void fmt_pct(char *buf, size_t len, size_t part, size_t whole)
{
	double pct = whole ? 100.0 * part / whole : 0;

	if (part && pct < 0.5)
		snprintf(buf, len, "<1%%");
	else if (part < whole && pct >= 99.5)
		snprintf(buf, len, ">99%%");
	else
		snprintf(buf, len, "%.0f%%", pct);
}

static const char *describe_from_flags(const struct folio_report *r, char *buf, size_t len)
{
	size_t total = 0, large = 0;
	char pct[8];
	int pos;

	for (unsigned i = 0; i <= MAX_ORDER_SEEN; i++)
		total += r->order_pages[i];
	large = total - r->order_pages[0];
	if (!total) {
		snprintf(buf, len, "not resident");
		return buf;
	}
	if (!large) {
		snprintf(buf, len, "4k");
		return buf;
	}
	if (r->order_pages[MAX_ORDER_SEEN] == total) {
		snprintf(buf, len, "thp 100%%");
		return buf;
	}
	fmt_pct(pct, sizeof(pct), large, total);
	pos = snprintf(buf, len, "mixed: %s in large folios (orders:", pct);
	for (int i = MAX_ORDER_SEEN; i >= 1 && pos > 0 && (size_t)pos < len; i--) {
		if (!r->order_pages[i])
			continue;
		fmt_pct(pct, sizeof(pct), r->order_pages[i], total);
		pos += snprintf(buf + pos, len - pos, "%s%d:%s", buf[pos - 1] == ':' ? " " : ", ",
				i, pct);
	}
	if (pos > 0 && (size_t)pos < len)
		snprintf(buf + pos, len - pos, ")");
	return buf;
}

/* Without kpageflags only PMD mappings are visible: never claim "4k" then. */
static const char *describe_from_smaps(const struct folio_report *r, char *buf, size_t len)
{
	size_t pmd = r->anon_huge_bytes + r->shmem_pmd_bytes + r->file_pmd_bytes;
	char pct[8];

	if (!r->resident_bytes) {
		snprintf(buf, len, "not resident");
	} else if (!pmd) {
		snprintf(buf, len, "no PMD THP");
	} else if (pmd >= r->resident_bytes) {
		snprintf(buf, len, "thp 100%%");
	} else {
		fmt_pct(pct, sizeof(pct), pmd, r->resident_bytes);
		snprintf(buf, len, "mixed: %s PMD-mapped", pct);
	}
	return buf;
}

const char *folio_describe(const struct folio_report *r, char *buf, size_t len)
{
	if (!buf || !len)
		return "";
	if (r->kpageflags_read)
		return describe_from_flags(r, buf, len);
	return describe_from_smaps(r, buf, len);
}
