/*
 * test_base64.c - the base64 codec: RFC 4648 §10 test vectors, MIME
 * lines (RFC 2045 §6.8), white space and padding rules on reading, and
 * round trips checked against OpenSSL's own codec (EVP_EncodeBlock)
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"
#include "tap.h"

/* RFC 4648 §10 */
static const struct {
	const char *in, *want;
} vec[] = {
	{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

/* decoding: label, input, want (NULL: refused) */
static const struct {
	const char *label, *in, *want;
} dec[] = {
	{ "folded like p= (FWS)", "Zm9v\r\n YmFy", "foobar" },
	{ "tabs and spaces anywhere", " Z m\t9 v ", "foo" },
	{ "unpadded tail of 2", "Zm8", "fo" },
	{ "unpadded tail of 3", "Zm9vYg", "foob" },
	{ "a lone sixth-bit group", "Zm9vY", NULL },
	{ "a character outside the alphabet", "Zm9v*", NULL },
	{ "data after padding", "Zg==Zg==", NULL },
	{ "three pad characters", "Zg===", NULL },
	{ "padding that does not complete a group", "Zm9v=", NULL },
	{ "URL-safe alphabet is not ours", "-_==", NULL },
};

/* check_vectors - RFC 4648 §10, both ways */
static void
check_vectors(void)
{
	unsigned char out[64];
	struct buf b = BUF_INIT;
	size_t i;
	long n;

	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		buf_reset(&b);
		base64_encode(&b, vec[i].in, strlen(vec[i].in), 0);
		is_str(b.data, vec[i].want, "encode \"%s\"", vec[i].in);
		n = base64_decode(vec[i].want, strlen(vec[i].want), out);
		ok(n == (long)strlen(vec[i].in) && memcmp(out, vec[i].in, (size_t)n) == 0,
		    "decode \"%s\"", vec[i].want);
	}
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++) {
		n = base64_decode(dec[i].in, strlen(dec[i].in), out);
		if (dec[i].want == NULL)
			is_int(n, -1, "refused: %s", dec[i].label);
		else
			ok(n == (long)strlen(dec[i].want) && memcmp(out, dec[i].want, (size_t)n) == 0,
			    "%s", dec[i].label);
	}
	buf_free(&b);
}

/* check_lines - 76-character MIME lines, each ending in LF */
static void
check_lines(void)
{
	unsigned char data[100];
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)i;
	base64_encode(&b, data, sizeof(data), 76);	/* 136 characters */
	is_int(b.len, 136 + 2, "two lines, each with its LF");
	ok(b.data[76] == '\n' && b.data[b.len - 1] == '\n' && strchr(b.data, '\n') == b.data + 76,
	    "the first line is 76 characters");
	buf_reset(&b);
	base64_encode(&b, data, 57, 76);		/* exactly one line */
	ok(b.len == 77 && b.data[76] == '\n', "57 bytes: one full line, one LF");
	buf_reset(&b);
	base64_encode(&b, data, 0, 76);
	is_int(b.len, 0, "nothing: no line at all");
	buf_free(&b);
}

/* check_openssl - random data: our encoding equals OpenSSL's, and decodes back */
static void
check_openssl(void)
{
	unsigned char data[300], ref[420], back[320];
	struct buf b = BUF_INIT;
	size_t len, bad = 0;
	long n;

	srand(12345);
	for (len = 0; len < sizeof(data); len++) {
		size_t i;

		for (i = 0; i < len; i++)
			data[i] = (unsigned char)rand();
		buf_reset(&b);
		base64_encode(&b, data, len, 0);
		EVP_EncodeBlock(ref, data, (int)len);
		n = base64_decode(b.data, b.len, back);
		if (strcmp(b.data, (char *)ref) != 0 || n != (long)len || memcmp(back, data, len) != 0)
			bad++;
	}
	is_int(bad, 0, "lengths 0..299: OpenSSL's encoding, and back again");
	buf_free(&b);
}

int
main(void)
{
	check_vectors();
	check_lines();
	check_openssl();
	return tap_done();
}
