// SPDX-License-Identifier: GPL-2.0
/* HTML escaping for the report (html.h). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "util.h"

void html_put(FILE *f, const char *s)
{
	bool utf8 = fb_utf8_ok(s);

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fputc(' ', f);
			else if (c >= 0x80 && !utf8)
				fputs("&#xfffd;", f);
			else
				fputc(c, f);
		}
	}
}

void html_printf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (s)
		html_put(f, s);
	free(s);
}
