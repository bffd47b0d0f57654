// SPDX-License-Identifier: GPL-2.0
/*
 * aim9: AIM Suite IX style system-call microbenchmarks (fork_test, exec_test,
 * page_test, brk_test, signal_test, creat-clo, link_test) plus fork-faults, the
 * fork-heavy fault load of the 2010 page-migration tests.  Each test is a
 * variant of its own (--tests is a matrix option); every worker is pinned and
 * loops on the test alone, so a sweep over CPU counts shows where fork, exec
 * and the mm locks stop scaling.  count[0] is "ops": the runner derives ops/s.
 *
 * Workers are threads (the default) or processes (--mode processes, the shape
 * of AIM9's tasks).  With threads, fork and exec copy the mm of a process that
 * holds every worker, so they measure fork of a multithreaded process.  The
 * break is per process and glibc's malloc moves it too, so brk always runs in
 * a single-threaded process: with threads each worker forks one child that
 * runs the brk loop, pinned like the worker, counting into the worker's slot.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "fsfile.h"
#include "util.h"

enum aim9_test {
	T_FORK,
	T_EXEC,
	T_PAGE,
	T_BRK,
	T_SIGNAL,
	T_CREAT_CLO,
	T_LINK,
	T_FORK_FAULTS,
	T_NTESTS
};

#define AIM9_TESTS "fork|exec|page|brk|signal|creat-clo|link|fork-faults"

struct aim9_params {
	unsigned tests;		     /* one bit per variant (matrix option) */
	unsigned long long page_mem; /* page: bytes mapped, touched and unmapped */
	unsigned long long brk_mem;  /* brk: bytes the break grows and shrinks by */
	unsigned long long fork_mem; /* fork-faults: shared mapping the child touches */
};

#define P(field) offsetof(struct aim9_params, field)

static const struct opt aim9_opts[] = {
	{ "tests", OPT_ENUMSET, "fork,exec,page,brk,signal,creat-clo,link,fork-faults", 0, 0,
	  AIM9_TESTS, "tests to run, each a variant of its own", P(tests), .matrix = true },
	{ "page-mem", OPT_SIZE, "1M", 4096, 1ULL << 40, NULL,
	  "page: bytes mapped, touched page by page and unmapped per cycle (an op is a page)",
	  P(page_mem), false },
	{ "brk-mem", OPT_SIZE, "64k", 4096, 1ULL << 40, NULL,
	  "brk: bytes the break grows and shrinks by (an op is one grow and shrink)", P(brk_mem),
	  false },
	{ "fork-mem", OPT_SIZE, "16M", 4096, 1ULL << 40, NULL,
	  "fork-faults: size of the shared mapping each forked child write-faults in", P(fork_mem),
	  false },
	OPT_END
};

/* Set up once per step by the parent, read-only for the workers. */
struct aim9_shared {
	char dir[PATH_MAX];    /* private directory for creat-clo and link files */
	char helper[PATH_MAX]; /* fb-exec-helper, for exec */
};

struct aim9_worker {
	enum aim9_test test;
	char path[PATH_MAX];	  /* creat-clo, link: this worker's file */
	char link_path[PATH_MAX]; /* link: the second name */
	void *shm;		  /* fork-faults: MAP_SHARED anonymous */
	size_t len;
};

static volatile sig_atomic_t signals_caught;

static void on_sigusr1(int sig)
{
	signals_caught++;
}

static enum aim9_test chosen_test(const struct aim9_params *p)
{
	unsigned i;

	for (i = 0; i < T_NTESTS; i++)
		if (p->tests & (1u << i))
			return i;
	return T_FORK;
}

static int aim9_check(const void *params, const struct run_opts *ro)
{
	const struct aim9_params *p = params;
	char helper[PATH_MAX] = "";
	int err;

	if (!p->tests)
		return fb_usage("option '--tests': choose at least one test");
	if ((p->tests & (1u << T_EXEC)) && (err = fsfile_exec_helper(helper, sizeof(helper))))
		return fb_skip("aim9 exec: no fb-exec-helper at '%s' (%s): build it with 'make' "
			       "(it goes beside the faultbench binary), or set FB_EXEC_HELPER",
			       helper, strerror(-err));
	return FB_OK;
}

static void aim9_teardown(struct step_ctx *sc)
{
	struct aim9_shared *sh = sc->shared;
	unsigned i;

	if (!sh)
		return;
	if (sh->dir[0]) {
		/* Files a killed worker left behind: w<id> and w<id>.link. */
		for (i = 0; i < sc->nworkers; i++) {
			char path[PATH_MAX + 32];

			snprintf(path, sizeof(path), "%s/w%u", sh->dir, i);
			unlink(path);
			snprintf(path, sizeof(path), "%s/w%u.link", sh->dir, i);
			unlink(path);
		}
		rmdir(sh->dir);
	}
	munmap(sh, sizeof(*sh));
	sc->shared = NULL;
}

