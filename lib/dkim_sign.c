/*
 * dkim_sign.c - outbound DKIM signing of one message (RFC 6376, RFC 8463)
 *
 * Per message, with the set-up of dkim_signer.c: look the From address up
 * in the SigningTable, open one signing request per key, keep the header
 * block, hash the body once, and hand out the DKIM-Signature headers.  The
 * algorithm follows the key.
 *
 * Every key signs here, with dkim_canon.c and OpenSSL on the key's cached
 * EVP_PKEY; libopendkim is not used for signing.  It re-parsed the PEM key
 * and set up RSA blinding afresh on every message (two thirds of the cost
 * of an RSA signature), and Debian 12's libopendkim 2.11.0~beta2 leaks its
 * Ed25519 key material on every signature and folds the Ed25519 header
 * differently from what it hashed.  The tags, their order, the h= list and
 * the folding are libopendkim's RSA layout.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "base64.h"
#include "dkim_canon.h"
#include "dkim_key.h"
#include "dkim_sign.h"
#include "dkim_signer.h"
#include "log.h"
#include "tables.h"
#include "verdict.h"

#define SIGN_MAX_MATCH	32	/* SigningTable matches used per message */
#define SIGN_MAX_KEYS	16	/* signatures per message */
#define SIGN_INITIAL	(sizeof("DKIM-Signature: ") - 1)
#define SIGN_MARGIN	75	/* fold column (libopendkim's DKIM_HDRMARGIN) */

struct sreq {
	size_t		ki;		/* KeyTable entry */
	char	       *domain;		/* d= with "%" resolved */
	int		live;		/* 0 after a failure */
	int		ed;		/* Ed25519 (else RSA) */
	char	       *ident;		/* i= or NULL */
};

struct dkims {
	const struct dkim_signer *s;
	char	       *qid;
	struct sreq	r[SIGN_MAX_KEYS];
	size_t		n;
	struct strlist	hname, hvalue;	/* headers until eoh */
	struct buf	hcanon;		/* selected headers, canonical */
	struct buf	hlist;		/* the h= value */
	struct dkimc_body *body;	/* body hash, shared by every request */
	uint64_t	t;		/* t=, taken at eoh like libopendkim */
	struct buf	why;		/* failures, for the log line */
};

/* subst - template with every "%" replaced by domain (OpenDKIM's reptoken) */
static char *
subst(const char *tmpl, const char *domain)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	for (; *tmpl; tmpl++)
		if (*tmpl == '%')
			buf_adds(&b, domain);
		else
			buf_addc(&b, *tmpl);
	return buf_steal(&b);
}

/* domain_ok - may a From domain replace "%" in a KeyTable or SigningTable
 * row?  RFC 6376 §3.5 d= is a domain-name (RFC 5321 sub-domain: LDH
 * labels of 1-63 octets, no hyphen at either end), at least two labels,
 * 253 octets at most.  A domain literal ("[a;s=x]") or any other text
 * would otherwise become tags of the DKIM-Signature we write. */
static int
domain_ok(const char *d)
{
	size_t lab = 0, nlab = 0, len = strlen(d);
	const char *p;

	if (len == 0 || len > 253)
		return 0;
	for (p = d; *p; p++) {
		if (*p == '.') {
			if (lab == 0 || p[-1] == '-')
				return 0;
			lab = 0;
		} else if (isalnum((unsigned char)*p) || (*p == '-' && lab > 0)) {
			if (lab++ == 0)
				nlab++;
			if (lab > 63)
				return 0;
		} else
			return 0;
	}
	return lab > 0 && p[-1] != '-' && nlab >= 2;
}

/* identity_ok - RFC 6376 §3.5 i=: the domain must be d= or a subdomain of
 * it; the local part is kept to atext and dots so it needs no encoding.
 * i= is "[Local-part] @ domain-name", a value we built, not an RFC 5321
 * path ("@d" would read as a source route there): not address_domain_of */
static int
identity_ok(const char *i, const char *d)
{
	const char *at = strrchr(i, '@'), *p;
	size_t il, dl = strlen(d);

	if (at == NULL)
		return 0;
	for (p = i; p < at; p++)
		if (!isalnum((unsigned char)*p) && strchr("!#$&'*+-/=?^_`{|}~.", *p) == NULL)
			return 0;
	il = strlen(at + 1);
	if (strcasecmp(at + 1, d) == 0)
		return 1;
	return il > dl && at[1 + il - dl - 1] == '.' && strcasecmp(at + 1 + il - dl, d) == 0;
}

