#!/bin/sh
# shape.sh - the source tree keeps the shape DESIGN.md describes (issue 13):
#   every source file of lib/ report/ milter/ keys/ is named in DESIGN.md;
#   every module of lib/ and report/ has a row in t/README.md naming tests
#   that exist; no source file over 800 lines; no function over 60 lines
#   (a function: a line starting "{" to the next line starting "}", the
#   house style's layout).  Tests (t/) are not held to the limits.
. "$srcdir/lib.sh"

top="$srcdir/.."
srcs=$(cd "$top" && ls lib/*.c lib/*.h report/*.c report/*.h milter/*.c milter/*.h keys/*.c keys/*.h 2>/dev/null)

# DESIGN.md names every file (by its name without .c/.h)
missing=""
for f in $srcs; do
	m=$(basename "$f" | sed 's/\.[ch]$//')
	grep -q -e "$m" "$top/DESIGN.md" || missing="$missing $f"
done
is "$missing" "" "DESIGN.md names every source file"

# t/README.md: a row per module, tests that exist
missing=""
bad=""
for f in $(cd "$top" && ls lib/*.c report/*.c); do
	m=${f%.c}
	row=$(grep -e "^| $m |" "$srcdir/README.md")
	if [ -z "$row" ]; then
		missing="$missing $m"
		continue
	fi
	for t in $(echo "$row" | awk -F'|' '{ print $3 }' | tr ',()' '   '); do
		[ -e "$srcdir/$t" ] || [ -e "$srcdir/$t.c" ] || bad="$bad $m:$t"
	done
done
is "$missing" "" "t/README.md has a row for every module of lib/ and report/"
is "$bad" "" "every test t/README.md names exists"

# sizes
long=$(cd "$top" && wc -l $srcs | awk '$2 != "total" && $1 > 800 { printf " %s(%d)", $2, $1 }')
is "$long" "" "no source file over 800 lines"
long=$(cd "$top" && for f in $srcs; do
	awk -v f="$f" '
		/^\{/ && !in_f { in_f = 1; start = FNR; next }
		/^\}/ && in_f { in_f = 0; if (FNR - start + 1 > 60) printf " %s:%d(%d)", f, start, FNR - start + 1 }' "$f"
done)
is "$long" "" "no function over 60 lines"

done_testing
