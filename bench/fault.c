// SPDX-License-Identifier: GPL-2.0
/*
 * The fault benchmark family: every worker touches one byte of each page of
 * its range, then zaps the range's page-table entries with MADV_DONTNEED so
 * the next pass faults again.  Options choose what backs the range (anonymous
 * memory, a tmpfs file, a file on a disk filesystem), how it is mapped and
 * touched, whether workers share the file's pages, THP and fault-around.
 * The presets nopage and pf1-pf4 (bench/registry.c) are fixed option sets.
 *
 * This file holds the options, the checks and the per-step setup and report;
 * bench/fault_worker.c holds what runs in the workers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "fault_priv.h"
#include "folio.h"
#include "fsfile.h"
#include "sysinfo.h"
#include "uffd.h"
#include "util.h"

#define P(field) offsetof(struct fault_params, field)

static const struct opt fault_options[] = {
	{ .name = "backing",
	  .type = OPT_ENUM,
	  .def = "anon",
	  .choices = "anon|tmpfs|file",
	  .help = "what backs the memory: anonymous memory, a tmpfs file (--tmpfs-dir) or a "
		  "file on a disk filesystem (--dir)",
	  .off = P(backing) },
	{ .name = "map",
	  .type = OPT_ENUM,
	  .def = "private",
	  .choices = "shared|private",
	  .help = "MAP_SHARED or MAP_PRIVATE (private write faults on a file are copy-on-write)",
	  .off = P(map) },
	{ .name = "touch",
	  .type = OPT_ENUM,
	  .def = "write",
	  .choices = "read|write",
	  .help = "touch each page with a load or a store (one byte per page)",
	  .off = P(touch) },
	{ .name = "sharing",
	  .type = OPT_ENUM,
	  .def = "own",
	  .choices = "same|disjoint|own",
	  .help = "same: every worker maps all pages of one file; disjoint: each its own slice "
		  "of one file; own: each its own file (anonymous memory is always own)",
	  .off = P(sharing) },
	{ .name = "size",
	  .type = OPT_SIZE,
	  .def = "64M",
	  .min = 4096,
	  .max = 64.0 * (1ULL << 30),
	  .help = "bytes each worker touches per pass (with --sharing=same: the file's size)",
	  .off = P(size) },
	{ .name = "page",
	  .type = OPT_ENUMSET,
	  .def = "default",
	  .choices = "default|4k|thp",
	  .help = "default: no madvise, as will-it-scale (the kernel's THP setting decides); "
		  "4k: MADV_NOHUGEPAGE; thp: MADV_HUGEPAGE on a 2 MiB aligned mapping (a "
		  "request: the result records what the kernel gave); a list runs each",
	  .off = P(page),
	  .matrix = true },
	{ .name = "fault-around",
	  .type = OPT_ENUMSET,
	  .def = "on",
	  .choices = "on|off",
	  .help = "off: register the mapping with userfaultfd (write-protect mode, nothing "
		  "protected) so that each read fault maps one page; on,off runs both",
	  .off = P(fault_around),
	  .matrix = true },
	{ .name = "file-state",
	  .type = OPT_ENUMSET,
	  .def = "sparse",
	  .choices = "sparse|filled",
	  .help = "sparse: the file is only sized (ftruncate) and the faults fill its page cache, "
		  "as will-it-scale does; filled: written (4 KiB writes, 2 MiB with thp) and "
		  "written back before the first fault, so its page-cache folios are 4 KiB "
		  "(2 MiB); sparse,filled runs both",
	  .off = P(file_state),
	  .matrix = true },
	{ .name = "zap",
	  .type = OPT_ENUMSET,
	  .def = "munmap",
	  .choices = "munmap|dontneed",
	  .help = "how a pass drops the range's pages: munmap and mmap it again (will-it-scale), "
		  "or MADV_DONTNEED on the one mapping; munmap,dontneed runs both",
	  .off = P(zap),
	  .matrix = true },
	{ .name = "tmpfs-dir",
	  .type = OPT_STR,
	  .def = "/dev/shm",
	  .help = "tmpfs mount for --backing=tmpfs (a huge=within_size mount gives shmem THP)",
	  .off = P(tmpfs_dir) },
	OPT_END
};

static int check_file_dir(const char *dir)
{
	return fsfile_need_disk(dir, FSFILE_NEAREST, FB_SKIP, "--backing=file",
				"give --dir on a disk filesystem, or use --backing=tmpfs", NULL);
}

static int check_tmpfs_dir(const char *dir)
{
	long type;
	int ret = fsfile_fs_type("tmpfs-dir", dir, 0, &type);

	if (!ret && type != (long)TMPFS_MAGIC)
		ret = fb_usage("option '--tmpfs-dir': '%s' is not a tmpfs mount", dir);
	return ret;
}

/* --fault-around=off must work for this memory here, or the step cannot be run. */
static int check_uffd(const struct fault_params *p, const char *dir)
{
	char why[256];
	int fd, ret;

	if (p->backing == BACKING_FILE && access(dir, W_OK))
		return FB_OK; /* not created yet: setup() probes again */
	/* shared anonymous memory is shmem: a memfd is the same kind */
	fd = p->backing == BACKING_ANON ? memfd_create("faultbench-probe", MFD_CLOEXEC)
					: fsfile_open_unnamed(dir);
	if (fd < 0 && p->backing == BACKING_ANON)
		fd = -errno;
	if (fd < 0)
		return fb_fail("cannot create a file in '%s': %s", dir ? dir : "memfd",
			       strerror(-fd));
	if (ftruncate(fd, page_size())) {
		ret =
		    fb_fail("cannot size a file in '%s': %s", dir ? dir : "memfd", strerror(errno));
		close(fd);
		return ret;
	}
	ret = uffd_probe(fault_uffd_mem(p), fd, why, sizeof(why));
	close(fd);
	if (ret)
		return fb_skip("--fault-around=off: %s", why);
	return FB_OK;
}

