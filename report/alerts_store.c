/*
 * alerts_store.c - the alert rules' numbers from the database and the
 * memory of what was mailed (alerts_store.h)
 *
 * Per policy domain of agg_day (dash_store_days: its days, for the pass
 * rate), the sources of the reports meeting the window and those meeting
 * the lookback (dash_store_sources), the organisations with a report
 * meeting the window (dash_store_orgs) and, from agg_day, the UTC days and
 * messages each organisation's reports covered in the lookback; the
 * refused inputs from ingest_reject.  Then alerts.c decides.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_store.h"
#include "dash_store.h"
#include "strlist.h"

/* "AMALERTS": the lock of alerts_store_lock */
#define ALERTS_LOCK_KEY	0x414d414c45525453LL

/* the organisations' UTC days (a day counts when it meets the lookback)
 * and messages in the lookback: $1 domain, [$2, $3) */
static const char org_days_sql[] =
	"SELECT r.org_name, count(DISTINCT d.day), sum(d.messages) FROM agg_day d"
	" JOIN agg_report r ON d.report = r.id WHERE d.policy_domain = $1"
	" AND d.day > CAST($2 AS bigint) - 86400 AND d.day < CAST($3 AS bigint)"
	" GROUP BY r.org_name ORDER BY r.org_name";
/* the refused inputs since $1: the newest one and how many */
static const char reject_sql[] =
	"SELECT id, reason, source, ingested_at,"
	" (SELECT count(*) FROM ingest_reject WHERE ingested_at >= CAST($1 AS bigint))"
	" FROM ingest_reject WHERE ingested_at >= CAST($1 AS bigint) ORDER BY id DESC LIMIT 1";
static const char load_sql[] = "SELECT rule, domain, subject, last_sent FROM alert_sent";
static const char sent_sql[] =
	"INSERT INTO alert_sent (rule, domain, subject, first_sent, last_sent, sends)"
	" VALUES ($1, $2, $3, CAST($4 AS bigint), CAST($4 AS bigint), 1)"
	" ON CONFLICT (rule, domain, subject) DO UPDATE SET last_sent = excluded.last_sent,"
	" sends = alert_sent.sends + 1";
static const char gone_sql[] =
	"DELETE FROM alert_sent WHERE rule = $1 AND domain = $2 AND subject = $3";

/* run - sql with n parameters, its rows ignored; 0 or -1 */
static int
run(struct store *s, const char *sql, size_t n, const char *const *p, struct buf *err)
{
	struct store_stmt *st = dash_store_query(s, sql, n, p, err);

	store_stmt_free(st);
	return st ? 0 : -1;
}

/* reporters - the reporter-stopped rule for dom (win: its organisations
 * in the window); 0 or -1 */
