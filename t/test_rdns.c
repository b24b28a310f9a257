/*
 * test_rdns.c - the pure halves of reverse DNS: lib/rdns.c's PTR query
 * names (RFC 1035 section 3.5, RFC 3596 section 2.5) and lib/dns.c's
 * wire-format names as escaped text (a PTR answer is peer-controlled);
 * the lookups against a real server are t/sources.sh
 */
#include "config.h"

#include <string.h>

#include "dns.h"
#include "rdns.h"
#include "tap.h"

/* ptr - rdns_ptr_name of ip, or "ERROR" */
static const char *
ptr(const char *ip)
{
	static char out[128];

	if (rdns_ptr_name(ip, out, sizeof(out)) != 0)
		return "ERROR";
	return out;
}

static void
test_ptr_names(void)
{
	char small[8];

	is_str(ptr("192.0.2.1"), "1.2.0.192.in-addr.arpa", "IPv4: octets reversed");
	is_str(ptr("2001:db8::1"),
	    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
	    "IPv6: 32 nibbles reversed");
	is_str(ptr("::ffff:198.51.100.7"), "7.100.51.198.in-addr.arpa",
	    "IPv4-mapped IPv6: its IPv4 name");
	is_str(ptr("not-an-ip"), "ERROR", "not an address");
	is_str(ptr("192.0.2.1/24"), "ERROR", "a CIDR is not an address");
	is_str(ptr(""), "ERROR", "empty");
	is_int(rdns_ptr_name("192.0.2.1", small, sizeof(small)), -1, "too small a buffer");
}

/* wire - dns_wire_name of the wire-format bytes w[0..n), or "ERROR" */
static const char *
wire(const char *w, size_t n, size_t outlen)
{
	static char out[300];

	if (dns_wire_name((const unsigned char *)w, n, out, outlen) != 0)
		return "ERROR";
	return out;
}

static void
test_wire_names(void)
{
	is_str(wire("\4mail\7example\3com\0", 18, 300), "mail.example.com", "a plain name");
	is_str(wire("\0", 1, 300), "", "the root");
	is_str(wire("\11<b>x</b>\33\4evil\0", 16, 300), "<b>x</b>\\027.evil",
	    "a control byte as \\DDD (markup is left for the HTML writer)");
	is_str(wire("\3a.b\2c\\\0", 8, 300), "a\\.b.c\\\\", "'.' and '\\' in a label escaped");
	is_str(wire("\5abc", 4, 300), "ERROR", "a label past the end");
	is_str(wire("\100abc\0", 5, 300), "ERROR", "a label over 63 bytes");
	is_str(wire("\4mail\0", 6, 4), "ERROR", "longer than the buffer");
}

int
main(void)
{
	test_ptr_names();
	test_wire_names();
	return tap_done();
}
