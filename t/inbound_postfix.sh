#!/bin/sh
# inbound_postfix.sh - inbound policy through real Postfix: a p=reject
# failure gets 550 5.7.1 at the SMTP client, a p=quarantine failure lands in
# Postfix's hold queue, a passing message is delivered with the right header
. "$srcdir/lib.sh"
. "$srcdir/postfix.sh"
need openssl
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy is not installed (Debian package python3-dkim)"

pf_netns
. "$srcdir/inbound_lib.sh"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
{
	conf_base "inet:$MPORT@127.0.0.1" mx.test.example
	cat <<CEOF
InternalHosts 198.18.1.1
RejectFailures yes
HoldQuarantinedMessages yes
CEOF
} > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"
pf_start "inet:127.0.0.1:$MPORT" || skip_all "postfix did not start"

r=$(pf_send 198.18.0.1 boss@reject.inb.test bob@rcpt.test "$T/reject.eml")
like "$r" "^550 5.7.1 .*reject.inb.test" "p=reject failure: the SMTP client gets 550 5.7.1 ($r)"

# "From :" (white space before the colon, not on the first line, which
# Postfix makes X-Mailbox-Line): Postfix hands the milter the name "From",
# so the spoof is seen and fails (issue 11 item 10)
printf 'To: bob@rcpt.test\r\nFrom : Mallory <boss@reject.inb.test>\r\nSubject: inbound\r\n\r\nHello.\r\n' > "$T/spcolon.eml"
r=$(pf_send 198.18.0.1 mallory@sender.inb.test bob@rcpt.test "$T/spcolon.eml")
like "$r" "^550 5.7.1 .*reject.inb.test" "\"From :\" spoof of a p=reject domain: 550 5.7.1 ($r)"

# two From fields: refused by default (RejectMultipleFromFields, issue 11 item 2)
printf 'From: alice@sender.inb.test\r\nFrom: boss@reject.inb.test\r\nTo: bob@rcpt.test\r\nSubject: inbound\r\n\r\nHello.\r\n' > "$T/twofrom.eml"
r=$(pf_send 198.18.0.1 alice@sender.inb.test bob@rcpt.test "$T/twofrom.eml")
like "$r" "^550 5.7.1 .*2 From header fields" "two From fields: 550 5.7.1 ($r)"

r=$(pf_send 198.18.0.1 q@quar.inb.test bob@rcpt.test "$T/quar.eml")
like "$r" "^250 " "p=quarantine failure: accepted at SMTP"
for i in $(seq 1 50); do [ "$(pf_hold_count)" -ge 1 ] && break; sleep 0.2; done
is "$(pf_hold_count)" 1 "and parked in Postfix's hold queue (postqueue -j)"
like "$(grep -h "milter triggers HOLD" "$PF/postfix.log")" "from=<q@quar.inb.test>" "Postfix logs the milter HOLD for that message"

r=$(pf_send 198.18.0.1 alice@sender.inb.test bob@rcpt.test "$T/pass.eml")
like "$r" "^250 " "passing message accepted"
ok "and delivered to the sink" pf_wait_sink 1 30
f=$(ls "$PF"/sink/* 2>/dev/null | head -1)
ar=$($PY -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
print(" ".join(" ".join(a.split()) for a in m.get_all("Authentication-Results") or []))' "$f")
like "$ar" "^mx.test.example; spf=pass smtp.mailfrom=sender.inb.test; spf=pass smtp.helo=client.sender.example|^mx.test.example; spf=pass smtp.mailfrom=sender.inb.test; spf=[a-z]+ smtp.helo=" "delivered A-R: SPF"
like "$ar" "dkim=pass .*header.d=sender.inb.test header.s=sel1" "delivered A-R: DKIM pass"
like "$ar" "dmarc=pass .*header.from=sender.inb.test policy.dmarc=reject" "delivered A-R: DMARC pass"

$NSEXEC postsuper -c "$PF/etc" -H ALL >/dev/null 2>&1
$NSEXEC postqueue -c "$PF/etc" -f >/dev/null 2>&1
ok "postsuper -H releases the held message to the sink" pf_wait_sink 2 30
done_testing