/* dkims_open - one signing handle for KeyTable entry ki; 0 or -1 (why) */
static int
dkims_open(struct dkims *d, size_t ki, const char *domain, const char *user,
    const char *tmpl)
{
	const struct dkim_signer *s = d->s;
	const struct keytable_entry *k = &s->kt.v[ki];
	const struct dkim_key *key = s->key[ki];
	struct sreq *r;
	char *ident = NULL;
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->r[i].ki == ki)
			return 0;	/* the same key matched twice */
	if ((strcmp(k->domain, "%") == 0 || (tmpl && strchr(tmpl, '%'))) &&
	    !domain_ok(domain)) {
		buf_printf(&d->why, " key=%s:from-domain-not-a-domain-name", k->name);
		return -1;
	}
	if (d->n >= SIGN_MAX_KEYS) {
		buf_printf(&d->why, " key=%s:too-many-signatures", k->name);
		return -1;
	}
	r = &d->r[d->n];
	r->ki = ki;
	r->domain = xstrdup(strcmp(k->domain, "%") == 0 ? domain : k->domain);
	r->ed = strcmp(dkim_key_alg(key), "ed25519") == 0;
	r->ident = NULL;
	if (tmpl)
		ident = subst(tmpl, domain);
	else if (s->add_identity) {
		ident = xmalloc(strlen(user) + strlen(domain) + 2);
		sprintf(ident, "%s@%s", user, domain);
	}
	if (ident && identity_ok(ident, r->domain))
		r->ident = xstrdup(ident);
	else if (ident)
		buf_printf(&d->why, " i=%s:not-under-d=%s", ident, r->domain);
	free(ident);
	r->live = 1;
	d->n++;
	return 0;
}

/* dkims_new - see dkim_sign.h */
struct dkims *
dkims_new(const struct dkim_signer *s, const char *qid, const char *user, const char *domain,
    struct buf *why)
{
	struct dkims *d;
	size_t m[SIGN_MAX_MATCH], ki[SIGN_MAX_KEYS], nm, i, j, k, nk;

	if (s == NULL || s->kt.n == 0) {
		buf_adds(why, "no signing keys configured");
		return NULL;
	}
	nm = tables_signtable_lookup(&s->st, user, domain, s->multiple, s->subdomains, m, SIGN_MAX_MATCH);
	if (nm == 0) {
		buf_printf(why, "no SigningTable match for %s@%s", user, domain);
		return NULL;
	}
	d = xcalloc(1, sizeof(*d));
	d->s = s;
	d->qid = xstrdup(qid ? qid : "NOQUEUE");
	buf_init(&d->why);
	buf_init(&d->hcanon);
	buf_init(&d->hlist);
	for (i = 0; i < nm; i++) {
		const struct signtable_entry *e = &s->st.v[m[i]];

		for (j = 0; j < e->keys.n; j++) {
			const char *name = strcmp(e->keys.v[j], "%") == 0 ? domain : e->keys.v[j];

			if (name == domain && !domain_ok(domain)) {
				buf_printf(&d->why, " SigningTable-line-%zu:from-domain-not-a-domain-name",
				    e->line);
				continue;
			}
			nk = tables_keytable_find(&s->kt, name, ki, SIGN_MAX_KEYS);
			if (nk == 0) {
				/* DESIGN.md §6: key missing at signing time */
				log_warnx("%s: dkim: SigningTable line %zu names key \"%s\", "
				    "which is not in the KeyTable; not signing with it",
				    d->qid, e->line, name);
				buf_printf(&d->why, " key=%s:not-in-KeyTable", name);
			}
			for (k = 0; k < nk; k++)
				(void)dkims_open(d, ki[k], domain, user, e->signer);
		}
	}
	if (d->n == 0) {
		buf_printf(why, "no usable key for %s@%s:%s", user, domain, d->why.data);
		dkims_free(d);
		return NULL;
	}
	return d;
}

/* dkims_fail - drop one request; msg says why */
static void
dkims_fail(struct dkims *d, struct sreq *r, const char *msg, const char *step)
{
	log_warnx("%s: dkim: signing d=%s s=%s failed at %s: %s", d->qid, r->domain,
	    d->s->kt.v[r->ki].selector, step, msg);
	buf_printf(&d->why, " d=%s:s=%s:%s-failed", r->domain, d->s->kt.v[r->ki].selector, step);
	r->live = 0;
}

/* dkims_header - see dkim_sign.h; selection needs the whole block (§5.4.2) */
void
dkims_header(struct dkims *d, const char *name, const char *value)
{
	if (d == NULL)
		return;
	strlist_add(&d->hname, name);
	strlist_add(&d->hvalue, value);
}

