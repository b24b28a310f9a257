/*
 * report_claim.h - the site-wide reporter's sent-state, in the database
 *
 * One row per (policy domain, period begin, period end, destination) in
 * the table report_claim (report/sql/004-report-claim.*.sql), its primary
 * key, so any host may run the reporter and two running at once send a
 * report to a destination once:
 *
 *   report_claim_take   in one transaction: the row inserted if new
 *                       (INSERT ... ON CONFLICT DO NOTHING), locked
 *                       (SELECT ... FOR UPDATE; SQLite: the write lock),
 *                       and claimed for this process unless it was sent,
 *                       given up, or is claimed by a live sender;
 *   report_claim_done   after the sendmail command's exit: "sent", or
 *                       "failed" (the claim released: the next run
 *                       retries) or, past give_up_after seconds since the
 *                       first try, "dropped".
 *
 * A claim is live until it is REPORT_CLAIM_STALE seconds old, except that
 * one made on this host by a process that no longer exists is dead at
 * once: a reporter killed mid-send leaves a claim the next run takes over.
 * A report is therefore sent at least once per destination, and twice
 * only when a sender dies between sendmail's exit and the "sent" commit
 * (or outlives the stale age), always with the same Report-ID (RFC 9990
 * §"Handling of Duplicates").
 *
 * I/O: the database; report_claim_owner asks gethostname and getpid and
 * report_claim_take probes a local owner's pid with kill(pid, 0).
 */
#ifndef AUTHMILTER_REPORT_CLAIM_H
#define AUTHMILTER_REPORT_CLAIM_H

#include <time.h>

#include "buf.h"

struct store;

/* a claim older than this (seconds) is taken over: sendmail's timeout is
 * 300 s, so a live sender has long finished or died */
#define REPORT_CLAIM_STALE	1800

struct report_claim {
	const char     *pdomain;
	long long	begin, end;	/* the period as the file name says it */
	const char     *dest;		/* "mailto:ADDR" */
	const char     *id;		/* the Report-ID */
	const char     *owner;		/* report_claim_owner() */
};

/* report_claim_owner - "HOST PID" of this process (caller frees) */
char   *report_claim_owner(void);

/* report_claim_take - 1 claimed (send it), 0 sent, dropped or being sent
 * elsewhere (*why says which), -1 with err */
int	report_claim_take(struct store *s, const struct report_claim *c, time_t now,
	    const char **why, struct buf *err);

/* report_claim_done - record the outcome of a claimed send; 0 or -1 */
int	report_claim_done(struct store *s, const struct report_claim *c, int sent, time_t now,
	    long give_up_after, struct buf *err);

#endif
