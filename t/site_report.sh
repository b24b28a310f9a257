#!/bin/sh
# site_report.sh - site-wide reports from the database (issue 15 item 2),
# against SQLite and a real PostgreSQL server (t/pg_lib.sh): three hosts'
# histories imported, one report per policy domain whose counts are the
# sum of the hosts' and whose XML is the file reporter's over the three
# files together (and valid against the RFC 9990 schema); two reporters
# at once send each report once; a re-run sends nothing; a reporter
# killed mid-send, a failed send and a stale claim are retried.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"
. "$srcdir/pg_lib.sh"
need "$RP" "$GEN" xmllint sqlite3
SQL="$top_srcdir/report/sql"
ok "the RFC 9990 schema is in the tree ($XSD)" test -r "$XSD"

cat > "$T/zone" <<'ZONE'
  local-zone: "reports.example." static
  local-data: "reports.example. 300 IN SOA ns.reports.example. h.reports.example. 1 3600 600 86400 300"
  local-data: 'example.net._report._dmarc.reports.example. 300 IN TXT "v=DMARC1;"'
  local-zone: "example." static
  local-zone: "com." static
  local-zone: "net." static
  local-zone: "org." static
ZONE
dns_start "$T/zone" || skip_all "unbound test server did not start"

# a sendmail that, with SLOW_BLOCK_AFTER=N, waits for $T/go once N
# messages went out (its pid in $T/blocked.PID), then hands over to
# fake-sendmail
cat > "$T/slow-sendmail" <<SLOW
#!/bin/sh
if [ -n "\${SLOW_BLOCK_AFTER:-}" ] &&
    [ "\$(ls "\$FAKE_SENDMAIL_DIR" | grep -c '^msg-.*\.eml\$')" -ge "\$SLOW_BLOCK_AFTER" ]; then
	: > "$T/blocked.\$\$"
	while [ ! -e "$T/go" ]; do sleep 0.05; done
fi
# one at a time: fake-sendmail numbers its files by counting them
exec flock "$T/sendmail.lock" "$srcdir/fake-sendmail" "\$@"
SLOW
chmod +x "$T/slow-sendmail"
report_mail_conf "$T/r.conf" "ReportEnvelopeFrom bounces@receiver.example"
sed -i "s|^ReportSendmail .*|ReportSendmail $T/slow-sendmail -oi|" "$T/r.conf"

# three hosts' histories: generated ones, and a hand-written one whose
# counts are known (two records of one row, one of another)
i=1
for seed in 3 5 7; do "$GEN" -n 3000 -r $seed -b $B --ext-rua -o "$T/h$i"; i=$((i + 1)); done
rec() {	# rec IP ACTION: one record of example.org (p=reject, passing SPF)
	printf 'job j\nreporter mx4\nreceived %s\nipaddr %s\nfrom example.org\nmfrom example.org\nspf 0\npdomain example.org\npolicy 16\nrua mailto:dmarc@example.org\npct 100\nadkim 114\naspf 114\np 114\nsp 114\nalign_dkim 5\nalign_spf 4\naction %s\n' \
	    $((B + 100)) "$1" "$2"
}
{ rec 198.18.0.1 0; rec 198.18.0.1 0; rec 198.18.0.2 2; } >> "$T/h3"

# counts FILE... - "domain count" lines of the reports in --outdir form
counts() {
	for f in "$@"; do
		zcat "$f" | $PY -c '
import sys, xml.etree.ElementTree as E
t = E.parse(sys.stdin)
ns = {"d": t.getroot().tag.split("}")[0][1:]} if "}" in t.getroot().tag else {}
p = "d:" if ns else ""
print(t.find(".//%spolicy_published/%sdomain" % (p, p), ns).text,
      sum(int(c.text) for c in t.iter() if c.tag.endswith("count")))'
	done | sort
}
# sum_counts - add up "domain count" lines per domain
sum_counts() { awk '{ s[$1] += $2 } END { for (d in s) print d, s[d] }' | sort; }

