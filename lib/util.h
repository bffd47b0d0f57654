/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small shared helpers: git-style error messages, exit statuses, allocation
 * that cannot return NULL, and monotonic time.
 */
#ifndef FB_UTIL_H
#define FB_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Exit statuses, the same for every subcommand. */
enum fb_status {
	FB_OK = 0,
	FB_FAIL = 1,	    /* a benchmark failed, or a check found a regression */
	FB_USAGE = 2,	    /* bad usage or input */
	FB_SKIP = 4,	    /* cannot run here; the reason was printed */
	FB_UNDECIDED = 125, /* check/stress: cannot decide (git bisect's "skip") */
};

/* git describe of the build, from the generated build/version.c */
extern const char fb_version[];

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define FB_CACHELINE  64

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
/* Tests silence stderr output but still keep fb_last_error(); the old setting. */
bool fb_set_quiet(bool quiet);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

double now_monotonic(void); /* seconds, CLOCK_MONOTONIC */
double now_realtime(void);  /* seconds since the epoch, CLOCK_REALTIME */
/* Now in UTC: ISO 8601 ("2026-12-02T05:46:46Z") for metadata, or "20261202-054646" for names. */
void fb_utc_now(char *buf, size_t len, bool iso);
void sleep_until(double t); /* returns early on a signal */

/* Parse "4k", "2M", "1g" (binary units) into bytes; false on bad input. */
bool parse_size(const char *s, unsigned long long *bytes);
/* Read a small file into a NUL-terminated buffer; NULL when unreadable. */
char *read_text_file(const char *path);
/* First line of a file with the newline stripped, or NULL. */
char *read_first_line(const char *path);
/*
 * Create base (mkdir -p: the user named it, links in it are theirs), then
 * each directory of rel below it, never through a link: a name in rel that
 * is a symlink (planted by someone who can write there) gives -ELOOP, one
 * that is a file -ENOTDIR.  0 or -errno.
 */
int fb_mkdir_below(const char *base, const char *rel);
/* Create every directory of a path, like mkdir -p. 0 or -errno (-ENOENT for ""). */
int mkdir_p(const char *path);
long page_size(void);
/*
 * Bytes this process can still allocate without being OOM-killed, roughly:
 * the smaller of MemAvailable and what the cgroup v2 memory.max limits of
 * its cgroup and their parents leave.  ULLONG_MAX when neither is known.
 */
unsigned long long fb_mem_available(void);
/* Its parsers, pure for the fuzz target: a "Key: 123 kB" of /proc/meminfo text in bytes
 * (0 when absent); the cgroup path in /proc/self/cgroup text (text cut; malloc'd, or NULL). */
unsigned long long fb_meminfo_bytes(const char *text, const char *key);
char *fb_cgroup_path_in(char *text, bool v2);

/*
 * Names that become directories, file names, plot titles and table cells
 * (labels, presets, plot names) follow the grammar of kernel release strings:
 * letters, digits and ".-_+~", a letter or digit first, FB_NAME_MAX at most.
 * So "..", "-x", "a/b", quotes, backquotes and non-UTF-8 bytes are refused.
 */
#define FB_NAME_MAX 128
bool fb_name_ok(const char *s);
/* FB_OK, or FB_USAGE after "WHAT: 'value' is not a usable name: ..." */
int fb_check_name(const char *what, const char *value);
bool fb_utf8_ok(const char *s);
/*
 * s for a terminal: control bytes (C0, DEL, and the C1 controls and bidi
 * overrides of Unicode) and invalid UTF-8 shown as \xNN; returns buf.
 * Every message of fb_error()/fb_warn() goes through it (newlines and tabs
 * kept).
 */
const char *fb_printable(const char *s, char *buf, size_t len);
/* The same, leaving the control bytes in keep as they are ("\n\t" for messages). */
const char *fb_printable_keep(const char *s, char *buf, size_t len, const char *keep);
/*
 * fb_printable() into one of 8 static buffers, in turn: for a name or path
 * of a result, label or directory in a printf() to the terminal or into
 * markdown ("%s", fb_esc(path)).  Not for threads.
 */
const char *fb_esc(const char *s);
/*
 * s as a markdown table cell: '|', backslash, '`', '*', '_', '[', ']', '#', '~'
 * backslash-escaped, '<', '>', '&' as entities, control characters (newlines)
 * as spaces.  malloc'd.
 */
