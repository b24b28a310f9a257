#!/bin/sh
# e2e-ours.sh - authmilter as the "custom" milter of the shared Postfix
# harness (/work/shared/bench/run.sh): writes a config from the BENCH_*
# variables that harness exports and runs the daemon in the foreground.
# AM: path of the authmilter binary.
: "${AM:?AM must name the authmilter binary}"
C="$BENCH_STATE/run/authmilter.conf"
cat > "$C" <<EOC
Socket local:$BENCH_STATE/run/authmilter.sock
AuthservID $BENCH_AUTHSERV_ID
Background no
Syslog no
AllowRootOperation yes
UMask 000
Nameservers $BENCH_DNS
InternalHosts 127.0.0.1, $BENCH_INTERNAL
KeyTable $BENCH_STATE/run/authmilter.keytable
SigningTable refile:$BENCH_STATE/run/authmilter.signingtable
RejectFailures yes
PublicSuffixList /usr/share/publicsuffix/public_suffix_list.dat
EOC
echo "k $BENCH_SIGN_DOMAIN:$BENCH_SIGN_SELECTOR:$BENCH_SIGN_KEY" > "$BENCH_STATE/run/authmilter.keytable"
echo "*@$BENCH_SIGN_DOMAIN k" > "$BENCH_STATE/run/authmilter.signingtable"
exec "$AM" -f -c "$C"
