#!/bin/sh
# milter_basic.sh - the daemon over the real milter protocol (t/miltc):
# header edits, several messages per connection, abort, every early close,
# roles (internal / IgnoreHosts / PeerList), local socket with UMask
. "$srcdir/lib.sh"
MC="$builddir/miltc"

dns_start "$srcdir/zones/dns.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
{
	conf_base "inet:$MPORT@127.0.0.1" mx.test.example
	cat <<CEOF
InternalHosts 127.0.0.1, 10.9.0.0/16, !10.9.9.9
IgnoreHosts 192.0.2.66
PeerList 192.0.2.77
CEOF
} > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"
S="inet:$MPORT@127.0.0.1"
printf 'From: Alice <alice@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: basic\r\n\r\nHello.\r\n' > "$T/m.eml"

out=$("$MC" -s "$S" --client-ip 198.18.0.1 --helo client.sender.test --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$?" 0 "miltc completed the conversation"
# no-reply steps (SMFIP_NR_*): HELO, RCPT, headers, EOH and body always;
# CONNECT and MAIL not here, where PeerList and IgnoreHosts answer early
proto=$(echo "$out" | sed -n 's/^optneg .* protocol 0x\([0-9a-f]*\)$/\1/p')
is "$(( 0x${proto:-0} & 0xcf080 ))" "$(( 0xca080 ))" "PeerList and IgnoreHosts set: no reply asked at HELO, RCPT, headers, EOH, body; replies at CONNECT and MAIL"
is "$(echo "$out" | grep -c '^reply ')" 0 "an accepted message gets no early reply"
like "$out" "insheader 0 Authentication-Results: mx.test.example;" "external client: A-R inserted at the top"
is "$(echo "$out" | grep -c '^insheader')" 1 "exactly one header added"
like "$out" "action (accept|continue)" "message accepted"

out=$("$MC" -s "$S" --client-ip 198.18.0.1 --count 3 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 3 "three messages on one connection, three headers"

out=$("$MC" -s "$S" --client-ip 198.18.0.1 --count 2 --abort-at body --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
like "$out" "abort body" "abort in the first transaction"
is "$(echo "$out" | grep -c 'Authentication-Results')" 1 "the next transaction on the connection still works"

for phase in optneg connect helo mail rcpt data header eoh body eom; do
	"$MC" -s "$S" --client-ip 198.18.0.1 --close-at $phase --from a@sender.test --rcpt b@rcpt.test "$T/m.eml" >/dev/null 2>&1
done
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
like "$out" "Authentication-Results" "after closes at every phase the daemon still answers"
ok "the daemon is still running" kill -0 "$MILTER_PID"

out=$("$MC" -s "$S" --client-ip 10.9.1.1 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 0 "InternalHosts client: signing role, no A-R"
out=$("$MC" -s "$S" --client-ip 10.9.9.9 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 1 "negated entry inside an internal network: verified"
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --auth-user alice --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 0 "SMTP AUTH client: signing role, no A-R"
out=$("$MC" -s "$S" --client-ip 192.0.2.66 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
like "$out" "reply mail accept" "IgnoreHosts: accepted untouched at MAIL"
out=$("$MC" -s "$S" --client-ip 192.0.2.77 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
like "$out" "reply connect accept" "PeerList: accepted at connect"

# without PeerList and IgnoreHosts nothing is decided before the end of the
# message: after a reload the MTA is asked not to wait at any step
sed -i '/^PeerList/d; /^IgnoreHosts/d' "$T/a.conf"
ok "SIGHUP: the daemon reloads" milter_reload
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
proto=$(echo "$out" | sed -n 's/^optneg .* protocol 0x\([0-9a-f]*\)$/\1/p')
is "$(( 0x${proto:-0} & 0xcf080 ))" "$(( 0xcf080 ))" "no PeerList or IgnoreHosts: no reply asked at CONNECT, HELO, MAIL, RCPT, headers, EOH, body"
like "$out" "insheader 0 Authentication-Results: mx.test.example;" "the verdict still comes at end of message"
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --count 3 --abort-at body --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 2 "no-reply steps: an aborted transaction, then two more on the connection"
out=$("$MC" -s "$S" --client-ip 10.9.1.1 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
is "$(echo "$out" | grep -c 'Authentication-Results')" 0 "no-reply steps: InternalHosts client still signs, no A-R"

# a local socket gets the UMask's permissions
milter_stop
sed -i "s|^Socket .*|Socket local:$T/am.sock|; s|^UMask.*||" "$T/a.conf"
echo "UMask 077" >> "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start on a local socket"
is "$(stat -c %a "$T/am.sock")" 700 "local socket created with UMask 077"
out=$("$MC" -s "local:$T/am.sock" --client-ip 198.18.0.1 --from alice@sender.test --rcpt bob@rcpt.test "$T/m.eml")
like "$out" "Authentication-Results" "the local socket answers"
done_testing