static int aim9_setup(struct step_ctx *sc)
{
	const struct aim9_params *p = sc->params;
	struct aim9_shared *sh;
	const char *base = sc->dir ? sc->dir : "/tmp";

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return fb_fail("aim9: cannot map shared state: %s", strerror(errno));
	sc->shared = sh;
	if (p->tests & ((1u << T_CREAT_CLO) | (1u << T_LINK))) {
		mkdir_p(base);
		snprintf(sh->dir, sizeof(sh->dir), "%s/fb-aim9.XXXXXX", base);
		if (fsfile_mkdtemp(sh->dir, "aim9", FB_FAIL)) {
			sh->dir[0] = '\0';
			aim9_teardown(sc); /* not called after a failed setup */
			return FB_FAIL;
		}
	}
	if ((p->tests & (1u << T_EXEC)) && fsfile_exec_helper(sh->helper, sizeof(sh->helper))) {
		aim9_teardown(sc);
		return fb_fail("aim9 exec: fb-exec-helper not found");
	}
	return FB_OK;
}

static void aim9_worker_fini(struct worker *w)
{
	struct aim9_worker *aw = w->priv;

	if (!aw)
		return;
	if (aw->test == T_LINK) {
		unlink(aw->link_path);
		unlink(aw->path);
	}
	if (aw->shm)
		munmap(aw->shm, aw->len);
	free(aw);
	w->priv = NULL;
}

static int init_test(struct worker *w)
{
	const struct aim9_params *p = w->step->params;
	const struct aim9_shared *sh = w->shared;
	struct aim9_worker *aw = w->priv;
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	int fd;

	aw->test = chosen_test(p);
	switch (aw->test) {
	case T_SIGNAL:
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGUSR1, &sa, NULL))
			return worker_fail(w, "aim9 signal: sigaction: %s", strerror(errno));
		break;
	case T_CREAT_CLO:
	case T_LINK:
		snprintf(aw->path, sizeof(aw->path), "%.4000s/w%u", sh->dir, w->id);
		snprintf(aw->link_path, sizeof(aw->link_path), "%.4000s/w%u.link", sh->dir, w->id);
		if (aw->test == T_LINK) {
			fd = open(aw->path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
			if (fd < 0)
				return worker_fail(w, "aim9 link: cannot create '%s': %s", aw->path,
						   strerror(errno));
			close(fd);
		}
		break;
	case T_FORK_FAULTS:
		aw->len = p->fork_mem;
		aw->shm =
		    mmap(NULL, aw->len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (aw->shm == MAP_FAILED) {
			aw->shm = NULL;
			return worker_fail(w, "aim9 fork-faults: cannot map %zu bytes: %s", aw->len,
					   strerror(errno));
		}
		/* Populate the shmem pages once: the children then take the mapping
		 * faults of an existing page cache, as forked workers of a real load do. */
		memset(aw->shm, 1, aw->len);
		w->mem = aw->shm;
		w->mem_len = aw->len;
		break;
	default:
		break;
	}
	return 0;
}

/* The runner calls worker_fini only after a worker_init that succeeded. */
static int aim9_worker_init(struct worker *w)
{
	w->priv = xcalloc(1, sizeof(struct aim9_worker));
	if (init_test(w)) {
		aim9_worker_fini(w);
		return -1;
	}
	return 0;
}

/*
 * The fork, exec and waitpid calls below are what aim9 measures, so they are
 * made here directly and not through lib/spawn (whose bookkeeping, pipes and
 * PATH lookup would be timed with them).
 *
 * Wait for a child and insist it exited 0: a failed exec must not count as one.
 */
static int reap(struct worker *w, pid_t pid, const char *test)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return worker_fail(w, "aim9 %s: waitpid: %s", test, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return worker_fail(w, "aim9 %s: child failed (status %#x)", test, status);
	return 0;
}

static int do_fork(struct worker *w)
{
	pid_t pid = fork();

	if (pid < 0)
		return worker_fail(w, "aim9 fork: %s", strerror(errno));
	if (!pid)
		_exit(0);
	return reap(w, pid, "fork");
}

static int do_exec(struct worker *w)
{
	const struct aim9_shared *sh = w->shared;
	char *const argv[] = { (char *)"fb-exec-helper", NULL };
	char *const envp[] = { NULL };
	pid_t pid = fork();

	if (pid < 0)
		return worker_fail(w, "aim9 exec: fork: %s", strerror(errno));
	if (!pid) {
		execve(sh->helper, argv, envp);
		_exit(127);
	}
	return reap(w, pid, "exec");
}

/* Map, touch every page, unmap: one op per page, as page_test counts pages. */
static int do_page(struct worker *w, size_t len)
{
	size_t ps = page_size(), off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return worker_fail(w, "aim9 page: mmap %zu bytes: %s", len, strerror(errno));
	for (off = 0; off < len; off += ps)
		p[off] = 1;
	munmap(p, len);
	worker_count(w, 0, (len + ps - 1) / ps);
	return 0;
}

