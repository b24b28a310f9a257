#!/bin/sh
# dns.sh - run test_dns (lib/dns.c) against the unbound test server and a dead port;
# the server also holds probe.<zone> TXT in every zone libunbound would
# answer itself by default (t/zones/rfc6303.txt), which must reach it
. "$srcdir/lib.sh"
grep -v '^#' "$srcdir/zones/rfc6303.txt" | while read -r z; do
	printf '  local-zone: "%s" static\n' "$z"
	printf "  local-data: 'probe.%s 300 IN TXT \"from the server\"'\n" "$z"
done > "$T/rfc6303.conf"
dns_start "$srcdir/zones/dns.conf" "$T/rfc6303.conf" || skip_all "cannot start unbound"
DEAD_PORT=$(free_port)
LOCAL_ZONES="$srcdir/zones/rfc6303.txt"
export DNS_PORT DEAD_PORT LOCAL_ZONES
"$builddir/test_dns"
