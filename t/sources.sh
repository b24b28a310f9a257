#!/bin/sh
# sources.sh - "authmilter-report enrich" (report/enrich.c, lib/rdns.c) and
# the dashboard's sources, the same cases on SQLite and a real PostgreSQL
# server: report sources' PTR names from a real unbound (t/zones/rdns.conf:
# a forward-confirmed name, an unconfirmed one, a name that is markup with
# an escape byte, an address without PTR), AS and country from MMDB files
# built here (t/data/history/mkmmdb.pl, as geoip.sh); a DNS server that does
# not answer leaves the addresses without a name, retried at the next run,
# GeoIP still filled; the cap per run, the refresh after
# ReportEnrichRefreshDays, ReportReverseDNS no; the dashboard's top sources,
# tables by AS and by country, the failing sources with their rDNS and AS
# (peer names escaped in HTML and in the terminal); a database at schema 4
# upgraded; a missing SQLite file neither created nor used (exit 66)
. "$srcdir/lib.sh"
. "$srcdir/pg_lib.sh"
R="$top_builddir/report/authmilter-report"
SQL="$top_srcdir/report/sql"
D="$srcdir/data/ingest"
need "$R" sqlite3
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
	skip_all "perl MaxMind::DB::Writer::Tree missing (Debian: libmaxmind-db-writer-perl)"
perl "$srcdir/data/history/mkmmdb.pl" country "$T/country.mmdb" || exit 1
perl "$srcdir/data/history/mkmmdb.pl" asn "$T/asn.mmdb" || exit 1
dns_start "$(zone_dir)/rdns.conf" || exit 1

# a second report for example.com: the hostile PTR name (failing) and an
# address without PTR
mkdir -p "$T/in"
cp "$D/agg-rfc7489.xml" "$T/in/"
sed -e 's#<report_id>r-7489-1<#<report_id>r-src-1<#' \
    -e 's#<source_ip>192.0.2.1</source_ip><count>3<#<source_ip>192.0.2.2</source_ip><count>40<#' \
    -e 's#<source_ip>2001:db8::1</source_ip><count>2<#<source_ip>198.51.100.7</source_ip><count>1<#' \
    "$D/agg-rfc7489.xml" | sed -e '/192.0.2.2/s#<dkim>pass</dkim><spf>pass</spf></policy#<dkim>fail</dkim><spf>fail</spf></policy#' \
    > "$T/in/src.xml"

conf() { # conf NAME URL NAMESERVER [EXTRA LINE]
	printf 'ReportDatabase %s\nNameservers %s\nDNSTimeout 2\nGeoIPDatabase %s\nGeoASNDatabase %s\n%s\n' \
	    "$2" "$3" "$T/country.mmdb" "$T/asn.mmdb" "${4:-}" > "$T/$1.conf"
}
DEAD="127.0.0.1:$(free_port)"	# nothing answers there

sqlite_new_db() { echo "sqlite:$T/$1.db"; }
sqlite_q() { sqlite3 "${1#sqlite:}" "$2"; }
pg_new_db() { _u=$(pg_createdb "$1") && "$R" db-init --db "$_u" --sql-dir "$SQL" >/dev/null && echo "$_u"; }
pg_q() { pg_psql "$1" "$2"; }
q() { $B"_q" "$@"; }
info() { q "$1" "SELECT ip || ' ' || coalesce(rdns, '-') || ' ' || rdns_ok || ' ' || rdns_status || ' ' || coalesce(asn, 0) || ' ' || coalesce(country, '-') FROM ip_info ORDER BY ip" | tr '\n' '|'; }

