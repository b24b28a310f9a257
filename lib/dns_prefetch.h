/*
 * dns_prefetch.h - DNS lookups started as soon as a message names them
 * (DNSPrefetch), so that end of message waits only for what is still
 * outstanding (issue 16 part 2)
 *
 * A struct dnspf is one message's set of prefetches.  Its owner (struct
 * msg) starts lookups into it while the message arrives: the SPF record of
 * the MAIL FROM and HELO domains (and, as each record arrives, the targets
 * of its include:, redirect=, a:, mx: and exists: terms without macros,
 * recursively, at most 10 per identity as RFC 7208 §4.6.4 allows), each
 * DKIM key, each step of the DMARC tree walk.  A start never blocks: the
 * query goes to libunbound's asynchronous interface and its answer arrives
 * on the resolver's one dispatcher thread, which lands it in the answer
 * cache, keeps it in the set, and starts any follow-up from there; no
 * thread is made per message.
 *
 * At end of message the owner calls dnspf_use(set): until dnspf_use(NULL)
 * every dns_query of the calling thread first looks in the set (dns.c calls
 * dnspf_join): an answer already there is used as a cached one would be (a
 * definite answer within its TTL only; one with TTL 0 serves this message,
 * which is the transaction it was asked for), one in flight is waited for under
 * the caller's own deadline (DNSTimeout, the message's DNSBudget) instead
 * of asking again.  So the evaluation itself is unchanged: it finds its
 * answers sooner.
 *
 * Ownership and lifetimes: the set belongs to its message and dies with it
 * (dnspf_free: at end of message, abort, close, or a new MAIL).
 * dnspf_free cancels every query still in flight (ub_cancel) and, for one
 * whose answer is being delivered at that moment, waits for the dispatcher
 * to finish with it; after it returns libunbound holds no pointer into the
 * set, so the message, its engine and the engine's struct dns (a reload)
 * may go.  The set does not own d; the message's engine reference keeps d
 * alive until after dnspf_free.
 */
#ifndef AUTHMILTER_DNS_PREFETCH_H
#define AUTHMILTER_DNS_PREFETCH_H

#include <time.h>

#include "dns.h"
#include "strlist.h"

/* the most lookups one message starts ahead (the rest wait for eom) */
#define DNSPF_MAX	64

struct dnspf;

/* dnspf_new - an empty set over d (not owned); ipv6: the client address
 * is IPv6, so SPF a and mx terms ask AAAA rather than A */
struct dnspf   *dnspf_new(struct dns *d, int ipv6);
/* dnspf_free - cancel what is in flight and release; NULL is a no-op */
void		dnspf_free(struct dnspf *p);

/* dnspf_spf - the SPF record of domain (TXT), then its targets */
void		dnspf_spf(struct dnspf *p, const char *domain);
/* dnspf_txt - a TXT lookup (a DKIM key, a DMARC walk step) */
void		dnspf_txt(struct dnspf *p, const char *name);
/* dnspf_dmarc - the DMARC discovery of one Author Domain: names is the
 * tree walk (the first one _dmarc.<author>), all asked at once; when the
 * first is NOTFOUND, the author's A record follows (np=, RFC 9989 §4.10.1) */
void		dnspf_dmarc(struct dnspf *p, const char *author, const struct strlist *names);

/* dnspf_use - the calling thread's lookups join p's until dnspf_use(NULL) */
void		dnspf_use(struct dnspf *p);

/*
 * dnspf_join - for dns_query: the calling thread's set's answer for
 * name/type, or NULL.  deadline NULL: only an answer already there (a
 * definite one within its TTL, or of TTL 0); else wait for one in flight until deadline
 * (*timed_out set when it did not come: the caller fails the lookup as a
 * timeout).  The result is the caller's (dns_result_free).
 */
struct dns_result *dnspf_join(struct dns *d, const char *name, int rrtype,
		    const struct timespec *deadline, int *timed_out);

#endif
