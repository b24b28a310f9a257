/*
 * cmd_reports.c - "authmilter-report reports | failures": the stored
 * received reports, as JSON lines (--json) or a table (cmd_ingest.h)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "cmd_ingest.h"
#include "json.h"
#include "log.h"
#include "store.h"

#define EX_TEMPFAIL	75

/* a listing: its SQL ($1 <= time < $2, $3 the domain) and its columns
 * (type 'i' a number, 's' text) */
struct listing {
	const char     *select;		/* up to WHERE */
	const char     *domain_cond;	/* with $3 */
	const char     *order;
	const char     *const *names;	/* JSON keys */
	const char     *types;
	const char     *head;		/* the table's heading */
};

static const char *const rep_names[] = { "org_name", "report_id", "policy_domain", "begin",
    "end", "rows", "messages", "format", NULL };
static const struct listing reports = {
	"SELECT org_name, report_id, policy_domain, date_begin, date_end, nrows, messages,"
	" format FROM agg_report WHERE date_end >= CAST($1 AS bigint)"
	" AND date_begin < CAST($2 AS bigint)",
	" AND policy_domain = $3", " ORDER BY date_begin, org_name, report_id",
	rep_names, "sssiiiis",
	"BEGIN (UTC)       END (UTC)         DOMAIN               ORG                  "
	"ROWS   MESSAGES   FORMAT  REPORT ID" };

static const char *const fail_names[] = { "reporter", "arrival_date", "arrival", "source_ip",
    "from_domain", "reported_domain", "auth_failure", "auth_results", "delivery_result", NULL };
static const struct listing failures = {
	"SELECT reporter, arrival_ts, arrival, source_ip, from_domain, reported_domain,"
	" auth_failure, auth_results, delivery_result FROM fail_report"
	" WHERE coalesce(arrival_ts, ingested_at) >= CAST($1 AS bigint)"
	" AND coalesce(arrival_ts, ingested_at) < CAST($2 AS bigint)",
	" AND (from_domain = $3 OR reported_domain = $3)",
	" ORDER BY coalesce(arrival_ts, ingested_at), id", fail_names, "sisssssss",
	"ARRIVAL (UTC)     SOURCE IP        FROM DOMAIN          REPORTER             "
	"AUTH FAILURE  RESULTS" };

/* utc - epoch seconds as "YYYY-MM-DD HH:MM" (UTC) */
static const char *
utc(char *out, size_t len, long long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, len, "%lld", t);
	return out;
}

/* json_line - the current row as one JSON object */
static void
json_line(struct store_stmt *st, const struct listing *l)
{
	struct buf b = BUF_INIT;
	const char *v;
	int i;

	buf_init(&b);
	for (i = 0; l->names[i] != NULL; i++) {
		buf_printf(&b, "%s\"%s\":", i ? "," : "{", l->names[i]);
		v = store_col(st, i);
		if (v == NULL)
			buf_adds(&b, "null");
		else if (l->types[i] == 'i')
			buf_printf(&b, "%lld", store_col_int(st, i));
		else
			json_str(&b, v, strlen(v));
	}
	printf("%s}\n", b.data);
	buf_free(&b);
}

/* cell - a text column for the table: NULL as "-", control bytes as '?' */
static const char *
cell(struct buf *b, const char *v)
{
	buf_reset(b);
	for (; v != NULL && *v != '\0'; v++)
		buf_addc(b, (unsigned char)*v < 0x20 || *v == 0x7f ? '?' : *v);
	return b->len ? b->data : "-";
}

/* table_line - the current row as a line of the table */
static void
table_line(struct store_stmt *st, const struct listing *l)
{
	struct buf c[4];
	char t1[32], t2[32];
	int i;

	for (i = 0; i < 4; i++)
		buf_init(&c[i]);
	if (l == &reports)
		printf("%-17s %-17s %-20s %-20s %6lld %10lld %-7s %s\n",
		    utc(t1, sizeof(t1), store_col_int(st, 3)), utc(t2, sizeof(t2), store_col_int(st, 4)),
		    cell(&c[0], store_col(st, 2)), cell(&c[1], store_col(st, 0)), store_col_int(st, 5),
		    store_col_int(st, 6), store_col(st, 7), cell(&c[2], store_col(st, 1)));
	else
		printf("%-17s %-16s %-20s %-20s %-13s %s\n",
		    store_col(st, 1) ? utc(t1, sizeof(t1), store_col_int(st, 1)) : "-",
		    cell(&c[0], store_col(st, 3)), cell(&c[1], store_col(st, 4)),
		    cell(&c[2], store_col(st, 0)), cell(&c[3], store_col(st, 6)),
		    store_col(st, 8) ? store_col(st, 8) : "-");
	for (i = 0; i < 4; i++)
		buf_free(&c[i]);
}

/* cmd_reports_run - see cmd_ingest.h */
int
cmd_reports_run(const char *cmd, struct store *s, const struct cmd_query *q)
{
	const struct listing *l = strcmp(cmd, "failures") == 0 ? &failures : &reports;
	struct buf sql = BUF_INIT, err = BUF_INIT;
	char from[32], to[32];
	const char *p[3] = { from, to, q->domain };
	struct store_stmt *st;
	int rc = 0;

	buf_init(&sql);
	buf_init(&err);
	snprintf(from, sizeof(from), "%lld", q->from);
	snprintf(to, sizeof(to), "%lld", q->to);
	buf_printf(&sql, "%s%s%s", l->select, q->domain ? l->domain_cond : "", l->order);
	if ((st = store_prepare(s, sql.data, &err)) == NULL ||
	    store_query(st, q->domain ? 3 : 2, p, &err) != 0) {
		log_warnx("%s: %s", cmd, err.data);
		rc = EX_TEMPFAIL;
	} else {
		if (!q->json)
			printf("%s\n", l->head);
		while (store_next(st) == 1)
			(q->json ? json_line : table_line)(st, l);
	}
	store_stmt_free(st);
	buf_free(&sql);
	buf_free(&err);
	return rc;
}
