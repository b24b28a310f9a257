# t/lib.sh - shared helpers for the script tests (sourced; emits TAP)
#
#   . "$srcdir/lib.sh"            sets T (a scratch dir), AM (milter binary)
#   need CMD...                   skip the whole test, saying why, when missing
#   need_root                     skip unless running as root
#   ok "label" CMD...             run CMD, pass when it exits 0
#   is "got" "want" "label"       string equality
#   like "got" "regex" "label"    grep -E match
#   skip_all "reason"             plan 0 and exit 0
#   done_testing                  print the plan; exit 1 when any failed
#   free_port                     print a free TCP/UDP port on 127.0.0.1
#   dns_start FILE...             unbound serving the local-data FILEs (unbound
#                                 config lines: local-zone:, local-data:) on
#                                 127.0.0.1:$DNS_PORT; stopped at exit
#   dns_stop
#   milter_start CONF [ARGS]      authmilter -f -c CONF in the background;
#                                 waits for its socket; MILTER_PID is set
#   milter_stop
#   milter_reload                 SIGHUP the daemon, wait until its log says
#                                 the reload succeeded or failed
#   wait_until SECONDS CMD...     poll CMD until it succeeds (bounded)
#   zone_dir                      $srcdir/zones
#   netns_start NAME              a network namespace NAME (deleted at exit)
#                                 with lo up and 198.18.0.1 (an "external"
#                                 client) and 198.18.1.1 (an "internal" one)
#                                 on it; sets NSEXEC
#   NSEXEC                        when set (e.g. "ip netns exec NS"), daemons
#                                 started here run inside that namespace
# Nameservers for a test config: "Nameservers 127.0.0.1:$DNS_PORT".

: "${srcdir:=$(cd "$(dirname "$0")" && pwd)}"
: "${builddir:=$(pwd)}"
: "${top_builddir:=$(cd "$builddir/.." && pwd)}"
: "${top_srcdir:=$(cd "$srcdir/.." && pwd)}"
TEST_NAME=$(basename "$0" .sh)
T="$builddir/tmp/$TEST_NAME"
rm -rf "$T"
mkdir -p "$T"
AM="$top_builddir/milter/authmilter"
PY=/usr/bin/python3
REF="$top_srcdir/data"
_n=0
_fail=0
_cleanups=""

at_exit() { _cleanups="$1; $_cleanups"; }
_run_cleanups() { eval "$_cleanups" >/dev/null 2>&1; }
trap _run_cleanups EXIT

_report() {
	_n=$((_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $_n - $2"
	else
		echo "not ok $_n - $2"
		_fail=$((_fail + 1))
	fi
}

ok() {
	_label=$1
	shift
	if "$@" >"$T/ok.out" 2>&1; then
		_report 0 "$_label"
	else
		_report 1 "$_label"
		sed 's/^/# /' "$T/ok.out" | head -40
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		_report 0 "$3"
	else
		_report 1 "$3"
		printf '# got:  %s\n# want: %s\n' "$1" "$2"
	fi
}

like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		_report 0 "$3"
	else
		_report 1 "$3"
		printf '# got:  %s\n# want match: %s\n' "$(printf '%s' "$1" | head -c 2000)" "$2"
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$_n"
	[ "$_fail" = 0 ]
	exit $?
}

need() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || [ -x "$_c" ] || skip_all "$_c is not installed"
	done
}

need_root() {
	[ "$(id -u)" = 0 ] || skip_all "needs root"
}

free_port() {
	$PY - <<'PYEOF'
import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close()
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); u.close(); print(p); break
    except OSError:
        u.close()
PYEOF
}

zone_dir() { echo "$srcdir/zones"; }

# netns_start NAME - see above; skips the whole test when it cannot
netns_start() {
	ip netns add "$1" || skip_all "cannot create a network namespace"
	at_exit "ip netns del $1"
	NSEXEC="ip netns exec $1"
	$NSEXEC ip link set lo up
	$NSEXEC ip addr add 198.18.0.1/32 dev lo
	$NSEXEC ip addr add 198.18.1.1/32 dev lo
}

# conf_base SOCKET AUTHSERV-ID - the lines a test daemon's config starts
# with: foreground, no syslog, root allowed, the test DNS server (dns_start)
conf_base() {
	printf 'Socket %s\nAuthservID %s\nBackground no\nSyslog no\nAllowRootOperation yes\n' "$1" "$2"
	printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 3\n' "$DNS_PORT"
	conf_prefetch
}

# conf_prefetch - "DNSPrefetch no" (or yes) when AUTHMILTER_TEST_DNSPREFETCH
# says so: the inbound tests run both ways and must give the same results
# (.ci/run runs them once more with AUTHMILTER_TEST_DNSPREFETCH=no)
conf_prefetch() {
	case "${AUTHMILTER_TEST_DNSPREFETCH:-}" in
	yes|no) printf 'DNSPrefetch %s\n' "$AUTHMILTER_TEST_DNSPREFETCH" ;;
	esac
}

