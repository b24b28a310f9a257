/*
 * rua.h - DMARC "rua" report URIs: parsing, address checks, external
 * destination verification (RFC 9990 §"Verifying External Destinations")
 *
 * rua_parse and rua_addr_valid are pure.  A struct rua_list owns its
 * entries and their strings; rua_list_free releases them.  rua_verify
 * asks the DNS and fills a strlist the caller owns.
 *
 * I/O: DNS queries in rua_verify only; everything else is pure.
 */
#ifndef AUTHMILTER_RUA_H
#define AUTHMILTER_RUA_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

struct dns;
struct dmarc_engine;

enum rua_kind {
	RUA_MAILTO,		/* mailto: with one valid address */
	RUA_UNSUPPORTED,	/* a well-formed URI of another scheme */
	RUA_INVALID		/* malformed, or an address we refuse */
};

struct rua_uri {
	enum rua_kind	kind;
	char	       *uri;	/* the URI as written, trimmed, without !size */
	char	       *addr;	/* RUA_MAILTO: the decoded addr-spec, else NULL */
	const char     *host;	/* RUA_MAILTO: domain part inside addr */
	char		why[96];/* why it is not RUA_MAILTO */
};

struct rua_list {
	size_t		n;
	struct rua_uri *v;
};

/*
 * rua_parse - append the URIs of a rua tag value (a comma-separated list,
 * RFC 9989 §4.7) to out.  Returns the number appended.
 */
size_t	rua_parse(const char *s, size_t len, struct rua_list *out);
void	rua_list_free(struct rua_list *l);

/*
 * rua_addr_valid - strict addr-spec check for an address handed to a
 * sendmail command: dot-atom local part of [A-Za-z0-9._+=-], LDH domain
 * with at least two labels; no spaces, controls or shell metacharacters.
 */
int	rua_addr_valid(const char *s, size_t len);

/* rua_domain_valid - an LDH host name (labels of [A-Za-z0-9_-], no empties) */
int	rua_domain_valid(const char *s, size_t len);

/* rua_same_org - equal or one under the other (NoReportsList, report
 * rows); not the Organizational Domain test of rua_verify */
int	rua_same_org(const char *a, const char *b);

enum rua_verdict {
	RUA_VERIFY_OK,		/* internal, or authorised by the destination */
	RUA_VERIFY_DENIED,	/* no v=DMARC1 record, or an override elsewhere */
	RUA_VERIFY_TEMP		/* the DNS failed temporarily */
};

/*
 * rua_verify - decide whether u (RUA_MAILTO) may receive reports about
 * pdomain; on RUA_VERIFY_OK appends the address(es) to use to out (the
 * destination may override them, same host only).  why explains the rest.
 * No check is made when the destination host's Organizational Domain is
 * the policy domain's, found with dm (dmarc_org_domain); with dm NULL only
 * the policy domain itself is exempt.  Neither d nor dm is kept.
 */
enum rua_verdict rua_verify(struct dns *d, struct dmarc_engine *dm, const char *pdomain,
		    const struct rua_uri *u, struct strlist *out, struct buf *why);

/* rua_txt_authorises - pure part of rua_verify: does this TXT record start with v=DMARC1 */
int	rua_txt_authorises(const char *txt, size_t len);

#endif
