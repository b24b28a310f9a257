#!/bin/sh
# dashboard_db.sh - "authmilter-report dashboard" (report/dash_store.c):
# samples of t/data/ingest (two policy domains, a range of weeks, a failure
# report) ingested into a new SQLite database and a real PostgreSQL server
# (t/pg_lib.sh; skipped when it cannot start), then the site written from
# it: index.html names every domain "reports --json" lists with the message
# total it gives, the terminal summary's pass rate matches an independent
# count over the XML (xml.etree: a row passes when its policy-evaluated dkim
# or spf is pass), each domain page lists its sources and reporting org,
# failures.html the failure report; a missing SQLite file exits 66, an
# unreadable database 75 and a missing --out 64
. "$srcdir/lib.sh"
. "$srcdir/pg_lib.sh"
R="$top_builddir/report/authmilter-report"
SQL="$top_srcdir/report/sql"
D="$srcdir/data/ingest"
need "$R" "$PY" sqlite3

mkdir -p "$T/in"
cp "$D/agg-rfc7489.xml" "$D/agg-rfc9990.xml" "$D/quirk-weeks.xml" "$D/msg-arf.eml" "$T/in/"
# a second policy domain: the RFC 7489 sample under another domain and id
sed -e 's#<policy_published><domain>example.com<#<policy_published><domain>example.org<#' \
	-e 's#<report_id>r-7489-1<#<report_id>r-org-1<#' "$D/agg-rfc7489.xml" > "$T/in/org.xml"

# pass rates counted from the XML independently, one decimal rounded down
rate() { $PY -c 'import sys, xml.etree.ElementTree as E
p = n = 0
for f in sys.argv[1:]:
    for r in E.parse(f).getroot().iter():
        if r.tag.split("}")[-1] != "row": continue
        v = {e.tag.split("}")[-1]: (e.text or "").strip().lower() for e in r.iter()}
        n += int(v["count"])
        p += int(v["count"]) if "pass" in (v.get("dkim"), v.get("spf")) else 0
print("pass %d.%d%%  messages %d" % (p * 100 // n, p * 1000 // n % 10, n))' "$@"; }
RATE_COM=$(rate "$T/in/agg-rfc7489.xml" "$T/in/agg-rfc9990.xml" "$T/in/quirk-weeks.xml")
RATE_ORG=$(rate "$T/in/org.xml")

# cases B DB - ingest into DB, the site in $T/site-B, its checks (B labels them)
cases() {
	B=$1 DB=$2 S="$T/site-$1"
	[ "$B" = sqlite ] || "$R" db-init --db "$DB" --sql-dir "$SQL" >/dev/null
	"$R" ingest --db "$DB" --sql-dir "$SQL" "$T/in" 2> "$T/ingest.err"
	is "$?" 0 "$B: the samples ingested"

	"$R" dashboard --db "$DB" --out "$S" > "$T/summary-$B" 2> "$T/err"
	is "$?" 0 "$B: dashboard writes the site"
	ok "$B: index.html written" test -s "$S/index.html"

	# totals: "domain messages" per policy domain, from reports --json
	"$R" reports --db "$DB" --json | $PY -c 'import json,sys
t = {}
for l in sys.stdin:
    j = json.loads(l)
    t[j["policy_domain"]] = t.get(j["policy_domain"], 0) + j["messages"]
for d in sorted(t): print(d, t[d])' > "$T/totals-$B"
	is "$(cut -d' ' -f1 "$T/totals-$B" | tr '\n' ' ')" "example.com example.org " "$B: reports --json: two domains"
	while read -r dom n; do
		like "$(cat "$S/index.html")" ">$dom<" "$B: index.html names $dom"
		like "$(cat "$S/index.html")" "$n messages in 30 days" "$B: index.html: $dom's $n messages"
	done < "$T/totals-$B"

	like "$(cat "$T/summary-$B")" "example.com  $RATE_COM" \
		"$B: summary: example.com's pass rate as counted from the XML"
	like "$(cat "$T/summary-$B")" "example.org  $RATE_ORG" \
		"$B: summary: example.org's pass rate as counted from the XML"
	ORG=$(ls "$S"/domain-*-example.org.html)
	like "$(cat "$ORG")" "192.0.2.1" "$B: example.org page: its passing source"
	like "$(cat "$ORG")" "2001:db8::1" "$B: example.org page: its failing source"
	like "$(cat "$ORG")" "Example Receiver" "$B: example.org page: the reporting org"
	like "$(cat "$S/failures.html")" "203.0.113.9" "$B: failures.html: the ARF report's source"
	like "$(cat "$T/summary-$B")" "failure reports: 1" "$B: summary: one failure report"
}

cases sqlite "sqlite:$T/dash.db"
if pg_start "$T/pg"; then
	cases pg "$(pg_createdb dash)"
else
	pg_skipped
fi

"$R" dashboard --db "sqlite:$T/no/such/dir/x.db" --out "$T/site2" 2> "$T/err2"
is "$?" 66 "an SQLite file that does not exist: exit 66"
echo "not a database" > "$T/junk.db"
"$R" dashboard --db "sqlite:$T/junk.db" --out "$T/site2" 2> "$T/err2"
is "$?" 75 "an unreadable database: exit 75"
"$R" dashboard --db "sqlite:$T/dash.db" > /dev/null 2>&1
is "$?" 64 "no --out: usage, exit 64"
done_testing
