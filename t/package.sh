#!/bin/sh
# package.sh - the Debian package, built, installed, used and purged (CI; as
# root on a Debian 12 machine that may be changed; not part of `make check`)
#
#   t/package.sh [BUILD_DIR]     BUILD_DIR (default ./build) gives t/miltc
#
# 1. copies the tree (git's files, uncommitted changes included; no build
#    folders) to a scratch folder and runs `dpkg-buildpackage -us -uc -b`
#    there, with DEB_BUILD_OPTIONS=nocheck: the whole suite has already run in
#    CI (.ci/run), and the package build's own check is the unit tests only;
# 2. lintian on the .changes: no error (warnings printed);
# 3. dpkg -i (apt-get install -f for missing dependencies); the user, the
#    folders and their owners; authmilter -n on the installed config;
# 4. the daemon started as the unit starts it (as the user authmilter, with
#    /run/authmilter made as RuntimeDirectory= makes it), one message through
#    its socket with t/miltc run by a user of the group authmilter (as Postfix
#    would be after `adduser postfix authmilter`); a user outside the group
#    is refused; the history gets the record;
# 5. the installed reporter, as the user authmilter like the cron job, with
#    the installed config, its HistoryFile and ReportStateFile and the
#    installed schema: a report that xmllint validates;
# 6. dpkg --purge: every file of `dpkg -L`, the state, log and run folders,
#    the conffiles and the unit's enablement are gone.  The user and group
#    stay (Debian keeps system users); this script deletes them afterwards
#    when it created them.
# The test DNS server answers for the message's domain; the installed config
# gets one line (Nameservers) pointing at it, as an administrator would edit
# it (purge removes an edited conffile too).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bdir=$(cd "${1:-$top/build}" 2>/dev/null && pwd) || { echo "no build folder ${1:-$top/build}" >&2; exit 1; }
srcdir="$top/t"
builddir="$bdir/t"
top_srcdir="$top"
top_builddir="$bdir"
. "$srcdir/lib.sh"

PKG=authmilter
CONF=/etc/authmilter/authmilter.conf
SOCK=/run/authmilter/authmilter.sock
[ "$(id -u)" = 0 ] || skip_all "needs root (dpkg -i, dpkg --purge)"
command -v dpkg >/dev/null || skip_all "not a Debian machine"
if dpkg-query -W -f='${Status}' $PKG 2>/dev/null | grep -q 'installed'; then
	skip_all "$PKG is already installed here; this test does not touch an existing install"
fi
had_user=no
getent passwd authmilter >/dev/null && had_user=yes

# --- build dependencies --------------------------------------------------
export DEBIAN_FRONTEND=noninteractive
"$top/contrib/install-deps.sh" test || { echo "# install-deps failed"; exit 1; }
missing=""
for p in debhelper dpkg-dev fakeroot lintian; do
	dpkg-query -W -f='${Status}' $p 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] || apt-get install -y -qq --no-install-recommends $missing >"$T/apt.log" 2>&1 ||
	{ echo "# apt-get install$missing failed"; sed 's/^/# /' "$T/apt.log" | tail -20; exit 1; }
MC="$builddir/miltc"
[ -x "$MC" ] || make -C "$builddir" miltc >"$T/miltc.log" 2>&1 || { echo "# cannot build t/miltc"; exit 1; }

# --- 1. build from a clean copy ------------------------------------------
W=$(mktemp -d /tmp/authmilter-package.XXXXXX)
chmod 0755 "$W"
at_exit "rm -rf '$W'"
mkdir "$W/src"
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	    xargs -0 sh -c 'for f; do [ -e "$f" ] || [ -L "$f" ] && printf "%s\0" "$f"; done' sh |
	    tar --null -T - -cf -) | tar -xf - -C "$W/src"
else
	(cd "$top" && tar --exclude='./build*' --exclude=./run -cf - .) | tar -xf - -C "$W/src"
