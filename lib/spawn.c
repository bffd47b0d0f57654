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
		execv("/proc/self/exe", argv);
		fprintf(stderr, "faultbench: exec /proc/self/exe: %s\n", strerror(errno));
		_exit(127);
	}
	st = wait_child(pid);
	return st < 0 ? fb_fail("waitpid: %s", strerror(-st)) : st;
}
