/*
 * test_htab.c - the open-addressing index: positions handed out in order,
 * found again after many growths, keys told apart by eq when their hashes
 * collide (a constant hash), case-folded hashing, htab_free and reuse
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "htab.h"
#include "tap.h"

#define N 20000

static char *keys[N];

struct ctx {
	const char *key;
	int	    ci;
};

/* same - is keys[pos] the key asked for */
static int
same(const void *arg, size_t pos)
{
	const struct ctx *c = arg;

	return (c->ci ? strcasecmp(keys[pos], c->key) : strcmp(keys[pos], c->key)) == 0;
}

/* intern - the position of s; a new key is stored at *n */
static size_t
intern(struct htab *t, const char *s, uint64_t h, size_t *n, int ci)
{
	struct ctx c = { s, ci };
	size_t pos = htab_intern(t, h, same, &c, *n);

	if (pos == *n)
		keys[(*n)++] = strdup(s);
	return pos;
}

int
main(void)
{
	struct htab t = HTAB_INIT;
	size_t i, n = 0, bad = 0;
	char k[32];

	for (i = 0; i < N; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		if (intern(&t, k, htab_hash(k, strlen(k)), &n, 0) != i)
			bad++;
	}
	is_int(bad, 0, "20000 new keys get positions 0..19999 in order");
	for (i = 0, bad = 0; i < N; i++) {
		snprintf(k, sizeof(k), "key-%zu", i);
		if (intern(&t, k, htab_hash(k, strlen(k)), &n, 0) != i)
			bad++;
	}
	is_int(bad, 0, "each found again after the table grew");
	is_int(n, N, "nothing added twice");
	ok(t.cap >= 2 * t.n && (t.cap & (t.cap - 1)) == 0, "at most half full, a power of two");
	htab_free(&t);
	ok(t.v == NULL && t.n == 0, "htab_free empties it");
	for (i = 0; i < n; i++)
		free(keys[i]);

	/* every key on one hash value: only eq tells them apart */
	n = 0;
	intern(&t, "a", 42, &n, 0);
	intern(&t, "b", 42, &n, 0);
	intern(&t, "c", 42, &n, 0);
	is_int(intern(&t, "b", 42, &n, 0), 1, "colliding hashes: eq finds the right key");
	is_int(intern(&t, "d", 42, &n, 0), 3, "colliding hashes: a new key is new");
	htab_free(&t);
	for (i = 0; i < n; i++)
		free(keys[i]);

	/* case-insensitive keys (header field names) */
	n = 0;
	ok(htab_hash_ci("DKIM-Signature") == htab_hash_ci("dkim-signature"),
	    "htab_hash_ci folds ASCII case");
	ok(htab_hash("ab", 2) != htab_hash("ba", 2) && htab_hash("", 0) != htab_hash("a", 1),
	    "htab_hash tells order and length apart");
	intern(&t, "From", htab_hash_ci("From"), &n, 1);
	intern(&t, "To", htab_hash_ci("To"), &n, 1);
	is_int(intern(&t, "FROM", htab_hash_ci("FROM"), &n, 1), 0, "FROM is From");
	is_int(n, 2, "and was not added");
	htab_free(&t);
	for (i = 0; i < n; i++)
		free(keys[i]);
	return tap_done();
}