fi
ok "the copy has debian/ and no build folder" sh -c "test -f '$W/src/debian/control' && ! test -e '$W/src/build'"
ok "build dependencies of debian/control are installed" sh -c "cd '$W/src' && dpkg-checkbuilddeps"
start=$(date +%s)
ok "dpkg-buildpackage -us -uc -b" sh -c "cd '$W/src' && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b >'$T/build.log' 2>&1"
echo "# dpkg-buildpackage: $(( $(date +%s) - start )) s"
[ "$_fail" = 0 ] || { tail -30 "$T/build.log" | sed 's/^/# /'; done_testing; }
DEB=$(ls "$W"/${PKG}_*_*.deb | head -1)
CHANGES=$(ls "$W"/${PKG}_*_*.changes | head -1)

# --- 2. lintian ----------------------------------------------------------
lintian --pedantic -I -E "$CHANGES" >"$T/lintian.out" 2>&1
grep -v 'running with root privileges' "$T/lintian.out" | sed 's/^/# lintian: /'
is "$(grep -c '^E:' "$T/lintian.out")" 0 "lintian: no error on the .deb and .changes"

# --- 3. install ----------------------------------------------------------
dpkg -c "$DEB" | awk '{ print "# deb: " $1 " " $2 " " $6 }'
if ! dpkg -i "$DEB" >"$T/dpkg-i.log" 2>&1; then
	apt-get install -f -y -qq >>"$T/dpkg-i.log" 2>&1
fi
at_exit "dpkg --purge $PKG"
is "$(dpkg-query -W -f='${Status}' $PKG 2>/dev/null)" "install ok installed" "dpkg -i installed the package"
[ "$_fail" = 0 ] || { sed 's/^/# /' "$T/dpkg-i.log" | tail -20; done_testing; }
dpkg -L $PKG > "$T/files"
ok "user authmilter exists (system user)" sh -c '[ "$(id -u authmilter)" -lt 1000 ]'
ok "group authmilter exists" getent group authmilter
for d in /var/lib/authmilter /var/log/authmilter; do
	is "$(stat -c '%U:%G %a' "$d" 2>&1)" "authmilter:authmilter 750" "$d: owner and mode"
done
is "$(sort /var/lib/dpkg/info/$PKG.conffiles 2>&1 | tr '\n' ' ')" \
    "/etc/authmilter/authmilter.conf /etc/cron.d/authmilter /etc/logrotate.d/authmilter " "conffiles: config, cron job, logrotate"
ok "the unit is enabled (multi-user.target.wants)" test -L /etc/systemd/system/multi-user.target.wants/authmilter.service
ok "the schema is installed" test -r /usr/share/authmilter/rfc9990-dmarc-aggregate.xsd
if command -v systemd-analyze >/dev/null 2>&1; then
	ok "systemd-analyze verify: the installed unit" systemd-analyze verify /lib/systemd/system/authmilter.service
	sed 's/^/# /' "$T/ok.out"
fi
ok "authmilter -n on the installed config" /usr/sbin/authmilter -n -c $CONF
ok "logrotate accepts the installed file" logrotate -d /etc/logrotate.d/authmilter

# --- 4. the daemon as the package's user, one message --------------------
cat > "$T/zone.conf" <<'EOF'
  local-zone: "sender.test." static
  local-data: 'sender.test. 300 IN TXT "v=spf1 ip4:198.18.0.0/15 -all"'
  local-data: '_dmarc.sender.test. 300 IN TXT "v=DMARC1; p=none; rua=mailto:dmarc@sender.test"'
EOF
dns_start "$T/zone.conf" || { echo "# cannot start unbound"; done_testing; }
printf 'Nameservers 127.0.0.1:%s\nDNSTimeout 3\n' "$DNS_PORT" >> $CONF
# as the unit: RuntimeDirectory=authmilter (0750), User=authmilter, UMask=0007
install -d -o authmilter -g authmilter -m 0750 /run/authmilter
(umask 0007; exec setpriv --reuid=authmilter --regid=authmilter --init-groups \
    /usr/sbin/authmilter -f -c $CONF) >"$T/daemon.log" 2>&1 &
