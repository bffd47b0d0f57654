// SPDX-License-Identifier: GPL-2.0
/*
 * A call-graph profile of one step with linux-perf, so a result says where
 * the kernel spent the time, not only how long it took:
 *
 *   perf record -C <the step's CPUs> -g -o <result>.perf.data   (while it runs)
 *   perf report --stdio --no-children --sort symbol -g folded,0.05,callee,...
 *
 * The report's top kernel symbols, each with its percentage of all samples
 * and its heaviest call chains (callers, innermost first), go into the result
 * JSON; perf.data stays beside it for a closer look.  Only the CPUs the
 * step's workers are pinned to are sampled, not the whole machine (-a): on a
 * machine shared with other load, a tenant elsewhere (a KVM host's page-table
 * walker, another job's compiler) does not show up among the workers'
 * symbols.  What else runs on those CPUs still does.  Without perf, or
 * without permission, there is no profile and the result says why; the run
 * is never failed for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "spawn.h"
#include "util.h"

#define TOP_SYMBOLS 20
/*
 * Chains kept per symbol as perf prints them.  perf splits one call path
 * into several lines when the user-space frames below it differ only by
 * address ("...;fault_worker_loop;0" and ";0x1"), so more are kept than the
 * 3 per symbol compare shows after merging those (analysis/profile_cmp.c).
 */
#define TOP_CHAINS   8
#define CHAIN_FRAMES 12

/*
 * perf record opens its output itself, following links and truncating, and
 * renames an old one to .old: it writes into a private directory of ours
 * (mkdtemp, mode 0700) beside the result, and the finished files are then
 * linked into place under names nobody had (fb_publish_at()).  A link planted
 * in a results directory others can write to is never written through.
 */
struct profile {
	struct spawn perf; /* perf record */
	char *final;	   /* where perf.data goes when done */
	char *tmpdir;	   /* private: perf.data and perf.log while perf runs */
	char *data;	   /* perf.data path in tmpdir */
	char *log;	   /* perf record's stdout and stderr, in tmpdir */
	char *cpus;	   /* -C list, NULL: -a */
};

static const char *perf_binary(void)
{
	const char *env = getenv("FB_PERF");

	return env && *env ? env : "perf";
}

/* The first telling line of perf's log: its reason for failing. */
static char *log_reason(const char *log, const char *fallback)
{
	char *text = read_text_file(log), *line = NULL, *s, *save = NULL;
	char *ret;

	for (s = text ? strtok_r(text, "\n", &save) : NULL; s; s = strtok_r(NULL, "\n", &save))
		if (!line && strspn(s, " \t") != strlen(s) && strcmp(s, "Error:"))
			line = s;
	ret =
	    xasprintf("%s%s%s", fallback, line ? ": " : "", line ? line + strspn(line, " \t") : "");
	free(text);
	return ret;
}

/* In perf record's child: if faultbench dies without stopping it, perf stops too. */
static void perf_record_setup(void *arg)
{
	prctl(PR_SET_PDEATHSIG, SIGINT);
}

/* Empty the private directory (perf.data, its log, perf's .old) and remove it. */
static void remove_tmpdir(struct profile *p)
{
	char *old = xasprintf("%s.old", p->data);

	unlink(p->data);
	unlink(p->log);
	unlink(old);
	free(old);
	if (rmdir(p->tmpdir))
		fb_warn("profile: could not remove '%s': %s", p->tmpdir, strerror(errno));
}

static void free_profile(struct profile *p)
{
	spawn_clear(&p->perf);
	free(p->final);
	free(p->tmpdir);
	free(p->data);
	free(p->log);
	free(p->cpus);
	free(p);
}

static int fail_start(struct profile *p, char **why, char *reason)
{
	*why = reason;
	if (p->tmpdir)
		remove_tmpdir(p);
	free_profile(p);
	return FB_SKIP;
}

