/*
 * dkim_sign.h - outbound DKIM signing (RFC 6376, RFC 8463): RSA and
 * Ed25519 with our own canonicalization (dkim_canon.h) and OpenSSL
 *
 * One struct signer per engine (config snapshot): the KeyTable and
 * SigningTable (or the Domain/Selector/KeyFile short form), every private
 * key loaded once, the DontSignMailTo list, the header lists and
 * SignatureTTL.
 * Immutable once built and shared read-only by every thread; SIGHUP builds
 * a new engine, so tables and keys reload together.
 *
 * One struct dkims per message, fed in pipeline order:
 *
 *	s = dkims_new(signer, qid, user, domain, &why);   NULL: nothing to sign
 *	dkims_header(s, name, value);	   every header, in order
 *	dkims_eoh(s);
 *	dkims_body(s, p, n);		   any number of chunks, CRLF line ends
 *	dkims_eom(s, verdict, log);	   adds the DKIM-Signature headers
 *	dkims_free(s);
 *
 * Ownership: signer_new does not keep c; dkims_new copies its strings;
 * dkims_eom copies into the verdict.  A dkims holds pointers into its
 * signer, which must outlive it (the message references the engine).
 */
#ifndef AUTHMILTER_DKIM_SIGN_H
#define AUTHMILTER_DKIM_SIGN_H

#include <stddef.h>

#include "buf.h"

struct conf;
struct verdict;
struct signer;
struct dkims;

/*
 * signer_new - tables and keys for c.  A missing or unreadable table or
 * key, a parse error, an unsafe key (RequireSafeKeys), or a SigningTable
 * entry naming a key the KeyTable lacks: NULL with "file:line: why" or
 * "path: why" in err.  With no signing keywords set, an empty signer
 * (signer_nkeys 0) that signs nothing.
 */
struct signer  *signer_new(const struct conf *c, struct buf *err);
void		signer_free(struct signer *s);
/* signer_nkeys - how many KeyTable entries (keys) are loaded */
size_t		signer_nkeys(const struct signer *s);
/* signer_dont_sign_to - 1 when rcpt is listed in DontSignMailTo (the
 * address, its domain, or ".parent" of its domain) */
int		signer_dont_sign_to(const struct signer *s, const char *rcpt);

/*
 * dkims_new - the signatures for mail from user@domain (domain normalised,
 * lower case): NULL when there is none to make, with the reason appended to
 * why (no SigningTable match, unknown key, too many signatures).
 */
struct dkims   *dkims_new(const struct signer *s, const char *qid, const char *user,
		    const char *domain, struct buf *why);
/* dkims_header - value as kept in msg_int.h: everything after the colon,
 * leading white space included, folds as CRLF */
void		dkims_header(struct dkims *d, const char *name, const char *value);
void		dkims_eoh(struct dkims *d);
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
