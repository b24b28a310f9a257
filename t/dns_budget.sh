#!/bin/sh
# dns_budget.sh - covers the per-message DNS budget of lib/dns.c (DNSBudget,
# issue 11 item 5) through the daemon
# against a slow name server: t/dnsdelay.py sits in front of the unbound
# test server and answers names with the label "slow" 1 s late, each within
# DNSTimeout (5 s).  A chain of four late SPF includes, or five DKIM keys
# looked up late, then outlasts a budget of 2 s: the lookups left are not
# sent and their methods are temperror.  The same messages with a budget of
# 60 s get their real answers, so the budget is what changes the outcome.
# Assertions are on outcomes only: each late answer takes at least 1 s, so
# the budget is spent by the third late lookup however fast the machine is.
. "$srcdir/lib.sh"
need /usr/bin/python3
[ -x "$AM" ] || skip_all "authmilter is not built"
MC="$builddir/miltc"

dns_start "$srcdir/zones/budget.conf" || skip_all "cannot start unbound"
PPORT=$(free_port)
$PY "$srcdir/dnsdelay.py" "$PPORT" "$DNS_PORT" 1.0 slow 2>"$T/proxy.err" &
PROXY_PID=$!
at_exit "kill $PROXY_PID"
for _i in $(seq 1 50); do
	$PY -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)
q=b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01'
s.sendto(q,('127.0.0.1',$PPORT)); s.recvfrom(512)" 2>/dev/null && break
	sleep 0.1
done

# conf NAME BUDGET [SOCKET] - DNSTimeout 5, the proxy as name server
conf() {
	{
		conf_base "${3:-inet:1@127.0.0.1}" mx.budget.test |
		    grep -v '^Nameservers\|^DNSTimeout\|^DNSPrefetch'
		printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 5\nDNSBudget %s\n' "$PPORT" "$2"
		# the serial path's budget: with DNSPrefetch the lookups started
		# before end of message are not the budget's (t/prefetch.sh)
		printf 'DNSPrefetch no\n'
	} > "$T/$1.conf"
}
conf short 2
conf long 60

# msg FILE FROM NSIGS - a message from FROM with NSIGS DKIM signatures whose
# keys live under slow.budget.test (k1..kN)
msg() {
	{
		i=1
		while [ "$i" -le "$3" ]; do
			printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=slow.budget.test; s=k%s; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAAAAAA\r\n' "$i"
			i=$((i + 1))
		done
		printf 'From: %s\r\nTo: bob@rcpt.test\r\nSubject: budget\r\n\r\nHello.\r\n' "$2"
	} > "$T/$1"
}
msg spf.eml alice@budget.test 0
msg dkim.eml alice@fast.test 5

# run CONF MSG MAILFROM - the runner's verdict: spf dmarc dkim-results
run() {
	"$AM" -c "$T/$1.conf" --test-message "$T/$2" --client-ip 198.18.0.1 --helo client.fast.test \
	    --mail-from "$3" --rcpt bob@rcpt.test --json > "$T/$1-$2.json" 2>"$T/$1-$2.err"
	$PY -c "
import json, sys
r = json.load(open(sys.argv[1]))['results']
print(r.get('spf'), r.get('dmarc'), ','.join(d['result'] for d in r.get('dkim') or []) or '-')" \
	    "$T/$1-$2.json"
}

is "$(run long spf.eml alice@budget.test)" "pass pass -" \
    "budget 60 s: four late SPF includes resolve, spf=pass dmarc=pass"
is "$(run short spf.eml alice@budget.test)" "temperror temperror -" \
    "budget 2 s: SPF runs out of budget (temperror); the DMARC lookup after it is not sent (temperror)"
like "$(cat "$T/short-spf.eml.err")" 'DNS budget of 2 s spent' "budget 2 s: the spent budget is logged"
is "$(run long dkim.eml alice@fast.test)" "pass pass permerror,permerror,permerror,permerror,permerror" \
    "budget 60 s: five late key lookups answered (no key: permerror), then SPF and DMARC pass"
got=$(run short dkim.eml alice@fast.test)
like "$got" '^temperror temperror [a-z]+,[a-z]+,temperror,temperror,temperror$' \
    "budget 2 s: keys 3-5, SPF and DMARC after two late key lookups are temperror ($got)"

# the same through the milter: the budget belongs to the thread that runs eom
if [ -x "$MC" ]; then
	MP=$(free_port)
	conf milter 2 "inet:$MP@127.0.0.1"
	if milter_start "$T/milter.conf"; then
		"$MC" -s "inet:$MP@127.0.0.1" --client-ip 198.18.0.1 --helo client.fast.test \
		    --from alice@budget.test --rcpt bob@rcpt.test --timeout 60 "$T/spf.eml" > "$T/spf.miltc" 2>&1
		ar=$(grep 'header.*Authentication-Results' "$T/spf.miltc")
		like "$ar" 'spf=temperror.*smtp.mailfrom=budget.test' "milter, budget 2 s: spf=temperror"
		like "$ar" 'dmarc=temperror' "milter, budget 2 s: dmarc=temperror"
		like "$(cat "$T/milter.log")" 'DNS budget of 2 s spent' "milter: the spent budget is logged"
	else
		_report 1 "the daemon starts"
	fi
fi
done_testing
