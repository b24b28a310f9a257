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
#include "store.h"

#define INGEST_REJECT_RAW_MAX	(1024 * 1024)	/* bytes of a refused input kept */
#define INGEST_DAYS_MAX		400		/* days a range is split over */

/* where an input came from */
struct ingest_origin {
	const char     *source;		/* path or "-" */
	const char     *message_id;	/* or NULL */
	int64_t		now;		/* ingested_at */
};

/* one UTC day's share of a count */
struct ingest_day {
	int64_t		day;		/* epoch of 00:00 UTC */
	uint64_t	n;
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

/*
 * ingest_day_split - n spread over the UTC days of [begin, end) in
 * proportion to each day's seconds, with cumulative rounding (day k gets
 * floor(n*s_k/S) - floor(n*s_(k-1)/S), s_k the seconds up to the end of day
 * k, S the range's): the shares sum exactly to n.  A range with end <= begin
 * or over more than max days is begin's day alone.  Days with a zero share
 * are left out.  Returns the number of days written to out[max].
 */
size_t	ingest_day_split(int64_t begin, int64_t end, uint64_t n, struct ingest_day *out,
	    size_t max);

#endif