DPID=$!
at_exit "kill $DPID"
i=0
while [ ! -S $SOCK ] && kill -0 $DPID 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ok "the daemon listens on $SOCK" test -S $SOCK
is "$(ps -o user= -p $DPID)" "authmilter" "the daemon runs as authmilter"
is "$(stat -c '%U:%G %a' $SOCK 2>&1)" "authmilter:authmilter 770" "socket: authmilter:authmilter, mode 0770"

printf 'From: Alice <alice@sender.test>\r\nTo: bob@rcpt.test\r\nSubject: package\r\nMessage-ID: <p1@sender.test>\r\n\r\nHello.\r\n' > "$W/m.eml"
chmod 0644 "$W/m.eml"
# a Postfix stand-in: nobody, with the supplementary group authmilter
out=$(setpriv --reuid=nobody --regid=nogroup --groups="$(getent group authmilter | cut -d: -f3)" \
    "$MC" -s unix:$SOCK --client-ip 198.18.0.1 --helo client.sender.test --from alice@sender.test \
    --rcpt bob@rcpt.test "$W/m.eml" 2>&1)
echo "$out" | sed 's/^/# miltc: /'
like "$out" "Authentication-Results: .*spf=pass.*dmarc=pass" "one message: SPF and DMARC pass in Authentication-Results"
like "$out" "action (accept|continue)" "the message is accepted"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$MC" -s unix:$SOCK "$W/m.eml" 2>&1)
like "$out" "error" "a client outside the group authmilter cannot connect"
i=0
while ! grep -q '^action' /var/log/authmilter/history 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
like "$(cat /var/log/authmilter/history 2>&1)" "pdomain sender.test" "the history file has the record"
is "$(stat -c '%U' /var/log/authmilter/history 2>&1)" "authmilter" "the history file belongs to authmilter"
kill $DPID
wait $DPID
is "$?" 0 "SIGTERM: the daemon exits 0"

# --- 5. the installed reporter, as the cron job runs it ------------------
now=$(date +%s)
B=$((now - now % 86400))
mkdir "$W/out"
chown authmilter:authmilter "$W/out"
ok "authmilter-report (installed config, HistoryFile, state, schema)" \
    setpriv --reuid=authmilter --regid=authmilter --init-groups \
    /usr/sbin/authmilter-report -c $CONF --from $B --to $((B + 86400)) --outdir "$W/out" --no-send
sed 's/^/# /' "$T/ok.out"
n=0
for f in "$W"/out/*!sender.test!*.xml.gz; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	gzip -dc "$f" > "$W/report.xml"
	ok "xmllint: the report is valid RFC 9990 (installed schema)" \
	    xmllint --noout --schema /usr/share/authmilter/rfc9990-dmarc-aggregate.xsd "$W/report.xml"
done
is "$n" 1 "one report for sender.test"
ok "the report state is in /var/lib/authmilter" test -s /var/lib/authmilter/report.state

# --- 6. purge ------------------------------------------------------------
ok "dpkg --purge" dpkg --purge $PKG
is "$(dpkg-query -W -f='${Status}' $PKG 2>/dev/null)" "" "dpkg knows no $PKG any more"
left=""
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] || [ -L "$f" ] && left="$left $f"
done < "$T/files"
is "$left" "" "every file of dpkg -L is gone"
# (man-db's page cache, /var/cache/man, is man's, not the package's)
is "$(find /etc /var /lib /usr/lib /usr/sbin /usr/share /run -path /var/cache/man -prune -o \
    \( -name authmilter -o -name 'authmilter[._]*' -o -name 'authmilter-report*' \
    -o -name 'authmilter-keygen*' -o -name 'authmilter-testkey*' \) -print 2>/dev/null | sort | tr '\n' ' ')" "" \
    "nothing named authmilter left (config, state, logs, run folder, unit links)"
ok "the user authmilter stays (Debian keeps system users)" getent passwd authmilter
if [ $had_user = no ]; then
	deluser --system authmilter >/dev/null 2>&1
	getent group authmilter >/dev/null && delgroup --system authmilter >/dev/null 2>&1
fi
done_testing
