#!/bin/sh
# store.sh - the storage layer and the history import (issue 15 items 1
# and 4), the same cases against SQLite and a real PostgreSQL server
# (a throw-away cluster under the test folder): migrations, import counts,
# re-import, torn records, rotation, truncation, concurrent imports,
# kill -9 and re-run, unreachable databases
. "$srcdir/lib.sh"
. "$srcdir/pg_lib.sh"
R="$top_builddir/report/authmilter-report"
GEN="$builddir/report_gen"
SQL="$top_srcdir/report/sql"
[ -x "$R" ] || skip_all "authmilter-report not built"
[ -x "$GEN" ] || skip_all "report_gen not built"
need sqlite3 gzip

# every column but the file's id (assigned in the order files were first
# seen, which concurrency may change), raw in hex; one row per record
DUMP_COLS="f.host, f.ident, f.pos, f.records, f.skipped, h.pos, h.job, h.reporter, h.received,
 h.ipaddr, h.from_domain, h.mfrom, h.dkim, h.spf, h.spf_scope, h.pdomain, h.policy, h.rua,
 h.pct, h.adkim, h.aspf, h.p, h.sp, h.fo, h.align_dkim, h.align_spf, h.arc, h.arc_policy,
 h.action, h.helo, h.discovery, h.np, h.testing, h.override, h.country, h.asn, h.asorg"
DUMP_FROM="FROM history h JOIN import_file f ON f.id = h.file_id ORDER BY f.host, f.ident, h.pos"

# per back end: new_db NAME (prints a URL), q URL SQL, dump URL
sqlite_new_db() { echo "sqlite:$T/$1.db"; }
sqlite_q() { sqlite3 "${1#sqlite:}" "$2"; }
sqlite_dump() { sqlite_q "$1" "SELECT $DUMP_COLS, hex(h.raw) $DUMP_FROM"; }
pg_new_db() { pg_createdb "$1"; }
pg_q() { pg_psql "$1" "$2"; }
pg_dump() { pg_q "$1" "SELECT $DUMP_COLS, upper(encode(h.raw, 'hex')) $DUMP_FROM"; }

init() { "$R" db-init --db "$1" --sql-dir "$SQL" >/dev/null; }
imp() { _u=$1; shift; "$R" import --db "$_u" --host mx1 "$@"; }
count() { $B"_q" "$1" "SELECT count(*) FROM history"; }
# records - whole records in a history file: its action lines
records() { grep -c '^action ' "$@" | awk -F: '{ s += $NF } END { print s }'; }

case_migrations() {
	u=$($B"_new_db" mig)
	out=$("$R" db-upgrade --db "$u" --sql-dir "$SQL" 2>&1); rc=$?
	is "$rc" 78 "$B: db-upgrade of an empty database exits 78"
	like "$out" "no authmilter schema: run authmilter-report db-init" "$B: and says to run db-init"
	out=$("$R" db-init --db "$u" --sql-dir "$SQL" --to 1 2>&1)
	is "$out" "$B_name: schema version 0 -> 1" "$B: db-init --to 1"
	is "$($B"_q" "$u" "SELECT count(*) FROM authmilter_schema")" 1 "$B: one version recorded"
	out=$(imp "$u" "$H1" 2>&1); rc=$?
	is "$rc" 78 "$B: import refuses an older schema"
	like "$out" "version 1 is older than this program's \(6\): run authmilter-report db-upgrade" "$B: and says what to run"
	out=$("$R" db-upgrade --db "$u" --sql-dir "$SQL" 2>&1)
	is "$out" "$B_name: schema version 1 -> 6" "$B: db-upgrade applies versions 2 to 6"
	out=$("$R" db-upgrade --db "$u" --sql-dir "$SQL" 2>&1)
	is "$out" "$B_name: schema version 6, nothing to do" "$B: db-upgrade again: nothing to do"
	out=$("$R" db-init --db "$u" --sql-dir "$SQL" 2>&1)
	is "$out" "$B_name: schema version 6, nothing to do" "$B: db-init on an initialised database: nothing to do"
	is "$($B"_q" "$u" "SELECT version, name FROM authmilter_schema ORDER BY version" | tr '\n' ' ')" \
		"1|001-history 2|002-history-received 3|003-ingest 4|004-report-claim 5|005-alerts 6|006-sources " "$B: the version table"
	$B"_q" "$u" "INSERT INTO authmilter_schema VALUES (7, '007-future', 0)" >/dev/null
	out=$("$R" db-upgrade --db "$u" --sql-dir "$SQL" 2>&1); rc=$?
	is "$rc" 78 "$B: db-upgrade refuses a newer database (exit 78)"
	like "$out" "schema version 7 is newer than this program's \(6\)" "$B: and says so"
	out=$(imp "$u" "$H1" 2>&1); rc=$?
	is "$rc/$($B"_q" "$u" "SELECT count(*) FROM history")" "78/0" "$B: import refuses a newer database, stores nothing"
	like "$out" "schema version 7 is newer" "$B: import says why"
}

