/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log of a stress run: records read from /dev/kmsg (or, where that
 * cannot be read, from klogctl's text buffer) for the whole run, and the
 * verdict on each line: does it say the kernel found a bug in itself (BUG,
 * Oops, WARNING, lockups, hung tasks, KASAN/UBSAN, bad pages, a page-cache
 * "invalidation failure")?  Such a line decides a run as much as a corrupt
 * page does.
 *
 * Parsing and judging are pure functions, so the unit tests feed them real
 * kernel log lines; the reader (kmsg_open, kmsg_poll) is only I/O around them.
 */
#ifndef FB_KMSG_H
#define FB_KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

/*
 * Lines that mention this marker were written to /dev/kmsg by a faultbench
 * test; a run judges them only when they carry its own token (see
 * kmsg_verdict), so tests running at the same time cannot fail each other.
 */
#define KMSG_TEST_MARKER "faultbench-test:"

#define KMSG_TEXT_MAX 1024

struct kmsg_rec {
	int level;     /* 0 emerg .. 7 debug */
	int facility;  /* 0 the kernel; 1 (user) when a process wrote it to /dev/kmsg */
	uint64_t seq;  /* /dev/kmsg sequence number; 0 from klogctl */
	uint64_t usec; /* since boot; 0 when the log has no time stamps */
	char text[KMSG_TEXT_MAX];
};

/* One /dev/kmsg record: "prefix,seq,usec,flags;text\n" plus " KEY=value" lines. */
bool kmsg_parse_record(const char *rec, size_t len, struct kmsg_rec *r);
/* One line of klogctl's buffer: "<prefix>[ secs.usecs] text", stamps optional. */
bool kmsg_parse_syslog_line(const char *line, size_t len, struct kmsg_rec *r);
/*
 * The pattern a line matches when it reports a kernel bug, or NULL.  Lines
 * with KMSG_TEST_MARKER are judged only when they contain token (non-NULL).
 */
const char *kmsg_verdict(const char *text, const char *token);
/*
 * klogctl has no cursor: the lines of buf after the last occurrence of the
 * line mark (the last one seen before), or all of buf when mark is gone (the
 * ring wrapped: everything left is newer) or NULL.
 */
const char *kmsg_syslog_new_lines(const char *buf, const char *mark);

enum kmsg_source { KMSG_NONE, KMSG_DEVKMSG, KMSG_KLOGCTL };
enum kmsg_kind { KMSG_MATCH, KMSG_CONTEXT, KMSG_OTHER };

/* A line kept for the report. */
struct kmsg_line {
	enum kmsg_kind kind;
	const char *pattern; /* KMSG_MATCH: what it matched */
	int level, facility;
	uint64_t usec;
	char *text;
};

struct kmsg_log {
	enum kmsg_source source;
	int fd;			 /* /dev/kmsg */
	char why[256];		 /* why /dev/kmsg (and klogctl) could not be read */
	char *mark;		 /* klogctl: the last line seen */
	const char *token;	 /* this run's test token (FB_STRESS_KMSG_TOKEN), or NULL */
	struct kmsg_line *lines; /* matches with their context, other warnings, in order */
	unsigned nlines, nmatch, nother, context_left;
	unsigned long long lost; /* records overwritten before they were read */
	/* While capturing (the watchdog's sysrq dump), every line is kept here too. */
	bool capturing;
	char **capture;
	unsigned ncapture;
};

/* Start reading at the end of the log: only records logged from now on count. */
void kmsg_open(struct kmsg_log *k);
/*
 * Judge one record and keep it for the report: a match, the lines after it
 * (its registers and call trace, up to "---[ end trace"), other warnings.
 * 1 when it reports a kernel bug.
 */
unsigned kmsg_feed(struct kmsg_log *k, const struct kmsg_rec *r);
/* Read what was logged since the last call; the number of new matches. */
unsigned kmsg_poll(struct kmsg_log *k);
/* Where the log was read from, for the report: "/dev/kmsg", or why not. */
const char *kmsg_source_text(const struct kmsg_log *k, char *buf, size_t len);
/* The run's summary line on stdout, and the matches with context on f. */
void kmsg_print_summary(const struct kmsg_log *k, FILE *f);
void kmsg_print_matches(const struct kmsg_log *k, FILE *f);
json_t *kmsg_to_json(const struct kmsg_log *k);
void kmsg_close(struct kmsg_log *k);

#endif
