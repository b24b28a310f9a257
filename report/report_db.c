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
#include "store_schema.h"

/* the columns of a group, in the SELECT's order */
enum { G_PDOMAIN, G_IPADDR, G_FROM, G_MFROM, G_HELO, G_OVERRIDE, G_DISCOVERY, G_DKIM, G_RUA,
	G_SPF, G_SPF_SCOPE, G_POLICY, G_PCT, G_FO, G_TESTING, G_ACTION, G_ALIGN_DKIM,
	G_ALIGN_SPF, G_P, G_SP, G_NP, G_ADKIM, G_ASPF, G_COUNT, G_RECEIVED, G_KEYS = G_COUNT };

/* ordered by the latest record of each group, so report_agg's "last
 * policy seen wins" sees them in time order as a file reader would */
static const char group_sql[] =
    "SELECT pdomain, ipaddr, from_domain, mfrom, helo, override, discovery, dkim, rua,"
    " spf, spf_scope, policy, pct, fo, testing, action, align_dkim, align_spf,"
    " p, sp, np, adkim, aspf, count(*), max(received)"
    " FROM history WHERE received >= $1 AND received < $2"
    " AND pdomain IS NOT NULL AND pdomain <> '' AND p IS NOT NULL"
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,"
    " 19, 20, 21, 22, 23 ORDER BY 25, 1";

/* report_db_open - see report_db.h */
struct store *
report_db_open(const char *url, struct buf *err)
{
	struct store *s = store_open(url, err);

	if (s != NULL && store_schema_check(s, err) != 0) {
		store_close(s);
		return NULL;
	}
	return s;
}

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

/* report_db_aggregate - see report_db.h */
long long
report_db_aggregate(struct store *s, struct report_agg *agg, long long begin, long long end,
    unsigned long *bad, struct buf *err)
{
	struct store_stmt *st = store_prepare(s, group_sql, err);
	struct buf text = BUF_INIT;
	char b[24], e[24];
	const char *params[2] = { b, e };
	long long used = 0;
	int rc;

	*bad = 0;
	if (st == NULL)
		return -1;
	snprintf(b, sizeof(b), "%lld", begin);
	snprintf(e, sizeof(e), "%lld", end);
	if (store_query(st, 2, params, err) != 0) {
		store_stmt_free(st);
		return -1;
	}
	while ((rc = store_next(st)) == 1) {
		struct history_rec *r = group_rec(st, &text);
		unsigned long long n = (unsigned long long)store_col_int(st, G_COUNT);

		if (r == NULL) {
			(*bad)++;
			continue;
		}
		if (report_agg_add_n(agg, r, n))
			used += (long long)n;
		history_rec_free(r);
	}
	if (rc < 0) {
		buf_adds(err, "reading the history groups failed");
		used = -1;
	}
	store_stmt_free(st);
	buf_free(&text);
	return used;
}
