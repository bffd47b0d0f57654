// SPDX-License-Identifier: GPL-2.0
/*
 * Running other programs: start, capture, time out, wait and decode (spawn.h).
 *
 * The child tells the parent why it could not exec through a close-on-exec
 * pipe (git's run-command does the same): an empty read means the exec
 * happened, so "no such program" is an error of spawn_start(), never confused
 * with a program that exits 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

extern char **environ;

/* What failed before the child's program ran (spawn.step). */
enum spawn_step {
	STEP_FIND = 1,
	STEP_OPEN,
	STEP_PIPE,
	STEP_FORK,
	STEP_DUP,
	STEP_CHDIR,
	STEP_EXEC,
	STEP_WAIT,
};

/* Without pidfd_open() (Linux < 5.3) a child's end is polled this often. */
#define POLL_TICK_MS 10

static bool is_program(const char *path)
{
	struct stat st;

	/* to access(), a directory is executable too */
	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, X_OK);
}

char *spawn_find_program(const char *name, const char *extra_dirs)
{
	const char *path = getenv("PATH");
	char *all, *dir, *save = NULL, *found = NULL;

	if (!name || !*name)
		return NULL;
	if (strchr(name, '/'))
		return is_program(name) ? xstrdup(name) : NULL;
	all = xasprintf("%s:%s", path ? path : "/usr/bin:/bin", extra_dirs ? extra_dirs : "");
	/* strtok_r skips empty entries: "" (the current directory) is never searched */
	for (dir = strtok_r(all, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", dir, name);

		if (is_program(p))
			found = p;
		else
			free(p);
	}
	free(all);
	return found;
}

/* Our environment with s->env applied: "NAME=value" replaces or adds, "NAME" removes. */
static char **child_env(const char *const *changes)
{
	size_t n = 0, k = 0, i, c, nchanges = 0;
	char **envp;

	while (environ[n])
		n++;
	while (changes[nchanges])
		nchanges++;
	envp = xcalloc(n + nchanges + 1, sizeof(*envp));
	for (i = 0; i < n; i++) {
		bool replaced = false;

		for (c = 0; c < nchanges && !replaced; c++) {
			size_t len = strcspn(changes[c], "=");

			replaced = !strncmp(environ[i], changes[c], len) && environ[i][len] == '=';
		}
		if (!replaced)
			envp[k++] = xstrdup(environ[i]);
	}
	for (c = 0; c < nchanges; c++)
		if (strchr(changes[c], '='))
			envp[k++] = xstrdup(changes[c]);
	envp[k] = NULL;
	return envp;
}

static void free_env(char **envp)
{
	for (char **e = envp; e && *e; e++)
		free(*e);
	free(envp);
}

static int not_run(struct spawn *s, int step, int err)
{
	s->end = SPAWN_NOT_RUN;
	s->code = 127;
	s->step = step;
	s->err_no = err;
	return -err;
}

/*
 * fd moved above 0-2 (close-on-exec): a dup2() onto itself in the child would
 * keep the flag, and the stream would be closed at exec.
 */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return moved;
}

