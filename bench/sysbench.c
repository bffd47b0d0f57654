// SPDX-License-Identifier: GPL-2.0
/*
 * sysbench: run Debian's sysbench (when it is installed) for its cpu, threads
 * or memory test at each CPU count of the sweep, and record what it printed in
 * faultbench's result format, so its figures sit beside the built-in loads in
 * comparisons.  Nothing else needs it: the built-in "threads" benchmark is the
 * same shape and needs nothing installed.
 *
 * oltp-ro and oltp-rw are the database workload the migration seed's
 * SYSBENCH rows come from, as mmtests runs it: sysbench OLTP (read-only,
 * read-write) against PostgreSQL.  faultbench starts a throw-away server
 * itself (scripts/pg-server.sh: initdb into a temporary directory as an
 * unprivileged user, Unix socket only), prepares the tables once per run,
 * and stops the server and removes its directory when the run ends.
 *
 * sysbench runs its own threads, so this is a run_step() benchmark: one
 * sysbench process per step, pinned to the step's PUs, --threads = CPUs.  Its
 * intermediate reports (--report-interval, whole seconds) become the samples;
 * those of the first --warmup seconds are dropped.  Its final summary gives the
 * metric values.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "fsfile.h"
#include "parsers.h"
#include "spawn.h"
#include "stats.h"
#include "util.h"

enum { SB_CPU, SB_THREADS, SB_MEMORY, SB_OLTP_RO, SB_OLTP_RW };

struct sysbench_params {
	unsigned test;		 /* matrix: one bit per variant */
	const char *extra_args;	 /* passed to sysbench before "run" */
	long long table_size;	 /* oltp: rows per table */
	long long tables;	 /* oltp: tables */
	const char *server_cpus; /* oltp: PUs for the server, "": not pinned */
	const char *pg_dir;	 /* oltp: where the cluster lives, "": a temporary directory */
};

#define P(field) offsetof(struct sysbench_params, field)

static const struct opt sysbench_opts[] = {
	{ .name = "test",
	  .type = OPT_ENUMSET,
	  .def = "cpu,threads,memory",
	  .choices = "cpu|threads|memory|oltp-ro|oltp-rw",
	  .help =
	      "sysbench tests to run, each a variant of its own; oltp-ro/oltp-rw: sysbench OLTP "
	      "read-only/read-write against a PostgreSQL server faultbench starts itself",
	  .off = P(test),
	  .matrix = true },
	{ .name = "args",
	  .type = OPT_STR,
	  .def = "",
	  .help = "more sysbench options, space-separated, e.g. \"--memory-block-size=1M\"",
	  .off = P(extra_args) },
	{ .name = "table-size",
	  .type = OPT_INT,
	  .def = "100000",
	  .min = 10,
	  .max = 1e9,
	  .help = "oltp: rows per table (mmtests: about 4500 per MiB of its workload size)",
	  .off = P(table_size) },
	{ .name = "tables",
	  .type = OPT_INT,
	  .def = "1",
	  .min = 1,
	  .max = 64,
	  .help = "oltp: number of tables",
	  .off = P(tables) },
	{ .name = "server-cpus",
	  .type = OPT_STR,
	  .def = "",
	  .help =
	      "oltp: pin the PostgreSQL server to these PUs (\"2-3\": away from the workers, or "
	      "with them); empty: not pinned",
	  .off = P(server_cpus) },
	{ .name = "pg-dir",
	  .type = OPT_STR,
	  .def = "",
	  .help =
	      "oltp: the directory the cluster lives in (created, and kept with the cluster for "
	      "the next run; the server is stopped); empty: a new directory in /tmp, removed",
	  .off = P(pg_dir) },
	OPT_END
};

#define SB_MAX_ARGS 64

static bool is_oltp(const struct sysbench_params *p)
{
	return p->test & (1u << SB_OLTP_RO | 1u << SB_OLTP_RW);
}

static const char *test_name(const struct sysbench_params *p)
{
	if (p->test & (1u << SB_OLTP_RO))
		return "oltp_read_only";
	if (p->test & (1u << SB_OLTP_RW))
		return "oltp_read_write";
	if (p->test & (1u << SB_THREADS))
		return "threads";
	if (p->test & (1u << SB_MEMORY))
		return "memory";
	return "cpu";
}

