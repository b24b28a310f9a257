/*
 * dkim_key.c - DKIM private keys (RSA, Ed25519) and DKIM key records
 *
 * A private key is read once, turned into an EVP_PKEY, and kept together
 * with the two derived forms callers need: the PKCS#8 PEM text that
 * libopendkim's dkim_sign() accepts, and the public key for the p= tag.
 * The key record parser is a pure function of its input (RFC 6376 §3.6.1).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "base64.h"
#include "dkim_key.h"
#include "fileio.h"
#include "taglist.h"

#define KEY_FILE_MAX	65536	/* a 16384-bit RSA PEM is about 13 KiB */
#define ED25519_LEN	32

enum key_alg { ALG_RSA, ALG_ED25519 };

struct dkim_key {
	enum key_alg	alg;
	unsigned	bits;
	EVP_PKEY       *pkey;
};

/* ssl_error - append OpenSSL's last error, if any, to err */
static void
ssl_error(struct buf *err)
{
	unsigned long e = ERR_get_error();
	char tmp[256];

	if (e != 0) {
		ERR_error_string_n(e, tmp, sizeof(tmp));
		buf_printf(err, " (%s)", tmp);
	}
	ERR_clear_error();
}

/* no_password - refuse to prompt for the passphrase of an encrypted key */
static int
no_password(char *b, int size, int rwflag, void *u)
{
	(void)b;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* key_from_pkey - wrap pkey (taken over) into a dkim_key; NULL when unusable */
static struct dkim_key *
key_from_pkey(EVP_PKEY *pkey, const char *name, struct buf *err)
{
	struct dkim_key *k;

	k = xcalloc(1, sizeof(*k));
	k->pkey = pkey;
	if (EVP_PKEY_id(pkey) == EVP_PKEY_RSA) {
		k->alg = ALG_RSA;
		k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
	} else if (EVP_PKEY_id(pkey) == EVP_PKEY_ED25519) {
		k->alg = ALG_ED25519;
		k->bits = 256;
	} else {
		buf_printf(err, "%s: not an RSA or Ed25519 key", name);
		dkim_key_free(k);
		return NULL;
	}
	return k;
}

/* parse_pem - a PEM private key (PKCS#1 or PKCS#8, unencrypted) */
static EVP_PKEY *
parse_pem(const char *data, size_t len)
{
	BIO *bio = BIO_new_mem_buf(data, (int)len);
	EVP_PKEY *pkey;

	if (bio == NULL)
		return NULL;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
	BIO_free(bio);
	return pkey;
}

/*
 * parse_b64 - a base64 key: 32 bytes are a raw Ed25519 seed (dkimpy's and
 * RFC 8463's form), anything else DER, PKCS#1 or PKCS#8.
 */
static EVP_PKEY *
parse_b64(const char *data, size_t len)
{
	unsigned char *der = xmalloc(BASE64_DECODED_MAX(len));
	const unsigned char *p = der;
	EVP_PKEY *pkey = NULL;
	long n;

	n = base64_decode(data, len, der);
	if (n == ED25519_LEN)
		pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, der, ED25519_LEN);
	else if (n > 0)
		pkey = d2i_AutoPrivateKey(NULL, &p, n);
	OPENSSL_cleanse(der, BASE64_DECODED_MAX(len));
	free(der);
	return pkey;
}

/* dkim_key_parse - a private key from memory; name is used in errors */
struct dkim_key *
dkim_key_parse(const char *data, size_t len, const char *name, struct buf *err)
{
	EVP_PKEY *pkey;
	size_t i;

	for (i = 0; i < len; i++)
		if (data[i] == '\0') {
			buf_printf(err, "%s: NUL byte in key data", name);
			return NULL;
		}
	if (len >= 5 && memmem(data, len, "-----BEGIN", 10) != NULL)
		pkey = parse_pem(data, len);
	else
		pkey = parse_b64(data, len);
	if (pkey == NULL) {
		buf_printf(err, "%s: not a usable private key (expected PEM, "
		    "base64 DER, or a base64 Ed25519 seed; encrypted keys are "
		    "not supported)", name);
		ssl_error(err);
		return NULL;
	}
	return key_from_pkey(pkey, name, err);
}

