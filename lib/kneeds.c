// SPDX-License-Identifier: GPL-2.0
/*
 * What a vm guest's command needs of its kernel's .config: see kneeds.h.
 *
 * The guest's command line is not parsed with the benchmarks' options tables:
 * it may be a suite config or a shell line, and the same name means
 * different types in different benchmarks (--fault-around is a value set in
 * fault, a switch in pagelock).  The rules below look for the few option
 * values that need a kernel feature, in every form the option parser accepts
 * (--name=v, --name v, a bare --name or --no-name for switches, name = v in
 * a config); a value list (4k,thp) needs what any of its values needs.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kimage.h"
#include "kneeds.h"
#include "util.h"

enum kneed_match {
	VALUE_IS,  /* one of the value's comma-separated words is .word */
	VALUE_NOT, /* the value is anything but .word */
	ANY_VALUE, /* the option is given at all (with a value) */
	SWITCH_ON, /* a switch turned on: bare --name, or =on/yes/true/1 */
};

static const struct kneed_rule {
	const char *opt;
	enum kneed_match match;
	const char *word;
	const char *sym, *feature;
} rules[] = {
	/* MADV_HUGEPAGE fails with EINVAL on a kernel without THP */
	{ "page", VALUE_IS, "thp", "CONFIG_TRANSPARENT_HUGEPAGE", "transparent huge pages" },
	/* fault's --page=4k is MADV_NOHUGEPAGE (its default, no madvise, runs anywhere) */
	{ "page", VALUE_IS, "4k", "CONFIG_TRANSPARENT_HUGEPAGE",
	  "MADV_NOHUGEPAGE, transparent huge pages" },
	{ "buffer", VALUE_IS, "thp", "CONFIG_TRANSPARENT_HUGEPAGE", "transparent huge pages" },
	{ "large-folios", VALUE_IS, "on", "CONFIG_TRANSPARENT_HUGEPAGE",
	  "MADV_HUGEPAGE, transparent huge pages" },
	{ "buffer", VALUE_IS, "hugetlb", "CONFIG_HUGETLBFS", "hugetlbfs" },
	/* mbind() and move_pages() are ENOSYS without NUMA */
	{ "mem", VALUE_NOT, "local", "CONFIG_NUMA", "NUMA memory policies" },
	{ "event", ANY_VALUE, NULL, "CONFIG_PERF_EVENTS", "perf events" },
	{ "profile", SWITCH_ON, NULL, "CONFIG_PERF_EVENTS", "perf record" },
	{ "profile-cpus", ANY_VALUE, NULL, "CONFIG_PERF_EVENTS", "perf record" },
	/* fault-around off is a userfaultfd write-protect registration */
	{ "fault-around", VALUE_IS, "off", "CONFIG_USERFAULTFD", "userfaultfd" },
};

/* A switch's value as "on" or "off"; other values as they are. */
static const char *switch_word(const char *v)
{
	static const char *const on[] = { "on", "yes", "true", "1" };
	static const char *const off[] = { "off", "no", "false", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		if (!strcmp(v, on[i]))
			return "on";
		if (!strcmp(v, off[i]))
			return "off";
	}
	return v;
}

static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, word, n))
			return true;
		p = p[len] ? p + len + 1 : p + len;
	}
	return false;
}

/* Whether the option `rule->opt`, given with value v (NULL: bare --name), needs the rule's symbol.
 */
static bool rule_hit(const struct kneed_rule *r, const char *v)
{
	switch (r->match) {
	case VALUE_IS:
		return v && (list_has(v, r->word) || !strcmp(switch_word(v), r->word));
	case VALUE_NOT:
		return v && *v && strcmp(v, r->word);
	case ANY_VALUE:
		return v && *v;
	case SWITCH_ON:
		return !v || !strcmp(switch_word(v), "on");
	}
	return false;
}

struct found {
	struct kneed *out;
	size_t n, max;
};

static void add(struct found *f, const struct kneed_rule *r, const char *how)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->out[i].sym, r->sym))
			return;
	if (f->n == f->max)
		return;
	f->out[f->n].sym = r->sym;
	f->out[f->n].why = xasprintf("%s (%s)", how, r->feature);
	f->n++;
}

