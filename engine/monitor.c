// SPDX-License-Identifier: GPL-2.0
/*
 * Monitors (see monitor.h): /proc/vmstat, the TLB line of /proc/interrupts
 * and per-node numastat, read by the parent at each sample boundary, never
 * by a worker.  Reading /proc/interrupts formats every IRQ of every CPU: on a
 * 512-CPU machine that is hundreds of kilobytes, so the parent reads it
 * after the workers' pass, outside the time stamp samples are measured by.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "util.h"

#define MON_NAME_LEN 48 /* == struct metric's name */

/* One file read at every boundary, feeding values [first, first + n). */
struct mon_source {
	char *path;
	char *label;   /* for messages: the path without the test root */
	int kind;      /* enum mon_kind */
	unsigned node; /* MON_NUMASTAT */
	unsigned first, n;
};

enum mon_kind { MON_VMSTAT, MON_TLB, MON_NUMASTAT };

struct monitor {
	unsigned n;
	char (*names)[MON_NAME_LEN];
	unsigned nsources;
	struct mon_source *src;
	unsigned *pus;
	unsigned npus;
	json_t *unavailable;
	char *buf; /* the last file read, grown as needed */
	size_t cap;
};

/* ---- parsers ---- */

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

unsigned monitor_parse_kv(const char *text, monitor_kv_fn fn, void *arg)
{
	unsigned n = 0;

	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n'), *k = p, *v;
		uint64_t value = 0;
		bool digits = false;

		if (!eol)
			eol = p + strlen(p);
		while (p < eol && key_char(*p))
			p++;
		v = p + 1;
		if (p > k && p < eol && *p == ' ') {
			/* saturate instead of wrapping: a garbled line must not look like a delta
			 */
			for (p = v; p < eol && *p >= '0' && *p <= '9'; p++, digits = true)
				value = value > (UINT64_MAX - 9) / 10
					    ? UINT64_MAX
					    : value * 10 + (uint64_t)(*p - '0');
			if (digits && p == eol) {
				fn(k, (size_t)(v - 1 - k), value, arg);
				n++;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
	return n;
}

static bool has_prefix(const char *key, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(key, prefix, n);
}

bool monitor_vmstat_wanted(const char *key, size_t len)
{
	static const char *const exact[] = { "pgfault", "pgmajfault" };
	static const char *const prefix[] = { "thp_fault_", "compact_", "numa_", "pgmigrate_" };

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (len == strlen(exact[i]) && !memcmp(key, exact[i], len))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefix); i++)
		if (has_prefix(key, len, prefix[i]))
			return true;
	return false;
}

static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static bool in_list(unsigned cpu, const unsigned *pus, unsigned npus)
{
	for (unsigned i = 0; i < npus; i++)
		if (pus[i] == cpu)
			return true;
	return false;
}

/* "CPU<n>" words of the header line into cpus (malloc'd); their number. */
static unsigned header_cpus(const char *p, const char *end, unsigned **cpus)
{
	unsigned n = 0;

	*cpus = NULL;
	for (p = skip_blanks(p, end); p < end; p = skip_blanks(p, end)) {
		char *e;
		unsigned long cpu;

		if (end - p < 4 || memcmp(p, "CPU", 3) || !isdigit((unsigned char)p[3]))
			break;
		cpu = strtoul(p + 3, &e, 10);
		if (e > end || cpu > UINT32_MAX)
			break;
		*cpus = xrealloc(*cpus, (n + 1) * sizeof(**cpus));
		(*cpus)[n++] = (unsigned)cpu;
		p = e;
	}
	return n;
}

