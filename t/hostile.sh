#!/bin/sh
# hostile.sh - hostile messages (t/hostile/*.eml, outcomes in t/hostile/cases)
# through the offline runner and through the milter protocol (t/miltc),
# against the test DNS server (t/zones/hostile.conf + a DKIM key made here):
# malformed and multiple From (CVE-2019-16378, CVE-2021-34555), comments in
# identities (CVE-2020-12272), NUL bytes, huge headers, DKIM tag abuse,
# forged Authentication-Results (CVE-2022-48521), SPF macro and limit abuse,
# malformed DMARC records.
. "$srcdir/lib.sh"
need openssl
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy is not installed (Debian package python3-dkim)"
H="$srcdir/hostile"
MC="$builddir/miltc"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/sel1.pem" 2>/dev/null
pub=$(openssl pkey -in "$T/sel1.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
{
	cat "$srcdir/zones/hostile.conf"
	$PY -c "
import sys
rec = 'v=DKIM1; k=rsa; p=' + sys.argv[1]
print(\"  local-data: 'sel1._domainkey.sender.hostile.test. 300 IN TXT %s'\" %
      ' '.join('\"%s\"' % rec[i:i + 250] for i in range(0, len(rec), 250)))" "$pub"
} > "$T/zone.conf"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"

# conf NAME PORT MULTI - a config file with RejectMultiValueFrom MULTI
conf() {
	conf_base "inet:$2@127.0.0.1" mx.hostile.test > "$T/$1.conf"
	cat >> "$T/$1.conf" <<CEOF
MaximumSignaturesToVerify 5
RejectFailures yes
HoldQuarantinedMessages yes
RejectMultiValueFrom $3
CEOF
}
PYES=$(free_port)
PNO=$(free_port)
PST=$(free_port)
PPERM=$(free_port)
conf yes "$PYES" yes
conf no "$PNO" no
conf strictest "$PST" no
printf 'MultiValueFrom strictest\nRejectMultipleFromFields no\n' >> "$T/strictest.conf"
conf perm "$PPERM" no
printf 'MultiValueFrom permerror\nRejectMultipleFromFields no\n' >> "$T/perm.conf"

have_miltc=0
if [ -x "$MC" ]; then
	milter_start "$T/yes.conf" && PID_YES=$MILTER_PID && mv "$T/milter.log" "$T/milter-yes.log" &&
	    milter_start "$T/strictest.conf" && PID_ST=$MILTER_PID &&
	    milter_start "$T/perm.conf" && PID_PERM=$MILTER_PID &&
	    milter_start "$T/no.conf" && have_miltc=1
fi
[ $have_miltc = 1 ] || echo "# the milter half is skipped: t/miltc is not built or the daemon did not start"

while read -r name mfrom cf sign want; do
	case "$name" in ''|'#'*) continue ;; esac
	eml=${name#*=}
	name=${name%%=*}
	[ "$mfrom" = - ] && mfrom=alice@sender.hostile.test
	# milter=ACTION: what the milter half sees when it differs from the runner
	wact=$(printf '%s\n' $want | sed -n 's/^milter=//p')
	want=$(printf '%s\n' $want | grep -v '^milter=' | tr '\n' ' ' | sed 's/ $//')
	[ -n "$wact" ] || wact=$(printf '%s\n' $want | sed -n 's/^action=//p')
	if ! $PY "$H/prep.py" "$H/$eml.eml" "$T/$name.eml" "$sign" "$T/sel1.pem" 2>"$T/$name.prep"; then
		_report 1 "$name: prepare the message"
		sed 's/^/# /' "$T/$name.prep"
		continue
	fi
	timeout 60 "$AM" -c "$T/$cf.conf" --test-message "$T/$name.eml" --client-ip 198.18.0.1 \
	    --helo client.hostile.test --mail-from "$mfrom" --rcpt bob@rcpt.test --json \
	    >"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	is "$rc" 0 "$name: the runner exits 0"
	# shellcheck disable=SC2086
	is "$($PY "$H/check.py" "$T/$name.json" $want)" "$want" "$name: $want"
	# what reaches libopendkim: 19,991 signature fields, 5 handed over
	dropped='dkim: 19986 DKIM-Signature fields after the first 5 not evaluated'
	[ "$name" = dkim-20k ] && is "$(grep -c "$dropped" "$T/$name.err")" 1 \
	    "dkim-20k: the runner hands libopendkim 5 of 19,991 signature fields"
	[ $have_miltc = 1 ] || continue
	case $cf in
	no) port=$PNO ;;
	strictest) port=$PST ;;
	perm) port=$PPERM ;;
	*) port=$PYES ;;
	esac
	timeout 60 "$MC" -s "inet:$port@127.0.0.1" --client-ip 198.18.0.1 --helo client.hostile.test \
	    --from "$mfrom" --rcpt bob@rcpt.test --timeout 30 "$T/$name.eml" >"$T/$name.miltc" 2>&1
	is "$($PY "$H/check.py" --milter "$T/$name.miltc")" "$wact" "$name: through the milter, action $wact"
	wcode=$(printf '%s\n' $want | sed -n 's/^code=//p')
	if [ -n "$wcode" ]; then
		is "$($PY "$H/check.py" --milter-code "$T/$name.miltc")" "$wcode" "$name: through the milter, reply $wcode"
	fi
	if [ "$name" = ar-forged ]; then
		is "$(grep '^chgheader' "$T/$name.miltc" | tr '\n' ' ')" \
		    "chgheader Authentication-Results 5 <deleted> chgheader Authentication-Results 3 <deleted> chgheader Authentication-Results 1 <deleted> " \
		    "ar-forged: through the milter, exactly our three deleted, highest index first"
	fi
	if [ "$name" = dkim-20k ]; then
		is "$(grep -c "$dropped" "$T/milter-yes.log")" 1 \
		    "dkim-20k: through the milter, 5 of 19,991 signature fields handed to libopendkim"
		is "$(grep 'header.*Authentication-Results' "$T/$name.miltc" | grep -o 'dkim=[a-z]*' | paste -sd, -)" \
		    "dkim=pass,dkim=fail,dkim=fail,dkim=fail,dkim=fail" \
		    "dkim-20k: through the milter, results for the first 5 signatures"
	fi
	if [ "$name" = ar-null ]; then
		is "$(grep -c '^chgheader' "$T/$name.miltc")" 0 "ar-null: through the milter, nothing deleted"
	fi
