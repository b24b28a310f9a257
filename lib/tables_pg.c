/*
 * tables_pg.c - KeyTable and SigningTable rows from PostgreSQL (tables_pg.h)
 *
 * The rows go through the same validation as the file forms'
 * (tables_keytable_row, tables_signtable_row), so a table read from the
 * database and one read from a file make the same snapshot.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "tables_pg.h"

/* table columns, in the order the callbacks receive them */
#define KT_SQL	"SELECT name, domain, selector, keyfile FROM %s ORDER BY name, domain, selector"
#define ST_SQL	"SELECT pattern, keyname FROM %s ORDER BY ord, pattern"

/* tables_pg_is - see tables_pg.h */
int
tables_pg_is(const char *spec)
{
	return strncmp(spec, "pgsql:", 6) == 0;
}

/* ident_len - length of an SQL name [A-Za-z_][A-Za-z0-9_]* at s, 0 if none */
static size_t
ident_len(const char *s)
{
	size_t n = 0;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* add_pq_error - libpq's message on one line: each run of control
 * characters and blanks becomes one space, none at the end */
static void
add_pq_error(struct buf *err, const char *msg)
{
	const char *p;
	int gap = 0;

	for (p = msg && *msg ? msg : "unknown error"; *p; p++) {
		if (iscntrl((unsigned char)*p) || *p == ' ') {
			gap = 1;
			continue;
		}
		if (gap)
			buf_addc(err, ' ');
		gap = 0;
		buf_addc(err, *p);
	}
}

/* tables_pg_spec - see tables_pg.h */
int
tables_pg_spec(const char *spec, struct tables_pg_spec *ps, struct buf *err)
{
	const char *t = spec + 6, *p = t;
	char *msg = NULL;
	PQconninfoOption *opts;
	size_t n;

	if ((n = ident_len(p)) == 0 || n > 63)
		goto bad_name;
	p += n;
	if (*p == '.') {
		if ((n = ident_len(++p)) == 0 || n > 63)
			goto bad_name;
		p += n;
	}
	if (*p != ':')
		goto bad_name;
	memcpy(ps->table, t, (size_t)(p - t));
	ps->table[p - t] = '\0';
	ps->conninfo = p + 1;
	if ((opts = PQconninfoParse(ps->conninfo, &msg)) == NULL) {
		buf_printf(err, "pgsql:%s: bad connection string: ", ps->table);
		add_pq_error(err, msg ? msg : "out of memory");
		PQfreemem(msg);
		return -1;
	}
	PQconninfoFree(opts);
	return 0;
bad_name:
	buf_adds(err, "want pgsql:TABLE:CONNINFO, TABLE a name of letters, digits and "
	    "\"_\" (up to 63), optionally SCHEMA.TABLE");
	return -1;
}

/* tables_pg_check - see tables_pg.h */
int
tables_pg_check(const char *value, struct buf *err)
{
	struct tables_pg_spec ps;

	return tables_pg_is(value) ? tables_pg_spec(value, &ps, err) : 0;
}

/* pg_connect - a connection with bounded waits; NULL with err */
static PGconn *
pg_connect(const struct tables_pg_spec *ps, struct buf *err)
{
	/* later keywords win: CONNINFO (expanded from dbname) may override ours */
	static const char *const kw[] = { "connect_timeout", "options", "application_name",
	    "dbname", NULL };
	const char *val[] = { "10", "-c statement_timeout=10000", "authmilter", ps->conninfo,
	    NULL };
	PGconn *db = PQconnectdbParams(kw, val, 1);

	if (db != NULL && PQstatus(db) == CONNECTION_OK)
		return db;
	buf_printf(err, "pgsql:%s: cannot connect: ", ps->table);
	add_pq_error(err, db ? PQerrorMessage(db) : "out of memory");
	PQfinish(db);
	return NULL;
}

/* row callback: the row's position (from 1) and its text columns */
typedef const char *(*row_fn)(void *arg, size_t row, char **col);

/* pg_read - run the query (sql with the table name for %s) and hand each
 * row to fn; 0, or -1 with "pgsql:TABLE: why" in err */
static int
pg_read(const char *spec, const char *sql, int ncol, row_fn fn, void *arg, struct buf *err)
{
	struct tables_pg_spec ps;
	struct buf q = BUF_INIT;
	PGconn *db;
	PGresult *res;
	const char *why = NULL;
	char *col[4];
	int i, j, rc = -1;

	if (tables_pg_spec(spec, &ps, err) != 0 || (db = pg_connect(&ps, err)) == NULL)
		return -1;
	buf_init(&q);
	buf_printf(&q, sql, ps.table);
	res = PQexec(db, q.data);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != ncol) {
		buf_printf(err, "pgsql:%s: reading the table: ", ps.table);
		add_pq_error(err, PQresultErrorMessage(res));
		goto out;
	}
	for (i = 0; i < PQntuples(res) && why == NULL; i++) {
		for (j = 0; j < ncol && why == NULL; j++)
			if (PQgetisnull(res, i, j))
				why = "a column is NULL";
			else
				col[j] = PQgetvalue(res, i, j);
		if (why == NULL)
			why = fn(arg, (size_t)i + 1, col);
		if (why != NULL)
			buf_printf(err, "pgsql:%s:%d: %s", ps.table, i + 1, why);
	}
	rc = why == NULL ? 0 : -1;
out:
	PQclear(res);
	PQfinish(db);
	buf_free(&q);
	return rc;
}

/* kt_row - one KeyTable row: name, domain, selector, keyfile */
static const char *
kt_row(void *arg, size_t row, char **col)
{
	return tables_keytable_row(arg, row, col[0], col[1], col[2], col[3]);
}

/* st_row - one SigningTable row: pattern, keyname */
static const char *
st_row(void *arg, size_t row, char **col)
{
	return tables_signtable_row(arg, row, col[0], col[1]);
}

/* tables_pg_keytable - see tables_pg.h */
int
tables_pg_keytable(const char *spec, struct keytable *kt, struct buf *err)
{
	memset(kt, 0, sizeof(*kt));
	if (pg_read(spec, KT_SQL, 4, kt_row, kt, err) == 0)
		return 0;
	tables_keytable_free(kt);
	return -1;
}

/* tables_pg_signtable - see tables_pg.h; wildcard patterns tried in order,
 * as in a refile: table */
int
tables_pg_signtable(const char *spec, struct signtable *st, struct buf *err)
{
	memset(st, 0, sizeof(*st));
	st->refile = 1;
	if (pg_read(spec, ST_SQL, 2, st_row, st, err) == 0)
		return 0;
	tables_signtable_free(st);
	return -1;
}
