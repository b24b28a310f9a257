#!/bin/sh
# testkey.sh - authmilter-testkey against the unbound test server: match,
# mismatch, missing, revoked and broken records, DNS failure, config mode
. "$srcdir/lib.sh"
KG="$top_builddir/keys/authmilter-keygen"
TK="$top_builddir/keys/authmilter-testkey"
K="$T/keys"
mkdir -p "$K"

# txt_to_unbound FILE DOMAIN - the zone-file line as an unbound local-data line
txt_to_unbound() {
	_name=$(awk 'NR == 1 { print $1 }' "$1")
	_strings=$(tr '\n\t' '  ' < "$1" | sed -e 's/^[^(]*( *//' -e 's/ *).*$//')
	echo "  local-data: '$_name.$2. 300 IN TXT $_strings'"
}

"$KG" -d keys.test -s s1 -D "$K" >/dev/null || { echo "not ok 1 - keygen"; exit 1; }
"$KG" -a ed25519 -d keys.test -s e1 -D "$K" >/dev/null
"$KG" -b 1024 -d keys.test -s other -D "$K" >/dev/null
{
	cat "$srcdir/zones/keys.conf"
	txt_to_unbound "$K/s1.txt" keys.test
	txt_to_unbound "$K/e1.txt" keys.test
} > "$T/zone.conf"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
NS="127.0.0.1:$DNS_PORT"

# tk LABEL WANT_STATUS REGEX ARGS... - run testkey, check status and output
tk() {
	_label=$1 _want=$2 _re=$3
	shift 3
	"$TK" --nameserver "$NS" "$@" >"$T/tk.out" 2>&1
	_rc=$?
	is "$_rc" "$_want" "$_label: exit status"
	like "$(cat "$T/tk.out")" "$_re" "$_label: output"
}

tk "rsa match" 0 "s1\._domainkey\.keys\.test key=.*result=match alg=rsa bits=2048 dnssec=insecure" \
	-d keys.test -s s1 -k "$K/s1.private"
tk "ed25519 match" 0 "e1\._domainkey\.keys\.test .*result=match alg=ed25519 bits=256" \
	-d keys.test -s e1 -k "$K/e1.private"
openssl pkey -in "$K/e1.private" -outform DER 2>/dev/null | tail -c 32 | base64 > "$K/e1.seed"
chmod 600 "$K/e1.seed"
tk "ed25519 raw seed (dkimpy form) match" 0 "result=match alg=ed25519" \
	-d keys.test -s e1 -k "$K/e1.seed"
tk "other rsa key: mismatch" 1 "result=mismatch reason=\"public key does not match" \
	-d keys.test -s s1 -k "$K/other.private"
tk "ed25519 key against rsa record: mismatch" 1 "result=mismatch reason=\"record is k=rsa, private key is ed25519" \
	-d keys.test -s s1 -k "$K/e1.private"
tk "rsa key against ed25519 record: mismatch" 1 "result=mismatch" \
	-d keys.test -s e1 -k "$K/s1.private"
tk "missing record: not found" 2 "nope\._domainkey\.keys\.test .*result=notfound" \
	-d keys.test -s nope -k "$K/s1.private"
tk "non-DKIM TXT only: not found" 2 "result=notfound reason=\"no key record" \
	-d keys.test -s notdkim -k "$K/s1.private"
tk "revoked key" 3 "result=revoked" -d keys.test -s revoked -k "$K/s1.private"
tk "undecodable p=" 3 "result=invalid reason=\"p= is not a valid rsa public key" \
	-d keys.test -s broken -k "$K/s1.private"
tk "v=DKIM2" 3 "result=invalid reason=\"v=DKIM2 is not DKIM1" \
	-d keys.test -s v2 -k "$K/s1.private"
tk "missing key file" 66 "No such file" -d keys.test -s s1 -k "$K/absent.private"
chmod 644 "$K/other.private"
tk "readable key file: warning" 1 "warning: mode 0644" -d keys.test -s s1 -k "$K/other.private"
chmod 600 "$K/other.private"
DEAD=$(free_port)
"$TK" --nameserver "127.0.0.1:$DEAD" --timeout 1 -d keys.test -s s1 -k "$K/s1.private" \
	>"$T/tk.out" 2>&1
is "$?" 4 "no answer from the name server: exit 4"
like "$(cat "$T/tk.out")" "result=dnserror" "no answer: result=dnserror"
"$TK" -d keys.test -s s1 >/dev/null 2>&1
is "$?" 64 "usage error without -k"

# --- -c: KeyTable and short form ---------------------------------------------
cat > "$T/keytable" <<KTEOF
# comment
s1._domainkey.keys.test	keys.test:s1:$K/s1.private
e1._domainkey.keys.test keys.test:e1:$K/e1.private
KTEOF
cat > "$T/a.conf" <<CEOF
Mode sv
KeyTable file:$T/keytable
Nameservers $NS
CEOF
"$TK" -c "$T/a.conf" >"$T/tk.out" 2>&1
is "$?" 0 "-c KeyTable: all keys match"
is "$(grep -c 'result=match' "$T/tk.out")" 2 "-c KeyTable: one line per key"
echo "o._domainkey.keys.test keys.test:s1:$K/other.private" >> "$T/keytable"
"$TK" -c "$T/a.conf" >"$T/tk.out" 2>&1
is "$?" 1 "-c KeyTable with a wrong key: exit 1"
like "$(cat "$T/tk.out")" "other\.private result=mismatch" "-c KeyTable: the wrong key is named"
echo "broken line" >> "$T/keytable"
"$TK" -c "$T/a.conf" >"$T/tk.out" 2>&1
is "$?" 78 "-c KeyTable with a malformed line: exit 78"
like "$(cat "$T/tk.out")" "keytable:5:" "malformed line: file:line"
cat > "$T/b.conf" <<CEOF
Mode s
Domain keys.test
Selector e1
KeyFile $K/e1.private
Nameservers $NS
CEOF
"$TK" -c "$T/b.conf" >"$T/tk.out" 2>&1
is "$?" 0 "-c Domain/Selector/KeyFile short form"
chmod 640 "$K/e1.private"
"$TK" -c "$T/b.conf" >"$T/tk.out" 2>&1
is "$?" 66 "-c with RequireSafeKeys (default yes): group-readable key refused"
like "$(cat "$T/tk.out")" "e1\.private: unsafe permissions 0640" "refusal names the file"

done_testing
