// SPDX-License-Identifier: GPL-2.0
/*
 * The profile part of a comparison: per profiled step, the top symbols of
 * every run with the change, and the heaviest call chains under each, the
 * way LKP lists perf-profile.self and perf-profile.calltrace rows.
 *
 * Every share is a percentage of all samples of that step's profile, so a
 * chain's share is part of its symbol's.  A symbol or chain absent from a
 * run's stored top list counts as 0 in the change: it was below perf
 * report's limit (0.5% for symbols, 0.05% for chains) or below the chains a
 * result keeps.  perf splits one kernel call path into several chains when
 * the user-space frames under it are unresolved addresses that differ
 * ("fault_worker_loop;0" and "fault_worker_loop;0x1"): those frames are
 * dropped and the chains merged, or one path would show as two half-sized
 * ones, in a different split in every run.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "profile_cmp.h"
#include "util.h"

/* ---- finding a step's profile --------------------------------------------- */

static bool has_top(json_t *p)
{
	return json_is_array(json_object_get(p, "top"));
}

static unsigned largest_step(json_t *doc)
{
	unsigned largest = 0;
	json_t *s;
	size_t i;

	json_array_foreach (json_object_get(doc, "steps"), i, s) {
		json_int_t n = json_integer_value(json_object_get(s, "ncpus"));

		if (n > 0 && (unsigned)n > largest)
			largest = (unsigned)n;
	}
	return largest;
}

/* An older result's one profile, and the step it belongs to. */
static json_t *runwide_profile(json_t *doc, struct pcmp_step *st)
{
	json_t *p = json_object_get(json_object_get(doc, "evidence"), "profile");
	json_t *n;

	if (!has_top(p))
		return NULL;
	n = json_object_get(p, "ncpus");
	st->ncpus = json_integer_value(n) > 0 ? (unsigned)json_integer_value(n) : largest_step(doc);
	st->variant = json_string_value(json_object_get(p, "variant")) ?: "";
	return p;
}

static const char *step_variant(json_t *s)
{
	return json_string_value(json_object_get(s, "variant")) ?: "";
}

json_t *pcmp_step_profile(json_t *doc, const char *variant, unsigned ncpus)
{
	struct pcmp_step rw;
	json_t *s, *p;
	size_t i;

	json_array_foreach (json_object_get(doc, "steps"), i, s) {
		p = json_object_get(json_object_get(s, "extra"), "profile");
		if (has_top(p) && json_integer_value(json_object_get(s, "ncpus")) == ncpus &&
		    !strcmp(step_variant(s), variant))
			return p;
	}
	p = runwide_profile(doc, &rw);
	return p && rw.ncpus == ncpus && !strcmp(rw.variant, variant) ? p : NULL;
}

static void add_step(struct pcmp_step **steps, unsigned *n, const char *variant, unsigned ncpus)
{
	unsigned i;

	for (i = 0; i < *n; i++)
		if ((*steps)[i].ncpus == ncpus && !strcmp((*steps)[i].variant, variant))
			return;
	/* by worker count: the order of the sweep */
	for (i = *n; i > 0 && (*steps)[i - 1].ncpus > ncpus; i--)
		;
	*steps = xrealloc(*steps, (*n + 1) * sizeof(**steps));
	memmove(*steps + i + 1, *steps + i, (*n - i) * sizeof(**steps));
	(*steps)[i] = (struct pcmp_step){ .variant = variant, .ncpus = ncpus };
	(*n)++;
}

unsigned pcmp_profiled_steps(json_t *doc, struct pcmp_step **steps)
{
	struct pcmp_step rw;
	unsigned n = 0;
	json_t *s;
	size_t i;

	*steps = NULL;
	json_array_foreach (json_object_get(doc, "steps"), i, s) {
		json_int_t ncpus = json_integer_value(json_object_get(s, "ncpus"));

		if (ncpus > 0 && has_top(json_object_get(json_object_get(s, "extra"), "profile")))
			add_step(steps, &n, step_variant(s), (unsigned)ncpus);
	}
	if (runwide_profile(doc, &rw))
		add_step(steps, &n, rw.variant, rw.ncpus);
	return n;
}

json_t *pcmp_largest_profile(json_t *doc)
{
	struct pcmp_step *steps;
	unsigned n = pcmp_profiled_steps(doc, &steps);
	json_t *p = n ? pcmp_step_profile(doc, steps[n - 1].variant, steps[n - 1].ncpus) : NULL;

	free(steps);
	return p;
}

/* ---- the difference --------------------------------------------------------- */

/*
 * "0", "0x1", "[unknown]": a user-space frame perf could not name.  Only
 * decimal digits or 0x and hex ones: "add" or "f" may be real symbols.
 */
