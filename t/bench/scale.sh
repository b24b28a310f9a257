#!/bin/sh
# scale.sh - scale checks of the daemon (TAP; `make scale` in the build dir):
#   - a 50 MiB message through the daemon: the answer still arrives; RSS
#     (VmRSS) before and after and the peak (VmHWM) are printed, so memory
#     that grows with the message size shows;
#   - 200 concurrent milter connections (t/bench/milterload -c 200): every
#     message answered correctly, no errors, the daemon still up.
# Sizes and times are printed as comments, never asserted.
# Tunables: SCALE_MIB=50 CONNS=200 MSGS=2000
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
[ -f "$srcdir/lib.sh" ] || srcdir="$top_srcdir/t"
. "$srcdir/lib.sh"
MILTC="$builddir/miltc"
ML="$builddir/milterload"
need "$MILTC" "$ML" "$AM"
MIB=${SCALE_MIB:-50}
CONNS=${CONNS:-200}
MSGS=${MSGS:-2000}

# example.org: SPF for 198.18.0.0/24, DMARC p=none (shared with miltc.sh)
dns_start "$(zone_dir)/example-org.conf" || skip_all "cannot start unbound"
PORT=$(free_port)
SOCK="inet:$PORT@127.0.0.1"
conf_base "$SOCK" test.example > "$T/am.conf"
milter_start "$T/am.conf" || { echo "not ok 1 - daemon starts"; exit 1; }

rss() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# a big message: headers, then MIB MiB of 76-character lines
$PY - "$T/big.eml" "$MIB" <<'PYEOF'
import sys
path, mib = sys.argv[1], int(sys.argv[2])
line = b"0123456789 the quick brown fox jumps over the lazy dog 0123456789 abcdefghi\n"
with open(path, "wb") as f:
    f.write(b"From: Alice <alice@example.org>\nTo: bob@test.example\n"
            b"Subject: big\nDate: Mon, 01 Jan 2024 00:00:00 +0000\n"
            b"Message-ID: <big@example.org>\n\n")
    n = mib * 1024 * 1024 // len(line)
    chunk = line * 1000
    for _ in range(n // 1000):
        f.write(chunk)
    f.write(line * (n % 1000))
PYEOF
head -6 "$T/big.eml" > "$T/msg.eml"
echo "Hello." >> "$T/msg.eml"
before=$(rss "$MILTER_PID" VmRSS)
t0=$(date +%s.%N)
out=$("$MILTC" -s "$SOCK" --timeout 300 --client-ip 198.18.0.1 --from alice@example.org \
	--rcpt bob@test.example "$T/big.eml"); rc=$?
t1=$(date +%s.%N)
after=$(rss "$MILTER_PID" VmRSS)
hwm=$(rss "$MILTER_PID" VmHWM)
is "$rc" 0 "$MIB MiB message: conversation completed"
like "$out" '^insheader [0-9]+ Authentication-Results: test\.example;' "$MIB MiB message: answered"
echo "# $MIB MiB message: $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s; VmRSS before ${before} kB, after ${after} kB; VmHWM ${hwm} kB"

out=$("$ML" --milter "$SOCK" -c "$CONNS" -n "$MSGS" --client-ip 198.18.0.1 \
	--from alice@example.org --rcpt bob@test.example --expect-action accept \
	--expect-header '^Authentication-Results: test\.example;' --pid "ours=$MILTER_PID" \
	--timeout 60 "$T/msg.eml" 2>&1); rc=$?
is "$rc" 0 "$CONNS concurrent connections: all $MSGS answered correctly"
like "$out" "^run .*conc=$CONNS msgs=$MSGS .*errors=0 wrong=0" "$CONNS connections: no errors"
printf '%s\n' "$out" | sed 's/^/# /'
ok "daemon still running" kill -0 "$MILTER_PID"
echo "# after: VmRSS $(rss "$MILTER_PID" VmRSS) kB, VmHWM $(rss "$MILTER_PID" VmHWM) kB, threads $(rss "$MILTER_PID" Threads)"
done_testing
