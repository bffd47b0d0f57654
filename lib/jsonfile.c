// SPDX-License-Identifier: GPL-2.0
/*
 * JSON output (see jsonfile.h).  jansson prints a real with one fixed
 * precision; %.17g always reads back but shows binary noise, anything less
 * may not read back.  So the document is dumped at full precision and each
 * real token rewritten in its shortest exact form: a string in the document
 * is copied untouched, whatever it looks like.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonfile.h"
#include "util.h"

/* jansson's JSON_REAL_PRECISION(n) bits */
#define REAL_PRECISION_MASK JSON_REAL_PRECISION(31)

/* "1e+20" -> "1e20", "1e-05" -> "1e-5": jansson's own form of exponents. */
static void tidy_exponent(char *s)
{
	char *e = strchr(s, 'e'), *digits, *nz;

	if (!e)
		return;
	digits = e + 1;
	if (*digits == '+')
		memmove(digits, digits + 1, strlen(digits));
	else if (*digits == '-')
		digits++;
	for (nz = digits; *nz == '0' && nz[1]; nz++)
		;
	if (nz != digits)
		memmove(digits, nz, strlen(nz) + 1);
}

void fb_fmt_shortest(char *buf, size_t len, double v)
{
	char tmp[40];

	/* 17 significant digits always read back (DBL_DECIMAL_DIG) */
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	tidy_exponent(tmp);
	/* "1" would read back as an integer */
	if (!strpbrk(tmp, ".e") && strlen(tmp) + 2 < sizeof(tmp))
		strcat(tmp, ".0");
	snprintf(buf, len, "%s", tmp);
}

/* Length of the string token at s (from its '"' to the closing one). */
static size_t string_token(const char *s)
{
	const char *q = s + 1;

	while (*q && *q != '"') {
		if (*q == '\\' && q[1])
			q++;
		q++;
	}
	return (size_t)(q - s) + (*q == '"');
}

static int write_rewritten(const char *s, FILE *f)
{
	char num[40];

	while (*s) {
		size_t n;

		if (*s == '"') {
			n = string_token(s);
			fwrite(s, 1, n, f);
		} else if (*s == '-' || (*s >= '0' && *s <= '9')) {
			n = strspn(s, "+-0123456789.eE");
			if (memchr(s, '.', n) || memchr(s, 'e', n) || memchr(s, 'E', n)) {
				fb_fmt_shortest(num, sizeof(num), strtod(s, NULL));
				fputs(num, f);
			} else {
				fwrite(s, 1, n, f);
			}
		} else {
			n = 1;
			fputc(*s, f);
		}
		s += n;
	}
	return ferror(f) ? -1 : 0;
}

int fb_json_dumpf(const json_t *doc, FILE *f, size_t flags)
{
	char *s = json_dumps(doc, (flags & ~(size_t)REAL_PRECISION_MASK) | JSON_REAL_PRECISION(17));
	int ret;

	if (!s)
		return -1;
	ret = write_rewritten(s, f);
	free(s);
	return ret;
}

int json_write_new_file(json_t *doc, const char *path)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	FILE *f = fopen(tmp, "wx");
	int ret = FB_OK;

	if (!f || fb_json_dumpf(doc, f, JSON_INDENT(1)) | fclose(f))
		ret = fb_fail("cannot write '%s': %s", tmp, strerror(errno));
	else if (link(tmp, path))
		ret = fb_fail("cannot create '%s': %s", path, strerror(errno));
	unlink(tmp);
	free(tmp);
	return ret;
}
