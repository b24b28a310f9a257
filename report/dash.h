/*
 * dash.h - the DMARC dashboard (issue 14 item 3): what other receivers'
 * reports say about our domains, as a static HTML site and a terminal
 * summary
 *
 * struct dash_data is a plain model filled by one function (the storage
 * adapter, or t/dash_tool's fixture reader) through dash_domain_add,
 * dash_day_add, dash_source_add, dash_org_add and dash_failure_add; the
 * model owns copies of every string it is given (not the caller's
 * pointers).  dash_free releases it all.
 *
 * Every string of the model may come from another organisation's report
 * (org names, reverse DNS names, reporter strings, auth results): the
 * writers escape them all (HTML text and attributes; control bytes in the
 * terminal summary).
 *
 * I/O: dash_write writes files (dash_html.c: pages; dash_svg.c: charts,
 * pure); dash_text writes to a stdio stream; the rest is pure.
 */
#ifndef AUTHMILTER_DASH_H
#define AUTHMILTER_DASH_H

#include <stdio.h>
#include <time.h>

#include "buf.h"

#define DASH_DAY	86400
/* the verdict's window: the last DASH_WINDOW_DAYS UTC days of the data */
#define DASH_WINDOW_DAYS 30

/* one UTC day of one policy domain (multi-day report ranges already split) */
struct dash_day {
	time_t	day;		/* 00:00 UTC of that day (epoch) */
	unsigned long pass, fail;	/* messages by DMARC result */
	unsigned long none, quarantine, reject;	/* by applied disposition */
};

/* one source IP of one domain, summed over the window */
struct dash_source {
	char   *ip;
	char   *rdns;		/* reverse DNS name, or NULL when unknown */
	unsigned long asn;	/* 0: unknown */
	char   *asn_name;	/* or NULL */
	char   *country;	/* ISO 3166 code, or NULL */
	unsigned long messages;
	unsigned long spf_aligned;	/* messages whose SPF passed aligned */
	unsigned long dkim_aligned;	/* messages whose DKIM passed aligned */
	unsigned long dmarc_pass;	/* messages that passed DMARC */
	int	rdns_confirmed;		/* rdns's A/AAAA records hold ip again */
};

/* the sources of one domain summed by autonomous system or by country
 * (dash_sort fills them from the sources: dash_group_sources) */
struct dash_group {
	const char *name;	/* AS organisation or country code: points into a
				 * source of the same domain; NULL when unknown */
	unsigned long asn;	/* by AS: its number, 0 unknown; by country: 0 */
	size_t	sources;
	unsigned long messages, spf_aligned, dkim_aligned, dmarc_pass;
};

/* one reporting organisation of one domain */
struct dash_org {
	char   *name;
	unsigned long reports, messages;
	time_t	last;		/* end of its newest report's range */
};

/* one failure report (RFC 6591/9991) */
struct dash_failure {
	time_t	arrival;
	char   *reporter, *source_ip, *from_domain, *auth_results;
};

struct dash_domain {
	char   *name;
	struct dash_day *days;	/* sorted by day, one entry per day */
	size_t	ndays, days_cap;
	struct dash_source *src;	/* sorted by messages, most first */
	size_t	nsrc, src_cap;
	struct dash_org *orgs;	/* sorted by messages, most first */
	size_t	norgs, orgs_cap;
	struct dash_group *by_asn, *by_country;	/* by messages, most first */
	size_t	nasn, ncountry;
};

struct dash_data {
	struct dash_domain *dom;	/* in the order added */
	size_t	ndom, dom_cap;
	struct dash_failure *fail;	/* newest first */
	size_t	nfail, fail_cap;
	time_t	generated;		/* shown in the pages' footer; 0: not shown */
};

/*
 * The "ready for p=reject?" verdict of one domain, over the last
 * DASH_WINDOW_DAYS days of its data (the days up to its newest day; the
 * sources and organisations are taken as filled, i.e. the adapter sums
 * them over the same window).  The rule (RFC 9989 sections 5.1.6-5.1.7
 * leave the decision to the Domain Owner once every legitimate stream is
 * aligned; this rule is ours, stated in DESIGN.md and on every domain
 * page):
 *   no data      no message in the window;
 *   ready        at least 99% of the window's messages pass DMARC, and no
 *                "significant" source fails: a source sending more than
 *                0.1% of the domain's messages with under 99% of its own
 *                messages passing;
 *   not ready    otherwise.
 * Every source with a failing message is listed (failing messages, most
 * first), the significant ones flagged: that is the mail p=reject would
 * turn away.  Integer arithmetic only, so the edges are exact.
 */
