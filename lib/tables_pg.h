/*
 * tables_pg.h - KeyTable and SigningTable read from a PostgreSQL table
 *
 * Spec:  pgsql:TABLE:CONNINFO
 *   TABLE     an SQL name, optionally schema-qualified: [A-Za-z_][A-Za-z0-9_]*
 *             (up to 63 characters), "." and a second such name
 *   CONNINFO  a libpq connection string, "key=value ..." or a
 *             postgresql:// URL; empty means libpq's defaults (PG* variables)
 * Columns (extra columns are ignored):
 *   KeyTable      name, domain, selector, keyfile    (rows ordered by name,
 *                 domain, selector); keyfile is the file form's KEY: a path
 *                 on each host, or the key itself when the operator chooses
 *   SigningTable  pattern, keyname, ord              (rows ordered by ord,
 *                 then pattern); pattern has the refile: wildcards ("*"),
 *                 keyname the file form's "KEYNAME[,KEYNAME...][:SIGNER]"
 * A row's position in that order is its "line" in messages.  The tables are
 * read once per engine (start and SIGHUP), never per message; the connection
 * is closed after the read.  connect_timeout defaults to 10 s and
 * statement_timeout to 10 s unless CONNINFO sets them.  Messages name
 * pgsql:TABLE, never CONNINFO (which may hold a password).
 */
#ifndef AUTHMILTER_TABLES_PG_H
#define AUTHMILTER_TABLES_PG_H

#include "buf.h"
#include "tables.h"

#define TABLES_PG_NAME_MAX	(2 * 63 + 2)

struct tables_pg_spec {
	char		table[TABLES_PG_NAME_MAX];	/* [schema.]name */
	const char     *conninfo;			/* points into the spec */
};

/* tables_pg_is - 1 when spec is a pgsql: spec */
int	tables_pg_is(const char *spec);
/* tables_pg_spec - split and check spec (the table name, the conninfo's
 * syntax; nothing is connected); -1 with the reason in err */
int	tables_pg_spec(const char *spec, struct tables_pg_spec *ps, struct buf *err);
/* tables_pg_check - conf row check for KeyTable/SigningTable: a pgsql:
 * spec must parse (other specs are checked when the engine reads them) */
int	tables_pg_check(const char *value, struct buf *err);
/* tables_pg_keytable / tables_pg_signtable - read the table into kt/st;
 * -1 with "pgsql:TABLE: why" in err (kt/st then empty) */
int	tables_pg_keytable(const char *spec, struct keytable *kt, struct buf *err);
int	tables_pg_signtable(const char *spec, struct signtable *st, struct buf *err);

#endif
