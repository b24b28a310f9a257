/*
 * dkim_verify.h - inbound DKIM verification over libopendkim (RFC 6376)
 *
 * The prefix is dkimv_ because libopendkim exports dkim_verify().
 *
 * One struct dkimv_engine per engine (config snapshot): one DKIM_LIB, our
 * resolver plugged in (dkim_dns.h), public keys decoded once
 * (dkim_keycache.h), the MinimumKeyBits and
 * MaximumSignaturesToVerify settings.  Shared read-only by every thread.
 *
 * One struct dkimv per message, fed in pipeline order:
 *
 *	v = dkimv_new(e, queue_id);
 *	dkimv_header(v, name, value);	   for every header, in order
 *	dkimv_eoh(v);
 *	dkimv_body(v, p, n);		   any number of chunks, CRLF line ends
 *	dkimv_eom(v);			   key lookups and verification happen here
 *	dkimv_results(v, verdict);	   one verdict_add_dkim() per signature
 *	dkimv_free(v);
 *
 * Every call is safe in any state (after a failed step the rest are no-ops),
 * and dkimv_free may come at any point (abort).  Results are RFC 8601 words:
 * pass, fail, policy (rsa-sha1, RFC 8301 §3.1; RSA key under MinimumKeyBits,
 * RFC 8301 §3.2), permerror (malformed signature or key, no key, revoked
 * key, x= expired; a tag-list with a repeated tag or a b=/bh= that is not
 * base64, RFC 6376 §3.2, §2.4), temperror (DNS trouble; after one lookup
 * has hit DNSTimeout, or the message's DNS budget is spent, the later
 * signatures of that message are not looked up and are temperror too).
 * t=y keys are reported (testing), not treated differently.  Only the
 * first MaximumSignaturesToVerify DKIM-Signature fields are handed to
 * libopendkim; later ones are counted and logged (dkimv_eoh), never
 * parsed.  An unsigned message gives no entries.
 *
 * Ownership: dkimv_new copies queue_id; dkimv_header copies what it keeps;
 * dkimv_results copies into the verdict, which owns the copies.
 */
#ifndef AUTHMILTER_DKIM_VERIFY_H
#define AUTHMILTER_DKIM_VERIFY_H

#include <stddef.h>

#include "buf.h"

struct conf;
struct dns;
struct verdict;
struct dkimv_engine;
struct dkimv;

/* dkimv_engine_new - the library handle for c, resolving through d (not
 * owned; must outlive the engine); NULL with the reason in err */
struct dkimv_engine *dkimv_engine_new(struct dns *d, const struct conf *c, struct buf *err);
void		dkimv_engine_free(struct dkimv_engine *e);

struct dkimv   *dkimv_new(struct dkimv_engine *e, const char *queue_id);
/* dkimv_header - value as kept in msg_int.h: everything after the colon,
 * leading white space included, folds as CRLF */
void		dkimv_header(struct dkimv *v, const char *name, const char *value);
void		dkimv_eoh(struct dkimv *v);
void		dkimv_body(struct dkimv *v, const unsigned char *p, size_t n);
void		dkimv_eom(struct dkimv *v);
/* dkimv_results - append one entry per signature evaluated, header order */
void		dkimv_results(struct dkimv *v, struct verdict *out);
void		dkimv_free(struct dkimv *v);

#endif
