/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Running this very binary as a child: a subcommand that repeats another
 * (noise runs a suite K times) does exactly what a user would type, and a
 * crashing child cannot take the parent's bookkeeping with it.
 */
#ifndef FB_SPAWN_H
#define FB_SPAWN_H

/*
 * Run /proc/self/exe with argv (argv[0] is the subcommand's name as shown),
 * wait for it; its exit status, 128 + signal, or FB_FAIL with a message.
 */
int spawn_self_wait(char *const argv[]);

#endif
