#!/bin/sh
# outbound_postfix.sh - mail submitted from an internal client through real
# Postfix arrives at the sink with our DKIM-Signatures (RSA + Ed25519), and
# they verify under dkimpy
. "$srcdir/lib.sh"
. "$srcdir/postfix.sh"
. "$srcdir/sign_lib.sh"
sign_need "dkim, nacl"
TOOL="$SIGNTOOL"
D=out.example
pf_netns
sign_keys $D rsa1:rsa2048 ed1:ed25519
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
printf 'rsa %s:rsa1:%s/rsa1.key\ned %s:ed1:%s/ed1.key\n' $D "$K" $D "$K" > "$T/KeyTable"
printf '%s rsa,ed\n' $D > "$T/SigningTable"
MPORT=$(free_port)
sign_milter_conf "$MPORT" "$T/SigningTable" 198.18.1.1 > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"
pf_start "inet:127.0.0.1:$MPORT" || skip_all "postfix did not start"
printf 'From: Carol <carol@%s>\r\nTo: dave@rcpt.test\r\nSubject: outbound\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <o1@%s>\r\n\r\nSigned on the way out.\r\n' $D $D > "$T/m.eml"
r=$(pf_send 198.18.1.1 carol@$D dave@rcpt.test "$T/m.eml")
like "$r" "^250 " "internal client: Postfix accepted the message"
ok "it reached the sink" pf_wait_sink 1 30
f=$(ls "$PF"/sink/* | head -1)
# smtp-sink's dump has Postfix's Received header on top and LF line ends
$PY -c '
import sys
d = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
open(sys.argv[2], "wb").write(d)' "$f" "$T/delivered.eml"
out=$($PY "$TOOL" verify "$T/zone.conf" "$T/delivered.eml")
is "$(echo "$out" | grep -c ' pass ')" 2 "both signatures verify after delivery"
like "$out" "pass a=rsa-sha256 d=$D s=rsa1" "RSA-2048 signature"
like "$out" "pass a=ed25519-sha256 d=$D s=ed1" "Ed25519 signature"
is "$(grep -c '^Authentication-Results' "$T/delivered.eml")" 0 "signed mail gets no Authentication-Results"
done_testing
