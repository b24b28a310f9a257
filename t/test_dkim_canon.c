/*
 * test_dkim_canon.c - lib/dkim_canon.c: DKIM canonicalization and header selection
 * (RFC 6376 §3.4, §5.4.2): the §3.4.5 examples, edge cases of the body
 * rules fed at every chunk boundary, known body hashes, and h= selection.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "dkim_canon.h"
#include "tap.h"

struct hcase {
	const char     *label;
	enum dkimc_alg	alg;
	const char     *name, *value, *want;
};

static const struct hcase hcases[] = {
	/* RFC 6376 §3.4.5 */
	{ "3.4.5 relaxed A", DKIMC_RELAXED, "A", " X", "a:X\r\n" },
	{ "3.4.5 relaxed B", DKIMC_RELAXED, "B ", " Y\t\r\n\tZ  ", "b:Y Z\r\n" },
	{ "3.4.5 simple A", DKIMC_SIMPLE, "A", " X", "A: X\r\n" },
	{ "3.4.5 simple B", DKIMC_SIMPLE, "B ", " Y\t\r\n\tZ  ", "B : Y\t\r\n\tZ  \r\n" },
	/* edge cases */
	{ "relaxed empty value", DKIMC_RELAXED, "Subject", "", "subject:\r\n" },
	{ "relaxed WSP-only value", DKIMC_RELAXED, "Subject", " \t ", "subject:\r\n" },
	{ "relaxed fold only", DKIMC_RELAXED, "X-A", "\r\n\tv", "x-a:v\r\n" },
	{ "relaxed inner WSP runs", DKIMC_RELAXED, "To", "  a \t\t b\r\n  c ", "to:a b c\r\n" },
	{ "relaxed no leading space", DKIMC_RELAXED, "FROM", "x@y", "from:x@y\r\n" },
	{ "simple keeps case and WSP", DKIMC_SIMPLE, "FROM", "\tx@y ", "FROM:\tx@y \r\n" },
	{ "simple empty value", DKIMC_SIMPLE, "Subject", "", "Subject:\r\n" },
};

struct bcase {
	const char     *label;
	enum dkimc_alg	alg;
	const char     *in, *want;
};

static const struct bcase bcases[] = {
	/* RFC 6376 §3.4.5 */
	{ "3.4.5 relaxed", DKIMC_RELAXED, " C \r\nD \t E\r\n\r\n\r\n", " C\r\nD E\r\n" },
	{ "3.4.5 simple", DKIMC_SIMPLE, " C \r\nD \t E\r\n\r\n\r\n", " C \r\nD \t E\r\n" },
	/* §3.4.3: empty body is CRLF; §3.4.4: relaxed empty body is empty */
	{ "simple empty", DKIMC_SIMPLE, "", "\r\n" },
	{ "relaxed empty", DKIMC_RELAXED, "", "" },
	{ "simple only CRLF", DKIMC_SIMPLE, "\r\n", "\r\n" },
	{ "simple only CRLFs", DKIMC_SIMPLE, "\r\n\r\n\r\n\r\n", "\r\n" },
	{ "relaxed only CRLFs", DKIMC_RELAXED, "\r\n\r\n\r\n", "" },
	{ "relaxed only WSP lines", DKIMC_RELAXED, " \r\n\t\r\n  \t \r\n", "" },
	{ "simple WSP lines kept", DKIMC_SIMPLE, " \r\n\r\n", " \r\n" },
	{ "simple no final CRLF", DKIMC_SIMPLE, "abc", "abc\r\n" },
	{ "relaxed no final CRLF", DKIMC_RELAXED, "a  b", "a b\r\n" },
	{ "relaxed unterminated WSP", DKIMC_RELAXED, "a\r\n  ", "a\r\n \r\n" },
	{ "relaxed trailing WSP", DKIMC_RELAXED, "a \t \r\nb\t\r\n", "a\r\nb\r\n" },
	{ "relaxed leading WSP run", DKIMC_RELAXED, "\t\t x\r\n", " x\r\n" },
	{ "inner empty lines kept", DKIMC_RELAXED, "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n" },
	{ "simple inner empty lines", DKIMC_SIMPLE, "a\r\n\r\n \r\nb\r\n\r\n", "a\r\n\r\n \r\nb\r\n" },
	{ "bare LF is data", DKIMC_SIMPLE, "a\nb\r\n\n", "a\nb\r\n\n\r\n" },
	{ "bare CR is data", DKIMC_SIMPLE, "a\rb\r\n", "a\rb\r\n" },
	{ "CR at the end", DKIMC_SIMPLE, "a\r", "a\r\r\n" },
	{ "CR CR LF", DKIMC_RELAXED, "a\r\r\n", "a\r\r\n" },
	{ "relaxed WSP before bare CR", DKIMC_RELAXED, "a \r b\r\n", "a \r b\r\n" },
	{ "relaxed CRLF CRLF then text", DKIMC_RELAXED, "\r\n\r\nx \r\n", "\r\n\r\nx\r\n" },
};

