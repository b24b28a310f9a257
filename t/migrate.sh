#!/bin/sh
# migrate.sh - OpenDKIM and OpenDMARC configurations come along without
# surprises (lib/conf_compat.c, lib/dataset.c)
#
# 1. Every keyword of Debian's opendkim.conf(5) and opendmarc.conf(5)
#    (t/data/migrate/*-keywords.txt) has a decided fate in
#    t/data/migrate/fates.txt, and authmilter -n gives exactly that outcome
#    (exit status and message) for each row; authmilter.conf(5)'s migration
#    table names every keyword.
# 2. Debian's shipped opendkim.conf and opendmarc.conf and tutorial-style
#    files pass authmilter -n.
# 3. Data sets: InternalHosts as refile: (with * patterns), a plain path,
#    csl:, file:; MTA and Domain as data sets; database types refused.
# 4. What the tutorials' keywords now do: RemoveOldSignatures removes the
#    message's signatures when it signs, AuthservIDWithJobID puts the queue
#    id in the authserv-id (and such a forged field is removed).
. "$srcdir/lib.sh"

need /usr/bin/python3 openssl
[ -x "$AM" ] || skip_all "authmilter is not built"
D="$srcdir/data/migrate"

cd "$T" || exit 1
mkdir -p keys
chmod 700 keys
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out keys/example.private 2>/dev/null
chmod 600 keys/example.private
printf 'sel._domainkey.example.com example.com:sel:%s/keys/example.private\n' "$T" > KeyTable
printf '*@example.com sel._domainkey.example.com\n' > SigningTable
# TrustedHosts as the tutorials write it, with refile: patterns
printf '127.0.0.1\n::1\nlocalhost\n192.168.0.0/24\n*.example.com\nmail*.example.org\n198.51.100.*\n' > TrustedHosts
printf '10.1.0.0/16\n' > PeerList
printf '10.2.0.1\n' > ignore.hosts
printf 'From\nTo\nSubject\nDate\n' > SignHeaders
printf 'com\nnet\norg\n' > psl.dat
printf '. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n' > root.key

# check CONF - authmilter -n; output in $T/out, exit status in $rc
check() {
	"$AM" -n -c "$1" > "$T/out" 2>&1
	rc=$?
}

# --- 1. every keyword, its decided outcome --------------------------------
for list in opendkim-keywords.txt opendmarc-keywords.txt; do
	missing=$(grep -v '^#' "$D/$list" | while read -r kw; do
		grep -q "^$kw	" "$D/fates.txt" || echo "$kw"
	done)
	is "$missing" "" "every keyword of $list has a decided fate in fates.txt"
done
"$AM" --dump-man > man.5
missing=$(grep -hv '^#' "$D/opendkim-keywords.txt" "$D/opendmarc-keywords.txt" | while read -r kw; do
	grep -qF "$(printf '%s\t' "$kw" | sed 's/-/\\-/g')" man.5 || echo "$kw"
done)
is "$missing" "" "authmilter.conf(5)'s migration table names every keyword of both lists"

n=0
while IFS='	' read -r kw val want text; do
	case $kw in ''|'#'*) continue ;; esac
	n=$((n + 1))
	printf '%s %b\n' "$kw" "$(printf '%s' "$val" | sed "s|@DIR@|$T|g")" > w.conf
	check w.conf
	out=$(cat out)
	case $want in
	ok)
		if [ "$rc" = 0 ] && ! grep -q 'w.conf:[0-9]*:' out; then r=ok; else r="rc=$rc: $out"; fi
		is "$r" ok "$kw $val: taken without a word" ;;
	notice)
		is "$rc" 0 "$kw $val: accepted"
		like "$out" "w.conf:1: $kw: ignored: .*$text" "$kw $val: a notice with file:line says why" ;;
	alias)
		is "$rc" 0 "$kw $val: accepted"
		like "$out" "w.conf:1: $kw: $text" "$kw $val: a notice says what it became" ;;
	refused)
		is "$rc" 1 "$kw $val: refused"
		like "$out" "w.conf:1: $kw: .*$text" "$kw $val: the error names file:line and what to use" ;;
	*)
		is "$want" "ok|notice|alias|refused" "fates.txt row $n: outcome" ;;
	esac
