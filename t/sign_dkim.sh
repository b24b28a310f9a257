#!/bin/sh
# sign_dkim.sh - every signature we make verifies under independent verifiers
#
# Keys are made at test time (openssl genpkey): RSA 1024/2048/3072/4096 and
# Ed25519, published in the unbound test server.  Messages (CRLF, LF, 8-bit,
# empty body, folded headers, 20 MiB) are signed through the offline runner
# with relaxed/relaxed and simple/simple, the DKIM-Signature headers of the
# verdict put on top, and the result verified by dkimpy (RSA and Ed25519),
# Mail::DKIM (RSA: Debian 12's has no Ed25519) and OpenDKIM's own verifier
# (the opendkim daemon, through t/miltc, with Nameservers pointing at the
# test server).  A tampered copy of each message must fail under all three.
. "$srcdir/lib.sh"
. "$srcdir/sign_lib.sh"

sign_need "dkim, nacl" mail-dkim
TOOL="$SIGNTOOL"
MILTC="$builddir/miltc"
# not .test: the libunbound inside opendkim answers test. itself (RFC 6761
# default local zone), so OpenDKIM could not see the keys
D=sign.example

# --- keys, DNS, tables ------------------------------------------------------
mkdir -p "$T/in" "$T/v" "$T/out" "$T/bad"
sign_keys $D r1024:rsa1024 r2048:rsa2048 r3072:rsa3072 r4096:rsa4096 ed:ed25519
ok "keys made" test -s "$K/r4096.key" -a -s "$K/ed.key"
dns_start "$T/zone.conf" || { echo "Bail out! unbound did not start"; exit 1; }

cat > "$T/KeyTable" <<EOF
# KeyTable (opendkim.conf(5)): name domain:selector:keyfile
r1024	$D:r1024:$K/r1024.key
r2048	$D:r2048:$K/r2048.key
r3072	$D:r3072:$K/r3072.key
r4096	$D:r4096:$K/r4096.key
ed	$D:ed:$K/ed.key
EOF
cat > "$T/SigningTable" <<EOF
# the local part picks the key; dual@ gets RSA and Ed25519 signatures
r1024@$D	r1024
r2048@$D	r2048
r3072@$D	r3072
r4096@$D	r4096
ed@$D		ed
dual@$D		r2048,ed
EOF
for c in relaxed simple; do
	cat > "$T/$c.conf" <<EOF
KeyTable $T/KeyTable
SigningTable $T/SigningTable
Canonicalization $c/$c
Nameservers 127.0.0.1:$DNS_PORT
LogWhy yes
EOF
done

# sign NAME CONF FROM KIND - make in/NAME.eml, sign it, put out/ and bad/
sign() {
	$PY "$TOOL" msg "$4" "$T/in/$1.eml" "$3" &&
	    "$AM" -c "$2" --test-message "$T/in/$1.eml" --client-ip 127.0.0.1 \
		--mail-from "$3" --rcpt bob@example.net --json > "$T/v/$1.json" &&
	    $PY "$TOOL" apply "$T/v/$1.json" "$T/in/$1.eml" "$T/out/$1.eml" &&
	    $PY "$TOOL" tamper "$T/out/$1.eml" "$T/bad/$1.eml"
}

NAMES=""
for c in relaxed simple; do
	for u in r1024 r2048 r3072 r4096 ed dual; do
		for kind in crlf lf 8bit empty folded; do
			NAMES="$NAMES ${c}_${u}_$kind"
			sign "${c}_${u}_$kind" "$T/$c.conf" "$u@$D" "$kind" ||
			    echo "# signing ${c}_${u}_$kind failed"
		done
	done
	NAMES="$NAMES ${c}_dual_big"
	sign "${c}_dual_big" "$T/$c.conf" "dual@$D" big || echo "# signing ${c}_dual_big failed"
done
ok "20 MiB message made" test "$(wc -c < "$T/in/relaxed_dual_big.eml")" -gt 20000000

