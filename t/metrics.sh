#!/bin/sh
# metrics.sh - MetricsSocket: GET /metrics while messages go through the
# milter protocol (inbound against the test DNS, one signed), counters moved
# by exactly what was sent, 404/405 elsewhere, promtool's check, a reload
# that moves the listener, and every metric the Grafana dashboard names
. "$srcdir/lib.sh"
need openssl
$PY -c 'import dkim' 2>/dev/null || skip_all "dkimpy is not installed (Debian package python3-dkim)"
MC="$builddir/miltc"
DASH="$top_srcdir/contrib/grafana-authmilter.json"

. "$srcdir/inbound_lib.sh"
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
HPORT=$(free_port)
# write_conf HTTP-PORT - verify from 198.18.0.1, sign from 127.0.0.1
write_conf() {
	{
		conf_base "inet:$MPORT@127.0.0.1" mx.test.example
		printf 'RejectFailures yes\nHistoryFile %s\nInternalHosts 127.0.0.1\n' "${HIST:-$T/history}"
		printf 'Domain sender.inb.test\nSelector sel1\nKeyFile %s\n' "$T/sel1.pem"
		printf 'MetricsSocket inet:%s@127.0.0.1\n' "$1"
	} > "$T/a.conf"
}
write_conf "$HPORT"
milter_start "$T/a.conf" || skip_all "authmilter did not start"

# get PORT PATH [METHOD] - "STATUS CONTENT-TYPE", the body in $T/body
get() {
	$PY - "$1" "$2" "${3:-GET}" "$T/body" <<'PYEOF'
import sys, urllib.request, urllib.error
port, path, method, out = sys.argv[1:5]
req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path), method=method)
try:
    r = urllib.request.urlopen(req, timeout=10)
    code, ctype, body = r.status, r.headers.get("Content-Type"), r.read()
except urllib.error.HTTPError as e:
    code, ctype, body = e.code, e.headers.get("Content-Type"), e.read()
open(out, "wb").write(body)
print(code, ctype)
PYEOF
}
# scrape NAME - GET /metrics into $T/NAME.prom
scrape() { get "$HPORT" /metrics > "$T/$1.status" && cp "$T/body" "$T/$1.prom"; }
# val FILE SERIES - the value of one series (name with its labels), or "absent"
val() { awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "absent" }' "$T/$1.prom"; }
# sum FILE NAME - the sum of every series of a family
sum() { awk -v n="$2" 'index($1, n "{") == 1 || $1 == n { t += $2 } END { print t + 0 }' "$T/$1.prom"; }
# delta SERIES - its value in after minus before
delta() { echo $(($(val after "$1") - $(val before "$1"))); }

