// SPDX-License-Identifier: GPL-2.0
/*
 * The dio benchmark: the cost of pinning user buffers for direct I/O, on
 * 4 KiB pages versus huge pages.  In 2011 get_page() on a THP tail page took a
 * per-huge-page compound lock for every page of every O_DIRECT transfer; today
 * the same path pins folios with FOLL_PIN (refcount plus pincount on the large
 * folio).  With --sharing=shared every worker's buffer lies in the same huge
 * page, so every pin of every worker hits one folio's counters.
 *
 * Drivers of the pinning (each report says which ran):
 *   file              O_DIRECT pread/pwrite (or io_uring, queue depth 1, buffers
 *                     not registered, so each I/O pins afresh) against a file on
 *                     a disk filesystem.  Not tmpfs: O_DIRECT there copies
 *                     through the page cache and pins nothing.
 *   process_vm_readv  copy from a helper process's memory: the kernel pins the
 *                     helper's pages (pin_user_pages_remote), no disk involved
 *   vmsplice          splice the buffer into a pipe (which takes page
 *                     references, FOLL_GET) and drain it into /dev/null
 *
 * Pitfalls this file guards against: a THP request the kernel did not honour
 * (what backed every buffer is inspected and recorded, and a warning printed);
 * a disk that is slower than pinning (use a GUP driver); nr_foll_pin_acquired
 * is system-wide (so it is divided by our own I/O count and labelled as such).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "folio.h"
#include "fsfile.h"
#include "pattern.h"
#include "sysinfo.h"
#include "util.h"

#define HUGE_SZ (2UL << 20) /* PMD size on x86-64 and 4k-page arm64; hugetlb default */
#define MiB	(1024.0 * 1024.0)

enum dio_buffer { BUF_4K, BUF_THP, BUF_HUGETLB };
enum dio_sharing { SHARE_OWN, SHARE_SHARED };
enum dio_op { OP_READ, OP_WRITE };
enum dio_engine { ENGINE_PREAD, ENGINE_IO_URING };
enum dio_driver { DRV_FILE, DRV_PVR, DRV_VMSPLICE };

struct dio_params {
	unsigned buffer;  /* OPT_ENUMSET, matrix: one bit per variant */
	unsigned sharing; /* OPT_ENUMSET, matrix */
	unsigned long long io_size;
	int op;
	int engine;
	int driver;
	unsigned long long file_size;
};

#define P(field) offsetof(struct dio_params, field)

static const struct opt dio_options[] = {
	{ .name = "buffer",
	  .type = OPT_ENUMSET,
	  .def = "4k,thp",
	  .choices = "4k|thp|hugetlb",
	  .matrix = true,
	  .help = "what backs the I/O buffers: 4k (MADV_NOHUGEPAGE), thp (2 MiB aligned, "
		  "MADV_HUGEPAGE; what was obtained is recorded), hugetlb (needs "
		  "/proc/sys/vm/nr_hugepages > 0). Several: one variant each, ratios to the first",
	  .off = P(buffer) },
	{ .name = "sharing",
	  .type = OPT_ENUMSET,
	  .def = "own",
	  .choices = "own|shared",
	  .matrix = true,
	  .help = "own: each worker its own buffer (own huge page); shared: worker i's buffer "
		  "starts i x 4 KiB into ONE huge page, so every pin hits one folio (threads, or "
		  "any mode with process_vm_readv)",
	  .off = P(sharing) },
	{ .name = "io-size",
	  .type = OPT_SIZE,
	  .def = "1M",
	  .min = 4096,
	  .max = 16.0 * (1 << 20),
	  .help = "bytes per I/O (4k to 16M, a multiple of 4k)",
	  .off = P(io_size) },
	{ .name = "op",
	  .type = OPT_ENUM,
	  .def = "read",
	  .choices = "read|write",
	  .help = "file driver: O_DIRECT reads into the buffer or writes from it",
	  .off = P(op) },
	{ .name = "engine",
	  .type = OPT_ENUM,
	  .def = "pread",
	  .choices = "pread|io_uring",
	  .help = "file driver: pread/pwrite, or io_uring at queue depth 1 with unregistered "
		  "buffers (pinned per I/O)",
	  .off = P(engine) },
	{ .name = "driver",
	  .type = OPT_ENUM,
	  .def = "file",
	  .choices = "file|process_vm_readv|vmsplice",
	  .help = "file: O_DIRECT on a disk file (--dir); process_vm_readv: copy from a helper "
		  "process's buffer (its pages are pinned); vmsplice: splice the buffer into "
		  "a pipe (page references) and drain it to /dev/null. The last two use no disk",
	  .off = P(driver) },
	{ .name = "file-size",
	  .type = OPT_SIZE,
	  .def = "256M",
	  .min = 4096,
	  .max = 64.0 * (1ULL << 30),
	  .help = "size of the data file the file driver reads (created per run, unlinked at "
		  "once, filled with real data)",
	  .off = P(file_size) },
	OPT_END
};

