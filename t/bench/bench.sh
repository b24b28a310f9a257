#!/bin/bash
# =============================================================================
# bench.sh - authmilter beside OpenDKIM + OpenDMARC, same driver, same
# messages, same DNS, one run.
#
#   make bench                     (as root, in the build directory), or
#   top_builddir=BUILD t/bench/bench.sh
#
# What it does (Debian 12, root; everything inside a private network
# namespace so the daemons' resolvers see only the bench DNS server):
#   - installs Debian's opendkim, opendmarc, unbound, python3-dkim when
#     missing (apt-get);
#   - makes RSA-2048 and Ed25519 keys, bench zones served by unbound on
#     127.0.0.1:53 (sender.example: RSA-2048 signed, SPF pass for
#     198.18.0.0/24, DMARC p=reject; ourdomain.example: selectors rsa1, ed1);
#   - drives each daemon with t/bench/milterload (milter protocol, as Postfix
#     speaks it, unix sockets) and measures:
#       in-2k, in-100k    inbound verify (client 198.18.0.1): ours vs
#                         opendkim (Mode v) -> opendmarc (SPFSelfValidate),
#                         chained the way Postfix runs smtpd_milters
#       out-rsa, out-ed25519, out-dual   outbound signing of 2 KiB
#                         (client 198.18.1.1, internal): ours vs opendkim
#                         (Mode s; SignatureAlgorithm is global in
#                         OpenDKIM, so dual = two opendkim chained)
#     per row: msg/s, latency p50/p99 (connect to EOM reply), CPU seconds
#     per 1,000 messages (utime+stime from /proc/PID/stat, all daemons of
#     the side summed), peak RSS (VmHWM, summed), the answers checked
#     (Authentication-Results dkim/spf/dmarc=pass, DKIM-Signature a=...)
#     and the ratios ours/anchor;
#   - openssl speed rsa2048/ed25519 sign/s (1 process and -multi NPROC) and
#     the signing rows' msg/s as a fraction of that limit;
#   - end to end through Postfix with smtp-source, in the same namespace:
#     Postfix alone, a null libmilter filter (the protocol's ceiling),
#     the anchors and ours, inbound and outbound (t/bench/e2e.sh; E2E=0
#     skips; `t/bench/bench.sh e2e [OTHER_BUILDDIR]` runs only that part,
#     with another build's daemon in the same rounds and the ratio
#     ours/other: throughput against main before a change);
#   - the reporter over 10 million synthetic history records: time and peak
#     RSS (t/bench/report-bench.sh; REPORT=0 skips, REPORT_N=records).
#   It prints one table and writes it as TSV ($OUT, default
#   $builddir/bench-results.tsv).
#
# Soak (issue 7): `t/bench/bench.sh soak` (or `make soak`) sends SOAK_N
#   (1,000,000) messages at SOAK_CONC (50) connections through one daemon
#   with a history file, in 10 chunks; each chunk is half inbound verify,
#   half outbound dual signing, every answer checked.  After each chunk it
#   records the daemon's VmRSS, open fds and threads; at the end it checks
#   the daemon is alive, its log has one line per message, and the
#   reporter reads one history record per inbound message.  It prints
#   first vs last chunk and writes $SOAK_OUT (default
#   $builddir/soak-results.tsv).  Exit 1 when anything failed.
#
# Instructions (issue 13): `t/bench/bench.sh insn [OTHER_BUILDDIR]` runs the
#   daemon under callgrind (deterministic instruction counts, whatever else
#   the machine does) for inbound verify of in-2k and outbound dual signing,
#   INSN_N (200) messages on one connection at a time, minus a one-message
#   run (start-up and shutdown); with OTHER_BUILDDIR (a build of another
#   commit) it measures that daemon the same way in the same run and prints
#   the ratio this/other.  Exit 1 when an answer was wrong.
#
# DNS latency (issue 16): `t/bench/bench.sh dnslat [OTHER_BUILDDIR]` (or
#   `make bench-dnslat`) puts a proxy that answers every query late
#   (t/dnsdelay.py, DNSLAT_DELAYS="20 50" ms) in front of the bench DNS and
#   sends DNSLAT_N (300) messages per row, each from its own domain (SPF
#   through an include, a DKIM key, DMARC p=reject: all cold), with the SMTP
#   client's round trip between the phases (= the delay) and with none;
#   it prints end-of-message latency p50/p99 in ms and in DNS round trips
#   for ours with DNSPrefetch yes and no, and OpenDKIM -> OpenDMARC chained
#   (with OTHER_BUILDDIR: that build's daemon too).  See t/bench/dnslat.sh.
#
# Tunables: CONC=8 concurrency, N2=3000 (2 KiB messages per row),
#   N100=1000 (100 KiB), WARMUP=200, OUT=file, E2E=0|1, KEEP=1 (leave the
#   state directory), NS=authmilter-bench (netns name); end to end:
#   E2E_N=2000 messages per row, E2E_CONC=20 SMTP sessions, E2E_WARMUP=200.
# Timings depend on the machine; nothing here asserts one.
# =============================================================================
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${builddir:=$top_builddir/t}"
BENCH_SRC="$top_srcdir/t/bench"
AM="$top_builddir/milter/authmilter"
ML="$builddir/milterload"
PY=/usr/bin/python3
CONC=${CONC:-8}
N2=${N2:-3000}
N100=${N100:-1000}
WARMUP=${WARMUP:-200}
NS=${NS:-authmilter-bench}
OUT=${OUT:-$builddir/bench-results.tsv}
S=${STATE:-/var/lib/authmilter-bench}  # not under /tmp: opendkim refuses keys below a world-writable directory
E2E=${E2E:-1}
AUTHSERV=mta.bench.example
NX="ip netns exec $NS"
PIDS=()

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (apt-get, network namespace, daemons)"
[ -x "$AM" ] || die "no $AM (build first)"
[ -x "$ML" ] || die "no $ML (make -C t milterload)"

