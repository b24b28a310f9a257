#!/bin/sh
# log_inject.sh - peer text in the per-message log line and the SMTP reply,
# over the real milter protocol (t/miltc); issue 11 item 6
#
# A HELO with spaces, a quoted MAIL FROM local part holding " dmarc=pass",
# CR and ESC bytes, a DKIM-Signature whose d= and s= carry the same: the
# daemon's log line must parse (authmilter(8), LOGGING) into exactly the
# keys the daemon writes, each value equal to what the peer sent, with no
# control byte in the line.  A From domain holding "%" must reach the MTA
# as "%%" (Postfix and sendmail read the reply text as a format).
. "$srcdir/lib.sh"
MC="$builddir/miltc"

dns_start "$srcdir/zones/dns.conf" || skip_all "cannot start unbound"
MPORT=$(free_port)
S="inet:$MPORT@127.0.0.1"
{
	conf_base "$S" mx.test.example
	echo "SyslogSuccess yes"
	echo "RejectMultiValueFrom yes"
	echo "LogWhy yes"
} > "$T/a.conf"
milter_start "$T/a.conf" || skip_all "authmilter did not start"

# logline QID - the daemon's line for queue id QID, once it is written
logline() {
	for _i in $(seq 1 100); do
		_l=$(grep -a "^authmilter: $1:" "$T/milter.log")
		[ -n "$_l" ] && { printf '%s\n' "$_l"; return 0; }
		sleep 0.1
	done
	return 1
}
# kv - the keys and values of a log line, one "key<TAB>value" per line,
# values decoded (\" \\ \xNN); "BAD" when the line does not parse
kv() {
	$PY -c '
import re, sys
line = sys.stdin.buffer.read().rstrip(b"\n")
line = line.split(b": ", 2)[2]		# "authmilter: QID: ..."
tok = re.compile(rb" *([A-Za-z0-9_.]+)=(\"((?:[^\"\\]|\\[\"\\]|\\x[0-9a-f]{2})*)\"|[^ \"]+)")
pos, out = 0, []
while pos < len(line):
    m = tok.match(line, pos)
    if not m:
        print("BAD at %d: %r" % (pos, line[pos:pos+40])); sys.exit(0)
    v = m.group(2)
    if v.startswith(b"\""):
        v = re.sub(rb"\\(x([0-9a-f]{2})|[\"\\])",
                   lambda x: bytes([int(x.group(2), 16)]) if x.group(2) else x.group(1), m.group(3))
    out.append(m.group(1).decode() + "\t" + repr(v)[2:-1])
    pos = m.end()
print("\n".join(out))
'
}
keys() { kv | cut -f1 | paste -sd' ' -; }
val() { kv | awk -F'\t' -v k="$1" '$1 == k && !n++ { print $2 }'; }

# --- a forged HELO, MAIL FROM, d= and s= -------------------------------------
HELO=$(printf 'a b dmarc=pass\r\033[2J')
{
	printf 'DKIM-Signature: v=1; a=rsa-sha256; d=x.example dmarc=pass; s=s\033 x=1;\r\n'
	printf '\tc=relaxed/relaxed; h=from; bh=AAAA; b=AAAA\r\n'
	printf 'From: Alice <alice@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: inj\r\n\r\nHello.\r\n'
} > "$T/m1.eml"
"$MC" -s "$S" --client-ip 198.18.0.1 --queue-id QINJ1 --helo "$HELO" \
    --from '"a b dmarc=pass"@x.example' --rcpt bob@rcpt.test "$T/m1.eml" > "$T/o1" 2>&1
is "$?" 0 "miltc completed the conversation"
L=$(logline QINJ1)
ok "the message was logged" [ -n "$L" ]
is "$(printf '%s\n' "$L" | wc -l)" 1 "one log line for the message"
ok "no CR or ESC byte in the log line" sh -c '! printf "%s" "$1" | grep -q "$(printf "[\r\033]")"' - "$L"
got=$(printf '%s\n' "$L" | keys)
like "$got" "^client helo mailfrom spf spf.helo dkim d s dmarc header.from policy disposition action( reason)?$" \
    "the line parses into the daemon's keys only"
is "$(printf '%s\n' "$L" | kv | grep -c "^dmarc$(printf '\t')")" 1 "one dmarc= key, the daemon's"
is "$(printf '%s\n' "$L" | val helo)" 'a b dmarc=pass\r\x1b[2J' "helo value round-trips"
is "$(printf '%s\n' "$L" | val mailfrom)" '<"a b dmarc=pass"@x.example>' "mailfrom value round-trips"
like "$(printf '%s\n' "$L" | val d)" "dmarc=pass" "the forged d= text stays inside the d value"

# --- the reason and the reply text --------------------------------------------
printf 'From: <alice@b.example%%n%%s>\r\nTo: bob@rcpt.test\r\nSubject: pct\r\n\r\nHi.\r\n' > "$T/m2.eml"
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --queue-id QINJ2 --helo client.sender.test \
    --from alice@sender.test --rcpt bob@rcpt.test "$T/m2.eml")
like "$out" 'reply eom reject 550 5\.7\.1 message rejected: From domain b\.example%%n%%s is not a host name' \
    "a % from the From field reaches the MTA doubled (shown as % by Postfix and sendmail)"
L=$(logline QINJ2)
is "$(printf '%s\n' "$L" | keys)" \
    "client helo mailfrom spf spf.helo dkim dmarc header.from policy disposition action reason" \
    "rejected message: the line parses into the daemon's keys"
is "$(printf '%s\n' "$L" | val header.from)" 'b.example%n%s' "header.from value round-trips"

printf 'From: "x\\\r\\\033" <alice@sender.test\033>\r\nTo: bob@rcpt.test\r\nSubject: ctl\r\n\r\nHi.\r\n' > "$T/m3.eml"
out=$("$MC" -s "$S" --client-ip 198.18.0.1 --queue-id QINJ3 --helo client.sender.test \
    --from alice@sender.test --rcpt bob@rcpt.test "$T/m3.eml")
like "$out" 'reply eom reject 550 5\.7\.1 message rejected: ' "control bytes in From: rejected"
ok "the reply text holds no control byte" sh -c '! printf "%s" "$1" | grep "^reply" | grep -q "$(printf "[\r\033]")"' - "$out"
L=$(logline QINJ3)
like "$(printf '%s\n' "$L" | keys)" "^client helo mailfrom .* action reason$" "control bytes in From: the line parses"
ok "the daemon is still running" kill -0 "$MILTER_PID"

done_testing
