#!/bin/sh
# fuzz_regress.sh - replay every fuzz regression input (t/fuzz/regress/
# TARGET/, one file per crash the fuzzers found) and every seed
# (t/fuzz/corpus/TARGET/) through the targets built without libFuzzer
# (replay_TARGET: t/fuzz/fuzz_TARGET.c + t/fuzz/replay.c, gcc, the normal or
# the sanitizer build).  FUZZ_STRICT makes the targets check even the
# issues the long fuzzing runs step around.
. "$srcdir/lib.sh"
FUZZ_STRICT=1
export FUZZ_STRICT
n=0
for d in "$srcdir"/fuzz/regress/* "$srcdir"/fuzz/corpus/*; do
	[ -d "$d" ] || continue
	t=$(basename "$d")
	kind=$(basename "$(dirname "$d")")
	r="$builddir/replay_$t"
	# every corpus is replayed: a target without its replay program fails
	if [ ! -x "$r" ]; then
		ok "$t: $kind/ has its replay program (replay_$t in t/Makefile.am FUZZ_REPLAY)" false
		continue
	fi
	for f in "$d"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		ok "$t: $kind/$(basename "$f") replays without a crash" "$r" "$f"
	done
done
[ $n -gt 0 ] || skip_all "no replay programs built"
done_testing
