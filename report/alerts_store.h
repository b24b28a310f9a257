/*
 * alerts_store.h - the alert rules' numbers read from the received reports
 * (the tables of sql/003-ingest, through dash_store.h's queries where the
 * dashboard has them) and what was mailed (sql/005-alerts: alert_sent)
 *
 * I/O: the database.
 */
#ifndef AUTHMILTER_ALERTS_STORE_H
#define AUTHMILTER_ALERTS_STORE_H

#include "alerts.h"
#include "buf.h"
#include "store.h"

/* alerts_store_eval - every rule (alerts.h) over the store, as at sp->now;
 * the alerts that fire appended to out; 0, or -1 with err */
int	alerts_store_eval(struct store *s, const struct alert_rules *r,
	    const struct alert_spans *sp, struct alert_list *out, struct buf *err);
/* alerts_store_lock - in the caller's open transaction, the lock that
 * keeps two runs (two hosts on one PostgreSQL) from mailing one alert
 * twice; 0 or -1 */
int	alerts_store_lock(struct store *s, struct buf *err);
/* alerts_store_load - each alert's last_sent from alert_sent (0: never);
 * 0 or -1 */
int	alerts_store_load(struct store *s, struct alert_list *l, struct buf *err);
/* alerts_store_record - in the caller's open transaction: the due alerts
 * (status new or again) marked mailed at now, and the rows of conditions
 * that no longer fire deleted (they are new when they come back); 0 or -1 */
int	alerts_store_record(struct store *s, struct alert_list *l, time_t now,
	    struct buf *err);

#endif
