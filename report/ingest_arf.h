/*
 * ingest_arf.h - DMARC failure reports: ARF (RFC 5965, RFC 6591; RFC 9991)
 * multipart/report; report-type=feedback-report, and the plain-text form
 * some MTAs send (the same "Name: value" fields in a text/plain body)
 */
#ifndef AUTHMILTER_INGEST_ARF_H
#define AUTHMILTER_INGEST_ARF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "strlist.h"
#include "ingest_mime.h"

#define INGEST_ARF_HDRS_MAX	16384	/* bytes of the returned headers kept */

struct ingest_arf {
	char   *feedback_type;	/* auth-failure (RFC 6591 §3.1), abuse, ... */
	char   *reporter;	/* Reporting-MTA name, else the report's From domain */
	char   *arrival;	/* Arrival-Date as sent */
	int64_t	arrival_epoch;	/* -1 when it does not parse */
	char   *source_ip;	/* canonical, or NULL */
	char   *reported_domain;
	char   *from_domain;	/* of the returned headers' From */
	char   *auth_failure;	/* Auth-Failure: dkim spf dmarc bodyhash ... */
	char   *auth_results;	/* Authentication-Results field */
	char   *delivery_result; /* delivered spam policy reject other */
	char   *dkim_domain, *dkim_selector, *spf_dns, *original_mail_from,
	       *original_rcpt_to, *identity_alignment;
	char   *headers;	/* the returned header block, capped */
	size_t	headers_len;
	int	plain;		/* 1: the plain-text form */
	struct strlist notes;
};

/* ingest_arf_from_mime - the failure report in a walked message, if any:
 * 1 found (out filled), 0 none.  Free with ingest_arf_free. */
int	ingest_arf_from_mime(const struct ingest_mime *m, struct ingest_arf *out);
void	ingest_arf_free(struct ingest_arf *a);
/* ingest_date - an RFC 5322 §3.3 date-time as epoch UTC, or -1 */
int64_t	ingest_date(const char *s);

#endif