/* run - canonicalize in with chunks of step bytes (0: one chunk split at
 * cut); returns the canonical copy, checks the hash against SHA-256(copy) */
static char *
run(enum dkimc_alg alg, const char *in, size_t step, size_t cut, int *hash_ok)
{
	struct buf copy = BUF_INIT;
	struct dkimc_body *b;
	unsigned char h[DKIMC_HASHLEN], w[EVP_MAX_MD_SIZE];
	unsigned int wl = 0;
	size_t n = strlen(in), i;

	buf_init(&copy);
	buf_add(&copy, "", 0);
	b = dkimc_body_new(alg, &copy);
	if (step == 0) {
		dkimc_body_feed(b, (const unsigned char *)in, cut);
		dkimc_body_feed(b, (const unsigned char *)in + cut, n - cut);
	} else
		for (i = 0; i < n; i += step)
			dkimc_body_feed(b, (const unsigned char *)in + i, n - i < step ? n - i : step);
	*hash_ok = dkimc_body_final(b, h) == 0 &&
	    dkimc_body_len(b) == copy.len &&
	    EVP_Digest(copy.data ? copy.data : "", copy.len, w, &wl, EVP_sha256(), NULL) == 1 &&
	    wl == DKIMC_HASHLEN && memcmp(h, w, wl) == 0;
	dkimc_body_free(b);
	buf_addc(&copy, '\0');
	return buf_steal(&copy);
}

/* b64 - base64 of a 32-byte hash, for the known-value checks */
static void
b64(const unsigned char *h, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, h, DKIMC_HASHLEN);
}

static void
test_body_hash(enum dkimc_alg alg, const char *in, const char *want, const char *label)
{
	struct dkimc_body *b = dkimc_body_new(alg, NULL);
	unsigned char h[DKIMC_HASHLEN];
	char s[64];

	dkimc_body_feed(b, (const unsigned char *)in, strlen(in));
	ok(dkimc_body_final(b, h) == 0, "%s: final", label);
	b64(h, s);
	is_str(s, want, "%s: bh=", label);
	ok(dkimc_body_final(b, h) == -1, "%s: second final refused", label);
	dkimc_body_free(b);
}

static void
test_select(void)
{
	static const char *const names[] = { "Received", "From", "To", "Received",
	    "Subject", "X-Other", "from" };
	struct strlist sign = { 0, NULL }, over = { 0, NULL }, none = { 0, NULL };
	struct buf h = BUF_INIT;
	size_t order[7], n;

	buf_init(&h);
	strlist_add(&sign, "received");
	strlist_add(&sign, "from");
	strlist_add(&sign, "to");
	strlist_add(&sign, "subject");
	strlist_add(&sign, "date");
	strlist_add(&over, "from");
	strlist_add(&over, "date");
	n = dkimc_select(names, 7, &sign, &over, order, &h);
	is_int(n, 6, "select: six instances signed");
	is_str(h.data, "Received:From:To:Received:Subject:from:from:date",
	    "select: h= in message order, oversigned names appended");
	/* §5.4.2: first "Received" in h= is the bottom instance */
	ok(n == 6 && order[0] == 3 && order[1] == 6 && order[2] == 2 && order[3] == 0 &&
	    order[4] == 4 && order[5] == 1, "select: hash order bottom-up per name "
	    "(%zu %zu %zu %zu %zu %zu)", order[0], order[1], order[2], order[3], order[4],
	    order[5]);
	buf_reset(&h);
	n = dkimc_select(names, 7, &none, NULL, order, &h);
	is_int(n, 0, "select: empty sign list");
	ok(h.len == 0, "select: empty h=");
	buf_reset(&h);
	buf_adds(&h, "h=");
	n = dkimc_select(names, 2, &sign, NULL, order, &h);
	is_str(h.data, "h=Received:From", "select: appends to what hlist holds");
	buf_free(&h);
	strlist_free(&sign);
	strlist_free(&over);
}

/* strcasecmp - counted: dkimc_select's name comparisons are the work that
 * grew quadratically with the number of fields (this definition takes the
 * place of libc's for the library code linked into this test) */
static unsigned long ncmp;

int
strcasecmp(const char *a, const char *b)
{
	ncmp++;
	for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++)
		;
	return tolower((unsigned char)*a) - tolower((unsigned char)*b);
}

/* ref_eq - case-insensitive equality, not counted */
static int
ref_eq(const char *a, const char *b)
{
	for (; *a && tolower((unsigned char)*a) == tolower((unsigned char)*b); a++, b++)
		;
	return *a == '\0' && *b == '\0';
}

/* test_select_many - thousands of duplicated fields: the order is RFC 6376
 * §5.4.2's (checked against a direct transcription of the rule) and the
 * number of name comparisons grows linearly with the number of fields */