done < "$D/fates.txt"

# a typo is still an error, and so is a keyword of neither program
printf 'SignatureAlgorythm rsa-sha256\n' > w.conf
check w.conf
is "$rc" 1 "a misspelt keyword is refused"
like "$(cat out)" "w.conf:1: SignatureAlgorythm: unknown keyword" "as unknown, with file:line"

# notices are logged once per start-up, not once per reading of the file
printf 'AutoRestart yes\nSocket inet:8891@127.0.0.1\n' > once.conf
check once.conf
is "$(grep -c 'AutoRestart: ignored' out)" 1 "a notice is logged once"

# the daemon reads its file twice at start (log settings, then the engine)
# and logs the notices of the load it keeps: once; a reload logs them again
DPORT=$(free_port)
dns_start /dev/null || exit 1
{ conf_base "inet:$DPORT@127.0.0.1" mx.example.net; printf 'AutoRestart yes\n'; } > daemon.conf
milter_start daemon.conf || exit 1
is "$(grep -c 'daemon.conf:[0-9]*: AutoRestart: ignored' milter.log)" 1 "the daemon logs a notice once at start-up, with file:line"
kill -HUP "$MILTER_PID"
for i in $(seq 1 100); do
	grep -q 'configuration reloaded' milter.log && break
	sleep 0.1
done
like "$(cat milter.log)" "configuration reloaded" "reload (SIGHUP) done"
is "$(grep -c 'daemon.conf:[0-9]*: AutoRestart: ignored' milter.log)" 2 "and a reload logs it again, once"
milter_stop
dns_stop

# --- 2. whole files as Debian ships them and as tutorials write them ------
for f in debian-opendkim debian-opendmarc tutorial-opendkim tutorial-opendmarc; do
	sed "s|@DIR@|$T|g" "$D/$f.conf" > "$f.conf"
	if [ ! -r /usr/share/dns/root.key ]; then	# dns-root-data not installed
		sed -i "s|/usr/share/dns/root.key|$T/root.key|" "$f.conf"
	fi
	check "$f.conf"
	is "$rc" 0 "$f.conf passes authmilter -n"
	like "$(cat out)" "configuration OK" "$f.conf: configuration OK"
	[ "$rc" = 0 ] || sed 's/^/# /' out
done
like "$(cat out)" "" "(last output shown above when it failed)"
check tutorial-opendkim.conf
like "$(cat out)" "tutorial-opendkim.conf:5: AutoRestart: ignored: .*systemd" "the tutorial's AutoRestart gets a notice naming systemd"
if grep -q 'SignatureAlgorithm\|AlwaysAddARHeader\|RemoveOldSignatures\|X-Header' out; then r=said; else r=quiet; fi
is "$r" quiet "SignatureAlgorithm rsa-sha256, AlwaysAddARHeader yes, RemoveOldSignatures, X-Header no: taken without a word"

