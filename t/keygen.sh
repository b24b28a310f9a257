#!/bin/sh
# keygen.sh - authmilter-keygen: files, modes, refusals, record format, and
# keys that sign mail dkimpy verifies through DNS (dkimpy signing, and
# libopendkim signing with the key files as written)
. "$srcdir/lib.sh"
need openssl
$PY -c 'import dkim, dns.resolver, nacl' 2>/dev/null ||
	skip_all "needs python3-dkim, python3-dnspython, python3-nacl"
KG="$top_builddir/keys/authmilter-keygen"
K="$T/keys"
mkdir -p "$K"
umask 022

# txt_to_unbound FILE DOMAIN - the zone-file line as an unbound local-data line
txt_to_unbound() {
	_name=$(awk 'NR == 1 { print $1 }' "$1")
	_strings=$(tr '\n\t' '  ' < "$1" | sed -e 's/^[^(]*( *//' -e 's/ *).*$//')
	echo "  local-data: '$_name.$2. 300 IN TXT $_strings'"
}

# --- RSA ------------------------------------------------------------------
ok "rsa: keygen exits 0" "$KG" -d keys.test -s rsa1 -D "$K"
is "$(stat -c %a "$K/rsa1.private")" 600 "rsa: private key mode 0600"
is "$(stat -c %u "$K/rsa1.private")" "$(id -u)" "rsa: private key owned by the caller"
is "$(stat -c %a "$K/rsa1.txt")" 644 "rsa: record file mode 0644"
is "$(head -1 "$K/rsa1.private")" "-----BEGIN RSA PRIVATE KEY-----" "rsa: PKCS#1 PEM"
like "$(openssl pkey -in "$K/rsa1.private" -noout -text 2>&1 | head -1)" \
	"Private-Key: \(2048 bit" "rsa: openssl reads a 2048-bit key (the default)"
want_p=$(openssl pkey -in "$K/rsa1.private" -pubout -outform DER | base64 -w0)
got=$(tr '\n\t' '  ' < "$K/rsa1.txt" | sed -e 's/^[^(]*( *//' -e 's/ *).*$//' \
	-e 's/" *"//g' -e 's/^"//' -e 's/"$//')
is "$got" "v=DKIM1; k=rsa; p=$want_p" "rsa: record carries openssl's public key"
like "$(head -1 "$K/rsa1.txt")" '^rsa1\._domainkey[[:space:]]+IN[[:space:]]+TXT[[:space:]]+\( "' \
	"rsa: zone-file line"
maxlen=$(grep -o '"[^"]*"' "$K/rsa1.txt" | awk '{ l = length($0) - 2; if (l > m) m = l } END { print m }')
ok "rsa: no character-string over 255 bytes ($maxlen)" test "$maxlen" -le 255

sum=$(md5sum < "$K/rsa1.private")
"$KG" -d keys.test -s rsa1 -D "$K" >"$T/out" 2>&1
rc=$?
ok "refuses to overwrite (exit $rc)" test "$rc" -ne 0
like "$(cat "$T/out")" "exists|refusing" "overwrite refusal says why"
is "$(md5sum < "$K/rsa1.private")" "$sum" "existing key left untouched"

"$KG" -b 1023 -d keys.test -s small -D "$K" >"$T/out" 2>&1
rc=$?
ok "refuses 1023 bits (exit $rc)" test "$rc" -ne 0
ok "no file left by the refusal" test ! -e "$K/small.private" -a ! -e "$K/small.txt"
"$KG" -d keys.test -s ../escape -D "$K" >/dev/null 2>&1
ok "refuses a selector with a slash" test $? -ne 0 -a ! -e "$T/escape.private"
"$KG" -a dsa -d keys.test -s dsa -D "$K" >/dev/null 2>&1
ok "refuses an unknown algorithm" test $? -ne 0

ok "rsa 4096" "$KG" -b 4096 -d keys.test -s big -D "$K"
maxlen=$(grep -o '"[^"]*"' "$K/big.txt" | awk '{ l = length($0) - 2; if (l > m) m = l } END { print m }')
n=$(grep -o '"[^"]*"' "$K/big.txt" | wc -l)
ok "4096: $n strings, longest $maxlen <= 255" test "$maxlen" -le 255 -a "$n" -ge 4

# --- Ed25519 ----------------------------------------------------------------
ok "ed25519: keygen exits 0" "$KG" -a ed25519 -d keys.test -s ed1 -D "$K"
is "$(stat -c %a "$K/ed1.private")" 600 "ed25519: private key mode 0600"
is "$(head -1 "$K/ed1.private")" "-----BEGIN PRIVATE KEY-----" "ed25519: PKCS#8 PEM"
like "$(openssl pkey -in "$K/ed1.private" -noout -text 2>&1 | head -1)" "ED25519 Private-Key" \
	"ed25519: openssl reads it"
