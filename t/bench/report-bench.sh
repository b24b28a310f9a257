#!/bin/sh
# report-bench.sh - time authmilter-report over 10 million synthetic history
# records (not run by make check).  Prints wall time and peak RSS from
# /usr/bin/time -v.  Targets: <= 30 s and <= 256 MiB.
#
#   sh t/bench/report-bench.sh [BUILDDIR] [RECORDS] [IPS] [DOMAINS]
#
# BUILDDIR is the out-of-tree build directory (default: the current one);
# the history file (about 340 bytes a record) goes to ${TMPDIR:-/tmp}.
set -e
B=${1:-$(pwd)}
N=${2:-10000000}
IPS=${3:-20000}
DOMS=${4:-50}
RP="$B/report/authmilter-report"
GEN="$B/t/report_gen"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
XSD=${XSD:-$top_srcdir/data/rfc9990-dmarc-aggregate.xsd}
[ -r "$XSD" ] || { echo "no RFC 9990 schema at $XSD (the tree's data/ folder)"; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }
[ -x "$RP" ] && [ -x "$GEN" ] || { echo "build first: make && make -C t report_gen"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/report-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
begin=1700006400
echo "generating $N records ($IPS source IPs, $DOMS policy domains) ..."
"$GEN" -n "$N" -i "$IPS" -d "$DOMS" -b $begin --stable -o "$W/history"
ls -l "$W/history" | awk '{ printf "history file: %.0f MiB\n", $5 / 1048576 }'
printf 'AuthservID mx.receiver.example\nReportFrom dmarc@receiver.example\n' > "$W/conf"
mkdir "$W/out"
/usr/bin/time -v "$RP" -c "$W/conf" --history "$W/history" --from $begin --to $((begin + 86400)) \
    --outdir "$W/out" --no-send --state "$W/state" --schema "$XSD" 2>"$W/time" >/dev/null || true
grep -E "report domain=" "$W/time" | head -3
grep -E "done domains|Elapsed|Maximum resident|Exit status" "$W/time"
ls "$W/out" | wc -l | awk '{ print "reports written:", $1 }'