case_import() {
	u=$($B"_new_db" imp)
	init "$u"
	out=$(imp "$u" "$H1")
	is "$(count "$u")" "$(records "$H1")" "$B: import stores every whole record of the file"
	like "$out" "h1: $(records "$H1") records imported, 1 skipped, at offset $(wc -c < "$H1" | tr -d ' ')" "$B: import reports what it did (the torn record in the middle: skipped)"
	imp "$u" "$H1" >/dev/null
	is "$(count "$u")" "$(records "$H1")" "$B: importing the file again adds nothing"
	is "$($B"_q" "$u" "SELECT job, received, ipaddr, pdomain, policy, action, p, dkim, rua FROM history ORDER BY pos LIMIT 1")" \
		"$(awk '/^job /{n++} n==1' "$H1" | $PY -c '
import sys
f = {}
for l in sys.stdin.read().splitlines():
    k, _, v = l.partition(" ")
    f.setdefault(k, []).append(v)
print("|".join([f["job"][0], f["received"][0], f["ipaddr"][0], f["pdomain"][0], f["policy"][0],
    f["action"][0], chr(int(f["p"][0])), "\n".join(f.get("dkim", [])), "\n".join(x for x in f["rua"] if x != "-")]))')" \
		"$B: the first record's fields, as the file says"
	is "$($B"_q" "$u" "SELECT pos, records FROM import_file")" "$(wc -c < "$H1" | tr -d ' ')|$(records "$H1")" \
		"$B: the progress row: the whole file, every record"
	DUMPS="$DUMPS $T/$B.import.dump"
	$B"_dump" "$u" > "$T/$B.import.dump"
}

case_torn() {
	u=$($B"_new_db" torn)
	init "$u"
	cp "$H1" "$T/torn"
	"$GEN" -n 1 -r 99 -b 1700100000 -o "$T/one"
	head -c 100 "$T/one" >> "$T/torn"	# a record cut mid-line
	imp "$u" "$T/torn" >/dev/null
	is "$(count "$u")" "$(records "$H1")" "$B: a torn last record is not stored"
	tail -c +101 "$T/one" | head -c -9 >> "$T/torn"	# whole lines, no action line yet
	imp "$u" "$T/torn" >/dev/null
	is "$(count "$u")" "$(records "$H1")" "$B: a last record without its action line waits"
	tail -c 9 "$T/one" >> "$T/torn"
	imp "$u" "$T/torn" >/dev/null
	is "$(count "$u")" "$(($(records "$H1") + 1))" "$B: completed later, it is stored once"
	is "$($B"_q" "$u" "SELECT length(raw) FROM history WHERE received >= 1700100000")" \
		"$(wc -c < "$T/one" | tr -d ' ')" "$B: the completed record, whole"
	imp "$u" "$T/torn" >/dev/null
	is "$(count "$u")" "$(($(records "$H1") + 1))" "$B: and not again"
}