# --- run the verifiers in batch ---------------------------------------------
cd "$T" || exit 1
$PY "$TOOL" verify "$T/zone.conf" out/*.eml bad/*.eml > "$T/dkimpy.txt" 2>"$T/dkimpy.err"
perl "$srcdir/data/sign/maildkim_verify.pl" "$DNS_PORT" out/*.eml bad/*.eml \
    > "$T/maildkim.txt" 2>"$T/maildkim.err"
HAVE_OD=0
if command -v opendkim >/dev/null 2>&1 && [ -x "$MILTC" ]; then
	OD_PORT=$(free_port)
	cat > "$T/opendkim.conf" <<EOF
Mode v
Socket inet:$OD_PORT@127.0.0.1
Nameservers 127.0.0.1@$DNS_PORT
Syslog no
Background no
AuthservID odtest
PidFile $T/opendkim.pid
EOF
	opendkim -f -x "$T/opendkim.conf" > "$T/opendkim.log" 2>&1 &
	OD_PID=$!
	at_exit "kill $OD_PID"
	for _i in $(seq 1 50); do
		$PY -c "import socket; socket.create_connection(('127.0.0.1',$OD_PORT),0.2).close()" \
		    2>/dev/null && { HAVE_OD=1; break; }
		sleep 0.1
	done
fi
if [ $HAVE_OD = 1 ]; then
	for f in out/*.eml bad/*.eml; do
		printf '%s %s\n' "$f" "$("$MILTC" -s "inet:$OD_PORT@127.0.0.1" --client-ip 198.18.0.1 \
		    --timeout 60 "$f" | grep -o 'dkim=[a-z]*' | sed 's/dkim=//' | paste -sd, -)"
	done > "$T/opendkim.txt"
else
	echo "# opendkim daemon or t/miltc not available: OpenDKIM checks skipped"
fi

# results FILE MSG [ALG] - the verdicts for MSG in a verifier's output, top
# first, comma-separated; only signatures with a=ALG when ALG is given
results() {
	awk -v m="$2" -v a="a=${3:-}" '$1 == m && (a == "a=" || $3 == a) { r = r (r == "" ? "" : ",") $2 }
	    END { print r }' "$1"
}

for n in $NAMES; do
	case $n in
	*_dual_*) want="pass,pass"; rsa="pass"; nsig=2 ;;
	*_ed_*) want="pass"; rsa=""; nsig=1 ;;
	*) want="pass"; rsa="pass"; nsig=1 ;;
	esac
	got=$($PY -c "import json,sys; print(len(json.load(open(sys.argv[1]))['add_headers']))" \
	    "v/$n.json" 2>/dev/null)
	is "$got" "$nsig" "$n: $nsig signature(s) added"
	is "$(results dkimpy.txt "out/$n.eml")" "$want" "$n: dkimpy verifies"
	is "$(results dkimpy.txt "bad/$n.eml")" "$(echo "$want" | sed 's/pass/fail/g')" \
	    "$n: dkimpy rejects the tampered copy"
	if [ -n "$rsa" ]; then
		is "$(results maildkim.txt "out/$n.eml" rsa-sha256)" "pass" "$n: Mail::DKIM verifies"
		is "$(results maildkim.txt "bad/$n.eml" rsa-sha256)" "fail" \
		    "$n: Mail::DKIM rejects the tampered copy"
	fi
	if [ $HAVE_OD = 1 ]; then
		is "$(awk -v m="out/$n.eml" '$1 == m { print $2 }' opendkim.txt)" "$want" \
		    "$n: OpenDKIM verifies"
		like "$(awk -v m="bad/$n.eml" '$1 == m { print $2 }' opendkim.txt)" '^fail(,fail)?$' \
		    "$n: OpenDKIM rejects the tampered copy"
	fi
done

# --- what the signatures say ------------------------------------------------
sig() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))['add_headers'][int(sys.argv[2])]['value'])" "$@" | tr -d '\r\n\t '; }
s=$(sig v/relaxed_dual_folded.json 0)
like "$s" '^v=1;a=rsa-sha256;c=relaxed/relaxed;d=sign\.example;s=r2048;' "dual: RSA signature on top"
like "$(sig v/relaxed_dual_folded.json 1)" 'a=ed25519-sha256;.*s=ed;' "dual: Ed25519 signature second"
like "$s" 'h=From:To:Subject:Date:Message-ID:MIME-Version:References:from:reply-to:subject:to:cc:content-type:date:message-id:mime-version:references;' \
    "default headers signed; OversignHeaders always, OversignHeadersIfPresent present ones (t/sign_cover.sh)"
like "$(sig v/simple_r1024_crlf.json 0)" 'c=simple/simple;' "simple/simple canonicalization"
like "$($PY -c "import json; print(json.load(open('v/relaxed_dual_crlf.json'))['log'])")" \
    'dkim=signed d=sign\.example s=r2048 a=rsa-sha256 bits=2048 d=sign\.example s=ed a=ed25519-sha256 bits=256 why="client in InternalHosts"' \
    "log line names every signature"

# SignatureTTL, AddIdentity, SignHeaders/OmitHeaders/OversignHeaders
cat "$T/relaxed.conf" > "$T/opts.conf"
cat >> "$T/opts.conf" <<EOF
SignatureTTL 86400
AddIdentity yes
SignHeaders *,+Message-ID,+MIME-Version
OmitHeaders To
OversignHeaders From, Subject
OversignHeadersIfPresent Date
EOF
ok "options: signed" sign opts "$T/opts.conf" "r2048@$D" crlf
s=$(sig v/opts.json 0)
like "$s" 'i=r2048@sign\.example;' "AddIdentity: i= is the From address"
t=$(echo "$s" | sed -n 's/.*;t=\([0-9]*\);.*/\1/p')
x=$(echo "$s" | sed -n 's/.*;x=\([0-9]*\);.*/\1/p')
is "$((x - t))" 86400 "SignatureTTL: x= is t= + 86400"
like "$s" 'h=From:Subject:Date:Message-ID:MIME-Version:from:subject:date;' \
    "SignHeaders delta, OmitHeaders To, OversignHeaders From and Subject, OversignHeadersIfPresent Date"