static int
reporters(struct store *s, const struct alert_rules *r, const struct alert_spans *sp,
    const struct dash_domain *win, struct alert_list *out, struct buf *err)
{
	char f[32], t[32];
	const char *p[3] = { win->name, f, t };
	struct alert_org *o = NULL;
	struct strlist names = { 0, NULL };
	struct store_stmt *st;
	size_t n = 0, i;

	snprintf(f, sizeof(f), "%lld", (long long)sp->lb_from);
	snprintf(t, sizeof(t), "%lld", (long long)sp->win_from);
	if ((st = dash_store_query(s, org_days_sql, 3, p, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		o = xrealloc(o, (n + 1) * sizeof(*o));
		strlist_add(&names, store_col(st, 0) ? store_col(st, 0) : "");
		o[n].days = (unsigned long)store_col_int(st, 1);
		o[n++].messages = (unsigned long)store_col_int(st, 2);
	}
	store_stmt_free(st);
	for (i = 0; i < n; i++)
		o[i].name = names.v[i];
	alerts_reporters(r, sp, win, o, n, out);
	free(o);
	strlist_free(&names);
	return 0;
}

/* domain_rules - the new-source and reporter-stopped rules for dom; 0 or -1 */
static int
domain_rules(struct store *s, const struct alert_rules *r, const struct alert_spans *sp,
    const struct dash_domain *dom, struct alert_list *out, struct buf *err)
{
	struct dash_data *w = dash_new(), *b = dash_new();
	struct dash_domain *win = dash_domain_add(w, dom->name), *lb = dash_domain_add(b, dom->name);
	int rc = -1;

	if (r->new_source > 0 &&
	    (dash_store_sources(s, win, sp->win_from, sp->now, err) != 0 ||
	    dash_store_sources(s, lb, sp->lb_from, sp->win_from, err) != 0))
		goto out;
	dash_sort(w);
	alerts_new_sources(r, sp, win, lb, out);
	if (r->reporter_min > 0 && (dash_store_orgs(s, win, sp->win_from, sp->now, err) != 0 ||
	    reporters(s, r, sp, win, out, err) != 0))
		goto out;
	rc = 0;
out:
	dash_free(w);
	dash_free(b);
	return rc;
}

/* ingest_errors - the ingest-errors rule; 0 or -1 */
static int
ingest_errors(struct store *s, const struct alert_rules *r, const struct alert_spans *sp,
    struct alert_list *out, struct buf *err)
{
	char f[32];
	const char *p[1] = { f };
	struct store_stmt *st;

	if (r->ingest_errors <= 0)
		return 0;
	snprintf(f, sizeof(f), "%lld", (long long)sp->win_from);
	if ((st = dash_store_query(s, reject_sql, 1, p, err)) == NULL)
		return -1;
	if (store_next(st) == 1) {
		struct alert_ingest ie = { (unsigned long)store_col_int(st, 4), store_col_int(st, 0),
		    store_col(st, 1), store_col(st, 2), (time_t)store_col_int(st, 3) };

		alerts_ingest(r, sp, &ie, out);
	}
	store_stmt_free(st);
	return 0;
}

/* alerts_store_eval - see alerts_store.h */
int
alerts_store_eval(struct store *s, const struct alert_rules *r, const struct alert_spans *sp,
    struct alert_list *out, struct buf *err)
{
	struct dash_data *d = dash_new();
	size_t i;
	int rc = -1;

	if (dash_store_days(s, d, err) != 0)
		goto out;
	for (i = 0; i < d->ndom; i++) {
		alerts_pass_rate(r, sp, &d->dom[i], out);
		if (domain_rules(s, r, sp, &d->dom[i], out, err) != 0)
			goto out;
	}
	rc = ingest_errors(s, r, sp, out, err);
out:
	dash_free(d);
	return rc;
}

/* alerts_store_lock - see alerts_store.h */
int
alerts_store_lock(struct store *s, struct buf *err)
{
	return store_lock(s, ALERTS_LOCK_KEY, err);
}

/* alerts_store_load - see alerts_store.h */
int
alerts_store_load(struct store *s, struct alert_list *l, struct buf *err)
{
	struct store_stmt *st;

	if ((st = dash_store_query(s, load_sql, 0, NULL, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		int rule = alerts_rule_find(store_col(st, 0) ? store_col(st, 0) : "");
		struct alert *a = rule < 0 ? NULL : alerts_find(l, (enum alert_rule)rule,
		    store_col(st, 1) ? store_col(st, 1) : "", store_col(st, 2) ? store_col(st, 2) : "");

		if (a != NULL)
			a->last_sent = (time_t)store_col_int(st, 3);
	}
	store_stmt_free(st);
	return 0;
}

/* alerts_store_record - see alerts_store.h: the rows no longer firing are
 * read first, then deleted (no statement is read while another runs) */
int
alerts_store_record(struct store *s, struct alert_list *l, time_t now, struct buf *err)
{
	struct strlist gone = { 0, NULL };
	struct store_stmt *st;
	char t[32];
	size_t i;
	int rc = 0;

	if ((st = dash_store_query(s, load_sql, 0, NULL, err)) == NULL)
		return -1;
	while (store_next(st) == 1) {
		const char *w = store_col(st, 0), *d = store_col(st, 1), *j = store_col(st, 2);
		int rule = alerts_rule_find(w ? w : "");

		if (rule < 0 || alerts_find(l, (enum alert_rule)rule, d ? d : "", j ? j : "") == NULL) {
			strlist_add(&gone, w ? w : "");
			strlist_add(&gone, d ? d : "");
			strlist_add(&gone, j ? j : "");
		}
	}
	store_stmt_free(st);
	for (i = 0; rc == 0 && i + 2 < gone.n; i += 3)
		rc = run(s, gone_sql, 3, (const char *const *)&gone.v[i], err);
	snprintf(t, sizeof(t), "%lld", (long long)now);
	for (i = 0; rc == 0 && i < l->n; i++) {
		const char *p[4] = { alerts_rule_word(l->v[i].rule), l->v[i].domain,
		    l->v[i].subject, t };

		if (l->v[i].status != ALERT_SENT)
			rc = run(s, sent_sql, 4, p, err);
	}
	strlist_free(&gone);
	return rc;
}
