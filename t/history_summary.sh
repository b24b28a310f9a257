#!/bin/sh
# history_summary.sh - authmilter-report summary over history files: ours
# with GeoIP keywords, OpenDMARC 1.4.2's, gzip, torn records, time windows
. "$srcdir/lib.sh"
R="$top_builddir/report/authmilter-report"
[ -x "$R" ] || skip_all "authmilter-report not built"
need gzip

# rec JOB RECEIVED IP PDOMAIN POLICY ALIGN_DKIM ALIGN_SPF ACTION [COUNTRY ASN ASORG]
rec() {
	printf 'job %s\nreporter mx.test\nreceived %s\nipaddr %s\nfrom %s\nmfrom %s\n' \
		"$1" "$2" "$3" "$4" "$4"
	printf 'dkim %s s1 0\nspf 0\nspf_scope 1\npdomain %s\npolicy %s\nrua -\npct 100\n' \
		"$4" "$4" "$5"
	printf 'adkim 114\naspf 114\np 114\nsp 0\nalign_dkim %s\nalign_spf %s\n' "$6" "$7"
	printf 'arc 7\narc_policy 2 json:[]\n'
	[ -n "$9" ] && printf 'country %s\nasn %s\nasorg %s\n' "$9" "${10}" "${11}"
	printf 'action %s\n' "$8"
}
H="$T/history"
{
	rec q1 1000 192.0.2.1 example.com 15 4 4 2 DE 64496 Example\\x20AS
	rec q2 1001 192.0.2.1 example.com 15 4 5 2 DE 64496 Example\\x20AS
	rec q3 1002 192.0.2.2 example.com 16 5 5 0 FR 64497 Other
	rec q4 1003 198.51.100.9 example.com 17 5 5 4
	rec q5 1004 2001:db8::1 bank.example 16 5 5 3 JP 64498 Six
	rec q6 2000 192.0.2.1 example.com 15 4 4 2 DE 64496 Example\\x20AS
	printf 'job torn\nreporter mx.test\nreceived 100'
} > "$H"

out=$("$R" summary --history "$H")
like "$out" "^6 records from 1 files, 1 malformed or torn records skipped" "header counts records, files and the torn one"
like "$out" "example\.com +5 +3 +2 +3 +2 +2 +3 +3 +1 +1 +0" "example.com row"
like "$out" "bank\.example +1 +0 +1 +0 +1 +0 +1 +0 +0 +0 +1" "bank.example row: tempfail is OTHER"
like "$out" "example\.com +192\.0\.2\.1 +3 +DE +64496 +Example AS" "top source with country, ASN and organisation"
like "$out" "example\.com +198\.51\.100\.9 +1 +- +- +-" "source without GeoIP data"
like "$(echo "$out" | sed -n '/^DOMAIN/{n;p;q;}')" "^example\.com " "domains sorted by messages"

"$R" summary --history "$H" --json > "$T/s.json"
ok "--json is valid JSON" /usr/bin/python3 -m json.tool "$T/s.json"
got=$(/usr/bin/python3 - "$T/s.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
d = {x["domain"]: x for x in j["domains"]}
e = d["example.com"]
print(j["records"], j["skipped"], e["messages"], e["dmarc"], e["dkim"], e["spf"],
      e["action"]["accept"], e["action"]["quarantine"], e["action"]["reject"],
      d["bank.example"]["action"]["tempfail"],
      e["sources"][0]["ip"], e["sources"][0]["messages"], e["sources"][0]["country"],
      e["sources"][0]["asn"], e["sources"][0]["asorg"], e["sources"][2]["country"])
PY
)
is "$got" "6 1 5 {'pass': 3, 'fail': 2, 'none': 0} {'pass': 3, 'fail': 2} {'pass': 2, 'fail': 3} 3 1 1 1 192.0.2.1 3 DE 64496 Example AS None" "JSON values"

out=$("$R" summary --history "$H" --from 1000 --to 1003 --json)
like "$out" '"records":3,.*"from":1000,"to":1003,"outside":3' "--from/--to: [from, to) window"

gzip -c "$H" > "$T/history.1.gz"
out=$("$R" summary --history "$H" --history "$T/history.1.gz" --json)
like "$out" '"files":2,"records":12,"skipped":2' "gzip file read alongside the plain one"

out=$("$R" summary --history "$srcdir/data/history/opendmarc-1.4.2.history")
like "$out" "bank\.example +1 +0 +1 +0 +1 +0 +1 +0 +0 +1 +0" "OpenDMARC 1.4.2 history file"

cat > "$T/conf" <<CONF
HistoryFile $H
CONF
out=$("$R" summary -c "$T/conf" --top 1)
like "$out" "^12 records from 2 files" "-c CONF: HistoryFile and its .1.gz; missing .1 and .gz ignored"
is "$(echo "$out" | sed -n '/^Top 1 /,$p' | grep -c '^[a-z]')" 2 "--top 1: one source per domain"

"$R" summary --history "$T/missing" >/dev/null 2>"$T/err"
is "$?" 66 "missing --history file: exit 66"
like "$(cat "$T/err")" "missing" "and says which"
"$R" summary --from 5 >/dev/null 2>&1
is "$?" 64 "--from without --to: usage"
"$R" summary --bogus >/dev/null 2>&1
is "$?" 64 "unknown option: usage"
done_testing
