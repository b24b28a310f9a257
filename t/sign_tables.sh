#!/bin/sh
# sign_tables.sh - OpenDKIM KeyTable/SigningTable compatibility and the
# signing configuration, end to end through the offline runner
#
# The tables in t/data/sign/ are written in the layout of opendkim.conf(5)
# and used unchanged.  Keys are made at test time (openssl genpkey).
# Checked: refile: first match versus MultipleSignatures (RSA + Ed25519 for
# one sender), "%" domains, plain-table lookup order, the Domain/Selector/
# KeyFile short form with SubDomains, DontSignMailTo, no match, a key missing
# at signing time, the signer field, and start-up errors that name the file
# (missing key, RequireSafeKeys, bad lines, dangling key names).
. "$srcdir/lib.sh"

need /usr/bin/python3 openssl
$PY -c 'import dkim, nacl' 2>/dev/null || skip_all "python3-dkim or python3-nacl is not installed"
[ -x "$AM" ] || skip_all "authmilter is not built"
TOOL="$srcdir/data/sign/signtool.py"
DATA="$srcdir/data/sign"

cd "$T" || exit 1
mkdir -p keys/example.com in v out
chmod 700 keys keys/example.com
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out keys/example.com/mail2024.private 2>/dev/null
openssl genpkey -algorithm ED25519 -out keys/example.com/ed2024.private 2>/dev/null
chmod 600 keys/example.com/*.private
{
	$PY "$TOOL" zone keys example.com mail2024=keys/example.com/mail2024.private \
	    ed2024=keys/example.com/ed2024.private
	$PY "$TOOL" zone keys sub.example.com mail2024=keys/example.com/mail2024.private
} > zone.conf

# conf NAME LINES... - a config file NAME.conf
conf() {
	_cf=$1
	shift
	printf '%s\n' "$@" > "$T/$_cf.conf"
}
# run NAME CONF FROM [RCPT [IP]] - sign in/NAME.eml; verdict in v/NAME.json,
# the signed message in out/NAME.eml; prints nothing
run() {
	$PY "$TOOL" msg crlf "in/$1.eml" "$3"
	"$AM" -c "$2.conf" --test-message "in/$1.eml" --client-ip "${5:-127.0.0.1}" \
	    --mail-from "$3" --rcpt "${4:-bob@example.net}" --json > "v/$1.json" 2> "v/$1.err"
	$PY "$TOOL" apply "v/$1.json" "in/$1.eml" "out/$1.eml"
}
# sigs NAME - "d=D s=S a=A" of each added signature, top first, "|"-separated
sigs() {
	$PY - "v/$1.json" <<'EOF'
import json, re, sys
out = []
for h in json.load(open(sys.argv[1]))["add_headers"]:
    if h["name"].lower() != "dkim-signature":
        continue
    v = re.sub(r"\s+", "", h["value"])
    t = dict(x.split("=", 1) for x in v.split(";") if "=" in x)
    out.append("d=%s s=%s a=%s%s" % (t["d"], t["s"], t["a"], " i=" + t["i"] if "i" in t else ""))
print("|".join(out))
EOF
}
logline() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['log'])" "v/$1.json"; }
verify() { $PY "$TOOL" verify zone.conf "out/$1.eml" | awk '{ print $2 }' | paste -sd, -; }

# --- the man-page tables, unchanged -----------------------------------------
conf multi "KeyTable $DATA/KeyTable" "SigningTable refile:$DATA/SigningTable" \
    "MultipleSignatures yes"
run multi multi alice@example.com
is "$(sigs multi)" "d=example.com s=mail2024 a=rsa-sha256|d=example.com s=ed2024 a=ed25519-sha256" \
    "refile + MultipleSignatures: RSA and Ed25519, in table order"
is "$(verify multi)" "pass,pass" "both verify (dkimpy)"
like "$(logline multi)" "dkim=signed d=example.com s=mail2024 a=rsa-sha256 bits=2048 d=example.com s=ed2024 a=ed25519-sha256 bits=256" \
    "log line names both"

conf first "KeyTable $DATA/KeyTable" "SigningTable refile:$DATA/SigningTable"
run first first alice@example.com
is "$(sigs first)" "d=example.com s=mail2024 a=rsa-sha256" "refile: first match wins by default"
is "$(verify first)" "pass" "verifies"
run sub first alice@sub.example.com
is "$(sigs sub)" "d=sub.example.com s=mail2024 a=rsa-sha256" "% in the KeyTable: d= is the From domain"
is "$(verify sub)" "pass" "verifies"
run nomatch first alice@example.org
is "$(sigs nomatch)" "" "no SigningTable match: unsigned"
like "$(logline nomatch)" 'dkim=unsigned reason="no SigningTable match for alice@example.org"' \
    "log says why"
run verifyrole first alice@example.com bob@example.net 198.18.0.1
is "$(sigs verifyrole)" "" "external client: verified, not signed"
is "$($PY -c "import json,sys; print(json.load(open(sys.argv[1]))['results']['role'])" v/verifyrole.json)" \
    verify "role is verify"

conf plain "KeyTable $DATA/KeyTable" "SigningTable $DATA/SigningTable.plain"
run p1 plain boss@example.com
is "$(sigs p1)" "d=example.com s=ed2024 a=ed25519-sha256" "plain: user@domain first"
run p2 plain alice@example.com
is "$(sigs p2)" "d=example.com s=mail2024 a=rsa-sha256" "plain: then the domain"
run p3 plain alice@deep.sub.example.com
is "$(sigs p3)" "d=deep.sub.example.com s=mail2024 a=rsa-sha256" "plain: then .parent"

# --- options ----------------------------------------------------------------
conf dont "KeyTable $DATA/KeyTable" "SigningTable refile:$DATA/SigningTable" \
    "DontSignMailTo .example.net, list@example.org"
run dont dont alice@example.com bob@mx.example.net
is "$(sigs dont)" "" "DontSignMailTo .parent: unsigned"
like "$(logline dont)" 'reason="recipient bob@mx.example.net is in DontSignMailTo"' "log says why"
run dont2 dont alice@example.com friend@example.com
is "$(sigs dont2)" "d=example.com s=mail2024 a=rsa-sha256" "other recipients: signed"
# recipients as an MTA passes them (RCPT TO's "<...>"): read as paths
run dont3 dont alice@example.com '<bob@mx.example.net>'
is "$(sigs dont3)" "" "DontSignMailTo .example.net: <bob@mx.example.net> unsigned"
run dont4 dont alice@example.com '<List@Example.ORG>'
is "$(sigs dont4)" "" "DontSignMailTo list@example.org: <List@Example.ORG> unsigned"

conf modev "Mode v" "KeyTable $DATA/KeyTable" "SigningTable refile:$DATA/SigningTable"
run modev modev alice@example.com
is "$(sigs modev)" "" "Mode v: never signs"

printf '*@example.com example.com:news@%%\n*@example.org %%\n' > st-signer
conf signer "KeyTable $DATA/KeyTable" "SigningTable refile:$T/st-signer"
run signer signer alice@example.com
is "$(sigs signer)" "d=example.com s=mail2024 a=rsa-sha256 i=news@example.com" \
    "signer field with %: i="
is "$(verify signer)" "pass" "verifies"
run missing signer alice@example.org
is "$(sigs missing)" "" "key missing at signing time: unsigned"
like "$(cat v/missing.err)" 'names key "example.org", which is not in the KeyTable' "logged as an error"
like "$(logline missing)" 'dkim=unsigned reason="no usable key' "log says why"

K="$T/keys/example.com/mail2024.private"
conf short "Domain example.com" "Selector mail2024" "KeyFile $K"
run short short alice@example.com
is "$(sigs short)" "d=example.com s=mail2024 a=rsa-sha256" "Domain/Selector/KeyFile"
is "$(verify short)" "pass" "verifies"
run short_sub short alice@sub.example.com
is "$(sigs short_sub)" "" "subdomain not signed without SubDomains"
conf shortsub "Domain example.com" "Selector mail2024" "KeyFile $K" "SubDomains yes"
run short_sub2 shortsub alice@sub.example.com
is "$(sigs short_sub2)" "d=example.com s=mail2024 a=rsa-sha256" "SubDomains: signed as the parent"
is "$(verify short_sub2)" "pass" "verifies"
conf shortall "Domain *" "Selector mail2024" "KeyFile $K"
run short_all shortall alice@sub.example.com
is "$(sigs short_all)" "d=sub.example.com s=mail2024 a=rsa-sha256" "Domain *: d= the From domain"

# --- "%" takes only a domain name (issue 11 item 9) ---------------------------
# A From domain literal must not become text of the DKIM-Signature: a "%"
# row gives no signature for it, and the log line says why.
printf '*@* other\n' > st-any
printf '*@* example.com:x@%%\n' > st-anysigner
conf anykey "KeyTable $DATA/KeyTable" "SigningTable refile:$T/st-any"
conf anysigner "KeyTable $DATA/KeyTable" "SigningTable refile:$T/st-anysigner"
printf '* %%\n' > st-pct
printf 'a.example example.com:mail2024:%s\n' "$K" > kt-pct
conf pctname "KeyTable $T/kt-pct" "SigningTable refile:$T/st-pct"
for lit in '[a;s=x]' '[192.0.2.1]' 'a_b.example.com' 'x.-bad.example.com' 'com'; do
	run lit anykey "alice@$lit"
	is "$(sigs lit)" "" "KeyTable %: From domain $lit gives no signature"
	like "$(logline lit)" 'dkim=unsigned reason="[^"]*from-domain-not-a-domain-name' \
	    "KeyTable %: $lit: the log line says why"
	run lits anysigner "alice@$lit"
	is "$(sigs lits)" "" "signer x@%: From domain $lit gives no signature"
	run litn pctname "alice@$lit"
	is "$(sigs litn)" "" "SigningTable key %: From domain $lit gives no signature"
done
run litok anykey alice@mail.sub.example.com
is "$(sigs litok)" "d=mail.sub.example.com s=mail2024 a=rsa-sha256" "KeyTable %: a domain name still signs"

# --- start-up errors name the file -------------------------------------------
# fails NAME REGEX LABEL - the config is refused with a matching message
fails() {
	"$AM" -c "$T/$1.conf" --test-message "in/first.eml" --client-ip 127.0.0.1 \
	    > "v/$1.out" 2> "v/$1.err"
	_rc=$?
	like "rc=$_rc $(cat "v/$1.err")" "^rc=[1-9].*$2" "$3"
}
chmod 644 "$K"
fails first "keys/example.com/mail2024.private: unsafe permissions 0644" \
    "RequireSafeKeys refuses a 0644 key, naming it"
fails short "mail2024.private: unsafe permissions 0644" "also with KeyFile"
conf lax "KeyTable $DATA/KeyTable" "SigningTable refile:$DATA/SigningTable" "RequireSafeKeys no"
run lax lax alice@example.com
is "$(sigs lax)" "d=example.com s=mail2024 a=rsa-sha256" "RequireSafeKeys no: the 0644 key is used"
chmod 600 "$K"
chmod 777 keys/example.com
fails first "its directory is writable by others" "RequireSafeKeys refuses a world-writable directory"
chmod 700 keys/example.com
mv "$K" "$K.gone"
fails first "keys/example.com/mail2024.private: No such file or directory" "missing key: daemon refuses to start"
mv "$K.gone" "$K"
printf 'good example.com:mail2024:%s\nbad example.com:mail2024\n' "$K" > kt-bad
conf badkt "KeyTable $T/kt-bad" "SigningTable refile:$DATA/SigningTable"
fails badkt "KeyTable: $T/kt-bad:2: want DOMAIN:SELECTOR:KEY" "bad KeyTable line: file and line"
printf '*@example.com nosuchkey\n' > st-dangling
conf dangling "KeyTable $DATA/KeyTable" "SigningTable refile:$T/st-dangling"
fails dangling "SigningTable: $T/st-dangling:1: key \"nosuchkey\" is not in the KeyTable" \
    "SigningTable naming an unknown key"
conf half "KeyTable $DATA/KeyTable"
fails half "KeyTable is set but SigningTable is not" "KeyTable without SigningTable"
conf notable "KeyTable $DATA/KeyTable" "SigningTable refile:$T/nonexistent"
fails notable "SigningTable: $T/nonexistent: cannot open" "missing SigningTable file"
conf dsn "KeyTable dsn:mysql://x" "SigningTable refile:$DATA/SigningTable"
fails dsn "unsupported data set type" "database tables are refused, not ignored"

done_testing
