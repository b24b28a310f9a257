#!/bin/sh
# opendmarc_tools.sh - our history file read by OpenDMARC 1.4.2's own tools
# (Debian package opendmarc): opendmarc-import into a throw-away MariaDB
# (mariadbd on a unix socket in the test folder), then opendmarc-reports
# --test, whose XML must be what OpenDMARC's reporter writes for its own
# history: policy_evaluated dkim/spf pass or fail (never "unknown"), the
# right results.  The values OpenDMARC writes for the same situation:
# align_dkim/align_spf 4 or 5 whenever a DMARC record was found (5 for a
# message without a DKIM signature), pdomain the From domain when no record
# was found, no record without a From domain.  HistoryExtensions no: the
# importer warns about no keyword; the keywords it warns about otherwise are
# the ones authmilter(8) lists.
. "$srcdir/lib.sh"
. "$srcdir/history_lib.sh"

# require CMD WHY - as root (CI installs contrib/install-deps.sh test) a
# missing tool is a failure; otherwise the test is skipped, saying why
require() {
	case $1 in
	/*) [ -e "$1" ] && return 0 ;;
	*) command -v "$1" >/dev/null 2>&1 && return 0 ;;
	esac
	if [ "$(id -u)" = 0 ]; then
		_report 1 "$1 missing: $2 (contrib/install-deps.sh test installs it)"
		done_testing
	fi
	[ "$_n" = 0 ] && skip_all "$1 missing ($2) and not root (contrib/install-deps.sh test installs it)"
	_report 0 "# SKIP the rest: $1 missing ($2) and not root"
	done_testing
}
require openssl "Debian package openssl"
$PY -c 'import dkim' 2>/dev/null || require python3-dkim-module "Debian package python3-dkim"

# --- zone, key, messages ---------------------------------------------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T/k.pem" 2>/dev/null
pub=$(openssl pkey -in "$T/k.pem" -pubout -outform DER 2>/dev/null | base64 -w0)
cat > "$T/zone.conf" <<ZEOF
  local-zone: "od.test." static
  local-data: 'od.test. 300 IN TXT "v=spf1 ip4:198.18.0.11 ip4:198.18.0.12 ip4:198.18.0.15 -all"'
  local-data: '_dmarc.od.test. 300 IN TXT "v=DMARC1; p=none; rua=mailto:agg@od.test"'
  local-data: 'sel._domainkey.od.test. 300 IN TXT "v=DKIM1; k=rsa; p=$pub"'
  local-data: 'mx.od.test. 300 IN TXT "v=spf1 ip4:198.18.0.14 -all"'
  local-zone: "other.test." static
  local-data: 'sel._domainkey.other.test. 300 IN TXT "v=DKIM1; k=rsa; p=$pub"'
  local-zone: "nodmarc.test." static
  local-data: 'nodmarc.test. 300 IN TXT "v=spf1 ip4:198.18.0.16 -all"'
ZEOF
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
mkmsg() {	# mkmsg NAME FROM [SIGNING-DOMAIN]
	printf 'From: %s\r\nTo: b@rcpt.test\r\nSubject: od %s\r\nMessage-ID: <%s@od.test>\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\n\r\nHello.\r\n' \
	    "$2" "$1" "$1" > "$T/$1.eml"
	[ -n "${3:-}" ] && $PY - "$T/$1.eml" "$T/k.pem" "$3" <<'PYEOF'
import dkim, sys
msg = open(sys.argv[1], "rb").read()
sig = dkim.sign(msg, b"sel", sys.argv[3].encode(), open(sys.argv[2], "rb").read(),
                include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
open(sys.argv[1], "wb").write(sig + msg)
PYEOF
	return 0
}
mkmsg signed "A <a@od.test>" od.test
mkmsg unsigned "A <a@od.test>"
mkmsg other "A <a@od.test>" other.test
mkmsg nodmarc "N <n@nodmarc.test>"
mkmsg malformed "<ceo@od.test>>"

# send CASE IP MAILFROM [HELO]
send() {
	"$MC" -s "inet:$MPORT@127.0.0.1" --client-ip "$2" --helo "${4:-mx.od.test}" \
	    --from "$3" --rcpt b@rcpt.test --queue-id "$1" "$T/$1.eml" > "$T/$1.out" 2>&1
}
run_cases() {	# run_cases HISTORY-FILE EXTRA-CONF-LINE
	conf_base "inet:$MPORT@127.0.0.1" mx.od.test > "$T/a.conf"
	printf 'HistoryFile %s\nRecordAllMessages yes\n%s\n' "$1" "$2" >> "$T/a.conf"
	milter_start "$T/a.conf" || return 1
	send signed 198.18.0.11 a@od.test		# DKIM and SPF aligned pass
	send unsigned 198.18.0.12 a@od.test		# no signature; SPF aligned pass
	send unsignedfail 198.18.0.13 a@od.test	# no signature; SPF fail
	send other 198.18.0.15 a@od.test		# other.test's signature; SPF pass
	send null 198.18.0.14 "" mx.od.test		# null sender, HELO passes
	send nodmarc 198.18.0.16 n@nodmarc.test	# no DMARC record
	send malformed 198.18.0.12 a@od.test		# From without a usable domain
	milter_stop
}
cp "$T/unsigned.eml" "$T/unsignedfail.eml"
cp "$T/unsigned.eml" "$T/null.eml"
run_cases "$T/history" "" || skip_all "authmilter did not start"

# rec JOB KEY: the value of KEY in JOB's record
rec() {
	sed -n "/^job $1\$/,/^action /p" "$T/history" | sed -n "s/^$2 //p"
}
is "$(grep -c '^job ' "$T/history")" 7 "seven records: every message with a From domain (the malformed From read leniently)"
is "$(rec signed align_dkim) $(rec signed align_spf)" "4 4" "signed, SPF pass: align_dkim 4, align_spf 4"
is "$(rec unsigned align_dkim) $(rec unsigned align_spf)" "5 4" \
    "no DKIM signature: align_dkim 5 (fail), as OpenDMARC writes, not 0"
is "$(rec unsignedfail align_dkim) $(rec unsignedfail align_spf) $(rec unsignedfail spf)" "5 5 7" \
    "no signature, SPF fail: 5 5, spf 7"
is "$(rec other align_dkim) $(rec other dkim)" "5 other.test sel 0" "an unaligned signature: align_dkim 5, its dkim line"
is "$(rec null align_spf) $(rec null mfrom)|" "4 |" "null sender: align_spf 4, postmaster@HELO aligns (RFC 9989 3.2.4), empty mfrom"
is "$(rec nodmarc pdomain) $(rec nodmarc policy) $(rec nodmarc align_dkim) $(rec nodmarc align_spf)" \
    "nodmarc.test 14 0 0" "no DMARC record: pdomain is the From domain (not empty), policy 14, align 0 0"
is "$(grep -c '^from $' "$T/history")" 0 "no record has an empty from (a From without a domain gets none, as OpenDMARC)"
is "$(rec malformed from)" "od.test" "the malformed From is recorded with the domain it names (MultiValueFrom strictest)"

# HistoryExtensions no: OpenDMARC 1.4.2's keywords only
MPORT=$(free_port)
ok "HistoryExtensions no: the daemon runs the same messages" run_cases "$T/history.plain" "HistoryExtensions no"
extra='spf_scope helo discovery np testing override country asn asorg'
found=""
for k in $extra fo; do grep -q "^$k " "$T/history.plain" && found="$found $k"; done
is "$found" "" "HistoryExtensions no: none of our keywords written"
is "$(grep -c '^job ' "$T/history.plain")" 7 "and the same records"
for k in $extra; do
	grep -q "^\\\\fB$k\\\\fR" "$top_srcdir/man/authmilter.8" || echo "missing: $k"
done > "$T/doc.missing"
is "$(cat "$T/doc.missing")" "" "authmilter(8) lists every keyword opendmarc-import warns about"

# --- OpenDMARC's importer and reporter on a real database --------------------------
IMPORT=$(command -v opendmarc-import || echo /usr/sbin/opendmarc-import)
REPORTS=$(command -v opendmarc-reports || echo /usr/sbin/opendmarc-reports)
SCHEMA=/usr/share/dbconfig-common/data/opendmarc/install/mysql
require "$IMPORT" "Debian package opendmarc"
require "$REPORTS" "Debian package opendmarc"
require "$SCHEMA" "Debian package opendmarc (schema.mysql)"
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
require "$MARIADBD" "Debian package mariadb-server"
require mariadb-install-db "Debian package mariadb-server"
require mariadb "Debian package mariadb-client"
perl -MSwitch -MDBD::mysql -MJSON -MHTTP::Request -e1 2>/dev/null ||
    require perl-modules-for-opendmarc "libswitch-perl libdbd-mysql-perl libjson-perl libhttp-message-perl"

DB="$T/db"
SOCK="$T/db.sock"
asuser=""
[ "$(id -u)" = 0 ] && asuser="--user=root"
mariadb-install-db --no-defaults --datadir="$DB" $asuser --auth-root-authentication-method=normal \
    --skip-test-db > "$T/db-install.log" 2>&1
ok "mariadb-install-db: a throw-away data directory" test -d "$DB/mysql"
"$MARIADBD" --no-defaults --datadir="$DB" --socket="$SOCK" --skip-networking $asuser \
    --pid-file="$T/db.pid" --log-error="$T/db.err" --innodb-buffer-pool-size=16M \
    --skip-log-bin --innodb-flush-log-at-trx-commit=0 > "$T/db.out" 2>&1 &
DBPID=$!
at_exit "kill $DBPID; wait $DBPID"
ok "mariadbd listens on its unix socket" wait_until 20 eval 'mariadb --no-defaults -S "$SOCK" -u root -e "select 1"'
sqlx() { mariadb --no-defaults -S "$SOCK" -u root "$@"; }
sqlx < "$SCHEMA"
sqlx -e "CREATE USER 'opendmarc'@'localhost' IDENTIFIED BY 'opendmarc';
         GRANT ALL ON opendmarc.* TO 'opendmarc'@'localhost';"
ok "OpenDMARC's schema loaded" sqlx opendmarc -e "select count(*) from messages"
MYSQL_UNIX_PORT=$SOCK
export MYSQL_UNIX_PORT

# the importer on the plain file: no warning at all
"$IMPORT" --input="$T/history.plain" > "$T/import.plain.out" 2>&1
is "$?:$(cat "$T/import.plain.out")" "0:" "HistoryExtensions no: opendmarc-import imports and warns about nothing"
sqlx opendmarc -e "DELETE FROM signatures; DELETE FROM messages; DELETE FROM requests;"
# the importer on the default file: only the documented keywords
"$IMPORT" --input="$T/history" > "$T/import.out" 2>&1
is "$?" 0 "opendmarc-import imports our history"
warned=$(sed -n "s/^opendmarc-import: unknown key '\\([a-z_]*\\)'.*/\\1/p" "$T/import.out" | sort -u | tr '\n' ' ')
bad=""
for k in $warned; do case " $extra " in *" $k "*) ;; *) bad="$bad $k";; esac; done
is "$bad" "" "it warns only about our documented extra keywords ($warned)"
is "$(grep -v "unknown key" "$T/import.out")" "" "and says nothing else"
is "$(sqlx -N opendmarc -e 'select count(*) from messages')" 7 "seven messages in OpenDMARC's database"
is "$(sqlx -N opendmarc -e "select d.name from messages m join domains d on m.policy_domain = d.id where m.jobid = 'nodmarc'")" \
    "nodmarc.test" "policy_domain of the message without a DMARC record"