# ---- packages ----------------------------------------------------------------
ensure_packages() {
	local p missing=""
	for p in opendkim opendkim-tools opendmarc unbound python3-dkim publicsuffix openssl iproute2 postfix; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	log "apt-get install$missing"
	# keep the packaged services from starting on the host
	local made=0
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		made=1
	fi
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
	[ $made = 1 ] && rm -f /usr/sbin/policy-rc.d
	return 0
}

# ---- setup / teardown ------------------------------------------------------
cleanup() {
	local p
	type e2e_pf_stop > /dev/null 2>&1 && e2e_pf_stop
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	sleep 0.5
	ip netns del "$NS" 2>/dev/null
	rm -rf "/etc/netns/$NS"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$S"
}

setup() {
	rm -rf "$S"
	mkdir -p "$S"/{keys,msg,run,log,od,dmarc,am}
	chmod 755 "$S" "$S/run"
	ip netns add "$NS" || die "cannot create network namespace $NS"
	trap cleanup EXIT
	ip -n "$NS" link set lo up
	mkdir -p "/etc/netns/$NS"
	echo "nameserver 127.0.0.1" > "/etc/netns/$NS/resolv.conf"
	local k
	for k in rsa-sender rsa-sign; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$S/keys/$k.pem" 2>/dev/null
		openssl pkey -in "$S/keys/$k.pem" -pubout -out "$S/keys/$k.pub"
	done
	openssl genpkey -algorithm ED25519 -out "$S/keys/ed-sign.pem"
	openssl pkey -in "$S/keys/ed-sign.pem" -pubout -out "$S/keys/ed-sign.pub"
	# each daemon its own copy, owned by its user (both check key safety)
	mkdir -p "$S/od/keys" "$S/am/keys"
	cp "$S/keys/rsa-sign.pem" "$S/keys/ed-sign.pem" "$S/od/keys/"
	cp "$S/keys/rsa-sign.pem" "$S/keys/ed-sign.pem" "$S/am/keys/"
	chown -R opendkim:opendkim "$S/od/keys"
	chmod 700 "$S/od/keys" "$S/am/keys"
	chmod 600 "$S"/od/keys/* "$S"/am/keys/*
	$PY "$BENCH_SRC/genmsg.py" zone "$S/keys" > "$S/zone.conf" || die "zone"
	$PY "$BENCH_SRC/genmsg.py" msg inbound 2048 "$S/msg/in-2k.eml" "$S/keys/rsa-sender.pem" || die genmsg
	$PY "$BENCH_SRC/genmsg.py" msg inbound 102400 "$S/msg/in-100k.eml" "$S/keys/rsa-sender.pem" || die genmsg
	$PY "$BENCH_SRC/genmsg.py" msg outbound 2048 "$S/msg/out-2k.eml" || die genmsg
}

start_dns() {
	cat > "$S/unbound.conf" <<EOF
server:
  interface: 127.0.0.1
  port: 53
  do-ip6: no
  do-daemonize: no
  use-syslog: no
  logfile: ""
  username: ""
  chroot: ""
  directory: "$S"
  pidfile: "$S/unbound.pid"
  access-control: 127.0.0.0/8 allow
  num-threads: 1
  verbosity: 0
  module-config: "iterator"
  local-zone: "." static
  include: "$S/zone.conf"
remote-control:
  control-enable: no
EOF
	unbound-checkconf "$S/unbound.conf" >/dev/null || die "unbound config"
	$NX unbound -d -c "$S/unbound.conf" > "$S/log/unbound.log" 2>&1 &
	PIDS+=($!)
	dns_wait 127.0.0.1 0.2 || die "unbound did not start"
}

# dns_wait ADDR SECS - wait (bounded) until a DNS server in the namespace
# answers on ADDR port 53 within SECS; 1 when it never did
dns_wait() {
	local i
	for i in $(seq 1 50); do
		$NX $PY -c "
import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout($2)
q=b'\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x06\x00\x01'
s.sendto(q,('$1',53)); s.recvfrom(512)" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_sock PID PATH - wait for a daemon's unix socket
wait_sock() {
	local i
	for i in $(seq 1 100); do
		[ -S "$2" ] && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start LABEL SOCKPATH CMD... - start a daemon in the netns; sets SPID
start() {
	local label=$1 sock=$2
	shift 2
	rm -f "$sock"
	$NX "$@" > "$S/log/$label.log" 2>&1 &
	SPID=$!
	PIDS+=($SPID)
	wait_sock "$SPID" "$sock" || { sed 's/^/  /' "$S/log/$label.log" >&2; die "$label did not start"; }
}

stop() { local p; for p in "$@"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; }

# ---- configurations --------------------------------------------------------
# ours: one config for verify and sign; SIGN=rsa|ed25519|dual picks keys;
# BIN (default $AM): a daemon that has MetricsSocket serves its metrics
# (on loopback port METRICS_PORT, 9464), so the figures include their cost
am_conf() {
	local c="$S/am/am-$1.conf" bin=${2:-$AM}
	: > "$S/am/keytable"
	: > "$S/am/signingtable"
	case $1 in rsa|dual)
		echo "rsa1._domainkey.ourdomain.example ourdomain.example:rsa1:$S/am/keys/rsa-sign.pem" >> "$S/am/keytable"
		echo "*@ourdomain.example rsa1._domainkey.ourdomain.example" >> "$S/am/signingtable" ;;
	esac
	case $1 in ed25519|dual)
		echo "ed1._domainkey.ourdomain.example ourdomain.example:ed1:$S/am/keys/ed-sign.pem" >> "$S/am/keytable"
		echo "*@ourdomain.example ed1._domainkey.ourdomain.example" >> "$S/am/signingtable" ;;
	esac
	cat > "$c" <<EOF
Socket local:$S/run/am.sock
AuthservID $AUTHSERV
Background no
Syslog no
AllowRootOperation yes
Nameservers 127.0.0.1
InternalHosts 127.0.0.1, 198.18.1.0/24
KeyTable $S/am/keytable
SigningTable refile:$S/am/signingtable
MultipleSignatures yes
Canonicalization relaxed/simple
OversignHeaders From
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
RejectFailures yes
EOF
	"$bin" --dump-sample 2>/dev/null | grep -q '^#MetricsSocket' &&
		echo "MetricsSocket inet:${METRICS_PORT:-9464}@127.0.0.1" >> "$c"
	echo "$c"
}

# opendkim: Debian 12 defaults plus what the test needs. Dropped: the root
# TrustAnchorFile (the bench zones are unsigned); Nameservers given because
# Debian's opendkim resolves with libunbound, not resolv.conf.
od_conf() {
	local mode=$1 c="$S/od/opendkim-$1.conf"
	mkdir -p "$S/run/od-$mode"
	chown opendkim:opendkim "$S/run/od-$mode"
	cat > "$c" <<EOF
Syslog                  no
Canonicalization        relaxed/simple
OversignHeaders         From
UserID                  opendkim
UMask                   000
Socket                  local:$S/run/od-$mode/opendkim.sock
PidFile                 $S/run/od-$mode/opendkim.pid
AuthservID              $AUTHSERV
Nameservers             127.0.0.1
EOF
	if [ "$mode" = verify ]; then
		echo "Mode                    v" >> "$c"
	else
		: > "$S/od/keytable-$mode"
		: > "$S/od/signingtable-$mode"
		# SignatureAlgorithm is global in OpenDKIM 2.11: one instance signs
		# with one algorithm, so dual signing takes two chained instances
		if [ "$mode" = rsa ]; then
			echo "rsa1 ourdomain.example:rsa1:$S/od/keys/rsa-sign.pem" >> "$S/od/keytable-$mode"
			echo "*@ourdomain.example rsa1" >> "$S/od/signingtable-$mode"
		else
			echo "ed1 ourdomain.example:ed1:$S/od/keys/ed-sign.pem" >> "$S/od/keytable-$mode"
			echo "*@ourdomain.example ed1" >> "$S/od/signingtable-$mode"
			echo "SignatureAlgorithm      ed25519-sha256" >> "$c"
		fi
		printf '127.0.0.1\n198.18.1.0/24\n' > "$S/od/internal"
		cat >> "$c" <<EOF
Mode                    s
KeyTable                $S/od/keytable-$mode
SigningTable            refile:$S/od/signingtable-$mode
InternalHosts           $S/od/internal
MultipleSignatures      yes
EOF
	fi
	echo "$c"
}

# opendmarc: Debian 12 defaults plus SPF self-validation and RejectFailures
dmarc_conf() {
	local c="$S/dmarc/opendmarc.conf"
	mkdir -p "$S/run/dmarc"
	chown opendmarc:opendmarc "$S/run/dmarc"
	cat > "$c" <<EOF
PidFile                 $S/run/dmarc/opendmarc.pid
PublicSuffixList        /usr/share/publicsuffix/public_suffix_list.dat
Socket                  local:$S/run/dmarc/opendmarc.sock
Syslog                  false
UMask                   0000
UserID                  opendmarc
AuthservID              $AUTHSERV
TrustedAuthservIDs      $AUTHSERV
SPFSelfValidate         true
RejectFailures          true
EOF
	echo "$c"
}

# ---- measuring -------------------------------------------------------------
# load LABEL SIDE N MSG "MILTER..." "PIDSPEC..." ARGS... -> one row in $RAW
load() {
	local test=$1 side=$2 n=$3 msg=$4 milters=$5 pidspec=$6
	shift 6
	local margs=() p out
	for p in $milters; do margs+=(--milter "$p"); done
	for p in $pidspec; do margs+=(--pid "$p"); done
	out=$($NX "$ML" "${margs[@]}" -c "$CONC" -n "$n" --warmup "$WARMUP" \
		--label "$test-$side" "$@" "$msg" 2> "$S/log/load-$test-$side.err")
	echo "$out" > "$S/log/load-$test-$side.out"
	# one line: test side msgs rate p50 p99 cpu_per_1k hwm_kb status
	echo "$out" | awk -v t="$test" -v s="$side" '
		/^run / { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
		/^latency_ms phase=total/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); l[kv[1]] = kv[2] } }
		/^cpu / { for (i = 2; i <= NF; i++) { split($i, kv, "="); c[kv[1]] = kv[2] }
			  cpu += c["cpu_s_per_1k"]; hwm += c["vmhwm_kb"] }
		END { st = (r["errors"] == 0 && r["wrong"] == 0) ? "OK" : "errors=" r["errors"] ",wrong=" r["wrong"]
		      printf "%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t%d\t%s\n", t, s, r["msgs"], r["rate"], l["p50"], l["p99"], cpu, hwm, st }' >> "$RAW"
	sed 's/^/  /' "$S/log/load-$test-$side.err" | head -3 >&2
	tail -1 "$RAW" | awk -F'\t' '{ printf "  %-12s %-7s %6.1f msg/s  p50 %s ms  p99 %s ms  cpu %s s/1k  hwm %s KiB  %s\n", $1, $2, $4, $5, $6, $7, $8, $9 }' >&2
}

INB_EXPECT=(--expect-action accept
	--expect-header "^Authentication-Results: $AUTHSERV;.*dkim=pass"
	--expect-header "^Authentication-Results: $AUTHSERV;.*spf=pass"
	--expect-header "^Authentication-Results: $AUTHSERV;.*dmarc=pass")
INB_ENV=(--client-ip 198.18.0.1 --client-name mx.sender.example --helo mx.sender.example
	--from alice@sender.example --rcpt bob@dest.example)
OUT_ENV=(--client-ip 198.18.1.1 --client-name client.ourdomain.example
	--helo client.ourdomain.example --from carol@ourdomain.example --rcpt dave@dest.example)

inbound() {   # inbound SIZE N
	local t="in-$1" msg="$S/msg/in-$1.eml" c od dm
	log "$t: ours"
	start ours "$S/run/am.sock" "$AM" -f -c "$(am_conf rsa)"
	load "$t" ours "$2" "$msg" "unix:$S/run/am.sock" "ours=$SPID" "${INB_ENV[@]}" "${INB_EXPECT[@]}"
	stop "$SPID"
	log "$t: opendkim + opendmarc"
	start opendkim "$S/run/od-verify/opendkim.sock" opendkim -f -x "$(od_conf verify)"
	od=$SPID
	start opendmarc "$S/run/dmarc/opendmarc.sock" opendmarc -f -c "$(dmarc_conf)"
	dm=$SPID
	load "$t" anchor "$2" "$msg" "unix:$S/run/od-verify/opendkim.sock unix:$S/run/dmarc/opendmarc.sock" \
		"opendkim=$od opendmarc=$dm" "${INB_ENV[@]}" "${INB_EXPECT[@]}"
	stop "$od" "$dm"
}

outbound() {   # outbound rsa|ed25519|dual N
	local t="out-$1" exp=()
	case $1 in
	rsa) exp=(--expect-header '^DKIM-Signature: .*a=rsa-sha256') ;;
	ed25519) exp=(--expect-header '^DKIM-Signature: .*a=ed25519-sha256') ;;
	dual) exp=(--expect-header '^DKIM-Signature: .*a=rsa-sha256'
		--expect-header '^DKIM-Signature: .*a=ed25519-sha256') ;;
	esac
	log "$t: ours"
	start ours "$S/run/am.sock" "$AM" -f -c "$(am_conf "$1")"
	load "$t" ours "$2" "$S/msg/out-2k.eml" "unix:$S/run/am.sock" "ours=$SPID" \
		"${OUT_ENV[@]}" --expect-action accept "${exp[@]}"
	stop "$SPID"
	if [ "$1" != dual ]; then
		log "$t: opendkim"
		start opendkim "$S/run/od-$1/opendkim.sock" opendkim -f -x "$(od_conf "$1")"
		load "$t" anchor "$2" "$S/msg/out-2k.eml" "unix:$S/run/od-$1/opendkim.sock" "opendkim=$SPID" \
			"${OUT_ENV[@]}" --expect-action accept "${exp[@]}"
		stop "$SPID"
		return
	fi
	log "$t: opendkim (rsa) -> opendkim (ed25519)"
	local a b
	start opendkim-rsa "$S/run/od-rsa/opendkim.sock" opendkim -f -x "$(od_conf rsa)"
	a=$SPID
	start opendkim-ed "$S/run/od-ed25519/opendkim.sock" opendkim -f -x "$(od_conf ed25519)"
	b=$SPID
	load "$t" anchor "$2" "$S/msg/out-2k.eml" \
		"unix:$S/run/od-rsa/opendkim.sock unix:$S/run/od-ed25519/opendkim.sock" \
		"opendkim-rsa=$a opendkim-ed=$b" "${OUT_ENV[@]}" --expect-action accept "${exp[@]}"
	stop "$a" "$b"
}

# openssl speed: sign/s for rsa2048 and ed25519, 1 process and -multi NPROC
crypto() {
	local np
	np=$(nproc)
	log "openssl speed (about 20 s)"
	openssl speed -seconds 3 rsa2048 ed25519 2>/dev/null > "$S/log/speed1.txt"
	openssl speed -multi "$np" -seconds 3 rsa2048 ed25519 2>/dev/null > "$S/log/speedm.txt"
	RSA1=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' "$S/log/speed1.txt" | tail -1)
	ED1=$(awk '/Ed25519/ { print $(NF-1) }' "$S/log/speed1.txt" | tail -1)
	RSAM=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' "$S/log/speedm.txt" | tail -1)
	EDM=$(awk '/Ed25519/ { print $(NF-1) }' "$S/log/speedm.txt" | tail -1)
	NPROC=$np
}

# end to end through Postfix: t/bench/e2e.sh
. "$BENCH_SRC/e2e.sh"
# end-of-message latency with a slow DNS: t/bench/dnslat.sh
. "$BENCH_SRC/dnslat.sh"

# ---- the table ---------------------------------------------------------------
table() {
	{
		printf 'test\tside\tmsgs\tmsg_per_s\tp50_ms\tp99_ms\tcpu_s_per_1k\tvmhwm_kib\tstatus\tcpu_ratio_ours_anchor\trate_ratio_ours_anchor\tsign_limit_fraction\n'
		awk -F'\t' -v rsa="${RSAM:-0}" -v ed="${EDM:-0}" '
			{ row[NR] = $0; key[NR] = $1 "|" $2; v[$1 "|" $2] = $0 }
			END {
			  for (i = 1; i <= NR; i++) {
			    split(row[i], f, "\t"); t = f[1]; s = f[2]
			    cr = "-"; rr = "-"; lim = "-"
			    if (s == "ours" && (t "|anchor") in v) {
			      split(v[t "|anchor"], a, "\t")
			      if (a[7] + 0 > 0 && f[7] != "-") cr = sprintf("%.2f", f[7] / a[7])
			      if (a[4] + 0 > 0) rr = sprintf("%.2f", f[4] / a[4])
			      # a fast wrong answer earns no ratio
			      if (f[9] != "OK" || a[9] != "OK") { cr = "n/a:" (f[9] != "OK" ? "ours" : "anchor") "-wrong"; rr = cr }
			    }
			    l = 0
			    if (t == "out-rsa") l = rsa
			    if (t == "out-ed25519") l = ed
			    if (t == "out-dual" && rsa > 0 && ed > 0) l = 1 / (1 / rsa + 1 / ed)
			    if (l > 0) lim = sprintf("%.3f", f[4] / l)
			    printf "%s\t%s\t%s\t%s\n", row[i], cr, rr, lim
			  } }' "$RAW"
	} > "$OUT"
	echo
	echo "== authmilter vs OpenDKIM/OpenDMARC  ($(date -u +%F), nproc $(nproc), concurrency $CONC)"
	column -t -s "$(printf '\t')" "$OUT"
	echo
	echo "openssl speed sign/s: rsa2048 ${RSA1:-?} (1 proc) ${RSAM:-?} (-multi ${NPROC:-?}); ed25519 ${ED1:-?} / ${EDM:-?}"
	echo "sign_limit_fraction: signing msg/s / openssl -multi sign/s (dual: both signatures)"
	echo "cpu: utime+stime per 1,000 messages, all daemons of the side; vmhwm: peak RSS summed"
	echo "TSV: $OUT"
}

# soak - SOAK_N messages at SOAK_CONC connections, sampled in 10 chunks
soak() {
	local n=${SOAK_N:-1000000} conc=${SOAK_CONC:-50} chunks=10 i half pid c out rc=0
	local tsv=${SOAK_OUT:-$builddir/soak-results.tsv} hist="$S/am/history" lines recs inb=0
	half=$((n / chunks / 2))
	c=$(am_conf dual)
	echo "HistoryFile $hist" >> "$c"
	start ours "$S/run/am.sock" "$AM" -f -c "$c"
	pid=$SPID
	log "soak: $((half * 2 * chunks)) messages at $conc connections, $chunks chunks of $half inbound + $half outbound"
	printf 'chunk\tmsgs\tin_rate\tout_rate\terrors\twrong\tvmrss_kib\tfds\tthreads\n' > "$tsv"
	for i in $(seq 1 $chunks); do
		local r_in r_out e=0 w=0 k
		for k in in out; do
			if [ $k = in ]; then
				out=$($NX "$ML" --milter "unix:$S/run/am.sock" -c "$conc" -n "$half" --label soak-in \
					"${INB_ENV[@]}" "${INB_EXPECT[@]}" "$S/msg/in-2k.eml" 2>> "$S/log/soak.err")
			else
				out=$($NX "$ML" --milter "unix:$S/run/am.sock" -c "$conc" -n "$half" --label soak-out \
					"${OUT_ENV[@]}" --expect-action accept \
					--expect-header '^DKIM-Signature: .*a=rsa-sha256' \
					--expect-header '^DKIM-Signature: .*a=ed25519-sha256' \
					"$S/msg/out-2k.eml" 2>> "$S/log/soak.err")
			fi
			local rate errs wrong
			rate=$(echo "$out" | sed -n 's/^run .* rate=\([0-9.]*\).*/\1/p')
			errs=$(echo "$out" | sed -n 's/^run .* errors=\([0-9]*\).*/\1/p')
			wrong=$(echo "$out" | sed -n 's/^run .* wrong=\([0-9]*\).*/\1/p')
			[ $k = in ] && r_in=$rate || r_out=$rate
			e=$((e + ${errs:-1}))
			w=$((w + ${wrong:-1}))
		done
		inb=$((inb + half))
		kill -0 "$pid" 2>/dev/null || { log "soak: the daemon died in chunk $i"; rc=1; break; }
		printf '%d\t%d\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n' "$i" $((half * 2 * i)) "$r_in" "$r_out" "$e" "$w" \
			"$(awk '/^VmRSS/ { print $2 }' /proc/$pid/status)" "$(ls /proc/$pid/fd | wc -l)" \
			"$(awk '/^Threads/ { print $2 }' /proc/$pid/status)" >> "$tsv"
		tail -1 "$tsv" | awk -F'\t' '{ printf "  chunk %2d: %8d msgs  in %s/s out %s/s  errors %d wrong %d  VmRSS %s KiB  fds %s  threads %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' >&2
		[ "$e" = 0 ] && [ "$w" = 0 ] || rc=1
	done
	stop "$pid"
	lines=$(grep -c ' action=' "$S/log/ours.log")
	recs=$("$top_builddir/report/authmilter-report" summary --history "$hist" --json |
		sed -n 's/.*"records":\([0-9]*\).*/\1/p')
	echo
	echo "== soak: authmilter, $conc connections  ($(date -u +%F), nproc $(nproc))"
	column -t -s "$(printf '\t')" "$tsv"
	awk -F'\t' 'NR == 2 { r1 = $7; f1 = $8; t1 = $9 } NR > 1 { r2 = $7; f2 = $8; t2 = $9 }
		END { printf "first vs last chunk: VmRSS %d -> %d KiB (%+d), fds %d -> %d, threads %d -> %d\n", r1, r2, r2 - r1, f1, f2, t1, t2 }' "$tsv"
	echo "log lines with an action: $lines (messages sent: $((half * 2 * chunks)))"
	echo "history records read by authmilter-report summary: ${recs:-?} (inbound messages: $inb)"
	[ "$lines" = $((half * 2 * chunks)) ] || { echo "soak: log lines do not match"; rc=1; }
	[ "${recs:-0}" = "$inb" ] || { echo "soak: history records do not match"; rc=1; }
	echo "TSV: $tsv"
	return $rc
}

