/*
 * alerts.h - the alert rules of "authmilter-report alerts" (issue 14 item
 * 4) over aggregated numbers: which conditions fire, whether each is due to
 * be mailed, and their text
 *
 * The numbers come from the dashboard's model (dash.h: a domain's days,
 * sources and reporting organisations, each filled over a window the
 * caller chose) and two plain structs below; alerts_store.c fills them
 * from the database.  Times are epoch seconds, UTC.  The spans are whole
 * UTC days: the window is today and the AlertWindow days before it (a
 * report arrives a day or so after its day ends), the lookback the
 * AlertLookback days before the window, the pass-rate period today and
 * the AlertPassRatePeriod days before.  A report "meets" a span when its
 * range overlaps it.  The rules (authmilter-report(8), ALERTS):
 *   new-source        a source IP of a domain with no message in the
 *                     lookback sent at least AlertNewSourceMessages
 *                     messages failing DMARC in the window;
 *   pass-rate         under AlertPassRateBelow percent of a domain's
 *                     messages passed DMARC on the days meeting the last
 *                     AlertPassRatePeriod days, with at least
 *                     AlertPassRateMinMessages messages;
 *   reporter-stopped  an organisation whose reports for a domain covered
 *                     at least AlertReporterMinMessages messages on more
 *                     than half of the lookback's days sent no report
 *                     meeting the window;
 *   ingest-errors     at least AlertIngestErrors inputs refused by ingest
 *                     since the window began.
 * A threshold of 0 turns its rule off.  Every peer-controlled string
 * (source IPs, organisation names, refusal reasons, paths) reaches the
 * text through log_quote: printable ASCII, quoted when it needs to be.
 *
 * Ownership: an alert_list owns its alerts and their strings
 * (alerts_free).  I/O: none.
 */
#ifndef AUTHMILTER_ALERTS_H
#define AUTHMILTER_ALERTS_H

#include <time.h>

#include "buf.h"
#include "dash.h"

enum alert_rule { ALERT_NEW_SOURCE, ALERT_PASS_RATE, ALERT_REPORTER_STOPPED,
	ALERT_INGEST_ERRORS };

/* the rules' settings (the Alert* keywords); 0 turns a rule off */
struct alert_rules {
	long	window, lookback;	/* days */
	long	new_source;		/* failing messages */
	long	pass_rate;		/* percent */
	long	pass_period;		/* days */
	long	pass_min;		/* messages */
	long	reporter_min;		/* messages */
	long	ingest_errors;		/* refused inputs */
	long	renotify;		/* days; 0: every run */
};

/* the evaluation's time spans, from now and the rules (alerts_spans) */
struct alert_spans {
	time_t	now;
	time_t	win_from;		/* the window: [win_from, now), from 00:00 UTC */
	time_t	lb_from;		/* the lookback: [lb_from, win_from) */
	time_t	pass_from;		/* the pass-rate period: [pass_from, now), 00:00 UTC */
};

/* one organisation's reports for a domain in the lookback */
struct alert_org {
	const char     *name;
	unsigned long	days;		/* UTC days its reports covered */
	unsigned long	messages;
};

/* what ingest refused since the window began */
struct alert_ingest {
	unsigned long	count;
	long long	newest_id;	/* its row (ingest_reject.id) */
	const char     *reason, *source;	/* the newest one's; may be NULL */
	time_t		newest;		/* when it was refused */
};

/* the state of an alert against what was mailed before */
enum alert_status { ALERT_NEW, ALERT_AGAIN, ALERT_SENT };

struct alert {
	enum alert_rule rule;
	char	       *domain;		/* "" for ingest-errors */
	char	       *subject;	/* source IP, org name, refused id; "" */
	unsigned long	value, total;	/* messages failing / passing / days ... */
	char	       *text;		/* one line, peer text escaped */
	time_t		last_sent;	/* 0: never mailed */
	enum alert_status status;	/* set by alerts_decide */
};

struct alert_list {
	struct alert   *v;
	size_t		n, cap;
};

/* alerts_spans - the window, lookback and pass-rate period as at now */
void	alerts_spans(const struct alert_rules *r, time_t now, struct alert_spans *sp);

/* alerts_new_sources - the new-source rule for one domain: win holds its
 * sources summed over the window, lb over the lookback */
void	alerts_new_sources(const struct alert_rules *r, const struct alert_spans *sp,
	    const struct dash_domain *win, const struct dash_domain *lb, struct alert_list *out);
/* alerts_pass_rate - the pass-rate rule for one domain over its days */
void	alerts_pass_rate(const struct alert_rules *r, const struct alert_spans *sp,
	    const struct dash_domain *dom, struct alert_list *out);
/* alerts_reporters - the reporter-stopped rule for one domain: lb[n] its
 * organisations in the lookback, win its organisations (orgs) that have a
 * report meeting the window */
void	alerts_reporters(const struct alert_rules *r, const struct alert_spans *sp,
	    const struct dash_domain *win, const struct alert_org *lb, size_t n,
	    struct alert_list *out);
/* alerts_ingest - the ingest-errors rule */
void	alerts_ingest(const struct alert_rules *r, const struct alert_spans *sp,
	    const struct alert_ingest *ie, struct alert_list *out);

/* alerts_rule_word - "new-source", "pass-rate", "reporter-stopped",
 * "ingest-errors"; alerts_rule_find - the rule of such a word, or -1 */
const char *alerts_rule_word(enum alert_rule rule);
int	alerts_rule_find(const char *word);
/* alerts_find - the alert of (rule, domain, subject), or NULL */
struct alert *alerts_find(struct alert_list *l, enum alert_rule rule, const char *domain,
	    const char *subject);
/* alerts_decide - each alert's status from its last_sent: new (never
 * mailed), again (mailed at least renotify days before now), sent
 * (mailed since); returns how many are due (new or again) */
size_t	alerts_decide(struct alert_list *l, const struct alert_rules *r, time_t now);

/* alerts_line - "RULE: TEXT [STATUS]": new, again (last mailed ...), mailed ... */
void	alerts_line(const struct alert *a, struct buf *out);
/* alerts_json - one JSON object: rule, domain, subject, value, total,
 * status, last_sent (null when never), text */
void	alerts_json(const struct alert *a, struct buf *out);
/* alerts_body - the mail's text: the due alerts, then those mailed
 * before and still firing; LF line ends, ASCII only */
void	alerts_body(const struct alert_list *l, const struct alert_spans *sp,
	    const struct alert_rules *r, struct buf *out);

/* alerts_free - the list's alerts and strings (the list itself is the caller's) */
void	alerts_free(struct alert_list *l);

#endif
