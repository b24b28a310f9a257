#!/bin/sh
# ingest.sh - the report ingest parsers (report/libingest.a) through
# t/ingest_tool: our own reporter's reports (RFC 9990 and RFC 7489 forms)
# read back to the same counts, report files as .xml, .xml.gz (with trailing
# bytes), .zip and a zip named .gz, a Maildir, an mbox and standard input.
. "${srcdir:-$(dirname "$0")}/lib.sh"

RP="$top_builddir/report/authmilter-report"
GEN="$builddir/report_gen"
TOOL="$builddir/ingest_tool"
D="$srcdir/data/ingest"
need "$RP" "$GEN" "$TOOL" "$PY"
B=1700006400
E=$((B + 86400))

# field FILE KEY - the values of KEY in the JSON lines of FILE, one per line
field() {
	$PY -c 'import json,sys
for l in open(sys.argv[1]):
    v = json.loads(l).get(sys.argv[2])
    print("" if v is None else v)' "$1" "$2"
}

# --- the two halves agree: our reports read back to the history's counts --
cat > "$T/r.conf" <<CONF
AuthservID mx.receiver.example
ReportFrom DMARC Reports <dmarc-noreply@receiver.example>
CONF
ok "generate 20000 history records" "$GEN" -n 20000 -o "$T/h" -b $B
awk '$1 == "pdomain" { n[$2]++ } END { for (d in n) print d, n[d] }' "$T/h" | sort > "$T/want"
for fmt in rfc9990 rfc7489; do
	mkdir -p "$T/out-$fmt"
	ok "reporter writes $fmt reports" "$RP" -c "$T/r.conf" --history "$T/h" --from $B --to $E \
	    --outdir "$T/out-$fmt" --no-send --state "$T/state-$fmt" --format $fmt --schema none
	"$TOOL" "$T/out-$fmt"/*.xml.gz > "$T/got-$fmt.json"
	is "$(field "$T/got-$fmt.json" kind | sort -u)" aggregate "$fmt: every file read as an aggregate report"
	is "$(field "$T/got-$fmt.json" format | sort -u)" $fmt "$fmt: format detected"
	$PY -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l); print(j["policy_domain"], j["messages"])' "$T/got-$fmt.json" | sort > "$T/got-$fmt"
	is "$(cat "$T/got-$fmt")" "$(cat "$T/want")" "$fmt: messages per policy domain equal the history's"
	is "$(field "$T/got-$fmt.json" notes | sort -u)" "[]" "$fmt: our own reports need no recovery"
done

# --- report files by content ----------------------------------------------
$PY - "$D" "$T" <<'PYEOF'
import gzip, io, sys, zipfile
d, t = sys.argv[1], sys.argv[2]
x = open(d + "/agg-rfc7489.xml", "rb").read()
open(t + "/trail.xml.gz", "wb").write(gzip.compress(x) + b"\r\n\r\n")
bio = io.BytesIO()
with zipfile.ZipFile(bio, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("a.xml", x)
    z.writestr("b.xml", open(d + "/agg-rfc9990.xml", "rb").read())
open(t + "/two.zip", "wb").write(bio.getvalue())
open(t + "/zip-named.xml.gz", "wb").write(bio.getvalue())
open(t + "/junk.xml.gz", "wb").write(b"this is not a report\n")
PYEOF
"$TOOL" "$T/trail.xml.gz" > "$T/trail.json"
is "$(field "$T/trail.json" report_id)" r-7489-1 ".xml.gz with trailing bytes: read"
like "$(field "$T/trail.json" notes)" "bytes after the gzip stream ignored" ".xml.gz with trailing bytes: noted"
"$TOOL" "$T/two.zip" > "$T/zip.json"
is "$(field "$T/zip.json" report_id | tr '\n' ' ')" "r-7489-1 r-9990-1 " ".zip: every member read"
"$TOOL" "$T/zip-named.xml.gz" > "$T/zipgz.json"
is "$(field "$T/zipgz.json" report_id | tr '\n' ' ')" "r-7489-1 r-9990-1 " "zip named .xml.gz: read as zip"
"$TOOL" "$T/junk.xml.gz" > "$T/junk.json"
# not a report file by content: read as a message, which holds no report
is "$(field "$T/junk.json" reason)" "no report found in the message" "junk named .xml.gz: refused with a reason"

# --- messages: Maildir, mbox, standard input --------------------------------
mkdir -p "$T/Maildir/cur" "$T/Maildir/new" "$T/Maildir/tmp"
cp "$D/msg-gzip-b64.eml" "$T/Maildir/cur/1.host:2,S"
cp "$D/msg-zip-as-gzip.eml" "$T/Maildir/new/2.host"
cp "$D/msg-arf.eml" "$T/Maildir/new/3.host"
"$TOOL" "$T/Maildir" > "$T/maildir.json"
is "$(field "$T/maildir.json" kind | tr '\n' ' ')" "aggregate aggregate failure " "Maildir: two aggregate reports and a failure report"
"$TOOL" "$D/mbox-two.mbox" > "$T/mbox.json"
is "$(field "$T/mbox.json" report_id | tr '\n' ' ')" "r-7489-1 r-nested " "mbox: a report from each message"
"$TOOL" - < "$D/msg-nested.eml" > "$T/stdin.json"
is "$(field "$T/stdin.json" report_id)" r-nested "standard input: the forwarded zip report"
"$TOOL" - < "$D/msg-arf.eml" > "$T/stdin-arf.json"
is "$(field "$T/stdin-arf.json" source_ip)" 203.0.113.9 "standard input: a failure report"
printf 'Subject: hello\n\nnothing here\n' | "$TOOL" - > "$T/none.json"
is "$(field "$T/none.json" reason)" "no report found in the message" "a message without a report: said so"

done_testing
