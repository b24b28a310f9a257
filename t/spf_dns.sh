#!/bin/sh
# spf_dns.sh - run test_spf_dns (lib/spf_dns.c: the SPF DNS layer, RFC 7208
# §4.6.4 limits) against the unbound test server
. "$srcdir/lib.sh"
dns_start "$srcdir/zones/spf.conf" || skip_all "cannot start unbound"
export DNS_PORT
"$builddir/test_spf_dns"
