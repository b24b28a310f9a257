# t/pg_lib.sh - a throw-away PostgreSQL server for the tests and benchmarks
# (sourced after lib.sh or on its own)
#
#   pg_start DIR [SERVER-OPTION...]  initdb a cluster in DIR (as the
#                   postgres user when run as root: the server refuses
#                   root), start it on a UNIX socket in DIR only
#                   (listen_addresses ''), create database "amtest";
#                   sets PG_URL, PG_SOCK; returns 1 with PG_WHY when the
#                   server cannot be set up or started
#   pg_createdb NAME    another empty database; prints its URL
#   pg_psql URL SQL     psql, unaligned, tuples only, no psqlrc
#   pg_stop             stop the server (immediate)

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

pg_start() {
	PG_DIR=$1
	shift
	PG_BIN=$(pg_bindir)
	if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
		PG_WHY="no PostgreSQL server (Debian package postgresql)"
		return 1
	fi
	mkdir -p "$PG_DIR"
	PG_AS=""
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || { PG_WHY="no postgres user to run the server as"; return 1; }
		chown postgres: "$PG_DIR"
		PG_AS="runuser -u postgres --"
	fi
	if ! $PG_AS "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U am -E UTF8 --locale=C.UTF-8 \
	    --no-sync >"$PG_DIR/initdb.log" 2>&1; then
		PG_WHY="initdb failed: $(tail -1 "$PG_DIR/initdb.log")"
		return 1
	fi
	_pg_opts="-c listen_addresses='' -c unix_socket_directories='$PG_DIR' -c fsync=on $*"
	if ! $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 120 \
	    -o "$_pg_opts" start >"$PG_DIR/pg_ctl.log" 2>&1; then
		PG_WHY="the server did not start: $(tail -1 "$PG_DIR/server.log" 2>/dev/null)"
		return 1
	fi
	PG_SOCK=$PG_DIR
	if command -v at_exit >/dev/null 2>&1; then at_exit pg_stop; fi
	PG_URL=$(pg_createdb amtest) || { PG_WHY="createdb failed"; return 1; }
}

pg_createdb() {
	"$PG_BIN/createdb" -h "$PG_SOCK" -U am "$1" >/dev/null || return 1
	echo "postgresql:///$1?host=$PG_SOCK&user=am"
}

pg_psql() {
	_u=$1
	shift
	"$PG_BIN/psql" -X -A -t -q -v ON_ERROR_STOP=1 -d "$_u" -c "$*"
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ] &&
	    $PG_AS "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1
	return 0
}

# pg_skipped - the PostgreSQL cases counted as one skip, with the reason
pg_skipped() {
	echo "# PostgreSQL cases skipped: $PG_WHY"
	_report 0 "# SKIP PostgreSQL: $PG_WHY"
}

# on_both FUNC - FUNC sqlite, then FUNC pg against a throw-away server in
# $T/pg (pg_skipped when it cannot start): the same cases on both back ends
on_both() {
	"$1" sqlite
	if pg_start "$T/pg"; then
		"$1" pg
	else
		pg_skipped
	fi
}