static bool sysbench_installed(void)
{
	char *path = spawn_find_program("sysbench", NULL);

	free(path);
	return path != NULL;
}

/* "0-3,8": digits, commas and dashes (it goes into a taskset command line). */
static bool cpu_list_valid(const char *s)
{
	return *s && strspn(s, "0123456789,-") == strlen(s) && isdigit((unsigned char)*s);
}

static int sysbench_check(const void *params, const struct run_opts *ro)
{
	const struct sysbench_params *p = params;

	if (!p->test)
		return fb_usage("option '--test': choose at least one of cpu, threads, memory");
	if (!sysbench_installed())
		return fb_skip("sysbench is not installed");
	if (is_oltp(p) && *p->server_cpus && !cpu_list_valid(p->server_cpus))
		return fb_usage("option '--server-cpus': '%s' is not a CPU list", p->server_cpus);
	if (is_oltp(p) && *p->pg_dir &&
	    strspn(p->pg_dir, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
			      "abcdefghijklmnopqrstuvwxyz0123456789/._+-") != strlen(p->pg_dir))
		return fb_usage("option '--pg-dir': '%s': only letters, digits and /._+- please",
				p->pg_dir);
	return FB_OK;
}

/*
 * The throw-away PostgreSQL server of the oltp tests: one per run, started
 * by the first oltp step and stopped at exit (by the process that started
 * it, not by a forked worker).
 */
static struct {
	pid_t owner;
	char *dir; /* the directory handed to pg-server.sh */
	char *top; /* what to remove afterwards: our temporary directory, or NULL */
	char *script;
	bool prepared;
} pg;

/* scripts/pg-server.sh of the source tree the binary was built in, or $FB_PG_SERVER. */
static char *pg_script(void)
{
	const char *env = getenv("FB_PG_SERVER");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xasprintf("%s/../scripts/pg-server.sh", exe);
}

/* Run argv with stdout into *out (may be NULL); its exit status, or -1 when it did not run. */
static int run_capture(const char *const argv[], char **out)
{
	struct spawn sp = {
		.argv = argv,
		.out = { out ? SPAWN_CAPTURE : SPAWN_NULL },
	};
	int code = spawn_run(&sp);

	if (sp.end == SPAWN_NOT_RUN)
		code = -1;
	if (out) {
		*out = sp.out_buf ? sp.out_buf : xstrdup("");
		sp.out_buf = NULL;
	}
	spawn_clear(&sp);
	return code;
}

static void pg_stop(void)
{
	const char *argv[] = { pg.script, "stop", pg.dir, NULL };

	if (!pg.dir || getpid() != pg.owner)
		return;
	run_capture(argv, NULL);
	if (pg.top) {
		fsfile_remove_tree(pg.top);
	}
	free(pg.dir);
	free(pg.top);
	free(pg.script);
	memset(&pg, 0, sizeof(pg));
}

/* Pin the postmaster and every process it started (they inherit it from then on). */
static int pg_pin(const char *cpus)
{
	char *pidfile = xasprintf("%s/data/postmaster.pid", pg.dir),
	     *text = read_text_file(pidfile);
	long pm = text ? strtol(text, NULL, 10) : 0;
	const char *argv[] = { "sh", "-c", NULL, NULL };
	char *cmd;
	int ret;

	free(pidfile);
	free(text);
	if (pm <= 0)
		return -1;
	cmd = xasprintf("taskset -a -p -c '%s' %ld >/dev/null && for c in $(pgrep -P %ld); do "
			"taskset -a -p -c '%s' $c >/dev/null || exit 1; done",
			cpus, pm, pm, cpus);
	argv[2] = cmd;
	ret = run_capture(argv, NULL);
	free(cmd);
	return ret;
}

