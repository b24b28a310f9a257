#!/bin/sh
# ingest-bench.sh - "authmilter-report ingest" of 10,000 aggregate reports
# holding 1,000,000 rows in all (gzip'd XML files, our own generator below:
# RFC 7489 form, 100 rows each by default) into a new SQLite database, then
# the same files again (adds nothing), then "authmilter-report dashboard
# --out DIR" and "alerts --dry-run" over that data; not run by make
# check.  Targets (issue 14 item 5): ingest under 60 s with memory flat,
# dashboard under 10 s.
# Prints the wall and CPU times (the CPU time says what a busy machine's
# wall time hides), the peak RSS of each run, the load average and the
# stored counts.
#
#   sh t/bench/ingest-bench.sh [BUILDDIR] [REPORTS] [ROWS-PER-REPORT]
#
# BUILDDIR is the build directory (default: the current one); the files and
# the database go to ${TMPDIR:-/tmp}.
set -e
B=${1:-$(pwd)}
N=${2:-10000}
ROWS=${3:-100}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RP="$B/report/authmilter-report"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }
[ -x "$RP" ] || { echo "build first: make"; exit 1; }
command -v sqlite3 >/dev/null || { echo "needs sqlite3"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/ingest-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

echo "generating $N reports of $ROWS rows ..."
t0=$(now)
/usr/bin/python3 - "$W/in" "$N" "$ROWS" <<'PYEOF'
import gzip, os, random, sys
out, n, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(14)
orgs = ["google.com", "Yahoo", "Mail.Ru", "Enterprise Outlook", "mimecast.org", "web.de"]
for i in range(n):
    d = os.path.join(out, "%02d" % (i % 100))
    os.makedirs(d, exist_ok=True)
    b = 1700006400 + (i % 30) * 86400
    dom = "d%d.example" % (i % 50)
    recs = []
    for r in range(rows):
        ok = rnd.random() < 0.8
        res = "pass" if ok else "fail"
        recs.append("<record><row><source_ip>198.51.%d.%d</source_ip><count>%d</count>"
            "<policy_evaluated><disposition>none</disposition><dkim>%s</dkim><spf>%s</spf>"
            "</policy_evaluated></row><identifiers><header_from>%s</header_from></identifiers>"
            "<auth_results><dkim><domain>%s</domain><selector>s1</selector><result>%s</result>"
            "</dkim><spf><domain>%s</domain><result>%s</result></spf></auth_results></record>"
            % (r // 250, r % 250, rnd.randint(1, 20), res, res, dom, dom, res, dom, res))
    doc = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feedback><report_metadata>"
        "<org_name>%s</org_name><email>noreply@%s</email><report_id>bench-%d</report_id>"
        "<date_range><begin>%d</begin><end>%d</end></date_range></report_metadata>"
        "<policy_published><domain>%s</domain><adkim>r</adkim><aspf>r</aspf><p>none</p>"
        "<sp>none</sp><pct>100</pct></policy_published>%s</feedback>\n"
        % (orgs[i % len(orgs)], "rep.example", i, b, b + 86399, dom, "".join(recs)))
    with open(os.path.join(d, "r%05d.xml.gz" % i), "wb") as f:
        f.write(gzip.compress(doc.encode(), 6))
PYEOF
echo "generated in $(since "$t0") s: $(du -sh "$W/in" | cut -f1) of .xml.gz"

DB="sqlite:$W/reports.sqlite"
SQL="$top_srcdir/report/sql"
run() {
	t0=$(now)
	/usr/bin/time -f "%M %U %S" -o "$W/rss" "$RP" ingest --db "$DB" --sql-dir "$SQL" "$W/in" 2>"$W/log" || {
		echo "ingest failed:"; tail -5 "$W/log"; exit 1; }
	echo "$1: $(since "$t0") s wall, $(awk '{ printf "%.1f s CPU (user %s, sys %s), peak RSS %s KiB", $2 + $3, $2, $3, $1 }' "$W/rss")," \
	    "$(grep -c 'result=stored' "$W/log") inputs stored, $(grep -c 'result=duplicate' "$W/log") duplicates"
}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run "ingest   "
run "re-ingest"
# ip_info filled (GeoIP and DNS off: no network in a benchmark) so the
# dashboard's join reads real rows
t0=$(now)
printf 'ReportDatabase %s\nReportReverseDNS no\n' "$DB" > "$W/enrich.conf"
"$RP" enrich -c "$W/enrich.conf" --max 1000000 > "$W/enrich.out" 2>&1 || {
	echo "enrich failed:"; tail -5 "$W/enrich.out"; exit 1; }
echo "enrich (no DNS, no GeoIP): $(since "$t0") s wall, $(cat "$W/enrich.out")"
t0=$(now)
/usr/bin/time -f "%M %U %S" -o "$W/rss" "$RP" dashboard --db "$DB" --out "$W/site" --quiet \
    2>"$W/log" || { echo "dashboard failed:"; tail -5 "$W/log"; exit 1; }
echo "dashboard: $(since "$t0") s wall, $(awk '{ printf "%.1f s CPU (user %s, sys %s), peak RSS %s KiB", $2 + $3, $2, $3, $1 }' "$W/rss")," \
    "$(ls "$W/site" | wc -l) files, $(du -sh "$W/site" | cut -f1)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
sqlite3 "$W/reports.sqlite" "SELECT 'stored: ' || count(*) || ' reports, ' || sum(nrows) || ' rows, ' || sum(messages) || ' messages' FROM agg_report"
sqlite3 "$W/reports.sqlite" "SELECT 'agg_day: ' || count(*) || ' rows, ' || sum(messages) || ' messages' FROM agg_day"
echo "database: $(du -h "$W/reports.sqlite" | cut -f1)"
# the alerts over that data (issue 14 item 4): every rule, as at 01:00 UTC
# the day after the data's last day (no mail: --dry-run)
t0=$(now)
/usr/bin/time -f "%M %U %S" -o "$W/rss" "$RP" alerts --db "$DB" --dry-run \
    --now $((1700006400 + 30 * 86400 + 3600)) > "$W/alerts" 2>"$W/log" || [ $? = 1 ] || {
	echo "alerts failed:"; tail -5 "$W/log"; exit 1; }
# (time's first line says "Command exited with non-zero status 1": alerts fired)
echo "alerts   : $(since "$t0") s wall, $(tail -1 "$W/rss" | awk '{ printf "%.1f s CPU, peak RSS %s KiB", $2 + $3, $1 }')," \
    "$(wc -l < "$W/alerts") alerts: $(cut -d: -f1 "$W/alerts" | sort | uniq -c | awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $1, $2 }')"
