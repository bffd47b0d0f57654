// SPDX-License-Identifier: GPL-2.0
/*
 * Suite configuration files, parsed with libinih and validated through the
 * options tables of lib/opt.h: the benchmark of a job is looked up in the
 * registry and the job is prepared as "faultbench run" prepares it
 * (engine/prepare.c: run defaults, preset, every key as the command line
 * would set it, every check of run).  An unknown key or
 * a bad value is reported with file, line and option (exit status 2) before
 * anything runs: a nightly suite must not fail at 3 a.m. on a typo in its
 * last job.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ini.h>

#include "config.h"
#include "fsfile.h"
#include "opt.h"
#include "prepare.h"
#include "registry.h"
#include "runcheck.h"
#include "util.h"

/* Keys that are not options of "faultbench run". */
/* A suite of hundreds of jobs is a few KiB; /dev/zero or a gigabyte of lines is no config. */
#define CONFIG_MAX_BYTES (1ull << 20)
#define KEY_BENCH	 "bench"
#define KEY_DESCRIPTION	 "description"

struct parse {
	struct config *cfg;
	FILE *f;
	char *line; /* getline()'s buffer */
	size_t cap;
	unsigned lineno;
	bool failed;
	struct cfg_job *cur; /* the job being read, NULL in [global] */
	char section[128];
	bool in_section;
	unsigned global_line; /* of [global], 0 before it */
};

static int start_section(struct parse *p, const char *section);

/*
 * A "[name]" line: sections are recognised here because this libinih calls
 * the handler only for keys, and a job may well have none ("[pf1]" alone
 * runs pf1 with the [global] options).  inih reads an indented "[pf3]" after
 * a key as a continuation of that key's value, and ignores text after ']':
 * both lost or changed a job without a word, so both are errors here.
 */
static int section_line(struct parse *p, const char *line)
{
	const char *start = line + strspn(line, " \t"), *end, *rest;
	char name[128];

	if (*start != '[')
		return FB_OK;
	if (!(end = strchr(start, ']')))
		return fb_usage("%s:%u: a section header without its ']'", p->cfg->path, p->lineno);
	if (start != line)
		return fb_usage("%s:%u: an indented section header (inih would read it as the "
				"continuation of the key above); start it in the first column",
				p->cfg->path, p->lineno);
	rest = end + 1 + strspn(end + 1, " \t\r\n");
	if (*rest && *rest != ';' && *rest != '#')
		return fb_usage("%s:%u: text after the section header's ']'", p->cfg->path,
				p->lineno);
	start++;
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	snprintf(name, sizeof(name), "%.*s", (int)(end - start), start);
	return start_section(p, name); /* every header: a repeated one must not merge */
}

/*
 * What inih would read wrongly or silently: a NUL byte ends its line early,
 * a byte-order mark hides the first section from section_line(), a line
 * longer than its buffer is split into two (and the line numbers go wrong),
 * and control or non-UTF-8 bytes would be echoed raw in messages.
 */
static int bad_line(const struct parse *p, const char *line, size_t len, int num)
{
	const char *file = p->cfg->path;
	size_t body = len - (len && line[len - 1] == '\n');

	if (p->lineno == 1 && !strncmp(line, "\xef\xbb\xbf", 3))
		return fb_usage("%s:1: starts with a UTF-8 byte-order mark; save it without one",
				file);
	if (strlen(line) != len)
		return fb_usage("%s:%u: has a NUL byte", file, p->lineno);
	if (body > (size_t)num - 2)
		return fb_usage("%s:%u: longer than %d characters", file, p->lineno, num - 2);
	for (size_t i = 0; i < body; i++) {
		unsigned char c = (unsigned char)line[i];

		/* a CR only before the newline: bare-CR line endings made one line of a
		 * whole file, and inih kept its first key only */
		if (c == '\r' && i + 1 < body)
			return fb_usage("%s:%u: a carriage return inside a line (old Mac line "
					"endings?); end lines with \\n or \\r\\n",
					file, p->lineno);
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f)
			return fb_usage("%s:%u: control character 0x%02x", file, p->lineno, c);
	}
	if (!fb_utf8_ok(line))
		return fb_usage("%s:%u: is not UTF-8 text", file, p->lineno);
	return FB_OK;
}

/* getline() that counts lines and checks each, so the handler knows where a key came from. */
static char *counting_reader(char *str, int num, void *stream)
{
	struct parse *p = stream;
	ssize_t n;

	if (p->failed)
		return NULL;
	n = getline(&p->line, &p->cap, p->f);
	if (n < 0)
		return NULL;
	p->lineno++;
	if (bad_line(p, p->line, (size_t)n, num)) {
		p->failed = true;
		return NULL; /* the end of the stream, for inih */
	}
	memcpy(str, p->line, (size_t)n + 1);
	if (section_line(p, str)) {
		p->failed = true;
		return NULL;
	}
	return str;
}

