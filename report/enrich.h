/*
 * enrich.h - "authmilter-report enrich": what is known of each source IP
 * of the stored aggregate reports (the table ip_info of sql/006-sources):
 * reverse DNS name (forward-confirmed or not: lib/rdns.h), AS number and
 * organisation, country (lib/geoip.h); the dashboard shows them
 *
 * When: a step of its own, run before the dashboard (cron), not part of
 * ingest: ingest is what an MTA's pipe waits on for every report message,
 * and 1,000,000 rows must not wait on PTR lookups; a DNS outage must not
 * slow it either.  Each run looks up the addresses with no row first, then
 * those whose last lookup failed temporarily, then those older than
 * ReportEnrichRefreshDays; the addresses sending the most messages first;
 * at most ReportEnrichMax of them, within ReportEnrichSeconds (a common
 * deadline for every lookup: dns_budget), ENRICH_THREADS lookups at once
 * (the resolver is thread-safe and asynchronous inside).  What the
 * deadline cut is not written and is asked again at the next run.  A DNS
 * failure is not an error: the address is stored without a name
 * (rdns_status retry) and asked again at the next run, its old name kept.
 * I/O: the database, DNS, the GeoIP files.
 */
#ifndef AUTHMILTER_ENRICH_H
#define AUTHMILTER_ENRICH_H

#include <time.h>

#include "buf.h"
#include "dns.h"
#include "geoip.h"
#include "store.h"

#define ENRICH_THREADS	16

struct enrich_opts {
	struct dns     *dns;		/* NULL: no reverse DNS (ReportReverseDNS no) */
	struct geoip   *geoip;	/* NULL: no GeoIP database configured */
	long		max;		/* addresses per run */
	long		seconds;	/* the run's DNS deadline */
	long		refresh_days;	/* a row older than this is looked up again */
	time_t		now;
};

/* what one run did */
struct enrich_stats {
	unsigned long	picked;		/* addresses chosen for this run */
	unsigned long	done;		/* looked up and written */
	unsigned long	named, confirmed, noname, retry, failed;	/* PTR outcomes */
	unsigned long	geo;		/* with a country or an ASN */
	unsigned long	left;		/* chosen, not reached before the deadline */
};

/* enrich_run - one run over the open store s (above); 0, or -1 with err
 * (the database failed; nothing of this run is written) */
int	enrich_run(struct store *s, const struct enrich_opts *o, struct enrich_stats *st,
	    struct buf *err);

/* enrich_main - "enrich [-c CONF] [--db URL] [--max N] [--seconds S]
 * [--no-rdns] [--quiet]"; exit 0, 64 usage, 66 an SQLite file that does
 * not exist, 75 the database failed, 78 the configuration, resolver or a
 * GeoIP database could not be read */
int	enrich_main(int argc, char **argv);

#endif