/*
 * --page=4k and thp are madvise() calls that a kernel without THP refuses
 * (EINVAL): say so here, not as a worker's failure.  thp_mode is the
 * selected value of sysfs's THP "enabled"; NULL: no THP in this kernel.
 */
int fault_check_page(unsigned page, const char *thp_mode)
{
	bool nohuge = page & (1u << PAGE_4K);

	if (!thp_mode && (page & ((1u << PAGE_4K) | (1u << PAGE_THP))))
		return fb_skip("--page=%s: this kernel has no transparent huge pages (no "
			       "/sys/kernel/mm/transparent_hugepage/enabled) and refuses "
			       "madvise(MADV_%sHUGEPAGE); its pages are all 4 KiB: use "
			       "--page=default",
			       nohuge ? "4k" : "thp", nohuge ? "NO" : "");
	if ((page & (1u << PAGE_THP)) && !strcmp(thp_mode, "never"))
		return fb_skip(
		    "--page=thp: /sys/kernel/mm/transparent_hugepage/enabled is [never]");
	return FB_OK;
}

static int check_page(unsigned page)
{
	char *thp = sysfs_selected_choice("/sys/kernel/mm/transparent_hugepage/enabled");
	int ret = fault_check_page(page, thp);

	free(thp);
	return ret;
}

static int check_combination(const struct fault_params *p)
{
	if (p->backing == BACKING_ANON && p->sharing != SHARING_OWN)
		return fb_usage(
		    "option '--sharing': '%s' needs a file to share; anonymous memory is "
		    "always 'own' (use --backing=tmpfs or --backing=file)",
		    p->sharing == SHARING_SAME ? "same" : "disjoint");
	if (!p->page || !p->fault_around || !p->file_state || !p->zap)
		return fb_usage("options '--page', '--fault-around', '--file-state' and '--zap' "
				"need a value");
	if (fault_around_off(p) && (fault_uffd_mem(p) == UFFD_MEM_ANON || p->touch == TOUCH_WRITE))
		return fb_usage("option '--fault-around': 'off' changes only read faults on file "
				"or shared mappings (private anonymous and write faults never "
				"fault around)");
	if (p->size % (unsigned long long)page_size())
		return fb_usage("option '--size': %llu is not a multiple of the page size (%ld)",
				p->size, page_size());
	if (fault_thp(p) && p->size % FAULT_PMD_SIZE)
		return fb_usage(
		    "option '--size': %llu is not a multiple of 2M, needed by --page=thp", p->size);
	return FB_OK;
}

