/*
 * dkim_keycache.c - decode each DKIM public key once, not once per message
 *
 * libopendkim turns the p= value of every key record into an EVP_PKEY with
 * d2i_PUBKEY_bio() for every signature it checks.  Under OpenSSL 3.0 that
 * call builds a decoder chain from scratch (OSSL_DECODER_CTX_new_for_pkey):
 * about 1.07 million instructions per RSA-2048 key, three times the RSA
 * verification itself (callgrind, t/bench/PROFILE.md).  libopendkim offers
 * no hook for the key object, so this file defines d2i_PUBKEY_bio in the
 * executable: the dynamic linker binds libopendkim's call to it, and it
 * answers from a small content-addressed cache (the DER bytes are the key:
 * equal bytes decode to an equal key, so nothing can go stale; DNS TTLs
 * are honoured by the resolver, lib/dns.c).  A hit returns the cached key
 * with one more reference (the caller's EVP_PKEY_free drops it); a miss,
 * any BIO that is not a memory BIO, a caller passing its own EVP_PKEY **,
 * or the cache switched off goes to OpenSSL's own d2i_PUBKEY_bio.
 * OpenSSL keys are safe to share between threads for verification; the
 * legacy RSA copy libopendkim asks for (EVP_PKEY_get1_RSA) is built once,
 * under the key's own lock.  Unlike the real call, a hit does not consume
 * the BIO (libopendkim frees it unread).
 */
#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "buf.h"
#include "dkim_keycache.h"

#define KC_SLOTS	DKIM_KEYCACHE_SLOTS
#define KC_MAXDER	DKIM_KEYCACHE_MAXDER

typedef EVP_PKEY *(*kc_d2i_fn)(BIO *, EVP_PKEY **);

struct kc_entry {
	unsigned char  *der;
	size_t		len;
	EVP_PKEY       *pkey;
	unsigned long	used;	/* LRU clock */
};

static struct kc_entry kc_tab[KC_SLOTS];
static pthread_mutex_t kc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t kc_once = PTHREAD_ONCE_INIT;
static unsigned long kc_clock;
static int kc_enabled;
static kc_d2i_fn kc_real;

/* kc_resolve - find OpenSSL's own d2i_PUBKEY_bio behind ours */
static void
kc_resolve(void)
{
	void *sym = dlsym(RTLD_NEXT, "d2i_PUBKEY_bio");

	memcpy(&kc_real, &sym, sizeof(kc_real));
}

/* kc_find - the entry holding der, NULL when none; kc_lock held */
static struct kc_entry *
kc_find(const unsigned char *der, size_t len)
{
	size_t i;

	for (i = 0; i < KC_SLOTS; i++)
		if (kc_tab[i].pkey != NULL && kc_tab[i].len == len &&
		    memcmp(kc_tab[i].der, der, len) == 0)
			return &kc_tab[i];
	return NULL;
}

/* kc_store - keep a reference to pkey under der, evicting the LRU entry */
static void
kc_store(const unsigned char *der, size_t len, EVP_PKEY *pkey)
{
	struct kc_entry *e, *victim = &kc_tab[0];
	size_t i;

	pthread_mutex_lock(&kc_lock);
	if ((e = kc_find(der, len)) == NULL) {
		for (i = 0; i < KC_SLOTS; i++) {
			if (kc_tab[i].pkey == NULL) {
				victim = &kc_tab[i];
				break;
			}
			if (kc_tab[i].used < victim->used)
				victim = &kc_tab[i];
		}
		if (EVP_PKEY_up_ref(pkey)) {
			EVP_PKEY_free(victim->pkey);
			free(victim->der);
			victim->der = xmalloc(len);
			memcpy(victim->der, der, len);
			victim->len = len;
			victim->pkey = pkey;
			victim->used = ++kc_clock;
		}
	}
	pthread_mutex_unlock(&kc_lock);
}

/* d2i_PUBKEY_bio - OpenSSL's call, answered from the cache when it can */
EVP_PKEY *
d2i_PUBKEY_bio(BIO *bp, EVP_PKEY **a)
{
	struct kc_entry *e;
	EVP_PKEY *pkey = NULL;
	unsigned char *copy;
	char *data = NULL;
	long len;

	pthread_once(&kc_once, kc_resolve);
	if (kc_real == NULL)
		return NULL;
	if (!__atomic_load_n(&kc_enabled, __ATOMIC_RELAXED) || a != NULL || bp == NULL ||
	    BIO_method_type(bp) != BIO_TYPE_MEM ||
	    (len = BIO_get_mem_data(bp, &data)) <= 0 || len > KC_MAXDER || data == NULL)
		return kc_real(bp, a);
	pthread_mutex_lock(&kc_lock);
	if ((e = kc_find((unsigned char *)data, (size_t)len)) != NULL && EVP_PKEY_up_ref(e->pkey)) {
		pkey = e->pkey;
		e->used = ++kc_clock;
	}
	pthread_mutex_unlock(&kc_lock);
	if (pkey != NULL)
		return pkey;
	/* the real call consumes the BIO: keep the bytes first */
	copy = xmalloc((size_t)len);
	memcpy(copy, data, (size_t)len);
	if ((pkey = kc_real(bp, NULL)) != NULL)
		kc_store(copy, (size_t)len, pkey);
	free(copy);
	return pkey;
}

/* dkim_keycache_enable - see dkim_keycache.h */
void
dkim_keycache_enable(int on)
{
	size_t i;

	pthread_mutex_lock(&kc_lock);
	__atomic_store_n(&kc_enabled, on ? 1 : 0, __ATOMIC_RELAXED);
	if (!on) {
		for (i = 0; i < KC_SLOTS; i++) {
			EVP_PKEY_free(kc_tab[i].pkey);
			free(kc_tab[i].der);
			memset(&kc_tab[i], 0, sizeof(kc_tab[i]));
		}
	}
	pthread_mutex_unlock(&kc_lock);
}
