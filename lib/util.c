// SPDX-License-Identifier: GPL-2.0
/*
 * Small shared helpers: git-style messages, checked allocation, time, files.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static char last_error[1024];
static bool quiet;
volatile int fb_interrupted;

void fb_set_quiet(bool q)
{
	quiet = q;
}

const char *fb_last_error(void)
{
	return last_error;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[sizeof(last_error)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(last_error, sizeof(last_error), "%s%s", prefix, msg);
	if (!quiet)
		fprintf(stderr, "faultbench: %s%s\n", prefix, msg);
}

int fb_error(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(status == FB_SKIP ? "skipped: " : "", fmt, ap);
	va_end(ap);
	return status;
}

#define DEFINE_REPORTER(fn, status, prefix)                                                        \
	int fn(const char *fmt, ...)                                                               \
	{                                                                                          \
		va_list ap;                                                                        \
		va_start(ap, fmt);                                                                 \
		vreport(prefix, fmt, ap);                                                          \
		va_end(ap);                                                                        \
		return status;                                                                     \
	}

DEFINE_REPORTER(fb_usage, FB_USAGE, "")
DEFINE_REPORTER(fb_fail, FB_FAIL, "")
DEFINE_REPORTER(fb_skip, FB_SKIP, "skipped: ")

void fb_warn(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!quiet)
		fprintf(stderr, "faultbench: warning: %s\n", msg);
}

static void *check_alloc(void *p)
{
	if (!p) {
		fputs("faultbench: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t n)
{
	return check_alloc(malloc(n ? n : 1));
}

void *xcalloc(size_t n, size_t size)
{
	return check_alloc(calloc(n ? n : 1, size ? size : 1));
}

void *xrealloc(void *p, size_t n)
{
	return check_alloc(realloc(p, n ? n : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check_alloc(n < 0 ? NULL : s);
}

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };

	/* EINTR ends the sleep on purpose: the caller checks fb_interrupted. */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

bool parse_size(const char *s, unsigned long long *bytes)
{
	unsigned long long v, mult = 1;
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	case 't': case 'T': mult = 1ULL << 40; end++; break;
	}
	if (mult > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (mult > 1 && (*end == 'b' || *end == 'B'))
		end++;
	if (*end || (v && mult > ~0ULL / v))
		return false;
	*bytes = v * mult;
	return true;
}

char *read_text_file(const char *path)
{
	size_t len = 0, cap = 4096;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 2)
			buf = xrealloc(buf, cap *= 2);
	}
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

char *read_first_line(const char *path)
{
	char *s = read_text_file(path);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

int mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return ret;
}

long page_size(void)
{
	static long ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void on_signal(int sig)
{
	fb_interrupted = sig;
}

void fb_install_signal_handlers(void)
{
	/* No SA_RESTART: a sleeping parent must wake up and stop the workers. */
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