/* The test-only per-page cost: refused when malformed, loudly on when set. */
static int check_test_cost(void)
{
	unsigned long ns = fault_test_cost_ns();

	if (ns == ULONG_MAX)
		return fb_usage("FB_TEST_FAULT_COST_NS: '%s' is not a number of nanoseconds "
				"from 0 to %lu",
				getenv("FB_TEST_FAULT_COST_NS"), FAULT_TEST_COST_MAX_NS);
	if (ns)
		fb_warn("FB_TEST_FAULT_COST_NS=%lu: a test-only cost of %lu ns of CPU time is "
			"added to every page touched (recorded in each step as test_fault_cost_ns)",
			ns, ns);
	if (fault_test_harness_madvise() < 0)
		return fb_usage("FB_TEST_HARNESS_MADVISE: '%s' is not 'nohugepage' or 'hugepage'",
				getenv("FB_TEST_HARNESS_MADVISE"));
	if (fault_test_harness_madvise())
		fb_warn("FB_TEST_HARNESS_MADVISE=%s: a test-only madvise() is added to every new "
			"mapping (recorded in each step as test_harness_madvise)",
			getenv("FB_TEST_HARNESS_MADVISE"));
	return FB_OK;
}

static int fault_check(const void *params, const struct run_opts *ro)
{
	const struct fault_params *p = params;
	const char *dir = ro->dir; /* decided by run_decide_dirs() */
	int ret;

	ret = check_combination(p);
	if (!ret)
		ret = check_test_cost();
	if (ret)
		return ret;
	if (p->backing == BACKING_TMPFS) {
		ret = check_tmpfs_dir(p->tmpfs_dir);
		if (ret)
			return ret;
	}
	if (p->backing == BACKING_FILE)
		ret = check_file_dir(dir);
	if (!ret)
		ret = check_page(p->page);
	if (!ret && fault_around_off(p))
		ret = check_uffd(p, p->backing == BACKING_TMPFS ? p->tmpfs_dir : dir);
	return ret;
}

static void step_file_dir(const struct step_ctx *sc, char *buf, size_t len)
{
	const struct fault_params *p = sc->params;

	snprintf(buf, len, "%s", p->backing == BACKING_TMPFS ? p->tmpfs_dir : sc->dir);
}

/* The one file all workers map (same) or slice (disjoint); the parent makes it. */
static int setup_shared_file(struct step_ctx *sc, struct fault_shared *sh)
{
	const struct fault_params *p = sc->params;
	unsigned long long total = p->size;
	int ret;

	if (p->sharing == SHARING_DISJOINT)
		total *= sc->nworkers;
	sh->fd = fsfile_open_unnamed(sh->dir);
	if (sh->fd < 0)
		return fb_fail("cannot create a file in '%s': %s", sh->dir, strerror(-sh->fd));
	if (ftruncate(sh->fd, (off_t)total))
		return fb_fail("cannot size a %llu-byte file in '%s': %s", total, sh->dir,
			       strerror(errno));
	/*
	 * disjoint: each worker fills its own slice after pinning, so the page
	 * cache is allocated on its node.  same: the parent fills it once.
	 * sparse: the first faults fill the page cache; with disjoint slices
	 * each worker's, with same the parent's one read pass.  Why not the
	 * workers' first touch: on a disk filesystem with large folios the
	 * readahead of those faults picks the folio sizes, and N workers
	 * reading one file at once share its readahead state, so the sizes
	 * (and the pages each fault maps) depended on how their starts
	 * interleaved: nopage on ext4 at 2 CPUs mapped 37.5 pages a fault in
	 * one run and 51.8 in the next (docs/selftest.md).  One sequential
	 * reader gives the same folios at every worker count and in every run.
	 */
	if (p->sharing == SHARING_SAME) {
		ret = fault_filled(p) ? fault_populate(sh->fd, 0, total, p)
				      : fault_read_once(sh->fd, total);
		if (ret == -EINTR)
			return 128 + fb_interrupted;
		if (ret)
			return fb_fail("cannot %s a %llu-byte file in '%s': %s",
				       fault_filled(p) ? "fill" : "read", total, sh->dir,
				       strerror(-ret));
	}
	return FB_OK;
}

