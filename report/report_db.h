/*
 * report_db.h - the site-wide report's input: the history rows every host
 * imported (hist_import.c), grouped in SQL and folded into the file
 * reporter's aggregator (report_agg.h)
 *
 * One SELECT ... GROUP BY over the table history for the period, on the
 * columns that make a report row and a policy_published (source IP,
 * results, alignment, identifiers, DKIM lines, policy tags, rua), with
 * count(*) and max(received); each group becomes one history record
 * added with its count, so the rows, their keys and their order are the
 * ones report_agg makes from the same records read from files.
 *
 * I/O: the database (store_schema_open opens it and checks its schema).
 */
#ifndef AUTHMILTER_REPORT_DB_H
#define AUTHMILTER_REPORT_DB_H

#include "buf.h"

struct report_agg;
struct store;

/* report_db_aggregate - the history rows received in [begin, end) into
 * agg; the number of records counted, or -1 with err.  *bad counts
 * groups whose stored dkim or rua lines could not be read (skipped). */
long long report_db_aggregate(struct store *s, struct report_agg *agg, long long begin,
	    long long end, unsigned long *bad, struct buf *err);

#endif
