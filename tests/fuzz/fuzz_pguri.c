// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: PostgreSQL URIs as faultbench shows them in messages
 * (store_redact: the userinfo's password and every password=/sslpassword=
 * of the query masked, percent-encoded keys too) and libpq's messages
 * with the secrets of a conninfo masked (store_mask_secrets).  A --store
 * value comes from the command line, a config or a nightly script: any
 * text must give a bounded, masked string, never a crash.
 */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "fuzz.h"
#include "store.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	char *shown = store_redact(text), *again, *msg;

	/* masking never grows a string by more than "***" per character */
	if (strlen(shown) > 2 * strlen(text) + 3)
		abort();
	/* what is masked stays masked: showing a shown target changes nothing */
	again = store_redact(shown);
	if (strcmp(again, shown))
		abort();
	/* libpq's message repeating the conninfo: masked without a crash */
	msg = store_mask_secrets(text, text);
	free(msg);
	free(again);
	free(shown);
	free(text);
	return 0;
}
