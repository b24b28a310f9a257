/*
 * test_dkim_keycache.c - lib/dkim_keycache.c: the public-key cache behind
 * libopendkim's d2i_PUBKEY_bio
 *
 * The cache answers d2i_PUBKEY_bio by the DER bytes: the same bytes (from
 * any buffer) give the same EVP_PKEY, other bytes another key; what it does
 * not cache (a caller's EVP_PKEY **, a BIO that is not a memory BIO, more
 * than DKIM_KEYCACHE_MAXDER bytes, the cache switched off) goes to
 * OpenSSL's own call; beyond DKIM_KEYCACHE_SLOTS keys the least recently
 * used one goes; and threads decoding at once, with evictions, each get
 * the key they asked for.  Keys are Ed25519, made here.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkim_keycache.h"
#include "tap.h"

#define NKEYS		(DKIM_KEYCACHE_SLOTS + 16)
#define NTHREADS	8
#define ROUNDS		400

struct der {
	unsigned char  *p;
	size_t		len;
	EVP_PKEY       *pub;	/* what the bytes must decode to */
};

static struct der keys[NKEYS];

/* make_keys - NKEYS Ed25519 public keys as SubjectPublicKeyInfo DER */
static int
make_keys(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		unsigned char *p = NULL;
		int n;

		if (k == NULL || (n = i2d_PUBKEY(k, &p)) <= 0)
			return -1;
		keys[i].p = p;
		keys[i].len = (size_t)n;
		keys[i].pub = k;
	}
	return 0;
}

/* decode - d2i_PUBKEY_bio over a memory BIO holding len bytes of p, the
 * way libopendkim calls it */
static EVP_PKEY *
decode(const unsigned char *p, size_t len)
{
	BIO *b = BIO_new_mem_buf(p, (int)len);
	EVP_PKEY *k = d2i_PUBKEY_bio(b, NULL);

	BIO_free(b);
	return k;
}

/* decode_copy - the same from a fresh copy, so only the content is shared */
static EVP_PKEY *
decode_copy(const unsigned char *p, size_t len)
{
	unsigned char *c = malloc(len);
	EVP_PKEY *k;

	memcpy(c, p, len);
	k = decode(c, len);
	memset(c, 0, len);
	free(c);
	return k;
}

/* test_hits - same bytes, same object; other bytes, another key */
static void
test_hits(void)
{
	EVP_PKEY *a1, *a2, *b1;

	a1 = decode(keys[0].p, keys[0].len);
	a2 = decode_copy(keys[0].p, keys[0].len);
	b1 = decode(keys[1].p, keys[1].len);
	ok(a1 != NULL && EVP_PKEY_eq(a1, keys[0].pub) == 1, "miss: the key decoded");
	ok(a1 == a2, "the same bytes from another buffer: the cached object");
	ok(b1 != NULL && b1 != a1 && EVP_PKEY_eq(b1, keys[1].pub) == 1,
	    "other bytes: another object, the right key");
	EVP_PKEY_free(a1);
	EVP_PKEY_free(a2);
	EVP_PKEY_free(b1);
}

/* test_bypass - what goes to OpenSSL's own call */
static void
test_bypass(void)
{
	EVP_PKEY *cached = decode(keys[0].p, keys[0].len), *k = NULL, *r;
	unsigned char pad[DKIM_KEYCACHE_MAXDER + 1];
	BIO *b;

	b = BIO_new_mem_buf(keys[0].p, (int)keys[0].len);
	r = d2i_PUBKEY_bio(b, &k);
	ok(r != NULL && r == k && r != cached && EVP_PKEY_eq(r, keys[0].pub) == 1,
	    "caller's EVP_PKEY **: OpenSSL's call, a new object");
	BIO_free(b);
	EVP_PKEY_free(r);

	/* a BIO that is not a memory BIO: a BIO pair */
	{
		BIO *w = NULL, *rd = NULL;

		r = NULL;
		if (BIO_new_bio_pair(&w, 8192, &rd, 8192) == 1 &&
		    BIO_write(w, keys[0].p, (int)keys[0].len) == (int)keys[0].len)
			r = d2i_PUBKEY_bio(rd, NULL);
		ok(r != NULL && r != cached && EVP_PKEY_eq(r, keys[0].pub) == 1,
		    "BIO pair (not a memory BIO): OpenSSL's call, a new object");
		EVP_PKEY_free(r);
		BIO_free(w);
		BIO_free(rd);
	}

	/* bounds: the DER object followed by padding, at and over the limit */
	memset(pad, 0, sizeof(pad));
	memcpy(pad, keys[2].p, keys[2].len);
	{
		EVP_PKEY *at1 = decode(pad, DKIM_KEYCACHE_MAXDER),
		    *at2 = decode(pad, DKIM_KEYCACHE_MAXDER),
		    *over1 = decode(pad, DKIM_KEYCACHE_MAXDER + 1),
		    *over2 = decode(pad, DKIM_KEYCACHE_MAXDER + 1);

		ok(at1 != NULL && at1 == at2, "%d bytes (the limit): cached",
		    DKIM_KEYCACHE_MAXDER);
		ok(over1 != NULL && over2 != NULL && over1 != over2 &&
		    EVP_PKEY_eq(over1, keys[2].pub) == 1, "%d bytes: decoded, not cached",
		    DKIM_KEYCACHE_MAXDER + 1);
		EVP_PKEY_free(at1);
		EVP_PKEY_free(at2);
		EVP_PKEY_free(over1);
		EVP_PKEY_free(over2);
	}
	ok(decode((const unsigned char *)"junk", 4) == NULL, "not a key: NULL, as OpenSSL");
	EVP_PKEY_free(cached);
}

