/*
 * store.c - the back-end-neutral half of the storage layer: which back end
 * a URL names, transactions, statements and bulk loads handed to it
 * (store.h says what callers may rely on)
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "store.h"
#include "store_int.h"

struct store {
	const struct store_ops *ops;
	void	       *db;
	int		in_tx;
};

struct store_stmt {
	struct store   *s;
	void	       *st;
};

struct store_load {
	struct store   *s;
	void	       *ld;
};

/* store_pick - the back end of url and the target it hands on */
static const struct store_ops *
store_pick(const char *url, const char **target)
{
	*target = url;
	if (strncmp(url, "sqlite:", 7) == 0) {
		*target = url + 7;
		return &store_sqlite_ops;
	}
	if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
		return &store_pg_ops;
	/* libpq's "key=value ..." form: a '=' before any '/' */
	if (strchr(url, '=') != NULL && strcspn(url, "=") < strcspn(url, "/"))
		return &store_pg_ops;
	return &store_sqlite_ops;
}

/* store_open - see store.h */
struct store *
store_open(const char *url, struct buf *err)
{
	const struct store_ops *ops;
	const char *target;
	struct store *s;
	void *db;

	if (url == NULL || *url == '\0') {
		buf_adds(err, "no database named (--db URL)");
		return NULL;
	}
	ops = store_pick(url, &target);
	if (*target == '\0') {
		buf_printf(err, "%s: no file named", ops->name);
		return NULL;
	}
	if ((db = ops->open(target, err)) == NULL)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->db = db;
	return s;
}

/* store_absent - see store.h */
int
store_absent(const char *url, struct buf *err)
{
	const char *target;
	struct stat sb;

	if (url == NULL || *url == '\0' || store_pick(url, &target) != &store_sqlite_ops ||
	    *target == '\0' || stat(target, &sb) == 0 || errno != ENOENT)
		return 0;
	buf_printf(err, "sqlite: %s: no such database (authmilter-report ingest stores"
	    " reports into it; authmilter-report db-init makes an empty one)", target);
	return 1;
}

/* store_close - see store.h */
void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	store_rollback(s);
	s->ops->close(s->db);
	free(s);
}

/* store_kind - see store.h */
enum store_kind
store_kind(const struct store *s)
{
	return s->ops->kind;
}

/* store_kind_name - see store.h */
const char *
store_kind_name(const struct store *s)
{
	return s->ops->name;
}

/* store_for_update - see store.h */
const char *
store_for_update(const struct store *s)
{
	return s->ops->kind == STORE_PG ? " FOR UPDATE" : "";
}

/* store_exec - see store.h */
int
store_exec(struct store *s, const char *sql, struct buf *err)
{
	return s->ops->exec(s->db, sql, err);
}

/* store_begin - see store.h */
int
store_begin(struct store *s, struct buf *err)
{
	if (s->ops->exec(s->db, s->ops->kind == STORE_SQLITE ? "BEGIN IMMEDIATE" : "BEGIN",
	    err) != 0)
		return -1;
	s->in_tx = 1;
	return 0;
}

/* store_commit - see store.h; a failed COMMIT leaves no transaction open */
int
store_commit(struct store *s, struct buf *err)
{
	int rc = s->ops->exec(s->db, "COMMIT", err);

	if (rc != 0)
		store_rollback(s);
	s->in_tx = 0;
	return rc;
}

/* store_rollback - see store.h */
void
store_rollback(struct store *s)
{
	struct buf ignored = BUF_INIT;

	if (!s->in_tx)
		return;
	s->in_tx = 0;
	(void)s->ops->exec(s->db, "ROLLBACK", &ignored);
	buf_free(&ignored);
}

/* store_lock - see store.h */
int
store_lock(struct store *s, long long key, struct buf *err)
{
	return s->ops->lock(s->db, key, err);
}

/* store_prepare - see store.h */
struct store_stmt *
store_prepare(struct store *s, const char *sql, struct buf *err)
{
	struct store_stmt *st;
	void *p;

	if ((p = s->ops->prepare(s->db, sql, err)) == NULL)
		return NULL;
	st = xcalloc(1, sizeof(*st));
	st->s = s;
	st->st = p;
	return st;
}

/* store_query - see store.h */
int
store_query(struct store_stmt *st, size_t n, const char *const *params, struct buf *err)
{
	return st->s->ops->query(st->st, n, params, err);
}

/* store_next - see store.h */
int
store_next(struct store_stmt *st)
{
	return st->s->ops->next(st->st);
}

/* store_col - see store.h */
const char *
store_col(struct store_stmt *st, int i)
{
	return st->s->ops->col(st->st, i);
}

/* store_col_int - see store.h */
long long
store_col_int(struct store_stmt *st, int i)
{
	const char *v = store_col(st, i);

	return v != NULL ? strtoll(v, NULL, 10) : 0;
}

/* store_stmt_free - see store.h */
void
store_stmt_free(struct store_stmt *st)
{
	if (st == NULL)
		return;
	st->s->ops->stmt_free(st->st);
	free(st);
}

/* store_query_int - see store.h */
int
store_query_int(struct store *s, const char *sql, size_t n, const char *const *params,
    long long dflt, long long *out, struct buf *err)
{
	struct store_stmt *st = store_prepare(s, sql, err);
	int rc = -1;

	if (st != NULL && store_query(st, n, params, err) == 0) {
		*out = store_next(st) == 1 ? store_col_int(st, 0) : dflt;
		rc = 0;
	}
	store_stmt_free(st);
	return rc;
}

/* store_load_begin - see store.h */
struct store_load *
store_load_begin(struct store *s, const char *table, const char *const *cols,
    const enum store_type *types, size_t ncols, struct buf *err)
{
	struct store_load *ld;
	void *p;

	if ((p = s->ops->load_begin(s->db, table, cols, types, ncols, err)) == NULL)
		return NULL;
	ld = xcalloc(1, sizeof(*ld));
	ld->s = s;
	ld->ld = p;
	return ld;
}

/* store_load_row - see store.h */
int
store_load_row(struct store_load *ld, const struct store_val *v, struct buf *err)
{
	return ld->s->ops->load_row(ld->ld, v, err);
}

/* store_load_end - see store.h */
int
store_load_end(struct store_load *ld, int abort, struct buf *err)
{
	int rc;

	if (ld == NULL)
		return -1;
	rc = ld->s->ops->load_end(ld->ld, abort, err);
	free(ld);
	return rc;
}
