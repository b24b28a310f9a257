/*
 * metrics.h - process-wide counters, gauges and histograms, and their
 * Prometheus text exposition (format 0.0.4)
 *
 * The one piece of process-wide mutable state outside main (DESIGN.md §3):
 * a metric belongs to the process, not to a configuration, so a reload
 * neither resets nor duplicates it.  Every update is a relaxed C11 atomic
 * add on a fixed slot: no lock, no allocation, nothing a milter worker
 * waits on.  Labels take values from fixed tables only (never an address, a
 * domain or a reporter name); an input outside a table is counted as
 * "other".  Names carry the prefix "authmilterd_" (the unrelated
 * authentication_milter exports "authmilter_*").
 *
 * Nothing here does I/O; metrics_format() writes the text into a buffer the
 * caller owns.
 */
#ifndef AUTHMILTER_METRICS_H
#define AUTHMILTER_METRICS_H

#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"
#include "verdict.h"

/* metrics_now - a monotonic clock reading in nanoseconds */
uint64_t metrics_now(void);

/*
 * metrics_message - one message whose verdict v was applied as applied,
 * end of message having started at t0 (metrics_now): messages by role and
 * action, results by method, DMARC policy and disposition, signatures made
 * by algorithm, end-of-message latency.
 */
void	metrics_message(const struct verdict *v, enum verdict_action applied, uint64_t t0);
/* metrics_dns - one query sent for rrtype that ended with status (enum
 * dns_status) or timed out, sent at t0 */
void	metrics_dns(int rrtype, int status, int timed_out, uint64_t t0);
/* what became of a DNS prefetch (lib/dns_prefetch.c) */
enum metrics_prefetch {
	METRICS_PF_STARTED,	/* a query started before end of message */
	METRICS_PF_USED,	/* end of message found its answer there */
	METRICS_PF_JOINED,	/* end of message waited for it in flight */
	METRICS_PF_CANCELLED,	/* the message ended before its answer */
	METRICS_PF_CAPPED	/* not started: the message's prefetches are at their cap */
};
/* metrics_dns_prefetch - one prefetch outcome */
void	metrics_dns_prefetch(enum metrics_prefetch outcome);
/* metrics_history - one history record: rc 0 written, else lost */
void	metrics_history(int rc);
/* metrics_reload - one reload: ok non-zero when it took effect */
void	metrics_reload(int ok);
/* metrics_connection - a milter connection opened (+1) or closed (-1) */
void	metrics_connection(int delta);

/* metrics_format - the whole exposition text appended to out */
void	metrics_format(struct buf *out);
/* metrics_label_escape - s as a label value: '\\', '"' and LF escaped */
void	metrics_label_escape(struct buf *out, const char *s);
/* metrics_reset - every metric back to zero (for tests) */
void	metrics_reset(void);

/* metrics_socket_parse - MetricsSocket (inet:PORT@IPV4 or
 * inet6:PORT@[IPV6], numeric) into ss; -1 with err saying why */
int	metrics_socket_parse(const char *spec, struct sockaddr_storage *ss, struct buf *err);
/* metrics_check_socket - the conf_keys.c check of MetricsSocket */
int	metrics_check_socket(const char *spec, struct buf *err);

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
