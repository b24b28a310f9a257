#!/bin/sh
# conf_check.sh - covers lib/conf.c through the daemon (authmilter -n, -f):
# the sample config passes; broken configs fail naming file, line and
# keyword; the configuration is read once at start-up; the shipped sample
# and man page are what the keyword table generates
. "$srcdir/lib.sh"

ok "authmilter -n accepts the shipped sample" "$AM" -n -c "$top_srcdir/conf/authmilter.conf.sample"

printf 'Socket inet:8891@127.0.0.1\nAuthservID mx.example.net\nRejectFailurs yes\n' > "$T/typo.conf"
"$AM" -n -c "$T/typo.conf" > "$T/out" 2>&1
rc=$?
is "$rc" 1 "a typo exits 1"
like "$(cat "$T/out")" "typo.conf:3: RejectFailurs: unknown keyword" "the error names file, line and keyword"

printf 'DNSTimeout 0\n' > "$T/range.conf"
"$AM" -n -c "$T/range.conf" > "$T/out" 2>&1
like "$(cat "$T/out")" "range.conf:1: DNSTimeout: 0 is out of range" "out-of-range value named"

printf 'InternalHosts 10.0.0.0/33\n' > "$T/hosts.conf"
"$AM" -n -c "$T/hosts.conf" > "$T/out" 2>&1
is "$?" 1 "a bad InternalHosts entry fails the check"
like "$(cat "$T/out")" "InternalHosts: .*10.0.0.0/33.*bad prefix length" "the bad entry is named"

"$AM" -n -c "$T/nonexistent.conf" > "$T/out" 2>&1
is "$?" 1 "a missing file fails"
like "$(cat "$T/out")" "nonexistent.conf: cannot open" "and is named"

# the daemon reads its configuration once at start-up: a file that can be
# read only once (a FIFO fed by one writer) is enough to start it
port_open() { $PY -c "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 0.2).close()" "$1"; }
P=$(free_port)
mkfifo "$T/once.conf"
printf 'Socket inet:%s@127.0.0.1\nAuthservID mx.example.net\nBackground no\nSyslog no\nAllowRootOperation yes\n' "$P" > "$T/once.txt"
cat "$T/once.txt" > "$T/once.conf" &
"$AM" -f -c "$T/once.conf" > "$T/once.log" 2>&1 &
pid=$!
at_exit "kill $pid"
started=no
wait_until 30 port_open "$P" && started=yes
is "$started" yes "the daemon starts from a configuration it can read only once"
sed 's/^/# /' "$T/once.log"
if [ "$started" = yes ]; then
	kill "$pid"
	wait "$pid"
	is "$?" 0 "and exits 0 on SIGTERM"
else
	kill -9 "$pid"	# stuck opening the FIFO again, SIGTERM blocked
	wait "$pid"
fi

"$AM" --dump-sample > "$T/sample"
ok "conf/authmilter.conf.sample is up to date (make regen)" cmp "$T/sample" "$top_srcdir/conf/authmilter.conf.sample"
"$AM" --dump-man > "$T/man"
ok "man/authmilter.conf.5 is up to date (make regen)" cmp "$T/man" "$top_srcdir/man/authmilter.conf.5"
# every man page renders with no groff warning but "cannot adjust line"
# (-Wbreak: text too long for a narrow table column, layout only); an
# undefined macro, a bad escape or a broken table fails
if command -v groff >/dev/null 2>&1; then
	for page in "$top_srcdir"/man/*.[1-8]; do
		name=$(basename "$page")
		groff -t -man -Tutf8 -P-cbu -ww -Wbreak "$page" > "$T/man.out" 2> "$T/man.err"
		is "exit $?, $(wc -l < "$T/man.err") warnings" "exit 0, 0 warnings" \
		    "$name renders without a groff warning"
		sed 's/^/# /' "$T/man.err" | head -20
		like "$(head -5 "$T/man.out")" "^NAME" "$name has a NAME section"
	done
fi
"$AM" -V > "$T/v"
like "$(cat "$T/v")" "libopendkim .*" "-V names libopendkim"
like "$(cat "$T/v")" "libunbound [0-9]" "-V names libunbound"
like "$(cat "$T/v")" "libidn2 [0-9]" "-V names libidn2, as the library reports it"
ok "-V names no library the daemon does not link (libopendmarc)" sh -c "! grep -i opendmarc '$T/v'"
done_testing