case_rotation() {
	u=$($B"_new_db" rot)
	init "$u"
	"$GEN" -n 300 -r 11 -b 1700200000 -o "$T/h"
	imp "$u" "$T/h" >/dev/null
	"$GEN" -n 200 -r 15 -b 1700300000 -o "$T/more"
	cat "$T/more" >> "$T/h"
	mv "$T/h" "$T/h.1"
	"$GEN" -n 150 -r 17 -b 1700400000 -o "$T/h"
	imp "$u" "$T/h" "$T/h.1" >/dev/null
	is "$(count "$u")" 650 "$B: rotated file resumes, the new one starts at 0 (300 + 200 + 150)"
	gzip -c "$T/h.1" > "$T/h.2.gz"
	imp "$u" "$T/h.2.gz" >/dev/null
	is "$(count "$u")" 650 "$B: the rotated file compressed keeps its progress"
	cp "$T/h" "$T/copy"
	imp "$u" "$T/copy" >/dev/null
	is "$(count "$u")" 650 "$B: a copy of a file keeps its progress"
	is "$($B"_q" "$u" "SELECT count(*) FROM import_file")" 2 "$B: two files known"
}

case_truncation() {
	u=$($B"_new_db" trunc)
	init "$u"
	"$GEN" -n 300 -r 21 -b 1700500000 -o "$T/t"
	imp "$u" "$T/t" >/dev/null
	: > "$T/t"
	out=$(imp "$u" "$T/t")
	like "$out" "no whole record yet" "$B: an emptied file: nothing to do"
	"$GEN" -n 40 -r 25 -b 1700600000 -o "$T/t2"
	cat "$T/t2" >> "$T/t"
	imp "$u" "$T/t" >/dev/null
	is "$(count "$u")" 340 "$B: a truncated file's new records start over at 0"
	"$GEN" -n 10 -r 27 -b 1700700000 -o "$T/t3"
	cat "$T/t3" > "$T/t"	# replaced by a shorter file
	imp "$u" "$T/t" >/dev/null
	is "$(count "$u")" 350 "$B: a replaced file is a new file"
}

case_concurrent() {
	u=$($B"_new_db" conc)
	init "$u"
	imp "$u" --batch 500 "$C1" "$C2" "$C3" >"$T/c1.out" 2>&1 &
	p1=$!
	imp "$u" --batch 700 "$C3" "$C2" "$C1" >"$T/c2.out" 2>&1 &
	p2=$!
	imp "$u" --host mx2 --batch 300 "$C2" >"$T/c3.out" 2>&1 &
	p3=$!
	wait $p1; r1=$?
	wait $p2; r2=$?
	wait $p3; r3=$?
	is "$r1/$r2/$r3" "0/0/0" "$B: three imports at once succeed"
	[ "$r1$r2$r3" = 000 ] || sed 's/^/# /' "$T/c1.out" "$T/c2.out" "$T/c3.out"
	want=$(($(records "$C1" "$C2" "$C3") + $(records "$C2")))
	is "$(count "$u")" "$want" "$B: same counts as one import per host"
	v=$($B"_new_db" seq)
	init "$v"
	imp "$v" "$C1" "$C2" "$C3" >/dev/null
	imp "$v" --host mx2 "$C2" >/dev/null
	$B"_dump" "$u" > "$T/conc.dump"
	$B"_dump" "$v" > "$T/seq.dump"
	ok "$B: concurrent imports: the same database as one clean run" cmp "$T/conc.dump" "$T/seq.dump"
}

case_kill() {
	u=$($B"_new_db" kill)
	init "$u"
	imp "$u" --batch 2000 "$K" >/dev/null 2>&1 &
	pid=$!
	wait_until 120 has_rows "$u"
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	echo "# $B: killed after $(count "$u") of $(records "$K") records"
	imp "$u" "$K" >/dev/null
	v=$($B"_new_db" clean)
	init "$v"
	imp "$v" "$K" >/dev/null
	$B"_dump" "$u" > "$T/kill.dump"
	$B"_dump" "$v" > "$T/clean.dump"
	is "$(count "$u")" "$(records "$K")" "$B: kill -9, then a re-run: every record once"
	ok "$B: kill -9 and a re-run: the same database as one clean run" cmp "$T/kill.dump" "$T/clean.dump"
}
has_rows() { [ "$(count "$1" 2>/dev/null)" -gt 0 ] 2>/dev/null; }

