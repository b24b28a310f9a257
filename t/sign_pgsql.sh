#!/bin/sh
# sign_pgsql.sh - KeyTable and SigningTable in PostgreSQL (issue 15 item 3),
# against a real server (a throw-away cluster under the test folder) and
# the daemon over the milter protocol, signatures verified by dkimpy: rows
# sign; an UPDATE and SIGHUP change the selector and key; the SigningTable's
# ord column orders the patterns; a stopped server keeps the running tables
# at SIGHUP and the log says why; start-up and "authmilter -n" refuse an
# unreachable database naming file:line; spec syntax errors name file:line;
# the connection string (a password) never reaches the log
. "$srcdir/lib.sh"
. "$srcdir/sign_lib.sh"
. "$srcdir/pg_lib.sh"
sign_need "dkim, nacl"
pg_start "$T/pg" || skip_all "$PG_WHY"
D=pg.example
sign_keys $D old:rsa2048 new:rsa2048 ed:ed25519
dns_start "$T/zone.conf" || skip_all "cannot start unbound"
pg_psql "$PG_URL" "$(cat "$top_srcdir/contrib/keytable.sql")" ||
	{ echo "Bail out! contrib/keytable.sql does not load"; exit 1; }
pg_psql "$PG_URL" "INSERT INTO dkim_keys VALUES ('main', '$D', 'old', '$K/old.key'),
	('edkey', '$D', 'ed', '$K/ed.key');
	INSERT INTO dkim_signing VALUES ('*@$D', 'main', 10), ('*', 'edkey', 20);"

# both conninfo forms: a URL (with a password trust ignores, which must not
# be logged) and key=value words
MPORT=$(free_port)
{
	conf_base "inet:$MPORT@127.0.0.1" mx.test.example
	printf 'InternalHosts 127.0.0.1, 198.18.1.0/24\n'
	printf 'KeyTable pgsql:dkim_keys:%s&password=s3cr3t-pw\n' "$PG_URL"
	printf 'SigningTable pgsql:public.dkim_signing:host=%s user=am dbname=amtest\n' "$PG_SOCK"
} > "$T/a.conf"
KT_LINE=$(grep -n '^KeyTable' "$T/a.conf" | cut -d: -f1)
milter_start "$T/a.conf"
rc=$?
is "$rc" 0 "the daemon starts with both tables in PostgreSQL"
if [ "$rc" != 0 ]; then
	sed 's/^/# /' "$T/milter.log"
	echo "Bail out! authmilter did not start"
	exit 1
fi
printf 'From: Carol <carol@%s>\r\nTo: dave@rcpt.test\r\nSubject: pgsql\r\nDate: Mon, 23 Nov 2026 12:00:00 +0000\r\nMessage-ID: <p1@%s>\r\n\r\nSigned from tables in PostgreSQL.\r\n' $D $D > "$T/m.eml"
sign() { sign_via "$1" "$MPORT" "$T/m.eml" carol@$D; }

out=$(sign first)
is "$(echo "$out" | grep -c ' pass ')" 1 "table rows sign: one signature (first pattern by ord)"
like "$out" "pass a=rsa-sha256 d=$D s=old" "the KeyTable row's selector and key file, verified by dkimpy"

pg_psql "$PG_URL" "UPDATE dkim_keys SET selector = 'new', keyfile = '$K/new.key' WHERE name = 'main'"
out=$(sign stale)
like "$out" "s=old" "an UPDATE alone changes nothing: the tables are read at start and SIGHUP only"
ok "SIGHUP after the UPDATE: the daemon logs the reload outcome" milter_reload
like "$(tail -1 "$T/milter.log")" "configuration reloaded" "the reload succeeded"
out=$(sign second)
like "$out" "pass a=rsa-sha256 d=$D s=new" "after UPDATE + SIGHUP: the new selector and key, verified"

