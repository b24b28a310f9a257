#!/bin/sh
# rua_limit.sh - a DMARC record listing hundreds of rua URIs (issue 11
# item 7): the daemon keeps ReportMaxDestinations of them in the history
# record and logs the rest as dropped; the reporter, reading a history that
# lists more (written with a higher limit, or by OpenDMARC), sends to the
# first ReportMaxDestinations only and logs the rest.  Over the real milter
# protocol (t/miltc) with the unbound test server; delivery through
# t/fake-sendmail.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"
MC="$builddir/miltc"
need "$RP" "$PY"

N=200
# the TXT record: v=DMARC1; p=none; rua=mailto:r1@many.test,... in 200-byte strings
$PY - "$N" > "$T/zone" <<'PYEOF'
import sys
n = int(sys.argv[1])
rec = "v=DMARC1; p=none; rua=" + ",".join("mailto:r%d@many.test" % i for i in range(1, n + 1))
chunks = " ".join('"%s"' % rec[i:i + 200] for i in range(0, len(rec), 200))
print('  local-zone: "many.test." static')
print('  local-data: "many.test. 300 IN SOA ns.many.test. h.many.test. 1 3600 600 86400 300"')
print("  local-data: '_dmarc.many.test. 300 IN TXT %s'" % chunks)
print('  local-data: "many.test. 300 IN TXT \\"v=spf1 -all\\""')
PYEOF
dns_start "$T/zone" || skip_all "cannot start unbound"
printf 'From: Alice <alice@many.test>\r\nTo: bob@rcpt.test\r\nSubject: rua\r\n\r\nHi.\r\n' > "$T/m.eml"

# daemon NAME [LINES] - start a daemon with history file $T/NAME.hist, send one message
daemon() {
	_dn=$1
	shift
	MPORT=$(free_port)
	{
		conf_base "inet:$MPORT@127.0.0.1" mx.test.example
		echo "HistoryFile $T/$_dn.hist"
		for _l in "$@"; do echo "$_l"; done
	} > "$T/$_dn.conf"
	milter_start "$T/$_dn.conf" || return 1
	"$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 198.18.0.1 --queue-id "Q$_dn" \
	    --helo client.sender.test --from alice@many.test --rcpt bob@rcpt.test "$T/m.eml" \
	    > "$T/$_dn.out"
	for _i in $(seq 1 100); do
		grep -q '^action ' "$T/$_dn.hist" 2>/dev/null && break
		sleep 0.1
	done
	cp "$T/milter.log" "$T/$_dn.log"
	milter_stop
}

ok "daemon with the default limit" daemon def
is "$(grep -c '^rua ' "$T/def.hist")" 5 "history record keeps 5 rua URIs (default ReportMaxDestinations)"
is "$(grep '^rua ' "$T/def.hist" | head -1)" "rua mailto:r1@many.test" "the first ones, in order"
is "$(grep '^rua ' "$T/def.hist" | tail -1)" "rua mailto:r5@many.test" "up to the fifth"
ok "history record smaller than 2 KB" test "$(wc -c < "$T/def.hist")" -lt 2048
like "$(cat "$T/def.log")" "Qdef: dmarc: rua of domain=many.test lists $N URIs; kept=5 dropped=$((N - 5))" \
    "the daemon logs what it dropped"

ok "daemon with ReportMaxDestinations 100" daemon big "ReportMaxDestinations 100"
is "$(grep -c '^rua ' "$T/big.hist")" 100 "ReportMaxDestinations 100: 100 kept"

# --- the reporter ---------------------------------------------------------
# its input: the daemon's record with 100 rua lines, as a history written
# before this limit (or by OpenDMARC) holds them
awk '/^rua / { if (!done) for (i = 1; i <= 100; i++) print "rua mailto:r" i "@many.test"; done = 1; next }
    { print }' "$T/def.hist" > "$T/in.hist"
is "$(grep -c '^rua ' "$T/in.hist")" 100 "reporter input: a record with 100 rua"
now=$(date +%s)
# rep CONF-LINE... - the reporter over in.hist (100 rua), delivering
rep() {
	rm -rf "$T/mail" "$T/state"*
	report_mail_conf "$T/r.conf" "$@"
	"$RP" -c "$T/r.conf" --history "$T/in.hist" --from $((now - 86400)) --to $((now + 86400)) \
	    --schema "$XSD" 2>"$T/rep.err"
}
ok "reporter, default limit" rep
sed 's/^/# /' "$T/rep.err" | head -5
is "$(mails_sent)" 5 "100 rua in the history: 5 reports sent"
is "$(mailed_to)" \
    "r1@many.test r2@many.test r3@many.test r4@many.test r5@many.test" "to the first five, in order"
like "$(cat "$T/rep.err")" "domain=many.test: rua lists 100 URIs; the first 5 are used, 95 dropped" \
    "the reporter logs what it dropped"
ok "reporter, ReportMaxDestinations 7" rep "ReportMaxDestinations 7"
is "$(mails_sent)" 7 "ReportMaxDestinations 7: 7 sent"

done_testing
