/*
 * report_db.c - aggregation of imported history rows in SQL (report_db.h)
 *
 * The database does the counting (GROUP BY over millions of rows); the
 * groups, a few per distinct source and result, go through report_agg
 * like records read from a file, so both reporters share one row key,
 * one policy rule (RFC 9990 §"Changes in Policy": the latest record's)
 * and one XML writer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "report_agg.h"
#include "report_db.h"
#include "store.h"

/* the columns of a group, in the SELECT's order */
enum { G_PDOMAIN, G_IPADDR, G_FROM, G_MFROM, G_HELO, G_OVERRIDE, G_DISCOVERY, G_DKIM, G_RUA,
	G_SPF, G_SPF_SCOPE, G_POLICY, G_PCT, G_FO, G_TESTING, G_ACTION, G_ALIGN_DKIM,
	G_ALIGN_SPF, G_P, G_SP, G_NP, G_ADKIM, G_ASPF, G_COUNT, G_RECEIVED, G_KEYS = G_COUNT };

/* ordered by the latest record of each group, so report_agg's "last
 * policy seen wins" sees them in time order as a file reader would */
#define FETCH_ROWS	"20000"

static const char group_fmt[] =
    "SELECT pdomain, ipaddr, from_domain, mfrom, helo, override, discovery, dkim, rua,"
    " spf, spf_scope, policy, pct, fo, testing, action, align_dkim, align_spf,"
    " p, sp, np, adkim, aspf, count(*), max(received)"
    " FROM history WHERE received >= %lld AND received < %lld"
    " AND pdomain IS NOT NULL AND pdomain <> '' AND p IS NOT NULL"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,"
    " 19, 20, 21, 22, 23 ORDER BY 25, 1";

/* add_lines - "kw value" lines for each line of a stored dkim/rua column */
static void
add_lines(struct buf *text, const char *kw, const char *col)
{
	const char *p = col, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		buf_printf(text, "%s %.*s\n", kw, (int)(nl ? (size_t)(nl - p) : strlen(p)), p);
		p = nl ? nl + 1 : NULL;
	}
}

/* tag - a one-letter tag column back to its character (0 when NULL) */
static int
tag(struct store_stmt *st, int c)
{
	const char *v = store_col(st, c);

	return v != NULL ? (unsigned char)v[0] : 0;
}

/* group_rec - one group as a history record; NULL when its dkim or rua
 * lines do not parse.  The lines are stored as the file wrote them
 * (escaped), so the one history parser reads them back. */
static struct history_rec *
group_rec(struct store_stmt *st, struct buf *text)
{
	struct history_rec *r = NULL;
	size_t used;
	char why[64];

	buf_reset(text);
	buf_adds(text, "job -\n");
	add_lines(text, "dkim", store_col(st, G_DKIM));
	add_lines(text, "rua", store_col(st, G_RUA));
	buf_adds(text, "action 0\n");
	if (history_parse(text->data, text->len, 1, &used, &r, why, sizeof(why)) != 1)
		return NULL;
	history_rec_set(&r->pdomain, store_col(st, G_PDOMAIN));
	history_rec_set(&r->ipaddr, store_col(st, G_IPADDR));
	history_rec_set(&r->from, store_col(st, G_FROM));
	history_rec_set(&r->mfrom, store_col(st, G_MFROM));
	history_rec_set(&r->helo, store_col(st, G_HELO));
	history_rec_set(&r->override, store_col(st, G_OVERRIDE));
	history_rec_set(&r->discovery, store_col(st, G_DISCOVERY));
	r->spf = (int)store_col_int(st, G_SPF);
	r->spf_scope = (int)store_col_int(st, G_SPF_SCOPE);
	r->policy = (int)store_col_int(st, G_POLICY);
	r->pct = (int)store_col_int(st, G_PCT);
	r->fo = (unsigned)store_col_int(st, G_FO);
	r->testing = (int)store_col_int(st, G_TESTING);
	r->action = (int)store_col_int(st, G_ACTION);
	r->align_dkim = (int)store_col_int(st, G_ALIGN_DKIM);
	r->align_spf = (int)store_col_int(st, G_ALIGN_SPF);
	r->p = tag(st, G_P);
	r->sp = tag(st, G_SP);
	r->np = tag(st, G_NP);
	r->adkim = tag(st, G_ADKIM);
	r->aspf = tag(st, G_ASPF);
	r->received = store_col_int(st, G_RECEIVED);
	return r;
}

struct fold {
	struct report_agg *agg;
	struct buf	text;		/* scratch for group_rec */
	long long	used;
	unsigned long	bad;
};

/* fold_rows - the rows of st's last query into the aggregator; how many,
 * or -1 on a read error */
static long
fold_rows(struct store_stmt *st, struct fold *f)
{
	long rows = 0;
	int rc;

	while ((rc = store_next(st)) == 1) {
		struct history_rec *r = group_rec(st, &f->text);
		unsigned long long n = (unsigned long long)store_col_int(st, G_COUNT);

		rows++;
		if (r == NULL) {
			f->bad++;
			continue;
		}
		if (report_agg_add_n(f->agg, r, n))
			f->used += (long long)n;
		history_rec_free(r);
	}
	return rc < 0 ? -1 : rows;
}

/* aggregate_pg - through a cursor, FETCH_ROWS groups at a time: libpq
 * keeps a whole result in memory, and a site with millions of distinct
 * rows would need gigabytes for it (1.9 GB for 3 x 1,000,000 records) */
static int
aggregate_pg(struct store *s, const char *select, struct fold *f, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct store_stmt *st = NULL;
	long n;
	int rc = -1;

	if (store_begin(s, err) != 0)
		return -1;
	buf_printf(&sql, "DECLARE report_groups NO SCROLL CURSOR FOR %s", select);
	if (store_exec(s, sql.data, err) != 0 ||
	    (st = store_prepare(s, "FETCH " FETCH_ROWS " FROM report_groups", err)) == NULL)
		goto out;
	do {
		if (store_query(st, 0, NULL, err) != 0 || (n = fold_rows(st, f)) < 0)
			goto out;
	} while (n > 0);
	store_stmt_free(st);
	st = NULL;
	rc = store_commit(s, err);
out:
	store_stmt_free(st);
	if (rc != 0)
		store_rollback(s);
	buf_free(&sql);
	return rc;
}

/* aggregate_sqlite - one query: SQLite steps through its rows */
static int
aggregate_sqlite(struct store *s, const char *select, struct fold *f, struct buf *err)
{
	struct store_stmt *st = store_prepare(s, select, err);
	int rc = -1;

	if (st != NULL && store_query(st, 0, NULL, err) == 0)
		rc = fold_rows(st, f) < 0 ? -1 : 0;
	store_stmt_free(st);
	return rc;
}

/* report_db_aggregate - see report_db.h */
long long
report_db_aggregate(struct store *s, struct report_agg *agg, long long begin, long long end,
    unsigned long *bad, struct buf *err)
{
	struct fold f = { agg, BUF_INIT, 0, 0 };
	struct buf select = BUF_INIT;
	int rc;

	/* the period's bounds are numbers we format: no text of anyone's */
	buf_printf(&select, group_fmt, begin, end);
	rc = store_kind(s) == STORE_PG ? aggregate_pg(s, select.data, &f, err)
	    : aggregate_sqlite(s, select.data, &f, err);
	if (rc != 0 && err->len == 0)
		buf_adds(err, "reading the history groups failed");
	*bad = f.bad;
	buf_free(&f.text);
	buf_free(&select);
	return rc == 0 ? f.used : -1;
}
