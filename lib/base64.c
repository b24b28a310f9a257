/*
 * base64.c - base64 encoding and decoding (see base64.h)
 */
#include "config.h"

#include "base64.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* base64_encode - see base64.h */
void
base64_encode(struct buf *out, const void *p, size_t n, size_t linelen)
{
	const unsigned char *s = p;
	size_t i, col = 0;

	buf_reserve(out, (n + 2) / 3 * 4 + (linelen ? n / linelen + 1 : 0));
	for (i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (unsigned long)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = alphabet[(v >> 18) & 63];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? alphabet[v & 63] : '=';
		buf_add(out, q, 4);
		col += 4;
		if (linelen && col >= linelen) {
			buf_addc(out, '\n');
			col = 0;
		}
	}
	if (linelen && col > 0)
		buf_addc(out, '\n');
}

/* base64_digit - see base64.h */
int
base64_digit(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* base64_decode - see base64.h */
long
base64_decode(const char *s, size_t len, unsigned char *out)
{
	unsigned long acc = 0;
	size_t i, n = 0, pad = 0, chars = 0;
	int v;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (v = base64_digit(c)) < 0)
			return -1;
		acc = (acc << 6) | (unsigned long)v;
		if (++chars % 4 == 0) {
			out[n++] = (unsigned char)(acc >> 16);
			out[n++] = (unsigned char)(acc >> 8);
			out[n++] = (unsigned char)acc;
			acc = 0;
		}
	}
	switch (chars % 4) {
	case 1:
		return -1;
	case 2:
		out[n++] = (unsigned char)(acc >> 4);
		break;
	case 3:
		out[n++] = (unsigned char)(acc >> 10);
		out[n++] = (unsigned char)(acc >> 2);
		break;
	}
	if (pad > 2 || (pad > 0 && (chars + pad) % 4 != 0))
		return -1;
	return (long)n;
}