scrape before
is "$(cat "$T/before.status")" "200 text/plain; version=0.0.4; charset=utf-8" "GET /metrics: 200, exposition format 0.0.4"
is "$(val before 'authmilterd_build_info{version="'"$(sed -n 's/^AC_INIT(\[authmilter\], \[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")"'"}')" 1 \
    "build_info carries the version"
is "$(val before authmilterd_config_generation)" 1 "config generation 1 at start"
is "$(sum before authmilterd_messages_total)" 0 "no message yet"

mkmsg "$T/out.eml" "Alice <alice@sender.inb.test>"
milter() {	# milter CASE MAILFROM CLIENT-IP
	"$MC" -s "inet:$MPORT@127.0.0.1" --client-ip "$3" --helo client.inb.test \
	    --from "$2" --rcpt bob@rcpt.test "$T/$1.eml"
}
like "$(milter pass alice@sender.inb.test 198.18.0.1)" "action (accept|continue)" "inbound pass: accepted"
like "$(milter reject boss@reject.inb.test 198.18.0.1)" "reply eom reject 550" "inbound p=reject spoof: rejected"
like "$(milter out alice@sender.inb.test 127.0.0.1)" "insheader 0 DKIM-Signature: .*a=rsa-sha256" "outbound: signed"
# the last close may still be on its way: the gauge's state, polled
conns_zero() { scrape conns && [ "$(val conns authmilterd_milter_connections)" = 0 ]; }
ok "milter connections gauge back to 0 after the clients closed" wait_until 30 conns_zero
scrape after

# each series that moved, by exactly one; the family sums show nothing else did
while read -r series; do
	is "$(delta "$series")" 1 "+1: $series"
done <<'EOF'
authmilterd_messages_total{role="verify",action="accept"}
authmilterd_messages_total{role="verify",action="reject"}
authmilterd_messages_total{role="sign",action="accept"}
authmilterd_results_total{method="spf",result="pass"}
authmilterd_results_total{method="spf",result="fail"}
authmilterd_results_total{method="dkim",result="pass"}
authmilterd_results_total{method="dmarc",result="pass"}
authmilterd_results_total{method="dmarc",result="fail"}
authmilterd_dmarc_total{policy="reject",disposition="none"}
authmilterd_dmarc_total{policy="reject",disposition="reject"}
authmilterd_signatures_total{algorithm="rsa-sha256"}
EOF
is "$(sum after authmilterd_messages_total)" 3 "messages: 3 in all"
is "$(sum after authmilterd_results_total)" 5 "results: nothing else counted"
is "$(sum after authmilterd_dmarc_total)" 2 "dmarc: nothing else counted"
is "$(sum after authmilterd_signatures_total)" 1 "signatures: 1 in all"
is "$(val after authmilterd_message_duration_seconds_count)" 3 "end-of-message latency: 3 observations"
is "$(val after 'authmilterd_message_duration_seconds_bucket{le="+Inf"}')" 3 "end-of-message latency: +Inf bucket 3"
txt=$(sum after authmilterd_dns_queries_total)
ok "DNS: queries counted ($txt)" test "$txt" -gt 0
is "$(val after authmilterd_dns_query_duration_seconds_count)" "$txt" "DNS latency: one observation per query"
is "$(grep -c '^job ' "$T/history")" 2 "history: the two inbound messages recorded"
is "$(sum after authmilterd_history_records_written_total)" 2 "history records written: 2, the records in the file"
is "$(sum after authmilterd_history_records_lost_total)" 0 "history records lost: 0"
ok "no label carries an address or a domain" sh -c "! grep -E '198\\.18|127\\.0|inb\\.test' '$T/after.prom'"

# promtool: the format's own checker (Debian package prometheus)
if command -v promtool >/dev/null 2>&1; then
	ok "promtool check metrics passes" sh -c "promtool check metrics < '$T/after.prom'"
else
	_report 0 "# SKIP promtool check: promtool absent (Debian package prometheus)"
fi

is "$(get "$HPORT" /metricsx)" "404 text/plain" "another path: 404"
is "$(get "$HPORT" /)" "404 text/plain" "/: 404"
is "$(get "$HPORT" /metrics POST)" "405 text/plain" "POST: 405"

# every metric the dashboard names is exported
names=$($PY - "$DASH" <<'PYEOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
print(" ".join(sorted({n for e in exprs for n in re.findall(r"authmilterd_[a-z_]+", e)})))
PYEOF
)
ok "the dashboard names some metrics" test -n "$names"
missing=
for n in $names; do
	awk -v n="$n" 'index($1, n "{") == 1 || $1 == n { f = 1 } END { exit !f }' "$T/after.prom" || missing="$missing $n"
done
is "$missing" "" "every metric in contrib/grafana-authmilter.json is exported"

# reloads: one that keeps the socket, one that moves it, one that fails
milter_reload
scrape r1
is "$(val r1 'authmilterd_reloads_total{result="ok"}')" 1 "reload: ok +1"
is "$(val r1 authmilterd_config_generation)" 2 "reload: config generation 2"
HPORT2=$(free_port)
write_conf "$HPORT2"
milter_reload
moved() { get "$HPORT2" /metrics | grep -q '^200 '; }
ok "reload with a new MetricsSocket: served at the new port" wait_until 30 moved
ok "and no longer at the old one" sh -c "! $PY -c \"import socket; socket.create_connection(('127.0.0.1', $HPORT), 2).close()\""
HPORT=$HPORT2
# a new MetricsSocket that cannot be bound (taken): the old one keeps serving
BUSY=$(free_port)
$PY -c "
import socket, time
s = socket.socket(); s.bind(('127.0.0.1', $BUSY)); s.listen(1)
open('$T/busy', 'w').close()
time.sleep(3600)" &
at_exit "kill $!"
ok "a port taken by another listener" wait_until 30 test -e "$T/busy"
write_conf "$BUSY"
milter_reload
ok "taken: the log says the old socket stays and a restart is needed" \
    grep -q "MetricsSocket: still serving at inet:$HPORT@127.0.0.1; restart the daemon" "$T/milter.log"
is "$(get "$HPORT" /metrics | cut -d' ' -f1)" 200 "taken: still served at the old port"
write_conf "$HPORT"
echo "Mode bogus" >> "$T/a.conf"
milter_reload
scrape r3
is "$(val r3 'authmilterd_reloads_total{result="failed"}')" 1 "broken file: reloads failed +1"
is "$(val r3 authmilterd_config_generation)" 4 "generation counts reloads that took effect only"

# a record lost: the history file on a full filesystem (tmpfs: root only)
if [ "$(id -u)" = 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=64k tmpfs "$T/full" 2>/dev/null; then
	at_exit "umount -l $T/full"
	HIST="$T/full/history" write_conf "$HPORT"
	milter_reload
	dd if=/dev/zero of="$T/full/filler" bs=4k count=64 2>/dev/null
	scrape before
	like "$(milter pass alice@sender.inb.test 198.18.0.1)" "action (accept|continue)" "full filesystem: the message still accepted"
	scrape after
	is "$(delta authmilterd_history_records_lost_total)" 1 "history records lost +1"
	is "$(delta authmilterd_history_records_written_total)" 0 "history records written +0"
else
	_report 0 "# SKIP history records lost: needs root (a full tmpfs)"
fi

# a MetricsSocket that is not inet:PORT@ADDR is a config error, with file:line
{ conf_base "inet:$MPORT@127.0.0.1" x; echo "MetricsSocket local:/tmp/m.sock"; } > "$T/bad.conf"
like "$("$AM" -n -c "$T/bad.conf" 2>&1)" "bad.conf:[0-9]+:.*MetricsSocket.*want inet:PORT@IPV4" \
    "MetricsSocket local:... refused with file:line"
done_testing
