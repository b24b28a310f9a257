/*
 * store_pg.c - the PostgreSQL back end of the storage layer (store.h), on
 * libpq
 *
 * Statements are server-side prepared (PQprepare) under names local to the
 * connection; bulk loads are COPY ... FROM STDIN in binary format, sent in
 * chunks (PQputCopyData), so values need no escaping and the server parses
 * no text.  The client encoding is UTF8: text values must be UTF-8.
 * I/O: a connection to the server.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_int.h"

#define PG_COPY_CHUNK	(256 * 1024)	/* bytes buffered before PQputCopyData */

struct pg_db {
	PGconn	       *conn;
	unsigned	nstmt;		/* names of prepared statements */
};

struct pg_stmt {
	struct pg_db   *db;
	char		name[24];
	PGresult       *res;
	int		row, nrows;
};

/* pg_err - the server's or libpq's message (one line) into err */
static void
pg_err(PGconn *conn, const PGresult *res, const char *what, struct buf *err)
{
	const char *m = res != NULL ? PQresultErrorMessage(res) : "";
	size_t n;

	if (*m == '\0')
		m = PQerrorMessage(conn);
	n = strcspn(m, "\n");
	buf_printf(err, "postgresql: %s: %.*s", what, (int)n, m);
}

/* pg_quiet - server notices ("already exists, skipping") are not errors */
static void
pg_quiet(void *arg, const char *message)
{
}

/* pg_open - connect (URL or key=value string) */
static void *
pg_open(const char *target, struct buf *err)
{
	struct pg_db *db;
	PGconn *conn = PQconnectdb(target);

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		pg_err(conn, NULL, "cannot connect", err);
		PQfinish(conn);
		return NULL;
	}
	if (PQsetClientEncoding(conn, "UTF8") != 0) {
		pg_err(conn, NULL, "client encoding", err);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, pg_quiet, NULL);
	db = xcalloc(1, sizeof(*db));
	db->conn = conn;
	return db;
}

/* pg_close - disconnect */
static void
pg_close(void *p)
{
	struct pg_db *db = p;

	PQfinish(db->conn);
	free(db);
}