static int pg_start(const struct sysbench_params *p)
{
	const char *argv[] = { NULL, "start", NULL, NULL };
	char *uri = NULL;
	int st;

	pg.owner = getpid();
	pg.script = pg_script();
	if (!pg.script || access(pg.script, X_OK))
		return fb_skip("sysbench oltp: scripts/pg-server.sh not found beside the build "
			       "(set FB_PG_SERVER)");
	if (*p->pg_dir) {
		pg.dir = xstrdup(p->pg_dir);
	} else {
		char tmpl[] = "/tmp/faultbench-pg.XXXXXX";

		if (fsfile_mkdtemp(tmpl, "sysbench oltp", FB_FAIL))
			return FB_FAIL;
		/* the server runs as another user: it must reach srv/ inside */
		chmod(tmpl, 0755);
		pg.top = xstrdup(tmpl);
		pg.dir = xasprintf("%s/srv", tmpl);
	}
	atexit(pg_stop);
	argv[0] = pg.script;
	argv[2] = pg.dir;
	st = run_capture(argv, &uri);
	free(uri);
	if (st == 4)
		return fb_skip("sysbench oltp: PostgreSQL is not installed");
	if (st)
		return fb_fail("sysbench oltp: the PostgreSQL server did not start (%s start %s)",
			       pg.script, pg.dir);
	if (*p->server_cpus && pg_pin(p->server_cpus))
		return fb_fail("sysbench oltp: cannot pin the server to '%s'", p->server_cpus);
	return FB_OK;
}

/* sysbench's options that point it at the server and size the tables. */
static unsigned oltp_args(const struct sysbench_params *p, const char **argv, char buf[][128])
{
	unsigned n = 0;

	argv[n++] = "--db-driver=pgsql";
	snprintf(buf[0], 128, "--pgsql-host=%s", pg.dir);
	argv[n++] = buf[0];
	argv[n++] = "--pgsql-user=postgres";
	argv[n++] = "--pgsql-db=postgres";
	snprintf(buf[1], 128, "--tables=%lld", p->tables);
	argv[n++] = buf[1];
	snprintf(buf[2], 128, "--table-size=%lld", p->table_size);
	argv[n++] = buf[2];
	return n;
}

/* Once per run: the server, and the tables every oltp step then uses. */
static int pg_ready(const struct sysbench_params *p)
{
	const char *argv[16];
	char buf[3][128];
	unsigned n = 0;
	int ret;

	if (pg.prepared)
		return FB_OK;
	/* the socket, DIR/.s.PGSQL.5432, must fit in sun_path (108 bytes) */
	if (strlen(p->pg_dir) > 90)
		return fb_usage("option '--pg-dir': '%s' is too long for a socket path", p->pg_dir);
	if (!pg.dir) {
		ret = pg_start(p);
		if (ret)
			return ret;
	}
	argv[n++] = "sysbench";
	argv[n++] = "oltp_common";
	n += oltp_args(p, argv + n, buf);
	/* a --pg-dir cluster may hold an earlier run's tables: drop them first */
	argv[n++] = "cleanup";
	argv[n] = NULL;
	run_capture(argv, NULL);
	argv[n - 1] = "prepare";
	if (run_capture(argv, NULL))
		return fb_fail("sysbench oltp: preparing the tables failed");
	pg.prepared = true;
	return FB_OK;
}

/* In the child: sysbench's threads run on the step's PUs. */
static void pin_sysbench(void *arg)
{
	const struct step_ctx *sc = arg;

	pin_self_to(sc->pus, sc->nworkers);
}

/* Run sysbench with its stdout captured; returns the whole output or NULL. */
static char *run_sysbench(struct step_ctx *sc, unsigned interval, unsigned seconds, int *ret)
{
	const struct sysbench_params *p = sc->params;
	const char *argv[SB_MAX_ARGS + 16];
	char threads[32], time_arg[32], report[32], dbbuf[3][128], why[256];
	char *extra = xstrdup(p->extra_args ? p->extra_args : ""), *tok, *save = NULL;
	char *out;
	unsigned argc = 0;
	/* its own group: a ^C passed on reaches every thread it started */
	struct spawn sp = {
		.argv = argv,
		.out = { SPAWN_CAPTURE },
		.own_group = true,
		.pass_interrupt = true,
		.child_setup = pin_sysbench,
		.child_arg = sc,
	};

	snprintf(threads, sizeof(threads), "--threads=%u", sc->nworkers);
	snprintf(time_arg, sizeof(time_arg), "--time=%u", seconds);
	snprintf(report, sizeof(report), "--report-interval=%u", interval);
	argv[argc++] = "sysbench";
	argv[argc++] = threads;
	argv[argc++] = time_arg;
	argv[argc++] = report;
	if (is_oltp(p))
		argc += oltp_args(p, argv + argc, dbbuf);
	for (tok = strtok_r(extra, " ", &save); tok && argc < SB_MAX_ARGS;
	     tok = strtok_r(NULL, " ", &save))
		argv[argc++] = tok;
	argv[argc++] = test_name(p);
	argv[argc++] = "run";
	argv[argc] = NULL;

	*ret = FB_OK;
	spawn_run(&sp);
	free(extra);
	if (sp.end == SPAWN_NOT_RUN) {
		*ret = fb_fail("sysbench: %s", spawn_describe(&sp, why, sizeof(why)));
		spawn_clear(&sp);
		return NULL;
	}
	if (fb_interrupted)
		*ret = 128 + fb_interrupted;
	else if (sp.code)
		*ret = fb_fail("sysbench %s failed (%s)", test_name(p),
			       spawn_describe(&sp, why, sizeof(why)));
	out = sp.out_buf;
	sp.out_buf = NULL;
	spawn_clear(&sp);
	return out;
}

