#!/bin/sh
# run-all.sh - from a fresh clone: install what is needed, build, run the
# whole test suite, end with "N passed, N failed".
#   t/run-all.sh                 build in ./build with -Werror
#   t/run-all.sh --sanitizers    build in ./build-san with ASan + UBSan
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
flavour=werror
[ "${1:-}" = "--sanitizers" ] && flavour=san
"$top/contrib/install-deps.sh" test
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
if [ $flavour = san ]; then
	b="$top/build-san"
	opts="--enable-werror --enable-sanitizers"
	export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:fast_unwind_on_malloc=0"
	export LSAN_OPTIONS="suppressions=$top/t/lsan.supp:print_suppressions=0:fast_unwind_on_malloc=0"
	export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
	# t/faults.sh: 1,000 early-close connections instead of 10,000 (ASan is slow)
	export FAULTS_CONNS=1000
else
	b="$top/build"
	opts="--enable-werror"
fi
mkdir -p "$b"
cd "$b"
[ -f Makefile ] || "$top/configure" $opts >configure.out 2>&1 || { cat configure.out; exit 1; }
make -j"$(nproc)" >make.out 2>&1 || { tail -50 make.out; exit 1; }
set +e
make -j"$(nproc)" check >check.out 2>&1
rc=$?
set -e
log="$b/t/test-suite.log"
grep -E '^(FAIL|ERROR|XPASS|SKIP):' "$b/t/"*.log 2>/dev/null | grep -v '^[^:]*test-suite.log' | sed 's/^[^:]*://' | sort -u || true
if [ -f "$log" ]; then
	pass=$(sed -n 's/^# PASS: *//p' "$log")
	fail=$(sed -n 's/^# FAIL: *//p' "$log")
	err=$(sed -n 's/^# ERROR: *//p' "$log")
	xpass=$(sed -n 's/^# XPASS: *//p' "$log")
	skip=$(sed -n 's/^# SKIP: *//p' "$log")
	[ $rc != 0 ] && tail -30 check.out
	echo "($flavour build, $skip skipped)"
	echo "$pass passed, $((fail + err + xpass)) failed"
else
	tail -30 check.out
	echo "0 passed, 1 failed"
fi
exit $rc