/* test_lru - SLOTS keys fill the cache; one more evicts the least
 * recently used, not the one just used */
static void
test_lru(void)
{
	EVP_PKEY *first[DKIM_KEYCACHE_SLOTS + 1], *k0, *k1, *k2;
	size_t i;

	dkim_keycache_enable(0);
	dkim_keycache_enable(1);
	for (i = 0; i < DKIM_KEYCACHE_SLOTS; i++)
		first[i] = decode(keys[i].p, keys[i].len);
	k0 = decode(keys[0].p, keys[0].len);	/* key 0 now the most recent */
	first[DKIM_KEYCACHE_SLOTS] = decode(keys[DKIM_KEYCACHE_SLOTS].p,
	    keys[DKIM_KEYCACHE_SLOTS].len);
	k1 = decode(keys[1].p, keys[1].len);
	k2 = decode(keys[2].p, keys[2].len);
	ok(k0 == first[0], "a hit refreshes the key: it stays");
	ok(k1 != NULL && k1 != first[1] && EVP_PKEY_eq(k1, keys[1].pub) == 1,
	    "key %d+1 evicted the least recently used (key 1)", DKIM_KEYCACHE_SLOTS);
	ok(k2 != first[2], "key 1's return evicted key 2, the next oldest");
	for (i = 0; i <= DKIM_KEYCACHE_SLOTS; i++)
		EVP_PKEY_free(first[i]);
	EVP_PKEY_free(k0);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
}

/* test_off - switched off: every call decodes afresh */
static void
test_off(void)
{
	EVP_PKEY *a, *b;

	dkim_keycache_enable(0);
	a = decode(keys[0].p, keys[0].len);
	b = decode(keys[0].p, keys[0].len);
	ok(a != NULL && b != NULL && a != b, "off: each call a new object");
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
}

/* worker - decode keys in an order of its own; count wrong answers */
static void *
worker(void *arg)
{
	size_t seed = (size_t)arg, i, bad = 0;

	for (i = 0; i < ROUNDS; i++) {
		size_t j = (seed * 7919 + i * 31) % NKEYS;
		EVP_PKEY *k = decode_copy(keys[j].p, keys[j].len);

		if (k == NULL || EVP_PKEY_eq(k, keys[j].pub) != 1)
			bad++;
		EVP_PKEY_free(k);
	}
	return (void *)bad;
}

/* test_threads - NTHREADS decoding NKEYS keys (more than the slots, so
 * evictions race with hits), each answer the key asked for */
static void
test_threads(void)
{
	pthread_t t[NTHREADS];
	size_t i, bad = 0, started = 0;
	void *r;

	dkim_keycache_enable(1);
	for (i = 0; i < NTHREADS; i++)
		if (pthread_create(&t[i], NULL, worker, (void *)(i + 1)) == 0)
			started++;
	for (i = 0; i < started; i++) {
		pthread_join(t[i], &r);
		bad += (size_t)r;
	}
	is_int(started, NTHREADS, "threads started");
	is_int(bad, 0, "%d threads x %d decodes: every answer the right key", NTHREADS,
	    ROUNDS);
}

int
main(void)
{
	size_t i;

	if (!ok(make_keys() == 0, "%d Ed25519 keys made", NKEYS))
		return tap_done();
	dkim_keycache_enable(1);
	test_hits();
	test_bypass();
	test_lru();
	test_off();
	test_threads();
	dkim_keycache_enable(0);
	for (i = 0; i < NKEYS; i++) {
		OPENSSL_free(keys[i].p);
		EVP_PKEY_free(keys[i].pub);
	}
	return tap_done();
}
