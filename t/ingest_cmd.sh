#!/bin/sh
# ingest_cmd.sh - "authmilter-report ingest | reports | failures" (issue 14
# items 1-3), the same cases against SQLite and a real PostgreSQL server:
# every sample of t/data/ingest through each input path (file, folder,
# .xml.gz, .zip, .eml, mbox, Maildir, standard input) with its counts read
# back by "reports --json", duplicates stored once, a refused input (exit
# 65, its reason stored), an unreachable database (exit 75), a range of
# days split per day summing to its total, and our own reporter's reports
# ingested back to the history's counts
. "$srcdir/lib.sh"
. "$srcdir/pg_lib.sh"
R="$top_builddir/report/authmilter-report"
GEN="$builddir/report_gen"
SQL="$top_srcdir/report/sql"
D="$srcdir/data/ingest"
need "$R" "$GEN" "$PY" sqlite3

# per back end: new_db NAME (prints a URL), q URL SQL
sqlite_new_db() { echo "sqlite:$T/$1.db"; }
sqlite_q() { sqlite3 "${1#sqlite:}" "$2"; }
# (a new SQLite file gets its schema from ingest; PostgreSQL needs db-init)
pg_new_db() { _u=$(pg_createdb "$1") && init "$_u" && echo "$_u"; }
pg_q() { pg_psql "$1" "$2"; }

