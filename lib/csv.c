// SPDX-License-Identifier: GPL-2.0
/*
 * CSV fields and records (see csv.h): what spreadsheets, pandas and R read
 * without options.
 */
#include <math.h>
#include <string.h>

#include "csv.h"
#include "jsonfile.h"

static bool needs_quotes(const char *s)
{
	size_t n = strlen(s);

	return strpbrk(s, ",\"\r\n") ||
	       (n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t'));
}

void csv_field(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (!s)
		return;
	if (!needs_quotes(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_num(FILE *f, double v, bool first)
{
	char buf[40];
	size_t n;

	if (!first)
		fputc(',', f);
	if (!isfinite(v))
		return;
	fb_fmt_shortest(buf, sizeof(buf), v);
	/* "3.0" is JSON's way of saying real; in a CSV 3 is plainer */
	n = strlen(buf);
	if (n > 2 && !strcmp(buf + n - 2, ".0"))
		buf[n - 2] = '\0';
	fputs(buf, f);
}

void csv_uint(FILE *f, unsigned long long v, bool first)
{
	fprintf(f, "%s%llu", first ? "" : ",", v);
}

void csv_end_row(FILE *f)
{
	fputs("\r\n", f);
}
