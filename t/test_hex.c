/*
 * test_hex.c - hex digits and pairs, and the three readers that use them:
 * rua URIs (%HH), the reporter's state fields (%HH) and history values
 * (\xHH)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "tap.h"

static const struct {
	const char *label, *in;
	size_t n;
	int want;
} pairs[] = {
	{ "lower case", "ff", 2, 255 },
	{ "upper case", "FF", 2, 255 },
	{ "mixed", "aB", 2, 0xab },
	{ "zero", "00", 2, 0 },
	{ "digits", "41", 2, 0x41 },
	{ "one byte readable only", "4", 1, -1 },
	{ "nothing readable", "", 0, -1 },
	{ "a non-digit first", "g1", 2, -1 },
	{ "a non-digit second", "1g", 2, -1 },
	{ "a NUL second (not the end of a table)", "1\0", 2, -1 },
	{ "space", " 1", 2, -1 },
	{ "the readable length counts, not the NUL", "41", 1, -1 },
};

int
main(void)
{
	size_t i;
	int c, bad = 0;

	for (c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (hex_digit(c) != want)
			bad++;
	}
	is_int(bad, 0, "hex_digit over every byte value");
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		is_int(hex_byte(pairs[i].in, pairs[i].n), pairs[i].want, "%s", pairs[i].label);
	return tap_done();
}
