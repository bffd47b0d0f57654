// SPDX-License-Identifier: GPL-2.0
/*
 * kernbench: kernel builds, timed as kernbench times them.  The default tree
 * (--tree generated) needs nothing downloaded: faultbench generates a
 * deterministic C source tree (a big shared header, --files files
 * of --functions functions each, a Makefile linking them into one program) and
 * builds it with the system's make and cc at make -jN, from a clean tree each
 * iteration, pinned to the PUs of the step.  It reports what kernbench prints:
 * Elapsed, User and System seconds and CPU %, plus the page faults and context
 * switches of the whole build, taken from wait4()'s rusage of make (which holds
 * every compiler it waited for).
 *
 * Not a worker loop: run_step() runs the builds and fills the step's samples
 * itself, one sample per iteration with t = elapsed.  N is a matrix option
 * (--jobs): kernbench's half (CPUs/2), optimal (2 x CPUs) and max (make -j,
 * unlimited), or a number from the list of choices.  CPUs are the step's.
 *
 * --tree kernel builds a real kernel instead: Debian's linux-source tree
 * (bench/linux_source.c: installed on demand, unpacked once into a cache),
 * configured once per step into a build directory of its own (make O=DIR
 * tinyconfig, defconfig, or olddefconfig on a given .config), then per
 * iteration make clean (the .config stays) and the measured make -jN vmlinux.
 * The System time a kernel build spends in faults, exec and the page cache is
 * what an mm patch moves; a generated tree only approximates it.
 *
 * Pitfalls handled: the first build ever run by this process is a warm-up and
 * is not measured (the compiler, headers and make must be in the page cache);
 * MAKEFLAGS of an enclosing make (its jobserver) is removed from the build's
 * environment; make runs in a process group of its own so an interrupted run
 * stops the whole build.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "ccflags.h"
#include "fsfile.h"
#include "linux_source.h"
#include "parsers.h"
#include "spawn.h"
#include "stats.h"
#include "util.h"

#define JOBS_CHOICES                                                                               \
	"half|optimal|max|1|2|3|4|6|8|12|16|24|32|48|64|96|128|192|256|384|512|768|1024"
enum { JOBS_HALF, JOBS_OPTIMAL, JOBS_MAX, JOBS_FIRST_NUMBER };

enum { TREE_GENERATED, TREE_KERNEL };

struct kernbench_params {
	unsigned jobs; /* one bit per variant (matrix option) */
	int tree;
	const char *config;
	long long iterations;
	long long files;
	long long functions;
	const char *cc;
	const char *cflags;
};

#define P(field) offsetof(struct kernbench_params, field)

static const struct opt kernbench_opts[] = {
	{ .name = "jobs",
	  .type = OPT_ENUMSET,
	  .def = "half,optimal,max",
	  .choices = JOBS_CHOICES,
	  .help =
	      "make -jN per variant: half (CPUs/2), optimal (2 x CPUs), max (make -j, no limit) "
	      "or a number; CPUs are the step's",
	  .off = P(jobs),
	  .matrix = true },
	{ .name = "tree",
	  .type = OPT_ENUM,
	  .def = "generated",
	  .choices = "generated|kernel",
	  .help = "what to build: generated (a C tree faultbench writes, nothing to download) or "
		  "kernel (Debian's linux-source, installed on demand, unpacked once into "
		  "~/.cache/faultbench; $FB_LINUX_SOURCE: another tree or tarball)",
	  .off = P(tree) },
	{ .name = "config",
	  .type = OPT_STR,
	  .def = "tinyconfig",
	  .help = "--tree kernel: tinyconfig, defconfig or the path of a .config file",
	  .off = P(config) },
	{ .name = "iterations",
	  .type = OPT_INT,
	  .def = "3",
	  .min = 1,
	  .max = 1000,
	  .help = "measured builds per jobs value (after one unmeasured warm-up build)",
	  .off = P(iterations) },
	{ .name = "files",
	  .type = OPT_INT,
	  .def = "300",
	  .min = 1,
	  .max = 100000,
	  .help = "C files in the generated tree (--tree generated)",
	  .off = P(files) },
	{ .name = "functions",
	  .type = OPT_INT,
	  .def = "20",
	  .min = 1,
	  .max = 10000,
	  .help = "functions per file (--tree generated)",
	  .off = P(functions) },
	{ .name = "cc",
	  .type = OPT_STR,
	  .def = "cc",
	  .help = "C compiler the build uses: cc, gcc, clang, ... (gcc-14, a path to one)",
	  .off = P(cc) },
	{ .name = "cflags",
	  .type = OPT_STR,
	  .def = "-O2",
	  .help = "flags the build compiles with (--tree generated; a kernel has its own): -O, "
		  "-W, -march=, -D/-U, -g, -f switches (docs/system-loads.md)",
	  .off = P(cflags) },
	OPT_END
};

