/*
 * store_schema.c - schema versions and migrations (store_schema.h)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "store.h"
#include "store_schema.h"

/* the migrations, in order: version i+1 is names[i] */
static const char *const names[STORE_SCHEMA_VERSION] = {
	"001-history",
	"002-history-received",
	"003-ingest",
	"004-report-claim",
	"005-alerts",
	"006-sources",
};

/* the advisory lock migrations hold (PostgreSQL): "AMSCHEMA" */
#define SCHEMA_LOCK_KEY	0x414d534348454d41LL

static const char create_version_table[] =
    "CREATE TABLE IF NOT EXISTS authmilter_schema ("
    " version bigint PRIMARY KEY, name text NOT NULL, applied bigint NOT NULL)";

/* store_schema_version - see store_schema.h */
int
store_schema_version(struct store *s, long long *v, struct buf *err)
{
	const char *exists = store_kind(s) == STORE_PG ?
	    "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n"
	    " ON n.oid = c.relnamespace WHERE c.relname = 'authmilter_schema'"
	    " AND n.nspname = ANY (current_schemas(false))" :
	    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'authmilter_schema'";
	long long n;

	*v = 0;
	if (store_query_int(s, exists, 0, NULL, 0, &n, err) != 0)
		return -1;
	if (n == 0)
		return 0;
	return store_query_int(s, "SELECT coalesce(max(version), 0) FROM authmilter_schema", 0,
	    NULL, 0, v, err);
}

/* too_new - the message for a database written by a newer program */
static int
too_new(long long v, struct buf *err)
{
	buf_printf(err, "database schema version %lld is newer than this program's (%d):"
	    " use a newer authmilter-report; nothing was changed", v, STORE_SCHEMA_VERSION);
	return -1;
}

/* read_sql - version v's SQL text for this back end into out */
static int
read_sql(struct store *s, const char *dir, long long v, struct buf *out, struct buf *err)
{
	struct buf path = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/%s.%s.sql", dir, names[v - 1], store_kind_name(s));
	if (access(path.data, F_OK) != 0) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s.sql", dir, names[v - 1]);
	}
	rc = fileio_read(out, path.data, err);
	buf_free(&path);
	return rc;
}

/* apply_one - version v in one transaction, unless another run applied it */
static int
apply_one(struct store *s, const char *dir, long long v, struct buf *err)
{
	struct buf sql = BUF_INIT;
	char vs[24], now[24];
	const char *params[3] = { vs, names[v - 1], now };
	long long have;
	int rc = -1;

	if (read_sql(s, dir, v, &sql, err) != 0)
		goto out;
	snprintf(vs, sizeof(vs), "%lld", v);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	if (store_begin(s, err) != 0)
		goto out;
	if (store_lock(s, SCHEMA_LOCK_KEY, err) != 0 ||
	    store_exec(s, create_version_table, err) != 0 ||
	    store_schema_version(s, &have, err) != 0)
		goto out;
	if (have >= v) {	/* another run was first */
		rc = have > STORE_SCHEMA_VERSION ? too_new(have, err) : store_commit(s, err);
		goto out;
	}
	if (store_exec(s, sql.data, err) != 0 ||
	    store_query_int(s, "INSERT INTO authmilter_schema (version, name, applied)"
	    " VALUES ($1, $2, $3)", 3, params, 0, &have, err) != 0)
		goto out;
	rc = store_commit(s, err);
out:
	if (rc != 0) {
		store_rollback(s);
		buf_printf(err, " (applying %s)", names[v - 1]);
	}
	buf_free(&sql);
	return rc;
}

/* store_schema_upgrade - see store_schema.h */
int
store_schema_upgrade(struct store *s, const char *sqldir, long long to, long long *from,
    long long *now, struct buf *err)
{
	long long v;

	if (to == 0)
		to = STORE_SCHEMA_VERSION;
	if (store_schema_version(s, from, err) != 0)
		return -1;
	*now = *from;
	if (*from > STORE_SCHEMA_VERSION)
		return too_new(*from, err);
	if (to < 1 || to > STORE_SCHEMA_VERSION) {
		buf_printf(err, "no schema version %lld (this program knows 1 to %d)", to,
		    STORE_SCHEMA_VERSION);
		return -1;
	}
	for (v = *from + 1; v <= to; v++) {
		if (apply_one(s, sqldir, v, err) != 0)
			return -1;
		*now = v;
	}
	return 0;
}

/* store_schema_check - see store_schema.h */
int
store_schema_check(struct store *s, struct buf *err)
{
	long long v;

	if (store_schema_version(s, &v, err) != 0)
		return -1;
	if (v == STORE_SCHEMA_VERSION)
		return 0;
	if (v > STORE_SCHEMA_VERSION)
		return too_new(v, err);
	if (v == 0)
		buf_adds(err, "database has no authmilter schema: run authmilter-report db-init");
	else
		buf_printf(err, "database schema version %lld is older than this program's (%d):"
		    " run authmilter-report db-upgrade", v, STORE_SCHEMA_VERSION);
	return -1;
}

/* store_schema_open - see store_schema.h */
struct store *
store_schema_open(const char *url, struct buf *err)
{
	struct store *s;

	if (store_absent(url, err))
		return NULL;
	s = store_open(url, err);
	if (s != NULL && store_schema_check(s, err) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}
