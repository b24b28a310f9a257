#!/bin/sh
# miltc.sh - the test milter client (miltc) against the daemon: one message,
# several on one connection, JSON output, ABORT mid-message, the socket
# closed at every phase, unix sockets, and the client's own error exits.
. "$srcdir/lib.sh"
MILTC="$builddir/miltc"
need "$MILTC" "$AM"

# example.org: SPF for 198.18.0.0/24, DMARC p=none (shared with bench/scale.sh)
dns_start "$(zone_dir)/example-org.conf" || skip_all "cannot start unbound"

PORT=$(free_port)
SOCK="inet:$PORT@127.0.0.1"
write_conf() {
	conf_base "$1" test.example > "$2"
}
write_conf "$SOCK" "$T/am.conf"
milter_start "$T/am.conf" || { echo "not ok 1 - daemon starts"; exit 1; }

cat > "$T/msg.eml" <<'EOF'
From: Alice <alice@example.org>
To: bob@test.example
Subject: miltc test
 folded subject
Date: Mon, 01 Jan 2024 00:00:00 +0000
Message-ID: <miltc-1@example.org>

Hello Bob.
EOF

run() { "$MILTC" -s "$SOCK" --client-ip 198.18.0.1 --helo mx.example.org \
	--from alice@example.org --rcpt bob@test.example "$@"; }

# one message
out=$(run "$T/msg.eml"); rc=$?
is "$rc" 0 "one message: exit 0"
like "$out" '^optneg version 6 ' "option negotiation at version 6"
like "$out" '^insheader [0-9]+ Authentication-Results: test\.example;' \
	"Authentication-Results inserted for 198.18.0.1"
like "$out" '^action accept$' "message accepted"
is "$(printf '%s\n' "$out" | tail -1)" "quit" "QUIT sent last"

# two messages on one connection
out=$(run --count 2 "$T/msg.eml"); rc=$?
is "$rc" 0 "two messages: exit 0"
is "$(printf '%s\n' "$out" | grep -c '^insheader .*Authentication-Results: test\.example;')" 2 \
	"two messages: one Authentication-Results each"
is "$(printf '%s\n' "$out" | grep -c '^action accept$')" 2 "two messages: two accepts"
is "$(printf '%s\n' "$out" | grep -c '^message [12]$')" 2 "two messages: numbered"

