/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compiler flags that are safe to take from a command line or a suite
 * config: they cannot run a program or read or write a file they name.
 * Taken: -O levels, -std=, -pipe, warnings (-W..., -w, -pedantic; not
 * -Wl, -Wa, -Wp), -march= -mtune= -mcpu=, -DNAME[=VALUE] and -UNAME, -g
 * switches, -f switches except those that load plugins, pick programs or
 * name files (-fplugin, -fuse-ld, -fprofile-*, -fdump-*, -flto, ...).  No
 * flag may hold '/' or any byte outside letters, digits and "._+-=,:".
 */
#ifndef FB_CCFLAGS_H
#define FB_CCFLAGS_H

#include <stdbool.h>
#include <stddef.h>

/* One flag (one word, as the shell will split it). */
bool cc_flag_ok(const char *flag);
/* NULL when every space-separated word of flags is taken; else the first refused one, in buf. */
const char *cc_flags_refused(const char *flags, char *buf, size_t len);

/*
 * A C compiler's name, so that --cc (or a config's cc =) cannot name another
 * program: cc, gcc, clang, c89, c99, c11, icx, icc or tcc, with a target
 * prefix ("x86_64-linux-gnu-gcc") or a version ("gcc-14"), in a
 * directory or not.
 */
bool cc_compiler_name_ok(const char *cc);

#endif
