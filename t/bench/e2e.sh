# t/bench/e2e.sh - end to end through Postfix, sourced by bench.sh (which
# owns the network namespace $NS, the bench DNS server on 127.0.0.1:53, the
# keys, messages and daemon configurations, and the helpers start, stop,
# log, die, am_conf, od_conf, dmarc_conf).
#
# A private Postfix instance in the namespace: smtpd on 198.18.0.1:25 (an
# external client: inbound, verified) and 198.18.1.1:25 (an internal one:
# outbound, signed); a client connecting to a local address gets that same
# address as its source, so the milters see those clients.  Every message
# goes to Postfix's discard transport.  smtp-source (Debian package
# postfix) sends E2E_N messages at E2E_CONC sessions, after E2E_WARMUP
# unmeasured ones, with each smtpd_milters setting in turn, E2E_ROUNDS
# rounds (interleaved, so that a drift of a shared machine hits all alike):
#   none     no milter: Postfix alone, the baseline;
#   null     t/bench/nullmilter: every step asked for with no-reply flags,
#            one header added, no work: what the milter protocol costs;
#   anchor   inbound opendkim (Mode v) -> opendmarc (SPFSelfValidate);
#            outbound opendkim (Mode s, rsa-sha256);
#   ours     authmilter, one daemon for both directions;
#   other    with `e2e OTHER_BUILDDIR`: that build's authmilter (another
#            commit, e.g. main before a change), the same way, in the same
#            rounds; the table adds ours/other.
# msg/s = E2E_N / (time from smtp-source's start until the queue is empty);
# the table gives the median of the rounds and their range.
# milter_ms = CPU (utime+stime) of the milter processes per message.
# Answers are checked without looking into the discarded mail: Postfix's
# milter_header_checks log a WARN line for each header a milter adds
# (dkim=pass / dmarc=pass in Authentication-Results inbound, a
# DKIM-Signature outbound, the null milter's header), and a row is OK only
# when every measured message got them and every message was delivered.
# Nothing here asserts a time.

E2E_N=${E2E_N:-1000}
E2E_ROUNDS=${E2E_ROUNDS:-3}
E2E_CONC=${E2E_CONC:-20}
E2E_WARMUP=${E2E_WARMUP:-200}
E2E_TIMEOUT=${E2E_TIMEOUT:-900}
E2E_OUT=${E2E_OUT:-$builddir/bench-e2e.tsv}
PFD="$S/pf"
PF_MASTER=""
. "$top_srcdir/t/pf_conf.sh"	# pf_main_cf, pf_master_cf (shared with t/postfix.sh)

# e2e_pf_write MILTERS - main.cf, master.cf and the header checks
e2e_pf_write() {
	mkdir -p "$PFD/etc" "$PFD/spool" "$PFD/data"
	chown postfix "$PFD/data"
	{
		pf_main_cf "$PFD" "$AUTHSERV" bench.example "$1"
		cat <<EOF
# authmilter end-to-end benchmark: a private instance (t/bench/e2e.sh)
inet_interfaces = 198.18.0.1, 198.18.1.1
mynetworks = 198.18.0.0/15
smtpd_relay_restrictions = permit_mynetworks, reject
default_transport = discard:benchmark
relay_transport = discard:benchmark
milter_header_checks = regexp:$PFD/etc/milter_header_checks
EOF
	} > "$PFD/etc/main.cf"
	# first match wins per header: ours puts dkim and dmarc in one field,
	# opendkim and opendmarc one each
	cat > "$PFD/etc/milter_header_checks" <<'EOF'
/^Authentication-Results: .*dkim=pass.*dmarc=pass/ WARN bench-dkim-pass bench-dmarc-pass
/^Authentication-Results: .*dmarc=pass/ WARN bench-dmarc-pass
/^Authentication-Results: .*dkim=pass/ WARN bench-dkim-pass
/^DKIM-Signature: .*a=rsa-sha256/ WARN bench-signed
/^X-Null-Milter: / WARN bench-null
EOF
	pf_master_cf > "$PFD/etc/master.cf"
}

