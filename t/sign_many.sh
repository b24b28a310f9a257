#!/bin/sh
# sign_many.sh - signing a message with thousands of duplicated header
# fields (issue 11 item 4): every instance of a signed name is in h= and is
# hashed in RFC 6376 section 5.4.2's order (bottom-up per name), which dkimpy
# checks by verifying the signature; a tampered copy must fail.  The cost
# (linear since the selection indexes names once) is measured in
# t/bench/dos-bench.sh, not here; t/test_dkim_canon.c counts comparisons.
. "$srcdir/lib.sh"
. "$srcdir/sign_lib.sh"

sign_need dkim
TOOL="$SIGNTOOL"
D=sign.example

sign_keys $D r2048:rsa2048 ed:ed25519
printf 'many\t%s:r2048:%s\ned\t%s:ed:%s\n' $D "$K/r2048.key" $D "$K/ed.key" > "$T/KeyTable"
printf 'alice@%s\tmany,ed\n' $D > "$T/SigningTable"
cat > "$T/am.conf" <<CEOF
KeyTable $T/KeyTable
SigningTable $T/SigningTable
Canonicalization relaxed/simple
Nameservers 127.0.0.1:1
CEOF

# 2,000 To:, 1,500 Cc: and 300 Subject: fields, interleaved with unsigned
# X- fields and with names in mixed case
$PY - "$T/many.eml" <<'PYEOF'
import sys
out = ["From: Alice <alice@sign.example>", "Date: Mon, 1 Jan 2024 00:00:00 +0000"]
for i in range(2000):
    out.append("%s: rcpt%d@example.net" % ("To" if i % 3 else "tO", i))
    if i < 1500:
        out.append("%s: cc%d@example.net" % ("Cc" if i % 2 else "CC", i))
    if i % 7 == 0:
        out.append("Subject: part %d" % i)
    out.append("X-Filler-%d: %d" % (i % 5, i))
open(sys.argv[1], "wb").write(("\r\n".join(out) + "\r\n\r\nHello,\r\nmany fields.\r\n").encode())
PYEOF
ok "signed" sh -c "'$AM' -c '$T/am.conf' --test-message '$T/many.eml' --client-ip 127.0.0.1 \
    --mail-from alice@$D --rcpt bob@example.net --json > '$T/v.json'"
$PY "$TOOL" apply "$T/v.json" "$T/many.eml" "$T/out.eml"
$PY "$TOOL" tamper "$T/out.eml" "$T/bad.eml"
is "$($PY -c "import json,sys; print(len(json.load(open(sys.argv[1]))['add_headers']))" "$T/v.json")" 2 \
    "two signatures added (RSA, Ed25519)"
h=$($PY -c "
import json, re, sys
v = json.load(open(sys.argv[1]))['add_headers'][0]['value']
h = re.search(r'(?:^|;)h=([^;]*)', re.sub(r'\s', '', v)).group(1).lower().split(':')
# oversigning may add one more of a name
print(*(h.count(n) in (k, k + 1) for n, k in (('to', 2000), ('cc', 1500), ('subject', 286))))
" "$T/v.json")
is "$h" "True True True" "h= names every instance of To (2000), Cc (1500), Subject (286)"
cd "$T" || exit 1
$PY "$TOOL" verify zone.conf out.eml bad.eml > dkimpy.txt 2>dkimpy.err
is "$(awk '$1 == "out.eml" { print $2 }' dkimpy.txt | paste -sd, -)" "pass,pass" "dkimpy verifies both"
is "$(awk '$1 == "bad.eml" { print $2 }' dkimpy.txt | paste -sd, -)" "fail,fail" \
    "dkimpy rejects the tampered copy"
done_testing
