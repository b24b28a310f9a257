# t/history_lib.sh - shared by the history tests that drive the real daemon
# (sourced after lib.sh): a test zone, a message, a config writer, sending
# over the milter protocol; states are waited for with lib.sh's wait_until
# ("wait_until 20 eval 'SHELL WORDS'": re-evaluated each time, never
# sleep-then-assert)
#
#   hist_dns                      unbound with hist.test (SPF, DMARC p=none
#                                 rua=) and nodmarc.hist.test (SPF only)
#   hist_conf FILE HISTORY [LINE...]  a daemon config on $MPORT
#   hist_send [MILTC ARGS]        one message from a@hist.test over the milter
#                                 protocol (client 198.18.0.1; no DKIM)
#   fd_to PATH                    how many of the daemon's descriptors name PATH
#   fd_ino PATH                   inode of the file the daemon has open as PATH
#   jobs_in FILE...               number of records ("job" lines) in FILEs
MC="$builddir/miltc"
MPORT=$(free_port)

hist_dns() {
	cat > "$T/zone.conf" <<'ZEOF'
  local-zone: "hist.test." static
  local-data: 'hist.test. 300 IN TXT "v=spf1 ip4:198.18.0.1 -all"'
  local-data: '_dmarc.hist.test. 300 IN TXT "v=DMARC1; p=none; rua=mailto:agg@hist.test"'
  local-data: 'nodmarc.hist.test. 300 IN TXT "v=spf1 ip4:198.18.0.1 -all"'
  local-data: 'mx.hist.test. 300 IN TXT "v=spf1 ip4:198.18.0.1 -all"'
ZEOF
	dns_start "$T/zone.conf"
}

hist_conf() {
	_f=$1
	_h=$2
	shift 2
	conf_base "inet:$MPORT@127.0.0.1" mx.hist.test > "$_f"
	echo "HistoryFile $_h" >> "$_f"
	for _l in "$@"; do echo "$_l" >> "$_f"; done
}

printf 'From: A <a@hist.test>\r\nTo: b@rcpt.test\r\nSubject: history\r\nMessage-ID: <h@hist.test>\r\n\r\nHello.\r\n' > "$T/hist.eml"

hist_send() {
	"$MC" -s "inet:$MPORT@127.0.0.1" --client-ip 198.18.0.1 --helo mx.hist.test \
	    --from a@hist.test --rcpt b@rcpt.test "$@" "$T/hist.eml"
}

fd_to() {
	_n=0
	for _fd in /proc/"$MILTER_PID"/fd/*; do
		[ "$(readlink "$_fd" 2>/dev/null)" = "$1" ] && _n=$((_n + 1))
	done
	echo $_n
}

fd_ino() {
	for _fd in /proc/"$MILTER_PID"/fd/*; do
		[ "$(readlink "$_fd" 2>/dev/null)" = "$1" ] && stat -L -c %i "$_fd"
	done
}

jobs_in() {
	cat "$@" 2>/dev/null | grep -c '^job '
}