/* unsafe_dir - 1 when the directory holding path is writable by others */
static int
unsafe_dir(const char *path)
{
	char *dir = xstrdup(path), *slash;
	struct stat st;
	int bad = 0;

	slash = strrchr(dir, '/');
	if (slash == NULL)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		bad = 1;
	free(dir);
	return bad;
}

/* dkim_key_load - read a private key file, optionally checking its safety */
struct dkim_key *
dkim_key_load(const char *path, int require_safe, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct dkim_key *k = NULL;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > KEY_FILE_MAX) {
		buf_printf(err, "%s: not a regular file of at most %d bytes", path,
		    KEY_FILE_MAX);
		close(fd);
		return NULL;
	}
	if (require_safe && (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH))) {
		buf_printf(err, "%s: unsafe permissions %04o (readable or writable by "
		    "group or others; chmod 600)", path, (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	if (require_safe && unsafe_dir(path)) {
		buf_printf(err, "%s: unsafe: its directory is writable by others", path);
		close(fd);
		return NULL;
	}
	/* one allocation of the stated size: no copy of the key is left
	 * behind in memory a reallocation freed */
	buf_reserve(&text, (size_t)st.st_size);
	if (fileio_read_fd(&text, fd, path, err) == 0)
		k = dkim_key_parse(text.data, text.len, path, err);
	close(fd);
	OPENSSL_cleanse(text.data, text.cap);
	buf_free(&text);
	return k;
}

/* dkim_key_generate - a new key: "rsa" with bits >= 1024, or "ed25519" */
struct dkim_key *
dkim_key_generate(const char *alg, unsigned bits, struct buf *err)
{
	EVP_PKEY *pkey;

	if (strcmp(alg, "rsa") == 0) {
		if (bits < 1024 || bits > 16384) {
			buf_printf(err, "RSA key size %u out of range 1024..16384 "
			    "(RFC 8301 §3.2)", bits);
			return NULL;
		}
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
	} else if (strcmp(alg, "ed25519") == 0) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	} else {
		buf_printf(err, "unknown key algorithm \"%s\" (rsa or ed25519)", alg);
		return NULL;
	}
	if (pkey == NULL) {
		buf_printf(err, "key generation failed");
		ssl_error(err);
		return NULL;
	}
	return key_from_pkey(pkey, "new key", err);
}

/* dkim_key_free - release a key; NULL is a no-op */
void
dkim_key_free(struct dkim_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	free(k);
}

/* dkim_key_alg - "rsa" or "ed25519" */
const char *
dkim_key_alg(const struct dkim_key *k)
{
	return k->alg == ALG_RSA ? "rsa" : "ed25519";
}

/* dkim_key_sigalg - the a= value this key signs with */
const char *
dkim_key_sigalg(const struct dkim_key *k)
{
	return k->alg == ALG_RSA ? "rsa-sha256" : "ed25519-sha256";
}

/* dkim_key_bits - key size in bits */
unsigned
dkim_key_bits(const struct dkim_key *k)
{
	return k->bits;
}

/* dkim_key_pkey - the OpenSSL key, owned by k */
EVP_PKEY *
dkim_key_pkey(const struct dkim_key *k)
{
	return k->pkey;
}

/*
 * dkim_key_private_pem - append the key as a key file holds it: RSA as
 * PKCS#1 ("RSA PRIVATE KEY"), the one form every DKIM tool reads (dkimpy
 * 1.1 reads no other); Ed25519 as PKCS#8, its only PEM form
 */
int
dkim_key_private_pem(const struct dkim_key *k, struct buf *out)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *mem;
	long n;
	int done;

	if (bio == NULL)
		return -1;
	if (k->alg == ALG_RSA)
		done = PEM_write_bio_PrivateKey_traditional(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
	else
		done = PEM_write_bio_PrivateKey(bio, k->pkey, NULL, NULL, 0, NULL, NULL);
	if (done) {
		n = BIO_get_mem_data(bio, &mem);
		buf_add(out, mem, (size_t)n);
		OPENSSL_cleanse(mem, (size_t)n);
	} else
		ERR_clear_error();
	BIO_free(bio);
	return done ? 0 : -1;
}

/* dkim_key_public_b64 - append the p= value (RFC 6376 §3.6.1, RFC 8463 §4.2) */
void
dkim_key_public_b64(const struct dkim_key *k, struct buf *out)
{
	unsigned char raw[ED25519_LEN], *der = NULL;
	size_t rawlen = sizeof(raw);
	int n;

	if (k->alg == ALG_ED25519) {
		if (EVP_PKEY_get_raw_public_key(k->pkey, raw, &rawlen) == 1)
			base64_encode(out, raw, rawlen, 0);
		return;
	}
	n = i2d_PUBKEY(k->pkey, &der);
	if (n > 0)
		base64_encode(out, der, (size_t)n, 0);
	OPENSSL_free(der);
}

/* dkim_key_record - append "v=DKIM1; k=...; p=..." */
void
dkim_key_record(const struct dkim_key *k, struct buf *out)
{
	buf_printf(out, "v=DKIM1; k=%s; p=", dkim_key_alg(k));
	dkim_key_public_b64(k, out);
}

/* --- key records ---------------------------------------------------------- */

/* is_wsp - FWS characters as they appear after unfolding (RFC 6376 §2.8) */
static int
is_wsp(int c)
{
	return taglist_is_wsp(c);
}

/* rec_slot - the struct field for a known tag, NULL for others (ignored) */
static char **
rec_slot(struct dkim_key_rec *rec, const char *name, size_t n)
{
	if (n != 1)
		return NULL;
	switch (name[0]) {
	case 'v': return &rec->v;
	case 'k': return &rec->k;
	case 'h': return &rec->h;
	case 'p': return &rec->p;
	case 't': return &rec->t;
	case 's': return &rec->s;
	case 'n': return &rec->n;
	}
	return NULL;
}

/* has_flag - colon list l contains word w (case-insensitive) */
static int
has_flag(const char *l, const char *w)
{
	size_t n = strlen(w);
	const char *p = l;

	while (p != NULL && *p != '\0') {
		const char *e = strchr(p, ':');
		size_t m = e ? (size_t)(e - p) : strlen(p);

		while (m > 0 && is_wsp((unsigned char)*p)) {
			p++;
			m--;
		}
		while (m > 0 && is_wsp((unsigned char)p[m - 1]))
			m--;
		if (m == n && strncasecmp(p, w, n) == 0)
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}

/* tag_value - copy a tag-value, FWS removed from p= and kept elsewhere */
static char *
tag_value(const char *p, size_t n, int strip)
{
	char *v = xmalloc(n + 1), *q = v;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strip || !is_wsp((unsigned char)p[i]))
			*q++ = p[i];
	*q = '\0';
	return v;
}

/*
 * dkim_key_rec_parse - RFC 6376 §3.6.1 key record, tag-list of §3.2:
 * tokens from taglist_next (taglist.c); a duplicate tag makes the record invalid;
 * unknown tags are ignored; v= when present must come first and be DKIM1.
 */
enum dkim_key_rec_status
dkim_key_rec_parse(const char *s, size_t len, struct dkim_key_rec *rec, char *why,
    size_t whylen)
{
	const char *p = s, *end = s + len;
	struct taglist_tag t;
	int first = 1, rc;

	memset(rec, 0, sizeof(*rec));
	snprintf(why, whylen, "ok");
	while ((rc = taglist_next(&p, end, &t)) == 1) {
		char **slot;

		if (t.nlen == 1 && t.name[0] == 'v' && !first) {
			snprintf(why, whylen, "v= is not the first tag");
			return DKIM_KEY_REC_SYNTAX;
		}
		first = 0;
		if ((slot = rec_slot(rec, t.name, t.nlen)) != NULL) {
			if (*slot != NULL) {
				snprintf(why, whylen, "duplicate tag %c=", t.name[0]);
				return DKIM_KEY_REC_SYNTAX;
			}
			*slot = tag_value(t.val, t.vlen, t.name[0] == 'p');
		}
	}
	if (rc < 0) {
		snprintf(why, whylen, "tag-list syntax error at offset %zu", (size_t)(p - s));
		return DKIM_KEY_REC_SYNTAX;
	}
	if (rec->v != NULL && strcmp(rec->v, "DKIM1") != 0) {
		snprintf(why, whylen, "v=%s is not DKIM1", rec->v);
		return DKIM_KEY_REC_SYNTAX;
	}
	rec->testing = rec->t != NULL && has_flag(rec->t, "y");
	rec->strict = rec->t != NULL && has_flag(rec->t, "s");
	if (rec->p == NULL) {
		snprintf(why, whylen, "no p= tag");
		return DKIM_KEY_REC_NO_P;
	}
	if (rec->p[0] == '\0') {
		snprintf(why, whylen, "key revoked (empty p=)");
		return DKIM_KEY_REC_REVOKED;
	}
	return DKIM_KEY_REC_OK;
}

/* dkim_key_rec_free - release the strings of rec; NULL is a no-op */
void
dkim_key_rec_free(struct dkim_key_rec *rec)
{
	if (rec == NULL)
		return;
	free(rec->v);
	free(rec->k);
	free(rec->h);
	free(rec->p);
	free(rec->t);
	free(rec->s);
	free(rec->n);
	memset(rec, 0, sizeof(*rec));
}

/* rec_pubkey - the EVP_PKEY published in p=, NULL when undecodable */
static EVP_PKEY *
rec_pubkey(const struct dkim_key_rec *rec, int ed25519)
{
	size_t len = strlen(rec->p);
	unsigned char *der = xmalloc(BASE64_DECODED_MAX(len));
	const unsigned char *q = der;
	EVP_PKEY *pub = NULL;
	long n = base64_decode(rec->p, len, der);

	if (n > 0 && ed25519 && n == ED25519_LEN)
		pub = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, ED25519_LEN);
	else if (n > 0 && !ed25519) {
		/* SubjectPublicKeyInfo in practice; RSAPublicKey per §3.6.1 */
		pub = d2i_PUBKEY(NULL, &q, n);
		if (pub == NULL) {
			q = der;
			pub = d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, n);
		}
		if (pub != NULL && EVP_PKEY_id(pub) != EVP_PKEY_RSA) {
			EVP_PKEY_free(pub);
			pub = NULL;
		}
	}
	ERR_clear_error();
	free(der);
	return pub;
}

