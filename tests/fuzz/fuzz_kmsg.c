// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the kernel-log parsers of stress tests (stress/kmsg.c).  The
 * input is read as one /dev/kmsg record, as each line of a klogctl buffer,
 * judged by kmsg_verdict() with and without a test token, and searched for
 * its own first line as klogctl's "last line seen" mark.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "kmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *nl = strchr(s, '\n');
	struct kmsg_rec r;
	const char *line, *next;

	if (kmsg_parse_record((const char *)data, size, &r)) {
		if (strlen(r.text) >= KMSG_TEXT_MAX)
			abort();
		kmsg_verdict(r.text, NULL);
	}
	for (line = s; line && *line; line = next) {
		const char *eol = strchr(line, '\n');

		next = eol ? eol + 1 : NULL;
		if (kmsg_parse_syslog_line(line, eol ? (size_t)(eol - line) : strlen(line), &r)) {
			if (strlen(r.text) >= KMSG_TEXT_MAX)
				abort();
			kmsg_verdict(r.text, "faultbench-test:abc123");
		}
	}
	if (nl) {
		char *mark = strndup(s, (size_t)(nl - s));
		const char *rest = kmsg_syslog_new_lines(s, mark);

		if (rest && (rest < s || rest > s + strlen(s)))
			abort(); /* always inside buf */
		free(mark);
	}
	free(s);
	return 0;
}
