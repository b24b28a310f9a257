# t/bench/dnslat.sh - end-of-message latency against a slow DNS (issue 16),
# sourced by bench.sh (which owns the network namespace $NS, the bench DNS
# server on 127.0.0.1:53, the keys, and the helpers start, stop, log, die,
# am_conf, od_conf, dmarc_conf).  `t/bench/bench.sh dnslat [OTHER_BUILDDIR]`
# or `make bench-dnslat`.
#
# DNS: t/dnsdelay.py on 127.0.0.2:53 in front of the bench unbound answers
# every query DNSLAT_DELAYS ms late (each delay in turn; retransmissions of
# a query are answered at the same moment, so a lookup costs exactly one
# delay).  Every daemon asks it: ours and opendkim with Nameservers
# 127.0.0.2, opendmarc (libspf2 and libopendmarc use the system resolver)
# through the namespace's resolv.conf.
#
# Corpus: DNSLAT_N (300) messages plus DNSLAT_WARM (16) for warm-up, each
# from its own domain dNNNN.lat.example (t/bench/genmsg.py latcorpus): SPF
# pass only through an include (two serial TXT lookups), an SPF record for
# the HELO name mx.dNNNN.lat.example, a DKIM key (rsa-sha256, signed by
# dkimpy) and a DMARC record p=reject.  Every row starts its daemons afresh
# and sends each message once: every message is cold in every cache.
#
# Driver: milterload --from-header (MAIL FROM and HELO from the message's
# domain) with --gap G: the SMTP client's round trip, by default equal to
# the DNS delay, spent where Postfix waits for its client (before HELO,
# before MAIL, and before the message: a PIPELINING client sends MAIL, RCPT
# and DATA at once; Postfix passes the headers, body and end of message to
# the milters only after the final dot, back to back), and with no gap at
# all (everything back to back: nothing can be started early).
# DNSLAT_GAP=MS sets the gap whatever the delay; DNSLAT_GAP_AT changes where
# the gaps are (milterload --gap-at); DNSLAT_GAPS="gap zero" the rows.
#
# Sides: ours with DNSPrefetch yes, ours with DNSPrefetch no (the serial
# path; a build without the keyword has only that path: its prefetch row
# says n/a), OpenDKIM -> OpenDMARC chained (milterload's chain: each
# milter's end-of-message latency summed, as Postfix waits for one after
# the other); with OTHER_BUILDDIR, that build's daemon the same way.
# Every answer is checked: Authentication-Results (of $AUTHSERV) with
# dkim=pass for a dNNNN.lat.example signature, spf=pass, and dmarc=pass
# for a dNNNN.lat.example From: ours in one field, opendkim's and
# opendmarc's in theirs.
#
# Figures: end-of-message latency (EOM sent -> EOM reply) p50/p99 in ms and
# in DNS round trips (latency / delay); content: first header sent -> EOM
# reply (what the SMTP client waits after its dot; summed over a chain);
# DNS lookups per message (new queries the proxy saw, retransmissions not
# counted).  TSV in $DNSLAT_OUT (default $builddir/bench-dnslat.tsv).
# Nothing here asserts a time.

DNSLAT_DELAYS=${DNSLAT_DELAYS:-20 50}
DNSLAT_N=${DNSLAT_N:-300}
DNSLAT_WARM=${DNSLAT_WARM:-16}
DNSLAT_GAP_AT=${DNSLAT_GAP_AT:-helo,mail,header}
DNSLAT_GAPS=${DNSLAT_GAPS:-gap zero}
DNSLAT_OUT=${DNSLAT_OUT:-$builddir/bench-dnslat.tsv}
DNSLAT_PROXY=127.0.0.2
LAT="$S/lat"
LAT_PROXY_PID=""

# dnslat_corpus - the messages and their zone (appended to the bench zones)
dnslat_corpus() {
	mkdir -p "$LAT"
	log "dnslat: corpus of $((DNSLAT_N + DNSLAT_WARM)) domains"
	$PY "$BENCH_SRC/genmsg.py" latcorpus "$LAT" $((DNSLAT_N + DNSLAT_WARM)) \
		"$S/keys/rsa-sender.pem" "$S/keys/rsa-sender.pub" 198.18.0.1 || die "latcorpus"
	cat "$LAT/zone.conf" >> "$S/zone.conf"
}

