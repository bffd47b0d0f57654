// SPDX-License-Identifier: GPL-2.0
/* A command string split into words without a shell: see cmdwords.h. */
#include <stdlib.h>
#include <string.h>

#include "cmdwords.h"
#include "util.h"

int cmd_words_split(struct cmd_words *w, const char *cmd, unsigned max)
{
	char *copy = xstrdup(cmd), *save = NULL, *tok;

	*w = (struct cmd_words){ .v = xcalloc(1, sizeof(char *)) };
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (w->n == max) {
			cmd_words_free(w);
			free(copy);
			return -1;
		}
		w->v = xrealloc(w->v, (w->n + 2) * sizeof(char *));
		w->v[w->n++] = xstrdup(tok);
		w->v[w->n] = NULL;
	}
	free(copy);
	return 0;
}

const char *cmd_words_find(const struct cmd_words *w, const char *const *options)
{
	for (unsigned i = 0; i < w->n; i++)
		for (unsigned k = 0; options[k]; k++) {
			size_t n = strlen(options[k]);

			if (!strncmp(w->v[i], options[k], n) && (!w->v[i][n] || w->v[i][n] == '='))
				return options[k];
		}
	return NULL;
}

void cmd_words_free(struct cmd_words *w)
{
	for (unsigned i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	*w = (struct cmd_words){ 0 };
}