$PY "$TOOL" verify "$T/zone.conf" out/opts.eml bad/opts.eml > opts.txt 2>&1
is "$(results opts.txt out/opts.eml),$(results opts.txt bad/opts.eml)" "pass,fail" "options: dkimpy verifies"

# a signed address field with a mailbox without a domain ("To: bob"): still
# signed, and the log warns (sendmail qualifies it after the milter signed,
# t/sendmail.sh); a qualified one, or an empty group, draws no warning
unq() {	# unq NAME TO-VALUE: sign a message with that To; stderr in NAME.err
	printf 'From: r2048@%s\r\nTo: %s\r\nSubject: unqualified\r\n\r\nbody\r\n' $D "$2" > "$T/in/$1.eml"
	"$AM" -c "$T/relaxed.conf" --test-message "$T/in/$1.eml" --client-ip 127.0.0.1 \
	    --mail-from r2048@$D --rcpt bob@example.net --json > "$T/v/$1.json" 2> "$T/v/$1.err"
}
unq unq1 "bob"
unq unq2 "Bob <bob@example.net>, undisclosed-recipients:;"
like "$(cat "$T/v/unq1.json")" '"name": *"DKIM-Signature"' "To: bob: the message is signed"
like "$(cat "$T/v/unq1.err")" "TEST: dkim: signed To field has an unqualified address" "To: bob: the log warns that an MTA may qualify it after signing"
is "$(grep -c unqualified "$T/v/unq2.err")" 0 "a qualified To (and an empty group): no warning"

done_testing
