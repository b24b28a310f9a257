#!/bin/sh
# sendmail.sh - authmilter behind sendmail's milter hook (INPUT_MAIL_FILTER),
# end to end: Debian's sendmail 8.17 binary, fetched with `apt-get download
# sendmail-bin sendmail-cf` and unpacked with `dpkg -x` (the sendmail and
# postfix packages conflict, so it is never installed), runs with a
# sendmail.cf made here from sendmail-cf's m4 files, in a network namespace
# of its own, relaying to smtp-sink.  Checked:
#   - inbound: Authentication-Results added (SPF, DKIM, DMARC pass);
#   - a p=reject failure: 550 5.7.1 at the SMTP client;
#   - a p=quarantine failure: in sendmail's own quarantine (mailq -qQ, and
#     the queue file's q line), not delivered until released (-Q -qQ);
#   - the macros we read: i (our log line starts with sendmail's queue id),
#     {daemon_name} (a daemon named in MTA signs), {auth_type} and
#     {auth_authen} (an SMTP AUTH session signs);
#   - signing: the delivered DKIM-Signature verifies under dkimpy;
#   - sendmail qualifies an unqualified header address (To: bob) after the
#     milter signed: the signature then fails (contrib/sendmail.mc says so).
# Needs root (network namespace, sendmail's queue) and network access to a
# Debian mirror; the .debs are kept in $builddir/tmp/sendmail-debs.
. "$srcdir/lib.sh"
need_root
need ip smtp-sink m4 openssl apt-get dpkg
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy is not installed (Debian package python3-dkim)"

# --- sendmail, unpacked -----------------------------------------------------
DEBS="$builddir/tmp/sendmail-debs"
SMX="$T/root"
mkdir -p "$DEBS" "$SMX"
if ! ls "$DEBS"/sendmail-bin_*.deb "$DEBS"/sendmail-cf_*.deb >/dev/null 2>&1; then
	# apt-get update only when the package lists do not know sendmail yet
	(cd "$DEBS" && { apt-get download sendmail-bin sendmail-cf ||
	    { apt-get update -q && apt-get download sendmail-bin sendmail-cf; }; }) >"$T/download.log" 2>&1
fi
for d in "$DEBS"/sendmail-bin_*.deb "$DEBS"/sendmail-cf_*.deb; do
	dpkg -x "$d" "$SMX" 2>>"$T/download.log"
done
SM="$SMX/usr/libexec/sendmail/sendmail"
CF="$SMX/usr/share/sendmail/cf"
if [ ! -x "$SM" ] || [ ! -r "$CF/m4/cf.m4" ]; then
	_report 1 "sendmail-bin and sendmail-cf fetched with apt-get download and unpacked"
	sed 's/^/# /' "$T/download.log"
	done_testing
fi
_report 0 "sendmail-bin and sendmail-cf fetched with apt-get download and unpacked ($(dpkg-deb -f "$(ls "$DEBS"/sendmail-bin_*.deb | head -1)" Version))"

# --- namespace, DNS, keys ---------------------------------------------------
NS="amsm$$"
netns_start "$NS"
at_exit "rm -rf /etc/netns/$NS"
# sendmail's own lookups (client names, hosts) stay inside the namespace
mkdir -p "/etc/netns/$NS"
echo "nameserver 127.0.0.1" > "/etc/netns/$NS/resolv.conf"
printf '127.0.0.1 localhost\n198.18.0.1 mx.test.example\n' > "/etc/netns/$NS/hosts"

. "$srcdir/inbound_lib.sh"		# $T/zone.conf, $T/{pass,reject,quar}.eml
D=out.example
K="$T/keys"
mkdir -p "$K"
chmod 700 "$K"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/rsa1.key" 2>/dev/null
chmod 600 "$K/rsa1.key"
$PY "$srcdir/data/sign/signtool.py" zone "$K" $D rsa1 >> "$T/zone.conf"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"

# --- authmilter ---------------------------------------------------------------
printf 'rsa %s:rsa1:%s/rsa1.key\n' $D "$K" > "$T/KeyTable"
printf '%s rsa\n' $D > "$T/SigningTable"
MPORT=$(free_port)
{
	conf_base "inet:$MPORT@127.0.0.1" mx.test.example
	cat <<CEOF
KeyTable $T/KeyTable
SigningTable $T/SigningTable
InternalHosts 127.0.0.1
MTA MSA
RejectFailures yes
LogWhy yes
HoldQuarantinedMessages yes
CEOF
} > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"

