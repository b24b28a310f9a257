/*
 * dash_store.c - "authmilter-report dashboard [-c CONF] [--db URL] --out DIR
 * [--quiet]": the dashboard (dash.h) filled from the received reports stored
 * by ingest (the tables of sql/003-ingest; DESIGN.md section 7)
 *
 * The rules (stated in DESIGN.md and authmilter-report(8), DASHBOARD):
 *   days      agg_day's messages per policy domain and UTC day; a message
 *             passes DMARC when its policy-evaluated dkim or spf is "pass"
 *             (RFC 9989 section 4.4); disposition quarantine and reject are
 *             counted as such, anything else as none;
 *   sources   agg_row summed per source IP over the reports whose range
 *             meets the domain's verdict window (dash_window): SPF/DKIM
 *             aligned are the policy-evaluated spf/dkim "pass"; reverse
 *             DNS, ASN and country from ip_info (sql/006-sources, filled
 *             by "authmilter-report enrich"), none when not looked up yet;
 *   orgs      agg_report per org_name over the same window;
 *   failures  every fail_report row (arrival, else ingestion time).
 * I/O: reads the database only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "dash.h"
#include "dash_store.h"
#include "log.h"
#include "store.h"
#include "store_schema.h"

#define EX_NOINPUT	66
#define EX_TEMPFAIL	75

static const char days_sql[] =
	"SELECT policy_domain, day,"
	" CASE WHEN lower(dkim) = 'pass' OR lower(spf) = 'pass' THEN 1 ELSE 0 END,"
	" lower(disposition), sum(messages) FROM agg_day"
	" GROUP BY policy_domain, day, 3, 4 ORDER BY policy_domain, day";
static const char src_sql[] =
	"SELECT g.ip, g.n, g.spf, g.dkim, g.pass, i.rdns, i.rdns_ok, i.asn, i.as_org, i.country"
	" FROM (SELECT w.source_ip AS ip, sum(w.count) AS n,"
	" sum(CASE WHEN lower(w.spf) = 'pass' THEN w.count ELSE 0 END) AS spf,"
	" sum(CASE WHEN lower(w.dkim) = 'pass' THEN w.count ELSE 0 END) AS dkim,"
	" sum(CASE WHEN lower(w.spf) = 'pass' OR lower(w.dkim) = 'pass' THEN w.count ELSE 0 END)"
	" AS pass FROM agg_row w JOIN agg_report r ON w.report = r.id WHERE r.policy_domain = $1"
	" AND r.date_end >= CAST($2 AS bigint) AND r.date_begin < CAST($3 AS bigint)"
	" GROUP BY w.source_ip) g LEFT JOIN ip_info i ON i.ip = g.ip";
static const char org_sql[] =
	"SELECT org_name, count(*), sum(messages), max(date_end) FROM agg_report"
	" WHERE policy_domain = $1 AND date_end >= CAST($2 AS bigint)"
	" AND date_begin < CAST($3 AS bigint) GROUP BY org_name";
static const char fail_sql[] =
	"SELECT coalesce(arrival_ts, ingested_at), reporter, source_ip, from_domain,"
	" auth_results FROM fail_report ORDER BY 1 DESC, id";

/* dash_store_query - see dash_store.h */
struct store_stmt *
dash_store_query(struct store *s, const char *sql, size_t n, const char *const *p,
    struct buf *err)
{
	struct store_stmt *st;

	if ((st = store_prepare(s, sql, err)) == NULL)
		return NULL;
	if (store_query(st, n, p, err) != 0) {
		store_stmt_free(st);
		return NULL;
	}
	return st;
}

