/*
 * ingest_store.h - received reports into the database (tables of
 * sql/003-ingest.*.sql): aggregate reports with their rows and per-day
 * split, failure reports, refused inputs.  Each call runs inside the
 * caller's transaction (store_begin ... store_commit).
 *
 * A report already stored (same org_name, report_id, policy domain and
 * date range: the UNIQUE key) adds nothing; a failure report or refused
 * input is recognised by the SHA-256 of its bytes.
 * I/O: the database.
 */
#ifndef AUTHMILTER_INGEST_STORE_H
#define AUTHMILTER_INGEST_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "ingest_agg.h"
#include "ingest_arf.h"
#include "ingest_day.h"
#include "store.h"

#define INGEST_REJECT_RAW_MAX	(1024 * 1024)	/* bytes of a refused input kept */

/* where an input came from */
struct ingest_origin {
	const char     *source;		/* path or "-" */
	const char     *message_id;	/* or NULL */
	int64_t		now;		/* ingested_at */
};

struct ingest_store;

/* ingest_store_new - the prepared statements on s; NULL with err */
struct ingest_store *ingest_store_new(struct store *s, struct buf *err);
void	ingest_store_free(struct ingest_store *is);
/* ingest_store_agg - one parsed aggregate report; raw[0..rawlen) its bytes
 * gzip'd (NULL: its XML xml[0..xmllen) is compressed here).  1 stored,
 * 0 a duplicate, -1 with err */
int	ingest_store_agg(struct ingest_store *is, const struct ingest_origin *o,
	    const struct ingest_agg *a, const char *raw, size_t rawlen, const char *xml,
	    size_t xmllen, struct buf *err);
/* ingest_store_fail - one failure report from the message msg[0..len);
 * 1 stored, 0 a duplicate, -1 with err */
int	ingest_store_fail(struct ingest_store *is, const struct ingest_origin *o,
	    const struct ingest_arf *f, const char *msg, size_t len, struct buf *err);
/* ingest_store_reject - a refused input (its first INGEST_REJECT_RAW_MAX
 * bytes) and why; 1 stored, 0 stored before, -1 with err */
int	ingest_store_reject(struct ingest_store *is, const struct ingest_origin *o,
	    const char *reason, const char *raw, size_t len, struct buf *err);

#endif
