// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel log of a stress run (see kmsg.h): the record parsers, the
 * patterns that mean "the kernel found a bug in itself", and the reader that
 * drains /dev/kmsg (or klogctl's buffer) while the run goes on.
 *
 * Why drain during the run rather than once at the end: the log is a ring;
 * a long run on a noisy machine (or the watchdog's own sysrq dump) can
 * overwrite the one record that matters before the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "kmsg.h"
#include "util.h"

/* Lines kept after a match: a WARNING's or Oops's registers and call trace. */
#define KMSG_CONTEXT_LINES 40
/* At most this many lines are kept; more are counted, not stored. */
#define KMSG_MAX_LINES 400
/* Other warning-level lines shown (not judged) at most. */
#define KMSG_MAX_OTHER 10

enum where { AT_START, ANYWHERE };

/*
 * The messages by which the kernel reports a bug in itself, most specific
 * first (the first match names the report).  Most are anchored at the start
 * of the message: "RETBleed: WARNING: Spectre v2 mitigation leaves CPU
 * vulnerable" is a boot notice, and "traps: prog[12] general protection
 * fault ip:..." is a user process's crash, not the kernel's.
 */
static const struct {
	const char *name, *text;
	enum where where;
} patterns[] = {
	{ "soft lockup", "soft lockup", ANYWHERE }, /* watchdog: BUG: soft lockup - CPU#1 ... */
	{ "hard LOCKUP", "hard LOCKUP", ANYWHERE }, /* watchdog: Watchdog detected hard LOCKUP */
	{ "hung task", "blocked for more than", ANYWHERE }, /* INFO: task x:1 blocked for ... */
	{ "RCU stall", "detected stall", ANYWHERE }, /* rcu: INFO: rcu_preempt self-detected */
	{ "invalidation failure", "invalidation failure", ANYWHERE }, /* dio_warn_stale_pagecache */
	{ "Bad page", "Bad page", ANYWHERE }, /* BUG: Bad page state / map */
	{ "KASAN", "BUG: KASAN:", AT_START },
	{ "KASAN", "KASAN:", AT_START }, /* KASAN: null-ptr-deref in range [...] */
	{ "UBSAN", "UBSAN:", AT_START },
	{ "KFENCE", "BUG: KFENCE:", AT_START },
	{ "BUG", "BUG:", AT_START },
	{ "BUG", "kernel BUG at ", AT_START }, /* BUG_ON(), VM_BUG_ON() */
	{ "Oops", "Oops", AT_START }, /* Oops: 0000 [#1]; 6.x: Oops: general protection ... */
	{ "Oops", "Internal error: Oops", AT_START }, /* arm64 */
	{ "general protection fault", "general protection fault", AT_START },
	{ "WARNING", "WARNING:", AT_START }, /* WARN(), lockdep, suspicious RCU usage */
	{ "panic", "Kernel panic", AT_START },
	{ "page dump", "page dumped because",
	  AT_START }, /* dump_page(): VM_BUG_ON_PAGE, bad_page */
};

const char *kmsg_verdict(const char *text, const char *token)
{
	size_t i;

	if (strstr(text, KMSG_TEST_MARKER) && (!token || !*token || !strstr(text, token)))
		return NULL; /* another run's injected test line */
	for (i = 0; i < ARRAY_SIZE(patterns); i++) {
		const char *t = patterns[i].text;

		if (patterns[i].where == AT_START ? !strncmp(text, t, strlen(t))
						  : !!strstr(text, t))
			return patterns[i].name;
	}
	return NULL;
}

/* Copy the text up to the end of its line, truncated to fit. */
static void copy_text(char *dst, const char *src, size_t len)
{
	const char *nl = memchr(src, '\n', len);
	size_t n = nl ? (size_t)(nl - src) : len;

	if (n > KMSG_TEXT_MAX - 1)
		n = KMSG_TEXT_MAX - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

bool kmsg_parse_record(const char *rec, size_t len, struct kmsg_rec *r)
{
	const char *semi = memchr(rec, ';', len);
	unsigned long long prefix, seq, usec;
	char head[128];
	int used = 0;

	if (!semi || (size_t)(semi - rec) >= sizeof(head))
		return false;
	memcpy(head, rec, semi - rec);
	head[semi - rec] = '\0';
	/* "prefix,seq,usec,flags[,more]": flags is '-' or 'c' (a continuation). */
	if (sscanf(head, "%llu,%llu,%llu,%n", &prefix, &seq, &usec, &used) != 3 || !used ||
	    head[0] == '-' || prefix > 1023)
		return false;
	r->level = prefix & 7;
	r->facility = prefix >> 3;
	r->seq = seq;
	r->usec = usec;
	copy_text(r->text, semi + 1, len - (semi + 1 - rec));
	return true;
}

/* Skip "[  123.456789]" (a time stamp) or "[   T123]" / "[  C1]" (a caller id). */
static const char *skip_stamp(const char *p, const char *end, uint64_t *usec)
{
	const char *q = p + 1;
	unsigned long long s = 0, us = 0;
	int n = 0;

	if (p >= end || *p != '[')
		return p;
	while (q < end && *q == ' ')
		q++;
	if (q < end && (*q == 'T' || *q == 'C')) {
		const char *c = q + 1;

		while (c < end && *c >= '0' && *c <= '9')
			c++;
		return c < end && *c == ']' && c > q + 1 ? c + 1 : p;
	}
	if (sscanf(q, "%llu.%llu]%n", &s, &us, &n) != 2 || !n || q + n > end)
		return p;
	*usec = s * 1000000ULL + us;
	return q + n;
}

bool kmsg_parse_syslog_line(const char *line, size_t len, struct kmsg_rec *r)
{
	const char *end = line + len, *p;
	char *num_end;
	unsigned long prefix;

	if (len < 3 || line[0] != '<')
		return false;
	prefix = strtoul(line + 1, &num_end, 10);
	if (num_end == line + 1 || num_end >= end || *num_end != '>' || prefix > 1023)
		return false;
	r->level = prefix & 7;
	r->facility = prefix >> 3;
	r->seq = 0;
	r->usec = 0;
	p = num_end + 1;
	if (p < end && *p == '[') {
		const char *q = skip_stamp(p, end, &r->usec);

		q = skip_stamp(q, end, &r->usec); /* a caller id after the time */
		if (q != p && q < end && *q == ' ')
			q++;
		p = q;
	}
	copy_text(r->text, p, end - p);
	return true;
}

const char *kmsg_syslog_new_lines(const char *buf, const char *mark)
{
	const char *p = buf, *after = NULL;
	size_t mlen = mark ? strlen(mark) : 0;

	if (!mark)
		return buf;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n == mlen && !memcmp(p, mark, n))
			after = nl ? nl + 1 : p + n;
		if (!nl)
			break;
		p = nl + 1;
	}
	return after ? after : buf;
}

/* ------------------------------------------------------------ the reader */

static void keep_line(struct kmsg_log *k, enum kmsg_kind kind, const char *pattern,
		      const struct kmsg_rec *r)
{
	struct kmsg_line *l;

	if (k->nlines >= KMSG_MAX_LINES)
		return;
	if (!k->lines)
		k->lines = xcalloc(KMSG_MAX_LINES, sizeof(*k->lines));
	l = &k->lines[k->nlines++];
	l->kind = kind;
	l->pattern = pattern;
	l->level = r->level;
	l->facility = r->facility;
	l->usec = r->usec;
	l->text = xstrdup(r->text);
}

unsigned kmsg_feed(struct kmsg_log *k, const struct kmsg_rec *r)
{
	const char *pattern = kmsg_verdict(r->text, k->token);

	if (k->capturing) {
		k->capture = xrealloc(k->capture, (k->ncapture + 1) * sizeof(*k->capture));
		k->capture[k->ncapture++] = xstrdup(r->text);
	}
	if (pattern) {
		keep_line(k, KMSG_MATCH, pattern, r);
		k->nmatch++;
		k->context_left = KMSG_CONTEXT_LINES;
		return 1;
	}
	if (k->context_left) {
		keep_line(k, KMSG_CONTEXT, NULL, r);
		/* A WARNING's or Oops's report ends with this line. */
		k->context_left = strstr(r->text, "---[ end ") ? 0 : k->context_left - 1;
		return 0;
	}
	if (r->level <= 4 && r->facility == 0 && k->nother++ < KMSG_MAX_OTHER)
		keep_line(k, KMSG_OTHER, NULL, r);
	return 0;
}

static unsigned poll_devkmsg(struct kmsg_log *k)
{
	struct kmsg_rec r;
	unsigned found = 0;
	char rec[8192];
	ssize_t n;

	for (;;) {
		n = read(k->fd, rec, sizeof(rec));
		if (n < 0 && errno == EPIPE) { /* overwritten before read: go on with the next */
			k->lost++;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return found; /* EAGAIN: nothing more for now */
		if (kmsg_parse_record(rec, n, &r))
			found += kmsg_feed(k, &r);
	}
}

/* klogctl's whole buffer, NUL-terminated, or NULL (errno set). */
static char *klog_read_all(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *buf;

	if (size <= 0)
		return NULL;
	buf = xmalloc(size + 1);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* Remember the last complete line of buf as the place to go on from. */
static void klog_set_mark(struct kmsg_log *k, const char *buf)
{
	size_t len = strlen(buf);
	const char *start;

	while (len && buf[len - 1] == '\n')
		len--;
	if (!len)
		return;
	start = buf + len;
	while (start > buf && start[-1] != '\n')
		start--;
	free(k->mark);
	k->mark = xasprintf("%.*s", (int)(buf + len - start), start);
}

static unsigned poll_klogctl(struct kmsg_log *k)
{
	char *buf = klog_read_all();
	const char *p;
	struct kmsg_rec r;
	unsigned found = 0;

	if (!buf)
		return 0;
	for (p = kmsg_syslog_new_lines(buf, k->mark); *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (kmsg_parse_syslog_line(p, n, &r))
			found += kmsg_feed(k, &r);
		p += n + (nl != NULL);
	}
	klog_set_mark(k, buf);
	free(buf);
	return found;
}

static int open_devkmsg(struct kmsg_log *k, const char *path)
{
	k->fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		snprintf(k->why, sizeof(k->why), "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Only records logged from now on: older ones belong to someone else. */
	if (lseek(k->fd, 0, SEEK_END) < 0) {
		snprintf(k->why, sizeof(k->why), "%s: seek to the end: %s", path, strerror(errno));
		close(k->fd);
		k->fd = -1;
		return -1;
	}
	return 0;
}

void kmsg_open(struct kmsg_log *k)
{
	/* Tests point this elsewhere to exercise the klogctl fallback. */
	const char *path = getenv("FB_TEST_KMSG_DEV");
	char *buf;
	size_t len;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	k->token = getenv("FB_STRESS_KMSG_TOKEN");
	if (open_devkmsg(k, path && *path ? path : "/dev/kmsg") == 0) {
		k->source = KMSG_DEVKMSG;
		return;
	}
	buf = klog_read_all();
	if (!buf) {
		len = strlen(k->why);
		snprintf(k->why + len, sizeof(k->why) - len, "; klogctl: %s", strerror(errno));
		return;
	}
	k->source = KMSG_KLOGCTL;
	klog_set_mark(k, buf);
	free(buf);
}

unsigned kmsg_poll(struct kmsg_log *k)
{
	switch (k->source) {
	case KMSG_DEVKMSG:
		return poll_devkmsg(k);
	case KMSG_KLOGCTL:
		return poll_klogctl(k);
	case KMSG_NONE:
		break;
	}
	return 0;
}

const char *kmsg_source_text(const struct kmsg_log *k, char *buf, size_t len)
{
	switch (k->source) {
	case KMSG_DEVKMSG:
		snprintf(buf, len, "/dev/kmsg");
		break;
	case KMSG_KLOGCTL:
		snprintf(buf, len, "klogctl, because %s", k->why);
		break;
	case KMSG_NONE:
		snprintf(buf, len, "not readable: %s", k->why);
		break;
	}
	return buf;
}

void kmsg_print_summary(const struct kmsg_log *k, FILE *f)
{
	char src[320];
	unsigned i;

	kmsg_source_text(k, src, sizeof(src));
	if (k->source == KMSG_NONE) {
		fprintf(f, "  kernel log: %s (a kernel bug would go unseen)\n", src);
		return;
	}
	if (k->nmatch)
		fprintf(f, "  kernel log (%s): %u line%s reporting a kernel bug\n", src, k->nmatch,
			k->nmatch == 1 ? "" : "s");
	else
		fprintf(f, "  kernel log (%s): no kernel bug reported during the run\n", src);
	if (k->nother)
		fprintf(f,
			"  kernel log: %u other warning%s (from anywhere on this machine; "
			"not judged):\n",
			k->nother, k->nother == 1 ? "" : "s");
	for (i = 0; i < k->nlines; i++)
		if (k->lines[i].kind == KMSG_OTHER)
			fprintf(f, "    <%d> %s\n", k->lines[i].level, k->lines[i].text);
	if (k->lost)
		fprintf(f,
			"  kernel log: records were overwritten before they could be read "
			"(%llu times)\n",
			k->lost);
}

void kmsg_print_matches(const struct kmsg_log *k, FILE *f)
{
	unsigned i;

	for (i = 0; i < k->nlines; i++) {
		const struct kmsg_line *l = &k->lines[i];

		if (l->kind == KMSG_MATCH)
			fprintf(f, "  [%s] <%d>%s %s\n", l->pattern, l->level,
				l->facility ? " (written by a process)" : "", l->text);
		else if (l->kind == KMSG_CONTEXT)
			fprintf(f, "      <%d> %s\n", l->level, l->text);
	}
	if (k->nmatch && k->nlines >= KMSG_MAX_LINES)
		fprintf(f, "  (more lines were logged; the first %d are kept)\n", KMSG_MAX_LINES);
}

static const char *const kind_name[] = { "match", "context", "other" };

/* Kernel text is not always UTF-8 (klogctl passes raw bytes); jansson wants it. */
static json_t *text_json(const char *s)
{
	json_t *j = json_string(s);

	return j ? j : json_string("(not valid UTF-8)");
}

json_t *kmsg_to_json(const struct kmsg_log *k)
{
	static const char *const source_name[] = { "none", "/dev/kmsg", "klogctl" };
	json_t *o = json_object(), *lines = json_array();
	unsigned i;

	json_object_set_new(o, "source", json_string(source_name[k->source]));
	if (k->why[0])
		json_object_set_new(o, "why", json_string(k->why));
	json_object_set_new(o, "matches", json_integer(k->nmatch));
	json_object_set_new(o, "other_warnings", json_integer(k->nother));
	json_object_set_new(o, "overwritten", json_integer((json_int_t)k->lost));
	for (i = 0; i < k->nlines; i++) {
		const struct kmsg_line *l = &k->lines[i];
		json_t *j = json_object();

		json_object_set_new(j, "kind", json_string(kind_name[l->kind]));
		if (l->pattern)
			json_object_set_new(j, "pattern", json_string(l->pattern));
		json_object_set_new(j, "level", json_integer(l->level));
		json_object_set_new(j, "facility", json_integer(l->facility));
		json_object_set_new(j, "usec", json_integer((json_int_t)l->usec));
		json_object_set_new(j, "text", text_json(l->text));
		json_array_append_new(lines, j);
	}
	json_object_set_new(o, "lines", lines);
	return o;
}

void kmsg_close(struct kmsg_log *k)
{
	unsigned i;

	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
	for (i = 0; i < k->nlines; i++)
		free(k->lines[i].text);
	free(k->lines);
	for (i = 0; i < k->ncapture; i++)
		free(k->capture[i]);
	free(k->capture);
	free(k->mark);
	k->lines = NULL;
	k->capture = NULL;
	k->mark = NULL;
	k->nlines = k->ncapture = 0;
}
