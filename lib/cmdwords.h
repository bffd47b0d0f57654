/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A faultbench command given as one string ('run pf1 --cpus 4', from ab's
 * --a or a campaign's command =) split into its words at spaces and tabs.
 * No shell sees it: nothing is expanded, quoted or run, so a string read
 * from a file or the command line can name options and nothing else.
 */
#ifndef FB_CMDWORDS_H
#define FB_CMDWORDS_H

struct cmd_words {
	char **v; /* the words, malloc'd, NULL-terminated */
	unsigned n;
};

/* Split cmd; -1 (and nothing kept) when it has more than max words. */
int cmd_words_split(struct cmd_words *w, const char *cmd, unsigned max);

/*
 * The first of options ("--label", NULL-terminated) that a word is, alone or
 * as "--label=value"; NULL when none is.
 */
const char *cmd_words_find(const struct cmd_words *w, const char *const *options);

void cmd_words_free(struct cmd_words *w);

#endif
