/*
 * dkim_sign.h - outbound DKIM signing of one message (RFC 6376, RFC 8463):
 * RSA and Ed25519 with our own canonicalization (dkim_canon.h) and OpenSSL
 *
 * The prefix is dkims_ because libopendkim exports dkim_sign().  The tables,
 * keys and header lists come from the engine's struct dkim_signer
 * (dkim_signer.h).  One struct dkims per message, fed in pipeline order:
 *
 *	s = dkims_new(signer, qid, user, domain, &why);   NULL: nothing to sign
 *	dkims_header(s, name, value);	   every header, in order
 *	dkims_eoh(s);
 *	dkims_body(s, p, n);		   any number of chunks, CRLF line ends
 *	dkims_eom(s, verdict, log);	   adds the DKIM-Signature headers
 *	dkims_free(s);
 *
 * Ownership: dkims_new copies its strings; dkims_eom copies into the
 * verdict.  A dkims holds pointers into its signer, which must outlive it
 * (the message references the engine).
 */
#ifndef AUTHMILTER_DKIM_SIGN_H
#define AUTHMILTER_DKIM_SIGN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct verdict;
struct dkim_signer;
struct dkims;

/*
 * dkims_new - the signatures for mail from user@domain (domain normalised,
 * lower case): NULL when there is none to make, with the reason appended to
 * why (no SigningTable match, unknown key, too many signatures).
 */
struct dkims   *dkims_new(const struct dkim_signer *s, const char *qid, const char *user,
		    const char *domain, struct buf *why);
/* dkims_header - value as kept in msg_int.h: everything after the colon,
 * leading white space included, folds as CRLF */
void		dkims_header(struct dkims *d, const char *name, const char *value);
/* dkims_eoh - end of the header block: the signed fields are chosen and
 * canonicalized, and t= is taken now (dkims_eoh_at: at the given time) */
void		dkims_eoh(struct dkims *d);
void		dkims_eoh_at(struct dkims *d, uint64_t now);
void		dkims_body(struct dkims *d, const unsigned char *p, size_t n);
/*
 * dkims_eom - finish: one DKIM-Signature header per key, added to v in
 * SigningTable order (top to bottom).  log gets " d=.. s=.. a=.." per
 * signature made and the reasons of any that failed.  Returns how many
 * signatures were added.
 */
size_t		dkims_eom(struct dkims *d, struct verdict *v, struct buf *log);
void		dkims_free(struct dkims *d);

#endif
