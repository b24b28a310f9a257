#!/bin/sh
# spf_suite.sh - the RFC 7208 (openspf 2014.04) conformance suite through
# lib/spf.c, spf_dns.c and spf_record.c together: each scenario's zone data
# is served by unbound, every case is checked, and the failures must be
# exactly those listed in spf-deviations.txt
. "$srcdir/lib.sh"
SUITE="$REF/rfc7208-tests.yml"
[ -f "$SUITE" ] || { echo "1..1"; echo "not ok 1 - the RFC 7208 suite is in the tree ($SUITE)"; exit 1; }
$PY -c 'import yaml' 2>/dev/null || skip_all "python3-yaml is not installed"
need unbound-checkconf

total=$($PY "$srcdir/spf_suite.py" "$SUITE" "$T/suite") || skip_all "cannot convert the suite"
: >"$T/results"
for conf in "$T"/suite/*.conf; do
	cases=${conf%.conf}.cases
	[ -s "$cases" ] || continue
	if ! dns_start "$conf"; then
		_report 1 "unbound serves $(basename "$conf")"
		continue
	fi
	DNS_PORT=$DNS_PORT DNS_TIMEOUT=2 "$builddir/spf_suite" "$cases" >>"$T/results" 2>&1
	dns_stop
done

passed=$(grep -c '^PASS ' "$T/results")
ran=$(grep -c '^PASS \|^FAIL ' "$T/results")
echo "# RFC 7208 suite: $passed of $total passed"
is "$ran" "$total" "every case ran"
sed -n 's/^FAIL /# FAIL /p' "$T/results"

# exactly the documented deviations fail: a regression or a fix both show
sed -n 's/^FAIL \([^ ]*\) .*/\1/p' "$T/results" | sort >"$T/failed"
sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$srcdir/spf-deviations.txt" | awk '{print $1}' | sort >"$T/listed"
is "$(comm -23 "$T/failed" "$T/listed" | tr '\n' ' ')" "" "no failure outside spf-deviations.txt"
is "$(comm -13 "$T/failed" "$T/listed" | tr '\n' ' ')" "" "every listed deviation still fails"
done_testing