static void kv_add(struct cfg_kv **kv, unsigned *n, const char *key, const char *value,
		   unsigned line)
{
	*kv = xrealloc(*kv, (*n + 1) * sizeof(**kv));
	(*kv)[*n].key = xstrdup(key);
	(*kv)[*n].value = xstrdup(value);
	(*kv)[*n].line = line;
	(*n)++;
}

static int fail(struct parse *p, int status)
{
	(void)status;
	p->failed = true;
	return 1; /* keep inih going quietly: the first error was printed */
}

/* Two sections of one name merged into one job: each name once (another job: bench = NAME). */
static int start_section(struct parse *p, const char *section)
{
	struct config *cfg = p->cfg;

	for (unsigned i = 0; i < cfg->njobs; i++)
		if (!strcmp(cfg->jobs[i].name, section))
			return fb_usage(
			    "%s:%u: a second [%s] section (the first is at line %u); name "
			    "each job once, and run a benchmark twice with "
			    "'[other-name]' and 'bench = %s'",
			    cfg->path, p->lineno, section, cfg->jobs[i].line, section);
	if (!strcmp(section, "global") && p->global_line)
		return fb_usage("%s:%u: a second [global] section (the first is at line %u)",
				cfg->path, p->lineno, p->global_line);
	snprintf(p->section, sizeof(p->section), "%s", section);
	p->in_section = true;
	if (!strcmp(section, "global")) {
		p->cur = NULL;
		p->global_line = p->lineno;
		return FB_OK;
	}
	cfg->jobs = xrealloc(cfg->jobs, (cfg->njobs + 1) * sizeof(*cfg->jobs));
	p->cur = &cfg->jobs[cfg->njobs++];
	memset(p->cur, 0, sizeof(*p->cur));
	p->cur->name = xstrdup(section);
	p->cur->line = p->lineno;
	return FB_OK;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *p = user;
	const char *file = p->cfg->path;

	if (p->failed)
		return 1;
	if (!*section)
		return fail(p, fb_usage("%s:%u: '%s' is outside a section; put it under [global] "
					"or a job",
					file, p->lineno, name));
	if ((!p->in_section || strcmp(section, p->section)) && start_section(p, section))
		return fail(p, FB_USAGE);
	if (!strcmp(name, KEY_DESCRIPTION))
		return 1;
	if (!strcmp(name, "label") || !strcmp(name, "output"))
		return fail(p, fb_usage("%s:%u: option '%s' is set by 'faultbench suite' "
					"(--label), not by a config",
					file, p->lineno, name));
	/* a config may not write kernel settings: only the user's own command line */
	if (!strcmp(name, "knob"))
		return fail(p, fb_usage("%s:%u: option 'knob' writes a kernel setting; give it "
					"on the command line of 'faultbench run', not in a config",
					file, p->lineno));
	if (!strcmp(name, KEY_BENCH)) {
		if (!p->cur)
			return fail(p, fb_usage("%s:%u: 'bench' belongs in a job section, not "
						"[global]",
						file, p->lineno));
		free(p->cur->bench);
		p->cur->bench = xstrdup(value);
		return 1;
	}
	if (p->cur)
		kv_add(&p->cur->kv, &p->cur->nkv, name, value, p->lineno);
	else
		kv_add(&p->cfg->global, &p->cfg->nglobal, name, value, p->lineno);
	return 1;
}

/* The line of the key that set an option for job j: its own, else [global]'s. */
static unsigned key_line(const struct config *cfg, const struct cfg_job *j, const char *key)
{
	for (unsigned i = j->nkv; i-- > 0;)
		if (!strcmp(j->kv[i].key, key))
			return j->kv[i].line;
	for (unsigned i = cfg->nglobal; i-- > 0;)
		if (!strcmp(cfg->global[i].key, key))
			return cfg->global[i].line;
	return j->line;
}

/* This machine's topology, loaded once: a config checks many jobs against it. */
static struct topo *this_machine(void)
{
	static struct topo *t;

	if (!t && topo_load(&t, NULL))
		t = NULL;
	return t;
}

/*
 * Job j prepared as "faultbench run" prepares it (engine/prepare.c): the
 * benchmark's run defaults and its preset, then every key as the command
 * line would set it, then every check of run.  The message is placed in the
 * config.  A job that would be skipped here is only noted: the suite runs it
 * and reports it.
 */
