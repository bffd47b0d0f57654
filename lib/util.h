/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small shared helpers: git-style error messages, exit statuses, allocation
 * that cannot return NULL, and monotonic time.
 */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Exit statuses, the same for every subcommand. */
enum fb_status {
	FB_OK = 0,
	FB_FAIL = 1,	/* a benchmark failed, or a check found a regression */
	FB_USAGE = 2,	/* bad usage or input */
	FB_SKIP = 4,	/* cannot run here; the reason was printed */
	FB_UNDECIDED = 125, /* check/stress: cannot decide (git bisect's "skip") */
};

/* git describe of the build, from the generated build/version.c */
extern const char fb_version[];

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FB_CACHELINE 64

/*
 * Print "faultbench: <message>" to stderr and keep it as the last error (unit
 * tests read it back).  Each returns the status named, so a caller can write
 * "return fb_usage("option '--cpus': '%s' is not a CPU list", s);".
 */
int fb_error(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fb_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fb_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fb_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *fb_last_error(void);
/* Tests silence stderr output but still keep fb_last_error(). */
void fb_set_quiet(bool quiet);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

double now_monotonic(void);	/* seconds, CLOCK_MONOTONIC */
void sleep_until(double t);	/* returns early on a signal */

/* Parse "4k", "2M", "1g" (binary units) into bytes; false on bad input. */
bool parse_size(const char *s, unsigned long long *bytes);
/* Read a small file into a NUL-terminated buffer; NULL when unreadable. */
char *read_text_file(const char *path);
/* First line of a file with the newline stripped, or NULL. */
char *read_first_line(const char *path);
/* Create every directory of a path, like mkdir -p. 0 or -errno. */
int mkdir_p(const char *path);
long page_size(void);
/*
 * Wait for a child, retrying on EINTR: its exit status, 128 + the signal
 * that killed it (as a shell reports it), or -errno.
 */
int wait_child(pid_t pid);

/* Set by SIGINT/SIGTERM once cmd_run has installed its handler: the signal number. */
extern volatile int fb_interrupted;
void fb_install_signal_handlers(void);

#endif