static bool unresolved_frame(const char *f)
{
	int (*digit)(int) = isdigit;

	if (!strcmp(f, "[unknown]"))
		return true;
	if (f[0] == '0' && f[1] == 'x') {
		f += 2;
		digit = isxdigit;
	}
	if (!*f)
		return false;
	for (; *f; f++)
		if (!digit((unsigned char)*f))
			return false;
	return true;
}

/* The chain's callers without unresolved frames, joined by ';'. */
static char *chain_path(json_t *callers)
{
	char *path = xstrdup(""), *next;
	json_t *fr;
	size_t i;

	json_array_foreach (callers, i, fr) {
		const char *s = json_string_value(fr);

		if (!s || unresolved_frame(s))
			continue;
		next = xasprintf("%s%s%s", path, *path ? ";" : "", s);
		free(path);
		path = next;
	}
	return path;
}

static double *nan_array(unsigned n)
{
	double *v = xcalloc(n, sizeof(*v));

	for (unsigned i = 0; i < n; i++)
		v[i] = NAN;
	return v;
}

static double add_share(double cur, double pct)
{
	return isnan(cur) ? pct : cur + pct;
}

/* The largest share in any column: what ranks rows. */
static double peak(const double *pct, unsigned ncols)
{
	double m = 0;

	for (unsigned c = 0; c < ncols; c++)
		if (!isnan(pct[c]) && pct[c] > m)
			m = pct[c];
	return m;
}

double pcmp_delta(const double *pct, unsigned ncols)
{
	double a = pct[0], b = pct[ncols - 1];

	return (isnan(b) ? 0 : b) - (isnan(a) ? 0 : a);
}

static unsigned ncols_sort; /* qsort has no context argument */

static int by_peak_sym(const void *a, const void *b)
{
	double x = peak(((const struct pcmp_symbol *)a)->pct, ncols_sort);
	double y = peak(((const struct pcmp_symbol *)b)->pct, ncols_sort);

	return (x < y) - (x > y);
}

static int by_peak_chain(const void *a, const void *b)
{
	double x = peak(((const struct pcmp_chain *)a)->pct, ncols_sort);
	double y = peak(((const struct pcmp_chain *)b)->pct, ncols_sort);

	return (x < y) - (x > y);
}

static struct pcmp_chain *find_chain(struct pcmp_symbol *s, const char *path, unsigned ncols)
{
	for (unsigned i = 0; i < s->nchains; i++)
		if (!strcmp(s->chains[i].path, path))
			return &s->chains[i];
	s->chains = xrealloc(s->chains, (s->nchains + 1) * sizeof(*s->chains));
	s->chains[s->nchains] =
	    (struct pcmp_chain){ .path = xstrdup(path), .pct = nan_array(ncols) };
	return &s->chains[s->nchains++];
}

static struct pcmp_symbol *find_symbol(struct pcmp_diff *d, const char *sym)
{
	for (unsigned i = 0; i < d->nsyms; i++)
		if (!strcmp(d->syms[i].symbol, sym))
			return &d->syms[i];
	d->syms = xrealloc(d->syms, (d->nsyms + 1) * sizeof(*d->syms));
	d->syms[d->nsyms] =
	    (struct pcmp_symbol){ .symbol = xstrdup(sym), .pct = nan_array(d->ncols) };
	return &d->syms[d->nsyms++];
}

static void add_profile(struct pcmp_diff *d, unsigned c, json_t *profile)
{
	json_t *e, *ch;
	size_t k, j;

	json_array_foreach (json_object_get(profile, "top"), k, e) {
		const char *sym = json_string_value(json_object_get(e, "symbol"));
		json_t *pct = json_object_get(e, "percent");
		struct pcmp_symbol *s;

		if (!sym || !json_is_number(pct))
			continue;
		s = find_symbol(d, sym);
		s->pct[c] = add_share(s->pct[c], json_number_value(pct));
		json_array_foreach (json_object_get(e, "callers"), j, ch) {
			json_t *cp = json_object_get(ch, "percent");
			char *path;
			struct pcmp_chain *chain;

			if (!json_is_number(cp))
				continue;
			path = chain_path(json_object_get(ch, "callers"));
			chain = find_chain(s, path, d->ncols);
			chain->pct[c] = add_share(chain->pct[c], json_number_value(cp));
			free(path);
		}
	}
}

static void free_symbol(struct pcmp_symbol *s)
{
	for (unsigned i = 0; i < s->nchains; i++) {
		free(s->chains[i].path);
		free(s->chains[i].pct);
	}
	free(s->chains);
	free(s->symbol);
	free(s->pct);
}

