#!/bin/sh
# signals.sh - SIGHUP reloads (a broken file keeps the running config),
# SIGTERM lets a message in flight finish and exits 0, PidFile
. "$srcdir/lib.sh"
MC="$builddir/miltc"

# a name server that never answers, so an evaluation takes DNSTimeout
SLOW_PORT=$(free_port)
# (it appends each query to $T/asked: a message whose name is there is in
# flight; libunbound may still retry an earlier message's query, so the
# message in flight is told apart by its MAIL FROM domain)
$PY -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $SLOW_PORT))
while True:
    d, _ = s.recvfrom(4096)
    with open('$T/asked', 'ab') as f:
        f.write(d + b'\n')
" &
at_exit "kill $!"
MPORT=$(free_port)
# write_conf AUTHSERV-ID - the name server is the one that never answers
write_conf() {
	{
		(DNS_PORT=$SLOW_PORT; conf_base "inet:$MPORT@127.0.0.1" "$1")
		echo "PidFile $T/a.pid"
	} > "$T/a.conf"
}
write_conf first.test.example
milter_start "$T/a.conf" || skip_all "authmilter did not start"
S="inet:$MPORT@127.0.0.1"
is "$(cat "$T/a.pid")" "$MILTER_PID" "PidFile holds the daemon's pid"
printf 'From: a@sender.test\r\nTo: b@rcpt.test\r\nSubject: s\r\n\r\nx\r\n' > "$T/m.eml"
send() { "$MC" -s "$S" --timeout 30 --client-ip 198.18.0.1 --from a@sender.test --rcpt b@rcpt.test "$T/m.eml"; }

like "$(send)" "Authentication-Results: first.test.example;" "first configuration in use"

echo "Bogus keyword" >> "$T/a.conf"
ok "SIGHUP: the daemon logs the reload outcome" milter_reload
ok "a broken config on SIGHUP: still running" kill -0 "$MILTER_PID"
like "$(cat "$T/milter.log")" "reload failed, keeping the running configuration: .*a.conf:$(wc -l < "$T/a.conf"): Bogus: unknown keyword" "the log says why"
like "$(send)" "Authentication-Results: first.test.example;" "and the old configuration still answers"

write_conf second.test.example
ok "SIGHUP: the daemon logs the reload outcome" milter_reload
like "$(send)" "Authentication-Results: second.test.example;" "a good config on SIGHUP takes effect"

# SIGTERM while a message waits for DNS: it finishes, then the daemon exits 0
rm -f "$T/asked"
"$MC" -s "$S" --timeout 30 --client-ip 198.18.0.1 --from a@inflight.test --rcpt b@rcpt.test \
	"$T/m.eml" > "$T/inflight.out" 2>&1 &
cpid=$!
ok "the message waits for DNS (the name server was asked about it)" \
	wait_until 30 grep -q -a inflight "$T/asked"
kill -TERM "$MILTER_PID"
wait "$cpid"
like "$(cat "$T/inflight.out")" "Authentication-Results: second.test.example;" "the message in flight got its verdict"
wait "$MILTER_PID"
is "$?" 0 "SIGTERM: exit status 0"
MILTER_PID=
ok "the pid file is removed" test ! -e "$T/a.pid"
done_testing
