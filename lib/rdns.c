/*
 * rdns.c - reverse DNS names of IP addresses, forward-confirmed
 * (rdns.h)
 *
 * The reverse name is built from the address's bytes (RFC 1035 section
 * 3.5: in-addr.arpa, the octets reversed; RFC 3596 section 2.5: ip6.arpa,
 * the nibbles reversed).  Of the PTR records, the first is kept.  The
 * confirmation asks the name's A (IPv4) or AAAA (IPv6) records and
 * compares their bytes with the address's: a PTR record is whatever the
 * owner of the address block publishes, so an unconfirmed name says
 * nothing about who sent the mail.
 */
#include "config.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <stdio.h>
#include <string.h>

#include "rdns.h"

/* rdns_bytes - ip's address bytes into a (4 or 16 of them; an IPv4-mapped
 * IPv6 address gives its 4); the count, or 0 when ip is not an address */
static size_t
rdns_bytes(const char *ip, unsigned char a[16])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (inet_pton(AF_INET, ip, a) == 1)
		return 4;
	if (inet_pton(AF_INET6, ip, a) != 1)
		return 0;
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		memmove(a, a + 12, 4);
		return 4;
	}
	return 16;
}

/* rdns_ptr_name - see rdns.h */
int
rdns_ptr_name(const char *ip, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	size_t n = rdns_bytes(ip, a), o = 0, i;

	if (n == 4) {
		i = (size_t)snprintf(out, outlen, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return n && i < outlen ? 0 : -1;
	}
	if (n == 0 || outlen < 16 * 4 + sizeof("ip6.arpa"))
		return -1;
	for (i = 16; i-- > 0;) {
		out[o++] = hex[a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", sizeof("ip6.arpa"));
	return 0;
}

/* rdns_confirm - 1 when name's A or AAAA records (as ip's family) hold the
 * address bytes a[0..n) */
static int
rdns_confirm(struct dns *d, const char *name, const unsigned char *a, size_t n)
{
	struct dns_result *res;
	size_t i;
	int ok = 0;

	/* an escaped byte is no host name: nothing to ask */
	if (strchr(name, '\\') != NULL)
		return 0;
	if (dns_query(d, name, n == 4 ? ns_t_a : ns_t_aaaa, &res) == DNS_OK)
		for (i = 0; i < res->count && !ok; i++)
			ok = res->rdlen[i] == n && memcmp(res->rdata[i], a, n) == 0;
	dns_result_free(res);
	return ok;
}

/* rdns_lookup - see rdns.h */
enum dns_status
rdns_lookup(struct dns *d, const char *ip, struct rdns_result *r)
{
	char qname[80];
	unsigned char a[16];
	size_t n = rdns_bytes(ip, a);
	struct dns_result *res;

	memset(r, 0, sizeof(*r));
	if (n == 0 || rdns_ptr_name(ip, qname, sizeof(qname)) != 0) {
		r->status = DNS_FAIL;
		snprintf(r->why, sizeof(r->why), "not an IP address");
		return r->status;
	}
	r->status = dns_query(d, qname, ns_t_ptr, &res);
	if (r->status == DNS_OK && (res->count == 0 ||
	    dns_wire_name(res->rdata[0], res->rdlen[0], r->name, sizeof(r->name)) != 0 ||
	    r->name[0] == '\0')) {
		r->status = DNS_FAIL;
		snprintf(r->why, sizeof(r->why), "malformed PTR record");
		r->name[0] = '\0';
	} else if (r->status != DNS_OK)
		snprintf(r->why, sizeof(r->why), "%s", res->why);
	dns_result_free(res);
	if (r->status == DNS_OK)
		r->confirmed = rdns_confirm(d, r->name, a, n);
	return r->status;
}