void pcmp_diff_build(json_t *const *profiles, unsigned ncols, struct pcmp_diff *d)
{
	unsigned c, i;

	*d = (struct pcmp_diff){ .ncols = ncols };
	for (c = 0; c < ncols; c++)
		add_profile(d, c, profiles[c]);
	ncols_sort = ncols;
	if (d->nsyms)
		qsort(d->syms, d->nsyms, sizeof(*d->syms), by_peak_sym);
	for (i = PCMP_SYMBOLS; i < d->nsyms; i++)
		free_symbol(&d->syms[i]);
	if (d->nsyms > PCMP_SYMBOLS)
		d->nsyms = PCMP_SYMBOLS;
	for (i = 0; i < d->nsyms; i++) {
		struct pcmp_symbol *s = &d->syms[i];

		if (s->nchains)
			qsort(s->chains, s->nchains, sizeof(*s->chains), by_peak_chain);
		for (unsigned j = PCMP_CHAINS; j < s->nchains; j++) {
			free(s->chains[j].path);
			free(s->chains[j].pct);
		}
		if (s->nchains > PCMP_CHAINS)
			s->nchains = PCMP_CHAINS;
	}
}

void pcmp_diff_free(struct pcmp_diff *d)
{
	for (unsigned i = 0; i < d->nsyms; i++)
		free_symbol(&d->syms[i]);
	free(d->syms);
	*d = (struct pcmp_diff){ 0 };
}

/* ---- output ------------------------------------------------------------------ */

#define NAME_WIDTH 72 /* the symbol and chain column of the text table */

/*
 * "<- a <- b <- c", the callers innermost first.  Longer than room (0: no
 * limit), it keeps the direct caller and as many of the outermost callers
 * as fit ("<- a <- ... <- y <- z"): chains of one symbol often share the
 * frames next to it and differ only where they started (a worker's setup
 * or its loop).
 */
static char *chain_label(const char *path, size_t room)
{
	char *copy = xstrdup(path), *f, *save = NULL, **fr = NULL, *out, *tail, *next;
	unsigned n = 0, i;

	for (f = strtok_r(copy, ";", &save); f; f = strtok_r(NULL, ";", &save)) {
		fr = xrealloc(fr, (n + 1) * sizeof(*fr));
		fr[n++] = f;
	}
	out = xstrdup(n ? "" : "(no callers)");
	for (i = 0; i < n; i++) {
		next = xasprintf("%s<- %s%s", out, fr[i], i + 1 < n ? " " : "");
		free(out);
		out = next;
	}
	if (room && strlen(out) > room && n > 1) {
		tail = xstrdup("");
		for (i = n - 1; i > 0; i--) {
			next = xasprintf(" <- %s%s", fr[i], tail);
			if (strlen(fr[0]) + 10 + strlen(next) > room && *tail) {
				free(next);
				break;
			}
			free(tail);
			tail = next;
		}
		free(out);
		out = xasprintf("<- %s%s%s", fr[0], i > 0 ? " <- ..." : "", tail);
		free(tail);
	}
	free(fr);
	free(copy);
	return out;
}

static void print_shares(FILE *f, const double *pct, unsigned ncols, bool markdown)
{
	for (unsigned c = 0; c < ncols; c++) {
		if (isnan(pct[c]))
			fprintf(f, markdown ? " - |" : " %14s", "-");
		else
			fprintf(f, markdown ? " %.2f |" : " %14.2f", pct[c]);
	}
	if (ncols > 1)
		fprintf(f, markdown ? " %+.2f |" : " %+14.2f", pcmp_delta(pct, ncols));
	fprintf(f, "\n");
}

/* A text row name, cut with "..." to fit its column. */
static void print_name(FILE *f, const char *indent, const char *name)
{
	int room = NAME_WIDTH - (int)strlen(indent);

	name = fb_esc(name); /* a symbol from a result file: printable */
	if ((int)strlen(name) > room)
		fprintf(f, "%s%.*s...", indent, room - 3, name);
	else
		fprintf(f, "%s%-*s", indent, room, name);
}

static void md_cell(FILE *f, const char *s)
{
	char *e = fb_md_escape(s);

	fprintf(f, " %s |", e);
	free(e);
}

