/*
 * fuzz_tables.c - libFuzzer target: OpenDKIM KeyTable and SigningTable
 * parsing (plain and refile:), lookups and the "*" wildcard matcher
 *
 * The first byte picks the table kind; the rest is the table text.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tables.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* lookups - exercise a parsed SigningTable */
static void
lookups(const struct signtable *st)
{
	size_t out[8], n, i;

	n = tables_signtable_lookup(st, "user", "mail.example.com", 1, 1, out, 8);
	for (i = 0; i < n; i++)
		if (out[i] >= st->n)
			abort();
	(void)tables_signtable_lookup(st, "", "example.com", 0, 0, out, 8);
	(void)tables_signtable_lookup(st, "a*b", "x", 1, 0, out, 1);
}

/* LLVMFuzzerTestOneInput - one table of the kind the first byte says */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct keytable kt;
	struct signtable st;
	const char *text, *sep;
	char *pat, *s;
	size_t len, out[4];
	int kind;

	if (size < 1)
		return 0;
	kind = data[0] % 5;
	text = (const char *)data + 1;
	len = size - 1;
	buf_init(&err);
	memset(&kt, 0, sizeof(kt));
	memset(&st, 0, sizeof(st));
	switch (kind) {
	case 0:
	case 1:
		if (tables_keytable_parse("fuzz", text, len, kind, &kt, &err) == 0)
			(void)tables_keytable_find(&kt, "example.com", out, 4);
		tables_keytable_free(&kt);
		break;
	case 2:
	case 3:
		if (tables_signtable_parse("fuzz", text, len, kind - 2, &st, &err) == 0)
			lookups(&st);
		tables_signtable_free(&st);
		break;
	default:	/* glob: pattern NUL string */
		sep = memchr(text, '\n', len);
		if (sep == NULL || len > 4096)
			break;
		pat = xstrndup(text, (size_t)(sep - text));
		s = xstrndup(sep + 1, len - (size_t)(sep - text) - 1);
		(void)tables_glob(pat, s);
		free(pat);
		free(s);
		break;
	}
	buf_free(&err);
	return 0;
}