# dnslat_proxy MS - (re)start the delaying proxy
dnslat_proxy() {
	[ -z "$LAT_PROXY_PID" ] || stop "$LAT_PROXY_PID"
	: > "$S/log/dnsdelay.log"
	$NX $PY "$top_srcdir/t/dnsdelay.py" 53 53 "$(awk -v m="$1" 'BEGIN { print m / 1000 }')" '*' \
		"$DNSLAT_PROXY" "$S/log/dnsdelay.log" 2> "$S/log/dnsdelay.err" &
	LAT_PROXY_PID=$!
	PIDS+=("$LAT_PROXY_PID")
	dns_wait "$DNSLAT_PROXY" 1 || die "dnsdelay.py did not start: $(cat "$S/log/dnsdelay.err")"
}

# dnslat_has_prefetch BIN - whether that daemon knows DNSPrefetch
dnslat_has_prefetch() { "$1" --dump-sample 2>/dev/null | grep -q '^#DNSPrefetch'; }

# dnslat_am_conf BIN yes|no|- - ours through the proxy; "-": no keyword
dnslat_am_conf() {
	local c
	c=$(am_conf rsa "$1")
	sed -i "s/^Nameservers .*/Nameservers $DNSLAT_PROXY/" "$c"
	[ "$2" = - ] || echo "DNSPrefetch $2" >> "$c"
	"$1" -n -c "$c" > "$S/log/am-check.log" 2>&1 ||
		{ sed 's/^/  /' "$S/log/am-check.log" >&2; die "$1 rejects $c"; }
	echo "$c"
}

# dnslat_load ROW MILTERS ARGS... - warm-up then the measured run; appends
# one line to $LAT_RAW
dnslat_load() {
	local row=$1 milters=$2 p margs=() out q0 q1 warm=() meas=() i
	shift 2
	for p in $milters; do margs+=(--milter "$p"); done
	for i in $(seq 1 "$DNSLAT_WARM"); do warm+=("$LAT/$(printf 'd%04d' "$i").eml"); done
	for i in $(seq $((DNSLAT_WARM + 1)) $((DNSLAT_WARM + DNSLAT_N))); do
		meas+=("$LAT/$(printf 'd%04d' "$i").eml")
	done
	$NX "$ML" "${margs[@]}" -c "$CONC" -n "$DNSLAT_WARM" --label "$row-warm" "$@" "${warm[@]}" \
		> "$S/log/lat-$row-warm.out" 2> "$S/log/lat-$row-warm.err"
	q0=$(grep -c ' new$' "$S/log/dnsdelay.log")
	out=$($NX "$ML" "${margs[@]}" -c "$CONC" -n "$DNSLAT_N" --label "$row" "$@" "${meas[@]}" \
		2> "$S/log/lat-$row.err")
	q1=$(grep -c ' new$' "$S/log/dnsdelay.log")
	echo "$out" > "$S/log/lat-$row.out"
	sed 's/^/  /' "$S/log/lat-$row.err" | head -3 >&2
	echo "$out" | awk -v row="$row" -v q=$((q1 - q0)) -v la="$(cut -d' ' -f1 /proc/loadavg)" '
		/^run / { for (i = 2; i <= NF; i++) { split($i, kv, "="); r[kv[1]] = kv[2] } }
		/^latency_ms phase=(eom|content) / { split($2, ph, "=")
			for (i = 3; i <= NF; i++) { split($i, kv, "="); l[ph[2], kv[1]] = kv[2] } }
		END { st = (r["msgs"] > 0 && r["errors"] == 0 && r["wrong"] == 0) ? "OK" : "errors=" r["errors"] ",wrong=" r["wrong"]
		      printf "%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%s\t%s\n", row, r["msgs"], l["eom", "p50"], l["eom", "p99"],
			l["content", "p50"], l["content", "p99"], (r["msgs"] > 0 ? q / r["msgs"] : 0), la, st }' >> "$LAT_RAW"
	tail -1 "$LAT_RAW" | awk -F'\t' '{ printf "  %-28s eom p50 %s p99 %s ms  content p50 %s ms  %s lookups/msg  load %s  %s\n", $1, $3, $4, $5, $7, $8, $9 }' >&2
}

# dnslat_ours D GAPNAME LABEL BIN ARGS... - the two rows of one daemon build
dnslat_ours() {
	local d=$1 g=$2 label=$3 bin=$4 pf
	shift 4
	for pf in yes no; do
		local kw=$pf
		if ! dnslat_has_prefetch "$bin"; then
			if [ $pf = yes ]; then
				printf '%s\t-\t-\t-\t-\t-\t-\t-\tn/a:no-DNSPrefetch\n' "d$d-$g-$label-prefetch" >> "$LAT_RAW"
				continue
			fi
			kw=-
		fi
		local side="$label-serial"
		[ $pf = yes ] && side="$label-prefetch"
		log "dnslat ${d} ms, $g: $side"
		start ours "$S/run/am.sock" "$bin" -f -c "$(dnslat_am_conf "$bin" "$kw")"
		dnslat_load "d$d-$g-$side" "unix:$S/run/am.sock" "$@" "${LAT_EXPECT[@]}"
		stop "$SPID"
	done
}