run_cases() {
	B=$1
	B_name=$2
	case_migrations
	case_import
	case_torn
	case_rotation
	case_truncation
	case_concurrent
	case_kill
}

# the histories: a small one with a torn tail, three for concurrency, one
# big enough to be killed mid-way
"$GEN" -n 2000 -r 1 -o "$T/h1" --torn --hostile
H1="$T/h1"
printf 'job 8bit\nreporter mx\nreceived 1700000001\nipaddr 192.0.2.8\nfrom caf\351.example\nmfrom x\nspf 0\npdomain caf\351.example\npolicy 15\nrua -\npct 100\np 114\nalign_dkim 4\nalign_spf 4\naction 2\n' > "$T/8bit"
"$GEN" -n 10 -r 2 -o "$T/h1b"
echo >> "$H1"	# the torn record ends: a malformed record now, skipped
cat "$T/8bit" "$T/h1b" >> "$H1"	# a record with bytes that are not UTF-8, after the torn one
"$GEN" -n 20000 -r 31 -b 1700000000 -o "$T/c1"
"$GEN" -n 20000 -r 35 -b 1700000000 -o "$T/c2"
"$GEN" -n 20000 -r 37 -b 1700000000 -o "$T/c3"
C1="$T/c1"; C2="$T/c2"; C3="$T/c3"
"$GEN" -n 200000 -r 41 -o "$T/k"
K="$T/k"
DUMPS=""

run_cases sqlite sqlite
if pg_start "$T/pg"; then
	run_cases pg postgresql
	ok "SQLite and PostgreSQL hold the same rows for the same file" cmp $DUMPS
	is "$(pg_psql "$PG_URL" "SELECT 1")" 1 "the test server still answers"
else
	pg_skipped
fi

# errors: exit status and a message, whatever the back end
out=$("$R" import --db "postgresql:///x?host=$T/nowhere&user=am" "$H1" 2>&1); rc=$?
is "$rc" 1 "unreachable PostgreSQL: exit 1"
like "$out" "postgresql: cannot connect: .*nowhere" "unreachable PostgreSQL: the reason"
out=$("$R" db-init --db "host=$T/nowhere dbname=x" 2>&1); rc=$?
like "$rc $out" "^1 .*postgresql: cannot connect" "libpq key=value form: PostgreSQL, unreachable"
out=$("$R" db-init --db "sqlite:$T/no/such/dir/x.db" --sql-dir "$SQL" 2>&1); rc=$?
like "$rc $out" "^1 .*sqlite: .*no/such/dir/x.db: unable to open" "SQLite file that cannot be created: exit 1, named"
out=$("$R" import "$H1" 2>&1); rc=$?
is "$rc" 64 "import without --db: usage, exit 64"
init "sqlite:$T/err.db"
out=$("$R" import --db "sqlite:$T/err.db" "$T/missing" "$H1" 2>&1); rc=$?
like "$rc $out" "^1 .*missing: No such file" "a missing history file: exit 1, named"
like "$out" "h1: [0-9]+ records imported" "the other files are still imported"
out=$("$R" db-init --db "sqlite:$T/sqlerr.db" --sql-dir "$T/nosql" 2>&1); rc=$?
like "$rc $out" "^1 .*nosql/001-history.sql.*applying 001-history" "no SQL files: exit 1, the file named"
mkdir "$T/badsql"
cp "$SQL"/*.sql "$T/badsql/"
printf 'CREATE TABLE partial (x integer);\nSELEC oops;\n' >> "$T/badsql/002-history-received.sqlite.sql"
out=$("$R" db-init --db "sqlite:$T/bad.db" --sql-dir "$T/badsql" 2>&1); rc=$?
like "$rc $out" "^1 .*applying 002-history-received" "a failing migration: exit 1, named"
is "$(sqlite3 "$T/bad.db" "SELECT max(version) FROM authmilter_schema; SELECT count(*) FROM sqlite_master WHERE name IN ('partial', 'history_received')")" \
	"$(printf '1\n0')" "a failing migration leaves nothing of itself behind (version 1 stays)"
done_testing