/*
 * hdr_over - this message's oversigned names (RFC 6376 §5.4.2, §8.15): every
 * OversignHeaders name, so none can be added even where absent, then each
 * OversignHeadersIfPresent name the message has, so a second one cannot be
 * added while a relay may still add a missing one.  Appended to out.
 */
static void
hdr_over(const struct dkim_signer *s, const struct strlist *hname, struct strlist *out)
{
	unsigned char *seen = xcalloc(s->opt_hdrs.n + 1, 1);
	size_t i, j, nopt = s->opt_hdrs.n;

	for (i = 0; i < s->over_hdrs.n; i++)
		strlist_add(out, s->over_hdrs.v[i]);
	for (i = 0; i < hname->n; i++)
		for (j = 0; j < nopt; j++)
			if (!seen[j] && strcasecmp(hname->v[i], s->opt_hdrs.v[j]) == 0)
				seen[j] = 1;
	for (j = 0; j < nopt; j++)
		if (seen[j])
			strlist_add(out, s->opt_hdrs.v[j]);
	free(seen);
}

/* hdr_eoh - choose and canonicalize the signed header fields once for
 * every key (they share the lists and canonicalization) */
static void
hdr_eoh(struct dkims *d, uint64_t now)
{
	const struct dkim_signer *s = d->s;
	size_t *order = xcalloc(d->hname.n + 1, sizeof(*order)), n, i;
	struct strlist over = { 0, NULL };
	int from = 0;

	d->t = now;
	d->body = dkimc_body_new(s->bc, NULL);
	hdr_over(s, &d->hname, &over);
	n = dkimc_select((const char *const *)d->hname.v, d->hname.n, &s->sign_hdrs,
	    &over, order, &d->hlist);
	strlist_free(&over);
	for (i = 0; i < n; i++)
		dkimc_header(s->hc, d->hname.v[order[i]], d->hvalue.v[order[i]], 1, &d->hcanon);
	for (i = 0; i < d->hname.n; i++)
		from |= strcasecmp(d->hname.v[i], "from") == 0;
	free(order);
	strlist_free(&d->hname);
	strlist_free(&d->hvalue);
	/* RFC 6376 §5.4: From MUST be signed (libopendkim refuses too) */
	for (i = 0; !from && i < d->n; i++)
		if (d->r[i].live)
			dkims_fail(d, &d->r[i], "required header \"from\" not found", "eoh");
}

/* dkims_eoh - see dkim_sign.h */
void
dkims_eoh(struct dkims *d)
{
	dkims_eoh_at(d, (uint64_t)time(NULL));
}

/* dkims_eoh_at - see dkim_sign.h */
void
dkims_eoh_at(struct dkims *d, uint64_t now)
{
	if (d && d->body == NULL)
		hdr_eoh(d, now);
}

/* dkims_body - see dkim_sign.h; one body hash serves every key */
void
dkims_body(struct dkims *d, const unsigned char *p, size_t n)
{
	if (d && d->body && n)
		dkimc_body_feed(d->body, p, n);
}

/* tag - add one "name=value" tag to l */
static void __attribute__((format(printf, 2, 3)))
tag(struct strlist *l, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	buf_init(&b);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	strlist_add(l, b.data);
	buf_free(&b);
}

/* sign_hashed - b= for request r over the canonical header data (appended
 * to sig): rsa-sha256 is RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6376 §3.3.1),
 * ed25519-sha256 PureEd25519 over the SHA-256 of it (RFC 8463 §3).  The
 * key's EVP_PKEY is shared by threads; each call has its own EVP_MD_CTX,
 * so RSA blinding set up once on the key is reused.  0 or -1 (*err set). */
static int
sign_hashed(const struct sreq *r, EVP_PKEY *pkey, const struct buf *canon, struct buf *sig,
    const char **err)
{
	unsigned char hh[EVP_MAX_MD_SIZE], *raw;
	const unsigned char *in = (const unsigned char *)canon->data;
	unsigned int hl = 0;
	size_t inlen = canon->len, sl;
	int max = EVP_PKEY_get_size(pkey), rc = -1;
	EVP_MD_CTX *ctx = NULL;

	if (r->ed) {
		*err = "hashing the header failed";
		if (EVP_Digest(canon->data, canon->len, hh, &hl, EVP_sha256(), NULL) != 1)
			return -1;
		in = hh;
		inlen = hl;
	}
	*err = r->ed ? "Ed25519 signing failed" : "RSA signing failed";
	if (max <= 0)
		return -1;
	raw = xmalloc((size_t)max);
	sl = (size_t)max;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(ctx, NULL, r->ed ? NULL : EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(ctx, raw, &sl, in, inlen) != 1 || sl == 0)
		goto out;
	base64_encode(sig, raw, sl, 0);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(raw);
	return rc;
}

