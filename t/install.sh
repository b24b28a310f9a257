#!/bin/sh
# install.sh - `make install` works end to end: a fresh configure of this
# tree with --prefix in the scratch folder, `make install`, then the
# installed reporter, given only -c CONF --history --from --to --outdir
# --no-send --state, finds the installed RFC 9990 schema by itself and
# writes reports that xmllint validates against it.  `make uninstall` then
# leaves no file behind.
. "${srcdir:-$(dirname "$0")}/lib.sh"

GEN="$builddir/report_gen"
need "$GEN" xmllint
[ -f "$top_srcdir/configure" ] || skip_all "no configure script in $top_srcdir (run autoreconf -fi)"
[ -f "$top_srcdir/config.status" ] &&
	skip_all "the source tree is configured in place; a second configure needs a separate build folder (t/run-all.sh builds in ./build)"

P="$T/prefix"
B="$T/build"
mkdir -p "$B"
# the parent make's flags (jobserver, TESTS=...) are not for this build
inner() { (cd "$B" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$@"); }
ok "configure --prefix=$P" inner "$top_srcdir/configure" --prefix="$P" \
    --with-systemdsystemunitdir="$P/lib/systemd/system" --enable-werror
ok "make install" inner make -j2 install
# the default unit folder: pkg-config systemd's, under the prefix (not /usr)
mkdir "$T/build2"
(cd "$T/build2" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$top_srcdir/configure" --prefix="$P" >configure.out 2>&1)
want=no
pkg-config --exists systemd 2>/dev/null && want="$P$(pkg-config --variable=systemdsystemunitdir systemd)"
like "$(grep "systemd unit directory" "$T/build2/configure.out")" "systemd unit directory: $want\$" \
    "--prefix=P alone: the unit folder is pkg-config's under P ($want)"

for f in sbin/authmilter sbin/authmilter-report sbin/authmilter-keygen sbin/authmilter-testkey; do
	ok "installed: $f" test -x "$P/$f"
done
XSD="$P/share/authmilter/rfc9990-dmarc-aggregate.xsd"
ok "installed: the schema in pkgdatadir" cmp "$XSD" "$top_srcdir/data/rfc9990-dmarc-aggregate.xsd"
for f in "$top_srcdir"/report/sql/*.sql; do
	ok "installed: the database schema sql/${f##*/}" cmp "$P/share/authmilter/sql/${f##*/}" "$f"
done
ok "the installed reporter finds its SQL files by itself (db-init)" \
    "$P/sbin/authmilter-report" db-init --db "sqlite:$T/store.db"
CONF="$P/etc/authmilter/authmilter.conf"
ok "installed: etc/authmilter/authmilter.conf" cmp "$CONF" "$top_srcdir/conf/authmilter.conf"
ok "installed: the sample config in docdir" test -f "$P/share/doc/authmilter/authmilter.conf.sample"
for m in man5/authmilter.conf.5 man8/authmilter.8 man8/authmilter-report.8 man8/authmilter-keygen.8 man8/authmilter-testkey.8; do
	ok "installed: man page $m" test -f "$P/share/man/$m"
done
UNIT="$P/lib/systemd/system/authmilter.service"
ok "installed: the systemd unit" test -f "$UNIT"
like "$(grep '^ExecStart=' "$UNIT")" "^ExecStart=$P/sbin/authmilter -f -c $P/etc/authmilter/authmilter.conf\$" \
    "the unit names the configured sbindir and sysconfdir"
ok "the installed daemon accepts the installed config" "$P/sbin/authmilter" -n -c "$CONF"

# the acceptance command: nothing but these options
BEGIN=1700006400
END=$((BEGIN + 86400))
ok "a small history (report_gen)" "$GEN" -n 200 -o "$T/history" -b $BEGIN -d 3
mkdir "$T/out"
ok "the installed reporter runs with its defaults" "$P/sbin/authmilter-report" -c "$CONF" \
    --history "$T/history" --from $BEGIN --to $END --outdir "$T/out" --no-send --state "$T/state"
sed 's/^/# /' "$T/ok.out" | head -5
n=$(ls "$T/out" | grep -c '\.xml\.gz$')
is "$n" 3 "one report per policy domain"
for f in "$T"/out/*.xml.gz; do
	[ -f "$f" ] || continue
	gzip -dc "$f" > "${f%.gz}"
	ok "xmllint: $(basename "$f" | cut -d! -f2) is valid RFC 9990" xmllint --noout --schema "$XSD" "${f%.gz}"
done

# without the installed schema the reporter refuses: the default really is it
mv "$XSD" "$XSD.away"
mkdir "$T/out2"
if "$P/sbin/authmilter-report" -c "$CONF" --history "$T/history" --from $BEGIN --to $END \
    --outdir "$T/out2" --no-send --state "$T/state2" 2>"$T/err2"; then rc=0; else rc=$?; fi
mv "$XSD.away" "$XSD"
is "$rc" 1 "schema removed: the reporter refuses (exit 1)"
like "$(cat "$T/err2")" "no RFC 9990 schema found" "schema removed: it says why"

# a second install keeps an edited configuration
echo "# edited" >> "$CONF"
ok "make install again" inner make install
like "$(tail -1 "$CONF")" "^# edited$" "make install keeps an existing authmilter.conf"
sed -i '$d' "$CONF"

ok "make uninstall" inner make uninstall
is "$(find "$P" -type f | sed "s|^$P/||" | sort | tr '\n' ' ')" "" "make uninstall leaves no file"
done_testing