# e2e_pf_start MILTERS - (re)start Postfix with that smtpd_milters
e2e_pf_start() {
	e2e_pf_stop
	e2e_pf_write "$1"
	touch "$PFD/postfix.log"
	$NX postfix -c "$PFD/etc" start > "$S/log/postfix-start.log" 2>&1 ||
		{ sed 's/^/  /' "$S/log/postfix-start.log" >&2; die "postfix did not start"; }
	PF_MASTER=$(awk '{ print $1; exit }' "$PFD/spool/pid/master.pid")
	local i
	for i in $(seq 1 100); do
		$NX $PY -c "import socket
for a in ('198.18.0.1', '198.18.1.1'): socket.create_connection((a, 25), 0.5).close()" 2>/dev/null && return 0
		sleep 0.1
	done
	die "smtpd is not listening"
}

e2e_pf_stop() {
	[ -n "$PF_MASTER" ] || return 0
	$NX postfix -c "$PFD/etc" stop > /dev/null 2>&1
	local i
	for i in $(seq 1 100); do kill -0 "$PF_MASTER" 2>/dev/null || break; sleep 0.1; done
	PF_MASTER=""
}

# e2e_queued - messages still in the queue (no fork: a bash glob)
e2e_queued() {
	local f n=0
	shopt -s nullglob
	for f in "$PFD"/spool/{maildrop,incoming,active,deferred,hold}/* "$PFD"/spool/{incoming,active,deferred}/*/*; do
		[ -f "$f" ] && n=$((n + 1))
	done
	shopt -u nullglob
	echo $n
}