/*
 * sig_value - the DKIM-Signature value for request r (appended to val,
 * with its leading space): the tags and order libopendkim writes, and b=
 * signed over the canonical header data (RFC 6376 §3.7: the signed fields,
 * then this field with b= empty and no CRLF).  0, or -1 with *err set.
 */
static int
sig_value(struct dkims *d, const struct sreq *r, const unsigned char *bh, struct buf *val,
    const char **err)
{
	const struct dkim_signer *s = d->s;
	const struct keytable_entry *k = &s->kt.v[r->ki];
	EVP_PKEY *pkey = dkim_key_pkey(s->key[r->ki]);
	struct strlist tags = { 0, NULL };
	struct buf hashed = BUF_INIT, canon = BUF_INIT, b64 = BUF_INIT, bh64 = BUF_INIT;
	size_t blen;
	int rc = -1;

	base64_encode(&bh64, bh, DKIMC_HASHLEN, 0);
	tag(&tags, "v=1");
	tag(&tags, "a=%s", dkim_key_sigalg(s->key[r->ki]));
	tag(&tags, "c=%s/%s", s->hc == DKIMC_RELAXED ? "relaxed" : "simple",
	    s->bc == DKIMC_RELAXED ? "relaxed" : "simple");
	tag(&tags, "d=%s", r->domain);
	tag(&tags, "s=%s", k->selector);
	tag(&tags, "t=%llu", (unsigned long long)d->t);
	if (s->ttl)
		tag(&tags, "x=%llu", (unsigned long long)(d->t + s->ttl));
	if (r->ident)
		tag(&tags, "i=%s", r->ident);
	tag(&tags, "bh=%s", bh64.data);
	tag(&tags, "h=%s", d->hlist.data);
	/* the base64 length b= will have: RSA the modulus size, Ed25519 64 */
	blen = ((size_t)EVP_PKEY_get_size(pkey) + 2) / 3 * 4;
	buf_init(&hashed);
	buf_init(&canon);
	buf_init(&b64);
	buf_addc(&hashed, ' ');
	dkimc_fold((const char *const *)tags.v, tags.n, "", blen, SIGN_INITIAL,
	    SIGN_MARGIN, &hashed);
	buf_add(&canon, d->hcanon.data, d->hcanon.len);
	dkimc_header(s->hc, "DKIM-Signature", hashed.data, 0, &canon);
	if (sign_hashed(r, pkey, &canon, &b64, err) != 0)
		goto out;
	buf_addc(val, ' ');
	dkimc_fold((const char *const *)tags.v, tags.n, b64.data, b64.len, SIGN_INITIAL,
	    SIGN_MARGIN, val);
	rc = 0;
out:
	buf_free(&hashed);
	buf_free(&canon);
	buf_free(&b64);
	buf_free(&bh64);
	strlist_free(&tags);
	return rc;
}

/* dkims_eom - see dkim_sign.h */
size_t
dkims_eom(struct dkims *d, struct verdict *v, struct buf *log)
{
	struct buf val = BUF_INIT;
	unsigned char bh[DKIMC_HASHLEN];
	const char *err = NULL;
	size_t i, made = 0;
	int bh_state = 0;	/* body hash: 0 not yet, 1 done, -1 failed */

	if (d == NULL)
		return 0;
	for (i = 0; i < d->n; i++) {
		struct sreq *r = &d->r[i];
		const struct dkim_key *k = d->s->key[r->ki];

		if (!r->live)
			continue;
		if (bh_state == 0)
			bh_state = d->body && dkimc_body_final(d->body, bh) == 0 ? 1 : -1;
		buf_init(&val);
		if (bh_state < 0)
			dkims_fail(d, r, "no body hash", "eom");
		else if (sig_value(d, r, bh, &val, &err) != 0)
			dkims_fail(d, r, err, "eom");
		else {
			verdict_add_header(v, "DKIM-Signature", val.data);
			log_kv(log, "d", r->domain);
			log_kv(log, "s", d->s->kt.v[r->ki].selector);
			buf_printf(log, " a=%s bits=%u", dkim_key_sigalg(k), dkim_key_bits(k));
			made++;
		}
		buf_free(&val);
	}
	if (d->why.len)
		log_kvq(log, "errors", d->why.data + 1);
	return made;
}

/* dkims_free - see dkim_sign.h */
void
dkims_free(struct dkims *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->r[i].domain);
		free(d->r[i].ident);
	}
	strlist_free(&d->hname);
	strlist_free(&d->hvalue);
	buf_free(&d->hcanon);
	buf_free(&d->hlist);
	dkimc_body_free(d->body);
	buf_free(&d->why);
	free(d->qid);
	free(d);
}