struct kernbench_tree {
	char dir[PATH_MAX];	 /* the generated tree or the kernel's O=, removed by teardown */
	char log[PATH_MAX + 16]; /* make's stderr of the last build */
	bool kernel;
	struct linux_source src; /* --tree kernel: the source tree (never written) */
};

/* One build as /usr/bin/time sees it. */
struct build {
	double elapsed, user, system, cpu;
	double minflt, majflt, nvcsw, nivcsw;
};

/* The warm-up build is done once per process and tree: compiler and headers stay cached. */
static bool warmed_up[2];

/* --- the generated tree ------------------------------------------------- */

/* A small deterministic generator: the tree must be the same on every machine. */
static unsigned gen_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/*
 * common.h: what every file includes, like the kernel's headers.  Parsing it is
 * part of every compile, as it is in a kernel build.
 */
static void write_header(FILE *f)
{
	uint64_t s = 42;
	unsigned i;

	fprintf(f, "/* generated by faultbench kernbench */\n#ifndef FB_COMMON_H\n"
		   "#define FB_COMMON_H\n#include <stddef.h>\n#include <string.h>\n"
		   "#define FB_N 64\n");
	for (i = 0; i < 64; i++)
		fprintf(f, "struct fb_s%u { unsigned long a[%u]; int n; struct fb_s%u *next; };\n",
			i, 1 + gen_next(&s) % 16, i);
	fprintf(f, "struct fb_obj { unsigned long v[FB_N]; int n; };\n");
	for (i = 0; i < 200; i++) {
		unsigned a = gen_next(&s) % 31 + 1, b = gen_next(&s);

		fprintf(f,
			"static inline unsigned long fb_mix%u(unsigned long x, unsigned long y)\n"
			"{\n\tx ^= y >> %u;\n\tx *= 0x%xUL;\n\treturn (x << %u) | (x >> %u);\n}\n",
			i, a, b | 1, a, 64 - a);
	}
	fprintf(f, "#endif\n");
}

/*
 * One function: loops, branches and a switch, so -O2 has real work to do.  The
 * random values are drawn one statement at a time: the order in which a call's
 * arguments are evaluated is unspecified, and the tree must not depend on the
 * compiler faultbench was built with.
 */
static void write_function(FILE *f, unsigned file, unsigned fn, uint64_t *s)
{
	unsigned k, r[6], cases = 4 + gen_next(s) % 8;

	fprintf(f, "static unsigned long f%u_%u(const struct fb_obj *o, unsigned long x)\n{\n",
		file, fn);
	fprintf(f, "\tunsigned long acc = 0x%xUL, t[8] = { 0 };\n\tint i;\n\n", gen_next(s));
	for (k = ARRAY_SIZE(r); k-- > 0;)
		r[k] = gen_next(s);
	fprintf(f,
		"\tfor (i = 0; i < o->n && i < FB_N; i++) {\n"
		"\t\tacc ^= o->v[i] * %uUL + (x >> %u);\n"
		"\t\tif (acc & 0x%xUL)\n\t\t\tacc += fb_mix%u(acc, %uUL);\n"
		"\t\telse\n\t\t\tacc -= o->v[(i + %u) %% FB_N];\n"
		"\t\tt[i & 7] += acc;\n\t}\n",
		r[0], r[1] % 63, r[2], r[3] % 200, r[4], r[5] % 64);
	fprintf(f, "\tswitch (x %% %u) {\n", cases);
	for (k = 0; k < cases; k++) {
		unsigned add = gen_next(s), mix = gen_next(s) % 200;

		fprintf(f, "\tcase %u:\n\t\tacc = fb_mix%u(acc, t[%u]) + %uUL;\n\t\tbreak;\n", k,
			mix, k & 7, add);
	}
	fprintf(f, "\t}\n");
	fprintf(f, "\treturn acc + t[%u];\n}\n\n", gen_next(s) % 8);
}

static int write_file(const char *path, unsigned file, unsigned nfunctions)
{
	uint64_t s = 0x9e3779b97f4a7c15ull ^ file;
	FILE *f = fopen(path, "wxe");
	unsigned fn;

	if (!f)
		return -1;
	fprintf(f, "/* generated by faultbench kernbench */\n#include \"../common.h\"\n\n");
	for (fn = 0; fn < nfunctions; fn++)
		write_function(f, file, fn, &s);
	fprintf(f,
		"unsigned long fb_entry_%u(const struct fb_obj *o, unsigned long x);\n"
		"unsigned long fb_entry_%u(const struct fb_obj *o, unsigned long x)\n{\n"
		"\tunsigned long acc = f%u_0(o, x);\n",
		file, file, file);
	for (fn = 1; fn < nfunctions; fn++)
		fprintf(f, "\tacc += f%u_%u(o, x + acc);\n", file, fn);
	fprintf(f, "\treturn acc;\n}\n");
	return fclose(f);
}