double sysbench_find_number(const char *text, const char *key)
{
	const char *s = strstr(text, key);

	if (!s)
		return NAN;
	s += strlen(key);
	while (*s == ' ' || *s == ':' || *s == '(' || *s == '\t')
		s++;
	return strtod(s, NULL);
}

static double number_after(const char *line, size_t len, const char *key)
{
	const char *k = strstr(line, key);

	return k && (size_t)(k - line) < len ? strtod(k + strlen(key), NULL) : NAN;
}

/*
 * "[ 3s ] thds: 2 eps: 1795.83 lat (ms,95%): 1.12" (cpu, threads) or
 * "[ 3s ] 2749.99 MiB/sec" (memory).
 */
unsigned sysbench_parse_intervals(const char *out, struct sysbench_interval **iv)
{
	unsigned n = 0, cap = 0;
	const char *line;

	*iv = NULL;
	for (line = out; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		const char *eol = strchr(line, '\n'), *close = strchr(line, ']');
		size_t ll = eol ? (size_t)(eol - line) : strlen(line);
		struct sysbench_interval one;

		if (line[0] != '[' || !close || (size_t)(close - line) > ll)
			continue;
		one.eps = number_after(line, ll, "eps:");
		if (isnan(one.eps)) /* oltp: transactions per second */
			one.eps = number_after(line, ll, "tps:");
		one.lat95 = number_after(line, ll, "lat (ms,95%):");
		one.mibs =
		    strstr(close, "MiB/sec") && (size_t)(strstr(close, "MiB/sec") - line) < ll
			? strtod(close + 1, NULL)
			: NAN;
		if (isnan(one.eps) && isnan(one.mibs))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			*iv = xrealloc(*iv, cap * sizeof(**iv));
		}
		(*iv)[n++] = one;
	}
	return n;
}

static void fill(struct step_ctx *sc, const char *out, unsigned interval, unsigned skip)
{
	struct step_result *r = sc->result;
	struct sysbench_interval *iv;
	unsigned n = sysbench_parse_intervals(out, &iv), i, k, first = skip;
	const char *ops = strstr(out, "Total operations:"), *mib = strstr(out, "MiB transferred");
	/* memory: "Total operations: 63529 ( 6352.04 per second)" and
	 * "62.04 MiB transferred (6.20 MiB/sec)" */
	double ops_s = ops ? sysbench_find_number(ops, "(") : NAN;
	double mib_s = mib ? sysbench_find_number(mib, "MiB transferred") : NAN;

	/* Memory intervals give MiB/s only: operations per MiB turn them into events. */
	for (i = 0; i < n; i++)
		if (isnan(iv[i].eps))
			iv[i].eps = mib_s > 0 ? iv[i].mibs * ops_s / mib_s : 0;
	r->nsamples = n > first ? n - first : 0;
	if (r->nsamples > sc->ro->samples)
		r->nsamples = sc->ro->samples;
	r->samples = xcalloc(r->nsamples ? r->nsamples : 1, sizeof(*r->samples));
	for (i = 0; i < r->nsamples; i++) {
		struct sample *s = &r->samples[i];

		s->t = interval;
		s->count = xcalloc(sc->nworkers, sizeof(*s->count));
		s->minflt = xcalloc(sc->nworkers, sizeof(*s->minflt));
		s->majflt = xcalloc(sc->nworkers, sizeof(*s->majflt));
		s->cpu = xcalloc(sc->nworkers, sizeof(*s->cpu));
		s->ev = xcalloc(sc->nworkers, sizeof(*s->ev));
		/* sysbench reports totals only: all events on the first worker. */
		s->count[0][0] = llround(iv[first + i].eps * interval);
		for (k = 0; k < sc->nworkers; k++)
			s->cpu[k] = sc->pus[k];
	}
	free(iv);
}

