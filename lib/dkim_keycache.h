/*
 * dkim_keycache.h - decode each DKIM public key once (dkim_keycache.c)
 *
 * dkim_keycache.c defines OpenSSL's d2i_PUBKEY_bio in the executable, so
 * libopendkim's call is answered from a content-addressed cache of up to
 * DKIM_KEYCACHE_SLOTS keys (least recently used evicted) of at most
 * DKIM_KEYCACHE_MAXDER bytes of DER each.  Safe to use from any thread.
 *
 * Ownership: a hit returns the cached EVP_PKEY with one more reference,
 * which the caller drops with EVP_PKEY_free as it would the real call's.
 */
#ifndef AUTHMILTER_DKIM_KEYCACHE_H
#define AUTHMILTER_DKIM_KEYCACHE_H

#define DKIM_KEYCACHE_SLOTS	64	/* distinct keys kept (LRU beyond that) */
#define DKIM_KEYCACHE_MAXDER	4096	/* larger inputs are not cached */

/* dkim_keycache_enable - 1 turns the cache on; 0 turns it off and empties
 * it (every later call goes to OpenSSL's own d2i_PUBKEY_bio) */
void		dkim_keycache_enable(int on);

#endif
