/*
 * json.c - JSON string literals (RFC 8259 §7)
 */
#include "config.h"

#include "json.h"

/* json_str - see json.h: '"' and '\' escaped, controls as \n \r \t or \uXXXX */
void
json_str(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_addc(b, c);
		}
	}
	buf_addc(b, '"');
}