static const char *const buffer_name[] = { "4k", "thp", "hugetlb" };
static const char *const driver_name[] = { "file", "process_vm_readv", "vmsplice" };

/* Index of the lowest bit set: the one value of a matrix option in a variant. */
static int only_bit(unsigned mask)
{
	return mask ? __builtin_ctz(mask) : 0;
}

/* ------------------------------------------------------------- checks */

static int check_disk_dir(const char *dir)
{
	return fsfile_need_disk(dir, FSFILE_NEAREST, FB_SKIP, "dio --driver=file",
				"O_DIRECT there copies through the page cache and pins no user "
				"page (no GUP): give --dir on a disk filesystem, or use "
				"--driver=process_vm_readv or vmsplice",
				NULL);
}

static long long read_long(const char *path)
{
	char *s = read_first_line(path);
	long long v = s ? atoll(s) : -1;

	free(s);
	return v;
}

static int check_buffers(const struct dio_params *p)
{
	char *thp;
	bool never;

	if ((p->buffer & (1u << BUF_HUGETLB)) && read_long("/proc/sys/vm/nr_hugepages") <= 0)
		return fb_skip(
		    "--buffer=hugetlb: /proc/sys/vm/nr_hugepages is 0 and faultbench does "
		    "not change system settings; reserve pages first (e.g. sysctl "
		    "vm.nr_hugepages=64) or leave hugetlb out of --buffer");
	if (p->buffer & (1u << BUF_THP)) {
		thp = sysfs_selected_choice("/sys/kernel/mm/transparent_hugepage/enabled");
		never = thp && !strcmp(thp, "never");
		free(thp);
		if (never)
			return fb_skip(
			    "--buffer=thp: /sys/kernel/mm/transparent_hugepage/enabled is "
			    "[never]");
	}
	return FB_OK;
}

static int check_io_uring(void)
{
	struct io_uring ring;
	int ret = io_uring_queue_init(4, &ring, 0);

	if (ret < 0)
		return fb_skip("--engine=io_uring: io_uring_queue_init: %s (disabled by "
			       "/proc/sys/kernel/io_uring_disabled or a seccomp filter?)",
			       strerror(-ret));
	io_uring_queue_exit(&ring);
	return FB_OK;
}

static int dio_check(const void *params, const struct run_opts *ro)
{
	const struct dio_params *p = params;
	int ret;

	if (p->io_size % 4096)
		return fb_usage("option '--io-size': %llu is not a multiple of 4k", p->io_size);
	if ((p->sharing & (1u << SHARE_SHARED)) && p->io_size > HUGE_SZ)
		return fb_usage(
		    "option '--io-size': --sharing=shared puts every buffer in one 2 MiB "
		    "huge page, so an I/O can be at most 2M (got %llu)",
		    p->io_size);
	/* process_vm_readv's shared page is the helper's, which processes can read too. */
	if ((p->sharing & (1u << SHARE_SHARED)) && ro->mode == MODE_PROCESSES &&
	    p->driver != DRV_PVR)
		return fb_usage("option '--sharing': 'shared' needs --mode=threads (or "
				"--driver=process_vm_readv): worker processes cannot share one "
				"anonymous huge page");
	if (p->driver != DRV_FILE && (p->engine != ENGINE_PREAD || p->op != OP_READ))
		return fb_usage("options '--engine' and '--op' apply to --driver=file only");
	ret = check_buffers(p);
	if (ret || p->driver != DRV_FILE)
		return ret;
	if (p->file_size < p->io_size)
		return fb_usage("option '--file-size': %llu is smaller than --io-size %llu",
				p->file_size, p->io_size);
	ret = check_disk_dir(ro->dir); /* decided by run_decide_dirs() */
	if (!ret && p->engine == ENGINE_IO_URING)
		ret = check_io_uring();
	return ret;
}

/* ------------------------------------------------------------- buffers */

/*
 * Allocate and touch a buffer of at least len bytes of one kind.  *map and
 * *maplen are what to munmap.  0 or -errno.
 */