static int write_main(const char *path, unsigned nfiles)
{
	FILE *f = fopen(path, "wxe");
	unsigned i;

	if (!f)
		return -1;
	fprintf(f, "/* generated by faultbench kernbench */\n#include \"common.h\"\n");
	for (i = 0; i < nfiles; i++)
		fprintf(f, "unsigned long fb_entry_%u(const struct fb_obj *o, unsigned long x);\n",
			i);
	fprintf(f, "int main(void)\n{\n\tstatic struct fb_obj o = { .n = FB_N };\n"
		   "\tunsigned long acc = 0;\n\n");
	for (i = 0; i < nfiles; i++)
		fprintf(f, "\tacc += fb_entry_%u(&o, acc);\n", i);
	fprintf(f, "\treturn (int)(acc & 1);\n}\n");
	return fclose(f);
}

#define FILES_PER_DIR 100

static int write_makefile(const char *path, unsigned nfiles)
{
	FILE *f = fopen(path, "wxe");
	unsigned i;

	if (!f)
		return -1;
	fprintf(f, "# generated by faultbench kernbench\nCC ?= cc\nCFLAGS ?= -O2\n"
		   "OBJS := main.o");
	for (i = 0; i < nfiles; i++)
		fprintf(f, " \\\n\td%03u/f%05u.o", i / FILES_PER_DIR, i);
	fprintf(f, "\n\nprog: $(OBJS)\n\t$(CC) -o $@ $(OBJS)\n\n"
		   "%%.o: %%.c common.h\n\t$(CC) $(CFLAGS) -c -o $@ $<\n\n"
		   "clean:\n\trm -f prog $(OBJS)\n\n.PHONY: clean\n");
	return fclose(f);
}

static int generate_tree(const char *dir, unsigned nfiles, unsigned nfunctions)
{
	char path[PATH_MAX + 64];
	FILE *f;
	unsigned i;

	snprintf(path, sizeof(path), "%s/common.h", dir);
	f = fopen(path, "wxe");
	if (!f)
		return -1;
	write_header(f);
	if (fclose(f))
		return -1;
	for (i = 0; i < nfiles; i++) {
		if (i % FILES_PER_DIR == 0) {
			snprintf(path, sizeof(path), "%s/d%03u", dir, i / FILES_PER_DIR);
			if (mkdir(path, 0755) && errno != EEXIST)
				return -1;
		}
		snprintf(path, sizeof(path), "%s/d%03u/f%05u.c", dir, i / FILES_PER_DIR, i);
		if (write_file(path, i, nfunctions))
			return -1;
	}
	snprintf(path, sizeof(path), "%s/main.c", dir);
	if (write_main(path, nfiles))
		return -1;
	snprintf(path, sizeof(path), "%s/Makefile", dir);
	return write_makefile(path, nfiles);
}

/* rm -rf of the tree we made: only the names generate_tree() creates. */
static void remove_tree(const char *dir, unsigned nfiles)
{
	char path[PATH_MAX + 64];
	static const char *const top[] = { "common.h", "main.c", "main.o",
					   "Makefile", "prog",	 "build.log" };
	unsigned i;

	for (i = 0; i < nfiles; i++) {
		snprintf(path, sizeof(path), "%s/d%03u/f%05u.c", dir, i / FILES_PER_DIR, i);
		unlink(path);
		snprintf(path, sizeof(path), "%s/d%03u/f%05u.o", dir, i / FILES_PER_DIR, i);
		unlink(path);
	}
	for (i = 0; i < nfiles; i += FILES_PER_DIR) {
		snprintf(path, sizeof(path), "%s/d%03u", dir, i / FILES_PER_DIR);
		rmdir(path);
	}
	for (i = 0; i < ARRAY_SIZE(top); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, top[i]);
		unlink(path);
	}
	if (rmdir(dir))
		fb_warn("kernbench: could not remove '%s': %s", dir, strerror(errno));
}

/* --- running make ------------------------------------------------------- */

static unsigned online_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	return online > 0 ? online : 1;
}

/* An executable file: prog in PATH, or prog itself when it has a '/'. */
static bool program_exists(const char *prog)
{
	char *path = spawn_find_program(prog, NULL);

	free(path);
	return path != NULL;
}

static unsigned chosen_jobs(const struct kernbench_params *p)
{
	unsigned i;

	for (i = 0; i < 32; i++)
		if (p->jobs & (1u << i))
			return i;
	return JOBS_OPTIMAL;
}