cases() {
	B=$1
	u=$($B"_new_db" src)
	"$R" ingest --db "$u" --sql-dir "$SQL" "$T/in" 2>/dev/null
	is "$?" 0 "$B: the samples ingested"

	# DNS down: no name, asked again next time; GeoIP filled all the same
	conf down "$u" "$DEAD"
	out=$("$R" enrich -c "$T/down.conf" 2>&1); rc=$?
	is "$rc" 0 "$B: DNS not answering: enrich still exits 0"
	like "$out" "enrich: 4 addresses looked up: 0 named .* 4 to retry, 0 failed; 4 with GeoIP data" \
	    "$B: DNS not answering: every address to retry, GeoIP data all the same"
	is "$(info "$u")" \
	    "192.0.2.1 - 0 retry 64496 DE|192.0.2.2 - 0 retry 64496 DE|198.51.100.7 - 0 retry 0 FR|2001:db8::1 - 0 retry 4200000000 JP|" \
	    "$B: DNS not answering: stored without names, AS and country known"
	"$R" dashboard --db "$u" --out "$T/site0-$B" --quiet
	like "$(cat "$T"/site0-$B/domain-*-example.com.html)" "<td>192.0.2.1</td><td>-</td><td>AS64496 " \
	    "$B: DNS not answering: the dashboard shows the address without a name"

	# the server answers: the names, confirmed or not
	conf up "$u" "127.0.0.1:$DNS_PORT"
	out=$("$R" enrich -c "$T/up.conf" 2>&1); rc=$?
	is "$rc" 0 "$B: enrich exits 0"
	like "$out" "enrich: 4 addresses looked up: 3 named \(1 forward-confirmed\), 1 without PTR, 0 to retry, 0 failed" \
	    "$B: the retried addresses looked up again"
	is "$(info "$u")" \
	    "192.0.2.1 mail.example.com 1 ok 64496 DE|192.0.2.2 <b>x</b>\\027.evil.example 0 ok 64496 DE|198.51.100.7 - 0 none 0 FR|2001:db8::1 v6.example.net 0 ok 4200000000 JP|" \
	    "$B: names stored (a control byte as \\DDD), forward-confirmed only where the A record agrees"
	is "$(q "$u" "SELECT as_org FROM ip_info WHERE ip = '192.0.2.1'")" 'Example Net "Test" AS' \
	    "$B: the AS organisation stored"
	out=$("$R" enrich -c "$T/up.conf" 2>&1)
	like "$out" "enrich: 0 addresses looked up" "$B: a second run: nothing to look up"

	"$R" dashboard --db "$u" --out "$T/site-$B" > "$T/summary-$B"
	is "$?" 0 "$B: the dashboard written"
	P=$(cat "$T"/site-$B/domain-*-example.com.html)
	like "$P" "<td>192.0.2.1</td><td>mail.example.com</td><td>AS64496 Example Net &quot;Test&quot; AS</td><td>DE</td>" \
	    "$B: top sources: a confirmed name, AS and country"
	like "$P" "<td>2001:db8::1</td><td>v6.example.net <span class=\"unconf\"[^>]*>\(unconfirmed\)</span></td><td>AS4200000000 Doc Six</td><td>JP</td>" \
	    "$B: top sources: an unconfirmed name says so"
	like "$P" "&lt;b&gt;x&lt;/b&gt;\\\\027.evil.example" "$B: the markup PTR name escaped"
	is "$(printf '%s' "$P" | grep -c '<b>x')" 0 "$B: no peer tag in the page"
	like "$(printf '%s' "$P" | tr -d '\n')" "<table class=\"failing\">.*<td>192.0.2.2</td><td>&lt;b&gt;x&lt;/b&gt;[^<]*<span[^>]*>\(unconfirmed\)</span></td><td>AS64496 Example" \
	    "$B: p=reject verdict: the failing source named with its rDNS and AS"
	like "$(printf '%s' "$P" | tr -d '\n')" "<table class=\"by-asn\">.*<td>AS64496 Example Net &quot;Test&quot; AS</td><td class=\"n\">2</td><td class=\"n\">43</td>" \
	    "$B: by AS: AS64496's two sources and 43 messages"
	like "$(printf '%s' "$P" | tr -d '\n')" "<table class=\"by-country\">.*<td>JP</td><td class=\"n\">1</td><td class=\"n\">2</td>" \
	    "$B: by country: JP's one source and 2 messages"
	like "$(cat "$T/summary-$B")" "! 192.0.2.2 <b>x</b>\\\\x5c027.evil.example failing 40 of 40 AS64496 Example Net \"Test\" AS \[DE\]" \
	    "$B: summary: the failing source with its rDNS (backslash escaped), AS and country"

	# the cap per run, most messages first; stale rows looked up again
	u2=$($B"_new_db" cap)
	"$R" ingest --db "$u2" --sql-dir "$SQL" "$T/in" 2>/dev/null
	conf cap "$u2" "127.0.0.1:$DNS_PORT"
	out=$("$R" enrich -c "$T/cap.conf" --max 1 2>&1)
	like "$out" "enrich: 1 addresses looked up" "$B: --max 1: one address"
	is "$(q "$u2" "SELECT ip FROM ip_info")" 192.0.2.2 "$B: --max 1: the one sending the most first"
	out=$("$R" enrich -c "$T/cap.conf" 2>&1)
	like "$out" "enrich: 3 addresses looked up" "$B: the next run: the others"
	q "$u2" "UPDATE ip_info SET looked_up = looked_up - 31 * 86400 WHERE ip = '192.0.2.1'" >/dev/null
	out=$("$R" enrich -c "$T/cap.conf" 2>&1)
	like "$out" "enrich: 1 addresses looked up" "$B: a row older than 30 days (ReportEnrichRefreshDays) looked up again"

	# ReportReverseDNS no: GeoIP only
	u3=$($B"_new_db" nordns)
	"$R" ingest --db "$u3" --sql-dir "$SQL" "$T/in" 2>/dev/null
	conf nordns "$u3" "127.0.0.1:$DNS_PORT" "ReportReverseDNS no"
	"$R" enrich -c "$T/nordns.conf" --quiet
	is "$(info "$u3")" \
	    "192.0.2.1 - 0 off 64496 DE|192.0.2.2 - 0 off 64496 DE|198.51.100.7 - 0 off 0 FR|2001:db8::1 - 0 off 4200000000 JP|" \
	    "$B: ReportReverseDNS no: no names, AS and country stored"
}
on_both cases

