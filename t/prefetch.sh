#!/bin/sh
# prefetch.sh - covers DNSPrefetch (lib/dns_prefetch.c and the names
# msg_verify.c starts, issue 16 part 2) through the daemon: t/dnsdelay.py
# in front of the unbound test server logs every query as it arrives, and
# t/miltc holds the message before end of message (--hold-at eom) while the
# test reads that log.  With DNSPrefetch yes the SPF records of MAIL FROM
# and HELO, their include chain, mx and its exchanger, a, the DKIM keys and
# the DMARC tree walk (and the author's A) are all asked BEFORE end of
# message, a term with a macro is not, and end of message asks none of them
# again; with DNSPrefetch no nothing is asked before end of message, and the
# verdict is the same.  Then abort, close and a reload (SIGHUP) while
# prefetches are still in flight (names with the label "slow" answered 3 s
# late): the daemon goes on answering, and stops without a sanitizer report
# (the assertion that matters in build-san).  No timing assertion: every
# wait is a poll with a liveness bound.
. "$srcdir/lib.sh"
need /usr/bin/python3
[ -x "$AM" ] || skip_all "authmilter is not built"
MC="$builddir/miltc"
[ -x "$MC" ] || skip_all "miltc is not built"

dns_start "$srcdir/zones/prefetch.conf" || skip_all "cannot start unbound"
PPORT=$(free_port)
QRAW="$T/proxy.log"	# dnsdelay.py's log: "SECONDS NAME TYPE new|again"
QLOG="$T/queries.log"	# its names as "name. TYPE", one per query (qsync)
: > "$QRAW"; : > "$QLOG"
$PY "$srcdir/dnsdelay.py" "$PPORT" "$DNS_PORT" 3.0 slow 127.0.0.1 "$QRAW" 2>"$T/proxy.err" &
PROXY_PID=$!
at_exit "kill $PROXY_PID"
proxy_up() {
	$PY -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)
q=b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01'
s.sendto(q,('127.0.0.1',$PPORT)); s.recvfrom(512)"
}
wait_until 20 proxy_up || skip_all "the delaying proxy does not answer"

MP=$(free_port)
# conf PREFETCH - the proxy as name server, DNSPrefetch as given; DNSTimeout
# 10 s, well above the proxy's 3 s, so late answers are never timeouts
conf() {
	{
		conf_base "inet:$MP@127.0.0.1" mx.pf.test |
		    grep -v '^Nameservers\|^DNSPrefetch\|^DNSTimeout'
		printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 10\nDNSPrefetch %s\n' "$PPORT" "$1"
	} > "$T/$1.conf"
}
conf yes
conf no
HPORT=$(free_port)
printf 'MetricsSocket inet:%s@127.0.0.1\n' "$HPORT" >> "$T/yes.conf"
# pf OUTCOME - authmilterd_dns_prefetch_total{outcome=OUTCOME} of the daemon
pf() {
	$PY -c "
import sys, urllib.request
t = urllib.request.urlopen('http://127.0.0.1:$HPORT/metrics', timeout=10).read().decode()
for l in t.splitlines():
    if l.startswith('authmilterd_dns_prefetch_total{outcome=\"%s\"} ' % sys.argv[1]):
        print(l.split()[1])" "$1"
}

# msg FILE FROM-DOMAIN KEY-DOMAIN
msg() {
	printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=k1; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAAAAAA\r\n' "$3" > "$T/$1"
	printf 'DKIM-Signature: v=1; a=rsa-sha256; d=other.%s;\r\n\ts = k2 ; h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAAAAAA\r\n' "$3" >> "$T/$1"
	printf 'From: Alice <alice@%s>\r\nTo: bob@rcpt.test\r\nSubject: prefetch\r\nDate: Thu, 3 Dec 2026 12:00:00 +0000\r\n\r\nHello.\r\n' "$2" >> "$T/$1"
}
msg pf.eml news.pf.test pf.test
msg slow.eml slow.pf.test slow.pf.test

# the names asked before end of message, "name. TYPE" as dnsdelay.py logs them
WANT_SPF="pf.test. 16|helo.pf.test. 16"
WANT_SPF_NEXT="inc.pf.test. 16|deep.pf.test. 16|mx.pf.test. 15|mail.pf.test. 1|a.pf.test. 1|helo.pf.test. 1"
WANT_DKIM="k1._domainkey.pf.test. 16|k2._domainkey.other.pf.test. 16"
WANT_DMARC="_dmarc.news.pf.test. 16|_dmarc.pf.test. 16|_dmarc.test. 16|news.pf.test. 1"

# qsync - $QLOG from the proxy's log as it is now
qsync() { awk '{ print $2 ". " $3 }' "$QRAW" > "$QLOG"; }

# has_all LIST FILE - every "|"-separated line of LIST is a line of FILE
has_all() {
	qsync
	printf '%s\n' "$1" | tr '|' '\n' | while read -r _l; do
		grep -qxF "$_l" "$2" || { echo "missing: $_l"; return 1; }
	done
}

# held NAME MSG FROM - miltc sends MSG up to end of message and holds there
# ($T/NAME.go releases it); its output in $T/NAME.out, its pid in MC_PID
held() {
	rm -f "$T/$1.go" "$T/$1.go.reached"
	"$MC" -s "inet:$MP@127.0.0.1" --client-ip 198.18.0.1 --helo helo.pf.test \
	    --from "$3" --rcpt bob@rcpt.test --timeout 60 --hold-at eom --hold-file "$T/$1.go" \
	    "$T/$2" > "$T/$1.out" 2>&1 &
	MC_PID=$!
	wait_until 30 test -e "$T/$1.go.reached"
}
release() {
	touch "$T/$1.go"
	wait "$MC_PID"
}

