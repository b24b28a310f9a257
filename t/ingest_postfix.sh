#!/bin/sh
# ingest_postfix.sh - a real Postfix delivering the rua= mailbox into
# "authmilter-report ingest -" through a pipe(8) transport (issue 14 item
# 1, the recipe of authmilter-report(8), INGEST): a message with a gzip'd
# aggregate report sent over SMTP is stored; a second message to a
# transport whose database cannot be opened is deferred (exit 75), not
# bounced or lost.
. "$srcdir/lib.sh"
. "$srcdir/postfix.sh"
R="$top_builddir/report/authmilter-report"
SQL="$top_srcdir/report/sql"
D="$srcdir/data/ingest"
need "$R" "$PY" sqlite3
R=$(cd "$(dirname "$R")" && pwd)/authmilter-report
SQL=$(cd "$SQL" && pwd)

T=$(cd "$T" && pwd)
PF="$T/pf"
pf_netns
mkdir -p "$PF/etc" "$PF/spool" "$PF/data" "$T/db"
chown postfix "$PF/data"
chown nobody "$T/db"
chmod 755 "$T" "$PF"
DB="sqlite:$T/db/reports.sqlite"
{
	pf_main_cf "$PF" mx.test.example test.example ""
	cat <<PFEOF
local_transport = error:local delivery disabled
inet_interfaces = 198.18.0.1, 198.18.1.1, 127.0.0.1
mynetworks = 127.0.0.0/8, 198.18.0.0/15
relay_domains = reports.test.example
transport_maps = inline:{ dmarc-rua@reports.test.example=dmarcingest:, broken-rua@reports.test.example=dmarcbroken: }
default_transport = error:no other destination
maillog_file_prefixes = $PF
dmarcingest_destination_recipient_limit = 1
dmarcbroken_destination_recipient_limit = 1
PFEOF
} > "$PF/etc/main.cf"
pf_master_cf \
    "dmarcingest unix - n n - - pipe user=nobody argv=$R ingest --db $DB --sql-dir $SQL -" \
    "dmarcbroken unix - n n - - pipe user=nobody argv=$R ingest --db sqlite:$T/db/no/such/dir/x.sqlite --sql-dir $SQL -" \
    > "$PF/etc/master.cf"
touch "$PF/postfix.log"
$NSEXEC postfix -c "$PF/etc" start >"$PF/start.log" 2>&1 || { sed 's/^/# /' "$PF/start.log"; skip_all "postfix did not start"; }
at_exit "$NSEXEC postfix -c $PF/etc stop"
wait_until 30 $NSEXEC $PY -c "import socket; socket.create_connection(('198.18.0.1',25),0.5).close()" ||
    skip_all "smtpd is not listening"

# a report message as receivers send them: a gzip'd XML attachment, base64
$PY - "$D/agg-rfc7489.xml" "$T/report.eml" <<'PYEOF'
import gzip, sys
from email.message import EmailMessage
m = EmailMessage()
m["From"] = "noreply-dmarc@receiver.example"
m["To"] = "dmarc-rua@reports.test.example"
m["Subject"] = "Report Domain: example.com Submitter: receiver.example Report-ID: r-7489-1"
m["Message-ID"] = "<pf-ingest-1@receiver.example>"
m.set_content("This is an aggregate report.\n")
m.add_attachment(gzip.compress(open(sys.argv[1], "rb").read()), maintype="application",
    subtype="gzip", filename="receiver.example!example.com!1700006400!1700092799.xml.gz")
open(sys.argv[2], "wb").write(bytes(m))
PYEOF

# the queries run as the pipe's user: a file root created would lock it out
asnobody() { runuser -u nobody -- "$@"; }
stored() { asnobody "$R" reports --db "$DB" --json 2>/dev/null | grep -q '"report_id":"r-7489-1"'; }
is "$(pf_send 198.18.0.1 noreply-dmarc@receiver.example dmarc-rua@reports.test.example "$T/report.eml" | cut -c1-3)" 250 \
    "the report message accepted over SMTP"
ok "delivered through the pipe(8) transport into ingest -: reports --json shows it" wait_until 120 stored
is "$(asnobody "$R" reports --db "$DB" --json | $PY -c 'import json,sys
j = json.loads(sys.stdin.readline()); print(j["rows"], j["messages"], j["format"])')" "2 5 rfc7489" "with its counts"
is "$(asnobody sqlite3 "$T/db/reports.sqlite" "SELECT message_id || ' ' || source FROM agg_report")" \
    "<pf-ingest-1@receiver.example> -" "the message's id and the source \"-\" stored"
ok "Postfix logged the delivery as sent" wait_until 30 grep -q 'to=<dmarc-rua@reports.test.example>.*relay=dmarcingest.*status=sent' "$PF/postfix.log"

# the database cannot be opened: exit 75, Postfix keeps the mail and retries
is "$(pf_send 198.18.0.1 noreply-dmarc@receiver.example broken-rua@reports.test.example "$T/report.eml" | cut -c1-3)" 250 \
    "a second report message accepted"
ok "the database cannot be opened: the delivery is deferred" \
    wait_until 120 grep -q 'to=<broken-rua@reports.test.example>.*relay=dmarcbroken.*status=deferred' "$PF/postfix.log"
is "$(grep -c 'to=<broken-rua@reports.test.example>.*status=bounced' "$PF/postfix.log")" 0 "and not bounced"
done_testing