static void
test_select_many(void)
{
	static const char *const pool[] = { "To", "to", "Cc", "Received", "X-A", "TO", "x-b" };
	enum { N = 6000 };
	const char **names = xcalloc(N, sizeof(*names));
	size_t *order = xcalloc(N, sizeof(*order)), *want = xcalloc(N, sizeof(*want));
	struct strlist sign = { 0, NULL };
	struct buf h = BUF_INIT;
	size_t i, j, k, n, nw = 0, bad = 0;

	for (i = 0; i < N; i++)
		names[i] = pool[(i * 7 + i / 5) % 7];
	strlist_add(&sign, "to");
	strlist_add(&sign, "cc");
	strlist_add(&sign, "received");
	/* the rule as written: occurrence k from the top pairs with instance
	 * k from the bottom (quadratic, fine for a reference) */
	for (i = 0; i < N; i++) {
		if (!ref_eq(names[i], "to") && !ref_eq(names[i], "cc") && !ref_eq(names[i], "received"))
			continue;
		for (k = 0, j = 0; j < i; j++)
			k += ref_eq(names[j], names[i]);
		for (j = N; j-- > 0;)
			if (ref_eq(names[j], names[i]) && k-- == 0)
				break;
		want[nw++] = j;
	}
	buf_init(&h);
	ncmp = 0;
	n = dkimc_select(names, N, &sign, NULL, order, &h);
	is_int(n, nw, "select many: every To/Cc/Received instance signed (%zu)", nw);
	for (i = 0; i < n && i < nw; i++)
		bad += order[i] != want[i];
	is_int(bad, 0, "select many: hash order bottom-up per name, %d fields", N);
	ok(ncmp <= 5 * (unsigned long)N, "select many: %lu name comparisons for %d fields "
	    "(linear: at most 5 per field)", ncmp, N);
	buf_free(&h);
	strlist_free(&sign);
	free(names);
	free(order);
	free(want);
}

int
main(void)
{
	size_t i, cut, step;

	for (i = 0; i < sizeof(hcases) / sizeof(hcases[0]); i++) {
		const struct hcase *c = &hcases[i];
		struct buf b = BUF_INIT;

		buf_init(&b);
		dkimc_header(c->alg, c->name, c->value, 1, &b);
		buf_addc(&b, '\0');
		is_str(b.data, c->want, "header: %s", c->label);
		buf_reset(&b);
		dkimc_header(c->alg, c->name, c->value, 0, &b);
		ok(b.len + 2 == strlen(c->want) && memcmp(b.data, c->want, b.len) == 0,
		    "header: %s without CRLF", c->label);
		buf_free(&b);
	}
	for (i = 0; i < sizeof(bcases) / sizeof(bcases[0]); i++) {
		const struct bcase *c = &bcases[i];
		size_t n = strlen(c->in);
		int good = 1, hok;
		char *got;

		got = run(c->alg, c->in, n ? n : 1, 0, &hok);
		is_str(got, c->want, "body: %s", c->label);
		ok(hok, "body: %s: hash and length match the canonical bytes", c->label);
		free(got);
		/* every split point (inside CRLF, inside WSP runs) and 1..3 byte chunks */
		for (cut = 0; cut <= n; cut++) {
			got = run(c->alg, c->in, 0, cut, &hok);
			if (strcmp(got, c->want) != 0 || !hok) {
				diag("split at %zu gives \"%s\"", cut, got);
				good = 0;
			}
			free(got);
		}
		for (step = 1; step <= 3; step++) {
			got = run(c->alg, c->in, step, 0, &hok);
			if (strcmp(got, c->want) != 0 || !hok) {
				diag("chunks of %zu give \"%s\"", step, got);
				good = 0;
			}
			free(got);
		}
		ok(good, "body: %s: same at every chunk boundary", c->label);
	}
	/* known values: SHA-256("") and SHA-256("\r\n") (RFC 6376 §3.4.3/§3.4.4) */
	test_body_hash(DKIMC_RELAXED, "", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	    "relaxed empty body");
	test_body_hash(DKIMC_SIMPLE, "", "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
	    "simple empty body");
	test_body_hash(DKIMC_SIMPLE, "\r\n\r\n", "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=",
	    "simple CRLFs only");
	/* larger than the output buffer, with a held-back run across it */
	{
		struct buf big = BUF_INIT;
		int hok;
		char *got;

		buf_init(&big);
		for (i = 0; i < 3000; i++)
			buf_adds(&big, "line  \t of text\r\n\r\n");
		buf_addc(&big, '\0');
		got = run(DKIMC_RELAXED, big.data, 997, 0, &hok);
		ok(hok && strlen(got) == 3000 * strlen("line of text\r\n\r\n") - 2,
		    "body: 51 KB relaxed in odd chunks: %zu canonical bytes", strlen(got));
		free(got);
		buf_free(&big);
	}
	test_select();
	test_select_many();
	dkimc_body_free(NULL);
	return tap_done();
}
