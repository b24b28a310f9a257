/*
 * pct.c - RFC 3986 §2.1 percent-decoding
 *
 * One decoder for the two readers that need it: rua.c (a mailto: URI,
 * RFC 6068 §2, where a malformed escape makes the URI invalid) and
 * report_state.c (its own %XX-escaped fields, read back leniently so a
 * hand-edited line still loads).
 */
#include "config.h"

#include "hex.h"
#include "pct.h"

/* pct_decode - see pct.h */
int
pct_decode(const char *s, size_t len, int strict, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		int v;

		if (s[i] != '%') {
			buf_addc(out, s[i++]);
			continue;
		}
		v = hex_byte(s + i + 1, len - i - 1);
		if (v >= 0) {
			buf_addc(out, v);
			i += 3;
		} else if (strict)
			return -1;
		else
			buf_addc(out, s[i++]);
	}
	return 0;
}