/* Garbled input saturates, never wraps into a small plausible count. */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The line whose label (before ':', blanks trimmed) is "TLB", or NULL. */
static const char *find_tlb_line(const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			eol = p + strlen(p);
		p = skip_blanks(p, eol);
		if (eol - p >= 4 && !memcmp(p, "TLB:", 4))
			return p + 4;
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

int monitor_parse_tlb(const char *text, const unsigned *pus, unsigned npus, uint64_t *total,
		      uint64_t *workers)
{
	const char *eol = text ? strchr(text, '\n') : NULL, *p = find_tlb_line(text);
	unsigned *cpus, ncols;

	*total = *workers = 0;
	if (!p || !eol)
		return -1;
	ncols = header_cpus(text, eol, &cpus);
	if (!ncols)
		return -1;
	eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	/* one count per CPU column; the description ("TLB shootdowns") follows */
	for (unsigned c = 0; c < ncols; c++) {
		uint64_t v = 0;

		p = skip_blanks(p, eol);
		if (p == eol || !isdigit((unsigned char)*p))
			break;
		for (; p < eol && isdigit((unsigned char)*p); p++)
			v = v > (UINT64_MAX - 9) / 10 ? UINT64_MAX : v * 10 + (uint64_t)(*p - '0');
		*total = sat_add(*total, v);
		if (in_list(cpus[c], pus, npus))
			*workers = sat_add(*workers, v);
	}
	free(cpus);
	return 0;
}

/* ---- reading ---- */

/* The whole file into m->buf, NUL-terminated; 0 or -errno. */
static int read_whole(struct monitor *m, const char *path)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (m->cap - len < 4096) {
			m->cap = m->cap ? 2 * m->cap : 16384;
			m->buf = xrealloc(m->buf, m->cap);
		}
		r = read(fd, m->buf + len, m->cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	m->buf[len] = '\0';
	return 0;
}

static unsigned add_name(struct monitor *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static unsigned add_name(struct monitor *m, const char *fmt, ...)
{
	va_list ap;

	m->names = xrealloc(m->names, (m->n + 1) * sizeof(*m->names));
	va_start(ap, fmt);
	vsnprintf(m->names[m->n], MON_NAME_LEN, fmt, ap);
	va_end(ap);
	return m->n++;
}

/* Filling values of one source: which name the next key is expected to have. */
struct kv_fill {
	struct monitor *m;
	const struct mon_source *src;
	const char *prefix; /* "vmstat:", "numastat:node3:" */
	uint64_t *vals;	    /* NULL while deciding the names */
	unsigned next;	    /* the files keep their order: try this one first */
};

static bool name_is(const char *name, const char *prefix, const char *key, size_t len)
{
	size_t pl = strlen(prefix);

	return !strncmp(name, prefix, pl) && !strncmp(name + pl, key, len) && !name[pl + len];
}

static void kv_fill(const char *key, size_t len, uint64_t value, void *arg)
{
	struct kv_fill *f = arg;
	const struct mon_source *src = f->src;

	if (src->kind == MON_VMSTAT && !monitor_vmstat_wanted(key, len))
		return;
	if (!f->vals) {
		/* too long for a metric's name: left out rather than cut */
		if (strlen(f->prefix) + len < MON_NAME_LEN)
			add_name(f->m, "%s%.*s", f->prefix, (int)len, key);
		return;
	}
	for (unsigned k = 0; k < src->n; k++) {
		unsigned i = src->first + (f->next + k) % src->n;

		if (name_is(f->m->names[i], f->prefix, key, len)) {
			f->vals[i] = value;
			f->next = (i - src->first + 1) % src->n;
			return;
		}
	}
}

static void kv_prefix(const struct mon_source *src, char *buf, size_t len)
{
	if (src->kind == MON_NUMASTAT)
		snprintf(buf, len, "numastat:node%u:", src->node);
	else
		snprintf(buf, len, "vmstat:");
}

/* Read one source: its names (vals NULL, at creation) or its values. 0 or -1. */
static int read_source(struct monitor *m, struct mon_source *src, uint64_t *vals)
{
	char prefix[32];
	int ret = read_whole(m, src->path);

	if (ret) {
		if (!vals)
			json_object_set_new(m->unavailable, src->label,
					    json_string(strerror(-ret)));
		return -1;
	}
	if (src->kind == MON_TLB) {
		uint64_t total, workers;

		if (monitor_parse_tlb(m->buf, m->pus, m->npus, &total, &workers)) {
			if (!vals)
				json_object_set_new(m->unavailable, src->label,
						    json_string("no TLB line (not x86?)"));
			return -1;
		}
		if (!vals) {
			add_name(m, "interrupts:TLB");
			add_name(m, "interrupts:TLB:workers");
		} else {
			vals[src->first] = total;
			vals[src->first + 1] = workers;
		}
		return 0;
	}
	kv_prefix(src, prefix, sizeof(prefix));
	monitor_parse_kv(m->buf, kv_fill,
			 &(struct kv_fill){ .m = m, .src = src, .prefix = prefix, .vals = vals });
	if (!vals && m->n == src->first) {
		json_object_set_new(m->unavailable, src->label, json_string("no counters in it"));
		return -1;
	}
	return 0;
}

static void add_source(struct monitor *m, const char *root, const char *path, int kind,
		       unsigned node)
{
	struct mon_source *src;

	m->src = xrealloc(m->src, (m->nsources + 1) * sizeof(*m->src));
	src = &m->src[m->nsources];
	*src = (struct mon_source){ .path = xasprintf("%s%s", root, path),
				    .label = xstrdup(path),
				    .kind = kind,
				    .node = node,
				    .first = m->n };
	if (read_source(m, src, NULL)) {
		free(src->path);
		free(src->label);
		return;
	}
	src->n = m->n - src->first;
	m->nsources++;
}

static int node_number(const struct dirent *d)
{
	char *end;
	unsigned long n;

	if (strncmp(d->d_name, "node", 4) || !isdigit((unsigned char)d->d_name[4]))
		return -1;
	n = strtoul(d->d_name + 4, &end, 10);
	return *end || n > 1u << 20 ? -1 : (int)n;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void add_numastat(struct monitor *m, const char *root)
{
	char *dir = xasprintf("%s/sys/devices/system/node", root);
	DIR *d = opendir(dir);
	unsigned *nodes = NULL, n = 0;
	struct dirent *e;

	if (!d) {
		json_object_set_new(m->unavailable, "/sys/devices/system/node",
				    json_string(strerror(errno)));
		free(dir);
		return;
	}
	while ((e = readdir(d))) {
		int node = node_number(e);

		if (node < 0)
			continue;
		nodes = xrealloc(nodes, (n + 1) * sizeof(*nodes));
		nodes[n++] = (unsigned)node;
	}
	closedir(d);
	qsort(nodes, n, sizeof(*nodes), cmp_uint);
	for (unsigned i = 0; i < n; i++) {
		char path[96];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%u/numastat", nodes[i]);
		add_source(m, root, path, MON_NUMASTAT, nodes[i]);
	}
	free(nodes);
	free(dir);
}

struct monitor *monitor_create(const char *root, const unsigned *pus, unsigned npus)
{
	struct monitor *m = xcalloc(1, sizeof(*m));

	m->unavailable = json_object();
	m->npus = npus;
	m->pus = xcalloc(npus ? npus : 1, sizeof(*m->pus));
	if (npus)
		memcpy(m->pus, pus, npus * sizeof(*pus));
	add_source(m, root, "/proc/vmstat", MON_VMSTAT, 0);
	add_source(m, root, "/proc/interrupts", MON_TLB, 0);
	add_numastat(m, root);
	return m;
}

unsigned monitor_count(const struct monitor *m)
{
	return m ? m->n : 0;
}

const char *monitor_name(const struct monitor *m, unsigned i)
{
	return m->names[i];
}

void monitor_read(struct monitor *m, uint64_t *vals, double *t)
{
	double t0 = now_monotonic();

	for (unsigned i = 0; i < m->n; i++)
		vals[i] = FB_MONITOR_MISSING;
	for (unsigned s = 0; s < m->nsources; s++)
		read_source(m, &m->src[s], vals);
	*t = (t0 + now_monotonic()) / 2;
}

json_t *monitor_unavailable(const struct monitor *m)
{
	return json_incref(m->unavailable);
}

void monitor_destroy(struct monitor *m)
{
	if (!m)
		return;
	for (unsigned s = 0; s < m->nsources; s++) {
		free(m->src[s].path);
		free(m->src[s].label);
	}
	free(m->src);
	free(m->names);
	free(m->pus);
	free(m->buf);
	json_decref(m->unavailable);
	free(m);
}

/* ---- the step's data ---- */

uint64_t monitor_delta(uint64_t a, uint64_t b)
{
	if (a == FB_MONITOR_MISSING || b == FB_MONITOR_MISSING || b < a)
		return FB_MONITOR_MISSING;
	return b - a;
}

static json_t *delta_json(uint64_t v)
{
	return v == FB_MONITOR_MISSING ? json_null() : json_integer((json_int_t)v);
}

json_t *monitor_step_json(const struct step_result *r)
{
	json_t *o, *names, *t, *samples, *total;

	if (!r->nmonitors)
		return NULL;
	o = json_object();
	names = json_array();
	t = json_array();
	samples = json_array();
	total = json_array();
	for (unsigned i = 0; i < r->nmonitors; i++)
		json_array_append_new(names, json_string(r->monitor_names[i]));
	for (unsigned s = 0; s < r->nsamples; s++) {
		json_t *row = json_array();

		json_array_append_new(t, json_real(r->samples[s].mon_t));
		for (unsigned i = 0; i < r->nmonitors; i++)
			json_array_append_new(row,
					      delta_json(r->samples[s].mon ? r->samples[s].mon[i]
									   : FB_MONITOR_MISSING));
		json_array_append_new(samples, row);
	}
	for (unsigned i = 0; i < r->nmonitors; i++) {
		uint64_t sum = 0;
		bool any = false;

		for (unsigned s = 0; s < r->nsamples; s++) {
			uint64_t d = r->samples[s].mon ? r->samples[s].mon[i] : FB_MONITOR_MISSING;

			if (d != FB_MONITOR_MISSING) {
				sum += d;
				any = true;
			}
		}
		json_array_append_new(total, any ? json_integer((json_int_t)sum) : json_null());
	}
	json_object_set_new(o, "names", names);
	json_object_set_new(o, "t", t);
	json_object_set_new(o, "samples", samples);
	json_object_set_new(o, "total", total);
	return o;
}

/* Every sample has monitor i over a positive interval. */
static bool complete_monitor(const struct step_result *r, unsigned i)
{
	for (unsigned s = 0; s < r->nsamples; s++)
		if (!r->samples[s].mon || r->samples[s].mon[i] == FB_MONITOR_MISSING ||
		    !(r->samples[s].mon_t > 0))
			return false;
	return r->nsamples > 0;
}

void monitor_derive(struct step_result *r)
{
	for (unsigned i = 0; i < r->nmonitors; i++) {
		double sum = 0, t = 0;
		struct metric *m;

		if (!complete_monitor(r, i) || step_metric(r, r->monitor_names[i]))
			continue;
		/* lower is better: each of these counts work or trouble, never output */
		m = step_add_metric(r, r->monitor_names[i], false);
		for (unsigned s = 0; s < r->nsamples; s++) {
			const struct sample *smp = &r->samples[s];

			m->v[s] = (double)smp->mon[i] / smp->mon_t;
			sum += (double)smp->mon[i];
			t += smp->mon_t;
		}
		m->value = sum / t;
	}
}

bool monitor_metric(const char *name)
{
	return !strncmp(name, "vmstat:", 7) || !strncmp(name, "interrupts:", 11) ||
	       !strncmp(name, "numastat:", 9);
}