done < "$H/cases"

# the header limits hold for signing too: an authenticated client's message
# over 20,000 fields is refused, not signed over the fields we kept
timeout 60 "$AM" -c "$T/yes.conf" --test-message "$T/hdrcap-from.eml" --client-ip 198.18.0.1 \
    --helo client.hostile.test --mail-from alice@sender.hostile.test --rcpt bob@rcpt.test \
    --auth-user alice --json >"$T/hdrcap-sign.json" 2>"$T/hdrcap-sign.err"
is "$($PY "$H/check.py" "$T/hdrcap-sign.json" role=x action=x code=x)" "role=sign action=reject code=552/5.3.4" \
    "hdrcap-from signed (authenticated client): refused 552 5.3.4"
if [ $have_miltc = 1 ]; then
	timeout 60 "$MC" -s "inet:$PYES@127.0.0.1" --client-ip 198.18.0.1 --helo client.hostile.test \
	    --from alice@sender.hostile.test --rcpt bob@rcpt.test --auth-user alice --timeout 30 \
	    "$T/hdrcap-from.eml" >"$T/hdrcap-sign.miltc" 2>&1
	is "$($PY "$H/check.py" --milter "$T/hdrcap-sign.miltc") $($PY "$H/check.py" --milter-code "$T/hdrcap-sign.miltc")" \
	    "reject 552/5.3.4" "hdrcap-from signed: through the milter, 552 5.3.4"
fi

if [ $have_miltc = 1 ]; then
	ok "the daemon (RejectMultiValueFrom yes) is still running" kill -0 "$PID_YES"
	ok "the daemon (RejectMultiValueFrom no) is still running" kill -0 "$MILTER_PID"
	ok "the daemon (MultiValueFrom strictest) is still running" kill -0 "$PID_ST"
	ok "the daemon (MultiValueFrom permerror) is still running" kill -0 "$PID_PERM"
fi
done_testing