/* make's -j argument for a choice on ncpus CPUs; 0 means "-j" without a limit. */
static unsigned jobs_for(unsigned choice, unsigned ncpus)
{
	const char *choices = JOBS_CHOICES, *c = choices;
	unsigned i;

	switch (choice) {
	case JOBS_HALF:
		return ncpus / 2 ? ncpus / 2 : 1;
	case JOBS_OPTIMAL:
		return 2 * ncpus;
	case JOBS_MAX:
		return 0;
	}
	for (i = 0; i < choice && c; i++) {
		c = strchr(c, '|');
		if (c)
			c++;
	}
	return c ? strtoul(c, NULL, 10) : 1;
}

/*
 * make -j without a limit starts one compiler per file at once (~40 MiB each
 * for this tree).  Past what memory holds that measures the OOM killer, so
 * faultbench's "max" is unlimited only up to MemAvailable / 64 MiB jobs; the
 * -j used is recorded.  Returns 0 (no limit needed) or the cap.
 */
#define JOB_MEMORY (64ull << 20)

static unsigned max_jobs_cap(unsigned nfiles)
{
	char *info = read_text_file("/proc/meminfo");
	const char *a = info ? strstr(info, "MemAvailable:") : NULL;
	unsigned long long avail = a ? strtoull(a + 13, NULL, 10) << 10 : 0;
	unsigned long long cap = avail / JOB_MEMORY;

	free(info);
	if (!avail || cap > nfiles)
		return 0;
	return cap ? cap : 1;
}

struct pin {
	const unsigned *pus;
	unsigned npus;
};

/* In the child, before exec: make and every compiler it starts run on the step's PUs. */
static void pin_make(void *arg)
{
	const struct pin *pin = arg;

	pin_self_to(pin->pus, pin->npus);
}

/*
 * The last line make's build wrote to stderr, for the error message: not
 * make's own "make[1]: *** ... Error 2" trail (a kernel build prints three of
 * those after the compiler's error).
 */
char *kernbench_last_line(char *text)
{
	char *end, *start;

	for (;;) {
		end = text + strlen(text);
		while (end > text && end[-1] == '\n')
			*--end = '\0';
		start = strrchr(text, '\n');
		if (!start || strncmp(start + 1, "make", 4))
			break;
		*start = '\0';
	}
	return xstrdup(start ? start + 1 : text);
}

static char *last_log_line(const char *log)
{
	char *text = read_text_file(log), *line;

	if (!text)
		return xstrdup("(no log)");
	line = kernbench_last_line(text);
	free(text);
	return line;
}

/*
 * After an interrupted build: make is gone, but compilers it started may
 * still run.  As their subreaper (set before make started) they are our
 * children now: kill what is left of the group and wait for every one.
 */
static void reap_group(pid_t pgid)
{
	kill(-pgid, SIGKILL);
	while (waitpid(-pgid, NULL, 0) > 0 || errno == EINTR)
		;
}

