#!/bin/sh
# import-bench.sh - three hosts' history files (1,000,000 records each by
# default) imported at once into a throw-away PostgreSQL server, then
# again (adds nothing), then the site-wide report over all of it (from
# SQL, no mail); not run by make check.  Target (issue 15): imports under
# 60 s in total on a 2-core machine.  Prints the wall times and counts.
#
#   sh t/bench/import-bench.sh [BUILDDIR] [RECORDS] [HOSTS] [--sqlite]
#
# BUILDDIR is the build directory (default: the current one); files and
# the cluster go to ${TMPDIR:-/tmp} (about 340 bytes a record, twice).
# The server runs with its defaults (fsync on, synchronous commit) but a
# larger max_wal_size, as a server taking bulk loads would.
set -e
B=${1:-$(pwd)}
N=${2:-1000000}
H=${3:-3}
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
RP="$B/report/authmilter-report"
GEN="$B/t/report_gen"
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)"; exit 1; }
[ -x "$RP" ] && [ -x "$GEN" ] || { echo "build first: make && make -C t report_gen"; exit 1; }
W=$(mktemp -d "${TMPDIR:-/tmp}/import-bench.XXXXXX")
chmod 755 "$W"
. "$top_srcdir/t/pg_lib.sh"
trap 'pg_stop; rm -rf "$W"' EXIT
now() { date +%s.%N; }
# server_cpu - seconds of CPU the server's processes used so far: the
# postmaster's own plus its reaped children's (the backends, once they exit)
server_cpu() {
	pm=$(head -1 "$W/pg/data/postmaster.pid")
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13 + $14 + $15) / hz }' "/proc/$pm/stat"
}

since() { echo "$(now) $1" | awk '{ printf "%.1f", $1 - $2 }'; }

echo "generating $H files of $N records ..."
i=1
while [ $i -le "$H" ]; do
	"$GEN" -n "$N" -r $((2 * i + 1)) -b 1700006400 -o "$W/history.$i" &
	i=$((i + 1))
done
wait
ls -l "$W"/history.* | awk '{ s += $5 } END { printf "history files: %.0f MiB in total\n", s / 1048576 }'
pg_start "$W/pg" -c max_wal_size=8GB -c checkpoint_timeout=30min || { echo "PostgreSQL: $PG_WHY"; exit 1; }
"$RP" db-init --db "$PG_URL" --sql-dir "$top_srcdir/report/sql"

# run_all - one import per host, all at once; prints the wall time
run_all() {
	t0=$(now)
	pids=""
	i=1
	while [ $i -le "$H" ]; do
		/usr/bin/time -f '%U %S' -o "$W/cpu.$i.raw" "$RP" import --db "$PG_URL" --host "mx$i" \
		    "$W/history.$i" >"$W/import.$i.log" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	fail=0
	for p in $pids; do wait "$p" || fail=1; done
	[ $fail = 0 ] || { cat "$W"/import.*.log; exit 1; }
	for f in "$W"/cpu.*.raw; do awk '{ print $1 + $2 }' "$f" > "${f%.raw}.sum"; done
	since "$t0"
}
cpu0=$(server_cpu)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
t=$(run_all)
sleep 1	# the backends have exited and been reaped (their CPU counted)
cpu1=$(server_cpu)
rows=$(pg_psql "$PG_URL" "SELECT count(*) FROM history")
echo "import: $H hosts x $N records at once: $t s wall, $rows rows stored (want $((H * N)))"
echo "server CPU: $(echo "$cpu1 $cpu0" | awk '{ printf "%.1f", $1 - $2 }') s; client CPU: $(cat "$W"/cpu.*.sum | awk '{ s += $1 } END { printf "%.1f", s }') s; load average before: $LOAD0"
t=$(run_all)
rows2=$(pg_psql "$PG_URL" "SELECT count(*) FROM history")
echo "re-import: $t s wall, $rows2 rows (adds nothing: $([ "$rows" = "$rows2" ] && echo yes || echo NO))"
pg_psql "$PG_URL" "SELECT pg_size_pretty(pg_database_size(current_database()))" | sed 's/^/database size: /'

# the site-wide report over everything imported (issue 15 item 2): one
# report per policy domain, aggregated in SQL, validated, no mail
printf 'AuthservID mx.receiver.example\nReportFrom <dmarc@receiver.example>\n' > "$W/report.conf"
t0=$(now)
/usr/bin/time -f '%U %S %M' -o "$W/report.cpu" "$RP" -c "$W/report.conf" --db "$PG_URL" \
    --from 1700006400 --to 1700092800 --outdir "$W/out" --no-send \
    --schema "$top_srcdir/data/rfc9990-dmarc-aggregate.xsd" 2>"$W/report.log" ||
    { cat "$W/report.log"; exit 1; }
t=$(since "$t0")
msgs=$(sed -n 's/.* messages=\([0-9]*\) .*/\1/p' "$W/report.log" | awk '{ s += $1 } END { print s }')
rows=$(pg_psql "$PG_URL" "SELECT count(*) FROM history WHERE received >= 1700006400 AND received < 1700092800 AND p IS NOT NULL AND pdomain <> ''")
echo "site-wide report: $t s wall ($(awk '{ printf "%.1f s client CPU, %d MiB peak", $1 + $2, $3 / 1024 }' "$W/report.cpu")), $(ls "$W/out" | wc -l) reports, $msgs messages counted (rows in period with a policy: $rows)"