# --- 3. data sets ----------------------------------------------------------
$PY "$srcdir/data/sign/signtool.py" zone keys example.com sel=keys/example.private > example.zone
echo "  local-data: '_dmarc.example.com. 300 IN TXT \"v=DMARC1; p=reject\"'" >> example.zone
echo '  local-zone: "com." static' >> example.zone	# the DMARC tree walk finds no more
dns_start example.zone || exit 1
base() {
	printf 'AuthservID mx.example.net\nNameservers 127.0.0.1:%s\nDNSTimeout 3\n' "$DNS_PORT"
	printf 'KeyTable %s/KeyTable\nSigningTable refile:%s/SigningTable\n' "$T" "$T"
}
printf 'From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: hi\nDate: Thu, 03 Dec 2026 07:00:00 +0000\nMessage-ID: <1@example.com>\n\nhello\n' > plain.eml
# role CONF IP [HOST] - "sign" when a DKIM-Signature was added, "verify"
# when an Authentication-Results was, from the runner's JSON
role() {
	"$AM" -c "$1" --test-message plain.eml --client-ip "$2" ${3:+--client-host "$3"} \
	    --mail-from alice@example.com --rcpt bob@example.net --json > role.json 2> role.err
	$PY -c '
import json, sys
h = [x["name"].lower() for x in json.load(open(sys.argv[1]))["add_headers"]]
print("sign" if "dkim-signature" in h else "verify" if "authentication-results" in h else "none")' role.json
}
{ base; printf 'InternalHosts refile:%s/TrustedHosts\n' "$T"; } > refile.conf
is "$(role refile.conf 192.168.0.7)" sign "InternalHosts refile:FILE: a listed network signs"
is "$(role refile.conf 198.18.0.7)" verify "InternalHosts refile:FILE: another client is verified"
is "$(role refile.conf 198.18.0.8 mail3.example.org)" sign "refile: pattern mail*.example.org matches the client's name"
is "$(role refile.conf 198.51.100.20)" sign "refile: pattern 198.51.100.* matches the client's address"
is "$(role refile.conf 198.18.0.9 relay.example.com)" sign "*.example.com matches a subdomain"
grep -v 'mail\*\|100\.\*' TrustedHosts > TrustedHosts.plain
{ base; printf 'InternalHosts %s/TrustedHosts.plain\n' "$T"; } > path.conf
is "$(role path.conf 192.168.0.7)" sign "InternalHosts /plain/path: a listed network signs"
is "$(role path.conf 198.18.0.9 relay.example.com)" sign "InternalHosts /plain/path: *.example.com matches a subdomain"
is "$(role path.conf 198.18.0.7)" verify "InternalHosts /plain/path: another client is verified"
{ base; printf 'InternalHosts %s/TrustedHosts\n' "$T"; } > path-glob.conf
check path-glob.conf
like "$(cat out)" "TrustedHosts:6: \"mail\\*\.example\.org\": not an address" "a * pattern in a plain file (no refile:) is refused, naming file:line"
{ base; printf 'InternalHosts file:%s/TrustedHosts.plain\n' "$T"; } > file.conf
is "$(role file.conf 192.168.0.7)" sign "InternalHosts file:FILE: a listed network signs"
{ base; printf 'InternalHosts csl:198.18.5.0/24,10.9.9.9\n'; } > csl.conf
is "$(role csl.conf 198.18.5.1)" sign "InternalHosts csl:a,b: first entry"
is "$(role csl.conf 10.9.9.9)" sign "InternalHosts csl:a,b: second entry"
is "$(role csl.conf 198.18.6.1)" verify "InternalHosts csl:a,b: others verified"
printf 'MSA\nORIGINATING\n' > mta.list
{ base; printf 'MTA file:%s/mta.list\n' "$T"; } > mta.conf
"$AM" -c mta.conf --test-message plain.eml --client-ip 198.18.0.7 --daemon-name ORIGINATING \
    --mail-from alice@example.com --rcpt bob@example.net --json > mta.json 2>&1
like "$(cat mta.json)" '"DKIM-Signature"' "MTA file:FILE: a listed daemon name signs"
{ base; printf 'MacroList daemon_name|ORIGINATING\n'; } > macro.conf
"$AM" -c macro.conf --test-message plain.eml --client-ip 198.18.0.7 --daemon-name ORIGINATING \
    --mail-from alice@example.com --rcpt bob@example.net --json > macro.json 2>&1
like "$(cat macro.json)" '"DKIM-Signature"' "MacroList daemon_name|ORIGINATING signs what MTA ORIGINATING would"
printf 'example.com\n' > domains
printf 'Domain refile:%s/domains\nSelector sel\nKeyFile %s/keys/example.private\nInternalHosts 192.168.0.0/24\nAuthservID mx.example.net\nNameservers 127.0.0.1:%s\n' "$T" "$T" "$DNS_PORT" > domain.conf
is "$(role domain.conf 192.168.0.7)" sign "Domain refile:FILE signs for the listed domain"
printf 'ex*.com\n' > domains.glob
printf 'Domain refile:%s/domains.glob\nSelector sel\nKeyFile %s/keys/example.private\n' "$T" "$T" > domglob.conf
check domglob.conf
like "$(cat out)" "domains.glob:1: \"ex\*.com\": wildcards are not supported in this list" "a * pattern where it cannot match is refused, naming file:line"
for spec in "db:/etc/opendkim/trusted.db" "dsn:mysql://u@db/odkim/table=hosts?keycol=h?datacol=h" "ldap://ldap.example.com/dc=example,dc=com" "/etc/opendkim/TrustedHosts.db"; do
	printf 'InternalHosts %s\n' "$spec" > db.conf
	check db.conf
	is "$rc" 1 "InternalHosts $spec is refused"
	like "$(cat out)" "InternalHosts: .*(export the entries to a (text )?file and name it as file:PATH or refile:PATH)" "and the message says to export to a file"
