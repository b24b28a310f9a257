#!/bin/sh
# sign_cover.sh - what the default signature covers (issue 11 item 18)
#
# A message with every header a reader sees or a receiver acts on is signed
# with the default header lists through the offline runner and the milter;
# dkimpy and Mail::DKIM must verify it, h= must name the default signed set
# (RFC 6376 5.4.1, OpenDKIM's pre-2.10 RFC 4871 list, List-Unsubscribe-Post
# for RFC 8058 section 4) and oversign what a reader sees: adding a second
# From, Subject, Content-Type, List-Unsubscribe-Post... after signing, or a
# Reply-To/Cc/Content-Type the message did not have, breaks the signature
# under both verifiers.  A relay adding a missing Date or Message-ID does not.
. "$srcdir/lib.sh"
. "$srcdir/sign_lib.sh"

sign_need dkim mail-dkim
TOOL="$SIGNTOOL"
MC="$builddir/miltc"
D=cover.example

cd "$T" || exit 1
mkdir -p in out bad
sign_keys $D s1:rsa2048
dns_start zone.conf || { echo "Bail out! unbound did not start"; exit 1; }
MPORT=$(free_port)
conf_base "inet:$MPORT@127.0.0.1" mx.cover.example > a.conf
cat >> a.conf <<EOF
Domain $D
Selector s1
KeyFile $T/keys/s1.key
InternalHosts 198.18.1.1
EOF

# the full message: every field of the default lists, plus two never signed
printf '%s\r\n' "Received: from mua.cover.example by mx.cover.example" \
    "From: Alice <alice@$D>" "Sender: list-bounces@$D" "Reply-To: team@$D" \
    "To: Bob <bob@example.net>" "Cc: carol@example.net" "Subject: cover test" \
    "Date: Mon, 1 Jan 2024 00:00:00 +0000" "Message-ID: <full@$D>" \
    "In-Reply-To: <prev@$D>" "References: <first@$D> <prev@$D>" "MIME-Version: 1.0" \
    'Content-Type: text/plain; charset="us-ascii"' "Content-Transfer-Encoding: 7bit" \
    "List-Id: News <news.$D>" "List-Unsubscribe: <https://$D/u/123>, <mailto:u@$D?subject=123>" \
    "List-Unsubscribe-Post: List-Unsubscribe=One-Click" "X-Mailer: test 1.0" \
    "" "Hello, this is the body." > in/full.eml
# a minimal one: no Reply-To, Cc, Sender, MIME or List-* fields
printf '%s\r\n' "From: alice@$D" "To: bob@example.net" "Subject: minimal" \
    "Date: Mon, 1 Jan 2024 00:00:00 +0000" "Message-ID: <min@$D>" "" "Body." > in/min.eml

for n in full min; do
	"$AM" -c a.conf --test-message in/$n.eml --client-ip 198.18.1.1 --mail-from alice@$D \
	    --rcpt bob@example.net --json > $n.json
	$PY "$TOOL" apply $n.json in/$n.eml out/$n.eml
done

# hnames FILE - the h= of its top DKIM-Signature, lower case, one per line
hnames() {
	$PY - "$1" <<'PYEOF'
import re, sys
data = open(sys.argv[1], "rb").read().decode()
sig = re.match(r"DKIM-Signature:(.*?)\r\n(?![ \t])", data, re.S).group(1)
h = re.search(r"\bh=([^;]*)", re.sub(r"\s+", "", sig)).group(1)
print("\n".join(x.lower() for x in h.split(":")))
PYEOF
}
# count NAME FILE - how often NAME is in the h= of FILE
count() { hnames "$2" | grep -cx "$1"; }

for h in from sender reply-to to cc subject date message-id in-reply-to references \
    mime-version content-type content-transfer-encoding list-unsubscribe list-unsubscribe-post; do
	is "$(count $h out/full.eml)" 2 "full: $h signed and oversigned (h= names it twice)"
done
is "$(count list-id out/full.eml)" 1 "full: list-id signed once (a list may add its own)"
is "$(count received out/full.eml)$(count x-mailer out/full.eml)" 00 \
    "full: Received and X-Mailer not signed"
for h in reply-to cc content-type; do
	is "$(count $h out/min.eml)" 1 "min: absent $h listed once, so none can be added"
done
for h in sender mime-version list-unsubscribe list-unsubscribe-post; do
	is "$(count $h out/min.eml)" 0 "min: absent $h not listed (a relay may add it)"
done
is "$(count date out/min.eml),$(count message-id out/min.eml)" 2,2 \
    "min: present Date and Message-ID oversigned"