/* dkim_key_rec_match - 1 when rec publishes k's public key */
int
dkim_key_rec_match(const struct dkim_key_rec *rec, const struct dkim_key *k,
    unsigned *rec_bits, char *why, size_t whylen)
{
	const char *kt = rec->k != NULL ? rec->k : "rsa";
	int ed = strcasecmp(kt, "ed25519") == 0;
	EVP_PKEY *pub;
	int same;

	if (rec_bits != NULL)
		*rec_bits = 0;
	if (!ed && strcasecmp(kt, "rsa") != 0) {
		snprintf(why, whylen, "unknown key type k=%s", kt);
		return -1;
	}
	if (rec->p == NULL || rec->p[0] == '\0') {
		snprintf(why, whylen, "record has no public key");
		return -1;
	}
	if ((pub = rec_pubkey(rec, ed)) == NULL) {
		snprintf(why, whylen, "p= is not a valid %s public key", kt);
		return -1;
	}
	if (rec_bits != NULL)
		*rec_bits = ed ? 256 : (unsigned)EVP_PKEY_get_bits(pub);
	if ((ed ? ALG_ED25519 : ALG_RSA) != k->alg) {
		snprintf(why, whylen, "record is k=%s, private key is %s", kt,
		    dkim_key_alg(k));
		EVP_PKEY_free(pub);
		return 0;
	}
	same = EVP_PKEY_eq(pub, k->pkey) == 1;
	ERR_clear_error();
	EVP_PKEY_free(pub);
	snprintf(why, whylen, same ? "keys match" : "public key does not match the private key");
	return same;
}