# prefetch on: everything the data names is asked before end of message
milter_start "$T/yes.conf" || skip_all "the daemon does not start"
held on pf.eml bob@pf.test
ok "DNSPrefetch yes: MAIL FROM and HELO SPF records asked before end of message" \
    wait_until 30 has_all "$WANT_SPF" "$QLOG"
ok "DNSPrefetch yes: include chain, mx, its exchanger and a targets asked before end of message" \
    wait_until 30 has_all "$WANT_SPF_NEXT" "$QLOG"
ok "DNSPrefetch yes: both DKIM keys asked before end of message (folded s=, MaximumSignaturesToVerify)" \
    wait_until 30 has_all "$WANT_DKIM" "$QLOG"
ok "DNSPrefetch yes: the DMARC tree walk and the author's A asked before end of message" \
    wait_until 30 has_all "$WANT_DMARC" "$QLOG"
is "$(qsync; grep -c 'ex.pf.test' "$QLOG")" 0 "DNSPrefetch yes: an exists term with a macro is left to end of message"
qsync
before=$(wc -l < "$QLOG")
release on
ar_on=$(grep 'Authentication-Results' "$T/on.out" | sed 's/ header.b=[^ ;]*//g')
like "$ar_on" 'spf=pass .*dkim=.*dmarc=pass' "DNSPrefetch yes: the message is evaluated (spf=pass, dmarc=pass)"
qsync
tail -n +$((before + 1)) "$QLOG" > "$T/after.log"
again=$(printf '%s|%s|%s|%s\n' "$WANT_SPF" "$WANT_SPF_NEXT" "$WANT_DKIM" "$WANT_DMARC" | tr '|' '\n' |
    grep -v '^_dmarc.test' | grep -cxF -f - "$T/after.log")
is "$again" 0 "DNSPrefetch yes: end of message asks none of the prefetched names again"
is "$(pf started)" 14 "DNSPrefetch yes: 14 lookups started, each name once (authmilterd_dns_prefetch_total)"
milter_stop

# prefetch off: nothing before end of message, the same verdict
: > "$QRAW"
milter_start "$T/no.conf" || skip_all "the daemon does not start"
held off pf.eml bob@pf.test
is "$(qsync; grep -c 'pf.test' "$QLOG")" 0 "DNSPrefetch no: nothing asked before end of message"
release off
ok "DNSPrefetch no: the lookups are made at end of message" \
    has_all "$WANT_SPF|inc.pf.test. 16|$WANT_DKIM|_dmarc.news.pf.test. 16" "$QLOG"
ar_off=$(grep 'Authentication-Results' "$T/off.out" | sed 's/ header.b=[^ ;]*//g')
is "$ar_off" "$ar_on" "DNSPrefetch no: the same Authentication-Results as with prefetch"
milter_stop

# abort, close and reload with prefetches in flight: each case its own
# names under slow.pf.test (none cached yet), answered 3 s late
for c in abort close reload reload2; do
	msg "$c.eml" "$c.slow.pf.test" "$c.slow.pf.test"
done
asked() { qsync; grep -qxF "$1.slow.pf.test. 16" "$QLOG" && grep -qxF "_dmarc.$1.slow.pf.test. 16" "$QLOG"; }
milter_start "$T/yes.conf" || skip_all "the daemon does not start"
for c in abort close; do
	"$MC" -s "inet:$MP@127.0.0.1" --client-ip 198.18.0.1 --helo helo.pf.test \
	    --from "bob@$c.slow.pf.test" --rcpt bob@rcpt.test --$c-at eom "$T/$c.eml" > "$T/$c.out" 2>&1
	like "$(cat "$T/$c.out")" "$c eom" "$c at end of message with its prefetches in flight"
	ok "$c: its lookups had been started" wait_until 30 asked "$c"
done
held reload reload.eml bob@reload.slow.pf.test
ok "reload: the held message's lookups are in flight" wait_until 30 asked reload
ok "SIGHUP with a message's prefetches in flight: reloaded" milter_reload
release reload
like "$(grep 'Authentication-Results' "$T/reload.out")" 'spf=none .*dkim=permerror.*dmarc=fail' \
    "the message held across the reload is evaluated on its engine (its late answers joined)"
held reload2 reload2.eml bob@reload2.slow.pf.test
wait_until 30 asked reload2
ok "second SIGHUP with prefetches in flight: reloaded" milter_reload
kill "$MC_PID"; wait "$MC_PID" 2>/dev/null	# close: the old engine goes with its message
like "$("$MC" -s "inet:$MP@127.0.0.1" --client-ip 198.18.0.1 --helo helo.pf.test \
    --from bob@pf.test --rcpt bob@rcpt.test "$T/pf.eml" 2>&1)" 'spf=pass' \
    "after abort, close and reloads with answers outstanding: the daemon still answers"
ok "the prefetches of the aborted and closed messages were cancelled (cancelled=$(pf cancelled))" \
    test "$(pf cancelled)" -ge 2
kill "$MILTER_PID"; wait "$MILTER_PID"; rc=$?; MILTER_PID=
is "$rc" 0 "the daemon stops cleanly"
ok "no sanitizer report (build-san: no leak, no use after free)" \
    sh -c "! grep -q 'Sanitizer\|runtime error' '$T/milter.log'"
done_testing
