# t/inbound_lib.sh - test domains, keys and messages shared by the inbound
# tests (sourced after lib.sh): writes $T/zone.conf (unbound local-data) and
# $T/<case>.eml for the cases pass reject quar testing nodmarc bounce multi
# forged
# keys and zone
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/sel1.pem" 2>/dev/null
pub=$(openssl pkey -in "$T/sel1.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
{
	echo '  local-zone: "inb.test." static'
	echo "  local-data: 'sender.inb.test. 300 IN TXT \"v=spf1 ip4:198.18.0.1 -all\"'"
	echo "  local-data: '_dmarc.sender.inb.test. 300 IN TXT \"v=DMARC1; p=reject; rua=mailto:agg@sender.inb.test\"'"
	$PY -c "
import sys
rec = 'v=DKIM1; k=rsa; p=' + sys.argv[1]
parts = ' '.join('\"%s\"' % rec[i:i + 250] for i in range(0, len(rec), 250))
print(\"  local-data: 'sel1._domainkey.sender.inb.test. 300 IN TXT %s'\" % parts)" "$pub"
	echo "  local-data: 'reject.inb.test. 300 IN TXT \"v=spf1 -all\"'"
	echo "  local-data: '_dmarc.reject.inb.test. 300 IN TXT \"v=DMARC1; p=reject\"'"
	echo "  local-data: 'quar.inb.test. 300 IN TXT \"v=spf1 -all\"'"
	echo "  local-data: '_dmarc.quar.inb.test. 300 IN TXT \"v=DMARC1; p=quarantine\"'"
	echo "  local-data: 'testing.inb.test. 300 IN TXT \"v=spf1 -all\"'"
	echo "  local-data: '_dmarc.testing.inb.test. 300 IN TXT \"v=DMARC1; p=reject; t=y\"'"
	echo "  local-data: 'nodmarc.inb.test. 300 IN TXT \"v=spf1 ip4:198.18.0.1 -all\"'"
	echo "  local-data: 'client.inb.test. 300 IN TXT \"v=spf1 ip4:198.18.0.1 -all\"'"
	echo '  local-data: "client.inb.test. 300 IN A 198.18.0.1"'
	# a bounce domain: its MTA's HELO name passes SPF, no other record
	echo "  local-data: 'mx.bounce.inb.test. 300 IN TXT \"v=spf1 ip4:198.18.0.1 -all\"'"
	echo "  local-data: '_dmarc.bounce.inb.test. 300 IN TXT \"v=DMARC1; p=reject\"'"
} > "$T/zone.conf"
mkmsg() {	# mkmsg FILE FROM-ADDRESS [extra header line]
	printf 'From: %s\r\nTo: bob@rcpt.test\r\nSubject: inbound\r\nMessage-ID: <%s@inb.test>\r\n%bDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\r\nHello there.\r\n' \
	    "$2" "$(basename "$1")" "${3:-}" > "$1"
}
mkmsg "$T/pass.eml" "Alice <alice@sender.inb.test>"
$PY - "$T/pass.eml" "$T/sel1.pem" <<'PYEOF'
import dkim, sys
msg = open(sys.argv[1], "rb").read()
sig = dkim.sign(msg, b"sel1", b"sender.inb.test", open(sys.argv[2], "rb").read(),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
open(sys.argv[1], "wb").write(sig + msg)
PYEOF
mkmsg "$T/reject.eml" "Mallory <boss@reject.inb.test>"
mkmsg "$T/quar.eml" "q@quar.inb.test"
mkmsg "$T/testing.eml" "t@testing.inb.test"
mkmsg "$T/nodmarc.eml" "n@nodmarc.inb.test"
mkmsg "$T/bounce.eml" "Mail Delivery System <MAILER-DAEMON@bounce.inb.test>"
mkmsg "$T/multi.eml" "a@sender.inb.test, b@reject.inb.test"
mkmsg "$T/forged.eml" "Alice <alice@sender.inb.test>" \
    "Authentication-Results: other.example; spf=pass\r\nAuthentication-Results: mx.test.example; dmarc=pass\r\nAuthentication-Results: (c) MX.TEST.EXAMPLE; dkim=pass\r\n"

