/*
 * dash_store.h - the dashboard (dash.h) over the received reports stored by
 * ingest: "authmilter-report dashboard"; authmilter-report(8), DASHBOARD
 */
#ifndef AUTHMILTER_DASH_STORE_H
#define AUTHMILTER_DASH_STORE_H

#include "buf.h"
#include "dash.h"
#include "store.h"

/* dash_store_fill - the dash_fill_fn filling d from the open store arg
 * (struct store *): the rules are in dash_store.c's header; 0, or -1 with err */
int	dash_store_fill(struct dash_data *d, void *arg, struct buf *err);
/* dash_store_query - sql prepared and run with n text parameters; NULL with err
 * (the caller frees the statement) */
struct store_stmt *dash_store_query(struct store *s, const char *sql, size_t n,
	    const char *const *p, struct buf *err);
/* dash_store_days - every policy domain of agg_day into d, with its days
 * (pass/fail and disposition per UTC day); 0 or -1 */
int	dash_store_days(struct store *s, struct dash_data *d, struct buf *err);
/* dash_store_sources, dash_store_orgs - dom's sources (by IP: messages, SPF
 * and DKIM aligned, DMARC pass) and reporting organisations summed over
 * the reports whose range meets [from, to); 0 or -1.  The dashboard passes
 * the verdict's window, alerts (alerts_store.c) its window and lookback */
int	dash_store_sources(struct store *s, struct dash_domain *dom, time_t from, time_t to,
	    struct buf *err);
int	dash_store_orgs(struct store *s, struct dash_domain *dom, time_t from, time_t to,
	    struct buf *err);
/* dash_store_main - "dashboard [-c CONF] [--db URL] --out DIR [--quiet]"
 * (argv[0] the subcommand); exit 0, 1 (reading the database or writing
 * the site failed), 64 (usage), 75 (the database cannot be opened) */
int	dash_store_main(int argc, char **argv);

#endif
