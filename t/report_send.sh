#!/bin/sh
# report_send.sh - delivery through a sendmail command (t/fake-sendmail):
# MIME structure, the attachment, external destination verification over
# the unbound test server, refused hostile rua, a failing sendmail leaves
# reports queued, the next run sends them, a further run sends nothing.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"
need "$RP" "$GEN" "$PY"
ok "the RFC 9990 schema is in the tree ($XSD)" test -r "$XSD"
SCHEMA=$XSD

cat > "$T/zone" <<'EOF'
  local-zone: "reports.example." static
  local-data: "reports.example. 300 IN SOA ns.reports.example. h.reports.example. 1 3600 600 86400 300"
  local-data: 'example.net._report._dmarc.reports.example. 300 IN TXT "v=DMARC1;"'
  local-zone: "unauthorised.example." static
  local-data: "unauthorised.example. 300 IN SOA ns.unauthorised.example. h.unauthorised.example. 1 3600 600 86400 300"
  # the Organizational Domain walks (_dmarc.example.net, _dmarc.net, ...) get
  # NXDOMAIN, as on the Internet, not the test server's refusal
  local-zone: "example." static
  local-zone: "com." static
  local-zone: "net." static
  local-zone: "org." static
EOF
dns_start "$T/zone" || skip_all "unbound test server did not start"

report_mail_conf "$T/r.conf" "ReportEnvelopeFrom bounces@receiver.example"
ok "generate" "$GEN" -n 3000 -o "$T/h" -b $B --hostile --ext-rua
run() {
	"$RP" -c "$T/r.conf" --history "$T/h" --from $B --to $E --schema "$SCHEMA" 2>"$T/err"
}

# 1: sendmail fails: nothing is marked sent
FAKE_SENDMAIL_EXIT=75 run
is "$?" 1 "failing sendmail: exit status 1"
sed 's/^/# /' "$T/err" | head -20
is "$(ls "$T/mail" | grep -c '^failed-.*\.eml$')" 3 "three attempts"
is "$(grep -c '^queue ' "$T/state")" 3 "all three stay queued"
is "$(grep -c '^sent ' "$T/state")" 0 "none marked sent"
like "$(cat "$T/err")" "agg@unauthorised.example: external destination not authorised" \
    "unverified external destination skipped"
like "$(cat "$T/err")" "rua=mailto:x@example.com;touch.*refused address" "rua with ; refused"
like "$(cat "$T/err")" 'rua=mailto:a@example.com`id`.*refused address' "rua with backquotes refused"

# 2: sendmail works: the queued reports go out, from the spool
FAKE_SENDMAIL_EXIT=0 run
is "$?" 0 "second run succeeds"
is "$(mails_sent)" 3 "three messages sent"
is "$(grep -c '^queue ' "$T/state")" 0 "queue empty"
is "$(grep -c '^sent ' "$T/state")" 3 "three marked sent"
is "$(ls "$T/state.spool" | wc -l)" 0 "spool emptied"
is "$(mailed_to)" "agg@reports.example dmarc@example.com dmarc@example.org" \
    "recipients: internal ones and the verified external one"
a=$(for f in "$T"/mail/msg-*.argv; do tr '\n' ' ' < "$f"; echo; done | sort | tr '\n' '|')
is "$a" "-oi -f bounces@receiver.example agg@reports.example |-oi -f bounces@receiver.example dmarc@example.com |-oi -f bounces@receiver.example dmarc@example.org |" \
    "argv: configured words, -f envelope sender, one recipient"
is "$(cat "$T"/mail/*.argv | grep -c '[;`$ |&<>]')" 0 "no shell metacharacters reach argv"

# the messages themselves
for m in "$T"/mail/msg-*.eml; do
	$PY - "$m" "$SCHEMA" > "$T/check" 2>&1 <<'PYEOF'
import email, email.policy, gzip, re, subprocess, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
subj = " ".join(str(msg["Subject"]).split())
m = re.fullmatch(r"Report Domain: (\S+) Submitter: mx\.receiver\.example Report-ID: <([0-9a-f]{32})>", subj)
assert m, subj
dom, rid = m.groups()
assert msg["Auto-Submitted"] == "auto-generated"
assert msg["From"].addresses[0].addr_spec == "dmarc-noreply@receiver.example"
assert msg.get_content_type() == "multipart/mixed"
parts = [p for p in msg.iter_attachments() if p.get_content_type() == "application/gzip"]
assert len(parts) == 1
fn = parts[0].get_filename()
assert fn == "mx.receiver.example!%s!1700006400!1700092799!%s.xml.gz" % (dom, rid), fn
xml = gzip.decompress(parts[0].get_content())
assert b"<report_id>%s</report_id>" % rid.encode() in xml
assert b"<domain>%s</domain>" % dom.encode() in xml
open(sys.argv[1] + ".xml", "wb").write(xml)
if sys.argv[2] != "none":
    subprocess.run(["xmllint", "--noout", "--schema", sys.argv[2], sys.argv[1] + ".xml"], check=True,
                   stderr=subprocess.DEVNULL)
print("ok", dom)
PYEOF
	like "$(cat "$T/check")" "^ok example\.(com|net|org)" "MIME message parses, attachment gunzips to valid XML: $(basename "$m")"
done

# 3: a further run sends nothing
run
is "$?" 0 "third run"
is "$(mails_sent)" 3 "third run sends nothing twice"

# 4: the DNS cannot be asked (nothing listens on the name server port):
# internal destinations go out, the external one waits, its report is not
# recorded; once the DNS answers, the next run sends to it alone
mkdir "$T/mail2"
FAKE_SENDMAIL_DIR="$T/mail2"
sed "s|^ReportStateFile .*|ReportStateFile $T/state2|; s|^Nameservers .*|Nameservers 127.0.0.1:$(free_port)|; s|^DNSTimeout .*|DNSTimeout 2|" \
    "$T/r.conf" > "$T/r2.conf"
"$RP" -c "$T/r2.conf" --history "$T/h" --from $B --to $E --schema "$SCHEMA" 2>"$T/err"
is "$?" 0 "DNS down: the run itself succeeds"
like "$(cat "$T/err")" "rua=mailto:agg@reports.example: not verified \(temporary\)" "external destination not verified for now"
like "$(cat "$T/err")" "domain=example.net id=[0-9a-f]*: 1 destination\(s\) not verified for now; the next run for this period tries again" \
    "the report waits for the next run"
is "$(mails_sent "$T/mail2")" 2 "DNS down: the two internal destinations are sent"
is "$(grep '^report ' "$T/state2" | cut -d' ' -f4 | tr '\n' ' ')" "example.com " \
    "only the report without external destinations is recorded (example.org also names the unauthorised one)"
sed "s|^ReportStateFile .*|ReportStateFile $T/state2|" "$T/r.conf" > "$T/r3.conf"
"$RP" -c "$T/r3.conf" --history "$T/h" --from $B --to $E --schema "$SCHEMA" 2>"$T/err"
is "$?" 0 "DNS back: next run"
is "$(mails_sent "$T/mail2")" 3 "DNS back: one more message"
is "$(tail -1 "$(ls -t "$T"/mail2/msg-*.argv | head -1)")" "agg@reports.example" "to the external destination alone"
is "$(grep -c '^report ' "$T/state2")" 3 "all three reports recorded"
"$RP" -c "$T/r3.conf" --history "$T/h" --from $B --to $E --schema "$SCHEMA" 2>"$T/err"
is "$(mails_sent "$T/mail2")" 3 "and a further run sends nothing"
done_testing