char *fb_md_escape(const char *s);

/*
 * Safe file creation, for results and plots in directories others may write
 * to.  The data go to a temporary file created in the target directory with
 * O_CREAT|O_EXCL|O_NOFOLLOW under a random name (a link planted there cannot
 * redirect it), are fsync'ed, and only then get their name:
 *   FB_NEW         link()ed to STEM.EXT; fails with -EEXIST if that exists
 *   FB_NEW_UNIQUE  the first free one of STEM.EXT, STEM-2.EXT, ...: link()
 *                  picks it atomically, so concurrent writers never collide
 *   FB_REPLACE     rename()d over STEM.EXT (plots): an old file or a link
 *                  there is replaced, never written through
 */
enum fb_publish { FB_NEW, FB_NEW_UNIQUE, FB_REPLACE };

/*
 * Write a file into dir through fn (nonzero: failed).  0 or -errno; the
 * path written ("dir/name") in *written when written is not NULL.
 */
int fb_write_file(const char *dir, const char *stem, const char *ext, enum fb_publish how,
		  int (*fn)(FILE *f, const void *arg), const void *arg, char **written);
/* Give file tmp in directory fd from its name in directory fd dfd, as above. */
int fb_publish_at(int from, const char *tmp, int dfd, const char *stem, const char *ext,
		  enum fb_publish how, char **name);

/*
 * Two byte counts for one message ("needs X, more than the Y available"):
 * in GiB (MiB when both are below 1 GiB) with as few decimals as make them
 * differ when they differ, never "0.2 GiB, more than the 0.2 GiB".  len: of
 * each buffer.
 */
void fb_format_size_pair(unsigned long long a, unsigned long long b, char *sa, char *sb,
			 size_t len);

/*
 * Open a file for writing that faultbench creates itself (logs, copies),
 * never through a link someone planted at path:
 *   FB_NEW      O_CREAT|O_EXCL|O_NOFOLLOW: fails with -EEXIST if path exists
 *   FB_REPLACE  a new file under a random name in path's directory, renamed
 *               over path at once: an old file or link is replaced, never
 *               written through or truncated
 * The descriptor (close-on-exec), or -errno.
 */
int fb_create(const char *path, enum fb_publish how);
/*
 * Open path for appending, creating it when missing; only a regular file
 * with one name is appended to (no symlink, FIFO, device or hard link to
 * someone else's file).  The descriptor (close-on-exec), or -errno.
 */
int fb_open_append(const char *path);

/* Set by SIGINT/SIGTERM once cmd_run has installed its handler: the signal number. */
extern volatile int fb_interrupted;
/*
 * When set, the handler passes SIGINT/SIGTERM on to this child (suite's job),
 * or to the process group -fb_forward_pid when negative (spawn.h).
 */
extern volatile pid_t fb_forward_pid;
/* Also unblocks them: a mask inherited from our parent would keep them from us. */
void fb_install_signal_handlers(void);
/*
 * SIGINT and SIGTERM held back (this thread's mask; *old: the mask before),
 * then let through again: around a fork() or pthread_create(), so that the
 * new process or thread sets up its own handling before any reaches it.
 */
void fb_block_interrupts(sigset_t *old);
void fb_restore_interrupts(const sigset_t *old);
/*
 * The exit status of a command that caught SIGINT/SIGTERM: 128 + the signal
 * when one came, even after the command's last check (ret stays when it is
 * already 128 or more).  main() returns it; ret unchanged when no handler
 * was installed.
 */
int fb_exit_status(int ret);

/* The subcommand running (argv[1]), set by main(): for fb_test_term_at(). */
extern const char *fb_command;
/*
 * Tests only: with FB_TEST_TERM_AT=POINT (or POINT:COMMAND, only in a
 * process of that subcommand) and FB_TEST_TERM_PID=PID in the environment,
 * the first time a process reaches POINT it sends SIGTERM to PID (a negative
 * PID: that process group).  The tests put a signal exactly into a window
 * instead of racing a sleep against it (tests/e2e/test_signals.sh).  Points:
 * "fork" (spawn.c, the parent just after fork), "child" (the child before
 * exec), "worker" (runner.c, a worker process or thread just started),
 * "sample" (a sample was taken), "exit" (fb_exit_status()).
 */
void fb_test_term_at(const char *point);

#endif