# ---- instructions per message (callgrind) ----------------------------------
# insn_total BIN KIND N MSG ARGS... - callgrind's instruction total for one
# daemon run answering N messages (every answer checked)
insn_total() {
	local bin=$1 kind=$2 n=$3 msg=$4 out="$S/cg.$$.out" pid i
	shift 4
	rm -f "$S/run/am.sock" "$out"
	$NX valgrind --tool=callgrind --callgrind-out-file="$out" "$bin" -f -c "$(am_conf "$kind" "$bin")" \
		> "$S/log/insn.log" 2>&1 &
	pid=$!
	for i in $(seq 1 1200); do
		[ -S "$S/run/am.sock" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -S "$S/run/am.sock" ] || { kill "$pid"; die "$bin did not start under valgrind"; }
	$NX "$ML" --milter "unix:$S/run/am.sock" -c 1 -n "$n" --warmup 0 --label insn "$@" "$msg" \
		> "$S/log/insn.out" 2>> "$S/log/insn.err" || { kill "$pid"; die "milterload failed"; }
	grep -q ' errors=0 wrong=0' "$S/log/insn.out" ||
		{ kill "$pid"; cat "$S/log/insn.out" >&2; die "wrong answers under callgrind"; }
	kill "$pid"
	wait "$pid" 2>/dev/null
	awk '/^(summary|totals):/ { print $2; exit }' "$out"
	rm -f "$out"
}

