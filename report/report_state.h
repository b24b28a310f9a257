/*
 * report_state.h - what authmilter-report has generated, queued and sent
 *
 * The state file is small text, rewritten whole and atomically (temporary
 * file, fsync, rename, fsync of the directory) after every change that
 * matters, so a crash leaves either the old or the new state, never a mix.
 *
 *   report ID MODE POLICY-DOMAIN BEGIN END CREATED   a report was generated
 *   queue  ID DEST SPOOL TRIES FIRST LAST            still to be delivered
 *   sent   ID DEST WHEN                              delivered (audit)
 *
 * Guarantee (see authmilter-report(8)): a "report" line and its "queue"
 * lines are saved in one rename, after the spooled report is on disk and
 * before any delivery; a "queue" line becomes "sent" only after the
 * sendmail command exited 0.  So a report is delivered at least once per
 * destination; it is sent twice only if the process dies between the
 * command's exit and the next rename, and then with the same Report-ID,
 * Message-ID and file name (RFC 9990 §"Handling of Duplicates").
 *
 * Strings returned point into the state and live until the next change.
 *
 * I/O: report_state_load reads the file, report_state_lock takes PATH.lock,
 * report_state_save writes the file; the changes in between are in memory.
 */
#ifndef AUTHMILTER_REPORT_STATE_H
#define AUTHMILTER_REPORT_STATE_H

#include <time.h>

#include "buf.h"

struct report_state;

struct report_queued {
	const char     *id;
	const char     *dest;		/* "mailto:ADDR" */
	const char     *spool;		/* path of the spooled .xml.gz */
	long		tries;
	long long	first, last;
};

/* report_state_load - read path (a missing file is an empty state); NULL + err */
struct report_state *report_state_load(const char *path, struct buf *err);
void	report_state_free(struct report_state *st);

/* report_state_lock - exclusive lock on PATH.lock; 0 ok, -1 with err (busy) */
int	report_state_lock(struct report_state *st, struct buf *err);

/* report_state_has_report - was report id generated in this mode already */
int	report_state_has_report(const struct report_state *st, const char *id, const char *mode);
void	report_state_add_report(struct report_state *st, const char *id, const char *mode,
	    const char *pdomain, long long begin, long long end, time_t now);

/* report_state_queue - queue id for dest, unless it is queued or was sent */
void	report_state_queue(struct report_state *st, const char *id, const char *dest,
	    const char *spool, time_t now);
size_t	report_state_nqueued(const struct report_state *st);
/* report_state_queued - the i-th queue entry (copied out) */
void	report_state_queued(const struct report_state *st, size_t i, struct report_queued *q);
/* report_state_sent - queue entry id/dest delivered: becomes a "sent" line */
void	report_state_sent(struct report_state *st, const char *id, const char *dest, time_t now);
/* report_state_failed - one more failed try */
void	report_state_failed(struct report_state *st, const char *id, const char *dest, time_t now);
/* report_state_drop - forget a queue entry (given up) */
void	report_state_drop(struct report_state *st, const char *id, const char *dest);
/* report_state_spool_used - does any queue entry still need this spool file */
int	report_state_spool_used(const struct report_state *st, const char *spool);

/* report_state_prune - drop report and sent lines older than max_age seconds */
size_t	report_state_prune(struct report_state *st, time_t now, long max_age);

/* report_state_save - atomic rewrite; 0 ok, -1 with err */
int	report_state_save(struct report_state *st, struct buf *err);

/* report_state_parse_line - pure: split one line into at most 8 fields */
int	report_state_parse_line(const char *line, size_t len, char **f, int maxf);

#endif
