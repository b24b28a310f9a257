#!/bin/sh
# quickstart.sh - from a fresh clone: install what is needed, build, and run
# authmilter in the foreground on inet:8891@127.0.0.1 with a working sample
# configuration (run/authmilter.conf, made from conf/authmilter.conf.sample).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/contrib/install-deps.sh" build
cd "$top"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
mkdir -p build run
cd build
[ -f Makefile ] || ../configure >configure.out 2>&1 || { cat configure.out; exit 1; }
make -j"$(nproc)" >make.out 2>&1 || { tail -40 make.out; exit 1; }
cd "$top"
conf=run/authmilter.conf
if [ ! -f "$conf" ]; then
	cp conf/authmilter.conf.sample "$conf"
	{
		echo
		echo "## quickstart settings"
		echo "Socket inet:8891@127.0.0.1"
		echo "AuthservID $(hostname -f 2>/dev/null || hostname)"
		echo "Background no"
		[ "$(id -u)" = 0 ] && echo "UserID nobody"
		echo "InternalHosts 127.0.0.1, ::1"
	} >> "$conf"
fi
build/milter/authmilter -n -c "$conf"
cat <<MSG

authmilter is starting in the foreground with $conf (Ctrl-C stops it).
Add this to Postfix's main.cf and run "postfix reload":

    smtpd_milters = inet:127.0.0.1:8891
    non_smtpd_milters = \$smtpd_milters
    milter_default_action = tempfail

MSG
exec build/milter/authmilter -f -c "$conf"