enum dash_ready { DASH_NO_DATA, DASH_READY, DASH_NOT_READY };

#define DASH_MAX_FAILING 10

struct dash_failing {
	const struct dash_source *src;	/* points into the domain */
	unsigned long failing;		/* messages - dmarc_pass */
	int	significant;
};

struct dash_verdict {
	enum dash_ready ready;
	unsigned long pass, total;	/* DMARC in the window */
	int	rate_ok;		/* pass >= 99% of total */
	size_t	nfailing;		/* sources listed (at most DASH_MAX_FAILING) */
	size_t	nfailing_all;		/* all sources with a failing message */
	size_t	nsignificant;		/* significant failing sources */
	unsigned long failing_msgs;	/* their failing messages, all sources */
	struct dash_failing failing[DASH_MAX_FAILING];
};

/* dash_new - an empty model (caller frees with dash_free) */
struct dash_data *dash_new(void);
/* dash_free - release the model and every string in it; NULL is a no-op */
void	dash_free(struct dash_data *d);
/* dash_domain_add - the domain named name (found or appended; copied) */
struct dash_domain *dash_domain_add(struct dash_data *d, const char *name);
/* dash_day_add - counts added to the domain's day of `when` (any time of
 * that UTC day); days are kept sorted */
void	dash_day_add(struct dash_domain *dom, time_t when, const struct dash_day *counts);
/* dash_source_add - append a copy of s (strings copied, NULLs kept) */
void	dash_source_add(struct dash_domain *dom, const struct dash_source *s);
/* dash_org_add - append a copy of o */
void	dash_org_add(struct dash_domain *dom, const struct dash_org *o);
/* dash_failure_add - append a copy of f */
void	dash_failure_add(struct dash_data *d, const struct dash_failure *f);
/* dash_sort - sources and organisations by messages (most first, then by
 * name/IP), failures newest first: the order the writers show them in;
 * each domain's groups by AS and by country made (call it once the model
 * is filled; dash_main does) */
void	dash_sort(struct dash_data *d);
/* dash_group_sources - dom's by_asn and by_country from its sources (the
 * unknown ones grouped as one, name NULL), most messages first (then by
 * AS number or name); made again on each call */
void	dash_group_sources(struct dash_domain *dom);

/* dash_window - the window's [first, last] days for dom (last = its newest
 * day); 0, or -1 when it has no day */
int	dash_window(const struct dash_domain *dom, time_t *first, time_t *last);
/* dash_verdict - the verdict of dom (above) */
void	dash_verdict(const struct dash_domain *dom, struct dash_verdict *v);
/* dash_ready_word - "ready", "not ready", "no data" */
const char *dash_ready_word(enum dash_ready r);
/* dash_rate_text - pass/total as "99.5%" (one decimal, rounded down, so
 * 99.99% never shows as 100.0%); "-" when total is 0 */
void	dash_rate_text(struct buf *out, unsigned long pass, unsigned long total);

/* dash_group_label - out := g's label, unescaped (peer text): "AS64496
 * Name", "AS64496", a country code, or "unknown" (out is reset first) */
void	dash_group_label(struct buf *out, const struct dash_group *g, int by_asn);

/* dash_html_escape - s appended to out with & < > " ' as entities and
 * control bytes as U+FFFD (safe in text and in quoted attributes) */
void	dash_html_escape(struct buf *out, const char *s);

/*
 * dash_write - the static site in outdir (created if missing): style.css,
 * one page per domain, failures.html, then index.html (so the overview
 * never links to a page not yet written).  Each file is replaced whole
 * (fileio_replace); no script, no external resource: it works from a
 * file:// URL and behind any web server.  0, or -1 with err.
 */
int	dash_write(const struct dash_data *d, const char *outdir, struct buf *err);
/* dash_text - the terminal summary: per domain pass rate, volume, verdict
 * and the top failing sources (peer text with control bytes escaped) */
void	dash_text(const struct dash_data *d, FILE *fp);

/*
 * dash_main - "dashboard --out DIR [--quiet]": fill(d, arg, err) fills the
 * model (the storage adapter: 0, or -1 with err), then the site is written
 * and, unless --quiet, the summary printed.  Exit 0, 1 (fill or write
 * failed), 64 (usage).  authmilter-report's "dashboard" calls it with
 * dash_store_fill (dash_store.c, the ingest tables) as fill; t/dash_tool
 * passes its fixture reader.
 */
typedef int (*dash_fill_fn)(struct dash_data *d, void *arg, struct buf *err);
int	dash_main(int argc, char **argv, dash_fill_fn fill, void *arg);

#endif