static void fault_teardown(struct step_ctx *sc);

static int setup_files(struct step_ctx *sc, struct fault_shared *sh)
{
	const struct fault_params *p = sc->params;
	int ret;

	step_file_dir(sc, sh->dir, sizeof(sh->dir));
	if (p->backing == BACKING_FILE) {
		ret = check_file_dir(sh->dir);
		if (ret)
			return ret;
		ret = mkdir_p(sh->dir);
		if (ret)
			return fb_fail("cannot create '%s': %s", sh->dir, strerror(-ret));
		if (fault_around_off(p)) {
			ret = check_uffd(p, sh->dir);
			if (ret)
				return ret;
		}
	}
	if (p->sharing != SHARING_OWN)
		return setup_shared_file(sc, sh);
	return FB_OK;
}

static int fault_setup(struct step_ctx *sc)
{
	const struct fault_params *p = sc->params;
	struct fault_shared *sh;
	int ret;

	/* MAP_SHARED: worker processes report their folio findings through it. */
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return fb_fail("fault: mmap: %s", strerror(errno));
	memset(sh, 0, sizeof(*sh));
	sh->fd = -1;
	sh->folio_ret = -ENODATA;
	sc->shared = sh;
	if (p->backing == BACKING_ANON)
		return FB_OK;
	ret = setup_files(sc, sh);
	/* the runner calls teardown only after a successful setup */
	if (ret)
		fault_teardown(sc);
	return ret;
}

/* The share of the range the kernel really backed with PMD-size folios. */
static double thp_fraction(const struct folio_report *r)
{
	size_t pmd = r->anon_huge_bytes + r->shmem_pmd_bytes + r->file_pmd_bytes;
	size_t huge = r->kpageflags_read ? r->order_pages[9] * (size_t)page_size() : 0;

	if (!r->bytes)
		return 0;
	return (double)(pmd > huge ? pmd : huge) / (double)r->bytes;
}

static void report_thp(const struct fault_params *p, const struct fault_shared *sh, json_t *extra)
{
	static bool warned;
	char *thp_mode;
	double frac;

	json_object_set_new(extra, "thp_requested", json_boolean(fault_thp(p)));
	json_object_set_new(extra, "thp_advice", json_string(fault_advice_name(p)));
	thp_mode = sysfs_selected_choice("/sys/kernel/mm/transparent_hugepage/enabled");
	json_object_set_new(extra, "thp_enabled", thp_mode ? json_string(thp_mode) : json_null());
	free(thp_mode);
	if (sh->folio_ret) {
		json_object_set_new(extra, "thp_obtained", json_null());
		return;
	}
	frac = thp_fraction(&sh->folios);
	json_object_set_new(extra, "thp_obtained", json_boolean(frac > 0));
	json_object_set_new(extra, "thp_fraction", json_real(frac));
	if (warned)
		return;
	if (fault_nohuge(p) && frac > 0) {
		warned = true;
		fb_warn("--page=4k requested, but the kernel backed %.0f%% of the range with huge "
			"pages (%s)",
			100 * frac,
			p->backing == BACKING_FILE && !fault_filled(p)
			    ? "the sparse file's readahead chose them, as for will-it-scale; "
			      "--file-state=filled gives 4 KiB folios"
			    : "a tmpfs huge= mount?");
	} else if (fault_thp(p) && frac == 0) {
		warned = true;
		fb_warn("--page=thp requested, but the kernel gave no huge pages%s",
			p->backing == BACKING_TMPFS || p->map == MAP_KIND_SHARED
			    ? " (tmpfs: see /sys/kernel/mm/transparent_hugepage/shmem_enabled "
			      "or use a huge=within_size mount as --tmpfs-dir)"
			    : "");
	} else if (fault_thp(p) && frac < 0.9) {
		warned = true;
		fb_warn("--page=thp requested, but only %.0f%% of the range is in huge pages",
			100 * frac);
	}
}

