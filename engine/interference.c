// SPDX-License-Identifier: GPL-2.0
/*
 * Interference per sample (see interference.h): the parsers of the /proc
 * files it reads, the disturbed rule, reading the live system between
 * samples, and the figures of a sample, a step and their JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "interference.h"
#include "util.h"

/*
 * Calibrated on the development VM (docs/compare.md, "Interference"): a
 * quiet worker has a share above 0.99 and waits well under 1%; a busy loop
 * pinned to its CPU halves its share and makes it wait ~50%.
 */
const struct intf_bounds intf_bounds = {
	.share_min = 0.97,
	.wait_max = 0.03,
	.other_max = 0.05,
	.steal_max = 0.02,
};

/* ---- parsers ---- */

int intf_parse_schedstat(const char *text, uint64_t *exec_ns, uint64_t *delay_ns)
{
	unsigned long long e, d;

	if (!text || sscanf(text, "%llu %llu", &e, &d) != 2)
		return -1;
	*exec_ns = e;
	*delay_ns = d;
	return 0;
}

/* The number after "key:" at the start of a line of text. */
static int line_value(const char *text, const char *key, uint64_t *out)
{
	size_t len = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long long v;

		if (strncmp(p, key, len) || p[len] != ':')
			continue;
		if (sscanf(p + len + 1, " %llu", &v) != 1)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

int intf_parse_ctxt(const char *text, uint64_t *nvcsw, uint64_t *nivcsw)
{
	if (!text || line_value(text, "voluntary_ctxt_switches", nvcsw) ||
	    line_value(text, "nonvoluntary_ctxt_switches", nivcsw))
		return -1;
	return 0;
}

/*
 * One "cpuN user nice system idle iowait irq softirq steal ..." line after
 * "cpuN": busy and steal ticks.  Kernels before 2.6.11 had no steal field:
 * they are not supported anyway.
 */
static int parse_stat_fields(const char *p, uint64_t *busy, uint64_t *steal)
{
	unsigned long long v[8];

	if (sscanf(p, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
		   &v[5], &v[6], &v[7]) != 8)
		return -1;
	/* user, nice, system, irq, softirq; idle and iowait are not busy */
	*busy = v[0] + v[1] + v[2] + v[5] + v[6];
	*steal = v[7];
	return 0;
}

/*
 * Walk the per-CPU lines of /proc/stat once: pu_index[cpu] is where CPU
 * cpu's figures go (-1: not ours).  Returns how many were found.  One pass,
 * because a large machine has hundreds of lines and we want few of them.
 */
static unsigned parse_stat_cpus(const char *text, const int *pu_index, unsigned nindex,
				uint64_t *busy, uint64_t *steal, bool *found)
{
	unsigned n = 0;

	for (const char *p = text; p && !strncmp(p, "cpu", 3);
	     p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		char *end;
		unsigned long cpu;

		if (p[3] < '0' || p[3] > '9')
			continue; /* the "cpu " total line */
		cpu = strtoul(p + 3, &end, 10);
		if (cpu >= nindex || pu_index[cpu] < 0 || *end != ' ')
			continue;
		if (!parse_stat_fields(end, &busy[pu_index[cpu]], &steal[pu_index[cpu]])) {
			found[pu_index[cpu]] = true;
			n++;
		}
	}
	return n;
}

int intf_parse_stat_cpu(const char *text, unsigned cpu, uint64_t *busy, uint64_t *steal)
{
	int *index = xmalloc((cpu + 1) * sizeof(int));
	bool found = false;

	for (unsigned i = 0; i < cpu; i++)
		index[i] = -1;
	index[cpu] = 0;
	parse_stat_cpus(text, index, cpu + 1, busy, steal, &found);
	free(index);
	return found ? 0 : -1;
}

int intf_parse_psi_some(const char *text, uint64_t *total_us)
{
	const char *p = text;
	unsigned long long v;

	if (!p || strncmp(p, "some ", 5))
		return -1;
	p = strstr(p, "total=");
	if (!p || p > strchr(text, '\n') || sscanf(p + 6, "%llu", &v) != 1)
		return -1;
	*total_us = v;
	return 0;
}

/* ---- the rule ---- */

bool intf_sample_judge(struct intf_sample *s, const struct intf_bounds *b)
{
	bool d = false;

	for (unsigned i = 0; i < s->nworkers; i++) {
		d |= s->wait[i] > b->wait_max; /* NAN compares false: unknown is not disturbed */
		d |= s->nvcsw[i] == 0 && s->share[i] < b->share_min;
	}
	for (unsigned p = 0; p < s->npus; p++) {
		double tick = isfinite(s->tick_frac) ? s->tick_frac : 0;

		/* the lowest value each reading allows, see interference.h */
		d |= s->other[p] - 2 * tick > b->other_max;
		d |= s->steal[p] - tick > b->steal_max;
	}
	s->disturbed = d;
	return d;
}

/* ---- a sample's figures ---- */

struct intf_sample *intf_sample_alloc(unsigned nworkers, unsigned npus)
{
	struct intf_sample *s = xcalloc(1, sizeof(*s));

	s->nworkers = nworkers;
	s->npus = npus;
	s->share = xcalloc(nworkers ? nworkers : 1, sizeof(double));
	s->wait = xcalloc(nworkers ? nworkers : 1, sizeof(double));
	s->nvcsw = xcalloc(nworkers ? nworkers : 1, sizeof(int64_t));
	s->nivcsw = xcalloc(nworkers ? nworkers : 1, sizeof(int64_t));
	s->pu = xcalloc(npus ? npus : 1, sizeof(unsigned));
	s->other = xcalloc(npus ? npus : 1, sizeof(double));
	s->steal = xcalloc(npus ? npus : 1, sizeof(double));
	s->tick_frac = NAN;
	s->psi_some = NAN;
	s->read_s = NAN;
	return s;
}

void intf_sample_free(struct intf_sample *s)
{
	if (!s)
		return;
	free(s->share);
	free(s->wait);
	free(s->nvcsw);
	free(s->nivcsw);
	free(s->pu);
	free(s->other);
	free(s->steal);
	json_decref(s->retried);
	free(s);
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *num_array(const double *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, num(v[i]));
	return a;
}

static json_t *count_array(const int64_t *v, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(a, v[i] >= 0 ? json_integer(v[i]) : json_null());
	return a;
}

json_t *intf_sample_json(const struct intf_sample *s)
{
	json_t *o = json_object(), *pus = json_array();

	json_object_set_new(o, "share", num_array(s->share, s->nworkers));
	json_object_set_new(o, "wait", num_array(s->wait, s->nworkers));
	json_object_set_new(o, "nivcsw", count_array(s->nivcsw, s->nworkers));
	json_object_set_new(o, "nvcsw", count_array(s->nvcsw, s->nworkers));
	for (unsigned p = 0; p < s->npus; p++)
		json_array_append_new(pus, json_integer(s->pu[p]));
	json_object_set_new(o, "pus", pus);
	json_object_set_new(o, "other", num_array(s->other, s->npus));
	json_object_set_new(o, "steal", num_array(s->steal, s->npus));
	json_object_set_new(o, "tick", num(s->tick_frac));
	json_object_set_new(o, "psi_some", num(s->psi_some));
	json_object_set_new(o, "read_s", num(s->read_s));
	json_object_set_new(o, "disturbed", json_boolean(s->disturbed));
	if (s->retries) {
		json_object_set_new(o, "retries", json_integer(s->retries));
		if (s->retried)
			json_object_set(o, "retried", s->retried);
	}
	return o;
}

/* ---- a step's summary ---- */

static double worst(double cur, double v, bool lower)
{
	if (!isfinite(v))
		return cur;
	if (!isfinite(cur))
		return v;
	return lower ? fmin(cur, v) : fmax(cur, v);
}

void intf_step_summary(const struct step_result *r, struct intf_step *st)
{
	memset(st, 0, sizeof(*st));
	st->share_min = st->wait_max = st->other_max = st->steal_max = NAN;
	st->psi_some = st->read_s_max = NAN;
	for (unsigned k = 0; k < r->nsamples; k++) {
		const struct intf_sample *s = r->samples[k].intf;

		if (!s)
			continue;
		st->known = true;
		st->samples++;
		st->samples_disturbed += s->disturbed;
		st->retries += s->retries;
		for (unsigned i = 0; i < s->nworkers; i++) {
			st->share_min = worst(st->share_min, s->share[i], true);
			st->wait_max = worst(st->wait_max, s->wait[i], false);
		}
		for (unsigned p = 0; p < s->npus; p++) {
			st->other_max = worst(st->other_max, s->other[p], false);
			st->steal_max = worst(st->steal_max, s->steal[p], false);
		}
		st->psi_some = worst(st->psi_some, s->psi_some, false);
		st->read_s_max = worst(st->read_s_max, s->read_s, false);
	}
	st->disturbed = st->samples_disturbed > 0;
}

json_t *intf_step_json(const struct intf_step *st)
{
	json_t *o = json_object();

	json_object_set_new(o, "share_min", num(st->share_min));
	json_object_set_new(o, "wait_max", num(st->wait_max));
	json_object_set_new(o, "other_max", num(st->other_max));
	json_object_set_new(o, "steal_max", num(st->steal_max));
	json_object_set_new(o, "psi_some", num(st->psi_some));
	json_object_set_new(o, "read_s_max", num(st->read_s_max));
	json_object_set_new(o, "samples", json_integer(st->samples));
	json_object_set_new(o, "samples_disturbed", json_integer(st->samples_disturbed));
	json_object_set_new(o, "disturbed", json_boolean(st->disturbed));
	json_object_set_new(o, "retries", json_integer(st->retries));
	return o;
}

json_t *intf_bounds_json(const struct intf_bounds *b)
{
	json_t *o = json_object();

	json_object_set_new(o, "share_min", json_real(b->share_min));
	json_object_set_new(o, "wait_max", json_real(b->wait_max));
	json_object_set_new(o, "other_max", json_real(b->other_max));
	json_object_set_new(o, "steal_max", json_real(b->steal_max));
	return o;
}

/* ---- reading the live system ---- */

struct intf {
	unsigned n;	     /* workers */
	unsigned npus;	     /* distinct pinned PUs */
	unsigned *pu;	     /* [npus] */
	unsigned *worker_pu; /* [n]: index into pu[] */
	int *pu_index;	     /* [max PU + 1]: index into pu[], or -1 */
	unsigned nindex;
	clockid_t *clk;		 /* [n]; -1: use schedstat */
	int *schedfd, *statusfd; /* [n] */
	int statfd, psifd;
	double tick_s; /* one /proc/stat tick, s */
	char *buf;
	size_t buflen;
};

struct intf_reading {
	double t_clock;				      /* middle of the CPU clock pass */
	double t_proc;				      /* middle of the /proc pass */
	double read_s;				      /* what the whole reading took */
	uint64_t *cpu_ns, *delay_ns, *nvcsw, *nivcsw; /* [n]; UINT64_MAX unknown */
	uint64_t *busy, *steal;			      /* [npus] ticks; UINT64_MAX unknown */
	bool *found;				      /* [npus] scratch */
	uint64_t psi_us;			      /* UINT64_MAX unknown */
};

struct intf *intf_create(const unsigned *pus, unsigned n)
{
	struct intf *in;
	unsigned max = 0;
	long hz = sysconf(_SC_CLK_TCK);

	/*
	 * Test-only: the end-to-end tests of everything else run on loaded
	 * machines, where every sample would be disturbed and their noise
	 * models and verdicts would depend on the load (tests/e2e/lib.sh).
	 */
	if (getenv("FB_TEST_NO_INTERFERENCE"))
		return NULL;
	in = xcalloc(1, sizeof(*in));

	in->n = n;
	in->pu = xcalloc(n ? n : 1, sizeof(unsigned));
	in->worker_pu = xcalloc(n ? n : 1, sizeof(unsigned));
	in->clk = xcalloc(n ? n : 1, sizeof(clockid_t));
	in->schedfd = xcalloc(n ? n : 1, sizeof(int));
	in->statusfd = xcalloc(n ? n : 1, sizeof(int));
	for (unsigned i = 0; i < n; i++)
		max = pus[i] > max ? pus[i] : max;
	in->nindex = max + 1;
	in->pu_index = xmalloc(in->nindex * sizeof(int));
	for (unsigned c = 0; c < in->nindex; c++)
		in->pu_index[c] = -1;
	/* --oversubscribe puts several workers on one PU: one entry per PU */
	for (unsigned i = 0; i < n; i++) {
		if (in->pu_index[pus[i]] < 0) {
			in->pu_index[pus[i]] = (int)in->npus;
			in->pu[in->npus++] = pus[i];
		}
		in->worker_pu[i] = (unsigned)in->pu_index[pus[i]];
		in->clk[i] = -1;
		in->schedfd[i] = in->statusfd[i] = -1;
	}
	in->tick_s = hz > 0 ? 1.0 / (double)hz : NAN;
	in->statfd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	/* absent without CONFIG_PSI, EOPNOTSUPP when booted with psi=0 */
	in->psifd = open("/proc/pressure/cpu", O_RDONLY | O_CLOEXEC);
	in->buflen = 4096;
	in->buf = xmalloc(in->buflen);
	return in;
}

void intf_attach(struct intf *in, unsigned i, pid_t tid, bool self_task, clockid_t clk)
{
	char path[64];

	if (!in || i >= in->n)
		return;
	in->clk[i] = clk;
	if (self_task)
		snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	in->schedfd[i] = open(path, O_RDONLY | O_CLOEXEC);
	if (self_task)
		snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	else
		snprintf(path, sizeof(path), "/proc/%d/status", tid);
	in->statusfd[i] = open(path, O_RDONLY | O_CLOEXEC);
}

void intf_destroy(struct intf *in)
{
	if (!in)
		return;
	for (unsigned i = 0; i < in->n; i++) {
		if (in->schedfd[i] >= 0)
			close(in->schedfd[i]);
		if (in->statusfd[i] >= 0)
			close(in->statusfd[i]);
	}
	if (in->statfd >= 0)
		close(in->statfd);
	if (in->psifd >= 0)
		close(in->psifd);
	free(in->pu);
	free(in->worker_pu);
	free(in->pu_index);
	free(in->clk);
	free(in->schedfd);
	free(in->statusfd);
	free(in->buf);
	free(in);
}

struct intf_reading *intf_reading_alloc(const struct intf *in)
{
	struct intf_reading *rd = xcalloc(1, sizeof(*rd));
	unsigned n = in->n ? in->n : 1, np = in->npus ? in->npus : 1;

	rd->cpu_ns = xcalloc(n, sizeof(uint64_t));
	rd->delay_ns = xcalloc(n, sizeof(uint64_t));
	rd->nvcsw = xcalloc(n, sizeof(uint64_t));
	rd->nivcsw = xcalloc(n, sizeof(uint64_t));
	rd->busy = xcalloc(np, sizeof(uint64_t));
	rd->steal = xcalloc(np, sizeof(uint64_t));
	rd->found = xcalloc(np, sizeof(bool));
	return rd;
}

void intf_reading_free(struct intf_reading *rd)
{
	if (!rd)
		return;
	free(rd->cpu_ns);
	free(rd->delay_ns);
	free(rd->nvcsw);
	free(rd->nivcsw);
	free(rd->busy);
	free(rd->steal);
	free(rd->found);
	free(rd);
}

/*
 * The whole of a /proc file into in->buf (NUL-terminated), or NULL.  In one
 * read from offset 0, again with a larger buffer when it filled this one:
 * the kernel formats the file anew for every read, and two reads at two
 * offsets would join two different moments in one line.
 */
static const char *read_whole(struct intf *in, int fd)
{
	for (;;) {
		ssize_t got;

		if (fd < 0)
			return NULL;
		got = pread(fd, in->buf, in->buflen - 1, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		if ((size_t)got < in->buflen - 1) {
			in->buf[got] = '\0';
			return in->buf;
		}
		in->buflen *= 2;
		in->buf = xrealloc(in->buf, in->buflen);
	}
}

static uint64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clk == (clockid_t)-1 || clock_gettime(clk, &ts))
		return UINT64_MAX;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void read_workers(struct intf *in, struct intf_reading *rd)
{
	for (unsigned i = 0; i < in->n; i++) {
		uint64_t exec;

		rd->delay_ns[i] = rd->nvcsw[i] = rd->nivcsw[i] = UINT64_MAX;
		if (intf_parse_schedstat(read_whole(in, in->schedfd[i]), &exec, &rd->delay_ns[i])) {
			rd->delay_ns[i] = UINT64_MAX;
		} else if (rd->cpu_ns[i] == UINT64_MAX) {
			rd->cpu_ns[i] = exec; /* no CPU clock: current to a tick */
		}
		if (intf_parse_ctxt(read_whole(in, in->statusfd[i]), &rd->nvcsw[i], &rd->nivcsw[i]))
			rd->nvcsw[i] = rd->nivcsw[i] = UINT64_MAX;
	}
}

static void read_system(struct intf *in, struct intf_reading *rd)
{
	const char *text = read_whole(in, in->statfd);

	for (unsigned p = 0; p < in->npus; p++) {
		rd->busy[p] = rd->steal[p] = UINT64_MAX;
		rd->found[p] = false;
	}
	if (text) {
		parse_stat_cpus(text, in->pu_index, in->nindex, rd->busy, rd->steal, rd->found);
		for (unsigned p = 0; p < in->npus; p++)
			if (!rd->found[p])
				rd->busy[p] = rd->steal[p] = UINT64_MAX;
	}
	if (intf_parse_psi_some(read_whole(in, in->psifd), &rd->psi_us))
		rd->psi_us = UINT64_MAX;
}

/*
 * Two passes, each with its own time stamp (its middle): the CPU clocks of
 * every worker first, back to back, so that share is over one interval for
 * all of them; then the slower /proc files.
 */
void intf_read(struct intf *in, struct intf_reading *rd)
{
	double t0 = now_monotonic(), t1;

	for (unsigned i = 0; i < in->n; i++)
		rd->cpu_ns[i] = clock_ns(in->clk[i]);
	t1 = now_monotonic();
	rd->t_clock = (t0 + t1) / 2;
	read_workers(in, rd);
	read_system(in, rd);
	rd->t_proc = (t1 + now_monotonic()) / 2;
	rd->read_s = now_monotonic() - t0;
}

static double delta_frac(uint64_t a, uint64_t b, double unit, double t)
{
	if (a == UINT64_MAX || b == UINT64_MAX || b < a || !(t > 0))
		return NAN;
	return (double)(b - a) * unit / t;
}

struct intf_sample *intf_sample_between(const struct intf *in, const struct intf_reading *a,
					const struct intf_reading *b)
{
	struct intf_sample *s = intf_sample_alloc(in->n, in->npus);
	double tc = b->t_clock - a->t_clock, tp = b->t_proc - a->t_proc;
	bool *cpu_known = xcalloc(in->npus ? in->npus : 1, sizeof(bool));
	double *cpu_s = xcalloc(in->npus ? in->npus : 1, sizeof(double));

	for (unsigned p = 0; p < in->npus; p++) {
		s->pu[p] = in->pu[p];
		cpu_known[p] = true;
	}
	for (unsigned i = 0; i < in->n; i++) {
		unsigned p = in->worker_pu[i];

		s->share[i] = delta_frac(a->cpu_ns[i], b->cpu_ns[i], 1e-9, tc);
		s->wait[i] = delta_frac(a->delay_ns[i], b->delay_ns[i], 1e-9, tp);
		s->nvcsw[i] = a->nvcsw[i] == UINT64_MAX || b->nvcsw[i] == UINT64_MAX
				  ? -1
				  : (int64_t)(b->nvcsw[i] - a->nvcsw[i]);
		s->nivcsw[i] = a->nivcsw[i] == UINT64_MAX || b->nivcsw[i] == UINT64_MAX
				   ? -1
				   : (int64_t)(b->nivcsw[i] - a->nivcsw[i]);
		if (isfinite(s->share[i]))
			cpu_s[p] += s->share[i] * tc;
		else
			cpu_known[p] = false;
	}
	for (unsigned p = 0; p < in->npus; p++) {
		double busy = delta_frac(a->busy[p], b->busy[p], in->tick_s, tp);

		/* our workers' own time is not interference; ticks can undercount it */
		s->other[p] = cpu_known[p] && isfinite(busy) ? fmax(0, busy - cpu_s[p] / tp) : NAN;
		s->steal[p] = delta_frac(a->steal[p], b->steal[p], in->tick_s, tp);
	}
	s->tick_frac = tp > 0 ? in->tick_s / tp : NAN;
	s->psi_some = delta_frac(a->psi_us, b->psi_us, 1e-6, tp);
	s->read_s = b->read_s;
	free(cpu_known);
	free(cpu_s);
	intf_sample_judge(s, &intf_bounds);
	return s;
}
