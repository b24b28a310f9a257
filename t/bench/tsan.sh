#!/bin/sh
# tsan.sh - ThreadSanitizer check of the daemon under load (not part of make
# check): builds with --enable-tsan in its own directory, runs authmilter
# against the unbound test DNS server with t/zones/hostile.conf, drives it with
# t/bench/milterload (or t/miltc in a loop) at CONC connections, with a
# SIGHUP reload in the middle, and fails when TSan reports anything.
#   t/bench/tsan.sh [BUILDDIR [MESSAGES [CONC]]]
#       BUILDDIR default /tmp/b-tsan, MESSAGES 2000, CONC 50
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
b=${1:-/tmp/b-tsan}
msgs=${2:-2000}
conc=${3:-50}
mkdir -p "$b"
b=$(cd "$b" && pwd)
if [ ! -f "$b/Makefile" ]; then
	(cd "$b" && "$top/configure" --enable-tsan >configure.log 2>&1) ||
	    { echo "configure --enable-tsan failed: $b/configure.log"; exit 1; }
fi
make -C "$b" -j2 >"$b/make.log" 2>&1 || { echo "build failed: $b/make.log"; exit 1; }
make -C "$b/t" miltc milterload >>"$b/make.log" 2>&1 || true
set +e
srcdir="$top/t" builddir="$b/t" top_builddir="$b" top_srcdir="$top"
export srcdir builddir top_builddir top_srcdir
cd "$b/t"
. "$top/t/lib.sh" >/dev/null
T="$b/t/tmp/tsan"
mkdir -p "$T"
dns_start "$top/t/zones/hostile.conf" || { echo "unbound did not start"; exit 1; }
port=$(free_port)
{
	conf_base "inet:$port@127.0.0.1" mx.hostile.test
	echo "RejectFailures yes"
	echo "HistoryFile $T/history"
} > "$T/am.conf"
printf 'From: alice@sender.hostile.test\r\nTo: bob@rcpt.test\r\nSubject: tsan\r\n\r\nHello.\r\n' > "$T/m.eml"
# libmilter's own shutdown (smfi_stop: mi_listener destroys mutexes its
# closer thread still uses; its signal thread is never joined) is not ours
cat > "$T/supp" <<SEOF
race:mi_closener
race:mi_listener
race:cxa_at_exit_wrapper
mutex:mi_stop_milters
thread:mi_control_startup
SEOF
TSAN_OPTIONS="halt_on_error=0 report_signal_unsafe=0 suppressions=$T/supp log_path=$T/tsan"
export TSAN_OPTIONS
rm -f "$T"/tsan.*
milter_start "$T/am.conf" || { echo "authmilter did not start"; exit 1; }
( sleep 3; kill -HUP "$MILTER_PID" ) &
if [ -x "$b/t/milterload" ]; then
	"$b/t/milterload" --milter "inet:$port@127.0.0.1" -c "$conc" -n "$msgs" \
	    --client-ip 198.18.0.1 --helo client.hostile.test --from alice@sender.hostile.test \
	    --rcpt bob@rcpt.test --expect-action accept "$T/m.eml" > "$T/load.out" 2>&1
	load_rc=$?
else
	i=0
	while [ $i -lt "$conc" ]; do
		"$b/t/miltc" -s "inet:$port@127.0.0.1" --from alice@sender.hostile.test \
		    --count $((msgs / conc)) "$T/m.eml" >/dev/null 2>&1 &
		i=$((i + 1))
	done
	wait
	load_rc=0
fi
milter_stop
sleep 1
echo "load: $(grep '^run ' "$T/load.out" 2>/dev/null || echo "miltc x $conc")"
reports=$(cat "$T"/tsan.* 2>/dev/null | grep -c '^WARNING: ThreadSanitizer')
echo "ThreadSanitizer reports: $reports (logs: $T/tsan.*)"
cat "$T"/tsan.* 2>/dev/null | grep -A12 '^WARNING: ThreadSanitizer' | grep -E 'WARNING|#[0-3] ' | head -60
[ "$load_rc" = 0 ] && [ "$reports" = 0 ]
