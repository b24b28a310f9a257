/*
 * store_sqlite.c - the SQLite back end of the storage layer (store.h)
 *
 * One database file, opened in WAL mode (readers never wait for the
 * importer) with a busy timeout, so that writers queue on BEGIN IMMEDIATE
 * instead of failing.  Parameters $N are rewritten to SQLite's ?N.
 * I/O: the database file.
 */
#include "config.h"

#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "store_int.h"

#define SQLITE_BUSY_MS	(10 * 60 * 1000)	/* a writer waits this long for another */

struct sq_stmt {
	sqlite3	       *db;
	sqlite3_stmt   *st;
	int		state;		/* of the next store_next: 1 row, 0 end, -1 error */
	int		fresh;		/* store_query stepped; store_next has not */
};

/* sq_err - the database's last error into err */
static void
sq_err(sqlite3 *db, const char *what, struct buf *err)
{
	buf_printf(err, "sqlite: %s: %s", what, sqlite3_errmsg(db));
}

/* sq_open - open (create) the file; WAL journal, busy timeout */
static void *
sq_open(const char *target, struct buf *err)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(target, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		buf_printf(err, "sqlite: %s: %s", target, db ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, SQLITE_BUSY_MS);
	/* WAL is a property of the file; a read-only or odd file keeps its mode */
	(void)sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
	if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
		buf_printf(err, "sqlite: %s: %s", target, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

/* sq_close - close the file */
static void
sq_close(void *db)
{
	sqlite3_close(db);
}

/* sq_exec - run SQL text.  Before a BEGIN, every statement of the
 * connection is reset: one left on a row keeps its read snapshot open, and
 * a write lock asked for over an old snapshot fails at once (SQLITE_BUSY,
 * no busy wait) when another connection has written since */
static int
sq_exec(void *db, const char *sql, struct buf *err)
{
	sqlite3_stmt *st = NULL;
	char *msg = NULL;

	if (strncmp(sql, "BEGIN", 5) == 0)
		while ((st = sqlite3_next_stmt(db, st)) != NULL)
			sqlite3_reset(st);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	buf_printf(err, "sqlite: %s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

/* sq_lock - BEGIN IMMEDIATE already holds the database's one write lock */
static int
sq_lock(void *db, long long key, struct buf *err)
{
	return 0;
}

/* sq_rewrite - $N parameters outside quotes become ?N */
static char *
sq_rewrite(const char *sql)
{
	struct buf b = BUF_INIT;
	char quote = 0;

	buf_init(&b);
	for (; *sql != '\0'; sql++) {
		if (quote != 0 && *sql == quote)
			quote = 0;
		else if (quote == 0 && (*sql == '\'' || *sql == '"'))
			quote = *sql;
		buf_addc(&b, quote == 0 && *sql == '$' && isdigit((unsigned char)sql[1]) ? '?' : *sql);
	}
	return buf_steal(&b);
}

/* sq_prepare - compile one statement */
static void *
sq_prepare(void *db, const char *sql, struct buf *err)
{
	struct sq_stmt *p;
	sqlite3_stmt *st = NULL;
	char *text = sq_rewrite(sql);
	int rc = sqlite3_prepare_v2(db, text, -1, &st, NULL);

	free(text);
	if (rc != SQLITE_OK) {
		sq_err(db, "prepare", err);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->db = db;
	p->st = st;
	return p;
}

/* sq_step - one step: 1 row, 0 done, -1 error */
static int
sq_step(struct sq_stmt *p)
{
	int rc = sqlite3_step(p->st);

	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* sq_query - bind text parameters and run to the first row */
static int
sq_query(void *st, size_t n, const char *const *params, struct buf *err)
{
	struct sq_stmt *p = st;
	size_t i;

	sqlite3_reset(p->st);
	sqlite3_clear_bindings(p->st);
	for (i = 0; i < n; i++)
		if (params[i] != NULL &&
		    sqlite3_bind_text(p->st, (int)i + 1, params[i], -1, SQLITE_TRANSIENT) != SQLITE_OK) {
			sq_err(p->db, "bind", err);
			return -1;
		}
	p->state = sq_step(p);
	p->fresh = 1;
	if (p->state < 0) {
		sq_err(p->db, "query", err);
		sqlite3_reset(p->st);
		return -1;
	}
	return 0;
}

/* sq_next - the row stepped to by sq_query first, then further rows */
static int
sq_next(void *st)
{
	struct sq_stmt *p = st;

	if (p->fresh)
		p->fresh = 0;
	else if (p->state == 1)
		p->state = sq_step(p);
	return p->state;
}

/* sq_col - column i as text */
static const char *
sq_col(void *st, int i)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)st)->st, i);
}

/* sq_stmt_free - finalize */
static void
sq_stmt_free(void *st)
{
	struct sq_stmt *p = st;

	sqlite3_finalize(p->st);
	free(p);
}

struct sq_load {
	struct sq_stmt *ins;
	enum store_type	types[64];
	size_t		ncols;
};

/* sq_load_begin - one prepared INSERT for the whole load */
static void *
sq_load_begin(void *db, const char *table, const char *const *cols,
    const enum store_type *types, size_t ncols, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct sq_load *ld;
	struct sq_stmt *ins;
	size_t i;

	if (ncols == 0 || ncols > 64) {
		buf_printf(err, "sqlite: load of %zu columns", ncols);
		return NULL;
	}
	buf_printf(&sql, "INSERT INTO %s (", table);
	for (i = 0; i < ncols; i++)
		buf_printf(&sql, "%s%s", i ? ", " : "", cols[i]);
	buf_adds(&sql, ") VALUES (");
	for (i = 0; i < ncols; i++)
		buf_printf(&sql, "%s?%zu", i ? ", " : "", i + 1);
	buf_adds(&sql, ")");
	ins = sq_prepare(db, sql.data, err);
	buf_free(&sql);
	if (ins == NULL)
		return NULL;
	ld = xcalloc(1, sizeof(*ld));
	ld->ins = ins;
	ld->ncols = ncols;
	memcpy(ld->types, types, ncols * sizeof(*types));
	return ld;
}

/* sq_bind - one value of a load row */
static int
sq_bind(sqlite3_stmt *st, int i, enum store_type t, const struct store_val *v)
{
	if (v->null)
		return sqlite3_bind_null(st, i);
	if (t == STORE_INT || t == STORE_INT32)
		return sqlite3_bind_int64(st, i, v->i);
	if (t == STORE_TEXT)
		return sqlite3_bind_text(st, i, v->p, (int)v->len, SQLITE_STATIC);
	return sqlite3_bind_blob(st, i, v->p, (int)v->len, SQLITE_STATIC);
}

/* sq_load_row - bind, step, reset */
static int
sq_load_row(void *p, const struct store_val *v, struct buf *err)
{
	struct sq_load *ld = p;
	sqlite3_stmt *st = ld->ins->st;
	size_t i;
	int rc;

	for (i = 0; i < ld->ncols; i++)
		if (sq_bind(st, (int)i + 1, ld->types[i], &v[i]) != SQLITE_OK) {
			sq_err(ld->ins->db, "bind", err);
			return -1;
		}
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE)
		sq_err(ld->ins->db, "insert", err);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* sq_load_end - finalize the INSERT */
static int
sq_load_end(void *p, int abort, struct buf *err)
{
	struct sq_load *ld = p;

	sq_stmt_free(ld->ins);
	free(ld);
	return 0;
}

const struct store_ops store_sqlite_ops = {
	STORE_SQLITE, "sqlite", sq_open, sq_close, sq_exec, sq_lock, sq_prepare, sq_query,
	sq_next, sq_col, sq_stmt_free, sq_load_begin, sq_load_row, sq_load_end,
};