int profile_start(struct profile **pp, const char *perf_data_path, const char *cpus, char **why)
{
	struct profile *p = xcalloc(1, sizeof(*p));
	struct spawn *sp = &p->perf;
	struct stat st;
	double deadline;
	char msg[256];

	*pp = NULL;
	*why = NULL;
	const char *slash = strrchr(perf_data_path, '/');

	p->final = xstrdup(perf_data_path);
	p->cpus = cpus ? xstrdup(cpus) : NULL;
	p->tmpdir = xasprintf("%.*s.fb-perf.XXXXXX", slash ? (int)(slash - perf_data_path + 1) : 0,
			      perf_data_path);
	if (!mkdtemp(p->tmpdir)) {
		int err = errno;

		free(p->tmpdir);
		p->tmpdir = NULL;
		return fail_start(p, why,
				  xasprintf("profile: cannot create a directory for "
					    "perf.data: %s",
					    strerror(err)));
	}
	p->data = xasprintf("%s/perf.data", p->tmpdir);
	p->log = xasprintf("%s/perf.log", p->tmpdir);
	/* the step's CPUs only: another tenant's symbols stay out of the profile */
	const char *argv_cpus[] = { perf_binary(), "record", "-C",    p->cpus, "-g",
				    "-q",	   "-o",     p->data, NULL };
	const char *argv_all[] = { perf_binary(), "record", "-a", "-g", "-q", "-o", p->data, NULL };

	*sp = (struct spawn){
		.argv = p->cpus ? argv_cpus : argv_all,
		.out = { SPAWN_FILE, .path = p->log },
		.err = { SPAWN_TO_STDOUT },
		/* its own process group: ^C reaches faultbench, which stops perf itself */
		.own_group = true,
		.child_setup = perf_record_setup,
	};
	if (spawn_start(sp))
		return fail_start(
		    p, why, xasprintf("perf record: %s", spawn_describe(sp, msg, sizeof(msg))));
	/* the argv array lives in this function only; the child has it now */
	sp->argv = NULL;
	/*
	 * perf writes the file header once its events are open; until then the
	 * step must not start, or its beginning goes unprofiled.
	 */
	deadline = now_monotonic() + 10;
	while (now_monotonic() < deadline) {
		if (spawn_exited(sp))
			return fail_start(p, why, log_reason(p->log, "perf record exited"));
		if (stat(p->data, &st) == 0 && st.st_size > 0)
			break;
		usleep(20000);
	}
	if (now_monotonic() >= deadline) {
		spawn_stop(sp, SIGKILL, 0);
		return fail_start(p, why, xstrdup("perf record did not start within 10 s"));
	}
	/* opening per-CPU events comes after the header; give it a moment */
	usleep(200000);
	if (spawn_exited(sp))
		return fail_start(p, why, log_reason(p->log, "perf record exited"));
	*pp = p;
	return FB_OK;
}

/* Run argv, return its stdout (malloc'd) or NULL when it failed; stderr goes to errlog. */
static char *capture(const char *const *argv, const char *errlog)
{
	struct spawn sp = {
		.argv = argv,
		.env = (const char *const[]){ "LC_ALL=C", NULL },
		.out = { SPAWN_CAPTURE },
		.err = { SPAWN_APPEND, .path = errlog },
	};
	char *out = NULL;

	if (!spawn_run(&sp)) {
		out = sp.out_buf;
		sp.out_buf = NULL;
	}
	spawn_clear(&sp);
	return out;
}

/* "     5.38%  [k] clear_page_erms      -   -  " -> percent, kernel?, symbol */
static bool parse_entry(char *line, double *pct, bool *kernel, char **sym)
{
	char *end, *s = line + strspn(line, " ");
	size_t n;

	*pct = strtod(s, &end);
	if (end == s || *end != '%' || strncmp(end + 1, "  [", 3) || !end[4] || end[5] != ']')
		return false;
	*kernel = end[4] == 'k';
	s = end + 6 + strspn(end + 6, " ");
	/* perf appends IPC columns ("-  -") when it has no branch data: drop them */
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '-'))
		s[--n] = '\0';
	*sym = s;
	return n > 0;
}

/* "4.35% a;b;c" (folded, callee order: the symbol first, then its callers) */
static json_t *parse_chain(char *line)
{
	char *end, *frame, *save = NULL;
	double pct = strtod(line, &end);
	json_t *o, *stack;
	unsigned n = 0;

	if (end == line || *end != '%' || end[1] != ' ')
		return NULL;
	o = json_object();
	stack = json_array();
	json_object_set_new(o, "percent", json_real(pct));
	frame = strtok_r(end + 2, ";", &save);
	/* the first frame is the symbol itself */
	for (frame = frame ? strtok_r(NULL, ";", &save) : NULL; frame && n < CHAIN_FRAMES;
	     frame = strtok_r(NULL, ";", &save), n++)
		json_array_append_new(stack, json_string(frame));
	json_object_set_new(o, "callers", stack);
	return o;
}

static void parse_header(const char *line, json_t *out)
{
	char samples[32], event[128];

	/* "# Samples: 10K of event 'cpu-clock:ppp'" */
	if (sscanf(line, "# Samples: %31s of event '%127[^']'", samples, event) == 2) {
		json_object_set_new(out, "samples", json_string(samples));
		json_object_set_new(out, "event", json_string(event));
	}
}

