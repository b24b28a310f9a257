#!/bin/sh
# run.sh - run every fuzz target for SECONDS each with its seed corpus
#   t/fuzz/run.sh BUILDDIR [SECONDS]     (default 30)
# Environment: FUZZ_TARGETS="msg address ..." to run only those;
# FUZZ_JOBS=N targets at a time (default 1).
# Seeds: t/fuzz/corpus/<target>/; new inputs go to BUILDDIR/t/fuzz/corpus/.
# fuzz_msg gets an unbound on loopback serving t/zones/hostile.conf
# (FUZZ_DNS_PORT) when unbound is installed.
# Prints one line per target: executions, cov: and ft: (libFuzzer's edge and
# feature counts).  Exit 1 when any target crashed (the reproducer is left in
# BUILDDIR/t/fuzz/ and named in the log).
set -e
here=$(cd "$(dirname "$0")" && pwd)
b=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-30}
jobs=${FUZZ_JOBS:-1}
"$here/build.sh" "$b"
ASAN_OPTIONS=${ASAN_OPTIONS:-fast_unwind_on_malloc=0}
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$here/../lsan.supp}
export ASAN_OPTIONS LSAN_OPTIONS

# start_dns - unbound for fuzz_msg; sets FUZZ_DNS_PORT
start_dns() {
	ub=$(command -v unbound || echo /usr/sbin/unbound)
	[ -x "$ub" ] && [ -f "$here/../zones/hostile.conf" ] || return 0
	d="$b/t/fuzz/dns"
	mkdir -p "$d"
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	{
		printf 'server:\n  interface: 127.0.0.1\n  port: %s\n  do-daemonize: no\n' "$port"
		printf '  use-syslog: no\n  username: ""\n  chroot: ""\n  directory: "%s"\n' "$d"
		printf '  pidfile: ""\n  do-ip6: no\n  num-threads: 1\n  local-zone: "." refuse\n'
		printf '  module-config: "iterator"\n'
		cat "$here/../zones/hostile.conf"
		printf 'remote-control:\n  control-enable: no\n'
	} > "$d/unbound.conf"
	"$ub" -d -c "$d/unbound.conf" > "$d/unbound.log" 2>&1 &
	DNS_PID=$!
	trap 'kill $DNS_PID 2>/dev/null' EXIT
	sleep 1
	FUZZ_DNS_PORT=$port
	export FUZZ_DNS_PORT
}

# run_one TARGET - one target; prints its line; returns 1 on a crash
run_one() {
	t=$1
	n=$(basename "$t")
	seeds="$here/corpus/${n#fuzz_}"
	work="$b/t/fuzz/corpus/${n#fuzz_}"
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=
	log="$b/t/fuzz/$n.log"
	if (cd "$b/t/fuzz" && "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 "$work" $seeds >"$log" 2>&1); then
		st=ok
	else
		st=CRASH
	fi
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
	printf '%-22s %-5s %10s execs  %s  %s\n' "$n" "$st" "${execs:-?}" "${cov:-cov: ?}" \
	    "$([ $st = ok ] || grep -o 'Test unit written to .*' "$log")"
	[ $st = ok ]
}

start_dns
list=""
for t in "$b"/t/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	if [ -n "${FUZZ_TARGETS:-}" ]; then
		case " $FUZZ_TARGETS " in *" ${n#fuzz_} "*) ;; *) continue ;; esac
	fi
	list="$list $t"
done
rc=0
set -- $list
while [ $# -gt 0 ]; do
	pids=""
	i=0
	while [ $i -lt "$jobs" ] && [ $# -gt 0 ]; do
		run_one "$1" > "$b/t/fuzz/$(basename "$1").line" &
		pids="$pids $!"
		shift
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p" || rc=1
	done
done
cat "$b"/t/fuzz/fuzz_*.line 2>/dev/null
rm -f "$b"/t/fuzz/fuzz_*.line
exit $rc
