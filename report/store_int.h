/*
 * store_int.h - what store.c asks of a back end (store_sqlite.c,
 * store_pg.c); not for callers of the storage layer
 */
#ifndef AUTHMILTER_STORE_INT_H
#define AUTHMILTER_STORE_INT_H

#include "store.h"

struct store_ops {
	enum store_kind	kind;
	const char     *name;
	void	       *(*open)(const char *target, struct buf *err);
	void		(*close)(void *db);
	int		(*exec)(void *db, const char *sql, struct buf *err);
	int		(*lock)(void *db, long long key, struct buf *err);
	void	       *(*prepare)(void *db, const char *sql, struct buf *err);
	int		(*query)(void *st, size_t n, const char *const *params, struct buf *err);
	int		(*next)(void *st);
	const char     *(*col)(void *st, int i);
	void		(*stmt_free)(void *st);
	void	       *(*load_begin)(void *db, const char *table, const char *const *cols,
			    const enum store_type *types, size_t ncols, struct buf *err);
	int		(*load_row)(void *ld, const struct store_val *v, struct buf *err);
	int		(*load_end)(void *ld, int abort, struct buf *err);
};

extern const struct store_ops store_sqlite_ops;
extern const struct store_ops store_pg_ops;

#endif
