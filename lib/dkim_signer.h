/*
 * dkim_signer.h - the outbound DKIM set-up of one engine: tables, keys and
 * header lists (RFC 6376 §5.4)
 *
 * One struct dkim_signer per engine (config snapshot): the KeyTable and
 * SigningTable (or the Domain/Selector/KeyFile short form), every private
 * key loaded once, the DontSignMailTo list, the header lists,
 * canonicalization and SignatureTTL.  Immutable once built and shared
 * read-only by every thread; SIGHUP builds a new engine, so tables and keys
 * reload together.  Messages are signed with it by dkim_sign.h.
 *
 * The struct is visible so that dkim_sign.c can read it; nothing else
 * touches its fields.
 *
 * Ownership: dkim_signer_new does not keep c; the signer owns its tables,
 * keys and lists, released by dkim_signer_free.
 */
#ifndef AUTHMILTER_DKIM_SIGNER_H
#define AUTHMILTER_DKIM_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dkim_canon.h"
#include "tables.h"

struct conf;
struct dkim_key;

struct dkim_signer {
	struct keytable	kt;
	struct signtable st;
	struct dkim_key **key;		/* per KeyTable entry; shared, see owned */
	struct dkim_key **owned;	/* each loaded key once */
	size_t		nowned;
	int		multiple, subdomains, add_identity;
	enum dkimc_alg	hc, bc;		/* header and body canonicalization */
	struct strlist	sign_hdrs;	/* final SignHeaders (From included) */
	struct strlist	over_hdrs;	/* final OversignHeaders: always N+1 in h= */
	struct strlist	opt_hdrs;	/* final OversignHeadersIfPresent: N+1 when N>0 */
	uint64_t	ttl;		/* SignatureTTL, 0: no x= */
	struct strlist	dont_sign_to;	/* lower case */
};

/*
 * dkim_signer_new - tables and keys for c.  A missing or unreadable table
 * or key, a parse error, an unsafe key (RequireSafeKeys), or a SigningTable
 * entry naming a key the KeyTable lacks: NULL with "file:line: why" or
 * "path: why" in err.  With no signing keywords set, an empty signer
 * (dkim_signer_nkeys 0) that signs nothing.
 */
struct dkim_signer *dkim_signer_new(const struct conf *c, struct buf *err);
/* dkim_signer_free - release tables, keys and lists; NULL is a no-op */
void		dkim_signer_free(struct dkim_signer *s);
/* dkim_signer_nkeys - how many KeyTable entries (keys) are loaded */
size_t		dkim_signer_nkeys(const struct dkim_signer *s);
/* dkim_signer_dont_sign_to - 1 when rcpt is listed in DontSignMailTo (the
 * address, its domain, or ".parent" of its domain) */
int		dkim_signer_dont_sign_to(const struct dkim_signer *s, const char *rcpt);

#endif