static void print_head(FILE *f, const struct pcmp_step *st, unsigned ncols, char *const *labels,
		       bool markdown)
{
	char *title =
	    xasprintf("Top profile symbols, %s%s%u CPU%s (%% of samples)", fb_esc(st->variant),
		      *st->variant ? " " : "", st->ncpus, st->ncpus == 1 ? "" : "s");
	unsigned c;

	if (markdown) {
		fprintf(f, "\n|");
		md_cell(f, title);
		for (c = 0; c < ncols; c++)
			md_cell(f, labels[c]);
		fprintf(f, "%s\n|---|", ncols > 1 ? " delta |" : "");
		for (c = 0; c < ncols + (ncols > 1); c++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
	} else {
		fprintf(f, "\n%-*s", NAME_WIDTH, title);
		for (c = 0; c < ncols; c++)
			fprintf(f, " %14.14s", fb_esc(labels[c]));
		if (ncols > 1)
			fprintf(f, " %14s", "delta");
		fprintf(f, "\n");
	}
	free(title);
}

static void print_diff(FILE *f, const struct pcmp_diff *d, bool markdown)
{
	for (unsigned i = 0; i < d->nsyms; i++) {
		const struct pcmp_symbol *s = &d->syms[i];

		if (markdown) {
			fprintf(f, "|");
			md_cell(f, s->symbol);
		} else {
			print_name(f, "  ", s->symbol);
		}
		print_shares(f, s->pct, d->ncols, markdown);
		for (unsigned j = 0; j < s->nchains; j++) {
			char *label = chain_label(s->chains[j].path, markdown ? 0 : NAME_WIDTH - 6);

			if (markdown) {
				fprintf(f, "|");
				md_cell(f, label);
			} else {
				print_name(f, "      ", label);
			}
			print_shares(f, s->chains[j].pct, d->ncols, markdown);
			free(label);
		}
	}
}

/* The profiles of step st in every column, or false when one has none. */
static bool step_profiles(json_t *const *docs, unsigned ncols, const struct pcmp_step *st,
			  json_t **out)
{
	for (unsigned c = 0; c < ncols; c++) {
		out[c] = pcmp_step_profile(docs[c], st->variant, st->ncpus);
		if (!out[c])
			return false;
	}
	return true;
}

/* Every step profiled in all docs, with the diff of its profiles, to fn. */
static void foreach_diff(json_t *const *docs, unsigned ncols,
			 void (*fn)(const struct pcmp_step *st, const struct pcmp_diff *d,
				    void *arg),
			 void *arg)
{
	json_t **profiles = xcalloc(ncols, sizeof(*profiles));
	struct pcmp_step *steps;
	unsigned n = ncols ? pcmp_profiled_steps(docs[0], &steps) : 0;

	for (unsigned i = 0; i < n; i++) {
		struct pcmp_diff d;

		if (!step_profiles(docs, ncols, &steps[i], profiles))
			continue;
		pcmp_diff_build(profiles, ncols, &d);
		fn(&steps[i], &d, arg);
		pcmp_diff_free(&d);
	}
	if (n)
		free(steps);
	free(profiles);
}

struct print_ctx {
	FILE *f;
	unsigned ncols;
	char *const *labels;
	bool markdown;
};

static void print_one(const struct pcmp_step *st, const struct pcmp_diff *d, void *arg)
{
	struct print_ctx *c = arg;

	if (!d->nsyms)
		return;
	print_head(c->f, st, c->ncols, c->labels, c->markdown);
	print_diff(c->f, d, c->markdown);
}

void pcmp_print(FILE *f, json_t *const *docs, unsigned ncols, char *const *labels, bool markdown)
{
	struct print_ctx c = { f, ncols, labels, markdown };

	foreach_diff(docs, ncols, print_one, &c);
}

static json_t *shares_json(const double *pct, unsigned ncols)
{
	json_t *a = json_array();

	for (unsigned c = 0; c < ncols; c++)
		json_array_append_new(a, isnan(pct[c]) ? json_null() : json_real(pct[c]));
	return a;
}

static json_t *diff_json(const struct pcmp_diff *d)
{
	json_t *syms = json_array();

	for (unsigned i = 0; i < d->nsyms; i++) {
		const struct pcmp_symbol *s = &d->syms[i];
		json_t *chains = json_array();

		for (unsigned j = 0; j < s->nchains; j++) {
			json_t *callers = json_array();
			char *copy = xstrdup(s->chains[j].path), *fr, *save = NULL;

			for (fr = strtok_r(copy, ";", &save); fr; fr = strtok_r(NULL, ";", &save))
				json_array_append_new(callers, json_string(fr));
			free(copy);
			json_array_append_new(
			    chains, json_pack("{s:o, s:o, s:f}", "callers", callers, "percent",
					      shares_json(s->chains[j].pct, d->ncols), "delta",
					      pcmp_delta(s->chains[j].pct, d->ncols)));
		}
		json_array_append_new(syms,
				      json_pack("{s:s, s:o, s:f, s:o}", "symbol", s->symbol,
						"percent", shares_json(s->pct, d->ncols), "delta",
						pcmp_delta(s->pct, d->ncols), "chains", chains));
	}
	return syms;
}

static void json_one(const struct pcmp_step *st, const struct pcmp_diff *d, void *arg)
{
	json_array_append_new(arg, json_pack("{s:s, s:i, s:o}", "variant", st->variant, "ncpus",
					     (json_int_t)st->ncpus, "symbols", diff_json(d)));
}

json_t *pcmp_json(json_t *const *docs, unsigned ncols)
{
	json_t *out = json_array();

	foreach_diff(docs, ncols, json_one, out);
	return out;
}