want_p=$(openssl pkey -in "$K/ed1.private" -pubout -outform DER | tail -c 32 | base64 -w0)
got=$(tr '\n\t' '  ' < "$K/ed1.txt" | sed -e 's/^[^(]*( *//' -e 's/ *).*$//' \
	-e 's/" *"//g' -e 's/^"//' -e 's/"$//')
is "$got" "v=DKIM1; k=ed25519; p=$want_p" "ed25519: record carries the raw public key (RFC 8463)"
"$KG" -a ed25519 -b 2048 -d keys.test -s ed2 -D "$K" >/dev/null 2>&1
ok "ed25519 refuses -b 2048" test $? -ne 0

# --- --table ----------------------------------------------------------------
out=$("$KG" -d keys.test -s tab -D "$K" --table)
like "$out" "^# KeyTable" "--table: KeyTable heading"
like "$out" "tab\._domainkey\.keys\.test keys\.test:tab:/[^ ]*/keys/tab\.private" \
	"--table: KeyTable line with an absolute path"
like "$out" "\*@keys\.test tab\._domainkey\.keys\.test" "--table: SigningTable line"

# --- signatures dkimpy verifies through DNS --------------------------------
{
	cat "$srcdir/zones/keys.conf"
	txt_to_unbound "$K/rsa1.txt" keys.test
	txt_to_unbound "$K/ed1.txt" keys.test
	txt_to_unbound "$K/big.txt" keys.test
} > "$T/zone.conf"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
printf 'From: a@keys.test\nTo: b@example.net\nSubject: keygen test\nDate: Mon, 1 Jan 2024 00:00:00 +0000\n\nhello\n' > "$T/msg"
cat > "$T/dkimpy.py" <<'PYEOF'
import sys, dkim, dns.resolver
r = dns.resolver.Resolver(configure=False)
r.nameservers = ["127.0.0.1"]
r.port = int(sys.argv[2])
def txt(name, timeout=5):
    if isinstance(name, bytes):
        name = name.decode()
    try:
        a = r.resolve(name.rstrip("."), "TXT")
    except Exception:
        return None
    for rr in a:
        return b"".join(rr.strings)
if sys.argv[1] == "verify":
    ok = dkim.verify(sys.stdin.buffer.read(), dnsfunc=txt)
    print("pass" if ok else "fail")
else:
    key = open(sys.argv[5], "rb").read()
    alg = b"ed25519-sha256" if sys.argv[6] == "ed25519" else b"rsa-sha256"
    msg = sys.stdin.buffer.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    sig = dkim.sign(msg, sys.argv[4].encode(), sys.argv[3].encode(), key,
                    signature_algorithm=alg, include_headers=[b"from", b"to", b"subject"])
    sys.stdout.buffer.write(sig + msg)
PYEOF
dkimpy() { $PY "$T/dkimpy.py" "$@"; }
# dkimpy takes RSA PKCS#1 PEM as is, and Ed25519 only as the raw base64 seed
openssl pkey -in "$K/ed1.private" -outform DER | tail -c 32 | base64 > "$T/ed1.seed"

dkimpy sign "$DNS_PORT" keys.test rsa1 "$K/rsa1.private" rsa < "$T/msg" > "$T/s1"
is "$(dkimpy verify "$DNS_PORT" < "$T/s1")" pass "dkimpy signs with the RSA key, dkimpy verifies"
dkimpy sign "$DNS_PORT" keys.test ed1 "$T/ed1.seed" ed25519 < "$T/msg" > "$T/s2"
is "$(dkimpy verify "$DNS_PORT" < "$T/s2")" pass "dkimpy signs with the Ed25519 seed, dkimpy verifies"
"$builddir/test_dkim_key" --sign "$K/rsa1.private" keys.test rsa1 < "$T/msg" > "$T/s3"
is "$(dkimpy verify "$DNS_PORT" < "$T/s3")" pass "libopendkim signs with our RSA key, dkimpy verifies"
"$builddir/test_dkim_key" --sign "$K/ed1.private" keys.test ed1 < "$T/msg" > "$T/s4"
like "$(head -1 "$T/s4")" "a=ed25519-sha256" "libopendkim made an ed25519-sha256 signature"
is "$(dkimpy verify "$DNS_PORT" < "$T/s4")" pass "libopendkim signs with our Ed25519 key, dkimpy verifies"
"$builddir/test_dkim_key" --sign "$K/big.private" keys.test big < "$T/msg" > "$T/s5"
is "$(dkimpy verify "$DNS_PORT" < "$T/s5")" pass "4096-bit record split in strings verifies"
# the check can fail: a key that is not the published one
"$builddir/test_dkim_key" --sign "$K/tab.private" keys.test rsa1 < "$T/msg" > "$T/s6"
is "$(dkimpy verify "$DNS_PORT" < "$T/s6")" fail "signature by an unpublished key fails"
sed 's/^hello/hellO/' "$T/s4" > "$T/s7"
is "$(dkimpy verify "$DNS_PORT" < "$T/s7")" fail "altered body fails (Ed25519)"

done_testing