ing() { _u=$1; shift; "$R" ingest --db "$_u" --sql-dir "$SQL" "$@"; }
init() { "$R" db-init --db "$1" --sql-dir "$SQL" >/dev/null; }
q() { $B"_q" "$@"; }
# ids URL - the stored reports' ids, sorted, on one line
ids() { "$R" reports --db "$1" --json | $PY -c 'import json,sys
print(" ".join(sorted(json.loads(l)["report_id"] for l in sys.stdin)))'; }
# totals URL - "report_id rows messages format" per stored report, sorted
totals() { "$R" reports --db "$1" --json | $PY -c 'import json,sys
for j in sorted((json.loads(l) for l in sys.stdin), key=lambda j: j["report_id"]):
    print(j["report_id"], j["rows"], j["messages"], j["format"], j["policy_domain"], j["begin"], j["end"])'; }

# the samples' known totals: the well-formed two summed by an independent
# parser (xml.etree), the quirky ones as t/data/ingest/mksamples.py wrote them
xsum() { $PY -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot()
c = [int(e.text) for e in r.iter() if e.tag.split("}")[-1] == "count"]
print(len(c), sum(c))' "$1"; }
W=1700006400
WANT_ALL=$(cat <<W
r-1252 2 5 rfc7489 example.com $W 1700092799
r-7489-1 $(xsum "$D/agg-rfc7489.xml") rfc7489 example.com $W 1700092799
r-9990-1 $(xsum "$D/agg-rfc9990.xml") rfc9990 example.com $W 1700092799
r-case 1 5 rfc7489 example.com $W 1700092799
r-esc&1 1 4 rfc7489 example.com $W 1700092799
r-latin1 2 5 rfc7489 example.com $W 1700092799
r-laughs 2 5 rfc7489 example.com $W 1700092799
r-nested 2 5 rfc7489 example.com $W 1700092799
r-qp 2 5 rfc7489 example.com $W 1700092799
r-weeks 2 5 rfc7489 example.com $W $((W + 21 * 86400 - 1))
r-wrap 2 5 rfc7489 example.com $W 1700092799
r-xxe 2 5 rfc7489 example.com $W 1700092799
r-zero 2 7 rfc7489 example.com $W 1700092799
W
)

# the inputs: the samples in nested folders, a Maildir, report files
mkdir -p "$T/in/a/b" "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp"
for f in "$D"/*.xml "$D"/*.eml "$D"/*.mbox; do cp "$f" "$T/in/a/b/"; done
mv "$T/in/a/b/agg-rfc9990.xml" "$T/in/a/b/msg-arf.eml" "$T/in/"
cp "$D/msg-gzip-b64.eml" "$T/Maildir/cur/1.host:2,S"
cp "$D/msg-zip-as-gzip.eml" "$T/Maildir/new/2.host"
cp "$D/msg-arf.eml" "$T/Maildir/new/3.host"
$PY - "$D" "$T" <<'PYEOF'
import gzip, io, sys, zipfile
d, t = sys.argv[1], sys.argv[2]
x = open(d + "/agg-rfc7489.xml", "rb").read()
open(t + "/r.xml.gz", "wb").write(gzip.compress(x))
bio = io.BytesIO()
with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.xml", x)
    z.writestr("b.xml", open(d + "/agg-rfc9990.xml", "rb").read())
open(t + "/two.zip", "wb").write(bio.getvalue())
# three whole UTC days, 10 messages: split 3, 3, 4 (cumulative rounding)
b = 1700006400
rec = lambda ip, n, dk: ("<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated>"
    "<disposition>none</disposition><dkim>%s</dkim><spf>pass</spf></policy_evaluated></row>"
    "<identifiers><header_from>example.org</header_from></identifiers><auth_results><spf>"
    "<domain>example.org</domain><result>pass</result></spf></auth_results></record>" % (ip, n, dk))
doc = ("<?xml version=\"1.0\"?><feedback><report_metadata><org_name>Split Org</org_name>"
    "<email>r@split.example</email><report_id>r-split</report_id><date_range><begin>%d</begin>"
    "<end>%d</end></date_range></report_metadata><policy_published><domain>example.org</domain>"
    "<p>none</p></policy_published>%s%s</feedback>" % (b, b + 3 * 86400 - 1,
    rec("192.0.2.1", 6, "pass"), rec("192.0.2.2", 4, "pass")))
open(t + "/split.xml", "w").write(doc)
PYEOF

case_paths() {
	u=$($B"_new_db" paths1)
	ing "$u" "$D/agg-rfc7489.xml" 2>/dev/null
	is "$(ids "$u")" r-7489-1 "$B: a .xml file"
	u=$($B"_new_db" paths2)
	ing "$u" "$T/r.xml.gz" 2>/dev/null
	is "$(ids "$u")" r-7489-1 "$B: a .xml.gz file"
	is "$(q "$u" "SELECT count(*) FROM agg_raw")" 1 "$B: its raw bytes stored"
	u=$($B"_new_db" paths3)
	ing "$u" "$T/two.zip" 2>/dev/null
	is "$(ids "$u")" "r-7489-1 r-9990-1" "$B: a .zip: every member"
	u=$($B"_new_db" paths4)
	ing "$u" "$D/msg-octet-qp.eml" 2>/dev/null
	is "$(ids "$u")" r-qp "$B: an .eml message"
	u=$($B"_new_db" paths5)
	ing "$u" "$D/mbox-two.mbox" 2>/dev/null
	is "$(ids "$u")" "r-7489-1 r-nested" "$B: an mbox: a report from each message"
	u=$($B"_new_db" paths6)
	ing "$u" "$T/Maildir" 2>/dev/null
	is "$(ids "$u")" "r-7489-1 r-9990-1" "$B: a Maildir: the aggregate reports"
	is "$(q "$u" "SELECT source_ip FROM fail_report")" 203.0.113.9 "$B: a Maildir: the failure report"
	u=$($B"_new_db" paths7)
	out=$(ing "$u" - < "$D/msg-nested.eml" 2>&1); rc=$?
	is "$rc $(ids "$u")" "0 r-nested" "$B: standard input: one message, exit 0"
	like "$out" "ingest: source=- .*result=stored stored=1 " "$B: standard input: one line saying so"
}

case_all() {
	u=$($B"_new_db" all)
	out=$(ing "$u" "$T/in" 2>&1); rc=$?
	is "$rc" 65 "$B: a folder holding refused inputs: exit 65"
	is "$(totals "$u")" "$WANT_ALL" "$B: every sample of the folder, recursed: the known totals"
	is "$(printf '%s\n' "$out" | grep -c 'ingest: source=')" \
	    "$(find "$T/in" -type f | wc -l | awk '{ print $1 + 1 }')" "$B: one line per input (the mbox: two)"
	is "$(q "$u" "SELECT count(*) FROM fail_report")" 2 "$B: the failure reports: ARF and plain text"
	is "$(q "$u" "SELECT sum(count) FROM agg_row")" \
	    "$(q "$u" "SELECT sum(messages) FROM agg_report")" "$B: the rows sum to the reports' messages"
	is "$(q "$u" "SELECT reason FROM ingest_reject ORDER BY reason" | tr '\n' '|')" \
	    "aggregate report: no <feedback> element|aggregate report: no report_id|" "$B: the refused inputs' reasons stored"
	is "$(q "$u" "SELECT raw_len FROM ingest_reject WHERE reason LIKE '%report_id'")" \
	    "$(wc -c < "$D/reject-noid.xml" | tr -d ' ')" "$B: and their bytes"
	like "$out" 'source=[^ ]*reject-noid.xml result=rejected .*reason="aggregate report: no report_id"' \
	    "$B: the refusal logged with its reason, quoted"
	"$R" failures --db "$u" --json > "$T/f.json"
	is "$($PY -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l); print(j["source_ip"], j["from_domain"], j["arrival_date"], j["reporter"] is not None)' "$T/f.json" | sort | tr '\n' '|')" \
	    "$(q "$u" "SELECT source_ip, from_domain, arrival_ts FROM fail_report ORDER BY source_ip" | tr '|' ' ' | sed 's/$/ True/' | tr '\n' '|')" \
	    "$B: failures --json: source IP, From domain, arrival date, reporter"
	like "$("$R" failures --db "$u")" "^2023-11-14 23:59  203\.0\.113\.9 +example\.com +mx\.receiver\.example +dmarc +reject$" "$B: failures: a table"
	like "$("$R" reports --db "$u")" "^2023-11-15 00:00  2023-12-05 23:59 .* 2 +5 rfc7489 r-weeks$" "$B: reports: a table"
	is "$("$R" reports --db "$u" --json --domain EXAMPLE.COM | wc -l)" 13 "$B: reports --domain"
	is "$("$R" reports --db "$u" --json --domain example.net | wc -l)" 0 "$B: reports --domain: no other"
	is "$("$R" reports --db "$u" --json --from 2023-11-17 | $PY -c 'import json,sys
print(" ".join(json.loads(l)["report_id"] for l in sys.stdin))')" r-weeks "$B: reports --from: the ranges reaching it"
	is "$("$R" reports --db "$u" --json --to $W | wc -l)" 0 "$B: reports --to: none before"

	# duplicates: the same inputs again add nothing and say so
	before=$(q "$u" "SELECT (SELECT count(*) FROM agg_report) || ' ' || (SELECT count(*) FROM agg_row) || ' ' || (SELECT count(*) FROM agg_day) || ' ' || (SELECT count(*) FROM fail_report) || ' ' || (SELECT count(*) FROM ingest_reject)")
	out=$(ing "$u" "$T/in" "$T/two.zip" "$T/Maildir" 2>&1)
	is "$(q "$u" "SELECT (SELECT count(*) FROM agg_report) || ' ' || (SELECT count(*) FROM agg_row) || ' ' || (SELECT count(*) FROM agg_day) || ' ' || (SELECT count(*) FROM fail_report) || ' ' || (SELECT count(*) FROM ingest_reject)")" \
	    "$before" "$B: ingested again: nothing added"
	is "$(printf '%s\n' "$out" | grep -c 'result=stored')" 0 "$B: ingested again: nothing said stored"
	like "$out" "two.zip result=duplicate stored=0 duplicate=2 " "$B: ingested again: duplicates said"
	out=$(ing "$u" - < "$D/msg-nested.eml" 2>&1); rc=$?
	is "$rc" 0 "$B: a duplicate on standard input: exit 0 (delivered)"
}

case_split() {
	u=$($B"_new_db" split)
	ing "$u" "$T/split.xml" "$D/quirk-weeks.xml" 2>/dev/null
	is "$(q "$u" "SELECT d.day, sum(d.messages) FROM agg_day d JOIN agg_report r ON r.id = d.report WHERE r.report_id = 'r-split' GROUP BY d.day ORDER BY d.day" | tr '\n' ' ')" \
	    "$W|3 $((W + 86400))|3 $((W + 172800))|4 " "$B: three days, 10 messages: 3, 3, 4"
	is "$(q "$u" "SELECT sum(d.messages) || ' ' || CASE WHEN min(d.day) >= r.date_begin AND max(d.day) <= r.date_end THEN 'in' ELSE 'out' END FROM agg_day d JOIN agg_report r ON r.id = d.report WHERE r.report_id = 'r-weeks' GROUP BY r.date_begin, r.date_end")" \
	    "5 in" "$B: 21 days, 5 messages: the days sum to the total, inside the range"
}

case_errors() {
	u=$($B"_new_db" err)
	out=$(ing "$u" "$D/reject-noid.xml" 2>&1); rc=$?
	is "$rc $(q "$u" "SELECT count(*) FROM ingest_reject")" "65 1" "$B: a refused report: exit 65, stored with its reason"
	# a message holding a good report and a refused part: the report and the
	# whole message (with the reason) are stored, so it is delivered (exit 0)
	u=$($B"_new_db" mixed)
	out=$(ing "$u" - < "$T/mixed.eml" 2>&1); rc=$?
	is "$rc $(ids "$u")" "0 r-7489-1" "$B: a good report and a refused part: exit 0, the report stored"
	is "$(q "$u" "SELECT reason || ' ' || raw_len FROM ingest_reject")" \
	    "aggregate report: no report_id $(wc -c < "$T/mixed.eml" | tr -d ' ')" \
	    "$B: the refused part's reason stored with the whole message"
	like "$out" 'source=- .*result=stored stored=1 .*rejected=1 reason="aggregate report: no report_id"' \
	    "$B: the refused part logged"
	out=$(ing "$u" - < "$T/bad.eml" 2>&1); rc=$?
	is "$rc" 65 "$B: a message with nothing usable: exit 65"
	init "$($B"_new_db" err2)"
}

# our own reporter's reports ingest back to the history's counts
case_own() {
	u=$($B"_new_db" own)
	for fmt in rfc9990 rfc7489; do
		out=$(ing "$u" "$T/out-$fmt" 2>&1); rc=$?
		is "$rc" 0 "$B: our $fmt reports ingested"
		is "$(q "$u" "SELECT policy_domain || ' ' || sum(messages) FROM agg_report WHERE format = '$fmt' GROUP BY policy_domain ORDER BY policy_domain")" \
		    "$(cat "$T/want")" "$B: $fmt: messages per policy domain equal the history's"
	done
}

run_cases() {
	B=$1
	case_paths
	case_all
	case_split
	case_errors
	case_own
}

# mixed.eml: a good report and one without a report_id; bad.eml: only the latter
mkmsg() {
	printf 'From: DMARC <noreply@receiver.example>\nTo: rua@example.com\nSubject: Report\n'
	printf 'Message-ID: <%s@receiver.example>\nMIME-Version: 1.0\n' "$1"
	printf 'Content-Type: multipart/mixed; boundary="b1"\n\n'
	shift
	for f in "$@"; do
		printf -- '--b1\nContent-Type: text/xml\n\n'
		cat "$f"
	done
	printf -- '--b1--\n'
}
mkmsg mixed "$D/agg-rfc7489.xml" "$D/reject-noid.xml" > "$T/mixed.eml"
mkmsg bad "$D/reject-noid.xml" > "$T/bad.eml"

B0=1700006400
cat > "$T/r.conf" <<CONF
AuthservID mx.receiver.example
ReportFrom DMARC Reports <dmarc-noreply@receiver.example>
CONF
"$GEN" -n 5000 -o "$T/h" -b $B0
awk '$1 == "pdomain" { n[$2]++ } END { for (d in n) print d, n[d] }' "$T/h" | sort > "$T/want"
for fmt in rfc9990 rfc7489; do
	mkdir -p "$T/out-$fmt"
	"$R" -c "$T/r.conf" --history "$T/h" --from $B0 --to $((B0 + 86400)) --outdir "$T/out-$fmt" \
	    --no-send --state "$T/state-$fmt" --format $fmt --schema none >/dev/null 2>&1
done

on_both run_cases

# unreachable databases: exit 75 (the MTA retries), the mail not lost
out=$("$R" ingest --db "postgresql:///x?host=$T/nowhere&user=am" - < "$D/msg-nested.eml" 2>&1); rc=$?
is "$rc" 75 "unreachable PostgreSQL: exit 75"
like "$out" "postgresql: cannot connect" "unreachable PostgreSQL: the reason"
out=$("$R" ingest --db "sqlite:$T/no/such/dir/x.db" --sql-dir "$SQL" "$D/agg-rfc7489.xml" 2>&1); rc=$?
is "$rc" 75 "SQLite file that cannot be created: exit 75"
# the default database: ReportDatabase
printf 'ReportDatabase %s\n' "sqlite:$T/conf.db" > "$T/db.conf"
out=$("$R" ingest -c "$T/db.conf" --sql-dir "$SQL" "$D/agg-rfc7489.xml" 2>&1); rc=$?
is "$rc $(sqlite3 "$T/conf.db" "SELECT report_id FROM agg_report")" "0 r-7489-1" "ReportDatabase names the database"
out=$("$R" ingest --db "sqlite:$T/x.db" 2>&1); rc=$?
is "$rc" 64 "ingest without a PATH: usage, exit 64"
out=$("$R" reports --db "sqlite:$T/x.db" extra 2>&1); rc=$?
is "$rc" 64 "reports with an argument: usage, exit 64"
out=$("$R" ingest --db "sqlite:$T/conf.db" "$T/nothing-here" 2>&1); rc=$?
is "$rc" 66 "a path that cannot be read: exit 66"
# reading commands on an SQLite file that does not exist: nothing created,
# the path named, exit 66 (EX_NOINPUT)
for cmd in reports failures dashboard; do
	extra=""
	[ $cmd != dashboard ] || extra="--out $T/site-$cmd"
	out=$("$R" $cmd --db "sqlite:$T/absent-$cmd.db" $extra 2>&1); rc=$?
	is "$rc" 66 "$cmd on a missing SQLite file: exit 66"
	ok "$cmd on a missing SQLite file: nothing created" test ! -e "$T/absent-$cmd.db"
	like "$out" "$T/absent-$cmd.db: no such database.*ingest.*db-init" \
	    "$cmd on a missing SQLite file: the path named, ingest and db-init suggested"
done
done_testing
