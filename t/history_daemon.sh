#!/bin/sh
# history_daemon.sh - the history file through the real daemon over the
# milter protocol: the record says the action actually applied (a header
# edit the MTA refuses becomes a tempfail); a reload that changes
# HistoryFile closes the old file and writes the new one; a reload that
# keeps it shares the descriptor; SIGUSR1 after a rename starts a new file
# and no record is lost; a planted symbolic link is refused, its target
# untouched (at start-up, at reload and at SIGUSR1)
. "$srcdir/lib.sh"
. "$srcdir/history_lib.sh"
[ -d /proc/self/fd ] || skip_all "no /proc/PID/fd to look at the daemon's descriptors"
hist_dns || skip_all "cannot start unbound"
hist_conf "$T/a.conf" "$T/h1"
milter_start "$T/a.conf" || skip_all "authmilter did not start"

# --- the applied action ------------------------------------------------------
out=$(hist_send --queue-id Q1)
like "$out" "insheader 0 Authentication-Results" "an MTA that allows header edits: A-R added"
is "$(sed -n '/^job Q1$/,/^action/p' "$T/h1" | tail -1)" "action 2" "accepted: the record says accept (2)"
# an MTA that offers no header actions (quarantine only): smfi_insheader
# fails, we tempfail
out=$(hist_send --queue-id Q2 --actions 0x20)
like "$out" "reply eom tempfail 451 4.3.0" "header edit refused by the MTA: 451 4.3.0"
is "$(sed -n '/^job Q2$/,/^action/p' "$T/h1" | tail -1)" "action 3" \
    "refused edit: the record says the action applied, tempfail (3), not accept"
is "$(jobs_in "$T/h1")" 2 "one record per message"

# --- reload with another HistoryFile -------------------------------------------
is "$(fd_to "$T/h1")" 1 "the daemon holds the history file open once"
hist_conf "$T/a.conf" "$T/h2"
kill -HUP "$MILTER_PID"
ok "SIGHUP: reloaded" wait_until 20 eval 'grep -q "configuration reloaded" "$T/milter.log"'
ok "the old history file is closed once no message uses it" wait_until 20 eval 'test "$(fd_to "$T/h1")" = 0'
hist_send --queue-id Q3 >/dev/null
ok "records go to the new file" grep -q '^job Q3$' "$T/h2"
is "$(jobs_in "$T/h1")" 2 "the old file gets nothing more"
is "$(fd_to "$T/h2")" 1 "the new file is open once"

# --- reload keeping HistoryFile: one shared descriptor -------------------------
ino=$(fd_ino "$T/h2")
kill -HUP "$MILTER_PID"
ok "second SIGHUP: reloaded" wait_until 20 eval 'test "$(grep -c "configuration reloaded" "$T/milter.log")" = 2'
hist_send --queue-id Q4 >/dev/null
is "$(fd_to "$T/h2")" 1 "same HistoryFile: still one descriptor (shared, not reopened)"
is "$(fd_ino "$T/h2")" "$ino" "and the same file, not reopened"

# --- SIGUSR1 after a rename (no message in between: the signal reopens) -----
mv "$T/h2" "$T/h2.1"
kill -USR1 "$MILTER_PID"
ok "SIGUSR1: a new file at the path" wait_until 20 eval 'test -f "$T/h2"'
ok "SIGUSR1: the daemon has the new file open" wait_until 20 eval 'test "$(fd_to "$T/h2")" = 1'
ok "and the renamed one closed" wait_until 20 eval 'test "$(fd_to "$T/h2.1")" = 0'
like "$(cat "$T/milter.log")" "SIGUSR1: history file $T/h2 reopened" "the reopen is logged"
hist_send --queue-id Q5 >/dev/null
ok "the next record goes to the new file" grep -q '^job Q5$' "$T/h2"