# dns_start FILE... - authoritative test server on loopback
dns_start() {
	_ub=${UNBOUND:-$(command -v unbound || echo /usr/sbin/unbound)}
	[ -x "$_ub" ] || skip_all "unbound is not installed (Debian package unbound)"
	DNS_PORT=$(free_port)
	DNS_DIR="$T/dns"
	mkdir -p "$DNS_DIR"
	{
		echo "server:"
		echo "  interface: 127.0.0.1"
		echo "  port: $DNS_PORT"
		echo "  do-daemonize: no"
		echo "  use-syslog: no"
		echo "  logfile: \"\""
		echo "  username: \"\""
		echo "  chroot: \"\""
		echo "  directory: \"$DNS_DIR\""
		echo "  pidfile: \"$DNS_DIR/unbound.pid\""
		echo "  do-ip6: no"
		echo "  access-control: 127.0.0.0/8 allow"
		echo "  num-threads: 1"
		echo "  verbosity: 0"
		echo "  local-zone: \".\" refuse"
		echo "  module-config: \"iterator\""
		echo "  val-permissive-mode: yes"
		cat "$@"
		echo "remote-control:"
		echo "  control-enable: no"
	} > "$DNS_DIR/unbound.conf"
	if ! unbound-checkconf "$DNS_DIR/unbound.conf" >"$DNS_DIR/check.log" 2>&1; then
		echo "# unbound config rejected:"; sed 's/^/# /' "$DNS_DIR/check.log"
		return 1
	fi
	${NSEXEC:-} "$_ub" -d -c "$DNS_DIR/unbound.conf" >"$DNS_DIR/unbound.log" 2>&1 &
	DNS_PID=$!
	at_exit "kill $DNS_PID"
	_await_start "$DNS_PID" unbound "$DNS_DIR/unbound.log" 20 _dns_answers
}

# _dns_answers - does the test server answer a query on $DNS_PORT
_dns_answers() {
	${NSEXEC:-} $PY -c "
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)
q=b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01'
s.sendto(q,('127.0.0.1',$DNS_PORT)); s.recvfrom(512)"
}

dns_stop() { _stop_pid "${DNS_PID:-}"; DNS_PID=; }

# _await_start PID NAME LOG SECONDS PROBE... - wait until PROBE succeeds (0);
# 1, with LOG as TAP comments, when PID exits or SECONDS pass first
_await_start() {
	_as_pid=$1 _as_name=$2 _as_log=$3 _as_secs=$4
	shift 4
	wait_until "$_as_secs" _ready_or_gone "$_as_pid" "$@" &&
	    kill -0 "$_as_pid" 2>/dev/null && return 0
	kill -0 "$_as_pid" 2>/dev/null && echo "# $_as_name did not start:" ||
	    echo "# $_as_name exited:"
	sed 's/^/# /' "$_as_log"
	return 1
}

# _ready_or_gone PID PROBE... - PROBE succeeds, or PID has exited: either
# ends the wait
_ready_or_gone() { _rg=$1; shift; "$@" || ! kill -0 "$_rg" 2>/dev/null; }

# _stop_pid PID - stop a daemon started here and reap it
_stop_pid() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null; }

# milter_start CONF [ARGS] - the daemon in the foreground, in the background
milter_start() {
	_conf=$1
	shift
	${NSEXEC:-} "$AM" -f -c "$_conf" "$@" >"$T/milter.log" 2>&1 &
	MILTER_PID=$!
	at_exit "kill $MILTER_PID"
	_await_start "$MILTER_PID" authmilter "$T/milter.log" 20 \
	    _milter_listens "$(sed -n 's/^Socket[[:space:]]*//p' "$_conf")"
}

# _milter_listens SOCKET - is the daemon's socket there (inet: it accepts)
_milter_listens() {
	case "$1" in
	inet:*) _p=${1#inet:}; _p=${_p%@*}
		${NSEXEC:-} $PY -c "import socket; socket.create_connection(('127.0.0.1',$_p),0.2).close()" ;;
	local:*|unix:*) [ -S "${1#*:}" ] ;;
	*) return 1 ;;
	esac
}

milter_stop() { _stop_pid "${MILTER_PID:-}"; MILTER_PID=; }

# wait_until SECONDS CMD... - poll CMD every 0.1 s until it exits 0; returns
# 1 when SECONDS passed first.  Tests wait for a state this way, never with a
# fixed sleep; the bound is a liveness limit, not a timing assertion.
wait_until() {
	_wu_end=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$_wu_end" ] || return 1
		sleep 0.1
	done
	return 0
}

# _log_lines PATTERN - lines of the test daemon's log matching PATTERN
_log_lines() { grep -c -e "$1" "$T/milter.log" 2>/dev/null; }
_more_lines() { [ "$(_log_lines "$1")" -gt "$2" ]; }

# milter_reload - SIGHUP the test daemon; wait (bounded) until its log says
# the reload succeeded or failed
milter_reload() {
	_mr=$(_log_lines 'configuration reloaded\|reload failed')
	kill -HUP "$MILTER_PID"
	wait_until 30 _more_lines 'configuration reloaded\|reload failed' "$_mr"
}
