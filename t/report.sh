#!/bin/sh
# report.sh - authmilter-report over 100,000 synthetic records (three policy
# domains): one valid .xml.gz per domain with exact counts, hostile values
# escaped or refused, a torn last record skipped, a rerun writes nothing.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"
need "$RP" "$GEN" "$PY"

ok "the RFC 9990 schema is in the tree ($XSD)" test -r "$XSD"
SCHEMA=$XSD
report_conf "$T/r.conf"

ok "generate 100000 records" "$GEN" -n 100000 -o "$T/h" -b $B --hostile --torn
mkdir "$T/out"
run() {
	"$RP" -c "$T/r.conf" --history "$T/h" --from $B --to $E --outdir "$T/out" --no-send \
	    --state "$T/state" --schema "$SCHEMA" 2>"$T/err"
}
ok "reporter runs" run
cat "$T/err" | sed 's/^/# /' | head -8
is "$(ls "$T/out" | grep -c '\.xml\.gz$')" 3 "one report per policy domain"
is "$(ls "$T/out" | grep -Ec "^mx\.receiver\.example!example\.(com|net|org)!$B!$((E - 1))![0-9a-f]{32}\.xml\.gz\$")" 3 \
    "file names: receiver!policy-domain!begin!end!id.xml.gz"
like "$(cat "$T/err")" "skipped 1 malformed or torn" "torn last record skipped with a warning"
like "$(cat "$T/err")" "bad<&>/../x.example: not a valid domain name" "hostile policy domain refused"
is "$(ls "$T/out" | grep -c bad)" 0 "no file for the hostile policy domain"

# expected counts, straight from the history file (all records are in the period)
awk '$1 == "pdomain" && $2 ~ /^example\.(com|net|org)$/ { n[$2]++ }
    END { for (d in n) print d, n[d] }' "$T/h" | sort > "$T/want"
for f in "$T"/out/*.xml.gz; do
	gzip -dc "$f" > "${f%.gz}"
done
$PY - "$T/out" > "$T/got" <<'PYEOF'
import glob, sys, xml.etree.ElementTree as ET
ns = {"d": "urn:ietf:params:xml:ns:dmarc-2.0"}
for f in sorted(glob.glob(sys.argv[1] + "/*.xml")):
    root = ET.parse(f).getroot()
    dom = root.find("d:policy_published/d:domain", ns).text
    total = sum(int(c.text) for c in root.findall("d:record/d:row/d:count", ns))
    rid = root.find("d:report_metadata/d:report_id", ns).text
    assert f.endswith("!" + rid + ".xml"), (f, rid)
    print(dom, total)
PYEOF
is "$(sort "$T/got")" "$(cat "$T/want")" "report counts equal the input exactly"
is "$(awk '{ s += $2 } END { print s }' "$T/got")" 100001 "every reportable record counted once"

if [ "$SCHEMA" != none ] && command -v xmllint >/dev/null 2>&1; then
	for f in "$T"/out/*.xml; do
		ok "xmllint validates $(basename "$f" | cut -d! -f2)" \
		    xmllint --noout --schema "$XSD" "$f"
	done
else
	echo "# xmllint or the XSD is absent: xmllint checks skipped"
fi
COM=$(ls "$T"/out/*example.com*.xml)
like "$(cat "$COM")" "<header_from>ev&lt;&amp;&quot;&apos;il\.example\.com</header_from>" \
    "From domain with <&\"' escaped"
like "$(cat "$COM")" "<selector>&lt;sel&gt;&amp;</selector>" "selector escaped"

# rerun with the same state: nothing new
rm -f "$T"/out/*.xml
before=$(ls -l --time-style=+%s.%N "$T/out" | md5sum)
ok "rerun" run
is "$(ls -l --time-style=+%s.%N "$T/out" | md5sum)" "$before" "rerun writes nothing new"
is "$(grep -c 'report domain=' "$T/err")" 0 "rerun reports nothing"

# the RFC 7489 dialect for old consumers
mkdir "$T/old"
ok "rfc7489 format" "$RP" -c "$T/r.conf" --history "$T/h" --from $B --to $E --outdir "$T/old" \
    --no-send --state "$T/state7489" --format rfc7489
is "$(ls "$T/old" | grep -c '\.xml\.gz$')" 3 "rfc7489: three reports"
f=$(ls "$T"/old/*example.net*.gz)
is "$(gzip -dc "$f" | sed -n 2p)" "<feedback>" "rfc7489: no namespace"

# no schema: refuse rather than send unvalidated reports
if [ "$SCHEMA" != none ]; then
	"$RP" -c "$T/r.conf" --history "$T/h" --from $B --to $E --outdir "$T/out" --no-send \
	    --state "$T/state2" --schema "$T/missing.xsd" 2>"$T/err2"
	is "$?" 1 "unreadable schema is an error"
fi
done_testing