# insn_row LABEL BIN KIND MSG ARGS... - instructions per message
insn_row() {
	local label=$1 bin=$2 kind=$3 msg=$4 one many n=${INSN_N:-200}
	shift 4
	one=$(insn_total "$bin" "$kind" 1 "$msg" "$@")
	many=$(insn_total "$bin" "$kind" "$n" "$msg" "$@")
	echo $(( (many - one) / (n - 1) ))
}

insn() {
	local other=${1:-} t this that
	command -v valgrind >/dev/null || die "valgrind is not installed"
	[ -z "$other" ] || [ -x "$other/milter/authmilter" ] || die "no $other/milter/authmilter"
	echo "== instructions per message (callgrind, ${INSN_N:-200} messages, one connection)  ($(date -u +%F))"
	printf '%-10s %14s %14s %8s\n' test this other ratio
	for t in in-2k out-dual; do
		local args=()
		case $t in
		in-2k) args=(rsa "$S/msg/in-2k.eml" "${INB_ENV[@]}" "${INB_EXPECT[@]}") ;;
		out-dual) args=(dual "$S/msg/out-2k.eml" "${OUT_ENV[@]}" --expect-action accept
			--expect-header '^DKIM-Signature: .*a=rsa-sha256' --expect-header '^DKIM-Signature: .*a=ed25519-sha256') ;;
		esac
		this=$(insn_row "$t" "$AM" "${args[@]}")
		if [ -n "$other" ]; then
			that=$(insn_row "$t" "$other/milter/authmilter" "${args[@]}")
			printf '%-10s %14d %14d %8.3f\n' "$t" "$this" "$that" "$(awk -v a="$this" -v b="$that" 'BEGIN { print a / b }')"
		else
			printf '%-10s %14d %14s %8s\n' "$t" "$this" - -
		fi
	done
}