/* Did the build make its program (or vmlinux)?  make says 0 when told to ignore errors. */
static bool built(const struct kernbench_tree *t)
{
	char path[PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", t->dir, t->kernel ? "vmlinux" : "prog");
	if (t->kernel)
		return !stat(path, &st) && S_ISREG(st.st_mode);
	return program_exists(path);
}

/* make's arguments after "make -s -jN": the generated tree's, or the kernel's O= build. */
struct make_args {
	char jarg[32], ccarg[PATH_MAX], cflagsarg[1024], oarg[PATH_MAX + 8];
	const char *argv[12];
};

static void make_argv(struct make_args *a, const struct kernbench_params *p,
		      const struct kernbench_tree *t, const char *target, unsigned jobs)
{
	unsigned n = 0;

	if (jobs)
		snprintf(a->jarg, sizeof(a->jarg), "-j%u", jobs);
	else
		snprintf(a->jarg, sizeof(a->jarg), "-j");
	snprintf(a->ccarg, sizeof(a->ccarg), "CC=%s", p->cc);
	snprintf(a->cflagsarg, sizeof(a->cflagsarg), "CFLAGS=%s", p->cflags);
	a->argv[n++] = "make";
	a->argv[n++] = "-s";
	a->argv[n++] = a->jarg;
	if (t->kernel) {
		/* The cached source stays clean: everything is written under O=. */
		snprintf(a->oarg, sizeof(a->oarg), "O=%s", t->dir);
		a->argv[n++] = "-C";
		a->argv[n++] = t->src.dir;
		a->argv[n++] = a->oarg;
		a->argv[n++] = a->ccarg;
	} else {
		a->argv[n++] = a->ccarg;
		a->argv[n++] = a->cflagsarg;
	}
	a->argv[n++] = target;
	a->argv[n] = NULL;
}

/*
 * Run make and wait for it.  Returns FB_OK, FB_FAIL (make failed: message
 * printed) or 128 + signal when interrupted (the build was stopped).
 */
static int run_make(const struct kernbench_params *p, const struct kernbench_tree *t,
		    const unsigned *pus, unsigned npus, const char *target, unsigned jobs,
		    struct build *b)
{
	char why[256];
	struct make_args args;
	struct pin pin = { pus, npus };
	/*
	 * In its own process group (an interrupt passed on stops the whole
	 * build), in the tree, pinned, stderr into the log, with a clean make
	 * environment: no jobserver of an enclosing make, and none of the
	 * kernel's variables that would build elsewhere or for another ARCH.
	 */
	struct spawn sp = {
		.argv = args.argv,
		.env = (const char *const[]){ "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
					      "GNUMAKEFLAGS", "KBUILD_OUTPUT", "KCONFIG_CONFIG",
					      "ARCH", "CROSS_COMPILE", "LLVM", "LC_ALL=C", NULL },
		.dir = t->dir,
		.in = { SPAWN_NULL },
		.out = { SPAWN_NULL },
		.err = { SPAWN_FILE, .path = t->log },
		.own_group = true,
		.pass_interrupt = true,
		.child_setup = pus ? pin_make : NULL,
		.child_arg = &pin,
	};
	struct rusage ru;
	double t0;

	/*
	 * A SIGTERM during setup or between builds: no new build.  spawn passes
	 * on only the interrupts that arrive while make runs, so one that came
	 * before would otherwise be noticed only after a whole build.
	 */
	if (fb_interrupted)
		return 128 + fb_interrupted;
	make_argv(&args, p, t, target, jobs);
	t0 = now_monotonic();
	/* orphaned compilers of an interrupted build come back to us (reap_group()) */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	spawn_run(&sp);
	ru = sp.ru;
	spawn_clear(&sp);
	if (sp.end == SPAWN_NOT_RUN)
		return fb_fail("kernbench: %s", spawn_describe(&sp, why, sizeof(why)));
	if (fb_interrupted) {
		reap_group(sp.pid);
		return 128 + fb_interrupted;
	}
	if (sp.code) {
		char *line = last_log_line(t->log);
		int ret =
		    fb_fail("kernbench: 'make %s' in %s failed (%s): %s", target ? target : "",
			    t->dir, spawn_describe(&sp, why, sizeof(why)), line);

		free(line);
		return ret;
	}
	if ((!target || !strcmp(target, "vmlinux")) && !built(t))
		return fb_fail("kernbench: 'make' in %s succeeded but built no program: is "
			       "'--cc %s' a compiler?",
			       t->dir, p->cc);
	if (b) {
		b->elapsed = now_monotonic() - t0;
		b->user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
		b->system = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
		b->cpu = 100.0 * (b->user + b->system) / b->elapsed;
		b->minflt = ru.ru_minflt;
		b->majflt = ru.ru_majflt;
		b->nvcsw = ru.ru_nvcsw;
		b->nivcsw = ru.ru_nivcsw;
	}
	return FB_OK;
}

/* --- the bench ----------------------------------------------------------- */

/*
 * --cc and --cflags become make variables, and make runs its recipes through
 * /bin/sh: anything but a plain program path and plain flags would be shell
 * syntax.  An empty --cc would even make every recipe start with '-', which
 * make takes as "ignore errors": a complete, fake result.
 */
static int check_make_words(const char *opt, const char *value, const char *extra)
{
	char shown[256], bad[16];

	for (const char *c = value; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("/._+-", *c) && !strchr(extra, *c))
			return fb_usage(
			    "option '--%s': '%s' has '%s': make hands it to /bin/sh, so "
			    "only letters, digits and '/._+-%s' are taken",
			    opt, fb_printable(value, shown, sizeof(shown)),
			    fb_printable((char[]){ *c, 0 }, bad, sizeof(bad)), extra);
	return FB_OK;
}

/*
 * A compiler flag can run a program (-wrapper, -fplugin=, -B), read more
 * flags from a file (@file) or write anywhere (-o): only the kinds of
 * lib/ccflags.h are taken, from a config as from the command line.
 */
static int check_cflags(const char *cflags)
{
	char flag[128], shown[256];

	if (!cc_flags_refused(cflags, flag, sizeof(flag)))
		return FB_OK;
	return fb_usage("option '--cflags': '%s' is not a flag kernbench passes on: only -O "
			"levels, -std=, -pipe, warnings (not -Wl,/-Wa,/-Wp,), -march=/-mtune=/"
			"-mcpu=, -D/-U without a path, -g and -f switches that name no file, "
			"plugin or program (docs/system-loads.md)",
			fb_printable(flag, shown, sizeof(shown)));
}

/* A path's program is installed, not planted: root's or ours, writable by nobody else. */
static bool installed_program(const char *path)
{
	struct stat st;

	return !stat(path, &st) && (st.st_uid == 0 || st.st_uid == geteuid()) &&
	       !(st.st_mode & (S_IWGRP | S_IWOTH));
}

static int check_compiler(const struct kernbench_params *p)
{
	int ret;

	if (!*p->cc || p->cc[0] == '-')
		return fb_usage("option '--cc': '%s' is not a compiler: name a program", p->cc);
	ret = check_make_words("cc", p->cc, "");
	if (!ret)
		ret = check_make_words("cflags", p->cflags, " =,:");
	if (!ret)
		ret = check_cflags(p->cflags);
	if (!ret && strchr(p->cc, '/') && !program_exists(p->cc))
		ret = fb_usage("option '--cc': '%s' is not an executable file", p->cc);
	if (!ret && strchr(p->cc, '/') && !installed_program(p->cc))
		ret = fb_usage("option '--cc': '%s' may be changed by another user (owned by "
			       "neither root nor you, or writable by others): make would run it",
			       p->cc);
	/* make runs it: a config's cc = must not name any other program */
	if (!ret && !cc_compiler_name_ok(p->cc))
		ret = fb_usage("option '--cc': '%s' is not a C compiler's name (cc, gcc, clang, "
			       "c99, icx, ..., as in x86_64-linux-gnu-gcc-14)",
			       p->cc);
	return ret;
}

static bool named_config(const char *config)
{
	return !strcmp(config, "tinyconfig") || !strcmp(config, "defconfig");
}

/* --config: a make target of ours, or a .config file to start from. */
static int check_config(const struct kernbench_params *p)
{
	struct stat st;
	char shown[256];

	if (named_config(p->config))
		return FB_OK;
	if (stat(p->config, &st) || !S_ISREG(st.st_mode) || access(p->config, R_OK))
		return fb_usage("option '--config': '%s' is not tinyconfig, defconfig or a "
				"readable .config file",
				fb_printable(p->config, shown, sizeof(shown)));
	return FB_OK;
}

static int kernbench_check(const void *params, const struct run_opts *ro)
{
	const struct kernbench_params *p = params;
	int ret;

	if (!p->jobs)
		return fb_usage("option '--jobs': choose at least one value");
	ret = check_compiler(p);
	if (!ret)
		ret = check_config(p);
	if (!ret && p->tree == TREE_KERNEL)
		ret = linux_source_check(strcmp(p->config, "tinyconfig"));
	if (ret)
		return ret;
	if (!program_exists("make"))
		return fb_skip("kernbench: 'make' is not installed");
	if (!program_exists(p->cc))
		return fb_skip("kernbench: the compiler '%s' is not installed", p->cc);
	if (ro && ro->cpus && strcmp(ro->cpus, "max"))
		fb_warn("kernbench: builds once per CPU count of '--cpus %s'; kernbench's own "
			"figures are for the whole machine: --cpus max",
			ro->cpus);
	return FB_OK;
}

static void kernbench_teardown(struct step_ctx *sc)
{
	const struct kernbench_params *p = sc->params;
	struct kernbench_tree *t = sc->shared;

	if (!t)
		return;
	if (t->dir[0] && t->kernel)
		linux_source_remove(t->dir);
	else if (t->dir[0])
		remove_tree(t->dir, p->files);
	free(t);
	sc->shared = NULL;
}

/* Copy the user's .config into the build directory, for make olddefconfig. */
static int copy_config(const char *from, const char *dir)
{
	char *text = read_text_file(from), *to = xasprintf("%s/.config", dir);
	FILE *f = text ? fopen(to, "wxe") : NULL;
	int ret = FB_OK;

	if (!f || fputs(text, f) == EOF)
		ret = fb_fail("kernbench: cannot copy '%s' to '%s': %s", from, to, strerror(errno));
	if (f && fclose(f) && !ret)
		ret = fb_fail("kernbench: cannot write '%s': %s", to, strerror(errno));
	free(text);
	free(to);
	return ret;
}

/*
 * The kernel source (installed and unpacked on first use), and its .config in
 * the step's build directory: made once per step, kept by every make clean.
 */
static int configure_kernel(const struct kernbench_params *p, struct kernbench_tree *t)
{
	const char *target = named_config(p->config) ? p->config : "olddefconfig";
	int ret = linux_source_get(&t->src, strcmp(p->config, "tinyconfig"));

	if (!ret && !named_config(p->config))
		ret = copy_config(p->config, t->dir);
	if (!ret)
		ret = run_make(p, t, NULL, 0, target, 2 * online_cpus(), NULL);
	return ret;
}

static int kernbench_setup(struct step_ctx *sc)
{
	const struct kernbench_params *p = sc->params;
	const char *base = sc->dir ? sc->dir : "/tmp";
	struct kernbench_tree *t = xcalloc(1, sizeof(*t));

	sc->shared = t;
	t->kernel = p->tree == TREE_KERNEL;
	mkdir_p(base);
	snprintf(t->dir, sizeof(t->dir), "%s/fb-kernbench.XXXXXX", base);
	if (fsfile_mkdtemp(t->dir, "kernbench", FB_FAIL)) {
		t->dir[0] = '\0';
		kernbench_teardown(sc);
		return FB_FAIL;
	}
	snprintf(t->log, sizeof(t->log), "%s/build.log", t->dir);
	if (p->tree == TREE_KERNEL) {
		int ret = configure_kernel(p, t);

		if (ret)
			kernbench_teardown(sc);
		return ret;
	}
	if (generate_tree(t->dir, p->files, p->functions)) {
		int ret = fb_fail("kernbench: cannot write the source tree in '%s': %s", t->dir,
				  strerror(errno));

		/* The runner calls teardown only after a setup that succeeded. */
		kernbench_teardown(sc);
		return ret;
	}
	return FB_OK;
}

static const struct {
	const char *name;
	bool higher_better;
	size_t off;
} build_metrics[] = {
	{ "elapsed", false, offsetof(struct build, elapsed) },
	{ "user", false, offsetof(struct build, user) },
	{ "system", false, offsetof(struct build, system) },
	/* CPU % has no good direction (idle vs added system time): see the docs. */
	{ "cpu%", false, offsetof(struct build, cpu) },
	{ "minflt", false, offsetof(struct build, minflt) },
	{ "majflt", false, offsetof(struct build, majflt) },
	{ "ctxsw", false, offsetof(struct build, nivcsw) },
	{ "sleeps", false, offsetof(struct build, nvcsw) },
};

static double field(const struct build *b, size_t off)
{
	return *(const double *)((const char *)b + off);
}

/* One sample per build: t = elapsed, the build's faults on the first "worker". */
static void fill_samples(struct step_result *r, unsigned nworkers, const unsigned *pus,
			 const struct build *b, unsigned n)
{
	unsigned i, k;

	r->nsamples = n;
	r->samples = xcalloc(n ? n : 1, sizeof(*r->samples));
	for (i = 0; i < n; i++) {
		struct sample *s = &r->samples[i];

		s->t = b[i].elapsed;
		s->count = xcalloc(nworkers, sizeof(*s->count));
		s->minflt = xcalloc(nworkers, sizeof(*s->minflt));
		s->majflt = xcalloc(nworkers, sizeof(*s->majflt));
		s->cpu = xcalloc(nworkers, sizeof(*s->cpu));
		s->ev = xcalloc(nworkers, sizeof(*s->ev));
		s->count[0][0] = 1;
		s->minflt[0] = b[i].minflt;
		s->majflt[0] = b[i].majflt;
		for (k = 0; k < nworkers; k++)
			s->cpu[k] = pus ? (int32_t)pus[k] : -1;
	}
}

static void add_metrics(struct step_result *r, const struct build *b, unsigned n)
{
	double *v = xcalloc(n ? n : 1, sizeof(double));
	unsigned i, k;

	for (i = 0; i < ARRAY_SIZE(build_metrics); i++) {
		struct metric *m =
		    step_add_metric(r, build_metrics[i].name, build_metrics[i].higher_better);

		for (k = 0; k < n; k++)
			v[k] = field(&b[k], build_metrics[i].off);
		for (k = 0; k < n && k < m->n; k++)
			m->v[k] = v[k];
		m->value = stats_mean(v, n);
	}
	free(v);
}

static json_t *builds_json(const struct build *b, unsigned n)
{
	json_t *arr = json_array(), *summary = json_object(), *o = json_object();
	double *v = xcalloc(n ? n : 1, sizeof(double));
	unsigned i, k;

	for (k = 0; k < n; k++) {
		json_t *one = json_object();

		for (i = 0; i < ARRAY_SIZE(build_metrics); i++)
			json_object_set_new(one, build_metrics[i].name,
					    json_real(field(&b[k], build_metrics[i].off)));
		json_array_append_new(arr, one);
	}
	/* kernbench's own table: mean (stddev) per figure. */
	for (i = 0; i < ARRAY_SIZE(build_metrics); i++) {
		json_t *ms = json_object();

		for (k = 0; k < n; k++)
			v[k] = field(&b[k], build_metrics[i].off);
		json_object_set_new(ms, "mean", json_real(stats_mean(v, n)));
		if (n > 1)
			json_object_set_new(ms, "stddev", json_real(stats_stddev(v, n)));
		json_object_set_new(summary, build_metrics[i].name, ms);
	}
	free(v);
	json_object_set_new(o, "builds", arr);
	json_object_set_new(o, "summary", summary);
	return o;
}

/* First line of "CC --version", run without a shell. */
static char *compiler_version(const char *cc)
{
	char *line = spawn_first_line((const char *const[]){ cc, "--version", NULL });

	return line ? line : xstrdup("unknown");
}

static int kernbench_run_step(struct step_ctx *sc)
{
	const struct kernbench_params *p = sc->params;
	struct kernbench_tree *t = sc->shared;
	struct step_result *r = sc->result;
	unsigned choice = chosen_jobs(p), jobs = jobs_for(choice, sc->nworkers);
	/* a kernel's vmlinux is thousands of files at tinyconfig already */
	unsigned cap = choice == JOBS_MAX ? max_jobs_cap(t && t->kernel ? 100000 : p->files) : 0;
	const char *build = t && t->kernel ? "vmlinux" : NULL;
	struct build *b = xcalloc(p->iterations, sizeof(*b));
	json_t *kb;
	double warm = 0;
	unsigned done = 0;
	char *ccv;
	int ret = FB_OK;

	if (cap) {
		fb_warn(
		    "kernbench: --jobs max capped at -j%u: MemAvailable holds no more compilers",
		    cap);
		jobs = cap;
	}
	if (!t || !t->dir[0]) {
		free(b);
		return fb_fail("kernbench: no source tree (setup did not run)");
	}
	if (!warmed_up[t->kernel]) {
		/* Unmeasured and unpinned: it only fills the page cache. */
		double t0 = now_monotonic();

		ret = run_make(p, t, NULL, 0, build, 2 * online_cpus(), NULL);
		warm = now_monotonic() - t0;
		if (ret == FB_OK)
			warmed_up[t->kernel] = true;
	}
	for (done = 0; ret == FB_OK && done < p->iterations; done++) {
		ret = run_make(p, t, NULL, 0, "clean", 1, NULL);
		if (ret == FB_OK)
			ret = run_make(p, t, sc->pus, sc->nworkers, build, jobs, &b[done]);
		if (ret != FB_OK)
			break;
	}
	fill_samples(r, sc->nworkers, sc->pus, b, done);
	add_metrics(r, b, done);
	kb = builds_json(b, done);
	json_object_set_new(kb, "jobs", json_string(opt_choice_name(&kernbench_opts[0], choice)));
	json_object_set_new(kb, "make_j", jobs ? json_integer(jobs) : json_string("unlimited"));
	if (cap)
		json_object_set_new(kb, "make_j_capped_by_memory", json_true());
	json_object_set_new(kb, "tree", json_string(t->kernel ? "kernel" : "generated"));
	if (t->kernel) {
		json_object_set_new(kb, "kernel_source", json_string(t->src.version));
		json_object_set_new(kb, "config", json_string(p->config));
	} else {
		json_object_set_new(kb, "files", json_integer(p->files));
		json_object_set_new(kb, "functions", json_integer(p->functions));
	}
	ccv = compiler_version(p->cc);
	json_object_set_new(kb, "compiler", json_string(ccv));
	free(ccv);
	if (warm > 0)
		json_object_set_new(kb, "warmup_build_s", json_real(warm));
	if (!r->extra)
		r->extra = json_object();
	json_object_set_new(r->extra, "kernbench", kb);
	r->complete = ret == FB_OK;
	free(b);
	return ret;
}

const struct bench bench_kernbench = {
	.name = "kernbench",
	.summary = "kernel builds: make -jN of a generated C tree or (--tree kernel) of Debian's "
		   "linux-source; Elapsed, User, System, CPU % and the build's page faults",
	.opts = kernbench_opts,
	.params_size = sizeof(struct kernbench_params),
	.counters = { "builds" },
	.ratio_metric = "elapsed",
	.headline_metric = "elapsed",
	.table_metrics = "user,system,cpu%",
	.samples_are_replicates = true,
	/* kernbench's own shape: the build may use the whole machine. */
	.run_defaults = "--cpus=max",
	.check = kernbench_check,
	.setup = kernbench_setup,
	.teardown = kernbench_teardown,
	.run_step = kernbench_run_step,
	/*
	 * A sample is a whole build (--iterations), with its own warm-up build;
	 * make's processes are not the runner's workers (no --mode, no per-worker
	 * --event counters).  A build per fault or per CPU-second means nothing,
	 * builds/s and faults/s repeat elapsed and minflt.
	 */
	.ignores_options = "mode,samples,sample-time,warmup,event",
	.no_metrics = BENCH_NO_RATES | BENCH_NO_PER_FAULT | BENCH_NO_PER_CPU,
};