json_t *profile_parse_report(char *text, json_t *out)
{
	json_t *top = json_array(), *cur = NULL;
	char *line, *save = NULL;
	unsigned nchains = 0;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		double pct;
		bool kernel;
		char *sym;

		if (line[0] == '#') {
			parse_header(line, out);
			continue;
		}
		if (parse_entry(line, &pct, &kernel, &sym)) {
			cur = NULL;
			if (!kernel || json_array_size(top) >= TOP_SYMBOLS)
				continue;
			cur = json_object();
			json_object_set_new(cur, "symbol", json_string(sym));
			json_object_set_new(cur, "percent", json_real(pct));
			json_object_set_new(cur, "callers", json_array());
			json_array_append_new(top, cur);
			nchains = 0;
		} else if (cur && nchains < TOP_CHAINS) {
			json_t *c = parse_chain(line);

			if (c) {
				json_array_append_new(json_object_get(cur, "callers"), c);
				nchains++;
			}
		}
	}
	return top;
}

int profile_parse_counts(const char *spec, unsigned **counts, unsigned *n)
{
	const char *s = spec;
	unsigned long v;
	char *end;

	*counts = NULL;
	*n = 0;
	if (!spec || !*spec)
		return -1;
	for (;;) {
		/* digits only: strtoul would take " 4", "+4" and "-1" (as a huge count) */
		if (*s < '0' || *s > '9')
			break;
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || !v || v > 1u << 20)
			break;
		*counts = xrealloc(*counts, (*n + 1) * sizeof(**counts));
		(*counts)[(*n)++] = (unsigned)v;
		if (!*end)
			return 0;
		if (*end != ',')
			break;
		s = end + 1;
	}
	free(*counts);
	*counts = NULL;
	*n = 0;
	return -1;
}

static void stop_perf(struct profile *p, json_t *out)
{
	/* perf writes build-ids on the way out, which can take a while */
	if (spawn_stop(&p->perf, SIGINT, 120))
		json_object_set_new(out, "warning",
				    json_string("perf record was killed after 120 s"));
}

/*
 * perf.data (and perf's messages, when there are any) from the private
 * directory to their names beside the result: the first free one of
 * NAME.perf.data, NAME-2.perf.data, ...; NAME.perf.data.log beside it.
 */
static void publish(struct profile *p, json_t *out)
{
	char *outdir = xstrdup(p->final), *slash = strrchr(outdir, '/'), *stem, *name = NULL;
	const char *base = slash ? slash + 1 : p->final, *ext = ".perf.data";
	int from = open(p->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), to, ret;
	size_t n = strlen(base), e = strlen(ext);
	struct stat st;

	if (slash)
		*slash = '\0';
	to = open(slash ? (*outdir ? outdir : "/") : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n <= e || strcmp(base + n - e, ext))
		ext = "", e = 0;
	stem = xasprintf("%.*s", (int)(n - e), base);
	ret = from < 0 || to < 0
		  ? -errno
		  : fb_publish_at(from, "perf.data", to, stem, ext, FB_NEW_UNIQUE, &name);
	if (ret) {
		json_object_set_new(out, "warning",
				    json_sprintf("perf.data not kept: %s", strerror(-ret)));
	} else {
		json_object_set_new(
		    out, "perf_data",
		    json_sprintf("%s%s%s", slash ? outdir : "", slash ? "/" : "", name));
		/* perf's own messages are kept beside perf.data only when there are any */
		if (stat(p->log, &st) == 0 && st.st_size > 0)
			fb_publish_at(from, "perf.log", to, name, ".log", FB_NEW_UNIQUE, NULL);
	}
	free(name);
	free(stem);
	free(outdir);
	if (from >= 0)
		close(from);
	if (to >= 0)
		close(to);
}

json_t *profile_finish(struct profile *p)
{
	json_t *out = json_object(), *top;
	char *text, *reason, *cmd;
	const char *argv[] = {
		perf_binary(),	   "report", "-i",     NULL, "--stdio",
		"--no-children",   "--sort", "symbol", "-g", "folded,0.05,callee,function,percent",
		"--percent-limit", "0.5",    NULL
	};

	if (!p) {
		json_object_set_new(out, "skipped", json_string("no profile was started"));
		return out;
	}
	stop_perf(p, out);
	cmd = p->cpus ? xasprintf("perf record -C %s -g", p->cpus) : xstrdup("perf record -a -g");
	json_object_set_new(out, "command", json_string(cmd));
	free(cmd);
	if (p->cpus)
		json_object_set_new(out, "cpus", json_string(p->cpus));
	argv[3] = p->data;
	text = capture(argv, p->log);
	if (!text) {
		reason = log_reason(p->log, "perf report failed");
		json_object_set_new(out, "skipped", json_string(reason));
		free(reason);
	} else {
		top = profile_parse_report(text, out);
		json_object_set_new(out, "top", top);
		json_object_set_new(
		    out, "report",
		    json_string("perf report --stdio --no-children --sort symbol -g "
				"folded,0.05,callee: percent of all samples, kernel "
				"symbols only; callers innermost first"));
	}
	free(text);
	publish(p, out);
	remove_tmpdir(p);
	free_profile(p);
	return out;
}
