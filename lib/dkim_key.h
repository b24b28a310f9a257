/*
 * dkim_key.h - DKIM private keys (RSA, Ed25519) and DKIM key records
 *
 * A struct dkim_key is an immutable private key: load it once (at config
 * time), share it read-only between threads, free it with dkim_key_free().
 * Every pointer a dkim_key_* accessor returns is owned by the key and lives
 * as long as it does; nothing is copied.
 *
 * Accepted private key forms:
 *   - RSA: PEM PKCS#1 ("BEGIN RSA PRIVATE KEY"), PEM PKCS#8 ("BEGIN PRIVATE
 *     KEY"), or base64 of the DER (either form) on one or more lines;
 *   - Ed25519: PEM PKCS#8 ("BEGIN PRIVATE KEY", what openssl genpkey and
 *     authmilter-keygen write), or the base64 of the raw 32-byte seed that
 *     dkimpy and OpenDKIM's documentation use.
 *
 * The key record parser (dkim_key_rec_parse) is pure: RFC 6376 §3.6.1.
 */
#ifndef AUTHMILTER_DKIM_KEY_H
#define AUTHMILTER_DKIM_KEY_H

#include <stddef.h>

#include <openssl/evp.h>

#include "buf.h"

struct dkim_key;

/*
 * dkim_key_load - read a private key file.  require_safe refuses a file
 * readable or writable by group/others, or lying in a directory writable by
 * others without the sticky bit (OpenDKIM's RequireSafeKeys).  NULL with err
 * set to a message that names the file.
 */
struct dkim_key *dkim_key_load(const char *path, int require_safe, struct buf *err);
/* dkim_key_parse - a private key from memory; name is used in errors */
struct dkim_key *dkim_key_parse(const char *data, size_t len, const char *name,
		    struct buf *err);
/* dkim_key_generate - a new key: alg "rsa" (bits >= 1024) or "ed25519" */
struct dkim_key *dkim_key_generate(const char *alg, unsigned bits, struct buf *err);
void		dkim_key_free(struct dkim_key *k);

/* dkim_key_alg - "rsa" or "ed25519" (the k= value, RFC 6376 §3.6.1, RFC 8463) */
const char     *dkim_key_alg(const struct dkim_key *k);
/* dkim_key_sigalg - "rsa-sha256" or "ed25519-sha256" (the a= value) */
const char     *dkim_key_sigalg(const struct dkim_key *k);
/* dkim_key_bits - modulus size for RSA, 256 for Ed25519 */
unsigned	dkim_key_bits(const struct dkim_key *k);
/* dkim_key_pkey - the OpenSSL key (owned by k; do not free or modify) */
EVP_PKEY       *dkim_key_pkey(const struct dkim_key *k);
/* dkim_key_private_pem - the key file form (appended to out): RSA PKCS#1
 * PEM ("BEGIN RSA PRIVATE KEY"), Ed25519 PKCS#8 PEM ("BEGIN PRIVATE KEY");
 * 0, or -1 (nothing appended) when OpenSSL cannot encode it */
int		dkim_key_private_pem(const struct dkim_key *k, struct buf *out);
/*
 * dkim_key_public_b64 - the p= value (appended to out): RSA base64 of the
 * SubjectPublicKeyInfo DER (what OpenDKIM publishes); Ed25519 base64 of the
 * raw 32-byte public key (RFC 8463 §4.2).
 */
void		dkim_key_public_b64(const struct dkim_key *k, struct buf *out);
/* dkim_key_record - the TXT record text "v=DKIM1; k=rsa; p=..." (appended) */
void		dkim_key_record(const struct dkim_key *k, struct buf *out);

/* --- DKIM key records (RFC 6376 §3.6.1) ----------------------------------- */

enum dkim_key_rec_status {
	DKIM_KEY_REC_OK,
	DKIM_KEY_REC_SYNTAX,	/* not a tag-list, duplicate tag, bad v= */
	DKIM_KEY_REC_NO_P,	/* required p= tag missing */
	DKIM_KEY_REC_REVOKED	/* p= present and empty (§3.6.1: revoked) */
};

/* a parsed record; every string is owned by the struct and NUL-terminated;
 * a tag that is absent is NULL (defaults are applied by the reader) */
struct dkim_key_rec {
	char	       *v;	/* "DKIM1" or NULL */
	char	       *k;	/* key type; NULL means "rsa" (the default) */
	char	       *h;	/* acceptable hash algorithms, colon list */
	char	       *p;	/* public key data, FWS removed; "" when revoked */
	char	       *t;	/* flags, colon list ("y", "s") */
	char	       *s;	/* service types, colon list */
	char	       *n;	/* notes */
	int		testing;	/* t contains "y" */
	int		strict;		/* t contains "s" */
};

/*
 * dkim_key_rec_parse - parse a key record (its TXT strings joined).  On any
 * status rec is filled as far as parsed, and why says what was wrong; the
 * caller always calls dkim_key_rec_free(rec).
 */
enum dkim_key_rec_status dkim_key_rec_parse(const char *s, size_t len,
		    struct dkim_key_rec *rec, char *why, size_t whylen);
void		dkim_key_rec_free(struct dkim_key_rec *rec);

/*
 * dkim_key_rec_match - compare a record's public key with a private key.
 * Returns 1 when they are a pair, 0 when they differ (why says how: other
 * algorithm, other key), -1 when p= cannot be decoded.  *rec_bits (may be
 * NULL) gets the size of the published key, 0 when unknown.
 */
int		dkim_key_rec_match(const struct dkim_key_rec *rec, const struct dkim_key *k,
		    unsigned *rec_bits, char *why, size_t whylen);

#endif
