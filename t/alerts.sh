#!/bin/sh
# alerts.sh - "authmilter-report alerts" (issue 14 item 4), the same cases
# on SQLite and a real PostgreSQL server (t/pg_lib.sh): aggregate reports
# written for the test (40 days of four receivers for three domains) and
# a refused sample of t/data/ingest ingested, then as of a fixed --now:
# exactly the five expected alerts fire (a new failing source, a domain's
# pass rate, two usual receivers gone silent, one with a name that needs
# escaping, an ingest error) and nothing else (a seen source, a small one,
# a small receiver, a domain with one message); one ASCII message through
# t/fake-sendmail to both recipients; a second run mails nothing,
# AlertRenotify 0 mails again; a new refusal mails once more, listing the
# rest as still firing; a failing sendmail exits 75 and records nothing; a
# database at version 4 is refused until db-upgrade.  Then (SQLite)
# nothing firing exits 0, configuration errors 78 with file:line, an
# unreachable database 75.
. "$srcdir/lib.sh"
R="$top_builddir/report/authmilter-report"
need "$R" "$PY" sqlite3
. "$srcdir/pg_lib.sh"
SQL="$top_srcdir/report/sql"
D="$srcdir/data/ingest"

B0=1700006400			# 2023-11-15 00:00 UTC, the samples' first day
NOW=$((B0 + 40 * 86400 + 8 * 3600))	# day 40, 08:00: the window from day 38, 00:00

# the reports: NAME DOMAIN FIRST-DAY LAST-DAY then "IP COUNT pass|fail"...
mkdir -p "$T/in"
$PY - "$T/in" "$B0" <<'EOF'
import sys
out, b0 = sys.argv[1], int(sys.argv[2])
def rep(org, dom, first, last, rows):
    for d in range(first, last + 1):
        recs = "".join(
            "<record><row><source_ip>%s</source_ip><count>%d</count><policy_evaluated>"
            "<disposition>none</disposition><dkim>%s</dkim><spf>%s</spf></policy_evaluated>"
            "</row><identifiers><header_from>%s</header_from></identifiers><auth_results>"
            "<spf><domain>%s</domain><result>%s</result></spf></auth_results></record>"
            % (ip, n, r, r, dom, dom, r) for ip, n, r, days in rows if d in days)
        b = b0 + d * 86400
        with open("%s/%s-%s-%d.xml" % (out, org.split()[0], dom, d), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0"?><feedback><report_metadata><org_name>%s</org_name>'
                    "<email>r@x.example</email><report_id>%s-%s-%d</report_id><date_range>"
                    "<begin>%d</begin><end>%d</end></date_range></report_metadata>"
                    "<policy_published><domain>%s</domain><p>none</p></policy_published>%s"
                    "</feedback>\n" % (org, org.split()[0], dom, d, b, b + 86399, dom, recs))
ALL = range(0, 41)
rep("Big Receiver", "example.com", 8, 37, [("192.0.2.1", 100, "pass", ALL)])
rep("Small Receiver", "example.com", 8, 37, [("192.0.2.1", 2, "pass", ALL)])
rep("Steady Receiver", "example.com", 8, 39, [
    ("192.0.2.1", 200, "pass", ALL),
    ("2001:db8::1", 3, "fail", range(8, 38)), ("2001:db8::1", 20, "fail", (38, 39)),
    ("203.0.113.9", 40, "fail", (38, 39)), ("198.51.100.7", 4, "fail", (38, 39))])
rep("Steady Receiver", "example.org", 36, 39,
    [("192.0.2.50", 30, "pass", ALL), ("192.0.2.51", 70, "fail", ALL)])
rep("Steady Receiver", "example.net", 39, 39, [("192.0.2.99", 1, "fail", ALL)])
# a usual receiver of example.org with a name that needs escaping, silent
# since day 36
rep("R\u00e9ceiver &lt;\u03a9mega&gt;", "example.org", 8, 35, [("192.0.2.50", 10, "pass", ALL)])
EOF
cp "$D/reject-noid.xml" "$T/in/"

