// SPDX-License-Identifier: GPL-2.0
/*
 * The compiler flags faultbench passes on (kernbench's --cflags, from the
 * command line or a suite config).  A compiler flag can run a program
 * (-wrapper, -fplugin=, -B, -fuse-ld=), read a file of more flags (@file,
 * -include, -specs=) or write anywhere (-o, -MF, -save-temps=): so flags are
 * taken from a list of harmless kinds, and everything else is refused by
 * name.  The kinds are what a build-time measurement varies: optimisation,
 * warnings, the target CPU, macros, debug info and -f code-generation
 * switches; none of them may name a path.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ccflags.h"

/* -f switches that run something, read or write a named file, or pass options on. */
static const char *const f_refused[] = {
	"plugin",	       /* -fplugin=, -fplugin-arg-: load and run code */
	"compare-debug",       /* -fcompare-debug=OPTS: a second compile with OPTS */
	"use-ld",	       /* -fuse-ld=: picks the linker program */
	"profile",	       /* -fprofile-generate=/-use=/-dir=: files anywhere */
	"auto-profile",	       /* reads a named profile */
	"dump",		       /* -fdump-*: writes dump files, some to a named place */
	"debug-prefix-map",    /* rewrites paths recorded in objects */
	"file-prefix-map",     /* the same */
	"macro-prefix-map",    /* the same */
	"record-gcc-switches", /* harmless, but writes a section of argv */
	"callgraph-info",      /* writes .ci files */
	"stack-usage",	       /* writes .su files */
	"lto",		       /* runs lto-wrapper and a linker plugin */
	"opt-info",	       /* -fopt-info-...=FILE */
	"sanitize-coverage-allowlist",
	"sanitize-coverage-blocklist",
	"sanitize-ignorelist",
	"sanitize-blacklist",
	"xray",
	"instrument-functions-exclude-file-list",
};

/* Every byte of a flag: no path separator, no shell syntax, nothing make expands. */
static bool plain_bytes(const char *flag)
{
	for (const char *c = flag; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || strchr("._+-=,:", *c)))
			return false;
	return true;
}

static bool word_chars(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
			return false;
	return true;
}

static bool optimisation(const char *f)
{
	static const char *const levels[] = { "", "0", "1", "2", "3", "s", "z", "g", "fast" };

	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
		if (!strcmp(f + 2, levels[i]))
			return true;
	return false;
}

/* -Wall, -Wno-x, -Werror=x: but not -Wl, -Wa, -Wp (options for the linker, assembler, cpp). */
static bool warning(const char *f)
{
	if (!strcmp(f, "-w") || !strcmp(f, "-pedantic") || !strcmp(f, "-pedantic-errors"))
		return true;
	if (strncmp(f, "-W", 2) || strchr(f, ','))
		return false;
	return word_chars(f + 2, "-=+._");
}

/* -march=, -mtune=, -mcpu= a CPU name */
static bool target_cpu(const char *f)
{
	static const char *const opts[] = { "-march=", "-mtune=", "-mcpu=" };

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strncmp(f, opts[i], strlen(opts[i])))
			return f[strlen(opts[i])] && word_chars(f + strlen(opts[i]), "-_.+");
	return false;
}

/* -DNAME, -DNAME=VALUE, -UNAME: the name an identifier, the value plain (no path). */
static bool macro(const char *f)
{
	const char *s = f + 2;

	if (strncmp(f, "-D", 2) && strncmp(f, "-U", 2))
		return false;
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return false;
	for (; *s && *s != '='; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return f[1] == 'D' || !*s;
}

/* -g, -g3, -ggdb, -gdwarf-5, -gsplit-dwarf ... */
static bool debug_info(const char *f)
{
	return !strncmp(f, "-g", 2) && word_chars(f + 2, "-");
}

/* -fno-omit-frame-pointer, -fsanitize=address, -fPIC: not the refused ones */
static bool f_switch(const char *f)
{
	const char *name = f + 2;

	if (strncmp(f, "-f", 2) || !*name)
		return false;
	if (!strncmp(name, "no-", 3))
		name += 3;
	for (size_t i = 0; i < sizeof(f_refused) / sizeof(f_refused[0]); i++)
		if (!strncmp(name, f_refused[i], strlen(f_refused[i])))
			return false;
	return true;
}

bool cc_flag_ok(const char *flag)
{
	if (flag[0] != '-' || !plain_bytes(flag))
		return false;
	if (!strncmp(flag, "-O", 2))
		return optimisation(flag);
	if (!strncmp(flag, "-std=", 5))
		return word_chars(flag + 5, "+");
	return !strcmp(flag, "-pipe") || warning(flag) || target_cpu(flag) || macro(flag) ||
	       debug_info(flag) || f_switch(flag);
}

const char *cc_flags_refused(const char *flags, char *buf, size_t len)
{
	const char *s = flags;

	for (;;) {
		size_t n;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		if (!n)
			return NULL;
		snprintf(buf, len, "%.*s", (int)n, s);
		/* a flag cut short by buf is not the flag that was checked: refuse it */
		if (n >= len || !cc_flag_ok(buf))
			return buf;
		s += n;
	}
}

bool cc_compiler_name_ok(const char *cc)
{
	static const char *const names[] = { "cc",  "gcc", "clang", "c89", "c99",
					     "c11", "icx", "icc",   "tcc" };
	const char *base = strrchr(cc, '/') ? strrchr(cc, '/') + 1 : cc;
	size_t n = strlen(base);

	/* a version suffix: gcc-14, clang-19, gcc-14.2 */
	while (n && ((base[n - 1] >= '0' && base[n - 1] <= '9') || base[n - 1] == '.'))
		n--;
	if (n < strlen(base) && n && base[n - 1] == '-')
		n--;
	else
		n = strlen(base);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		size_t k = strlen(names[i]);

		/* the name itself, or a cross compiler's: x86_64-linux-gnu-gcc */
		if (n >= k && !strncmp(base + n - k, names[i], k) &&
		    (n == k || base[n - k - 1] == '-'))
			return true;
	}
	return false;
}
