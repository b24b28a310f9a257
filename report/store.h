/*
 * store.h - the storage layer: one API over two SQL back ends, SQLite (one
 * file, nothing to set up) and PostgreSQL (many hosts, one database)
 *
 * Opened by URL: "sqlite:PATH" or a plain path for SQLite;
 * "postgresql://...", "postgres://..." or a libpq "key=value ..." string for
 * PostgreSQL.  SQL handed to store_prepare names its parameters $1, $2 ...
 * (PostgreSQL's form; the SQLite back end rewrites them to ?1, ?2 ...).
 * Parameters and columns travel as text; store_col_int converts.
 *
 * Transactions: store_begin starts a write transaction (SQLite: BEGIN
 * IMMEDIATE, so two writers queue at the start instead of failing at their
 * first write; PostgreSQL: BEGIN, READ COMMITTED, row locks taken with
 * store_for_update()).  store_lock takes a transaction-scoped lock on a
 * number (PostgreSQL advisory lock; SQLite: the write lock already is one).
 *
 * Bulk load: store_load_* append rows to one table (PostgreSQL: COPY ...
 * FROM STDIN in binary format; SQLite: one prepared INSERT), inside the
 * caller's transaction.
 *
 * Errors are appended to err as one line naming the back end; every call
 * that can fail returns -1 (or NULL) and leaves the connection usable after
 * store_rollback.
 *
 * Ownership: store_close frees the handle; a statement belongs to its
 * store and is freed by store_stmt_free (before store_close); store_col
 * returns a pointer valid until the next store_next or store_query on that
 * statement, and rows are read before the next store_begin (which ends
 * every statement's reading).  Not thread-safe: one store per thread.
 * I/O: a database file or a server connection.
 */
#ifndef AUTHMILTER_STORE_H
#define AUTHMILTER_STORE_H

#include <stddef.h>

#include "buf.h"

enum store_kind { STORE_SQLITE, STORE_PG };
/* load column types: STORE_INT is a 64-bit number (PostgreSQL bigint),
 * STORE_INT32 a 32-bit one (integer); SQLite stores both alike */
enum store_type { STORE_INT, STORE_INT32, STORE_TEXT, STORE_BLOB };

struct store;
struct store_stmt;
struct store_load;

/* a value for store_load_row: i for the numbers, p and len otherwise */
struct store_val {
	const char     *p;
	size_t		len;
	long long	i;
	int		null;
};

/* store_open - connect to or open the database a URL names; NULL with err */
struct store   *store_open(const char *url, struct buf *err);
/* store_absent - 1 with err (the path named, what creates it) when url
 * names an SQLite file that does not exist, else 0: the commands that only
 * read check it first, so that they never create an empty database */
int		store_absent(const char *url, struct buf *err);
/* store_close - disconnect and free (NULL is a no-op) */
void		store_close(struct store *s);
enum store_kind	store_kind(const struct store *s);
/* store_kind_name - "sqlite" or "postgresql" */
const char     *store_kind_name(const struct store *s);
/* store_for_update - " FOR UPDATE" (PostgreSQL) or "" (SQLite: the
 * transaction's write lock covers every row) */
const char     *store_for_update(const struct store *s);

/* store_exec - run SQL text (one or more statements, no parameters, rows
 * ignored); 0 or -1 */
int		store_exec(struct store *s, const char *sql, struct buf *err);
int		store_begin(struct store *s, struct buf *err);
int		store_commit(struct store *s, struct buf *err);
/* store_rollback - abandon the open transaction, if any */
void		store_rollback(struct store *s);
/* store_lock - a lock on key until the transaction ends; 0 or -1 */
int		store_lock(struct store *s, long long key, struct buf *err);

/* store_prepare - a statement with $1..$n parameters; NULL with err */
struct store_stmt *store_prepare(struct store *s, const char *sql, struct buf *err);
/* store_query - run st with n text parameters (NULL is SQL NULL); 0 or -1 */
int		store_query(struct store_stmt *st, size_t n, const char *const *params,
		    struct buf *err);
/* store_next - move to the next row of the last store_query: 1 row, 0 end */
int		store_next(struct store_stmt *st);
/* store_col - column i of the current row as text; NULL when SQL NULL */
const char     *store_col(struct store_stmt *st, int i);
/* store_col_int - column i as a number (0 when NULL) */
long long	store_col_int(struct store_stmt *st, int i);
void		store_stmt_free(struct store_stmt *st);
/* store_query_int - run sql with parameters, first column of the first row
 * as a number into *out (dflt when no row); 0 or -1 */
int		store_query_int(struct store *s, const char *sql, size_t n,
		    const char *const *params, long long dflt, long long *out, struct buf *err);

/* store_load_begin - start appending rows of ncols columns to table */
struct store_load *store_load_begin(struct store *s, const char *table,
		    const char *const *cols, const enum store_type *types, size_t ncols,
		    struct buf *err);
/* store_load_row - one row: v[ncols]; 0 or -1 */
int		store_load_row(struct store_load *ld, const struct store_val *v, struct buf *err);
/* store_load_end - finish (or, with abort set, abandon) the load and free
 * ld; 0 or -1 */
int		store_load_end(struct store_load *ld, int abort, struct buf *err);

#endif