# add IN OUT WHERE FIELD - a copy of IN with FIELD added at the top of the
# original header (below the signature) or at the bottom of the header
add() {
	$PY - "$@" <<'PYEOF'
import sys
src, dst, where, field = sys.argv[1:5]
data = open(src, "rb").read()
field = field.encode() + b"\r\n"
if where == "bottom":
    i = data.index(b"\r\n\r\n") + 2
else:
    i = 0
    while data[i:].lower().startswith(b"dkim-signature:"):
        i = data.index(b"\r\n", i) + 2
        while data[i:i + 1] in (b" ", b"\t"):
            i = data.index(b"\r\n", i) + 2
data = data[:i] + field + data[i:]
open(dst, "wb").write(data)
PYEOF
}
BROKEN=""
broken() {	# broken NAME SOURCE WHERE FIELD
	add "out/$2.eml" "bad/$1.eml" "$3" "$4"
	BROKEN="$BROKEN $1"
}
broken subject_top full top "Subject: URGENT: wire the money"
broken subject_bottom full bottom "Subject: URGENT: wire the money"
broken from_top full top "From: CEO <ceo@$D>"
broken ctype_top full top 'Content-Type: text/html; charset="us-ascii"'
broken lup_top full top "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
broken lu_top full top "List-Unsubscribe: <https://evil.example/u>"
broken sender_top full top "Sender: someone@evil.example"
broken msgid_top full top "Message-ID: <other@evil.example>"
broken replyto_min min top "Reply-To: mallory@evil.example"
broken cc_min min top "Cc: mallory@evil.example"
broken ctype_min min top "Content-Type: text/html"
broken subject_min min top "Subject: second subject"
KEPT="relay_min"
add out/min.eml bad/relay_min.eml top "Sender: relay@example.net"

$PY "$TOOL" verify zone.conf out/full.eml out/min.eml bad/*.eml > dkimpy.txt 2>dkimpy.err
perl "$srcdir/data/sign/maildkim_verify.pl" "$DNS_PORT" out/full.eml out/min.eml bad/*.eml \
    > maildkim.txt 2>maildkim.err
res() { awk -v m="$2" '$1 == m { print $2 }' "$1" | paste -sd, -; }
for n in full min; do
	is "$(res dkimpy.txt out/$n.eml)" pass "$n: dkimpy verifies the default signature"
	is "$(res maildkim.txt out/$n.eml)" pass "$n: Mail::DKIM verifies the default signature"
done
for n in $BROKEN; do
	is "$(res dkimpy.txt bad/$n.eml)" fail "$n: a field added after signing breaks it (dkimpy)"
	is "$(res maildkim.txt bad/$n.eml)" fail "$n: a field added after signing breaks it (Mail::DKIM)"
done
for n in $KEPT; do
	is "$(res dkimpy.txt bad/$n.eml),$(res maildkim.txt bad/$n.eml)" pass,pass \
	    "$n: a missing Sender added by a relay keeps the signature"
done

# the keywords still work: OpenDKIM-style lists replace the defaults
cp a.conf b.conf
cat >> b.conf <<EOF
SignHeaders From, To, Subject
OmitHeaders Content-Type
OversignHeaders From
OversignHeadersIfPresent Subject
EOF
"$AM" -c b.conf --test-message in/full.eml --client-ip 198.18.1.1 --mail-from alice@$D \
    --rcpt bob@example.net --json > b.json
$PY "$TOOL" apply b.json in/full.eml out/b.eml
is "$(hnames out/b.eml | paste -sd: -)" "from:to:subject:from:subject" \
    "SignHeaders, OmitHeaders, OversignHeaders, OversignHeadersIfPresent replace the defaults"
cp a.conf c.conf
printf 'OversignHeaders .\nOversignHeadersIfPresent .\n' >> c.conf
"$AM" -c c.conf --test-message in/min.eml --client-ip 198.18.1.1 --mail-from alice@$D \
    --rcpt bob@example.net --json > c.json
$PY "$TOOL" apply c.json in/min.eml out/c.eml
is "$(hnames out/c.eml | paste -sd: -)" "from:to:subject:date:message-id" "\".\": no oversigning"

# through the milter: the same h= as the runner
milter_start a.conf || { echo "Bail out! authmilter did not start"; exit 1; }
m=$("$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 198.18.1.1 --helo mua.cover.example \
    --from alice@$D --rcpt bob@example.net in/full.eml)
sig=$(printf '%s\n' "$m" | sed -n 's/^insheader 0 DKIM-Signature: //p' |
    sed 's/\\r\\n//g' | tr -d ' \t')
want=$(hnames out/full.eml | paste -sd: -)
got=$(printf '%s' "$sig" | sed -n 's/.*;h=\([^;]*\);.*/\1/p' | tr 'A-Z' 'a-z')
is "$got" "$want" "through the milter: the same h= (List-Unsubscribe-Post covered, oversigned)"

done_testing
