#!/bin/sh
# build.sh - build every libFuzzer target (t/fuzz/fuzz_*.c) with clang
#   t/fuzz/build.sh BUILDDIR    (BUILDDIR: a configured build tree, for config.h)
# Targets are written to BUILDDIR/t/fuzz/.  Needs clang and libclang-rt-14-dev.
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
b=$(cd "${1:?usage: build.sh BUILDDIR}" && pwd)
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "clang is not installed (Debian package clang)"; exit 77; }
out="$b/t/fuzz"
mkdir -p "$out/obj"
flags="-g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -I$b -I$top/lib -I$top/report -DFUZZING $(pkg-config --cflags libxml-2.0)"
# the libraries configure found (so a new dependency needs no edit here),
# but libmilter and the test suite's libopendmarc
libs=$(sed -n '/^AUTHMILTER_LIBS/d; s/^\([A-Z0-9]*_LIBS\) = //p' "$b/t/Makefile" 2>/dev/null | grep -v -e milter -e opendmarc | tr '\n' ' ')
[ -n "$libs" ] || libs="-lopendkim -lidn2 -lspf2 -lunbound -lmaxminddb $(pkg-config --libs libxml-2.0) -lcrypto -lz"
libs="$libs -lresolv -lpthread"
# and their include flags (libpq's headers are not on the default path)
cflags=$(sed -n 's/^\([A-Z0-9]*_CFLAGS\) = //p' "$b/t/Makefile" 2>/dev/null | grep -v -e milter -e opendmarc -e '\$(' | tr '\n' ' ')
flags="$flags $cflags"
objs=""
# lib/ whole, and of report/ the sources of its libraries (every
# *_a_SOURCES list in report/Makefile.am; its programs hold a main)
report_srcs=$(awk '/^[a-z_]*_a_SOURCES *=/ { on = 1 } on { for (i = 1; i <= NF; i++) if ($i ~ /\.c$/) print top "/report/" $i; if ($NF != "\\") on = 0 }' top="$top" "$top/report/Makefile.am")
# a changed header (struct layouts: conf.h, msg_int.h...) rebuilds everything
newest_h=$(ls -t "$top"/lib/*.h "$top"/report/*.h "$b/config.h" | head -1)
for c in "$top"/lib/*.c $report_srcs; do
	o="$out/obj/$(basename "$c" .c).o"
	if [ ! -f "$o" ] || [ "$c" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		$CC $flags -c "$c" -o "$o"
	fi
	objs="$objs $o"
done
for t in "$here"/fuzz_*.c; do
	n=$(basename "$t" .c)
	$CC $flags -fsanitize=fuzzer "$t" $objs $libs -o "$out/$n"
	echo "built $out/$n"
done
