// SPDX-License-Identifier: GPL-2.0
/*
 * CSV fields and records (see csv.h): what spreadsheets, pandas and R read
 * without options.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "jsonfile.h"
#include "util.h"

static bool needs_quotes(const char *s)
{
	size_t n = strlen(s);

	return strpbrk(s, ",\"\r\n") ||
	       (n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' || s[n - 1] == '\t'));
}

/*
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR before
 * one) as a formula: "=cmd|' /C calc'!A0" from a variant or metric name of
 * someone else's result would.  OWASP's rule: such a cell gets a leading
 * single quote, which makes it text, and is quoted.  A number ("-3.5",
 * "+2") is left as it is.
 */
bool csv_formula_like(const char *s)
{
	char *end;

	if (!*s || !strchr("=+-@\t\r", *s))
		return false;
	if (*s != '+' && *s != '-')
		return true;
	/* after a sign strtod() skips no blank: "-3.5" is a number, "-x" or "- 1" not */
	strtod(s, &end);
	return end == s || *end;
}

void csv_field(FILE *f, const char *s, bool first)
{
	char *shown;
	size_t len;

	if (!first)
		fputc(',', f);
	if (!s)
		return;
	/*
	 * A name from a result file: no terminal control reaches whoever cats
	 * the CSV; CR, LF and TAB stay, quoted as RFC 4180 has it.
	 */
	len = 4 * strlen(s) + 8;
	shown = xmalloc(len);
	fb_printable_keep(s, shown, len, "\r\n\t");
	if (!csv_formula_like(shown) && !needs_quotes(shown)) {
		fputs(shown, f);
	} else {
		fputc('"', f);
		if (csv_formula_like(shown))
			fputc('\'', f);
		for (const char *c = shown; *c; c++) {
			if (*c == '"')
				fputc('"', f);
			fputc(*c, f);
		}
		fputc('"', f);
	}
	free(shown);
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