# --- the same with messages in flight: no record lost ---------------------------
hist_send --count 300 > "$T/bg.out" 2>&1 &
BG=$!
wait_until 20 eval 'test "$(jobs_in "$T/h2")" -ge 20'
mv "$T/h2" "$T/h2.2"
kill -USR1 "$MILTER_PID"
wait $BG
is "$(grep -c '^action accept' "$T/bg.out")" 300 "300 messages accepted while rotating"
is "$(jobs_in "$T/h2.2" "$T/h2")" 301 "no record lost: Q5 and the 300 are in the two files"
is "$(cat "$T/h2.2" "$T/h2" | grep -c '^action ')" 301 "none torn"
is "$(jobs_in "$T/h2.1")" 2 "the older file kept its two"

# --- planted symbolic links ----------------------------------------------------
echo precious > "$T/victim"
chmod 0644 "$T/victim"
before=$(ls -l --time-style=+%s.%N "$T/victim"; cat "$T/victim")
# at SIGUSR1: the symlink is refused, the old descriptor kept, nothing lost
mv "$T/h2" "$T/h2.3"
ln -s "$T/victim" "$T/h2"
kill -USR1 "$MILTER_PID"
ok "SIGUSR1 onto a symlink: refused and logged" \
    wait_until 20 eval 'grep -q "history: $T/h2: reopen: is a symbolic link" "$T/milter.log"'
hist_send --queue-id Q6 >/dev/null
ok "the record goes to the file still open" grep -q '^job Q6$' "$T/h2.3"
# at reload: the new HistoryFile is a symlink
ln -s "$T/victim" "$T/h3"
hist_conf "$T/a.conf" "$T/h3"
kill -HUP "$MILTER_PID"
ok "SIGHUP onto a symlink: reload refused, running configuration kept" \
    wait_until 20 eval 'grep -q "reload failed, keeping the running configuration: HistoryFile" "$T/milter.log"'
like "$(cat "$T/milter.log")" "HistoryFile: $T/h3: is a symbolic link" "the reason names the file"
hist_send --queue-id Q7 >/dev/null
ok "records still go to the running file" grep -q '^job Q7$' "$T/h2.3"

# --- mfrom: the envelope domain as every other reader takes it -----------------
# (address_domain_of; t/test_mailfrom.c shows SPF and DontSignMailTo agree)
hist_send --queue-id Q8 --from '<U@Hist.Test.>' >/dev/null
is "$(sed -n '/^job Q8$/,/^action/p' "$T/h2.3" | grep '^mfrom')" "mfrom hist.test" \
    "mfrom: the MAIL FROM domain, normalised as SPF and DMARC read it"
hist_send --queue-id Q9 --from 'u@hist.test(.example.com' >/dev/null
is "$(sed -n '/^job Q9$/,/^action/p' "$T/h2.3" | grep -c '^mfrom .*example')" 0 \
    "a CVE-2020-12272-style MAIL FROM: no domain recorded (not hist.test(.example.com)"
ok "but the message is recorded" grep -q '^job Q9$' "$T/h2.3"
milter_stop
# at start-up (as root, before the privilege drop)
start_status() {	# the daemon's exit status, or "started" (then stopped)
	"$AM" -f -c "$T/b.conf" > "$T/b.log" 2>&1 &
	_p=$!
	wait_until 20 eval "! kill -0 $_p || grep -q starting '$T/b.log'"
	if grep -q starting "$T/b.log"; then
		kill $_p
		wait $_p
		echo started
	else
		wait $_p
		echo $?
	fi
}
P2=$(free_port)
conf_base "inet:$P2@127.0.0.1" mx.hist.test > "$T/b.conf"
echo "HistoryFile $T/h3" >> "$T/b.conf"
is "$(start_status)" 1 "start-up with a symlinked HistoryFile: refused, exit 1"
like "$(cat "$T/b.log")" "HistoryFile: $T/h3: is a symbolic link: refused" "with a clear error"
mkfifo "$T/fifo"
conf_base "inet:$P2@127.0.0.1" mx.hist.test > "$T/b.conf"
echo "HistoryFile $T/fifo" >> "$T/b.conf"
is "$(start_status)" 1 "start-up with a FIFO as HistoryFile: refused"
like "$(cat "$T/b.log")" "HistoryFile: $T/fifo: not a regular file" "not a regular file"
is "$(ls -l --time-style=+%s.%N "$T/victim"; cat "$T/victim")" "$before" "the symlinks' target is untouched"
done_testing