# e2e_cpu PID... - utime+stime of the processes (all threads), clock ticks
e2e_cpu() {
	local p t=0 v
	for p in "$@"; do
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# e2e_send N DIRECTION - smtp-source N messages; 0 when all were accepted
e2e_send() {
	local ip from to helo msg
	if [ "$2" = in ]; then
		ip=198.18.0.1 from=alice@sender.example to=bob@dest.example helo=mx.sender.example msg="$S/msg/in-2k.eml"
	else
		ip=198.18.1.1 from=carol@ourdomain.example to=dave@dest.example helo=client.ourdomain.example msg="$S/msg/out-2k.eml"
	fi
	$NX timeout "$E2E_TIMEOUT" smtp-source -4 -s "$E2E_CONC" -m "$1" -f "$from" -t "$to" \
		-M "$helo" -F "$msg" "$ip:25" > "$S/log/smtp-source.log" 2>&1
}

# e2e_drain - wait (bounded) until the queue is empty; 1 on timeout
e2e_drain() {
	local end=$(($(date +%s) + E2E_TIMEOUT))
	while [ "$(e2e_queued)" != 0 ]; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# e2e_count OFFSET PATTERN - log lines after byte OFFSET matching PATTERN
e2e_count() { tail -c +$(($1 + 1)) "$PFD/postfix.log" | grep -c -e "$2"; }

# e2e_run DIRECTION SETUP MILTERS PIDS... - one measured row
e2e_run() {
	local dir=$1 setup=$2 milters=$3
	shift 3
	local off c0 c1 t0 t1 rate ms st=OK sent want n
	e2e_pf_start "$milters"
	log "e2e $dir $setup: warm-up $E2E_WARMUP, then $E2E_N messages at $E2E_CONC sessions"
	e2e_send "$E2E_WARMUP" "$dir" || die "e2e warm-up failed: $(tail -3 "$S/log/smtp-source.log")"
	e2e_drain || die "e2e warm-up did not drain"
	off=$(stat -c %s "$PFD/postfix.log")
	c0=$(e2e_cpu "$@")
	t0=$(date +%s.%N)
	e2e_send "$E2E_N" "$dir" || st="smtp-source-failed"
	e2e_drain || st="not-drained"
	t1=$(date +%s.%N)
	c1=$(e2e_cpu "$@")
	rate=$(awk -v n="$E2E_N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", n / (b - a) }')
	ms=$(awk -v d=$((c1 - c0)) -v hz="$(getconf CLK_TCK)" -v n="$E2E_N" -v p="$#" \
		'BEGIN { if (p == 0) print "-"; else printf "%.3f", d * 1000 / hz / n }')
	# the log is written by postlogd: wait (bounded) for every delivery line
	for n in $(seq 1 100); do
		sent=$(e2e_count "$off" 'status=sent')
		[ "$sent" -ge "$E2E_N" ] && break
		sleep 0.1
	done
	[ "$sent" = "$E2E_N" ] || st="$st,sent=$sent"
	case $setup/$dir in
	none/*) want="" ;;
	null/*) want="bench-null" ;;
	*/in) want="bench-dkim-pass bench-dmarc-pass" ;;
	*/out) want="bench-signed" ;;
	esac
	for n in $want; do
		[ "$(e2e_count "$off" "warning: header .*$n")" -ge "$E2E_N" ] || st="$st,missing-$n"
	done
	[ "$(e2e_count "$off" 'status=\(deferred\|bounced\)\|milter-reject')" = 0 ] || st="$st,rejected-or-deferred"
	st=${st#OK,}
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$dir" "$setup" "$E2E_N" "$rate" "$ms" "$st" "$E2E_ROUND" >> "$E2E_RAW"
	log "  round $E2E_ROUND $dir $setup: $rate msg/s, milter cpu ${ms} ms/msg, $st"
	e2e_pf_stop
}

# e2e_null_start - the null milter on a unix socket; sets SPID
e2e_null_start() {
	start nullmilter "$S/run/null.sock" "$builddir/nullmilter" -p "unix:$S/run/null.sock"
}

# e2e [OTHER_BUILDDIR] - all setups, both directions; prints the table
e2e() {
	local d conf
	E2E_OTHER=""
	if [ -n "${1:-}" ]; then
		E2E_OTHER="$1/milter/authmilter"
		[ -x "$E2E_OTHER" ] || die "no $E2E_OTHER"
		cp "$(am_conf rsa "$E2E_OTHER")" "$S/am/am-other.conf"
		echo "UMask 000" >> "$S/am/am-other.conf"
	fi
	E2E_RAW="${E2E_OUT%.tsv}-rounds.tsv"
	: > "$E2E_RAW"
	[ -x "$builddir/nullmilter" ] || die "no $builddir/nullmilter (make -C t nullmilter)"
	command -v smtp-source > /dev/null || die "smtp-source missing (Debian package postfix)"
	ip -n "$NS" addr add 198.18.0.1/32 dev lo 2> /dev/null
	ip -n "$NS" addr add 198.18.1.1/32 dev lo 2> /dev/null
	conf=$(am_conf rsa)
	echo "UMask 000" >> "$conf"
	for E2E_ROUND in $(seq 1 "$E2E_ROUNDS"); do
		for d in in out; do
			e2e_round "$d" "$conf"
		done
	done
	e2e_table
}

# e2e_round DIRECTION CONF - the four setups once
e2e_round() {
	local d=$1 conf=$2 pid od dm
	{
		e2e_run $d none ""
		e2e_null_start
		pid=$SPID
		e2e_run $d null "unix:$S/run/null.sock" "$pid"
		stop "$pid"
		if [ $d = in ]; then
			start opendkim "$S/run/od-verify/opendkim.sock" opendkim -f -x "$(od_conf verify)"
			od=$SPID
			start opendmarc "$S/run/dmarc/opendmarc.sock" opendmarc -f -c "$(dmarc_conf)"
			dm=$SPID
			e2e_run $d anchor "unix:$S/run/od-verify/opendkim.sock, unix:$S/run/dmarc/opendmarc.sock" "$od" "$dm"
			stop "$od" "$dm"
		else
			start opendkim "$S/run/od-rsa/opendkim.sock" opendkim -f -x "$(od_conf rsa)"
			od=$SPID
			e2e_run $d anchor "unix:$S/run/od-rsa/opendkim.sock" "$od"
			stop "$od"
		fi
		start ours "$S/run/am.sock" "$AM" -f -c "$conf"
		pid=$SPID
		e2e_run $d ours "unix:$S/run/am.sock" "$pid"
		stop "$pid"
		[ -n "$E2E_OTHER" ] || return 0
		start other "$S/run/am.sock" "$E2E_OTHER" -f -c "$S/am/am-other.conf"
		pid=$SPID
		e2e_run $d other "unix:$S/run/am.sock" "$pid"
		stop "$pid"
	}
}

# e2e_table - per direction and setup: the median msg/s of the rounds (and
# their range), its ratio to Postfix alone's median, ours/anchor, the
# median milter CPU, and every status that was not OK
e2e_table() {
	{
		printf 'direction\tsetup\trounds\tmsgs\tmsg_per_s\tmin-max\tvs_no_milter\tours_vs_anchor\tours_vs_other\tmilter_cpu_ms_per_msg\tstatus\n'
		sort -t "$(printf '\t')" -k1,1 -k2,2 -k4,4g "$E2E_RAW" | awk -F'\t' '
			function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
			{ k = $1 "|" $2; if (!(k in n)) order[++nk] = k
			  n[k]++; rate[k, n[k]] = $4; msgs[k] = $3
			  if ($5 != "-") { nc[k]++; cpu[k, nc[k]] = $5 }
			  if ($6 != "OK") bad[k] = bad[k] (bad[k] ? ";" : "") "r" $7 ":" $6 }
			END {
			  for (i = 1; i <= nk; i++) { k = order[i]; c = n[k]
			    for (j = 1; j <= c; j++) a[j] = rate[k, j]
			    m[k] = med(a, c); lo[k] = a[1]; hi[k] = a[c]
			    c2 = nc[k]; for (j = 1; j <= c2; j++) b[j] = cpu[k, j]
			    # CPU figures come unsorted: a small insertion sort
			    for (j = 2; j <= c2; j++) { v = b[j]; for (x = j - 1; x >= 1 && b[x] > v; x--) b[x + 1] = b[x]; b[x + 1] = v }
			    mc[k] = c2 ? sprintf("%.3f", med(b, c2)) : "-" }
			  split("none null anchor ours other", want, " ")
			  for (dd = 1; dd <= 2; dd++) { d = dd == 1 ? "in" : "out"
			    for (w = 1; w <= 5; w++) { k = d "|" want[w]; if (!(k in n)) continue
			      base = m[d "|none"]; anc = m[d "|anchor"]; oth = m[d "|other"]
			      vb = "-"; if (base > 0) vb = sprintf("%.2f", m[k] / base)
			      va = "-"; if (want[w] == "ours" && anc > 0) va = sprintf("%.2f", m[k] / anc)
			      vo = "-"; if (want[w] == "ours" && oth > 0) vo = sprintf("%.3f", m[k] / oth)
			      st = "OK"; if (k in bad) st = bad[k]
			      printf "%s\t%s\t%d\t%s\t%.1f\t%.1f-%.1f\t%s\t%s\t%s\t%s\t%s\n", d, want[w], n[k], msgs[k], m[k], lo[k], hi[k], vb, va, vo, mc[k], st } } }'
	} > "$E2E_OUT"
	echo
	echo "== end to end through Postfix ($(date -u +%F), nproc $(nproc), $E2E_CONC SMTP sessions, 2 KiB messages, discard transport)"
	echo "   in = verify (client 198.18.0.1), out = sign (client 198.18.1.1); none = Postfix alone;"
	echo "   null = libmilter null filter (all steps, no replies, one header); anchor = OpenDKIM (+ OpenDMARC inbound)"
	[ -z "$E2E_OTHER" ] || echo "   other = $E2E_OTHER"
	echo "   msg_per_s: median of $E2E_ROUNDS interleaved rounds (min-max); ratios of medians"
	column -t -s "$(printf '\t')" "$E2E_OUT"
	echo "TSV: $E2E_OUT (rows per round: $E2E_RAW)"
}