pg_psql "$PG_URL" "UPDATE dkim_signing SET ord = 5 WHERE keyname = 'edkey'"
ok "SIGHUP after reordering" milter_reload
out=$(sign third)
is "$(echo "$out" | grep -c ' pass ')" 1 "one signature"
like "$out" "pass a=ed25519-sha256 d=$D s=ed" "the ord column decides which pattern matches first"

pg_psql "$PG_URL" "INSERT INTO dkim_signing VALUES ('*@x.$D', 'nokey', 1)"
ok "SIGHUP with a row naming a missing key" milter_reload
like "$(cat "$T/milter.log")" "reload failed, keeping the running configuration: SigningTable: pgsql:public.dkim_signing:1: key \"nokey\" is not in the KeyTable" \
    "a bad row: the reload is refused, naming the table and the row"
pg_psql "$PG_URL" "DELETE FROM dkim_signing WHERE keyname = 'nokey'"

pg_stop
ok "SIGHUP with the server stopped" milter_reload
like "$(cat "$T/milter.log")" "reload failed, keeping the running configuration: $T/a.conf:$KT_LINE: KeyTable: pgsql:dkim_keys: cannot connect: .*$T/pg" \
    "server down at SIGHUP: the log says why (file:line, libpq's message naming the socket)"
out=$(sign fourth)
like "$out" "pass a=ed25519-sha256 d=$D s=ed" "and the running tables still sign"
milter_stop

"$AM" -n -c "$T/a.conf" > "$T/n.out" 2>&1
rc=$?
like "rc=$rc $(cat "$T/n.out")" "^rc=1 .*$T/a.conf:$KT_LINE: KeyTable: pgsql:dkim_keys: cannot connect: .*(No such file|refused)" \
    "authmilter -n reports the unreachable database with file:line and libpq's reason"
"$AM" -f -c "$T/a.conf" > "$T/start.out" 2>&1
rc=$?
like "rc=$rc $(cat "$T/start.out")" "^rc=[1-9].*$T/a.conf:$KT_LINE: KeyTable: pgsql:dkim_keys: cannot connect" \
    "the daemon refuses to start without its database"
is "$(cat "$T/milter.log" "$T/n.out" "$T/start.out" | grep -c s3cr3t-pw)" 0 \
    "the connection string's password is never logged"

# spec syntax: config errors with file:line, no connection tried
bad() {
	{ conf_base "inet:$MPORT@127.0.0.1" mx.test.example; printf '%s\n' "$1"; } > "$T/bad.conf"
	"$AM" -n -c "$T/bad.conf" > "$T/bad.out" 2>&1
	like "rc=$? $(cat "$T/bad.out")" "^rc=1 .*$T/bad.conf:8: $2" "$3"
}
bad "KeyTable pgsql:dkim keys:dbname=x" "KeyTable: want pgsql:TABLE:CONNINFO" "a table name with a space"
bad "SigningTable pgsql:dkim_signing" "SigningTable: want pgsql:TABLE:CONNINFO" "no CONNINFO part"
bad "KeyTable pgsql:k;drop:dbname=x" "KeyTable: want pgsql:TABLE:CONNINFO" "SQL in the table name"
bad "KeyTable pgsql:k:host=x dbname" "KeyTable: pgsql:k: bad connection string: missing \"=\"" \
    "a bad connection string, libpq's words"
bad "KeyTable pgsql:k:postgresql://h/db?nosuchoption=1" "KeyTable: pgsql:k: bad connection string: invalid URI query parameter" \
    "a bad URL parameter"
{ conf_base "inet:$MPORT@127.0.0.1" mx.test.example; printf 'KeyTable dsn:pgsql://u@h/db/table=k\nSigningTable refile:%s/st\n' "$T"; } > "$T/dsn.conf"
"$AM" -n -c "$T/dsn.conf" > "$T/dsn.out" 2>&1
like "rc=$? $(cat "$T/dsn.out")" "^rc=1 .*unsupported data set type \"dsn:\" \(use a file, refile:PATH or pgsql:TABLE:CONNINFO\)" \
    "OpenDKIM's dsn: is refused, the message points to pgsql:"
done_testing