# the reporter, test mode (writes the XML, mails nothing); it insists on an
# SMTP greeting, so a sink answers on loopback
$PY - "$T/smtp.port" <<'PYEOF' &
import socket, sys, threading
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(5)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
def serve(c):
    f = c.makefile("rwb")
    f.write(b"220 sink ESMTP\r\n"); f.flush()
    for line in f:
        quit = line[:4].upper() == b"QUIT"
        f.write(b"221 bye\r\n" if quit else b"250 ok\r\n"); f.flush()
        if quit:
            break
    c.close()
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PYEOF
SINK=$!
at_exit "kill $SINK"
ok "SMTP sink up" wait_until 20 eval 'test -s "$T/smtp.port"'
mkdir -p "$T/rep"
(cd "$T/rep" && "$REPORTS" --test --report-email=reports@mx.od.test --report-org=mx.od.test \
    --smtp-server=127.0.0.1 --smtp-port="$(cat "$T/smtp.port")") > "$T/reports.out" 2>&1
is "$?" 0 "opendmarc-reports --test runs"
like "$(cat "$T/reports.out")" "would email od.test report for 6 records to agg@od.test" "one report for od.test, six records"
xml=$(ls "$T"/rep/*od.test*.xml 2>/dev/null | head -1)
ok "the report XML is kept" test -f "$xml"
ok "it is well-formed" xmllint --noout "$xml"
# OpenDMARC's expectations (RFC 7489 appendix C, DMARCResultType): pass or
# fail in policy_evaluated; per source IP the results we evaluated
got=$($PY - "$xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
bad = []
rows = {}
for rec in root.findall("record"):
    pe = rec.find("row/policy_evaluated")
    ip = rec.findtext("row/source_ip")
    for k in ("dkim", "spf"):
        if pe.findtext(k) not in ("pass", "fail"):
            bad.append("%s %s=%s" % (ip, k, pe.findtext(k)))
    dk = ",".join("%s/%s" % (d.findtext("domain"), d.findtext("result"))
                  for d in rec.findall("auth_results/dkim")) or "-"
    rows[ip] = "%s %s %s %s" % (pe.findtext("dkim"), pe.findtext("spf"),
                                rec.findtext("auth_results/spf/result"), dk)
print("invalid:" + (";".join(bad) or "none"))
for ip in sorted(rows):
    print(ip, rows[ip])
PYEOF
)
like "$got" "invalid:none" "no policy_evaluated dkim/spf other than pass or fail (no <dkim>unknown</dkim>)"
like "$got" "198.18.0.11 pass pass pass od.test/pass" "signed: dkim pass, spf pass"
like "$got" "198.18.0.12 fail pass pass -" "unsigned: dkim fail, spf pass"
like "$got" "198.18.0.13 fail fail fail -" "unsigned, SPF fail: fail fail"
like "$got" "198.18.0.15 fail pass pass other.test/pass" "other.test's signature: dkim fail, its result pass"
like "$got" "198.18.0.14 fail pass pass -" "null sender: dkim fail, spf pass (the HELO identity, aligned)"
done_testing