static int validate_job(const struct config *cfg, const struct cfg_job *j)
{
	const struct bench_entry *e = bench_lookup(j->bench);
	struct run_prep prep;
	struct opt_binding b[2];
	unsigned nb, i;
	int ret = FB_OK;
	bool was_quiet;
	char where[512];

	if (!e) {
		char hint[256];

		return fb_usage("%s:%u: job '%s': unknown benchmark '%s'%s (see 'faultbench list')",
				cfg->path, j->line, j->name, j->bench,
				bench_suggest_hint(j->bench, hint, sizeof(hint)));
	}
	run_prep_init(&prep, e);
	nb = run_prep_bindings(&prep, b);
	for (i = 0; i < cfg->nglobal && !ret; i++) {
		snprintf(where, sizeof(where), "%s:%u ([global], job '%s')", cfg->path,
			 cfg->global[i].line, j->name);
		ret = opt_set_by_name(b, nb, cfg->global[i].key, cfg->global[i].value, where);
	}
	for (i = 0; i < j->nkv && !ret; i++) {
		snprintf(where, sizeof(where), "%s:%u", cfg->path, j->kv[i].line);
		ret = opt_set_by_name(b, nb, j->kv[i].key, j->kv[i].value, where);
	}
	if (ret) {
		run_prep_free(&prep);
		return ret;
	}
	snprintf(where, sizeof(where), "%s:%u", cfg->path,
		 key_line(cfg, j,
			  prep.ro.topology ? "topology"
			  : prep.ro.dir	   ? "dir"
					   : "cpus"));
	ret = run_opts_check_text(&prep.ro, where);
	if (!ret) {
		was_quiet = fb_set_quiet(true);
		ret = this_machine() ? run_prep_check(&prep, this_machine(), where, true) : FB_FAIL;
		fb_set_quiet(was_quiet);
	}
	run_prep_free(&prep);
	if (ret == FB_SKIP || ret == FB_FAIL) {
		const char *why = fb_last_error();

		if (!strncmp(why, "skipped: ", 9))
			why += 9;
		fb_warn("%s:%u: job '%s' would be skipped here: %s", cfg->path, j->line, j->name,
			why);
		return FB_OK;
	}
	if (ret)
		return fb_usage("%s:%u: job '%s': %s", cfg->path, j->line, j->name,
				fb_last_error());
	return FB_OK;
}

int config_load(const char *path, struct config *cfg)
{
	struct parse p = { .cfg = cfg };
	unsigned long long size;
	unsigned i;
	int line, ret = FB_OK;

	memset(cfg, 0, sizeof(*cfg));
	cfg->path = xstrdup(path);
	p.f = fsfile_open_bounded(path, CONFIG_MAX_BYTES, &size);
	if (!p.f) {
		char why[64];

		return fb_usage("cannot read config '%s': %s", path,
				fsfile_bounded_error(errno, CONFIG_MAX_BYTES, why, sizeof(why)));
	}
	line = ini_parse_stream(counting_reader, &p, handler, &p);
	fclose(p.f);
	free(p.line);
	if (p.failed)
		return FB_USAGE;
	if (line > 0)
		return fb_usage("%s:%d: syntax error: expected '[section]' or 'key = value'", path,
				line);
	if (line < 0)
		return fb_usage("cannot parse config '%s'", path);
	if (!cfg->njobs)
		return fb_usage("%s: no job sections (a [name] section per benchmark to run)",
				path);
	for (i = 0; i < cfg->njobs; i++)
		if (!cfg->jobs[i].bench)
			cfg->jobs[i].bench = xstrdup(cfg->jobs[i].name);
	/* a SIGTERM to a suite stops the checks of a long config too */
	for (i = 0; i < cfg->njobs && !ret && !fb_interrupted; i++)
		ret = validate_job(cfg, &cfg->jobs[i]);
	return ret;
}

static void free_kv(struct cfg_kv *kv, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void config_free(struct config *cfg)
{
	for (unsigned i = 0; i < cfg->njobs; i++) {
		free(cfg->jobs[i].name);
		free(cfg->jobs[i].bench);
		free_kv(cfg->jobs[i].kv, cfg->jobs[i].nkv);
	}
	free(cfg->jobs);
	free_kv(cfg->global, cfg->nglobal);
	free(cfg->path);
	memset(cfg, 0, sizeof(*cfg));
}

static bool job_has_key(const struct cfg_job *j, const char *key)
{
	for (unsigned i = 0; i < j->nkv; i++)
		if (!strcmp(j->kv[i].key, key))
			return true;
	return false;
}

char **config_job_options(const struct config *cfg, unsigned i, unsigned *n)
{
	const struct cfg_job *j = &cfg->jobs[i];
	char **argv = xcalloc(cfg->nglobal + j->nkv + 1, sizeof(*argv));
	unsigned k, m = 0;

	for (k = 0; k < cfg->nglobal; k++)
		if (!job_has_key(j, cfg->global[k].key))
			argv[m++] = xasprintf("--%s=%s", cfg->global[k].key, cfg->global[k].value);
	for (k = 0; k < j->nkv; k++)
		argv[m++] = xasprintf("--%s=%s", j->kv[k].key, j->kv[k].value);
	*n = m;
	return argv;
}

void config_free_argv(char **argv)
{
	for (char **a = argv; a && *a; a++)
		free(*a);
	free(argv);
}
