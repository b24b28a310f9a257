/*
 * report_agg.h - aggregation of history records into report rows, per
 * DMARC policy domain, for one reporting period
 *
 * One hash table is keyed on the whole row (source IP, disposition,
 * aligned results, override reason, identifiers, auth results with DKIM
 * selectors); a row's key bytes live in one arena, so adding a record
 * allocates nothing unless it opens a new row.  Records outside the
 * period, without a policy domain or without a DMARC record are not
 * counted.  Strings handed out point into the aggregator and live until
 * report_agg_free.
 *
 * I/O: none (pure; the caller reads the history files).
 */
#ifndef AUTHMILTER_REPORT_AGG_H
#define AUTHMILTER_REPORT_AGG_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"
#include "report_xml.h"

struct history_rec;
struct report_agg;

/* report_agg_new - count records received in [begin, end) */
struct report_agg *report_agg_new(long long begin, long long end);
void	report_agg_free(struct report_agg *a);

/* report_agg_add - 1 counted, 0 not reportable (outside, no policy) */
int	report_agg_add(struct report_agg *a, const struct history_rec *r);
/* report_agg_add_n - the same for n records equal to r (report_db's groups) */
int	report_agg_add_n(struct report_agg *a, const struct history_rec *r,
	    unsigned long long n);

size_t	report_agg_ndomains(const struct report_agg *a);
/* report_agg_domain - policy domain i (lower case), in first-seen order */
const char *report_agg_domain(const struct report_agg *a, size_t i);
/* report_agg_count - messages counted for domain i */
unsigned long long report_agg_count(const struct report_agg *a, size_t i);
/* report_agg_nrows - distinct rows of domain i */
size_t	report_agg_nrows(const struct report_agg *a, size_t i);
/* report_agg_policy - policy_published from the last record of domain i */
void	report_agg_policy(const struct report_agg *a, size_t i, struct report_policy *p);
/* report_agg_rua - the rua URIs of the last record of domain i */
const struct strlist *report_agg_rua(const struct report_agg *a, size_t i);
/* report_agg_write_rows - domain i's records, largest count first */
void	report_agg_write_rows(const struct report_agg *a, size_t i, enum report_format f,
	    struct buf *out);

/* report_agg_disposition - the disposition word a record reports (RFC 9990 ActionDispositionType) */
const char *report_agg_disposition(const struct history_rec *r);

#endif
