// SPDX-License-Identifier: GPL-2.0
/*
 * Small shared helpers: git-style messages, checked allocation, time, files.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static char last_error[4 * 1024 + 32];

static bool quiet;
volatile int fb_interrupted;
volatile pid_t fb_forward_pid;
const char *fb_command;
/* fb_install_signal_handlers() was called: the exit status reports a signal */
static bool signals_caught;

bool fb_set_quiet(bool q)
{
	bool old = quiet;

	quiet = q;
	return old;
}

const char *fb_last_error(void)
{
	return last_error;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	char msg[1024], shown[4 * 1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* a name or path from a result, label or directory never reaches the terminal raw */
	fb_printable_keep(msg, shown, sizeof(shown), "\n\t");
	snprintf(last_error, sizeof(last_error), "%s%s", prefix, shown);
	if (!quiet)
		fprintf(stderr, "faultbench: %s%s\n", prefix, shown);
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
	char msg[1024], shown[4 * 1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!quiet)
		fprintf(stderr, "faultbench: warning: %s\n",
			fb_printable_keep(msg, shown, sizeof(shown), "\n\t"));
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

void fb_utc_now(char *buf, size_t len, bool iso)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	if (!strftime(buf, len, iso ? "%Y-%m-%dT%H:%M:%SZ" : "%Y%m%d-%H%M%S", &tm) && len)
		buf[0] = '\0';
}

double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

double now_realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

	/* digits first: strtoull() would skip blanks and take a sign */
	if (!s || !(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1ULL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1ULL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1ULL << 30;
		end++;
		break;
	case 't':
	case 'T':
		mult = 1ULL << 40;
		end++;
		break;
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

static bool is_symlink_at(int dfd, const char *name)
{
	struct stat st;

	return !fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode);
}

int mkdir_p(const char *path)
{
	char *p, *s;
	int ret = 0;

	/* "" names no directory (and the loop below starts past its NUL). */
	if (!*path)
		return -ENOENT;
	p = xstrdup(path);

	for (s = p + 1;; s++) {
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

int fb_mkdir_below(const char *base, const char *rel)
{
	char *copy = xstrdup(rel), *name, *save = NULL;
	int ret = mkdir_p(base), dfd = -1, next;

	if (!ret && (dfd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		ret = -errno;
	for (name = strtok_r(copy, "/", &save); !ret && name; name = strtok_r(NULL, "/", &save)) {
		if (!strcmp(name, "..")) {
			ret = -EINVAL;
			break;
		}
		if (mkdirat(dfd, name, 0777) && errno != EEXIST) {
			ret = -errno;
			break;
		}
		/* O_NOFOLLOW: a planted link is refused, not entered */
		next = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			ret = errno == ENOTDIR && is_symlink_at(dfd, name) ? -ELOOP : -errno;
		close(dfd);
		dfd = next;
	}
	if (dfd >= 0)
		close(dfd);
	free(copy);
	return ret;
}

long page_size(void)
{
	static long ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

static void on_signal(int sig)
{
	int saved = errno;

	fb_interrupted = sig;
	/* a negative pid is a process group (kill(2)) */
	if (fb_forward_pid)
		kill(fb_forward_pid, sig);
	errno = saved;
}

static void interrupt_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

void fb_install_signal_handlers(void)
{
	/* No SA_RESTART: a sleeping parent must wake up and stop the workers. */
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t set;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a mask inherited from whoever started us would keep them from the handler */
	interrupt_set(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	signals_caught = true;
}

void fb_block_interrupts(sigset_t *old)
{
	sigset_t set;

	interrupt_set(&set);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void fb_restore_interrupts(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int fb_exit_status(int ret)
{
	sigset_t pending;

	if (!signals_caught)
		return ret;
	/*
	 * A signal after the command's last look at fb_interrupted (noise
	 * deriving its model, a suite printing its summary) was lost: it exited
	 * 0 as if never asked to stop (docs/data/sigterm-storm-2026-12-07).
	 * Blocked from here, one that comes now stays pending and is read
	 * below; after that the process is leaving anyway.
	 */
	fb_block_interrupts(NULL);
	fb_test_term_at("exit");
	if (!fb_interrupted && !sigpending(&pending))
		fb_interrupted = sigismember(&pending, SIGINT)	  ? SIGINT
				 : sigismember(&pending, SIGTERM) ? SIGTERM
								  : 0;
	/* when the command did not say it, this does */
	if (fb_interrupted && ret < 128)
		ret = fb_error(128 + fb_interrupted,
			       "interrupted (%s) as it ended; what it did is kept",
			       fb_interrupted == SIGINT ? "SIGINT" : "SIGTERM");
	return ret;
}

void fb_test_term_at(const char *point)
{
	static bool fired;
	const char *at = getenv("FB_TEST_TERM_AT"), *to = getenv("FB_TEST_TERM_PID");
	size_t n = strlen(point);

	/* getenv and kill only: this runs between fork and exec too */
	if (fired || !at || !to || strncmp(at, point, n) || (at[n] && at[n] != ':'))
		return;
	if (at[n] == ':' && (!fb_command || strcmp(at + n + 1, fb_command)))
		return;
	fired = true;
	kill((pid_t)strtol(to, NULL, 10), SIGTERM);
}

/* ---- names: labels, presets, plot names ---- */

/* isalnum() without the locale: only ASCII letters and digits. */
static bool ascii_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool name_char_ok(char c)
{
	return ascii_alnum(c) || (c && strchr(".-_+~", c));
}

bool fb_name_ok(const char *s)
{
	size_t n = 0;

	/*
	 * A letter or digit first: never "." or "..", never a hidden file, never
	 * something a program would take for an option ("-x.png").
	 */
	if (!s || !ascii_alnum(*s))
		return false;
	for (; *s; s++, n++)
		if (!name_char_ok(*s) || n >= FB_NAME_MAX)
			return false;
	return true;
}

int fb_check_name(const char *what, const char *value)
{
	char shown[256];

	if (fb_name_ok(value))
		return FB_OK;
	return fb_usage("%s: '%s' is not a usable name: letters, digits and '.-_+~', starting "
			"with a letter or digit, at most %d characters",
			what, fb_printable(value, shown, sizeof(shown)), FB_NAME_MAX);
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (*s < 0x80)
		return 1;
	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong three-byte forms and UTF-16 surrogates */
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

bool fb_utf8_ok(const char *s)
{
	size_t n;

	for (; *s; s += n)
		if (!(n = utf8_len((const unsigned char *)s)))
			return false;
	return true;
}

/*
 * A terminal acts on more than C0 bytes: the C1 controls U+0080-U+009F (CSI
 * is U+009B on some terminals) and the bidirectional overrides and isolates
 * U+202A-U+202E, U+2066-U+2069, which make a name read as another.
 */
static bool unicode_control(const unsigned char *s, size_t n)
{
	if (n == 2)
		return s[0] == 0xc2 && s[1] < 0xa0;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x80)
		return s[2] >= 0xaa && s[2] <= 0xae;
	if (n == 3 && s[0] == 0xe2 && s[1] == 0x81)
		return s[2] >= 0xa6 && s[2] <= 0xa9;
	return false;
}

const char *fb_printable_keep(const char *s, char *buf, size_t len, const char *keep)
{
	size_t used = 0, n;

	if (!len)
		return buf;
	for (; *s && used + 5 < len; s += n) {
		const unsigned char *u = (const unsigned char *)s;

		n = utf8_len(u);
		if (n > 1 && !unicode_control(u, n)) {
			if (used + n + 1 > len)
				break;
			memcpy(buf + used, s, n);
			used += n;
		} else if (n == 1 && ((*u >= 0x20 && *u != 0x7f) || (*u && strchr(keep, *u)))) {
			buf[used++] = (char)*u;
		} else {
			/* every byte of it: "\xc2\x9b", "\xe2\x80\xae" */
			for (size_t i = 0; i < (n ? n : 1) && used + 5 < len; i++)
				used += (size_t)snprintf(buf + used, len - used, "\\x%02x", u[i]);
			n = n ? n : 1;
		}
	}
	buf[used] = '\0';
	return buf;
}

const char *fb_printable(const char *s, char *buf, size_t len)
{
	/* Control bytes and invalid UTF-8 as \xNN: a terminal never sees them raw. */
	return fb_printable_keep(s, buf, len, "");
}

const char *fb_esc(const char *s)
{
	/* enough for a few names and paths in one printf; PATH_MAX bytes each as \xNN */
	static char ring[8][4 * 4096 + 8];
	static unsigned next;

	if (!s)
		return "(null)";
	return fb_printable(s, ring[next++ % 8], sizeof(ring[0]));
}

char *fb_md_escape(const char *s)
{
	char *out = xmalloc(strlen(s) * 6 + 1), *o = out;

	/*
	 * A table cell: '|' would end it and a newline the row, HTML would render;
	 * the rest of markdown's punctuation is shown as typed.
	 */
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		size_t n = utf8_len((const unsigned char *)s);

		/* Unicode's C1 controls and bidi overrides, like the C0 ones: a space */
		if (n > 1 && unicode_control((const unsigned char *)s, n)) {
			*o++ = ' ';
			s += n - 1;
		} else if (c == '<')
			o += sprintf(o, "&lt;");
		else if (c == '>')
			o += sprintf(o, "&gt;");
		else if (c == '&')
			o += sprintf(o, "&amp;");
		else if (c < 0x20 || c == 0x7f)
			*o++ = ' ';
		else if (strchr("\\`*_[]|#~", c))
			o += sprintf(o, "\\%c", c);
		else
			*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* ---- safe file creation ---- */

/* A temporary name in dfd that did not exist: created with O_EXCL, never through a link. */
static int create_temp(int dfd, char *name, size_t len)
{
	for (int tries = 0; tries < 100; tries++) {
		unsigned long long r = 0;
		int fd;

		/* without getrandom(), O_EXCL still makes a guessed name harmless */
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned long long)(now_monotonic() * 1e9) ^ (unsigned)getpid() ^
			    (unsigned)tries;
		snprintf(name, len, ".fb-tmp-%016llx", r);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

/* Give tmp its final name: a new one (link) or in place of an old one (rename). */
static int publish_one(int from, const char *tmp, int dfd, const char *name, bool replace)
{
	if (replace)
		return renameat(from, tmp, dfd, name) ? -errno : 0;
	if (!linkat(from, tmp, dfd, name, 0))
		return unlinkat(from, tmp, 0), 0;
	/* file systems without hard links: an atomic rename that refuses to replace */
	if (errno == EPERM || errno == EOPNOTSUPP || errno == ENOSYS)
		return renameat2(from, tmp, dfd, name, RENAME_NOREPLACE) ? -errno : 0;
	return -errno;
}

int fb_publish_at(int from, const char *tmp, int dfd, const char *stem, const char *ext,
		  enum fb_publish how, char **name)
{
	int ret = -EEXIST;

	for (unsigned i = 1; i <= 10000 && ret == -EEXIST; i++) {
		char *n =
		    i == 1 ? xasprintf("%s%s", stem, ext) : xasprintf("%s-%u%s", stem, i, ext);

		ret = publish_one(from, tmp, dfd, n, how == FB_REPLACE);
		if (!ret && name)
			*name = n;
		else
			free(n);
		if (how != FB_NEW_UNIQUE)
			break;
	}
	if (ret)
		unlinkat(from, tmp, 0);
	else
		fsync(dfd);
	return ret;
}

/* Write through fn into an open temporary file, and make it durable. */
static int fill_temp(int fd, int (*fn)(FILE *f, const void *arg), const void *arg)
{
	FILE *f = fdopen(fd, "w");
	int ret;

	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = fn(f, arg) ? -EIO : 0;
	if (fflush(f) && !ret)
		ret = -errno;
	if (fsync(fileno(f)) && !ret)
		ret = -errno;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int fb_create(const char *path, enum fb_publish how)
{
	const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
	char tmp[64], *dir;
	int dfd, fd;

	if (!*path || !*base)
		return -EINVAL;
	if (how != FB_REPLACE) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		return fd < 0 ? -errno : fd;
	}
	dir = slash ? xasprintf("%.*s", (int)(slash - path), path) : xstrdup(".");
	dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (dfd < 0)
		return -errno;
	fd = create_temp(dfd, tmp, sizeof(tmp));
	/* rename() replaces a link itself, never the file it points to */
	if (fd >= 0 && renameat(dfd, tmp, dfd, base)) {
		int err = -errno;

		unlinkat(dfd, tmp, 0);
		close(fd);
		fd = err;
	}
	close(dfd);
	return fd;
}

int fb_open_append(const char *path)
{
	/* O_NONBLOCK: a FIFO planted there must not block the open */
	int fd =
	    open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    fcntl(fd, F_SETFL, O_APPEND)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

int fb_write_file(const char *dir, const char *stem, const char *ext, enum fb_publish how,
		  int (*fn)(FILE *f, const void *arg), const void *arg, char **written)
{
	char tmp[64], *name = NULL;
	int dfd, fd, ret;

	if (!*dir)
		dir = ".";
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = create_temp(dfd, tmp, sizeof(tmp));
	if (fd < 0) {
		close(dfd);
		return fd;
	}
	ret = fill_temp(fd, fn, arg);
	if (ret)
		unlinkat(dfd, tmp, 0);
	else
		ret = fb_publish_at(dfd, tmp, dfd, stem, ext, how, &name);
	close(dfd);
	if (!ret && written)
		*written = xasprintf("%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", name);
	free(name);
	return ret;
}

/* ---- memory available ---- */

/* A "Key:   123 kB" line of /proc/meminfo, in bytes; 0 when absent. */
unsigned long long fb_meminfo_bytes(const char *text, const char *key)
{
	const char *p = text ? strstr(text, key) : NULL;

	return p ? strtoull(p + strlen(key), NULL, 10) * 1024 : 0;
}

/* One number from a cgroup file; ULLONG_MAX for "max" or when absent. */
static unsigned long long cgroup_value(const char *dir, const char *file)
{
	char *path = xasprintf("/sys/fs/cgroup%s/%s", dir, file);
	char *s = read_first_line(path);
	unsigned long long v = ~0ULL;

	if (s && *s >= '0' && *s <= '9')
		v = strtoull(s, NULL, 10);
	free(s);
	free(path);
	return v;
}

/*
 * What the memory limits of the cgroup dir and its ancestors leave (v2:
 * memory.max - memory.current; v1: memory.limit_in_bytes - usage), ULLONG_MAX
 * when none.  v1 writes "no limit" as a page-rounded LLONG_MAX.
 */
static unsigned long long cgroup_left(char *dir, const char *max_file, const char *cur_file)
{
	unsigned long long room = ~0ULL;
	char *slash;

	for (;;) {
		unsigned long long max = cgroup_value(dir, max_file);
		unsigned long long cur = cgroup_value(dir, cur_file);

		if (max < (1ULL << 62)) {
			unsigned long long left = cur != ~0ULL && cur < max ? max - cur : 0;

			if (left < room)
				room = left;
		}
		slash = strrchr(dir, '/');
		if (!slash || slash == dir || !slash[1])
			break;
		*slash = '\0';
	}
	return room;
}

char *fb_cgroup_path_in(char *text, bool v2)
{
	char *line, *save = NULL, *path = NULL;

	for (line = text ? strtok_r(text, "\n", &save) : NULL; line && !path;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		bool memory = false;

		if (!c2)
			continue;
		*c2 = '\0';
		/* v1 controllers may share a hierarchy: "4:memory" or "5:cpu,memory" */
		for (char *t = c1 + 1, *s2 = NULL, *w; (w = strtok_r(t, ",", &s2)); t = NULL)
			memory |= !strcmp(w, "memory");
		if (v2 ? !strcmp(line, "0") && c1[1] == '\0' : memory)
			path = xasprintf("%s%s", v2 ? "" : "/memory", c2 + 1);
	}
	return path;
}

/* This process's cgroup path in the v2 hierarchy ("0::/x") or under v1's memory controller. */
static char *cgroup_path(bool v2)
{
	char *text = read_text_file("/proc/self/cgroup"), *path = fb_cgroup_path_in(text, v2);

	free(text);
	return path;
}

/* What the cgroup memory limits (v2, and v1's memory controller) leave; ULLONG_MAX when none. */
static unsigned long long cgroup_room(void)
{
	char *v2 = cgroup_path(true), *v1 = cgroup_path(false);
	unsigned long long room = ~0ULL, left;

	if (v2)
		room = cgroup_left(v2, "memory.max", "memory.current");
	if (v1) {
		left = cgroup_left(v1, "memory.limit_in_bytes", "memory.usage_in_bytes");
		if (left < room)
			room = left;
	}
	free(v2);
	free(v1);
	return room;
}

unsigned long long fb_mem_available(void)
{
	char *meminfo = read_text_file("/proc/meminfo");
	unsigned long long avail = fb_meminfo_bytes(meminfo, "MemAvailable:"), room = cgroup_room();

	free(meminfo);
	if (!avail)
		avail = ~0ULL;
	return avail < room ? avail : room;
}

void fb_format_size_pair(unsigned long long a, unsigned long long b, char *sa, char *sb, size_t len)
{
	static const struct {
		double unit;
		const char *name;
	} units[] = { { 1073741824.0, "GiB" }, { 1048576.0, "MiB" }, { 1024.0, "KiB" } };
	size_t u = 0;

	/* the largest unit that the larger is at least one of, or the smallest */
	while (u + 1 < ARRAY_SIZE(units) && a < units[u].unit && b < units[u].unit)
		u++;
	for (;; u++) {
		for (int d = 1; d <= 3; d++) {
			snprintf(sa, len, "%.*f %s", d, a / units[u].unit, units[u].name);
			snprintf(sb, len, "%.*f %s", d, b / units[u].unit, units[u].name);
			if (a == b || strcmp(sa, sb))
				return;
		}
		if (u + 1 == ARRAY_SIZE(units)) {
			snprintf(sa, len, "%llu bytes", a);
			snprintf(sb, len, "%llu bytes", b);
			return;
		}
	}
}
