#!/bin/sh
# geoip.sh - lib/geoip against MMDB files built here with MaxMind::DB::Writer
. "$srcdir/lib.sh"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	skip_all "perl MaxMind::DB::Writer::Tree missing (Debian: libmaxmind-db-writer-perl)"
G="$builddir/geoip_tool"
ok "build the country database" perl "$srcdir/data/history/mkmmdb.pl" country "$T/country.mmdb"
ok "build the ASN database" perl "$srcdir/data/history/mkmmdb.pl" asn "$T/asn.mmdb"

out=$("$G" "$T/country.mmdb" "$T/asn.mmdb" 192.0.2.7 198.51.100.1 2001:db8::1 \
	203.0.113.5 ::ffff:192.0.2.9 not-an-ip)
is "$(echo "$out" | sed -n 1p)" '192.0.2.7 1 [DE] 64496 [Example Net "Test" AS]' \
	"IPv4: country, ASN and organisation"
is "$(echo "$out" | sed -n 2p)" '198.51.100.1 1 [FR] 0 []' \
	"registered_country when country is absent; no ASN entry"
is "$(echo "$out" | sed -n 3p)" '2001:db8::1 1 [JP] 4200000000 [Doc Six]' \
	"IPv6, 32-bit ASN"
is "$(echo "$out" | sed -n 4p)" '203.0.113.5 0 [] 0 []' "unknown address: empty, rc 0"
is "$(echo "$out" | sed -n 5p)" '::ffff:192.0.2.9 1 [DE] 64496 [Example Net "Test" AS]' \
	"IPv4-mapped IPv6 address"
is "$(echo "$out" | sed -n 6p)" 'not-an-ip -1 [] 0 []' "not an address: rc -1"

out=$("$G" "$T/country.mmdb" - 192.0.2.7)
is "$out" '192.0.2.7 1 [DE] 0 []' "country database alone"
out=$("$G" - "$T/asn.mmdb" 192.0.2.7)
is "$out" '192.0.2.7 1 [] 64496 [Example Net "Test" AS]' "ASN database alone"
out=$("$G" "$T/missing.mmdb" - 192.0.2.7)
like "$out" "^error: GeoIPDatabase $T/missing.mmdb: .*No such file" "missing file: error names it"
out=$("$G" "$srcdir/data/history/opendmarc-1.4.2.history" - 192.0.2.7)
like "$out" "^error: GeoIPDatabase .*invalid metadata" "not an MMDB file: error"
out=$("$G" - - 192.0.2.7)
like "$out" "^error: no GeoIP database" "neither database: error"
done_testing