# the five alerts of the scenario, as "rule domain subject" lines
WANT="ingest-errors  
new-source example.com 203.0.113.9
pass-rate example.org 
reporter-stopped example.com Big Receiver
reporter-stopped example.org R\xe9ceiver <\u03a9mega>"
# fired JSON - "rule domain subject" of each alert, sorted (ids left out)
fired() { $PY -c 'import json, sys
for j in (json.loads(l) for l in sys.stdin if l.strip()):
    s = "" if j["rule"] == "ingest-errors" else j["subject"]
    print(j["rule"], j["domain"], s.encode("ascii", "backslashreplace").decode())' | sort; }

mkdir -p "$T/mail"
export FAKE_SENDMAIL_DIR="$T/mail"
cat > "$T/alerts.conf" <<EOF
AlertRecipients dmarc-admin@example.org, postmaster@example.org
AlertFrom DMARC alerts <alerts@example.org>
ReportSendmail $srcdir/fake-sendmail
EOF
{ cat "$T/alerts.conf"; echo "AlertRenotify 0"; } > "$T/again.conf"
mails() { ls "$T/mail" | grep -c '^msg-.*\.eml$'; }
last_mail() { ls -t "$T/mail"/msg-*.eml | head -1; }

# cases B URL Q - Q runs SQL on URL (sqlite3 or psql)
cases() {
	B=$1 U=$2 Q=$3
	A="$R alerts -c $T/alerts.conf --db $U --now $NOW"
	[ "$B" = sqlite ] || "$R" db-init --db "$U" --sql-dir "$SQL" >/dev/null
	"$R" ingest --db "$U" --sql-dir "$SQL" "$T/in" 2>/dev/null
	is "$?" 65 "$B: the reports ingested, the sample without report_id refused (65)"
	n0=$(mails)

	$A --dry-run --json > "$T/dry" 2>"$T/err"
	is "$?" 1 "$B: --dry-run: alerts fire, exit 1"
	is "$(fired < "$T/dry")" "$WANT" "$B: exactly the five expected alerts"
	is "$(mails)" "$n0" "$B: --dry-run mails nothing"
	is "$($Q "SELECT count(*) FROM alert_sent")" 0 "$B: --dry-run remembers nothing"

	$A > "$T/out" 2>"$T/err"
	is "$?" 1 "$B: alerts: exit 1"
	is "$(grep -c ' \[new\]$' "$T/out")" 5 "$B: five lines, each new"
	like "$(cat "$T/out")" "new-source: example.com: new source 203.0.113.9 sent 80 messages failing DMARC \(of 80\) since 2023-12-23; none in the 30 days before" "$B: the new source's line"
	like "$(cat "$T/out")" "pass-rate: example.org: 34.8% of 430 messages passed DMARC since 2023-12-18 \(alert below 90%\)" "$B: the pass rate's line"
	like "$(cat "$T/out")" "reporter-stopped: example.com: \"Big Receiver\" sent no report since 2023-12-23; its reports covered 3000 messages on 30 of the 30 days before" "$B: the silent receiver's line"
	is "$(mails)" "$((n0 + 1))" "$B: one message mailed"
	M=$(last_mail)
	is "$(cat "${M%.eml}.argv" | tr '\n' ' ')" "-f alerts@example.org dmarc-admin@example.org postmaster@example.org " \
		"$B: sendmail's argv: envelope sender, both recipients"
	like "$(cat "$M")" "^From: DMARC alerts <alerts@example.org>
To: <dmarc-admin@example.org>,
    <postmaster@example.org>
Subject: DMARC alerts: 5 new or repeated, 5 firing" "$B: From, To, Subject"
	like "$(cat "$M")" "Auto-Submitted: auto-generated" "$B: Auto-Submitted"
	is "$(LC_ALL=C grep -c '[^ -~]' "$M")" 0 "$B: the message is printable ASCII, the peer's UTF-8 escaped"
	for t in "new source 203.0.113.9" "example.org: 34.8%" "\"Big Receiver\" sent no report" \
	    "1 input refused by ingest" 'example.org: "R\\xc3\\xa9ceiver <\\xce\\xa9mega>" sent no report'; do
		like "$(cat "$M")" "- .*$t" "$B: the message lists: $t"
	done
	is "$($Q "SELECT count(*) FROM alert_sent WHERE last_sent = $NOW AND sends = 1")" 5 "$B: five alerts remembered"

	$A > "$T/out2" 2>&1
	is "$?" 1 "$B: second run: exit 1, the conditions still fire"
	is "$(mails)" "$((n0 + 1))" "$B: second run mails nothing"
	is "$(grep -c ' \[mailed .* UTC\]$' "$T/out2")" 5 "$B: second run: five lines, each already mailed"

	"$R" alerts -c "$T/again.conf" --db "$U" --now "$NOW" > "$T/out3" 2>&1
	is "$?/$(mails)" "1/$((n0 + 2))" "$B: AlertRenotify 0: mailed again"
	is "$(grep -c ' \[again, last mailed ' "$T/out3")" 5 "$B: five lines, each again"

	"$R" ingest --db "$U" --sql-dir "$SQL" "$D/reject-nofeedback.xml" 2>/dev/null
	$A > "$T/out4" 2>&1
	is "$?/$(mails)" "1/$((n0 + 3))" "$B: a new refusal: mailed once more"
	like "$(cat "$T/out4")" "ingest-errors: 2 inputs refused .* \[new\]" "$B: the refusals' alert is new"
	like "$(cat "$(last_mail)")" "Subject: DMARC alerts: 1 new or repeated, 5 firing" "$B: its Subject"
	like "$(sed -n '/^Still firing/,$p' "$(last_mail)")" "new source 203.0.113.9.*\(mailed " \
		"$B: the others listed as still firing"
	is "$($Q "SELECT count(*) FROM alert_sent WHERE rule = 'ingest-errors'")" 1 \
		"$B: the older refusal's row is gone"

	s0=$($Q "SELECT sum(sends) FROM alert_sent")
	FAKE_SENDMAIL_EXIT=75 "$R" alerts -c "$T/again.conf" --db "$U" --now "$NOW" > /dev/null 2>"$T/err5"
	is "$?" 75 "$B: sendmail fails: exit 75"
	like "$(cat "$T/err5")" "sendmail: exited with status 75; nothing recorded" "$B: and says so"
	is "$($Q "SELECT sum(sends) FROM alert_sent")" "$s0" "$B: nothing recorded"

	"$R" alerts -c "$T/again.conf" --db "$U" --now "$NOW" --stdout > "$T/stdout" 2>&1
	is "$?/$(mails)" "1/$((n0 + 3))" "$B: --stdout: exit 1, no sendmail"
	like "$(head -1 "$T/stdout")" "^From: DMARC alerts" "$B: --stdout: the message on standard output"

	V4=$4 Q4=$5
	"$R" db-init --db "$V4" --sql-dir "$SQL" --to 4 >/dev/null
	"$R" alerts --db "$V4" --now "$NOW" > /dev/null 2>"$T/err6"
	is "$?" 78 "$B: a database at version 4: exit 78"
	like "$(cat "$T/err6")" "version 4 is older than this program's \([0-9]+\): run authmilter-report db-upgrade" "$B: says to run db-upgrade"
	like "$("$R" db-upgrade --db "$V4" --sql-dir "$SQL")" "schema version 4 -> [0-9]+$" "$B: db-upgrade from 4"
	is "$($Q4 "SELECT count(*) FROM alert_sent")" 0 "$B: db-upgrade created alert_sent"
	"$R" alerts --db "$V4" --now "$NOW" > "$T/out7" 2>&1
	is "$?/$(cat "$T/out7")" "0/" "$B: after db-upgrade: nothing fires in an empty database, exit 0"
}

sqlite_q() { sqlite3 "$T/a.db" "$1"; }
sqlite_q4() { sqlite3 "$T/v4.db" "$1"; }
cases sqlite "sqlite:$T/a.db" sqlite_q "sqlite:$T/v4.db" sqlite_q4
if pg_start "$T/pg"; then
	PGU=$(pg_createdb alerts)
	PGV4=$(pg_createdb v4)
	pgq() { pg_psql "$PGU" "$1"; }
	pgq4() { pg_psql "$PGV4" "$1"; }
	cases pg "$PGU" pgq "$PGV4" pgq4
else
	pg_skipped
fi

# SQLite only: nothing fires; configuration and database errors
printf 'AlertIngestErrors 0\n' > "$T/quiet.conf"
"$R" alerts -c "$T/quiet.conf" --db "sqlite:$T/a.db" --now $((NOW + 400 * 86400)) > "$T/out8" 2>&1
is "$?/$(cat "$T/out8")" "0/" "nothing fires a year later (ingest errors off): exit 0, no output"
printf 'AlertWindow 3\nAlertPassRateBelow 150\n' > "$T/bad.conf"
"$R" alerts -c "$T/bad.conf" --db "sqlite:$T/a.db" 2>"$T/err9"
is "$?" 78 "a value out of bounds: exit 78"
like "$(cat "$T/err9")" "bad.conf:2: AlertPassRateBelow: 150 is out of range \(0..100\)" "with file:line"
printf 'AlertRecipients ok@example.org <x@example.org>\n' > "$T/bad2.conf"
"$R" alerts -c "$T/bad2.conf" --db "sqlite:$T/a.db" 2>"$T/err10"
like "$?: $(cat "$T/err10")" "^78: .*bad2.conf:1: AlertRecipients: \"<x@example.org>\" is not an address" \
	"a recipient that is not an address: exit 78, file:line"
printf 'AlertRecipients ok@example.org\n' > "$T/bad3.conf"
"$R" alerts -c "$T/bad3.conf" --db "sqlite:$T/a.db" 2>"$T/err11"
like "$?: $(cat "$T/err11")" "^78: .*bad3.conf:1: AlertRecipients: .*AlertFrom or ReportFrom" \
	"recipients but no From: exit 78"
"$R" alerts --db "sqlite:$T/no/such/dir/x.db" 2>/dev/null
is "$?" 75 "an unreachable database: exit 75"
"$R" alerts --dry-run --stdout 2>/dev/null
is "$?" 64 "--dry-run with --stdout: usage, exit 64"
done_testing