file_report() {	# file_report OUTDIR HISTORY... - the file reporter, no mail
	_o=$1; shift
	_a=""; for _h in "$@"; do _a="$_a --history $_h"; done
	# shellcheck disable=SC2086
	"$RP" -c "$T/r.conf" $_a --from $B --to $E --outdir "$_o" --no-send --state "$_o.state" \
	    --schema "$XSD" 2>>"$T/file.err"
}
for i in 1 2 3; do file_report "$T/host$i" "$T/h$i"; done
file_report "$T/all" "$T/h1" "$T/h2" "$T/h3"
for i in 1 2 3; do counts "$T"/host$i/*.xml.gz; done | sum_counts > "$T/want.counts"
counts "$T"/all/*.xml.gz > "$T/all.counts"
is "$(cat "$T/all.counts")" "$(cat "$T/want.counts")" "the file reporter over three files: the hosts' sums"

sqlite_new_db() { echo "sqlite:$T/$1.db"; }
sqlite_q() { sqlite3 "${1#sqlite:}" "$2"; }
pg_new_db() { pg_createdb "$1"; }
pg_q() { pg_psql "$1" "$2"; }
q() { $DB"_q" "$U" "$1"; }
site() { "$RP" -c "$T/r.conf" --db "$U" --from $B --to $E --schema "$XSD" "$@"; }
mail_dir() { FAKE_SENDMAIL_DIR="$T/mail.$DB.$1"; mkdir -p "$FAKE_SENDMAIL_DIR"; rm -f "$T"/go "$T"/blocked.*; }
dups() { mailed_to "$FAKE_SENDMAIL_DIR" | tr ' ' '\n' | sort | uniq -d | paste -sd' ' -; }
claimed_rows() { [ "$(q "SELECT count(*) FROM report_claim WHERE state = 'claimed'")" -ge "$1" ]; }
blocked() { [ "$(ls "$T" | grep -c '^blocked\.')" -ge "$1" ]; }

case_counts() {
	U=$($DB"_new_db" site)
	"$RP" db-init --db "$U" --sql-dir "$SQL" >/dev/null
	for i in 1 2 3; do "$RP" import --db "$U" --host mx$i "$T/h$i" >/dev/null; done
	is "$(q "SELECT count(*) FROM history")" "$(cat "$T"/h1 "$T"/h2 "$T"/h3 | grep -c '^action ')" \
		"$DB: every record imported"
	site --outdir "$T/site.$DB" --no-send 2>"$T/site.$DB.err"
	is "$?" 0 "$DB: the site-wide report runs"
	is "$(counts "$T"/site.$DB/*.xml.gz)" "$(cat "$T/want.counts")" \
		"$DB: one report per domain, counts = the sum of the three hosts' reports"
	is "$(ls "$T/site.$DB" | paste -sd' ' -)" "$(ls "$T/all" | paste -sd' ' -)" \
		"$DB: the same file names (Report-IDs) as the file reporter's"
	same=0
	for f in "$T"/all/*.xml.gz; do
		zcat "$f" > "$T/a.xml"; zcat "$T/site.$DB/$(basename "$f")" > "$T/b.xml"
		cmp -s "$T/a.xml" "$T/b.xml" && same=$((same + 1))
	done
	is "$same" "$(ls "$T/all" | wc -l)" "$DB: byte for byte the file reporter's XML over the three files"
	valid=0
	for f in "$T"/site.$DB/*.xml.gz; do
		zcat "$f" > "$T/v.xml"
		xmllint --noout --schema "$XSD" "$T/v.xml" 2>/dev/null && valid=$((valid + 1))
	done
	is "$valid" "$(ls "$T/site.$DB" | wc -l)" "$DB: every report validates (xmllint --schema)"
	zcat "$T"/site.$DB/*example.org*.xml.gz > "$T/org.xml"
	like "$(tr -d ' \n\t' < "$T/org.xml")" \
		"<source_ip>198.18.0.1</source_ip><count>2</count><policy_evaluated><disposition>reject</disposition>" \
		"$DB: the hand-written host's row: two records, one row"
	is "$(q "SELECT count(*) FROM report_claim")" 0 "$DB: --no-send claims nothing"
}

case_concurrent() {
	mail_dir conc
	SLOW_BLOCK_AFTER=0 "$RP" -c "$T/r.conf" --db "$U" --from $B --to $E --schema "$XSD" \
	    2>"$T/c1.err" &
	p1=$!
	SLOW_BLOCK_AFTER=0 "$RP" -c "$T/r.conf" --db "$U" --from $B --to $E --schema "$XSD" \
	    2>"$T/c2.err" &
	p2=$!
	# both reporters are in the middle of a send at once
	wait_until 120 blocked 2
	ok "$DB: two reporters send at the same time" blocked 2
	: > "$T/go"
	wait $p1; wait $p2
	is "$(mails_sent "$FAKE_SENDMAIL_DIR")" "$WANT_MAILS" "$DB: two reporters at once: each report sent once ($WANT_MAILS)"
	is "$(mailed_to "$FAKE_SENDMAIL_DIR")" "$WANT_TO" "$DB: to every destination"
	is "$(dups)" "" "$DB: none twice"
	like "$(cat "$T/c1.err" "$T/c2.err")" "not sent here: being sent by another reporter" \
		"$DB: one reporter passed over the other's claim"
	is "$(q "SELECT state || ' ' || tries FROM report_claim GROUP BY state, tries")" "sent 1" \
		"$DB: every claim sent, at the first try"
	site 2>"$T/again.err"
	is "$?/$(mails_sent "$FAKE_SENDMAIL_DIR")" "0/$WANT_MAILS" "$DB: a re-run sends nothing"
	like "$(cat "$T/again.err")" "not sent here: sent" "$DB: and says they were sent"
}

case_kill() {
	q "DELETE FROM report_claim" >/dev/null
	mail_dir kill
	# the program itself in the background (not a shell function), so
	# that kill -9 hits the reporter
	SLOW_BLOCK_AFTER=1 "$RP" -c "$T/r.conf" --db "$U" --from $B --to $E --schema "$XSD" \
	    2>"$T/k.err" &
	pk=$!
	wait_until 120 blocked 1
	ok "$DB: the reporter is mid-send" blocked 1
	kill -9 $pk; wait $pk 2>/dev/null
	for f in "$T"/blocked.*; do kill -9 "${f##*.}" 2>/dev/null; done
	is "$(mails_sent "$FAKE_SENDMAIL_DIR")/$(q "SELECT count(*) FROM report_claim WHERE state = 'claimed'")" \
		"1/1" "$DB: killed after one send, one claim left behind"
	site 2>"$T/k2.err"
	is "$?" 0 "$DB: a re-run after the kill succeeds"
	is "$(mails_sent "$FAKE_SENDMAIL_DIR")" "$WANT_MAILS" "$DB: it sends what was not sent"
	is "$(mailed_to "$FAKE_SENDMAIL_DIR")/$(dups)" "$WANT_TO/" "$DB: each destination once"
}

case_retry() {
	mail_dir retry
	t0=$(q "SELECT tries FROM report_claim WHERE dest = 'mailto:dmarc@example.com'")
	q "UPDATE report_claim SET state = 'claimed', owner = 'mx9.example 1', claimed = $(date +%s) WHERE dest = 'mailto:dmarc@example.com'" >/dev/null
	site 2>"$T/r1.err"
	is "$(mails_sent "$FAKE_SENDMAIL_DIR")" 0 "$DB: another host's fresh claim is left alone"
	q "UPDATE report_claim SET claimed = $(($(date +%s) - 1800)) WHERE dest = 'mailto:dmarc@example.com'" >/dev/null
	FAKE_SENDMAIL_EXIT=75 site 2>"$T/r2.err"
	is "$?/$(q "SELECT state FROM report_claim WHERE dest = 'mailto:dmarc@example.com'")" "1/failed" \
		"$DB: a stale claim is taken over; a failed send is recorded as failed"
	site 2>"$T/r3.err"
	is "$(mails_sent "$FAKE_SENDMAIL_DIR")/$(mailed_to "$FAKE_SENDMAIL_DIR")" "1/dmarc@example.com" \
		"$DB: the next run sends it, once"
	is "$(q "SELECT tries FROM report_claim WHERE dest = 'mailto:dmarc@example.com'")" $((t0 + 2)) \
		"$DB: tries counted (the failed one and the last)"
}

# what the file reporter sends for the three files together
mail_dir file
"$RP" -c "$T/r.conf" --history "$T/h1" --history "$T/h2" --history "$T/h3" --from $B --to $E \
    --schema "$XSD" --state "$T/file.state" 2>>"$T/file.err"
WANT_MAILS=$(mails_sent "$FAKE_SENDMAIL_DIR")
WANT_TO=$(mailed_to "$FAKE_SENDMAIL_DIR")
is "$WANT_MAILS" 3 "the file reporter sends three reports"

run_cases() {
	DB=$1
	case_counts
	case_concurrent
	case_kill
	case_retry
}
on_both run_cases
done_testing