main() {
	if [ "${1:-}" = dnslat ]; then
		ensure_packages
		setup
		dnslat_corpus
		start_dns
		dnslat "${2:-}"
		exit $?
	fi
	if [ "${1:-}" = e2e ]; then
		ensure_packages
		setup
		start_dns
		e2e "${2:-}"
		exit $?
	fi
	if [ "${1:-}" = insn ]; then
		setup
		start_dns
		insn "${2:-}"
		exit $?
	fi
	if [ "${1:-}" = soak ]; then
		setup
		start_dns
		soak
		exit $?
	fi
	ensure_packages
	setup
	start_dns
	RAW="$S/raw.tsv"
	: > "$RAW"
	inbound 2k "$N2"
	inbound 100k "$N100"
	outbound rsa "$N2"
	outbound ed25519 "$N2"
	outbound dual "$N2"
	crypto
	table
	[ "$E2E" = 0 ] || e2e
	reporter
}

# reporter - authmilter-report over REPORT_N (10 million) synthetic records:
# wall time and peak RSS (REPORT=0 skips; about 3.3 GB of scratch space)
reporter() {
	[ "${REPORT:-1}" = 1 ] || return 0
	echo
	echo "== authmilter-report over ${REPORT_N:-10000000} synthetic history records"
	(cd "$top_builddir/t" && make report_gen >/dev/null 2>&1)
	sh "$BENCH_SRC/report-bench.sh" "$top_builddir" "${REPORT_N:-10000000}"
}

main "$@"