# a database at schema version 4 (before 006-sources): db-upgrade, then enrich
u="sqlite:$T/v4.db"
"$R" db-init --db "$u" --sql-dir "$SQL" --to 4 > /dev/null
out=$("$R" db-upgrade --db "$u" --sql-dir "$SQL" 2>&1)
is "$out" "sqlite: schema version 4 -> 6" "a version 4 database upgraded"
"$R" ingest --db "$u" --sql-dir "$SQL" "$T/in" 2>/dev/null
conf v4 "$u" "127.0.0.1:$DNS_PORT"
out=$("$R" enrich -c "$T/v4.conf" 2>&1); rc=$?
like "$rc $out" "^0 enrich: 4 addresses looked up: 3 named" "and enriched"

out=$("$R" enrich --db "sqlite:$T/absent.db" 2>&1); rc=$?
is "$rc" 66 "enrich on a missing SQLite file: exit 66"
ok "enrich on a missing SQLite file: nothing created" test ! -e "$T/absent.db"
printf 'GeoIPDatabase %s\n' "$T/none.mmdb" > "$T/badgeo.conf"
out=$("$R" enrich -c "$T/badgeo.conf" --db "sqlite:$T/v4.db" 2>&1); rc=$?
like "$rc $out" "^78 .*none.mmdb" "a GeoIP database that cannot be read: exit 78, named"
"$R" enrich --max 0 > /dev/null 2>&1
is "$?" 64 "--max 0: usage, exit 64"
done_testing
