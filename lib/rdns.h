/*
 * rdns.h - the reverse DNS name of an IP address: its PTR name
 * (RFC 1035 section 3.5; IPv6: RFC 3596 section 2.5), forward-confirmed
 * when that name's A or AAAA records hold the address again
 *
 * Used by authmilter-report enrich (report/enrich.c) over the resolver of
 * dns.h; safe from any number of threads, as dns_query is.  Names are
 * peer-controlled: rdns_lookup returns dns_wire_name's escaped text
 * (printable ASCII), which callers still escape for HTML or a terminal.
 * Ownership: results are written into the caller's buffers.
 */
#ifndef AUTHMILTER_RDNS_H
#define AUTHMILTER_RDNS_H

#include <stddef.h>

#include "dns.h"

/* rdns_ptr_name - the PTR query name of ip (text IPv4 or IPv6; an
 * IPv4-mapped IPv6 address is its IPv4 one): "4.3.2.1.in-addr.arpa" or
 * 32 nibbles and "ip6.arpa"; 0, or -1 when ip is not an address */
int	rdns_ptr_name(const char *ip, char *out, size_t outlen);

/* what rdns_lookup found */
struct rdns_result {
	enum dns_status	status;		/* of the PTR lookup */
	char		name[256];	/* the first PTR name, "" when none */
	int		confirmed;	/* name's A/AAAA records hold ip */
	char		why[160];	/* the reason when status is not DNS_OK */
};

/*
 * rdns_lookup - ip's PTR name, then (when there is one) its A or AAAA
 * records to confirm it.  Fills *r; returns r->status: DNS_OK with a
 * name, DNS_NOTFOUND (no PTR), DNS_RETRY (temporary: ask again later),
 * DNS_FAIL (permanent, or ip is not an address).  A failure of the
 * confirming lookup leaves the name unconfirmed, not the result failed.
 */
enum dns_status	rdns_lookup(struct dns *d, const char *ip, struct rdns_result *r);

#endif
