#!/bin/bash
# =============================================================================
# dos-bench.sh - the cost of hostile messages, one figure per case (issue 11
# items 3 and 4).  Not a test: it asserts nothing and depends on the machine;
# the instruction counts (valgrind callgrind, only inside the pipeline:
# msg_header, msg_eoh, msg_body, msg_eom) do not.
#
#   top_builddir=BUILD t/bench/dos-bench.sh [AUTHMILTER]
#
# Inbound: messages with 20 and 20,000 DKIM-Signature fields (each short,
#   as in the report), verified by the offline runner; the name server is a
#   closed local port, so key lookups fail at once and only CPU is counted.
#   Prints instructions and CPU seconds of each and the ratio 20,000 / 20
#   (acceptance: at most 20).
# Outbound: signing messages with 5,000 and 20,000 To: fields (RSA-2048):
#   the same figures and the ratio 20,000 / 5,000 (linear: about 4).
# AUTHMILTER (default BUILD/milter/authmilter) lets the same run measure an
# older build.  Tunables: SIGS="20 20000", TOS="5000 20000", CG=0 (skip
# callgrind).
# =============================================================================
set -u
: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
AM=${1:-$top_builddir/milter/authmilter}
PY=/usr/bin/python3
SIGS=${SIGS:-20 20000}
TOS=${TOS:-5000 20000}
CG=${CG:-1}
[ -x "$AM" ] || { echo "no $AM (build first)" >&2; exit 1; }
command -v valgrind >/dev/null 2>&1 || CG=0
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# msg_sigs N FILE - From, To, Subject, then N DKIM-Signature fields
msg_sigs() {
	$PY - "$1" "$2" <<'PYEOF'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
h = ["From: alice@sender.example", "To: bob@rcpt.example", "Subject: many signatures"]
h += ["DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=sender.example; s=s%d; "
      "h=from; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAAAAAA" % i for i in range(n)]
open(out, "w").write("\n".join(h) + "\n\nHello.\n")
PYEOF
}

# msg_tos N FILE - From, Subject, then N To: fields
msg_tos() {
	$PY - "$1" "$2" <<'PYEOF'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
h = ["From: carol@ours.example", "Subject: many recipients", "Date: Mon, 1 Jan 2024 00:00:00 +0000"]
h += ["To: rcpt%d@dest.example" % i for i in range(n)]
open(out, "w").write("\n".join(h) + "\n\nHello.\n")
PYEOF
}

printf 'AuthservID bench.example\nNameservers 127.0.0.1:1\nDNSTimeout 1\n' > "$W/in.conf"
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$W/k.pem" 2>/dev/null
chmod 600 "$W/k.pem"
printf 'Domain ours.example\nSelector s1\nKeyFile %s\nRequireSafeKeys no\nNameservers 127.0.0.1:1\n' \
    "$W/k.pem" > "$W/out.conf"

# measure CONF MSG IP FROM - "instructions cpu_seconds"
measure() {
	local ir=- cpu
	/usr/bin/time -o "$W/time" -f '%U %S' "$AM" -c "$1" --test-message "$2" --client-ip "$3" \
	    --mail-from "$4" --rcpt bob@rcpt.example >/dev/null 2>&1
	cpu=$(tail -1 "$W/time" | awk '{ printf "%.2f", $1 + $2 }')
	if [ "$CG" = 1 ]; then
		valgrind --tool=callgrind --callgrind-out-file="$W/cg.out" \
		    --toggle-collect=msg_header --toggle-collect=msg_eoh --toggle-collect=msg_body \
		    --toggle-collect=msg_eom "$AM" -c "$1" --test-message "$2" --client-ip "$3" \
		    --mail-from "$4" --rcpt bob@rcpt.example >/dev/null 2>&1
		ir=$(awk '/^(summary|totals):/ { print $2; exit }' "$W/cg.out")
	fi
	echo "$ir $cpu"
}

row() {	# KIND N IR CPU
	printf '%-9s %7s %15s %8s\n' "$@"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "-") printf "%.1f", a / b; else print "-" }'; }

# series KIND GEN CONF IP FROM "N..." - one row per N (GEN N FILE makes the
# message); sets first_* and last_* (n, ir, cpu) for the ratio line
series() {
	local kind=$1 gen=$2 conf=$3 ip=$4 from=$5 n
	first_ir=
	for n in $6; do
		$gen "$n" "$W/$kind$n.eml"
		set -- $(measure "$conf" "$W/$kind$n.eml" "$ip" "$from")
		row "$kind" "$n" "$1" "$2"
		[ -z "$first_ir" ] && { first_ir=$1; first_cpu=$2; first_n=$n; }
		last_ir=$1; last_cpu=$2; last_n=$n
	done
}

echo "# $AM"
row case fields instructions cpu_s
series verify msg_sigs "$W/in.conf" 198.18.0.1 alice@sender.example "$SIGS"
echo "verify ratio $last_n/$first_n signatures: instructions $(ratio "$last_ir" "$first_ir")x, cpu $(ratio "$last_cpu" "$first_cpu")x (acceptance: <= 20)"
series sign msg_tos "$W/out.conf" 127.0.0.1 carol@ours.example "$TOS"
echo "sign ratio $last_n/$first_n To: fields: instructions $(ratio "$last_ir" "$first_ir")x, cpu $(ratio "$last_cpu" "$first_cpu")x (linear: about $(ratio "$last_n" "$first_n"))"