done
printf 'InternalHosts refile:%s/nonexistent\n' "$T" > nofile.conf
check nofile.conf
like "$(cat out)" "InternalHosts: $T/nonexistent: cannot open" "a missing refile: file is named"

# --- 4. what the tutorials' keywords now do ---------------------------------
printf 'DKIM-Signature: v=1; a=rsa-sha256; d=old.example; s=x; h=from; bh=AAAA; b=BBBB\nDKIM-Signature: v=1; a=rsa-sha256; d=old2.example; s=y; h=from; bh=AAAA; b=CCCC\n' > signed.eml
cat plain.eml >> signed.eml
# removed LIST-OF-NAMES-AND-INDICES from the runner's JSON
removed() {
	$PY -c '
import json, sys
print(" ".join("%s#%d" % (r["name"], r["index"]) for r in json.load(open(sys.argv[1]))["remove_headers"]))' "$1"
}
{ base; printf 'InternalHosts 192.168.0.0/24\nRemoveOldSignatures yes\n'; } > remsig.conf
"$AM" -c remsig.conf --test-message signed.eml --client-ip 192.168.0.7 \
    --mail-from alice@example.com --rcpt bob@example.net --json > remsig.json 2>&1
is "$(removed remsig.json)" "DKIM-Signature#1 DKIM-Signature#2" "RemoveOldSignatures: both old signatures are removed when signing"
like "$(cat remsig.json)" '"DKIM-Signature"' "and the new one is added"
{ base; printf 'InternalHosts 192.168.0.0/24\n'; } > keepsig.conf
"$AM" -c keepsig.conf --test-message signed.eml --client-ip 192.168.0.7 \
    --mail-from alice@example.com --rcpt bob@example.net --json > keepsig.json 2>&1
is "$(removed keepsig.json)" "" "without it, old signatures stay"
"$AM" -c remsig.conf --test-message signed.eml --client-ip 198.18.0.7 \
    --mail-from alice@example.com --rcpt bob@example.net --json > remsig-v.json 2>&1
is "$(removed remsig-v.json)" "" "RemoveOldSignatures leaves verified (inbound) mail alone"

{ printf 'Authentication-Results: mx.example.net/OLD123; dkim=pass header.d=example.com\n'; cat plain.eml; } > forged.eml
{ base; printf 'AuthservIDWithJobID yes\n'; } > jobid.conf
"$AM" -c jobid.conf --test-message forged.eml --client-ip 198.18.0.7 --queue-id 4Xyz12 \
    --mail-from alice@example.com --rcpt bob@example.net --json > jobid.json 2>&1
