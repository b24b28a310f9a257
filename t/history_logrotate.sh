#!/bin/sh
# history_logrotate.sh - contrib/authmilter.logrotate rotates the history
# file and signals the PidFile's process with SIGUSR1; the cron file parses
. "$srcdir/lib.sh"
LR=$(command -v logrotate || echo /usr/sbin/logrotate)
[ -x "$LR" ] || skip_all "logrotate missing (Debian: logrotate)"
U=$(id -un)
G=$(id -gn)
# the shipped file, with paths moved into $T and our own user
sed -e "s|/var/log/authmilter/history|$T/history|" \
    -e "s|/run/authmilter/authmilter.pid|$T/pid|g" \
    -e "s|authmilter authmilter|$U $G|" \
    "$top_srcdir/contrib/authmilter.logrotate" > "$T/lr.conf"
chmod 0644 "$T/lr.conf"

# a stand-in for the daemon: counts SIGUSR1 in $T/usr1
sh -c 'trap "echo usr1 >> \"$1/usr1\"" USR1; echo $$ > "$1/pid"; while :; do sleep 0.1; done' sh "$T" &
STUB=$!
at_exit "kill $STUB"
usr1s() { wc -l < "$T/usr1" 2>/dev/null || echo 0; }
has_usr1s() { [ "$(usr1s)" -ge "$1" ]; }
ok "the stand-in is ready (its trap is set)" wait_until 30 test -s "$T/pid"

cat "$srcdir/data/history/opendmarc-1.4.2.history" > "$T/history"
ok "logrotate accepts the file" "$LR" -d -s "$T/state" "$T/lr.conf"
ok "first rotation" "$LR" -f -s "$T/state" "$T/lr.conf"
wait_until 30 has_usr1s 1
ok "history.1 kept uncompressed (delaycompress)" cmp "$T/history.1" "$srcdir/data/history/opendmarc-1.4.2.history"
ok "a new empty history file is created" test -f "$T/history" -a ! -s "$T/history"
is "$(cat "$T/usr1" 2>/dev/null)" "usr1" "SIGUSR1 sent to the PidFile's process"

echo "job x" > "$T/history"
ok "second rotation" "$LR" -f -s "$T/state" "$T/lr.conf"
wait_until 30 has_usr1s 2
ok "the older file is compressed" sh -c "gzip -dc '$T/history.2.gz' | cmp - '$srcdir/data/history/opendmarc-1.4.2.history'"
is "$(usr1s)" "2" "signalled again"

# the cron line: six time/user fields then a command naming authmilter-report
line=$(grep -v '^#' "$top_srcdir/contrib/authmilter-report.cron" | grep -v '=' | grep .)
like "$line" '^[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +[0-9*,/-]+ +authmilter +.*authmilter-report -c /etc/authmilter/authmilter\.conf$' \
	"cron.d line: schedule, user, command"
done_testing
