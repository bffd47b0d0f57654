// SPDX-License-Identifier: GPL-2.0
/* Running this very binary as a child and waiting for it (spawn.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

int spawn_self_wait(char *const argv[])
{
	pid_t pid;
	int st;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return fb_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		/* the child decides for itself what a Ctrl-C means */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		/* passed on before the lines above: act on it now */
		if (fb_interrupted)
			raise(fb_interrupted);
		execv("/proc/self/exe", argv);
		fprintf(stderr, "faultbench: exec /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	/* a parent with fb_install_signal_handlers() passes SIGINT/SIGTERM on to it */
	fb_forward_pid = pid;
	/* a signal between fork() and the line above found no pid to pass on to */
	if (fb_interrupted)
		kill(pid, fb_interrupted);
	st = wait_child(pid);
	fb_forward_pid = 0;
	return st < 0 ? fb_fail("waitpid: %s", strerror(-st)) : st;
}