# JSON output
out=$(run --json --count 2 "$T/msg.eml")
jcheck=$(printf '%s\n' "$out" | $PY -c '
import json, sys
objs = [json.loads(l) for l in sys.stdin if l.strip()]
ar = [e for o in objs for e in o["edits"] if e["name"] == "Authentication-Results"]
print(len(objs), len(ar), objs[0]["action"], ar[0]["value"].split(";")[0])
')
is "$jcheck" "2 2 accept test.example" "--json: one object per message with the edits"

# ABORT in the middle of the first message; the second one is whole
out=$(run --count 2 --abort-at body "$T/msg.eml"); rc=$?
is "$rc" 0 "abort at body: exit 0"
like "$out" '^abort body$' "abort at body reported"
is "$(printf '%s\n' "$out" | grep -c '^insheader .*Authentication-Results')" 1 \
	"after an ABORT the next message on the connection is checked"
for p in mail rcpt header eoh eom; do
	out=$(run --count 2 --abort-at $p "$T/msg.eml"); rc=$?
	is "$rc:$(printf '%s\n' "$out" | grep -c '^action accept$')" "0:1" \
		"abort at $p, then one more message accepted"
done

# the socket closed at every phase: the daemon stays up
for p in optneg connect helo mail rcpt data header eoh body eom quit; do
	out=$(run --close-at $p "$T/msg.eml"); rc=$?
	is "$rc:$(printf '%s\n' "$out" | tail -1)" "0:close $p" "close at $p"
done
ok "daemon still running after the closes" kill -0 "$MILTER_PID"
out=$(run "$T/msg.eml")
like "$out" 'Authentication-Results: test\.example;' "daemon still answers after the closes"

# the load driver (t/bench/milterload) on the same daemon
ML="$builddir/milterload"
if [ -x "$ML" ]; then
	out=$("$ML" --milter "$SOCK" -c 4 -n 40 --per-conn 3 --client-ip 198.18.0.1 \
		--expect-action accept --expect-header '^Authentication-Results: test\.example;' \
		--pid "ours=$MILTER_PID" "$T/msg.eml" 2>&1); rc=$?
	is "$rc" 0 "milterload: 40 messages, expectations met"
	like "$out" '^run label=run milters=1 conc=4 msgs=40 .* errors=0 wrong=0' "milterload: run line"
	like "$out" 'latency_ms phase=eom n=40 ' "milterload: eom latency for every message"
	like "$out" 'cpu label=ours pid=[0-9]+ cpu_s=[0-9.]+ cpu_s_per_1k=[0-9.]+ vmhwm_kb=[1-9]' \
		"milterload: CPU and peak RSS of the daemon"
	out=$("$ML" --milter "$SOCK" --milter "$SOCK" -c 2 -n 10 "$T/msg.eml" 2>&1); rc=$?
	is "$rc" 0 "milterload: a chain of two milters"
	"$ML" --milter "$SOCK" -c 2 -n 10 --expect-action reject "$T/msg.eml" >"$T/ml.out" 2>&1
	is "$?" 1 "milterload: a wrong action is caught (exit 1)"
	like "$(cat "$T/ml.out")" 'wrong=10' "milterload: every wrong answer counted"
	"$ML" --milter "$SOCK" -c 2 -n 10 --expect-header 'dkim=nosuchresult' "$T/msg.eml" >"$T/ml.out" 2>&1
	is "$?" 1 "milterload: a missing header result is caught (exit 1)"
	"$ML" --milter "inet:$(free_port)@127.0.0.1" -c 2 -n 4 "$T/msg.eml" >"$T/ml.out" 2>&1
	is "$?" 2 "milterload: connection errors (exit 2)"
	# a corpus from distinct domains: MAIL FROM from each message's From:
	# (the default would be sender@test.example, no SPF record), with the
	# SMTP client's round trip between the phases
	out=$("$ML" --milter "$SOCK" -c 2 -n 4 --client-ip 198.18.0.1 --from-header --helo 'mx.%d' \
		--gap 5 --gap-at helo,mail,rcpt,data,header,body,eom --expect-action accept \
		--expect-header '^Authentication-Results: test\.example;.*spf=pass[^;]*example\.org' \
		"$T/msg.eml" 2>&1); rc=$?
	is "$rc" 0 "milterload --from-header: SPF passes for the From: address"
	like "$out" 'latency_ms phase=content n=4 ' "milterload: content latency for every message"
	"$ML" --milter "$SOCK" -n 1 --gap 5 --gap-at mail,nosuch "$T/msg.eml" >"$T/ml.out" 2>&1
	is "$?" 64 "milterload: an unknown --gap-at phase is refused"
	TSV="$T/ml.tsv"
	"$ML" --milter "$SOCK" -c 1 -n 5 --label tsvrun --tsv "$TSV" "$T/msg.eml" >/dev/null 2>&1
	"$ML" --milter "$SOCK" -c 1 -n 5 --label tsvrun2 --tsv "$TSV" "$T/msg.eml" >/dev/null 2>&1
	is "$(cut -f1 "$TSV" | tr '\n' ' ')" "label tsvrun tsvrun2 " "milterload: TSV header once, one row per run"
else
	_report 1 "milterload is built"
fi

# a unix socket
USOCK="$T/am.sock"
write_conf "local:$USOCK" "$T/am-unix.conf"
if milter_start "$T/am-unix.conf"; then
	out=$("$MILTC" -s "unix:$USOCK" "$T/msg.eml")
	like "$out" 'insheader [0-9]+ Authentication-Results: test\.example;' \
		"unix socket"
else
	_report 1 "daemon on a unix socket"
fi

# the client's own errors: nothing listening, a milter that never answers
DEAD=$(free_port)
"$MILTC" -s "inet:$DEAD@127.0.0.1" "$T/msg.eml" >"$T/dead.out" 2>&1
is "$?" 2 "nothing listening: exit 2"
like "$(cat "$T/dead.out")" '^error ' "nothing listening: error line"
SILENT=$(free_port)
$PY -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $SILENT)); s.listen(5)
open('$T/silent.ready', 'w').close()
time.sleep(10)" &
SPID=$!
at_exit "kill $SPID"
for _i in $(seq 1 50); do [ -e "$T/silent.ready" ] && break; sleep 0.1; done
"$MILTC" -s "inet:$SILENT@127.0.0.1" --timeout 1 "$T/msg.eml" >"$T/silent.out" 2>&1
is "$?" 2 "silent milter: exit 2"
like "$(cat "$T/silent.out")" '^error timeout' "silent milter: timeout reported"

done_testing