/* The option name and value of one "name = value" pair, "--name=value" or "--name" [next]. */
static void check_option(struct found *f, const char *name, size_t len, const char *v,
			 const char *shown)
{
	bool negated = len > 3 && !strncmp(name, "no-", 3) && !v;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct kneed_rule *r = &rules[i];
		const char *name_of = negated ? name + 3 : name;
		size_t l = negated ? len - 3 : len;

		if (strlen(r->opt) != l || strncmp(name_of, r->opt, l))
			continue;
		if (rule_hit(r, negated ? "off" : v))
			add(f, r, shown);
	}
}

static void scan_args(struct found *f, int argc, const char *const *argv)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		char *shown;
		size_t len;

		if (strncmp(a, "--", 2) || !a[2])
			continue;
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		if (eq) {
			check_option(f, a, len, eq + 1, argv[i]);
			continue;
		}
		/* bare: a switch, or a value in the next argument (both are tried) */
		check_option(f, a, len, NULL, argv[i]);
		if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
			shown = xasprintf("%s %s", argv[i], argv[i + 1]);
			check_option(f, a, len, argv[i + 1], shown);
			free(shown);
		}
	}
}

/* A shell line: split at blanks, quotes dropped (a rough split is enough to find options). */
static void scan_shell(struct found *f, const char *line)
{
	char *copy = xstrdup(line), *save = NULL, *w, *d;
	const char **words = xcalloc(strlen(line) / 2 + 2, sizeof(*words));
	int n = 0;

	for (d = copy, w = copy; *w; w++)
		if (*w != '\'' && *w != '"')
			*d++ = *w;
	*d = '\0';
	for (w = strtok_r(copy, " \t\n;&|()", &save); w; w = strtok_r(NULL, " \t\n;&|()", &save))
		words[n++] = w;
	scan_args(f, n, words);
	free(words);
	free(copy);
}

/* A suite config: "name = value" lines in any section. */
static void scan_ini(struct found *f, const char *ini)
{
	char *copy = xstrdup(ini), *save = NULL, *line;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '='), *k = line, *v, *end, *shown;

		if (!eq || *line == ';' || *line == '#' || *line == '[')
			continue;
		*eq = '\0';
		while (*k == ' ' || *k == '\t')
			k++;
		for (end = eq; end > k && (end[-1] == ' ' || end[-1] == '\t'); end--)
			;
		*end = '\0';
		for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
			;
		for (end = v + strlen(v); end > v && strchr(" \t\r", end[-1]); end--)
			;
		*end = '\0';
		shown = xasprintf("%s = %s in the suite's config", k, v);
		check_option(f, k, strlen(k), v, shown);
		free(shown);
	}
	free(copy);
}

size_t kneeds_find(int argc, const char *const *argv, int shell, const char *ini, unsigned nodes,
		   struct kneed *out, size_t max)
{
	static const struct kneed_rule numa = { NULL, ANY_VALUE, NULL, "CONFIG_NUMA",
						"NUMA nodes" },
				       srat = { NULL, ANY_VALUE, NULL, "CONFIG_ACPI_NUMA",
						"qemu describes the nodes in ACPI's SRAT" };
	struct found f = { out, 0, max };

	if (nodes > 1) {
		char *how = xasprintf("a guest of %u nodes (--numa)", nodes);

		add(&f, &numa, how);
		add(&f, &srat, how);
		free(how);
	}
	if (shell)
		for (int i = 0; i < argc; i++)
			scan_shell(&f, argv[i]);
	else
		scan_args(&f, argc, argv);
	if (ini)
		scan_ini(&f, ini);
	return f.n;
}

const struct kneed *kneeds_unmet(const char *config_text, const struct kneed *needs, size_t n)
{
	if (!config_text)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (kconfig_value(config_text, needs[i].sym) == 'n')
			return &needs[i];
	return NULL;
}

void kneeds_free(struct kneed *needs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(needs[i].why);
}
