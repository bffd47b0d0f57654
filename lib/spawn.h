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
 * When the caller installed fb_install_signal_handlers(), a SIGINT/SIGTERM
 * sent to the caller alone is passed on to the child (suite, noise).
 */
int spawn_self_wait(char *const argv[]);

#endif
