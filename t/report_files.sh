#!/bin/sh
# report_files.sh - the files the reporter and the daemon create, and the
# reporter's period options (issue 11 item 8, issue 12 item 4)
#
# Symlinks planted where the reporter writes (temporary report files in
# --outdir, the state file's temporary file, its lock, its spool) and at
# the daemon's PidFile are refused, and their targets stay untouched.
# --outdir is made (0750) when missing; --day YYYY-MM-DD reports that UTC
# day; with no period the reporter reports yesterday (UTC); --help prints
# the usage on standard output, ending with a newline.
. "${srcdir:-$(dirname "$0")}/lib.sh"
. "$srcdir/report_lib.sh"	# B: 2023-11-15 00:00 UTC
need "$RP" "$GEN" "$PY"
report_conf "$T/r.conf"
ok "generate" "$GEN" -n 300 -o "$T/h" -b $B
# rep OUTDIR STATE [ARGS] - a no-send run into OUTDIR
rep() {
	_o=$1 _s=$2
	shift 2
	"$RP" -c "$T/r.conf" --history "$T/h" --outdir "$_o" --no-send --state "$_s" \
	    --schema none "$@" 2>"$T/err"
}
echo "precious" > "$T/victim"
victim_ok() { [ "$(cat "$T/victim")" = precious ]; }

# --- --outdir is made when missing, 0750 --------------------------------------
ok "run into a missing --outdir" rep "$T/new/deeper/out" "$T/s0" --from $B --to $E
sed 's/^/# /' "$T/err" | head -5
is "$(ls "$T/new/deeper/out" | grep -c '\.xml\.gz$')" 3 "missing --outdir created, three reports in it"
is "$(stat -c %a "$T/new/deeper/out")" 750 "--outdir created with mode 0750"
mkdir "$T/out0"
rep "$T/out0" "$T/s0b" --from $B --to $E
names=$(ls "$T/out0")
rep "" "$T/s0c" --from $B --to $E
is "$?" 1 "an empty --outdir is refused"
touch "$T/plainfile"
rep "$T/plainfile" "$T/s0d" --from $B --to $E
is "$?" 1 "an --outdir that is a file is refused"
is "$(echo $names | wc -w)" 3 "the three report names (an existing --outdir)"

# --- a symlink at the old temporary name in --outdir --------------------------
mkdir "$T/out1"
for n in $names; do
	ln -s "$T/victim" "$T/out1/.$n.tmp"
done
ok "run with symlinks planted in --outdir" rep "$T/out1" "$T/s1" --from $B --to $E
is "$(ls "$T/out1" | grep -c '\.xml\.gz$')" 3 "three reports written"
ok "the planted symlinks' target is untouched" victim_ok
for n in $names; do
	ok "report $n is a regular file of ours" test -f "$T/out1/$n" -a ! -L "$T/out1/$n"
done

# --- the state file: its temporary file, its lock, its spool ------------------
# the temporary name held the reporter's pid: exec keeps the shell's pid
mkdir "$T/out2"
ok "run with a symlink at the state's temporary name" sh -c \
    'ln -s "$1/victim" "$1/s2.tmp.$$" && exec "$2" -c "$1/r.conf" --history "$1/h" \
    --outdir "$1/out2" --no-send --state "$1/s2" --schema none --from '$B' --to '$E' 2>"$1/err"' \
    - "$T" "$RP"
ok "the state file's target is untouched" victim_ok
like "$(cat "$T/s2" 2>/dev/null)" "report" "the state file was written"
ok "the state file is a regular file" test -f "$T/s2" -a ! -L "$T/s2"

mkdir "$T/out3"
ln -s "$T/lock-target" "$T/s3.lock"
rep "$T/out3" "$T/s3" --from $B --to $E
is "$?" 1 "a symlink at the lock name: the run fails"
like "$(cat "$T/err")" "s3.lock: is a symlink; refused" "and says why"
ok "the lock symlink's target was not created" test ! -e "$T/lock-target"

