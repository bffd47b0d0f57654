// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: a result document as the store hands it over (the text of
 * its documents table, parsed as store_document() does: JSON, no duplicate
 * keys), then the checks every document passes, file or store
 * (rs_check_doc), and what compare, check and noise do with its values:
 * the validity rule of each step (analysis/validity.c), the table and its
 * verdicts against itself, a noise model derived from it, the table printed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compare.h"
#include "fuzz.h"
#include "resultset.h"
#include "util.h"
#include "validity.h"

static void table(json_t *doc, bool skip_disturbed)
{
	json_t *docs[2] = { doc, doc };
	char *paths[2] = { "a.json", "b.json" };
	struct resultset runs[2] = {
		{ .arg = "a", .label = "a", .n = 1, .docs = docs, .paths = paths },
		{ .arg = "b", .label = "b", .n = 1, .docs = docs + 1, .paths = paths + 1 }
	};
	struct cmp_opts o = { .all = true, .quiet = true, .skip_disturbed = skip_disturbed };
	struct cmp_table t;
	FILE *devnull = fopen("/dev/null", "w");

	if (cmp_build(runs, 2, &o, &t) == FB_OK && devnull) {
		cmp_print(devnull, &t, CMP_TEXT, false);
		cmp_print(devnull, &t, CMP_CSV, false);
	}
	cmp_free(&t);
	if (cmp_build(runs, 1, &o, &t) == FB_OK) {
		struct noise_model m;

		noise_model_init(&m, doc);
		cmp_derive_noise(&t, &m);
		noise_model_free(&m);
	}
	cmp_free(&t);
	if (devnull)
		fclose(devnull);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	json_error_t err;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);

	fb_set_quiet(true);
	if (doc && rs_check_doc("store", doc) == FB_OK) {
		rs_doc_disturbed(doc);
		table(doc, false);
		table(doc, true);
	}
	json_decref(doc);
	free(text);
	return 0;
}