/* pg_ok - 0 when res is a success; otherwise err, -1; res is freed */
static int
pg_ok(PGconn *conn, PGresult *res, const char *what, struct buf *err)
{
	ExecStatusType st = PQresultStatus(res);
	int rc = 0;

	if (res == NULL || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) {
		pg_err(conn, res, what, err);
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/* pg_exec - run SQL text (the simple protocol: several statements allowed) */
static int
pg_exec(void *p, const char *sql, struct buf *err)
{
	struct pg_db *db = p;

	return pg_ok(db->conn, PQexec(db->conn, sql), "exec", err);
}

/* pg_lock - a transaction-scoped advisory lock on key */
static int
pg_lock(void *p, long long key, struct buf *err)
{
	struct pg_db *db = p;
	char k[32];
	const char *params[1] = { k };

	snprintf(k, sizeof(k), "%lld", key);
	return pg_ok(db->conn, PQexecParams(db->conn, "SELECT pg_advisory_xact_lock($1::bigint)",
	    1, NULL, params, NULL, NULL, 0), "lock", err);
}

/* pg_prepare - a named server-side statement */
static void *
pg_prepare(void *p, const char *sql, struct buf *err)
{
	struct pg_db *db = p;
	struct pg_stmt *st = xcalloc(1, sizeof(*st));

	st->db = db;
	snprintf(st->name, sizeof(st->name), "am_%u", db->nstmt++);
	if (pg_ok(db->conn, PQprepare(db->conn, st->name, sql, 0, NULL), "prepare", err) != 0) {
		free(st);
		return NULL;
	}
	return st;
}

/* pg_query - run the statement; every row is fetched */
static int
pg_query(void *p, size_t n, const char *const *params, struct buf *err)
{
	struct pg_stmt *st = p;
	ExecStatusType rs;

	PQclear(st->res);
	st->res = PQexecPrepared(st->db->conn, st->name, (int)n, params, NULL, NULL, 0);
	rs = PQresultStatus(st->res);
	st->row = -1;
	st->nrows = 0;
	if (st->res == NULL || (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK)) {
		pg_err(st->db->conn, st->res, "query", err);
		PQclear(st->res);
		st->res = NULL;
		return -1;
	}
	st->nrows = PQntuples(st->res);
	return 0;
}

/* pg_next - the next fetched row */
static int
pg_next(void *p)
{
	struct pg_stmt *st = p;

	if (st->row + 1 >= st->nrows)
		return 0;
	st->row++;
	return 1;
}

/* pg_col - column i of the current row */
static const char *
pg_col(void *p, int i)
{
	struct pg_stmt *st = p;

	if (st->res == NULL || st->row < 0 || i >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, i))
		return NULL;
	return PQgetvalue(st->res, st->row, i);
}

/* pg_stmt_free - the result, and the statement on the server */
static void
pg_stmt_free(void *p)
{
	struct pg_stmt *st = p;
	char sql[48];

	PQclear(st->res);
	snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
	PQclear(PQexec(st->db->conn, sql));	/* fails harmlessly in an aborted transaction */
	free(st);
}

struct pg_load {
	struct pg_db   *db;
	struct buf	out;		/* COPY data not yet sent */
	enum store_type	types[64];
	size_t		ncols;
};

/* put16 - a 16-bit number in network byte order, as binary COPY wants */
static void
put16(struct buf *b, uint16_t v)
{
	v = htons(v);
	buf_add(b, &v, 2);
}

/* put32 - a 32-bit number, network byte order */
static void
put32(struct buf *b, uint32_t v)
{
	v = htonl(v);
	buf_add(b, &v, 4);
}

/* put64 - a 64-bit number, network byte order */
static void
put64(struct buf *b, uint64_t v)
{
	put32(b, (uint32_t)(v >> 32));
	put32(b, (uint32_t)v);
}

/* pg_flush - send the buffered COPY data */
static int
pg_flush(struct pg_load *ld, struct buf *err)
{
	if (ld->out.len > 0 && PQputCopyData(ld->db->conn, ld->out.data, (int)ld->out.len) != 1) {
		pg_err(ld->db->conn, NULL, "copy", err);
		return -1;
	}
	buf_reset(&ld->out);
	return 0;
}

/* pg_load_begin - COPY table (cols) FROM STDIN (FORMAT binary) */
static void *
pg_load_begin(void *p, const char *table, const char *const *cols,
    const enum store_type *types, size_t ncols, struct buf *err)
{
	static const char sig[] = "PGCOPY\n\377\r\n";	/* + NUL: 11 bytes */
	struct pg_db *db = p;
	struct buf sql = BUF_INIT;
	struct pg_load *ld;
	PGresult *res;
	size_t i;

	if (ncols == 0 || ncols > 64) {
		buf_printf(err, "postgresql: load of %zu columns", ncols);
		return NULL;
	}
	buf_printf(&sql, "COPY %s (", table);
	for (i = 0; i < ncols; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	buf_adds(&sql, ") FROM STDIN (FORMAT binary)");
	res = PQexec(db->conn, sql.data);
	buf_free(&sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		pg_err(db->conn, res, "copy", err);
		PQclear(res);
		return NULL;
	}
	PQclear(res);
	ld = xcalloc(1, sizeof(*ld));
	ld->db = db;
	ld->ncols = ncols;
	memcpy(ld->types, types, ncols * sizeof(*types));
	buf_init(&ld->out);
	buf_add(&ld->out, sig, sizeof(sig));	/* signature, then flags and extension length */
	put32(&ld->out, 0);
	put32(&ld->out, 0);
	return ld;
}

/* pg_load_row - one binary tuple */
static int
pg_load_row(void *p, const struct store_val *v, struct buf *err)
{
	struct pg_load *ld = p;
	size_t i;

	put16(&ld->out, (uint16_t)ld->ncols);
	for (i = 0; i < ld->ncols; i++) {
		if (v[i].null)
			put32(&ld->out, 0xffffffffu);	/* -1: NULL */
		else if (ld->types[i] == STORE_INT) {
			put32(&ld->out, 8);
			put64(&ld->out, (uint64_t)v[i].i);
		} else if (ld->types[i] == STORE_INT32) {
			put32(&ld->out, 4);
			put32(&ld->out, (uint32_t)v[i].i);
		} else {
			put32(&ld->out, (uint32_t)v[i].len);
			buf_add(&ld->out, v[i].p, v[i].len);
		}
	}
	return ld->out.len >= PG_COPY_CHUNK ? pg_flush(ld, err) : 0;
}

/* pg_load_end - the trailer, end of COPY, the server's verdict */
static int
pg_load_end(void *p, int abort, struct buf *err)
{
	struct pg_load *ld = p;
	PGconn *conn = ld->db->conn;
	PGresult *res;
	int rc = 0;

	if (!abort) {
		put16(&ld->out, 0xffff);
		rc = pg_flush(ld, err);
	}
	if (PQputCopyEnd(conn, abort || rc != 0 ? "load abandoned" : NULL) != 1 && rc == 0) {
		pg_err(conn, NULL, "copy end", err);
		rc = -1;
	}
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0 && !abort) {
			pg_err(conn, res, "copy", err);
			rc = -1;
		}
		PQclear(res);
	}
	buf_free(&ld->out);
	free(ld);
	return abort ? -1 : rc;
}

const struct store_ops store_pg_ops = {
	STORE_PG, "postgresql", pg_open, pg_close, pg_exec, pg_lock, pg_prepare, pg_query,
	pg_next, pg_col, pg_stmt_free, pg_load_begin, pg_load_row, pg_load_end,
};