/* dash_store_days - see dash_store.h */
int
dash_store_days(struct store *s, struct dash_data *d, struct buf *err)
{
	struct store_stmt *st;
	struct dash_domain *dom = NULL;
	const char *name, *disp;

	if ((st = dash_store_query(s, days_sql, 0, NULL, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		struct dash_day c;
		unsigned long n = (unsigned long)store_col_int(st, 4);

		memset(&c, 0, sizeof(c));
		name = store_col(st, 0);
		if (dom == NULL || strcmp(dom->name, name) != 0)
			dom = dash_domain_add(d, name);
		*(store_col_int(st, 2) ? &c.pass : &c.fail) = n;
		disp = store_col(st, 3) ? store_col(st, 3) : "";
		*(strcmp(disp, "reject") == 0 ? &c.reject :
		    strcmp(disp, "quarantine") == 0 ? &c.quarantine : &c.none) = n;
		dash_day_add(dom, (time_t)store_col_int(st, 1), &c);
	}
	store_stmt_free(st);
	return 0;
}

/* window_query - sql run for dom's name and the window [from, to) */
static struct store_stmt *
window_query(struct store *s, const char *sql, const struct dash_domain *dom, time_t from,
    time_t to, struct buf *err)
{
	char f[32], t[32];
	const char *p[3] = { dom->name, f, t };

	snprintf(f, sizeof(f), "%lld", (long long)from);
	snprintf(t, sizeof(t), "%lld", (long long)to);
	return dash_store_query(s, sql, 3, p, err);
}

/* dash_store_sources - see dash_store.h */
int
dash_store_sources(struct store *s, struct dash_domain *dom, time_t from, time_t to,
    struct buf *err)
{
	struct store_stmt *st;

	if ((st = window_query(s, src_sql, dom, from, to, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		struct dash_source x = { (char *)store_col(st, 0), (char *)store_col(st, 5),
		    (unsigned long)store_col_int(st, 7), (char *)store_col(st, 8),
		    (char *)store_col(st, 9), (unsigned long)store_col_int(st, 1),
		    (unsigned long)store_col_int(st, 2), (unsigned long)store_col_int(st, 3),
		    (unsigned long)store_col_int(st, 4), store_col_int(st, 6) != 0 };

		dash_source_add(dom, &x);
	}
	store_stmt_free(st);
	return 0;
}

/* dash_store_orgs - see dash_store.h */
int
dash_store_orgs(struct store *s, struct dash_domain *dom, time_t from, time_t to,
    struct buf *err)
{
	struct store_stmt *st;

	if ((st = window_query(s, org_sql, dom, from, to, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		struct dash_org o = { (char *)store_col(st, 0), (unsigned long)store_col_int(st, 1),
		    (unsigned long)store_col_int(st, 2), (time_t)store_col_int(st, 3) };

		dash_org_add(dom, &o);
	}
	store_stmt_free(st);
	return 0;
}

/* dash_store_domain - the sources and organisations of dom over its
 * verdict window [first, last + 1 day); 0 or -1 */
static int
dash_store_domain(struct store *s, struct dash_domain *dom, struct buf *err)
{
	time_t first = 0, last = -DASH_DAY;

	dash_window(dom, &first, &last);
	if (dash_store_sources(s, dom, first, last + DASH_DAY, err) != 0)
		return -1;
	return dash_store_orgs(s, dom, first, last + DASH_DAY, err);
}

/* dash_store_failures - every failure report; 0 or -1 */
static int
dash_store_failures(struct store *s, struct dash_data *d, struct buf *err)
{
	struct store_stmt *st;

	if ((st = dash_store_query(s, fail_sql, 0, NULL, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		struct dash_failure f = { (time_t)store_col_int(st, 0), (char *)store_col(st, 1),
		    (char *)store_col(st, 2), (char *)store_col(st, 3), (char *)store_col(st, 4) };

		dash_failure_add(d, &f);
	}
	store_stmt_free(st);
	return 0;
}

/* dash_store_fill - see dash_store.h */
int
dash_store_fill(struct dash_data *d, void *arg, struct buf *err)
{
	struct store *s = arg;
	size_t i;

	d->generated = time(NULL);
	if (dash_store_days(s, d, err) != 0)
		return -1;
	for (i = 0; i < d->ndom; i++)
		if (dash_store_domain(s, &d->dom[i], err) != 0)
			return -1;
	return dash_store_failures(s, d, err);
}

/* dash_store_open - the database of --db, else of the configuration's
 * ReportDatabase, its schema checked; NULL with err and *rc the exit
 * status (66: an SQLite file that does not exist, none created; else 75) */
static struct store *
dash_store_open(const char *conf, const char *url, struct buf *err, int *rc)
{
	struct conf *c = NULL;
	struct store *s;

	if (url == NULL && (c = conf ? conf_load(conf, err) : conf_defaults()) == NULL)
		return NULL;
	if (store_absent(url ? url : c->report_database, err))
		*rc = EX_NOINPUT;
	s = *rc == EX_NOINPUT ? NULL : store_schema_open(url ? url : c->report_database, err);
	conf_free(c);
	return s;
}

/* dash_store_main - see dash_store.h: -c CONF and --db URL taken out of argv, the
 * rest handed to dash_main */
int
dash_store_main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	const char *conf = NULL, *url = NULL;
	char **rest = xcalloc((size_t)argc + 1, sizeof(char *));
	struct store *s;
	int i, n = 0, rc = EX_TEMPFAIL;

	log_open("authmilter-report", 0, NULL, 1);
	for (i = 0; i < argc; i++) {
		if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc)
			conf = argv[++i];
		else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			url = argv[++i];
		else
			rest[n++] = argv[i];
	}
	buf_init(&err);
	if ((s = dash_store_open(conf, url, &err, &rc)) == NULL)
		log_warnx("dashboard: %s", err.data);
	else
		rc = dash_main(n, rest, dash_store_fill, s);
	store_close(s);
	buf_free(&err);
	free(rest);
	return rc;
}
