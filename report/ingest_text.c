/*
 * ingest_text.c - text helpers of the report ingest modules: bounded copies,
 * recovery notes, windows-1252 and UTF-8 byte checks
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_text.h"

/* ingest_note - add a formatted note to l (deduplicated, capped) */
void
ingest_note(struct strlist *l, const char *fmt, ...)
{
	char line[INGEST_NOTE_LEN];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* control bytes and bytes that are not UTF-8 (peer text cut by a
	 * %.40s in the middle of a character) become '?' */
	for (i = 0; line[i] != '\0'; ) {
		unsigned char c = (unsigned char)line[i];
		size_t len = c < 0x80 ? 1 : ingest_utf8_len((unsigned char *)line + i, strlen(line + i));

		if (c < 0x20 || c == 0x7f || len == 0) {
			line[i++] = '?';
			continue;
		}
		i += len;
	}
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], line) == 0)
			return;
	if (l->n >= INGEST_NOTES_MAX)
		return;
	strlist_add(l, line);
}

/* ingest_strdup_cap - trimmed, capped copy (cut at a UTF-8 boundary) */
char *
ingest_strdup_cap(const char *s, size_t n, size_t cap, int *cut)
{
	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (cut != NULL)
		*cut = n > cap;
	if (n > cap) {
		n = cap;
		/* do not leave half a UTF-8 sequence at the end */
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

/* ingest_lower - ASCII lowercase in place */
char *
ingest_lower(char *s)
{
	char *p;

	for (p = s; p != NULL && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* ingest_memmem_ci - case-insensitive search of a NUL-terminated needle */
const char *
ingest_memmem_ci(const char *hay, size_t n, const char *needle)
{
	size_t m = strlen(needle), i;

	if (m == 0)
		return hay;
	for (i = 0; i + m <= n; i++)
		if (strncasecmp(hay + i, needle, m) == 0)
			return hay + i;
	return NULL;
}

/* ingest_u64 - decimal number with optional white space */
int
ingest_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (isspace((unsigned char)*s))
		s++;
	if (*s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	while (isspace((unsigned char)*s))
		s++;
	if (digits == 0 || *s != '\0')
		return -1;
	*out = v;
	return 0;
}

/* windows-1252 0x80..0x9f as code points (0: undefined there, kept as the
 * C1 control of the same number, as ISO-8859-1 would) */
static const unsigned short cp1252_c1[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* ingest_cp1252 - UTF-8 of a windows-1252 byte >= 0x80 */
size_t
ingest_cp1252(unsigned char c, char out[4])
{
	unsigned cp = c;

	if (c >= 0x80 && c < 0xa0 && cp1252_c1[c - 0x80] != 0)
		cp = cp1252_c1[c - 0x80];
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* ingest_utf8_len - length of one valid UTF-8 sequence (RFC 3629 §4) */
size_t
ingest_utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (n == 0)
		return 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* ingest_utf8_fix - see ingest_text.h */
const char *
ingest_utf8_fix(struct buf *tmp, const char *s, size_t n, size_t *outlen)
{
	size_t i, k;

	for (i = 0; i < n && (k = ingest_utf8_len((const unsigned char *)s + i, n - i)) > 0; i += k)
		;
	*outlen = n;
	if (i == n)
		return s;
	buf_reset(tmp);
	for (i = 0; i < n; i += k ? k : 1) {
		k = ingest_utf8_len((const unsigned char *)s + i, n - i);
		if (k > 0)
			buf_add(tmp, s + i, k);
		else
			buf_adds(tmp, "\xef\xbf\xbd");
	}
	*outlen = tmp->len;
	return tmp->data;
}
