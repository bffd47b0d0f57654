/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running other programs, in the spirit of git's run-command: one struct
 * spawn says what to run and where its input and output go; spawn_start()
 * forks and execs, spawn_finish() waits (reading what is captured, stopping
 * the child at its timeout) and decodes how it ended.  Every fork/exec/wait of
 * a command goes through here, so redirection, process groups, timeouts,
 * passing ^C on and the "cannot run" and "killed by signal" messages live in
 * one place.  Forks that are themselves measured (aim9's fork and exec loops,
 * the runner's worker processes) do not: they must cost what they cost.
 *
 *	struct spawn sp = {
 *		.argv = (const char *const[]){ "gnuplot", script, NULL },
 *		.dir = tdir,
 *		.out = { SPAWN_NULL },
 *	};
 *	int code = spawn_run(&sp);	// exit status, 128 + signal, 127: not run
 *	if (code) fb_fail("gnuplot %s", spawn_describe(&sp, buf, sizeof(buf)));
 *	spawn_clear(&sp);
 *
 * Everything the child needs (the program's path, its environment, files it
 * writes to) is prepared before fork(), so a child of a multithreaded process
 * only dup2()s, calls child_setup and execs.
 */
#ifndef FB_SPAWN_H
#define FB_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Where one of the child's standard streams comes from or goes to. */
enum spawn_how {
	SPAWN_INHERIT = 0, /* ours (the default) */
	SPAWN_NULL,	   /* /dev/null */
	SPAWN_FD,	   /* .fd, a descriptor of ours (it stays open here) */
	SPAWN_FILE,	   /* .path, a new file, replacing an old one or a link (fb_create) */
	SPAWN_APPEND,	   /* .path, created or appended to: a regular file only (fb_open_append) */
	SPAWN_CAPTURE,	   /* into spawn.out_buf / err_buf (output streams only) */
	SPAWN_TO_STDOUT,   /* stderr only: wherever stdout goes (2>&1) */
};

struct spawn_io {
	enum spawn_how how;
	int fd;
	const char *path;
};

/* How the child ended, once spawn_finish() or spawn_exited() has seen it. */
enum spawn_end {
	SPAWN_RUNNING = 0, /* not started, or not waited for yet */
	SPAWN_NOT_RUN,	   /* fork, a redirection, chdir or exec failed: see .err_no */
	SPAWN_EXITED,	   /* exited; .code is its status */
	SPAWN_KILLED,	   /* killed by signal .code - 128 */
	SPAWN_TIMED_OUT,   /* stopped at .timeout; .code is 128 + the signal that ended it */
};

struct spawn {
	/* what to run: argv[0] is looked up in PATH unless .file or a '/' says where */
	const char *const *argv;
	const char *file;	      /* the program to exec when argv[0] is only its name */
	const char *const *env;	      /* "NAME=value" set, "NAME" unset, on top of ours */
	const char *dir;	      /* the child's working directory, or NULL: ours */
	struct spawn_io in, out, err; /* in: INHERIT, NULL or FD */
	bool own_group;		      /* its own process group: stops reach the whole group */
	/* a SIGINT/SIGTERM that faultbench gets (fb_install_signal_handlers) goes on to it */
	bool pass_interrupt;
	double timeout;	 /* seconds from spawn_start(); 0: none */
	int stop_signal; /* sent at the timeout; 0: SIGTERM */
	double grace;	 /* then SIGKILL after this many seconds; 0: 5 */
	/*
	 * Called in the child before exec (pinning, prctl).  The parent may have
	 * threads: system calls and glibc's malloc (fork-safe) are fine, other
	 * locks (stdio) may be held by a thread that is not there.
	 */
	void (*child_setup)(void *arg);
	void *child_arg;

	/* filled in */
	pid_t pid;
	enum spawn_end end;
	int code;		 /* exit status, 128 + signal, or 127 when not run */
	int err_no;		 /* SPAWN_NOT_RUN: why (errno; ENOENT: no such program) */
	char *out_buf, *err_buf; /* SPAWN_CAPTURE: NUL-terminated (malloc'd) */
	size_t out_len, err_len;
	struct rusage ru; /* of the child and the children it waited for */

	/* private */
	int step; /* SPAWN_NOT_RUN: what failed */
	bool reaped, timed_out;
	int out_pipe, err_pipe, pidfd;
	double deadline;
	char *path;
	char **envp;
	size_t out_cap, err_cap;
	pid_t saved_forward;
};

/*
 * Start the child.  0, or -errno with .end = SPAWN_NOT_RUN (nothing printed:
 * the caller knows what the program was for).  A program that is not found
 * or cannot be executed is reported here, not as an exit status.
 */
int spawn_start(struct spawn *s);

/*
 * Read what is captured until the child ends, stop it at its timeout
 * (stop_signal to it or its group, SIGKILL after grace), reap it.  Returns
 * .code: the exit status, 128 + signal, or 127 when it did not run.
 */
int spawn_finish(struct spawn *s);

/* spawn_start() then spawn_finish(). */
int spawn_run(struct spawn *s);

/* Has the child ended?  Reaps it when it has (for callers that poll). */
bool spawn_exited(struct spawn *s);

/*
 * Stop the child now: sig to it (its group with .own_group), SIGKILL after
 * grace seconds (and to what is left of the group), reap.  true when it had
 * to be killed with SIGKILL.
 */
bool spawn_stop(struct spawn *s, int sig, double grace);

/*
 * How it ended, for a message: "exited with status 2", "killed by signal 9
 * (Killed)", "timed out after 5 s (killed by signal 15 (Terminated))",
 * "cannot run 'gnuplot': No such file or directory".  Returns buf.
 */
const char *spawn_describe(const struct spawn *s, char *buf, size_t len);

/* Did it not run because there is no such program (not installed)? */
bool spawn_not_found(const struct spawn *s);

/* Free what spawn_start() and capturing allocated; the child must be reaped. */
void spawn_clear(struct spawn *s);

/*
 * The first line of what argv prints on stdout (stderr discarded, no shell),
 * newline stripped: versions of tools for the metadata.  malloc'd; NULL when
 * it did not run, failed, or printed nothing.
 */
char *spawn_first_line(const char *const argv[]);

/*
 * An executable regular file named name in $PATH (/usr/bin:/bin when unset)
 * and then in extra_dirs (colon-separated, may be NULL), or name itself when
 * it has a '/'.  malloc'd, or NULL.
 */
char *spawn_find_program(const char *name, const char *extra_dirs);

/*
 * Run /proc/self/exe with argv (argv[0] is the subcommand's name as shown),
 * wait for it; its exit status, 128 + signal, or FB_FAIL with a message.
 * When the caller installed fb_install_signal_handlers(), a SIGINT/SIGTERM
 * sent to the caller alone is passed on to the child (suite, noise).
 */
int spawn_self_wait(char *const argv[]);

/*
 * The same, in directory dir (NULL: this one), its stdout and stderr into
 * the new file log (NULL: this process's), stopped after timeout seconds
 * (0: never; SIGTERM, then SIGKILL SPAWN_SELF_GRACE s later; *timed_out
 * says whether it was).  The budget of a caller includes the grace.
 */
#define SPAWN_SELF_GRACE 1.0
int spawn_self_logged(const char *const argv[], const char *dir, const char *log, double timeout,
		      bool *timed_out);

#endif
