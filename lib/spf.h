/*
 * spf.h - SPF (RFC 7208) evaluation of the HELO and MAIL FROM identities
 *
 * One struct spf_engine per engine (config snapshot) wraps one libspf2
 * SPF_server_t whose DNS layer is our resolver (lib/spf_dns.h over
 * lib/dns.h).  Any number of threads may call spf_check_helo and
 * spf_check_mailfrom on the same engine at once: the server is read-only
 * after spf_engine_new, and the per-evaluation state (the RFC 7208 §4.6.4
 * lookup and void-lookup counters) lives on the caller's stack.  The
 * Received-SPF header value of an outcome: spf_received.h.
 *
 * Ownership: spf_engine_new does not take over dns (the caller keeps it alive
 * until spf_engine_free); struct spf_outcome is a plain value owned by the
 * caller.
 */
#ifndef AUTHMILTER_SPF_H
#define AUTHMILTER_SPF_H

#include "buf.h"
#include "strlist.h"

struct dns;
struct conf;
struct spf_engine;

struct spf_outcome {
	char	result[16];	/* none neutral pass fail softfail temperror permerror */
	char	identity[16];	/* "helo" or "mailfrom" (RFC 7208 §2.3, §2.4) */
	char	domain[256];	/* identity domain evaluated */
	char	sender[320];	/* <sender> as evaluated: local@domain or postmaster@helo */
	char	reason[256];	/* human-readable why, never empty */
	int	lookups;	/* DNS-querying terms used (spf_dns.h) */
	int	voids;		/* void lookups seen */
};

/*
 * spf_engine_new - an SPF evaluator resolving through dns (not copied, not
 * owned); c supplies AuthservID (the receiving host, %{r}).  NULL with err.
 */
struct spf_engine *spf_engine_new(struct dns *dns, const struct conf *c, struct buf *err);
void		spf_engine_free(struct spf_engine *s);

/* spf_check_helo - check_host() for the HELO identity (RFC 7208 §2.3) */
void		spf_check_helo(struct spf_engine *s, const char *client_ip, const char *helo,
		    struct spf_outcome *out);

/*
 * spf_check_mailfrom - check_host() for the MAIL FROM identity (RFC 7208
 * §2.4); an empty sender ("" or "<>") is checked as postmaster@helo.
 */
void		spf_check_mailfrom(struct spf_engine *s, const char *client_ip, const char *helo,
		    const char *mail_from, struct spf_outcome *out);

/*
 * spf_prefetch_domains - for DNSPrefetch (lib/dns_prefetch.h): the domains
 * whose SPF record spf_check_mailfrom and spf_check_helo will fetch first,
 * named as libspf2 will ask them, added to out (MAIL FROM's, then HELO's;
 * none for an identity without a valid domain)
 */
void		spf_prefetch_domains(const char *helo, const char *mail_from, struct strlist *out);

/* spf_domain_valid - RFC 7208 §4.3: a multi-label FQDN with sane labels */
int		spf_domain_valid(const char *d);

/* the Received-SPF writer for an outcome comes with it */
#include "spf_received.h"

#endif