ar=$($PY -c '
import json, sys
print([h["value"] for h in json.load(open(sys.argv[1]))["add_headers"] if h["name"] == "Authentication-Results"][0])' jobid.json)
like "$ar" '^ ?"mx\.example\.net/4Xyz12";' "AuthservIDWithJobID: authserv-id/queue-id, quoted (RFC 8601 value)"
is "$(removed jobid.json)" "Authentication-Results#1" "a forged field carrying our id with a job id is removed"
"$AM" -c refile.conf --test-message forged.eml --client-ip 198.18.0.7 --queue-id 4Xyz12 \
    --mail-from alice@example.com --rcpt bob@example.net --json > nojobid.json 2>&1
like "$(cat nojobid.json)" '"value": " ?mx\.example\.net;' "without it, the authserv-id is plain"
{ base | sed 's/^AuthservID .*/AuthservID HOSTNAME/'; } > hostname.conf
"$AM" -c hostname.conf --test-message plain.eml --client-ip 198.18.0.7 \
    --mail-from alice@example.com --rcpt bob@example.net --json > hostname.json 2>&1
like "$(cat hostname.json)" "\"value\": \" ?$(hostname | sed 's/\./\\./g');" "AuthservID HOSTNAME is the host name, as in OpenDKIM"

# ClockDrift (OpenDKIM): how far in the future t= may lie; dkimpy signs
# with its clock an hour ahead
$PY - keys/example.private plain.eml future.eml <<'PYEOF'
import re, sys, time
import dkim
ahead = time.time() + 3600
time.time = lambda: ahead
msg = re.sub(rb"\r?\n", b"\r\n", open(sys.argv[2], "rb").read())
sig = dkim.sign(msg, b"sel", b"example.com", open(sys.argv[1], "rb").read(),
                include_headers=[b"from", b"to", b"subject", b"date"])
open(sys.argv[3], "wb").write(sig + msg)
PYEOF
# dkim CONF - the DKIM result of future.eml
dkim_result() {
	"$AM" -c "$1" --test-message future.eml --client-ip 198.18.0.7 \
	    --mail-from alice@example.com --rcpt bob@example.net --json > dkim.json 2>&1
	$PY -c '
import json, sys
print(" ".join(d["result"] for d in json.load(open(sys.argv[1]))["results"]["dkim"]))' dkim.json
}
{ base; printf 'ClockDrift 7200\n'; } > drift.conf
is "$(dkim_result drift.conf)" pass "ClockDrift 7200: a signature made an hour ahead verifies"
r=$(dkim_result refile.conf)
if [ -n "$r" ] && [ "$r" != pass ]; then r="not pass"; fi
is "$r" "not pass" "with the default (300 s) it does not"

# RequiredHeaders (OpenDMARC and OpenDKIM): RFC 5322 section 3.6 counts
{ printf 'Subject: again\n'; cat plain.eml; } > twosubj.eml
grep -v '^Date:' plain.eml > nodate.eml
# (RejectFailures no: example.com's p=reject would refuse the unsigned message)
{ base; printf 'RequiredHeaders yes\nRejectFailures no\n'; } > reqhdr.conf
{ base; printf 'RejectFailures no\n'; } > noreq.conf
# verdict CONF MSG - "action reply" from the runner's JSON
verdict() {
	"$AM" -c "$1" --test-message "$2" --client-ip 198.18.0.7 \
	    --mail-from alice@example.com --rcpt bob@example.net --json > verdict.json 2>&1
	$PY -c '
import json, sys
v = json.load(open(sys.argv[1]))
print(v["action"], v["reply"] or "")' verdict.json
}
is "$(verdict reqhdr.conf plain.eml)" "accept " "RequiredHeaders: a compliant header is accepted"
like "$(verdict reqhdr.conf twosubj.eml)" "^reject 550 5\.7\.1 2 Subject fields \(RFC 5322 section 3\.6 allows at most one\)" "RequiredHeaders: two Subject fields are rejected, saying why"
like "$(verdict reqhdr.conf nodate.eml)" "^reject 550 5\.7\.1 0 Date fields \(RFC 5322 section 3\.6 allows exactly one\)" "RequiredHeaders: no Date is rejected"
is "$(verdict noreq.conf twosubj.eml)" "accept " "without RequiredHeaders the same message is accepted"

# RejectString (OpenDMARC): the reply to a DMARC reject, %s the From domain
{ base; printf 'RejectFailures yes\nRejectString Rejected by DMARC policy for %%s, sorry\n'; } > rejstr.conf
is "$(verdict rejstr.conf plain.eml)" "reject 550 5.7.1 Rejected by DMARC policy for example.com, sorry" "RejectString is the reply, with the From domain"
{ base; printf 'RejectFailures yes\n'; } > rejdef.conf
like "$(verdict rejdef.conf plain.eml)" "^reject 550 5\.7\.1 rejected because example\.com publishes a DMARC reject policy" "without it, the default reply"
done_testing