static int do_brk(struct worker *w, intptr_t len)
{
	if (sbrk(len) == (void *)-1)
		return worker_fail(w, "aim9 brk: sbrk(+%ld): %s", (long)len, strerror(errno));
	if (sbrk(-len) == (void *)-1)
		return worker_fail(w, "aim9 brk: sbrk(-%ld): %s", (long)len, strerror(errno));
	return 0;
}

static void brk_loop(struct worker *w, intptr_t len)
{
	while (!worker_should_stop(w) && !do_brk(w, len))
		worker_count(w, 0, 1);
}

/*
 * brk in a process of its own: the worker's slot and the stop flag are
 * MAP_SHARED, so the child counts and stops like the worker would.  The child
 * inherits the worker thread's CPU affinity.
 */
static void brk_in_child(struct worker *w, intptr_t len)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		worker_fail(w, "aim9 brk: fork: %s", strerror(errno));
		return;
	}
	if (!pid) {
		brk_loop(w, len);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			worker_fail(w, "aim9 brk: waitpid: %s", strerror(errno));
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		worker_fail(w, "aim9 brk: the brk process died (status %#x)", status);
}

static void aim9_brk(struct worker *w, intptr_t len)
{
	if (w->step->ro->mode == MODE_PROCESSES)
		brk_loop(w, len);
	else
		brk_in_child(w, len);
}

static int do_creat_clo(struct worker *w, const struct aim9_worker *aw)
{
	int fd = creat(aw->path, 0600);

	if (fd < 0)
		return worker_fail(w, "aim9 creat-clo: creat '%s': %s", aw->path, strerror(errno));
	close(fd);
	if (unlink(aw->path))
		return worker_fail(w, "aim9 creat-clo: unlink '%s': %s", aw->path, strerror(errno));
	return 0;
}

static int do_link(struct worker *w, const struct aim9_worker *aw)
{
	if (link(aw->path, aw->link_path))
		return worker_fail(w, "aim9 link: link '%s': %s", aw->path, strerror(errno));
	if (unlink(aw->link_path))
		return worker_fail(w, "aim9 link: unlink '%s': %s", aw->link_path, strerror(errno));
	return 0;
}

/* The child write-faults every page of the inherited shared mapping, then exits. */
static int do_fork_faults(struct worker *w, const struct aim9_worker *aw)
{
	size_t ps = page_size(), off;
	pid_t pid = fork();

	if (pid < 0)
		return worker_fail(w, "aim9 fork-faults: fork: %s", strerror(errno));
	if (!pid) {
		volatile char *p = aw->shm;

		for (off = 0; off < aw->len; off += ps)
			p[off]++;
		_exit(0);
	}
	return reap(w, pid, "fork-faults");
}

static void aim9_worker_loop(struct worker *w)
{
	const struct aim9_params *p = w->step->params;
	struct aim9_worker *aw = w->priv;
	int err = 0;

	if (aw->test == T_BRK) {
		aim9_brk(w, p->brk_mem);
		return;
	}
	while (!worker_should_stop(w) && !err) {
		switch (aw->test) {
		case T_FORK:
			err = do_fork(w);
			break;
		case T_EXEC:
			err = do_exec(w);
			break;
		case T_PAGE:
			err = do_page(w, p->page_mem);
			continue; /* counted pages itself */
		case T_SIGNAL:
			err = raise(SIGUSR1);
			break;
		case T_CREAT_CLO:
			err = do_creat_clo(w, aw);
			break;
		case T_LINK:
			err = do_link(w, aw);
			break;
		case T_FORK_FAULTS:
			err = do_fork_faults(w, aw);
			break;
		default:
			err = worker_fail(w, "aim9: unknown test %d", aw->test);
			break;
		}
		if (!err)
			worker_count(w, 0, 1);
	}
}

static void aim9_report(struct step_ctx *sc)
{
	const struct aim9_params *p = sc->params;
	const char *what[T_NTESTS] = {
		[T_FORK] = "fork + _exit + waitpid",
		[T_EXEC] = "fork + execve(static helper) + waitpid",
		[T_PAGE] = "page mapped, written and unmapped",
		[T_BRK] = "break grown and shrunk",
		[T_SIGNAL] = "signal raised and handled",
		[T_CREAT_CLO] = "creat + close + unlink",
		[T_LINK] = "link + unlink",
		[T_FORK_FAULTS] = "fork of a child write-faulting the shared mapping",
	};

	if (!sc->extra)
		return;
	json_object_set_new(sc->extra, "aim9_op", json_string(what[chosen_test(p)]));
}

const struct bench bench_aim9 = {
	.name = "aim9",
	.summary = "AIM9-style fork, exec, page, brk, signal, creat-clo, link and fork-faults "
		   "operations per second",
	.opts = aim9_opts,
	.params_size = sizeof(struct aim9_params),
	.counters = { "ops" },
	/* AIM9's own shape: each worker a process of its own. */
	.run_defaults = "--mode=processes",
	.check = aim9_check,
	.setup = aim9_setup,
	.worker_init = aim9_worker_init,
	.worker_loop = aim9_worker_loop,
	.worker_fini = aim9_worker_fini,
	.report = aim9_report,
	.teardown = aim9_teardown,
};