static void fault_report(struct step_ctx *sc)
{
	const struct fault_params *p = sc->params;
	const struct fault_shared *sh = sc->shared;
	json_t *folios;

	if (!sc->extra || !sh)
		return;
	json_object_set_new(sc->extra, "fault_around",
			    json_string(fault_around_off(p) ? "off (userfaultfd wp)" : "on"));
	if (p->backing != BACKING_ANON)
		json_object_set_new(sc->extra, "file_dir", json_string(sh->dir));
	if (sh->folio_ret) {
		folios = json_object();
		json_object_set_new(folios, "error", json_string(strerror(-sh->folio_ret)));
	} else {
		folios = folio_report_json(&sh->folios);
	}
	json_object_set_new(sc->extra, "folios", folios);
	report_thp(p, sh, sc->extra);
	if (fault_test_cost_ns())
		json_object_set_new(sc->extra, "test_fault_cost_ns",
				    json_integer((json_int_t)fault_test_cost_ns()));
	if (fault_test_harness_madvise() > 0)
		json_object_set_new(sc->extra, "test_harness_madvise",
				    json_string(getenv("FB_TEST_HARNESS_MADVISE")));
}

static void fault_teardown(struct step_ctx *sc)
{
	struct fault_shared *sh = sc->shared;

	if (!sh)
		return;
	if (sh->fd >= 0)
		close(sh->fd);
	munmap(sh, sizeof(*sh));
	sc->shared = NULL;
}

/*
 * Memory a step needs: every worker's own range (own, disjoint, anonymous),
 * or the one shared file plus, for private write mappings, each worker's
 * copies of it.  THP rounds each range up to a huge page.
 */
static unsigned long long fault_mem_need(const void *params, unsigned nworkers)
{
	const struct fault_params *p = params;
	unsigned long long range = (p->size + FAULT_PMD_SIZE - 1) / FAULT_PMD_SIZE * FAULT_PMD_SIZE;

	if (p->sharing != SHARING_SAME || p->backing == BACKING_ANON)
		return range * nworkers;
	if (p->map == MAP_KIND_PRIVATE && p->touch == TOUCH_WRITE)
		return range * (nworkers + 1ULL);
	return range;
}

/* The tmpfs or disk files: one shared file, slices of one, or one per worker. */
static unsigned long long fault_fs_need(const void *params, const char *rundir, unsigned nworkers,
					const char **dir)
{
	const struct fault_params *p = params;

	if (p->backing == BACKING_ANON)
		return 0;
	*dir = p->backing == BACKING_TMPFS ? p->tmpfs_dir : rundir;
	return p->sharing == SHARING_SAME ? p->size : p->size * nworkers;
}

const struct bench bench_fault = {
	.name = "fault",
	.summary = "page-fault scalability: touch every page of a range, zap, repeat",
	.opts = fault_options,
	.params_size = sizeof(struct fault_params),
	.counters = { "pages", "passes" },
	.check = fault_check,
	.mem_need = fault_mem_need,
	.fs_need = fault_fs_need,
	.setup = fault_setup,
	.worker_init = fault_worker_init,
	.worker_loop = fault_worker_loop,
	.worker_fini = fault_worker_fini,
	.report = fault_report,
	.teardown = fault_teardown,
};
