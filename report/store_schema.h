/*
 * store_schema.h - the database schema's version and its migrations
 *
 * The schema is the plain SQL files of report/sql/, installed in
 * $(pkgdatadir)/sql: version N is "NNN-name.KIND.sql" (KIND: sqlite or
 * postgresql) where the dialects differ, else "NNN-name.sql".  The table
 * authmilter_schema holds one row per applied version.  Each version is
 * applied in its own transaction together with its row, under a lock, so
 * two hosts running db-upgrade at once apply it once.
 * I/O: the SQL files and the database.
 */
#ifndef AUTHMILTER_STORE_SCHEMA_H
#define AUTHMILTER_STORE_SCHEMA_H

#include "buf.h"
#include "store.h"

/* the schema this program reads and writes */
#define STORE_SCHEMA_VERSION	5

/* store_schema_version - the database's version into *v (0: none); 0 or -1 */
int	store_schema_version(struct store *s, long long *v, struct buf *err);
/*
 * store_schema_upgrade - apply the versions after the database's, up to
 * `to` (0: STORE_SCHEMA_VERSION), from the files in sqldir; *from and *now
 * say where it was and is.  A database newer than the program is refused.
 * 0 or -1 with err.
 */
int	store_schema_upgrade(struct store *s, const char *sqldir, long long to,
	    long long *from, long long *now, struct buf *err);
/*
 * store_schema_check - 0 when the database holds exactly the program's
 * version; -1 with err saying what to run (db-init, db-upgrade) or that
 * the program is too old
 */
int	store_schema_check(struct store *s, struct buf *err);
/* store_schema_open - the store at url, at this program's schema version;
 * NULL with err (cannot open, or another version); the caller closes it
 * with store_close */
struct store *store_schema_open(const char *url, struct buf *err);

#endif