/*
 * Latency and MiB/s come after the generic events/s (derive runs after it), so
 * that events/s leads the table.  Parsed again from the recorded output.
 */
static void sysbench_derive(const struct step_ctx *sc, struct step_result *r)
{
	json_t *sb = r->extra ? json_object_get(r->extra, "sysbench") : NULL;
	const char *out = sb ? json_string_value(json_object_get(sb, "output")) : NULL;
	const char *mib;
	struct sysbench_interval *iv;
	unsigned n, i, first;
	double mib_s, summary;
	struct metric *m;

	if (!out)
		return;
	n = sysbench_parse_intervals(out, &iv);
	first = json_integer_value(json_object_get(sb, "skipped_reports"));
	if (first + r->nsamples > n) {
		free(iv);
		return;
	}
	mib = strstr(out, "MiB transferred");
	mib_s = mib ? sysbench_find_number(mib, "MiB transferred") : NAN;
	m = step_add_metric(r, "lat-p95-ms", false);
	summary = sysbench_find_number(out, "95th percentile:");
	for (i = 0; i < m->n; i++)
		m->v[i] = isnan(iv[first + i].lat95) ? summary : iv[first + i].lat95;
	m->value = summary;
	m = step_add_metric(r, "lat-avg-ms", false);
	summary = sysbench_find_number(out, "avg:");
	for (i = 0; i < m->n; i++)
		m->v[i] = summary;
	m->value = summary;
	if (!isnan(mib_s)) {
		m = step_add_metric(r, "MiB/s", true);
		m->value = mib_s;
		for (i = 0; i < m->n; i++)
			m->v[i] = isnan(iv[first + i].mibs) ? mib_s : iv[first + i].mibs;
	}
	free(iv);
}

static int sysbench_run_step(struct step_ctx *sc)
{
	const struct sysbench_params *p = sc->params;
	const struct run_opts *ro = sc->ro;
	unsigned interval = ro->sample_time < 1 ? 1 : (unsigned)ceil(ro->sample_time);
	unsigned skip = ceil(ro->warmup / interval);
	/* One interval more: sysbench may end before printing the last report. */
	unsigned seconds = interval * (skip + ro->samples + 1);
	struct step_result *r = sc->result;
	json_t *sb;
	char *out;
	int ret;

	if (is_oltp(p)) {
		ret = pg_ready(p);
		if (ret)
			return ret;
	}
	out = run_sysbench(sc, interval, seconds, &ret);
	if (!out)
		return ret;
	fill(sc, out, interval, skip);
	sb = json_object();
	json_object_set_new(sb, "test", json_string(test_name(p)));
	if (is_oltp(p))
		json_object_set_new(sb, "server",
				    json_pack("{s:s, s:s, s:I, s:I}", "what",
					      "PostgreSQL, throw-away cluster, Unix socket", "cpus",
					      *p->server_cpus ? p->server_cpus : "not pinned",
					      "tables", (json_int_t)p->tables, "table_size",
					      (json_int_t)p->table_size));
	json_object_set_new(sb, "report_interval_s", json_integer(interval));
	json_object_set_new(sb, "skipped_reports", json_integer(skip));
	json_object_set_new(sb, "output", json_string(out));
	if (!r->extra)
		r->extra = json_object();
	json_object_set_new(r->extra, "sysbench", sb);
	r->complete = ret == FB_OK && r->nsamples > 0;
	if (ret == FB_OK && !r->nsamples)
		ret = fb_fail("sysbench %s: no intermediate reports in its output", test_name(p));
	free(out);
	return ret;
}

const struct bench bench_sysbench = {
	.name = "sysbench",
	.summary = "Debian's sysbench cpu, threads, memory and OLTP (on a PostgreSQL server it "
		   "starts) tests, when installed, in faultbench's result format",
	.opts = sysbench_opts,
	.params_size = sizeof(struct sysbench_params),
	.counters = { "events" },
	.check = sysbench_check,
	.run_step = sysbench_run_step,
	.derive = sysbench_derive,
};
