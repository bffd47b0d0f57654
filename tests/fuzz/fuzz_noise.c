// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the noise-model reader (analysis/noise.c), the input being a
 * model file: size cap, JSON without duplicate keys, the version, every
 * entry's numbers (a negative or NaN variance refuses the model), then what
 * compare and history do with a model: match it to a result, scale it to a
 * number of repeats, print its run-to-run figure.
 */
#include <math.h>
#include <stdlib.h>

#include "fuzz.h"
#include "noise.h"
#include "util.h"

/* A result of the machine the seed models are of, to match entries against. */
static json_t *result_doc(void)
{
	return json_pack("{s:{s:s, s:s}, s:{s:i}}", "system", "hostname", "vm", "cpu_model",
			 "AMD EPYC", "params", "size", 4194304);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct noise_models ms = { 0 };
	char *text = fuzz_string(data, size), why[512];
	json_t *doc = result_doc();

	fb_set_quiet(true);
	if (noise_parse(&ms, "fuzz.json", text, size) == FB_OK) {
		for (unsigned i = 0; i < ms.n; i++)
			for (unsigned k = 0; k < ms.m[i].n; k++) {
				const struct noise_entry *e = &ms.m[i].e[k];
				double v = noise_var_for(e, 3) + noise_run_pct(e, 0);

				(void)v;
				noise_find(&ms, doc, e->name, e->variant, e->ncpus, e->metric,
					   NULL);
				noise_why_unmatched(&ms, doc, e->name, e->variant, e->ncpus,
						    e->metric, why, sizeof(why));
			}
		noise_why_unmatched(&ms, doc, "pf1", "", 1, "pages/s", why, sizeof(why));
	}
	noise_free(&ms);
	json_decref(doc);
	free(text);
	return 0;
}
