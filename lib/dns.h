/*
 * dns.h - the one resolver: libunbound, shared by every thread
 *
 * One struct dns per engine (config snapshot).  Queries are synchronous for
 * the caller and bounded by DNSTimeout; internally they run on libunbound's
 * asynchronous interface, with one dispatcher thread delivering answers, so
 * any number of milter threads can wait at once.  libunbound caches answers.
 * A lookup a message started early (DNSPrefetch, dns_prefetch.h) is joined
 * rather than asked again when the message's thread asks it (dnspf_use).
 *
 * Status words follow Postfix: OK / NOTFOUND / RETRY / FAIL, plus a reason,
 * so a caller never has to guess whether a failure is temporary.
 */
#ifndef AUTHMILTER_DNS_H
#define AUTHMILTER_DNS_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "strlist.h"

enum dns_status {
	DNS_OK,		/* at least one record of the type */
	DNS_NOTFOUND,	/* NXDOMAIN or no data of that type (see nxdomain) */
	DNS_RETRY,	/* timeout, SERVFAIL, network trouble: temporary */
	DNS_FAIL	/* permanent: malformed name, REFUSED, bogus DNSSEC */
};

enum dns_sec {
	DNS_SEC_INSECURE,	/* no validation, or an unsigned zone */
	DNS_SEC_SECURE,		/* validated by DNSSEC */
	DNS_SEC_BOGUS		/* validation failed (status is DNS_FAIL) */
};

struct dns_result {
	enum dns_status	status;
	enum dns_sec	sec;
	int		rcode;		/* DNS rcode of the answer, -1 when none */
	int		nxdomain;	/* the name does not exist */
	size_t		count;		/* records of the asked type */
	unsigned char **rdata;		/* count raw rdata, uncompressed */
	size_t	       *rdlen;
	unsigned char  *packet;		/* the whole answer in wire format */
	size_t		packet_len;
	char		why[160];	/* human-readable reason for non-OK */
};

struct dns;

/*
 * dns_new - a resolver asking the given servers ("ADDR[:PORT]",
 * "[IPV6]:PORT"; none: /etc/resolv.conf) with a timeout in seconds;
 * trust_anchor (a file) turns DNSSEC validation on.  NULL with err set.
 */
struct dns     *dns_new(const struct strlist *servers, int timeout, const char *trust_anchor,
		    struct buf *err);
void		dns_free(struct dns *d);
int		dns_timeout(const struct dns *d);

/*
 * dns_query - look up name/type (class IN); *res is always set and the
 * caller frees it with dns_result_free.  Returns res->status.
 */
enum dns_status	dns_query(struct dns *d, const char *name, int rrtype, struct dns_result **res);
void		dns_result_free(struct dns_result *r);

/* dns_txt - the i-th TXT record with its character-strings joined (RFC 7208 §3.3) */
int		dns_txt(const struct dns_result *r, size_t i, struct buf *out);
/* dns_txt_lookup - every TXT record of name as a list; status as dns_query */
enum dns_status	dns_txt_lookup(struct dns *d, const char *name, struct strlist *out,
		    enum dns_sec *sec, char *why, size_t whylen);

/*
 * A per-message budget (DNSBudget).  dns_budget_begin(b, seconds) gives
 * every query the calling thread makes until dns_budget_end(b) one common
 * deadline: a query asked after it is not sent (DNS_RETRY, "DNS budget ...
 * spent"), one in flight waits at most until it; cached answers are still
 * given.  The budget travels with the thread (a thread-local pointer to b)
 * because libspf2 and libopendkim call the resolver without a per-request
 * context.  b belongs to the caller and must outlive the pair; seconds <= 0
 * means no budget.  b->spent says whether the budget cut a lookup.
 */
struct dns_budget {
	struct timespec	deadline;	/* CLOCK_REALTIME */
	int		seconds;
	int		spent;		/* a lookup was refused or cut short */
};
void		dns_budget_begin(struct dns_budget *b, int seconds);
void		dns_budget_end(struct dns_budget *b);

/*
 * dns_wire_name - an uncompressed wire-format name p[0..len) (an rdata's
 * name: PTR, MX exchange) as text without the trailing dot; a '.' or a
 * backslash inside a label escaped with a backslash, any byte outside
 * printable ASCII as backslash-DDD (RFC 1035 section 5.1), so the text is
 * printable ASCII whatever the server sent.  0, or -1 when malformed or
 * longer than outlen - 1.
 */
int		dns_wire_name(const unsigned char *p, size_t len, char *out, size_t outlen);

const char     *dns_status_str(enum dns_status s);
const char     *dns_sec_str(enum dns_sec s);

#endif
