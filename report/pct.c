/*
 * pct.c - RFC 3986 §2.1 percent-decoding
 *
 * One decoder for the two readers that need it: rua.c (a mailto: URI,
 * RFC 6068 §2, where a malformed escape makes the URI invalid) and
 * report_state.c (its own %XX-escaped fields, read back leniently so a
 * hand-edited line still loads).
 */
#include "config.h"

#include "pct.h"

/* hexval - value of one hex digit, -1 if none */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* pct_decode - see pct.h */
int
pct_decode(const char *s, size_t len, int strict, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		int h = -1, l = -1;

		if (s[i] != '%') {
			buf_addc(out, s[i++]);
			continue;
		}
		if (i + 2 < len) {
			h = hexval((unsigned char)s[i + 1]);
			l = hexval((unsigned char)s[i + 2]);
		}
		if (h >= 0 && l >= 0) {
			buf_addc(out, h * 16 + l);
			i += 3;
		} else if (strict)
			return -1;
		else
			buf_addc(out, s[i++]);
	}
	return 0;
}
