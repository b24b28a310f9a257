/*
 * report_claim.c - claims on site-wide reports in the database
 * (report_claim.h states the rule)
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
#include "report_claim.h"
#include "store.h"

#define KEY_WHERE " WHERE pdomain = $1 AND period_begin = $2 AND period_end = $3 AND dest = $4"

/* report_claim_owner - see report_claim.h */
char *
report_claim_owner(void)
{
	struct buf b = BUF_INIT;
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_printf(&b, "%s %ld", host, (long)getpid());
	return buf_steal(&b);
}

/* owner_dead - a claim made on this host by a process that is gone */
static int
owner_dead(const char *owner, const char *me)
{
	const char *sp = owner ? strrchr(owner, ' ') : NULL, *msp = strrchr(me, ' ');
	long pid;
	char *end;

	if (sp == NULL || msp == NULL || sp - owner != msp - me ||
	    strncmp(owner, me, (size_t)(sp - owner)) != 0)
		return 0;		/* another host's: only the age tells */
	pid = strtol(sp + 1, &end, 10);
	if (*end != '\0' || pid <= 0)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* decide - may this process claim a row in state st, owned, claimed when */
static int
decide(const char *st, const char *owner, long long claimed, const struct report_claim *c,
    time_t now, const char **why)
{
	if (strcmp(st, "sent") == 0 || strcmp(st, "dropped") == 0) {
		*why = st[0] == 's' ? "sent" : "given up";	/* st dies with the row */
		return 0;
	}
	if (strcmp(st, "claimed") != 0 || claimed + REPORT_CLAIM_STALE <= (long long)now ||
	    owner_dead(owner, c->owner))
		return 1;
	*why = "being sent by another reporter";
	return 0;
}

/* lock_row - the claim row, inserted when new and locked; its state into
 * the decision */
static int
lock_row(struct store *s, const struct report_claim *c, const char *const *p, time_t now,
    const char **why, struct buf *err)
{
	struct buf sql = BUF_INIT;
	struct store_stmt *st;
	long long ignored;
	int rc = -1;

	if (store_query_int(s, "INSERT INTO report_claim (pdomain, period_begin, period_end, dest,"
	    " report_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING", 5, p, 0, &ignored,
	    err) != 0)
		return -1;
	buf_printf(&sql, "SELECT state, owner, claimed FROM report_claim" KEY_WHERE "%s",
	    store_for_update(s));
	if ((st = store_prepare(s, sql.data, err)) != NULL && store_query(st, 4, p, err) == 0) {
		if (store_next(st) == 1)
			rc = decide(store_col(st, 0), store_col(st, 1), store_col_int(st, 2), c, now,
			    why);
		else
			buf_adds(err, "report_claim: the row just inserted is missing");
	}
	store_stmt_free(st);
	buf_free(&sql);
	return rc;
}

/* report_claim_take - see report_claim.h */
int
report_claim_take(struct store *s, const struct report_claim *c, time_t now,
    const char **why, struct buf *err)
{
	char b[24], e[24], t[24];
	const char *p[7] = { c->pdomain, b, e, c->dest, c->id, c->owner, t };
	long long ignored;
	int rc;

	snprintf(b, sizeof(b), "%lld", c->begin);
	snprintf(e, sizeof(e), "%lld", c->end);
	snprintf(t, sizeof(t), "%lld", (long long)now);
	*why = "";
	if (store_begin(s, err) != 0)
		return -1;
	rc = lock_row(s, c, p, now, why, err);
	if (rc == 1 && store_query_int(s, "UPDATE report_claim SET state = 'claimed',"
	    " owner = $6, claimed = CAST($7 AS bigint), tries = tries + 1,"
	    " first_try = CASE WHEN first_try = 0 THEN CAST($7 AS bigint) ELSE first_try END"
	    KEY_WHERE " AND report_id = $5", 7, p, 0, &ignored, err) != 0)
		rc = -1;
	if (rc >= 0 && store_commit(s, err) != 0)
		rc = -1;
	if (rc < 0)
		store_rollback(s);
	return rc;
}

/* report_claim_done - see report_claim.h */
int
report_claim_done(struct store *s, const struct report_claim *c, int sent, time_t now,
    long give_up_after, struct buf *err)
{
	char b[24], e[24], t[24], g[24];
	const char *p[6] = { c->pdomain, b, e, c->dest, t, g };
	long long ignored;

	snprintf(b, sizeof(b), "%lld", c->begin);
	snprintf(e, sizeof(e), "%lld", c->end);
	snprintf(t, sizeof(t), "%lld", (long long)now);
	snprintf(g, sizeof(g), "%lld", (long long)now - give_up_after);
	/* one statement: autocommitted, and a "sent" never goes back */
	if (sent)
		return store_query_int(s, "UPDATE report_claim SET state = 'sent', done = CAST($5 AS bigint),"
		    " owner = NULL" KEY_WHERE, 5, p, 0, &ignored, err);
	return store_query_int(s, "UPDATE report_claim SET owner = NULL, claimed = 0,"
	    " state = CASE WHEN first_try < CAST($6 AS bigint) THEN 'dropped' ELSE 'failed' END,"
	    " done = CASE WHEN first_try < CAST($6 AS bigint) THEN CAST($5 AS bigint) END"
	    KEY_WHERE " AND state <> 'sent'", 6, p, 0, &ignored, err);
}