LAT_ENV=(--client-ip 198.18.0.1 --from-header --helo 'mx.%d' --rcpt bob@dest.example --expect-action accept)
LAT_EXPECT=(--expect-header "^Authentication-Results: $AUTHSERV;.*dkim=pass.*header\\.d=d[0-9]+\\.lat\\.example"
	--expect-header "^Authentication-Results: $AUTHSERV;.*spf=pass"
	--expect-header "^Authentication-Results: $AUTHSERV;.*dmarc=pass.*header\\.from=d[0-9]+\\.lat\\.example")

# dnslat [OTHER_BUILDDIR] - every row at every delay; prints the table
dnslat() {
	local other=${1:-} d g gap od dm c
	[ -z "$other" ] || [ -x "$other/milter/authmilter" ] || die "no $other/milter/authmilter"
	LAT_RAW="$S/lat-raw.tsv"
	: > "$LAT_RAW"
	echo "nameserver $DNSLAT_PROXY" > "/etc/netns/$NS/resolv.conf"
	for d in $DNSLAT_DELAYS; do
		dnslat_proxy "$d"
		for g in $DNSLAT_GAPS; do
			gap=0
			[ $g = gap ] && gap=${DNSLAT_GAP:-$d}
			local args=("${LAT_ENV[@]}" --gap "$gap" --gap-at "$DNSLAT_GAP_AT")
			dnslat_ours "$d" "$g" ours "$AM" "${args[@]}"
			[ -z "$other" ] || dnslat_ours "$d" "$g" other "$other/milter/authmilter" "${args[@]}"
			log "dnslat ${d} ms, $g: opendkim -> opendmarc"
			c=$(od_conf verify)
			sed -i "s/^Nameservers .*/Nameservers             $DNSLAT_PROXY/" "$c"
			start opendkim "$S/run/od-verify/opendkim.sock" opendkim -f -x "$c"
			od=$SPID
			start opendmarc "$S/run/dmarc/opendmarc.sock" opendmarc -f -c "$(dmarc_conf)"
			dm=$SPID
			dnslat_load "d$d-$g-anchor" "unix:$S/run/od-verify/opendkim.sock unix:$S/run/dmarc/opendmarc.sock" \
				"${args[@]}" "${LAT_EXPECT[@]}"
			stop "$od" "$dm"
		done
	done
	echo "nameserver 127.0.0.1" > "/etc/netns/$NS/resolv.conf"
	dnslat_table
}

# dnslat_table - the TSV and the table: latencies in ms and in DNS round
# trips (the row's delay)
dnslat_table() {
	{
		printf 'delay_ms\tgap\tside\tmsgs\teom_p50_ms\teom_p99_ms\teom_p50_rt\teom_p99_rt\tcontent_p50_ms\tcontent_p99_ms\tcontent_p50_rt\tlookups_per_msg\tloadavg\tstatus\n'
		awk -F'\t' '{ split($1, k, "-"); d = substr(k[1], 2) + 0; side = substr($1, length(k[1]) + length(k[2]) + 3)
			rt50 = $3 == "-" ? "-" : sprintf("%.2f", $3 / d); rt99 = $4 == "-" ? "-" : sprintf("%.2f", $4 / d)
			c50 = $5 == "-" ? "-" : sprintf("%.2f", $5 / d)
			if ($9 != "OK") { rt50 = rt99 = c50 = "n/a" }
			printf "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d, k[2], side, $2, $3, $4, rt50, rt99, $5, $6, c50, $7, $8, $9 }' "$LAT_RAW"
	} > "$DNSLAT_OUT"
	echo
	echo "== end-of-message latency with a slow DNS ($(date -u +%F), nproc $(nproc), concurrency $CONC, $DNSLAT_N cold messages per row)"
	echo "   every lookup answered <delay> ms late; gap: the SMTP client's round trip = the delay, before $DNSLAT_GAP_AT; zero: back to back"
	echo "   eom: EOM sent -> EOM reply (a chain: summed); content: first header -> EOM reply; rt: latency / delay"
	column -t -s "$(printf '\t')" "$DNSLAT_OUT"
	echo "TSV: $DNSLAT_OUT"
}