static int buffer_alloc(enum dio_buffer kind, size_t len, char **buf, void **map, size_t *maplen)
{
	size_t ps = (size_t)page_size(), sz;
	char *p;

	if (kind == BUF_4K) {
		sz = (len + ps - 1) / ps * ps;
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		madvise(p, sz, MADV_NOHUGEPAGE);
		*map = *buf = p;
		*maplen = sz;
	} else if (kind == BUF_HUGETLB) {
		sz = (len + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
		p = mmap(NULL, sz, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		*map = *buf = p;
		*maplen = sz;
	} else {
		/* THP needs a 2 MiB aligned range: over-allocate and align inside. */
		sz = (len + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
		p = mmap(NULL, sz + HUGE_SZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
		if (p == MAP_FAILED)
			return -errno;
		*map = p;
		*maplen = sz + HUGE_SZ;
		*buf = (char *)(((uintptr_t)p + HUGE_SZ - 1) & ~(uintptr_t)(HUGE_SZ - 1));
		madvise(*buf, sz, MADV_HUGEPAGE);
	}
	/* Touch every byte: the pages exist before the clock starts. */
	memset(*buf, 0x5a, sz);
	return 0;
}

/* Where worker id's buffer starts in a shared huge page: id x 4 KiB, wrapping. */
static size_t shared_slot(unsigned id, size_t io_size)
{
	size_t room = HUGE_SZ - io_size + 4096;

	return ((size_t)id * 4096) % room;
}

/* ------------------------------------------------------------- step state */

/* Shared with worker processes (MAP_SHARED). */
struct dio_shared {
	int fd; /* the data file, O_DIRECT */
	char dir[1024];
	long fstype;
	/* --sharing=shared: the one huge page (threads only) */
	char *shared_buf;
	void *shared_map;
	size_t shared_maplen;
	/* process_vm_readv: the helper and its memory */
	pid_t helper;
	int helper_pipe; /* write end; closing it ends the helper */
	char *helper_buf;
	size_t helper_slot;
	volatile int helper_state; /* 0 starting, 1 ready, -errno failed */
	struct folio_report helper_folios;
	int helper_folio_ret;
	/* vmstat */
	long long pins_before;
	/* per worker, up to nworkers */
	unsigned n;
	struct dio_worker_report {
		struct folio_report start, end;
		int folio_ret;
		uint64_t ios;
	} w[];
};

/* The data file: made once per run and reused by every step, closed at exit (unlinked). */
static struct {
	char dir[1024];
	unsigned long long size;
	int fd;
} data_file = { .fd = -1 };

static size_t shared_bytes(unsigned n)
{
	return sizeof(struct dio_shared) + n * sizeof(struct dio_worker_report);
}

static long long vmstat_value(const char *name)
{
	char *s = read_text_file("/proc/vmstat"), *p;
	size_t n = strlen(name);
	long long v = -1;

	for (p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ') {
			v = atoll(p + n + 1);
			break;
		}
	free(s);
	return v;
}

/* Fill the file with real (pattern) data, on disk, out of the page cache. */
static int populate(int fd, unsigned long long size)
{
	const size_t chunk = 1 << 20;
	unsigned long long off;
	char *buf = xmalloc(chunk);
	int ret = 0;

	for (off = 0; off < size && !ret; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;

		pattern_fill_range(buf, n, off, 1, 0x64696f);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			ret = errno ? -errno : -EIO;
	}
	free(buf);
	if (!ret && fdatasync(fd))
		ret = -errno;
	/* O_DIRECT does not read the page cache, but cached pages would be invalidated mid-run. */
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return ret;
}

static int data_file_get(const char *dir, unsigned long long size, int *fd_out)
{
	char path[64];
	int fd, dfd, ret;

	if (data_file.fd >= 0 && data_file.size == size && !strcmp(data_file.dir, dir)) {
		*fd_out = data_file.fd;
		return 0;
	}
	if (data_file.fd >= 0)
		close(data_file.fd);
	data_file.fd = -1;
	fd = fsfile_open_unnamed(dir);
	if (fd < 0)
		return fd;
	ret = populate(fd, size);
	if (ret) {
		close(fd);
		return ret;
	}
	/* The same (unnamed) file again, with O_DIRECT. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	ret = dfd < 0 ? -errno : 0;
	close(fd);
	if (ret)
		return ret;
	snprintf(data_file.dir, sizeof(data_file.dir), "%s", dir);
	data_file.size = size;
	data_file.fd = dfd;
	*fd_out = dfd;
	return 0;
}

/* The helper process of --driver=process_vm_readv: owns the memory the kernel pins. */
static void helper_main(struct dio_shared *sh, const struct dio_params *p, unsigned n, int rfd)
{
	enum dio_buffer kind = only_bit(p->buffer);
	bool shared = only_bit(p->sharing) == SHARE_SHARED;
	size_t slot = kind == BUF_4K ? p->io_size : (p->io_size + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
	size_t len = shared ? HUGE_SZ : slot * n, maplen;
	char c, *buf;
	void *map;
	int ret;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/*
	 * With --mode=processes the workers are this helper's siblings, which
	 * Yama (ptrace_scope 1) refuses process_vm_readv unless allowed here.
	 */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY);
	ret = buffer_alloc(kind, len, &buf, &map, &maplen);
	if (ret) {
		sh->helper_state = ret;
		_exit(1);
	}
	sh->helper_folio_ret = folio_inspect(buf, len, &sh->helper_folios);
	sh->helper_buf = buf;
	sh->helper_slot = shared ? 0 : slot;
	__atomic_store_n(&sh->helper_state, 1, __ATOMIC_RELEASE);
	/* Wait for the end of the step: the parent closes the pipe. */
	while (read(rfd, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int start_helper(struct dio_shared *sh, const struct dio_params *p, unsigned n)
{
	double deadline = now_monotonic() + 30;
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return fb_fail("dio: pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return fb_fail("dio: fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(pfd[1]);
		helper_main(sh, p, n, pfd[0]);
	}
	close(pfd[0]);
	sh->helper = pid;
	sh->helper_pipe = pfd[1];
	while (!__atomic_load_n(&sh->helper_state, __ATOMIC_ACQUIRE) && now_monotonic() < deadline)
		usleep(1000);
	if (sh->helper_state == 1)
		return FB_OK;
	return fb_fail("dio: the process_vm_readv helper could not allocate its %s buffer: %s",
		       buffer_name[only_bit(p->buffer)],
		       sh->helper_state < 0 ? strerror(-sh->helper_state) : "timed out");
}

static void stop_helper(struct dio_shared *sh)
{
	if (sh->helper <= 0)
		return;
	close(sh->helper_pipe);
	kill(sh->helper, SIGKILL);
	waitpid(sh->helper, NULL, 0);
	sh->helper = 0;
}

static void dio_teardown(struct step_ctx *sc);

static int setup_file(struct step_ctx *sc, struct dio_shared *sh)
{
	const struct dio_params *p = sc->params;
	int ret;

	snprintf(sh->dir, sizeof(sh->dir), "%s", sc->dir);
	ret = check_disk_dir(sh->dir);
	if (ret)
		return ret;
	ret = mkdir_p(sh->dir);
	if (ret)
		return fb_fail("dio: cannot create '%s': %s", sh->dir, strerror(-ret));
	if (fsfile_statfs_type(sh->dir, 0, &sh->fstype))
		sh->fstype = 0;
	ret = data_file_get(sh->dir, p->file_size, &sh->fd);
	if (ret)
		return fb_fail("dio: cannot make a %llu-byte O_DIRECT file in '%s': %s",
			       p->file_size, sh->dir, strerror(-ret));
	return FB_OK;
}

static int dio_setup(struct step_ctx *sc)
{
	const struct dio_params *p = sc->params;
	bool shared = only_bit(p->sharing) == SHARE_SHARED;
	struct dio_shared *sh;
	int ret = FB_OK;

	sh = mmap(NULL, shared_bytes(sc->nworkers), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return fb_fail("dio: mmap: %s", strerror(errno));
	sh->fd = -1;
	sh->n = sc->nworkers;
	for (unsigned i = 0; i < sh->n; i++)
		sh->w[i].folio_ret = -ENODATA;
	sc->shared = sh;

	if (p->driver == DRV_FILE)
		ret = setup_file(sc, sh);
	if (!ret && p->driver == DRV_PVR)
		ret = start_helper(sh, p, sc->nworkers);
	else if (!ret && shared) {
		int err = buffer_alloc(only_bit(p->buffer), HUGE_SZ, &sh->shared_buf,
				       &sh->shared_map, &sh->shared_maplen);

		if (err)
			ret = fb_fail("dio: cannot allocate the shared %s buffer: %s",
				      buffer_name[only_bit(p->buffer)], strerror(-err));
	}
	/* After the file was filled: only the step's own pins count. */
	sh->pins_before = vmstat_value("nr_foll_pin_acquired");
	if (ret)
		dio_teardown(sc);
	return ret;
}

/* ------------------------------------------------------------- workers */

struct dio_worker {
	const struct dio_params *p;
	struct dio_shared *sh;
	enum dio_driver driver;
	char *buf; /* what the I/O reads into / writes from / splices */
	void *map; /* own buffers: what to munmap */
	size_t maplen;
	char *remote; /* process_vm_readv: the helper's address */
	size_t io_size;
	uint64_t off, stride, span; /* file offsets: own interleaved sequence */
	struct io_uring ring;
	bool ring_ok;
	int pipe[2], devnull;
	size_t pipe_size;
	uint64_t ios;
};

static int worker_buffers(struct worker *w, struct dio_worker *dw)
{
	const struct dio_params *p = dw->p;
	enum dio_buffer kind = only_bit(p->buffer);
	bool shared = only_bit(p->sharing) == SHARE_SHARED;
	struct dio_worker_report *rep = &dw->sh->w[w->id];
	char *inspect;
	size_t inspect_len;
	int ret;

	if (dw->driver == DRV_PVR) {
		/* The local side is a plain copy target; the pinned pages are the helper's. */
		ret = buffer_alloc(BUF_4K, dw->io_size, &dw->buf, &dw->map, &dw->maplen);
		if (ret)
			return worker_fail(w, "dio: buffer: %s", strerror(-ret));
		dw->remote = dw->sh->helper_buf + (shared ? shared_slot(w->id, dw->io_size)
							  : w->id * dw->sh->helper_slot);
		w->mem = dw->buf;
		w->mem_len = dw->io_size;
		return 0;
	}
	if (shared) {
		dw->buf = dw->sh->shared_buf + shared_slot(w->id, dw->io_size);
		inspect = dw->sh->shared_buf;
		inspect_len = HUGE_SZ;
	} else {
		ret = buffer_alloc(kind, dw->io_size, &dw->buf, &dw->map, &dw->maplen);
		if (ret == -ENOMEM && kind == BUF_HUGETLB)
			return worker_fail(w, "dio: --buffer=hugetlb: no free huge page "
					      "(HugePages_Free in /proc/meminfo)");
		if (ret)
			return worker_fail(w, "dio: %s buffer: %s", buffer_name[kind],
					   strerror(-ret));
		inspect = dw->buf;
		inspect_len =
		    kind == BUF_4K ? dw->io_size : (dw->io_size + HUGE_SZ - 1) / HUGE_SZ * HUGE_SZ;
	}
	w->mem = inspect;
	w->mem_len = inspect_len;
	rep->folio_ret = folio_inspect(inspect, inspect_len, &rep->start);
	return 0;
}

static int worker_driver(struct worker *w, struct dio_worker *dw)
{
	int ret, sz;

	if (dw->driver == DRV_FILE && dw->p->engine == ENGINE_IO_URING) {
		ret = io_uring_queue_init(4, &dw->ring, 0);
		if (ret < 0)
			return worker_fail(w, "dio: io_uring_queue_init: %s", strerror(-ret));
		dw->ring_ok = true;
	}
	if (dw->driver != DRV_VMSPLICE)
		return 0;
	if (pipe2(dw->pipe, O_CLOEXEC))
		return worker_fail(w, "dio: pipe: %s", strerror(errno));
	dw->devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (dw->devnull < 0)
		return worker_fail(w, "dio: /dev/null: %s", strerror(errno));
	/* A pipe as large as an I/O when allowed; else the I/O goes in pipe-sized pieces. */
	sz = fcntl(dw->pipe[1], F_SETPIPE_SZ, (int)dw->io_size);
	if (sz < 0)
		sz = fcntl(dw->pipe[1], F_GETPIPE_SZ);
	dw->pipe_size = sz > 0 ? (size_t)sz : 65536;
	return 0;
}

static int dio_worker_init(struct worker *w)
{
	const struct dio_params *p = w->step->params;
	struct dio_worker *dw = xcalloc(1, sizeof(*dw));
	int ret;

	w->priv = dw;
	dw->p = p;
	dw->sh = w->shared;
	dw->driver = p->driver;
	dw->io_size = p->io_size;
	dw->pipe[0] = dw->pipe[1] = dw->devnull = -1;
	dw->span = p->file_size / p->io_size * p->io_size;
	dw->stride = (uint64_t)w->nworkers * p->io_size;
	dw->off = ((uint64_t)w->id * p->io_size) % dw->span;
	ret = worker_buffers(w, dw);
	if (!ret)
		ret = worker_driver(w, dw);
	return ret;
}

static ssize_t io_file(struct dio_worker *dw)
{
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	ssize_t n;
	int ret;

	if (!dw->ring_ok)
		return dw->p->op == OP_WRITE ? pwrite(dw->sh->fd, dw->buf, dw->io_size, dw->off)
					     : pread(dw->sh->fd, dw->buf, dw->io_size, dw->off);
	sqe = io_uring_get_sqe(&dw->ring);
	if (dw->p->op == OP_WRITE)
		io_uring_prep_write(sqe, dw->sh->fd, dw->buf, dw->io_size, dw->off);
	else
		io_uring_prep_read(sqe, dw->sh->fd, dw->buf, dw->io_size, dw->off);
	ret = io_uring_submit_and_wait(&dw->ring, 1);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	ret = io_uring_wait_cqe(&dw->ring, &cqe);
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	n = cqe->res;
	io_uring_cqe_seen(&dw->ring, cqe);
	if (n < 0) {
		errno = (int)-n;
		return -1;
	}
	return n;
}

static ssize_t io_vmsplice(struct dio_worker *dw)
{
	size_t done = 0;

	while (done < dw->io_size) {
		size_t want =
		    dw->io_size - done < dw->pipe_size ? dw->io_size - done : dw->pipe_size;
		struct iovec iov = { dw->buf + done, want };
		ssize_t in = vmsplice(dw->pipe[1], &iov, 1, 0), out = 0;

		if (in <= 0)
			return in < 0 ? -1 : (ssize_t)done;
		while (out < in) {
			ssize_t k = splice(dw->pipe[0], NULL, dw->devnull, NULL, in - out, 0);

			if (k <= 0)
				return -1;
			out += k;
		}
		done += in;
	}
	return (ssize_t)done;
}

static ssize_t io_pvr(struct dio_worker *dw)
{
	struct iovec local = { dw->buf, dw->io_size }, remote = { dw->remote, dw->io_size };

	return process_vm_readv(dw->sh->helper, &local, 1, &remote, 1, 0);
}

static void dio_worker_loop(struct worker *w)
{
	struct dio_worker *dw = w->priv;
	ssize_t n;

	while (!worker_should_stop(w)) {
		if (dw->driver == DRV_FILE)
			n = io_file(dw);
		else if (dw->driver == DRV_VMSPLICE)
			n = io_vmsplice(dw);
		else
			n = io_pvr(dw);
		if (n <= 0) {
			worker_fail(w, "dio: %s I/O of %zu bytes at %llu: %s",
				    driver_name[dw->driver], dw->io_size,
				    (unsigned long long)dw->off,
				    n < 0 ? strerror(errno) : "no progress");
			return;
		}
		worker_count(w, 0, 1);
		worker_count(w, 1, (uint64_t)n);
		dw->ios++;
		dw->off += dw->stride;
		if (dw->off >= dw->span)
			dw->off %= dw->span;
	}
}

static void dio_worker_fini(struct worker *w)
{
	struct dio_worker *dw = w->priv;
	struct dio_worker_report *rep;

	if (!dw)
		return;
	rep = &dw->sh->w[w->id];
	rep->ios = dw->ios;
	/* Again after the run: khugepaged or compaction may have changed the backing. */
	if (dw->driver != DRV_PVR && !rep->folio_ret)
		folio_inspect(w->mem, w->mem_len, &rep->end);
	if (dw->ring_ok)
		io_uring_queue_exit(&dw->ring);
	if (dw->pipe[0] >= 0) {
		close(dw->pipe[0]);
		close(dw->pipe[1]);
	}
	if (dw->devnull >= 0)
		close(dw->devnull);
	if (dw->map)
		munmap(dw->map, dw->maplen);
	free(dw);
	w->priv = NULL;
}

/* ------------------------------------------------------------- report */

/* The share of the inspected bytes in PMD-size folios, by the best source at hand. */
static double thp_fraction(const struct folio_report *r)
{
	size_t pmd = r->anon_huge_bytes + r->shmem_pmd_bytes + r->file_pmd_bytes;
	size_t huge = r->kpageflags_read ? r->order_pages[9] * (size_t)page_size() : 0;

	if (!r->bytes)
		return 0;
	pmd = pmd > huge ? pmd : huge;
	return pmd > r->bytes ? 1.0 : (double)pmd / (double)r->bytes;
}

static void add_folios(struct folio_report *sum, const struct folio_report *r)
{
	sum->bytes += r->bytes;
	sum->resident_bytes += r->resident_bytes;
	sum->anon_huge_bytes += r->anon_huge_bytes;
	sum->shmem_pmd_bytes += r->shmem_pmd_bytes;
	sum->file_pmd_bytes += r->file_pmd_bytes;
	sum->kpageflags_read = r->kpageflags_read;
	sum->thp_pages += r->thp_pages;
	sum->compound_pages += r->compound_pages;
	for (unsigned i = 0; i < ARRAY_SIZE(sum->order_pages); i++)
		sum->order_pages[i] += r->order_pages[i];
}

/* What backed the buffers the kernel pinned: per worker, or the one shared/helper buffer. */
static void report_backing(struct step_ctx *sc, const struct dio_shared *sh)
{
	const struct dio_params *p = sc->params;
	enum dio_buffer kind = only_bit(p->buffer);
	bool shared = only_bit(p->sharing) == SHARE_SHARED;
	struct folio_report start = { 0 }, end = { 0 };
	json_t *b = json_object(), *per = json_array();
	unsigned i, inspected = 0;
	char desc[96];
	double frac, frac_end;

	if (p->driver == DRV_PVR) {
		if (!sh->helper_folio_ret) {
			start = end = sh->helper_folios;
			inspected = 1;
		}
	} else {
		for (i = 0; i < sh->n; i++) {
			if (sh->w[i].folio_ret)
				continue;
			json_array_append_new(per, folio_report_json(&sh->w[i].start));
			if (shared && inspected)
				continue; /* the same page, inspected by every worker */
			add_folios(&start, &sh->w[i].start);
			add_folios(&end, &sh->w[i].end);
			inspected++;
		}
	}
	json_object_set_new(b, "requested", json_string(buffer_name[kind]));
	json_object_set_new(b, "whose",
			    json_string(p->driver == DRV_PVR
					    ? "the process_vm_readv helper's memory"
					: shared ? "the one shared huge page"
						 : "each worker's own buffer"));
	if (!inspected) {
		json_object_set_new(b, "error", json_string("folio_inspect failed"));
		json_object_set_new(b, "thp_obtained", json_null());
		json_decref(per);
		json_object_set_new(sc->extra, "backing", b);
		return;
	}
	frac = thp_fraction(&start);
	frac_end = p->driver == DRV_PVR ? frac : thp_fraction(&end);
	json_object_set_new(b, "obtained", json_string(folio_describe(&start, desc, sizeof(desc))));
	json_object_set_new(b, "thp_fraction", json_real(frac));
	json_object_set_new(b, "thp_fraction_after", json_real(frac_end));
	json_object_set_new(b, "thp_obtained", json_boolean(frac > 0));
	json_object_set_new(b, "folios", folio_report_json(&start));
	if (json_array_size(per) > 1)
		json_object_set_new(b, "per_worker", per);
	else
		json_decref(per);
	json_object_set_new(sc->extra, "backing", b);

	if (kind == BUF_THP && frac < 0.999)
		fb_warn("dio --buffer=thp at %u CPUs: the kernel backed only %.0f%% of the buffers "
			"with huge pages; the step is recorded as such (backing.thp_fraction), "
			"do not read it as a THP number",
			sc->nworkers, 100 * frac);
	if (kind == BUF_4K && frac > 0)
		fb_warn("dio --buffer=4k at %u CPUs: %.0f%% of the buffers are in huge pages "
			"despite MADV_NOHUGEPAGE",
			sc->nworkers, 100 * frac);
}

static void report_path(struct step_ctx *sc, const struct dio_shared *sh)
{
	const struct dio_params *p = sc->params;
	json_t *io = json_object();
	char *path;

	if (p->driver == DRV_FILE)
		path = xasprintf("O_DIRECT %s (%s) %s a file on %s in %s",
				 p->op == OP_WRITE ? "pwrite" : "pread",
				 p->engine == ENGINE_IO_URING ? "io_uring, queue depth 1, "
								"unregistered buffers"
							      : "syscall",
				 p->op == OP_WRITE ? "to" : "from", fsfile_fs_name(sh->fstype),
				 sh->dir);
	else if (p->driver == DRV_PVR)
		path = xstrdup("process_vm_readv from a helper process (its pages pinned with "
			       "FOLL_PIN) into the worker's 4k buffer");
	else
		path = xstrdup("vmsplice of the buffer into a pipe (page references, FOLL_GET), "
			       "spliced on to /dev/null");
	json_object_set_new(io, "driver", json_string(driver_name[p->driver]));
	json_object_set_new(io, "path", json_string(path));
	json_object_set_new(io, "io_size", json_integer((json_int_t)p->io_size));
	if (p->driver == DRV_FILE)
		json_object_set_new(io, "file_size", json_integer((json_int_t)p->file_size));
	json_object_set_new(sc->extra, "io", io);
	free(path);
}

static void report_pins(struct step_ctx *sc, const struct dio_shared *sh)
{
	long long after = vmstat_value("nr_foll_pin_acquired");
	uint64_t ios = 0;
	json_t *j = json_object();

	for (unsigned i = 0; i < sh->n; i++)
		ios += sh->w[i].ios;
	json_object_set_new(j, "scope",
			    json_string("system-wide /proc/vmstat nr_foll_pin_acquired, "
					"over the whole step including warm-up"));
	if (sh->pins_before < 0 || after < 0) {
		json_object_set_new(j, "error",
				    json_string("nr_foll_pin_acquired not in /proc/vmstat"));
	} else {
		json_object_set_new(j, "acquired", json_integer(after - sh->pins_before));
		json_object_set_new(j, "ios", json_integer((json_int_t)ios));
		if (ios)
			json_object_set_new(j, "pins_per_io",
					    json_real((double)(after - sh->pins_before) / ios));
	}
	json_object_set_new(sc->extra, "foll_pin", j);
}

static void dio_report(struct step_ctx *sc)
{
	const struct dio_shared *sh = sc->shared;

	if (!sc->extra || !sh)
		return;
	report_path(sc, sh);
	report_backing(sc, sh);
	report_pins(sc, sh);
}

static void dio_teardown(struct step_ctx *sc)
{
	struct dio_shared *sh = sc->shared;

	if (!sh)
		return;
	stop_helper(sh);
	if (sh->shared_map)
		munmap(sh->shared_map, sh->shared_maplen);
	/* sh->fd is the run's data file, kept for the next step (closed at exit). */
	munmap(sh, shared_bytes(sh->n));
	sc->shared = NULL;
}

static int task_clock_index(const struct step_result *r)
{
	for (unsigned k = 0; k < r->nevents; k++)
		if (!strcmp(r->event_names[k], "task-clock"))
			return (int)k;
	return -1;
}

/*
 * CPU per pin: the workers' own CPU time (their task-clock perf counters, in
 * ns) per I/O and per 4 KiB page of buffer an I/O pins (io_size / 4 KiB,
 * whatever page size backs it: a THP buffer pins as many base pages, in one
 * folio).  Unlike MiB/s this does not depend on how fast the disk is, only on
 * what the kernel spends to get the I/O going, the pin and unpin included,
 * so 4k and thp compare the pinning cost and not the device.
 */
static void derive_cpu(struct step_result *r)
{
	json_t *io = json_object_get(r->extra, "io");
	double pages = (double)json_integer_value(json_object_get(io, "io_size")) / 4096;
	int tc = task_clock_index(r);
	double tns = 0, tio = 0, ns, ios;
	struct metric *mi, *mp;
	unsigned s, i;

	if (tc < 0 || pages <= 0)
		return;
	/* step_add_metric() may move the array: take the pointers after the last add */
	step_add_metric(r, "cpu_us/io", false);
	mp = step_add_metric(r, "cpu_ns/page", false);
	mi = mp - 1;
	for (s = 0; s < r->nsamples; s++) {
		const struct sample *smp = &r->samples[s];

		for (i = 0, ns = 0, ios = 0; smp->count && smp->ev && i < r->ncpus; i++) {
			ios += (double)smp->count[i][0];
			ns += (double)smp->ev[i][tc];
		}
		mi->v[s] = ios > 0 ? ns / 1e3 / ios : NAN;
		mp->v[s] = ios > 0 ? ns / (ios * pages) : NAN;
		tns += ns;
		tio += ios;
	}
	mi->value = tio > 0 ? tns / 1e3 / tio : NAN;
	mp->value = tio > 0 ? tns / (tio * pages) : NAN;
}

/*
 * MiB/s from the bytes counter, and pinned pages/s: the step's pins per I/O
 * (system-wide counter over the whole step, divided by this step's I/Os) times
 * each sample's I/O rate.
 */
static void dio_derive(const struct step_ctx *sc, struct step_result *r)
{
	json_t *pins = json_object_get(r->extra, "foll_pin");
	json_t *backing = json_object_get(r->extra, "backing");
	double per_io = json_real_value(json_object_get(pins, "pins_per_io"));
	bool have_pins = json_object_get(pins, "pins_per_io") != NULL;
	double tb = 0, tt = 0, tio = 0;
	struct metric *mb, *mp = NULL, *mt = NULL;
	unsigned s, i, first = r->nmetrics;
	bool have_thp = json_object_get(backing, "thp_fraction") != NULL;

	/* step_add_metric() may move the array: take the pointers after the last add. */
	step_add_metric(r, "MiB/s", true);
	if (have_pins)
		step_add_metric(r, "pinned-pages/s", true);
	if (have_thp)
		step_add_metric(r, "thp%", true);
	mb = &r->metrics[first];
	if (have_pins)
		mp = &r->metrics[first + 1];
	if (have_thp)
		mt = &r->metrics[first + 1 + have_pins];
	for (s = 0; s < r->nsamples; s++) {
		const struct sample *smp = &r->samples[s];
		double bytes = 0, ios = 0;

		for (i = 0; smp->count && i < r->ncpus; i++) {
			ios += (double)smp->count[i][0];
			bytes += (double)smp->count[i][1];
		}
		mb->v[s] = smp->t > 0 ? bytes / MiB / smp->t : 0;
		if (mp)
			mp->v[s] = smp->t > 0 ? per_io * ios / smp->t : 0;
		if (mt)
			mt->v[s] = 100 * json_real_value(json_object_get(backing, "thp_fraction"));
		tb += bytes;
		tio += ios;
		tt += smp->t;
	}
	mb->value = tt > 0 ? tb / MiB / tt : 0;
	if (mp)
		mp->value = tt > 0 ? per_io * tio / tt : 0;
	if (mt)
		mt->value = 100 * json_real_value(json_object_get(backing, "thp_fraction"));
	derive_cpu(r);
}

const struct bench bench_dio = {
	.name = "dio",
	.summary = "direct-I/O pinning of 4k, THP and hugetlb buffers (O_DIRECT, io_uring, "
		   "process_vm_readv, vmsplice)",
	.opts = dio_options,
	.params_size = sizeof(struct dio_params),
	.counters = { "ios", "bytes" },
	.ratio_metric = "MiB/s",
	.check = dio_check,
	.setup = dio_setup,
	.worker_init = dio_worker_init,
	.worker_loop = dio_worker_loop,
	.worker_fini = dio_worker_fini,
	.report = dio_report,
	.teardown = dio_teardown,
	.derive = dio_derive,
};