/* The descriptor the child gets for one stream, opened here; -1: keep ours. */
static int open_stream(struct spawn *s, const struct spawn_io *io, bool input, int *pipe_end)
{
	int fd, fds[2];

	switch (io->how) {
	case SPAWN_NULL:
		return open("/dev/null", (input ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
	case SPAWN_FD:
		return fcntl(io->fd, F_DUPFD_CLOEXEC, 3);
	case SPAWN_FILE:
	case SPAWN_APPEND:
		if (input)
			return errno = EINVAL, -1;
		/* never through a link planted at the path: replaced, or appended to a file */
		fd = io->how == SPAWN_FILE ? fb_create(io->path, FB_REPLACE)
					   : fb_open_append(io->path);
		return fd < 0 ? (errno = -fd, -1) : fd;
	case SPAWN_CAPTURE:
		if (input || pipe2(fds, O_CLOEXEC))
			return input ? (errno = EINVAL, -1) : -1;
		*pipe_end = above_stdio(fds[0]);
		return fds[1];
	default:
		return -1;
	}
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: report what failed to the parent and leave. */
static void __attribute__((noreturn)) child_fail(int report, int step)
{
	int msg[2] = { step, errno };

	if (write(report, msg, sizeof(msg)) < 0)
		_exit(126);
	_exit(127);
}

static void child_dup(int fd, int target, int report)
{
	if (fd < 0)
		return;
	if (dup2(fd, target) < 0)
		child_fail(report, STEP_DUP);
}

/* In the child, after fork(): only dup2, chdir, the caller's setup and exec. */
static void __attribute__((noreturn))
child(struct spawn *s, const int fd[3], int report, const sigset_t *mask)
{
	const char *const *argv = s->argv;

	/*
	 * A ^C before exec must end the child as it would after exec (handlers
	 * reset there).  The parent forked with SIGINT/SIGTERM blocked: one sent
	 * to the group until here waited, and ends the child now, instead of
	 * running our handler in it (which set the child's copy of the flag and
	 * let it exec as if nothing had come).
	 */
	fb_test_term_at("child");
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	fb_restore_interrupts(mask);
	if (s->own_group)
		setpgid(0, 0);
	/* passed on before the parent knew this pid: act on it now */
	if (s->pass_interrupt && fb_interrupted)
		raise(fb_interrupted);
	child_dup(fd[0], STDIN_FILENO, report);
	child_dup(fd[1], STDOUT_FILENO, report);
	if (s->err.how == SPAWN_TO_STDOUT)
		child_dup(STDOUT_FILENO, STDERR_FILENO, report);
	else
		child_dup(fd[2], STDERR_FILENO, report);
	if (s->dir && chdir(s->dir))
		child_fail(report, STEP_CHDIR);
	if (s->child_setup)
		s->child_setup(s->child_arg);
	execve(s->path, (char *const *)argv, s->envp ? s->envp : environ);
	child_fail(report, STEP_EXEC);
}

/* After fork(): did the child reach exec?  0, or what it reported. */
static int exec_result(int report, int *step)
{
	int msg[2];
	ssize_t n;

	while ((n = read(report, msg, sizeof(msg))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(msg))
		return 0;
	*step = msg[0];
	return msg[1] ? msg[1] : EIO;
}

static int open_streams(struct spawn *s, int fd[3])
{
	const struct spawn_io *io[3] = { &s->in, &s->out, &s->err };
	int *pipes[3] = { NULL, &s->out_pipe, &s->err_pipe }, unused = -1;

	for (int i = 0; i < 3; i++) {
		if (io[i]->how == SPAWN_INHERIT || io[i]->how == SPAWN_TO_STDOUT)
			continue;
		fd[i] = above_stdio(open_stream(s, io[i], i == 0, pipes[i] ? pipes[i] : &unused));
		if (fd[i] < 0)
			return not_run(s, io[i]->how == SPAWN_CAPTURE ? STEP_PIPE : STEP_OPEN,
				       errno);
	}
	return 0;
}

static int pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int spawn_start(struct spawn *s)
{
	int fd[3] = { -1, -1, -1 }, report[2] = { -1, -1 }, err, step = 0, ret = 0;
	sigset_t mask;

	s->pid = 0;
	s->end = SPAWN_RUNNING;
	s->code = 0;
	s->reaped = s->timed_out = false;
	s->out_pipe = s->err_pipe = s->pidfd = -1;
	s->path = s->file ? xstrdup(s->file) : spawn_find_program(s->argv[0], NULL);
	if (!s->path)
		return not_run(s, STEP_FIND, ENOENT);
	if (s->env)
		s->envp = child_env(s->env);
	ret = open_streams(s, fd);
	if (!ret && pipe2(report, O_CLOEXEC))
		ret = not_run(s, STEP_PIPE, errno);
	if (ret)
		goto out;
	/* buffered output of ours must not come after the child's */
	fflush(stdout);
	fflush(stderr);
	fb_block_interrupts(&mask);
	s->pid = fork();
	if (!s->pid)
		child(s, fd, report[1], &mask);
	fb_restore_interrupts(&mask);
	if (s->pid < 0) {
		ret = not_run(s, STEP_FORK, errno);
		goto out;
	}
	fb_test_term_at("fork");
	/* both sides: no window in which a stop misses the group */
	if (s->own_group)
		setpgid(s->pid, s->pid);
	close_fd(&report[1]);
	err = exec_result(report[0], &step);
	if (err) {
		while (wait4(s->pid, NULL, 0, NULL) < 0 && errno == EINTR)
			;
		ret = not_run(s, step, err);
		goto out;
	}
	if (s->pass_interrupt) {
		s->saved_forward = fb_forward_pid;
		fb_forward_pid = s->own_group ? -s->pid : s->pid;
		/* a signal between fork() and the line above found no pid to pass on to */
		if (fb_interrupted)
			kill(fb_forward_pid, fb_interrupted);
	}
	s->pidfd = pidfd_open(s->pid);
	s->deadline = s->timeout > 0 ? now_monotonic() + s->timeout : 0;
out:
	for (int i = 0; i < 3; i++)
		close_fd(&fd[i]);
	close_fd(&report[0]);
	close_fd(&report[1]);
	if (ret) {
		close_fd(&s->out_pipe);
		close_fd(&s->err_pipe);
	}
	return ret;
}

/* Decode a wait status into end and code. */
static void ended(struct spawn *s, int status)
{
	if (WIFEXITED(status)) {
		s->code = WEXITSTATUS(status);
		s->end = SPAWN_EXITED;
	} else {
		s->code = 128 + WTERMSIG(status);
		s->end = SPAWN_KILLED;
	}
	if (s->timed_out)
		s->end = SPAWN_TIMED_OUT;
	if (s->pass_interrupt)
		fb_forward_pid = s->saved_forward;
	close_fd(&s->pidfd);
	s->reaped = true;
}

/* Reap the child; with block false only if it has ended.  true once reaped. */
static bool reap(struct spawn *s, bool block)
{
	int status;
	pid_t r;

	if (s->reaped || s->end == SPAWN_NOT_RUN)
		return true;
	while ((r = wait4(s->pid, &status, block ? 0 : WNOHANG, &s->ru)) < 0 && errno == EINTR)
		;
	if (r != s->pid) {
		/* ECHILD: someone else reaped it (SIGCHLD ignored); nothing to decode */
		if (r < 0 && errno == ECHILD) {
			ended(s, 0);
			s->end = SPAWN_NOT_RUN;
			s->step = STEP_WAIT;
			s->err_no = ECHILD;
			s->code = 127;
		}
		return s->reaped;
	}
	ended(s, status);
	return true;
}

/* Has the child ended, without reaping it (its pid stays its group's)? */
static bool has_ended(struct spawn *s, int wait_ms)
{
	struct pollfd p = { .fd = s->pidfd, .events = POLLIN };
	siginfo_t si = { 0 };

	if (s->pidfd >= 0 && wait_ms)
		poll(&p, 1, wait_ms);
	else if (wait_ms)
		usleep((useconds_t)(wait_ms < POLL_TICK_MS ? wait_ms : POLL_TICK_MS) * 1000);
	if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT))
		return errno == ECHILD;
	return si.si_pid == s->pid;
}

static int ms_until(double t)
{
	double left = t - now_monotonic();

	return left <= 0 ? 0 : left > 1e6 ? 1000000000 : (int)ceil(left * 1000);
}

bool spawn_stop(struct spawn *s, int sig, double grace)
{
	double until = now_monotonic() + grace;
	bool killed = false;
	pid_t target;

	if (s->reaped || s->end == SPAWN_NOT_RUN || s->pid <= 0)
		return false;
	target = s->own_group ? -s->pid : s->pid;
	kill(target, sig);
	while (!has_ended(s, ms_until(until))) {
		if (!ms_until(until)) {
			killed = true;
			break;
		}
	}
	/*
	 * Not reaped yet, so the pid still names the child (and its group):
	 * SIGKILL for a child past its grace, and for what is left of its group.
	 */
	if (killed || s->own_group)
		kill(target, SIGKILL);
	reap(s, true);
	return killed;
}

/* Read what is there of one captured stream; false at its end. */
static bool read_some(int *fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t n;

	if (*cap - *len < 4096) {
		*cap = *cap ? 2 * *cap : 16384;
		*buf = xrealloc(*buf, *cap);
		(*buf)[*len] = '\0';
	}
	n = read(*fd, *buf + *len, *cap - *len - 1);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		close_fd(fd);
		return false;
	}
	*len += (size_t)n;
	(*buf)[*len] = '\0';
	return true;
}

static void time_out(struct spawn *s)
{
	double grace = s->grace > 0 ? s->grace : 5;

	s->timed_out = true;
	spawn_stop(s, s->stop_signal ? s->stop_signal : SIGTERM, grace);
	/* what it wrote before it was stopped is still read, for another grace period */
	s->deadline = now_monotonic() + grace;
}

/*
 * One round of waiting: for captured output, the child's end (pidfd) or the
 * timeout, whichever comes first.  Returns false when nothing is left to wait for.
 */
static bool wait_round(struct spawn *s)
{
	struct pollfd p[3];
	int n = 0, ms = -1, i_out = -1, i_err = -1;

	if (s->deadline) {
		ms = ms_until(s->deadline);
		if (!ms && !s->reaped) {
			time_out(s);
			return true;
		}
		if (!ms) {
			/* what a process outside the group still holds open is not waited for */
			close_fd(&s->out_pipe);
			close_fd(&s->err_pipe);
			return false;
		}
	}
	if (!s->reaped && s->pidfd >= 0)
		p[n++] = (struct pollfd){ .fd = s->pidfd, .events = POLLIN };
	else if (!s->reaped && (ms < 0 || ms > POLL_TICK_MS))
		ms = POLL_TICK_MS;
	if (s->out_pipe >= 0) {
		i_out = n;
		p[n++] = (struct pollfd){ .fd = s->out_pipe, .events = POLLIN };
	}
	if (s->err_pipe >= 0) {
		i_err = n;
		p[n++] = (struct pollfd){ .fd = s->err_pipe, .events = POLLIN };
	}
	if (!n && s->reaped)
		return false;
	/* EINTR: a ^C was passed on by the signal handler; go round again */
	if (poll(p, (nfds_t)n, ms) < 0)
		return true;
	if (i_out >= 0 && p[i_out].revents)
		read_some(&s->out_pipe, &s->out_buf, &s->out_len, &s->out_cap);
	if (i_err >= 0 && p[i_err].revents)
		read_some(&s->err_pipe, &s->err_buf, &s->err_len, &s->err_cap);
	return true;
}

int spawn_finish(struct spawn *s)
{
	if (s->end == SPAWN_NOT_RUN)
		return s->code;
	for (;;) {
		reap(s, false);
		/* nothing to read and no clock running: a plain blocking wait */
		if (!s->reaped && s->out_pipe < 0 && s->err_pipe < 0 && !s->deadline)
			reap(s, true);
		if (!wait_round(s))
			break;
	}
	/* a capture is a string even when the child wrote nothing */
	if (s->out.how == SPAWN_CAPTURE && !s->out_buf)
		s->out_buf = xstrdup("");
	if (s->err.how == SPAWN_CAPTURE && !s->err_buf)
		s->err_buf = xstrdup("");
	return s->code;
}

int spawn_run(struct spawn *s)
{
	spawn_start(s);
	return spawn_finish(s);
}

bool spawn_exited(struct spawn *s)
{
	return reap(s, false);
}

const char *spawn_describe(const struct spawn *s, char *buf, size_t len)
{
	static const char *const what[] = {
		[STEP_FIND] = "",	[STEP_EXEC] = "",
		[STEP_WAIT] = "",	[STEP_OPEN] = "redirection: ",
		[STEP_PIPE] = "pipe: ", [STEP_FORK] = "fork: ",
		[STEP_DUP] = "dup2: ",	[STEP_CHDIR] = "chdir: ",
	};
	const char *name = s->argv && s->argv[0] ? s->argv[0] : "?";
	int sig = s->code - 128,
	    step = s->step >= STEP_FIND && s->step <= STEP_WAIT ? s->step : STEP_EXEC;

	switch (s->end) {
	case SPAWN_NOT_RUN:
		snprintf(buf, len, "cannot %s '%s': %s%s", step == STEP_WAIT ? "wait for" : "run",
			 s->file ? s->file : name, what[step], strerror(s->err_no));
		break;
	case SPAWN_EXITED:
		snprintf(buf, len, "exited with status %d", s->code);
		break;
	case SPAWN_KILLED:
		snprintf(buf, len, "killed by signal %d (%s)", sig, strsignal(sig));
		break;
	case SPAWN_TIMED_OUT:
		if (s->code >= 128)
			snprintf(buf, len, "timed out after %g s (killed by signal %d (%s))",
				 s->timeout, sig, strsignal(sig));
		else
			snprintf(buf, len, "timed out after %g s (then exited with status %d)",
				 s->timeout, s->code);
		break;
	default:
		snprintf(buf, len, "still running");
	}
	return buf;
}

bool spawn_not_found(const struct spawn *s)
{
	return s->end == SPAWN_NOT_RUN && s->err_no == ENOENT &&
	       (s->step == STEP_FIND || s->step == STEP_EXEC);
}

void spawn_clear(struct spawn *s)
{
	close_fd(&s->out_pipe);
	close_fd(&s->err_pipe);
	close_fd(&s->pidfd);
	free(s->path);
	free_env(s->envp);
	free(s->out_buf);
	free(s->err_buf);
	s->path = NULL;
	s->envp = NULL;
	s->out_buf = s->err_buf = NULL;
	s->out_len = s->err_len = s->out_cap = s->err_cap = 0;
}

char *spawn_first_line(const char *const argv[])
{
	struct spawn sp = { .argv = argv, .out = { SPAWN_CAPTURE }, .err = { SPAWN_NULL } };
	char *line = NULL;

	if (!spawn_run(&sp) && sp.out_buf[0] != '\n' && sp.out_buf[0]) {
		sp.out_buf[strcspn(sp.out_buf, "\n")] = '\0';
		line = xstrdup(sp.out_buf);
	}
	spawn_clear(&sp);
	return line;
}

int spawn_self_logged(const char *const argv[], const char *dir, const char *log, double timeout,
		      bool *timed_out)
{
	struct spawn s = {
		.argv = argv,
		.file = "/proc/self/exe",
		.dir = dir,
		.pass_interrupt = true,
		.timeout = timeout,
		.grace = timeout > 0 ? SPAWN_SELF_GRACE : 0,
	};
	char why[256];
	int code;

	if (log) {
		s.out = (struct spawn_io){ SPAWN_FILE, .path = log };
		s.err = (struct spawn_io){ SPAWN_TO_STDOUT };
	}
	code = spawn_run(&s);
	if (timed_out)
		*timed_out = s.end == SPAWN_TIMED_OUT;
	if (s.end == SPAWN_NOT_RUN)
		code = fb_fail("%s", spawn_describe(&s, why, sizeof(why)));
	spawn_clear(&s);
	return code;
}

int spawn_self_wait(char *const argv[])
{
	return spawn_self_logged((const char *const *)argv, NULL, NULL, 0, NULL);
}
