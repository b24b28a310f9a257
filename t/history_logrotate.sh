#!/bin/sh
# history_logrotate.sh - contrib/authmilter.logrotate against the real
# daemon: logrotate renames the history file, creates a new one ("create")
# and signals the PidFile's process with SIGUSR1; the daemon then writes the
# new file, and no record is lost.  The cron file parses.
. "$srcdir/lib.sh"
. "$srcdir/history_lib.sh"
LR=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$LR" ] || skip_all "logrotate missing (Debian: logrotate)"
[ -d /proc/self/fd ] || skip_all "no /proc/PID/fd to look at the daemon's descriptors"
U=$(id -un)
G=$(id -gn)
# the shipped file, with paths moved into $T and our own user
sed -e "s|/var/log/authmilter/history|$T/history|" \
    -e "s|/run/authmilter/authmilter.pid|$T/pid|g" \
    -e "s|authmilter authmilter|$U $G|" \
    "$top_srcdir/contrib/authmilter.logrotate" > "$T/lr.conf"
chmod 0644 "$T/lr.conf"

hist_dns || skip_all "cannot start unbound"
hist_conf "$T/a.conf" "$T/history" "PidFile $T/pid"
milter_start "$T/a.conf" || skip_all "authmilter did not start"
ok "the daemon wrote its PidFile" wait_until 20 eval 'test "$(cat "$T/pid")" = "$MILTER_PID"'
hist_send --count 5 >/dev/null
is "$(jobs_in "$T/history")" 5 "five records before the rotation"
ok "logrotate accepts the file" "$LR" -d -s "$T/state" "$T/lr.conf"
cp "$T/history" "$T/before"

ok "first rotation" "$LR" -f -s "$T/state" "$T/lr.conf"
ok "history.1 kept uncompressed (delaycompress), as it was" cmp "$T/history.1" "$T/before"
ok "a new history file is created (create)" test -f "$T/history"
ok "SIGUSR1 from postrotate: the daemon has the new file open" \
    wait_until 20 eval 'test "$(fd_to "$T/history")" = 1'
ok "and the rotated one closed" wait_until 20 eval 'test "$(fd_to "$T/history.1")" = 0'
like "$(cat "$T/milter.log")" "SIGUSR1: history file $T/history reopened" "the daemon logged the reopen"
hist_send --count 3 >/dev/null
is "$(jobs_in "$T/history")" 3 "new records go to the new file"
is "$(jobs_in "$T/history.1")" 5 "the rotated file keeps its five"

# rotation while messages flow: nothing lost, nothing torn
hist_send --count 200 > "$T/bg.out" 2>&1 &
BG=$!
wait_until 20 eval 'test "$(jobs_in "$T/history")" -ge 20'
ok "second rotation, messages in flight" "$LR" -f -s "$T/state" "$T/lr.conf"
wait $BG
is "$(grep -c '^action accept' "$T/bg.out")" 200 "200 messages accepted during the rotation"
ok "the older file is compressed" test -f "$T/history.2.gz"
is "$(gzip -dc "$T/history.2.gz" | grep -c '^job ')" 5 "history.2.gz holds the first five"
is "$(jobs_in "$T/history.1" "$T/history")" 203 "no record lost: 3 + 200 in history.1 and history"
is "$(cat "$T/history.1" "$T/history" | grep -c '^action ')" 203 "none torn"
ok "SIGUSR1 again: the daemon writes the newest file" wait_until 20 eval 'test "$(fd_to "$T/history")" = 1'

# the cron line: six time/user fields then a command naming authmilter-report
line=$(grep -v '^#' "$top_srcdir/contrib/authmilter-report.cron" | grep -v '=' | grep .)
like "$line" '^[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +authmilter +.*authmilter-report -c /etc/authmilter/authmilter\.conf$' \
	"cron.d line: schedule, user, command"
done_testing
