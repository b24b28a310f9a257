#!/bin/sh
# run.sh - run every fuzz target for SECONDS each with its seed corpus
#   t/fuzz/run.sh BUILDDIR [SECONDS]     (default 30)
# Seeds: t/fuzz/corpus/<target>/; new inputs go to BUILDDIR/t/fuzz/corpus/.
# Exit 1 when any target crashed (the reproducer is left in BUILDDIR/t/fuzz/).
set -e
here=$(cd "$(dirname "$0")" && pwd)
b=$(cd "${1:?usage: run.sh BUILDDIR [SECONDS]}" && pwd)
secs=${2:-30}
"$here/build.sh" "$b"
rc=0
for t in "$b"/t/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	seeds="$here/corpus/${n#fuzz_}"
	work="$b/t/fuzz/corpus/${n#fuzz_}"
	mkdir -p "$work"
	[ -d "$seeds" ] || seeds=
	if (cd "$b/t/fuzz" && "$t" -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 "$work" $seeds >"$b/t/fuzz/$n.log" 2>&1); then
		printf '%-22s ok   %s\n' "$n" "$(grep -E 'stat::number_of_executed_units' "$b/t/fuzz/$n.log" | awk '{print $2 " execs"}')"
	else
		printf '%-22s CRASH (see %s)\n' "$n" "$b/t/fuzz/$n.log"
		rc=1
	fi
done
exit $rc
