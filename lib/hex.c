/*
 * hex.c - hexadecimal digit decoding (see hex.h)
 */
#include "config.h"

#include "hex.h"

/* hex_digit - see hex.h */
int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* hex_byte - see hex.h */
int
hex_byte(const char *p, size_t n)
{
	int h, l;

	if (n < 2 || (h = hex_digit((unsigned char)p[0])) < 0 ||
	    (l = hex_digit((unsigned char)p[1])) < 0)
		return -1;
	return h * 16 + l;
}