# --- sink and sendmail ------------------------------------------------------
mkdir -p "$T/sink"
chown nobody "$T/sink"
chmod 755 "$T"
$NSEXEC smtp-sink -u nobody -4 -c -d "$T/sink/%H%M%S." 127.0.0.1:2526 64 >"$T/sink.log" 2>&1 &
at_exit "kill $!"
Q="$T/mqueue"
mkdir -p "$Q"
chmod 700 "$Q"
: > "$T/aliases"
printf 'hosts files\naliases files\n' > "$T/service.switch"
# the MTA daemon on 198.18.0.1:25, a daemon named MSA on 198.18.1.1:587
# (MTA MSA in our config: it signs); AUTH ANONYMOUS needs no password file
cat > "$T/sendmail.mc" <<MCEOF
divert(-1)
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mx.test.example')dnl
define(\`confDONT_PROBE_INTERFACES', \`true')dnl
define(\`QUEUE_DIR', \`$Q')dnl
define(\`STATUS_FILE', \`$T/statistics')dnl
define(\`confPID_FILE', \`$T/sendmail.pid')dnl
define(\`HELP_FILE', \`$T/helpfile')dnl
define(\`ALIAS_FILE', \`$T/aliases')dnl
define(\`confSERVICE_SWITCH_FILE', \`$T/service.switch')dnl
define(\`confLOG_LEVEL', \`9')dnl
define(\`SMART_HOST', \`relay:[127.0.0.1]')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h 2526')dnl
define(\`confAUTH_MECHANISMS', \`ANONYMOUS')dnl
TRUST_AUTH_MECH(\`ANONYMOUS')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`promiscuous_relay')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=25, Addr=198.18.0.1, Name=MTA')dnl
DAEMON_OPTIONS(\`Port=587, Addr=198.18.1.1, Name=MSA')dnl
INPUT_MAIL_FILTER(\`authmilter', \`S=inet:$MPORT@127.0.0.1, F=T, T=C:10s;S:30s;R:60s;E:5m')dnl
MAILER(\`smtp')dnl
MCEOF
m4 -D_CF_DIR_="$CF/" "$CF/m4/cf.m4" "$T/sendmail.mc" > "$T/sendmail.cf" 2>"$T/m4.log"
ok "sendmail.cf generated from the mc file with sendmail-cf's m4" test -s "$T/sendmail.cf"
SMC="$SM -C $T/sendmail.cf"
$NSEXEC $SMC -bD -L sm-test >"$T/sendmail.log" 2>&1 &
SM_PID=$!
at_exit "kill $SM_PID"
listening() {
	$NSEXEC $PY -c "import socket; socket.create_connection(('$1', $2), 0.5).close()"
}
if ! wait_until 60 listening 198.18.0.1 25 || ! wait_until 10 listening 198.18.1.1 587; then
	_report 1 "sendmail listens on 198.18.0.1:25 and 198.18.1.1:587"
	sed 's/^/# /' "$T/sendmail.log"
	done_testing
fi
_report 0 "sendmail listens on 198.18.0.1:25 and 198.18.1.1:587"

# send IP PORT FROM TO FILE [AUTH-TRACE]: the final reply, "CODE text"
send() {
	$NSEXEC $PY - "$@" <<'PYEOF'
import base64, smtplib, sys
ip, port, mfrom, rcpt, path = sys.argv[1:6]
auth = sys.argv[6] if len(sys.argv) > 6 else None
try:
    s = smtplib.SMTP(ip, int(port), local_hostname="client.sender.example",
                     source_address=(ip, 0), timeout=60)
    s.ehlo("client.sender.example")
    if auth:
        code, msg = s.docmd("AUTH", "ANONYMOUS " + base64.b64encode(auth.encode()).decode())
        if code != 235: print(code, msg.decode()); sys.exit(0)
    code, msg = s.mail(mfrom)
    if code >= 300: print(code, msg.decode()); sys.exit(0)
    code, msg = s.rcpt(rcpt)
    if code >= 300: print(code, msg.decode()); sys.exit(0)
    code, msg = s.data(open(path, "rb").read())
    print(code, msg.decode())
    s.quit()
except smtplib.SMTPResponseException as e:
    print(e.smtp_code, e.smtp_error.decode())
PYEOF
}
qid() { echo "$1" | sed -n 's/^250 2\.0\.0 \([A-Za-z0-9]*\) Message accepted.*/\1/p'; }
# delivered MESSAGE-ID: the sink's file holding that message, CRLF line ends
delivered() {
	_f=$(grep -l "^Message-ID: <$1>" "$T"/sink/* 2>/dev/null | head -1)
	[ -n "$_f" ] || return 1
	$PY -c '
import sys
d = open(sys.argv[1], "rb").read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
open(sys.argv[2], "wb").write(d)' "$_f" "$T/$1.delivered"
}
header() {	# header FILE NAME: every NAME field of FILE, unfolded, one a line
	$PY -c '
import email, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"))
for v in m.get_all(sys.argv[2]) or []: print(" ".join(v.split()))' "$1" "$2"
}

# --- inbound ------------------------------------------------------------------
r=$(send 198.18.0.1 25 alice@sender.inb.test bob@rcpt.test "$T/pass.eml")
like "$r" "^250 2.0.0 " "inbound pass: sendmail accepted the message ($r)"
Q1=$(qid "$r")
ok "inbound pass: delivered to the sink" wait_until 60 delivered pass.eml@inb.test
ar=$(header "$T/pass.eml@inb.test.delivered" Authentication-Results)
like "$ar" "^mx.test.example; spf=pass smtp.mailfrom=sender.inb.test" "delivered A-R: SPF pass"
like "$ar" "dkim=pass .*header.d=sender.inb.test header.s=sel1" "delivered A-R: DKIM pass"
like "$ar" "dmarc=pass .*header.from=sender.inb.test" "delivered A-R: DMARC pass"
like "$(grep " action=" "$T/milter.log")" "^authmilter: $Q1: client=198.18.0.1 helo=" \
    "macro i: our log line starts with sendmail's queue id $Q1"

r=$(send 198.18.0.1 25 boss@reject.inb.test bob@rcpt.test "$T/reject.eml")
like "$r" "^550 5\.7\.1 .*reject.inb.test" "p=reject failure: the SMTP client gets 550 5.7.1 ($r)"

r=$(send 198.18.0.1 25 q@quar.inb.test bob@rcpt.test "$T/quar.eml")
like "$r" "^250 2.0.0 " "p=quarantine failure: accepted at SMTP ($r)"
Q2=$(qid "$r")
# sendmail keeps a quarantined message in its queue, as an hf file with a
# q line giving the reason; mailq -qQ lists the quarantine
quarantined() { grep -q '^q' "$Q/hf$Q2" || grep -q '^q' "$Q/qf$Q2"; }
ok "p=quarantine failure: sendmail's queue file for $Q2 has a q (quarantine) line" wait_until 30 quarantined
like "$($NSEXEC $SMC -bp -qQ 2>&1 | tr '\n' ' ')" "$Q2 .*QUARANTINE: .*quar.inb.test" \
    "p=quarantine failure: mailq -qQ lists it with our reason"
ok "p=quarantine failure: not delivered" sh -c "! grep -l '^Message-ID: <quar.eml@inb.test>' '$T'/sink/*"
$NSEXEC $SMC -Q -qQ -qI"$Q2" >"$T/release.log" 2>&1
$NSEXEC $SMC -q -qI"$Q2" >>"$T/release.log" 2>&1
ok "p=quarantine failure: released as contrib/sendmail.mc says, then delivered" wait_until 60 delivered quar.eml@inb.test

# --- outbound: {daemon_name}, {auth_type}/{auth_authen} -----------------------
mkout() {	# mkout NAME TO: a message from carol@out.example
	printf 'From: Carol <carol@%s>\r\nTo: %s\r\nSubject: outbound\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <%s@%s>\r\n\r\nSigned on the way out.\r\n' \
	    $D "$2" "$1" $D > "$T/$1.eml"
}
verify() { $PY "$srcdir/data/sign/signtool.py" verify "$T/zone.conf" "$1"; }

# signed_via NAME IP PORT WHY LABEL [AUTH-USER] - carol's message NAME sent
# through IP:PORT is accepted, signed for the reason WHY (the daemon's log
# line), delivered, and its signature verifies
signed_via() {
	mkout "$1" dave@rcpt.test
	r=$(send "$2" "$3" carol@$D dave@rcpt.test "$T/$1.eml" ${6:-})
	like "$r" "^250 2.0.0 " "$5: accepted ($r)"
	like "$(grep ": $(qid "$r"): " "$T/milter.log")" "role=sign dkim=signed .*why=\"$4\"" \
	    "$5: the mail is signed ($4)"
	ok "$5: delivered" wait_until 60 delivered "$1@$D"
	like "$(verify "$T/$1@$D.delivered")" "pass a=rsa-sha256 d=$D s=rsa1" \
	    "$5: the delivered signature verifies (dkimpy)"
}
signed_via msa 198.18.1.1 587 "daemon_name listed in MTA" "macro {daemon_name} (MTA MSA)"
is "$(header "$T/msa@$D.delivered" Authentication-Results)" "" "signed mail gets no Authentication-Results"
signed_via auth 198.18.0.1 25 "client authenticated" \
    "macros {auth_type}/{auth_authen}: SMTP AUTH on the MTA daemon" carol@$D

# sendmail rewrites header addresses at delivery, after the milter signed:
# To: bob becomes To: bob@mx.test.example and the signature breaks
mkout unq bob
r=$(send 198.18.1.1 587 carol@$D bob@rcpt.test "$T/unq.eml")
ok "unqualified To: delivered" wait_until 60 delivered unq@$D
like "$(header "$T/unq@$D.delivered" To)" "^bob@mx\.test\.example$" \
    "unqualified To: sendmail qualified it after signing (To: bob@mx.test.example)"
like "$(verify "$T/unq@$D.delivered")" "fail a=rsa-sha256 d=$D s=rsa1" \
    "unqualified To: so the signature fails at the receiver (documented in contrib/sendmail.mc)"
Q5=$(qid "$r")
like "$(grep ": $Q5: dkim: " "$T/milter.log")" "signed To field has an unqualified address" \
    "unqualified To: our log warns that the signature may break"
done_testing