mkdir "$T/out4" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/s4.spool"
"$RP" -c "$T/r.conf" --history "$T/h" --outdir "$T/out4" --state "$T/s4" \
    --schema none --from $B --to $E 2>"$T/err"
is "$?" 1 "a symlink at the spool name: the run fails"
like "$(cat "$T/err")" "s4.spool is not a directory" "and says why"
is "$(ls "$T/elsewhere" | wc -l)" 0 "nothing written where the spool symlink points"

# --- --day and the default period ----------------------------------------------
mkdir "$T/day"
ok "--day 2023-11-15" rep "$T/day" "$T/s5" --day 2023-11-15
is "$(ls "$T/day" | cut -d! -f3,4 | sort -u)" "$B!$((E - 1))" "--day: the UTC day, 00:00:00 to 23:59:59"
is "$(ls "$T/day" | wc -l)" 3 "--day: three reports"
rep "$T/day" "$T/s5" --day 2023-11-31
is "$?" 64 "--day with an impossible date: usage error"
rep "$T/day" "$T/s5" --day 2023-11-15 --from $B --to $E
is "$?" 64 "--day with --from/--to: usage error"

# yesterday, UTC (computed on both sides of the run: midnight may pass)
y1=$(( $(date -u +%s) / 86400 * 86400 - 86400 ))
ok "generate yesterday's records" "$GEN" -n 50 -o "$T/hy" -b $y1
mkdir "$T/yest"
"$RP" -c "$T/r.conf" --history "$T/hy" --outdir "$T/yest" --no-send --state "$T/s6" \
    --schema none 2>"$T/err"
y2=$(( $(date -u +%s) / 86400 * 86400 - 86400 ))
got=$(ls "$T/yest" | cut -d! -f3,4 | sort -u)
case "$got" in
"$y1!$((y1 + 86399))"|"$y2!$((y2 + 86399))") ok "no period: yesterday, UTC ($got)" true ;;
*) ok "no period: yesterday, UTC (got '$got', want $y1!$((y1 + 86399)))" false ;;
esac

# --- usage ---------------------------------------------------------------------
out=$("$RP" --help; echo "rc=$?")
like "$out" "--day YYYY-MM-DD" "--help names --day"
like "$out" "rc=0\$" "--help exits 0"
ok "--help output ends with a newline" sh -c '"$1" --help | tail -c1 | od -c | grep -q "\\\\n"' - "$RP"
ok "usage error output ends with a newline" sh -c '"$1" --bogus 2>&1 | tail -c1 | od -c | grep -q "\\\\n"' - "$RP"

# --- the daemon's PidFile --------------------------------------------------------
AM="$top_builddir/milter/authmilter"
if [ -x "$AM" ]; then
	MPORT=$(free_port)
	ln -s "$T/victim" "$T/am.pid"
	printf 'Socket inet:%s@127.0.0.1\nBackground no\nSyslog no\nAllowRootOperation yes\nPidFile %s\n' \
	    "$MPORT" "$T/am.pid" > "$T/am.conf"
	"$AM" -f -c "$T/am.conf" > "$T/am.log" 2>&1 &
	apid=$!
	at_exit "kill $apid"
	# it exits, or it listens (then it followed the link: stop it)
	for _i in $(seq 1 100); do
		kill -0 $apid 2>/dev/null || break
		if $PY -c "import socket; socket.create_connection(('127.0.0.1',$MPORT),0.2).close()" 2>/dev/null; then
			kill $apid
			break
		fi
		sleep 0.1
	done
	wait $apid
	is "$?" 1 "a symlink at the PidFile: the daemon refuses to start"
	like "$(cat "$T/am.log")" "PidFile $T/am.pid" "and says which file"
	ok "the PidFile symlink's target is untouched" victim_ok
fi

done_testing
