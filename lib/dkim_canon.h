/*
 * dkim_canon.h - DKIM canonicalization and header selection (RFC 6376 §3.4,
 * §5.4.2), for the signatures we make ourselves (Ed25519, RFC 8463)
 *
 * Pure: no I/O, logging or globals.  Header fields are canonicalized one at
 * a time into a caller's buffer; the body is a streaming state machine fed
 * chunks of any size (CRLF line ends, a CRLF may be split between chunks)
 * that hashes the canonical form with SHA-256 as it goes.
 *
 *	b = dkimc_body_new(DKIMC_RELAXED, NULL);
 *	dkimc_body_feed(b, p, n);	   any number of times
 *	dkimc_body_final(b, hash);	   32 bytes: the bh= value
 *	dkimc_body_free(b);
 *
 * The prefix is dkimc_ because libopendkim exports dkim_canon_* symbols.
 */
#ifndef AUTHMILTER_DKIM_CANON_H
#define AUTHMILTER_DKIM_CANON_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

#define DKIMC_HASHLEN	32	/* SHA-256 */

enum dkimc_alg {
	DKIMC_SIMPLE,		/* RFC 6376 §3.4.1 / §3.4.3 */
	DKIMC_RELAXED		/* RFC 6376 §3.4.2 / §3.4.4 */
};

/*
 * dkimc_header - append the canonical form of one header field to out.
 * value is everything after the colon (leading white space included, folds
 * as CRLF), as msg_int.h keeps it.  crlf 0 leaves off the final CRLF (the
 * DKIM-Signature field being made, RFC 6376 §3.7).
 */
void		dkimc_header(enum dkimc_alg alg, const char *name, const char *value,
		    int crlf, struct buf *out);

struct dkimc_body;

/* dkimc_body_new - a body hasher; copy (may be NULL, not owned) also gets
 * every canonical byte hashed, for tests */
struct dkimc_body *dkimc_body_new(enum dkimc_alg alg, struct buf *copy);
/* dkimc_body_feed - a chunk of the body as sent (CRLF line ends) */
void		dkimc_body_feed(struct dkimc_body *b, const unsigned char *p, size_t n);
/*
 * dkimc_body_final - end of body: apply the trailing-line and empty-body
 * rules and write the SHA-256 of the canonical body to hash.  0, or -1 when
 * OpenSSL failed.  Call once; feeding after it is ignored.
 */
int		dkimc_body_final(struct dkimc_body *b, unsigned char hash[DKIMC_HASHLEN]);
/* dkimc_body_len - canonical bytes hashed so far */
unsigned long long dkimc_body_len(const struct dkimc_body *b);
void		dkimc_body_free(struct dkimc_body *b);

/*
 * dkimc_select - the header fields to sign (RFC 6376 §5.4.2).  names are
 * the message's field names, top to bottom (n of them).  Every instance of
 * a name in sign (case-insensitive) is signed; the h= value (appended to
 * hlist) lists them in message order, then each name of over once more
 * (oversigning: a verifier treats a name without an unused instance as an
 * empty field, so a field added later breaks the signature).  order gets
 * the indices into names in the order a verifier hashes them (§5.4.2: the
 * k-th occurrence of a name in h= is the k-th instance from the bottom);
 * it must have room for n.  Returns how many indices were written.
 */
size_t		dkimc_select(const char *const *names, size_t n, const struct strlist *sign,
		    const struct strlist *over, size_t *order, struct buf *hlist);

/*
 * dkimc_fold - append a DKIM-Signature value laid out as libopendkim lays
 * out its RSA signatures: tags ("v=1", "a=..", each without ";") joined by
 * "; ", lines folded before margin columns (initial already used by the
 * field name), h= broken after colons, bh= and b= values cut at the margin,
 * then "b=" and b.  blen is the length b= will finally have: the fold
 * before "b=" is chosen from it, so the copy hashed with b empty and the
 * copy sent fold alike (RFC 6376 §3.7).  The value starts without a space.
 */
void		dkimc_fold(const char *const *tags, size_t ntags, const char *b, size_t blen,
		    size_t initial, size_t margin, struct buf *out);

#endif
