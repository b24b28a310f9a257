/*
 * ingest_day.h - a received report's count spread over the UTC days of its
 * date range, for charts (the agg_day table of sql/003-ingest).  Pure.
 */
#ifndef AUTHMILTER_INGEST_DAY_H
#define AUTHMILTER_INGEST_DAY_H

#include <stddef.h>
#include <stdint.h>

#define INGEST_DAYS_MAX		400	/* days a range is split over */

/* one UTC day's share of a count */
struct ingest_day {
	int64_t		day;		/* epoch of 00:00 UTC */
	uint64_t	n;
};

/*
 * ingest_day_split - n spread over the UTC days of [begin, end) in
 * proportion to each day's seconds, with cumulative rounding (day k gets
 * floor(n*s_k/S) - floor(n*s_(k-1)/S), s_k the seconds up to the end of day
 * k, S the range's): the shares sum exactly to n.  A range with end <= begin,
 * over more than max days, or out of [0, 2^40] is begin's day alone (day 0
 * for a begin before 1970).  Days with a zero share
 * are left out.  Returns the number of days written to out[max].
 */
size_t	ingest_day_split(int64_t begin, int64_t end, uint64_t n, struct ingest_day *out,
	    size_t max);

#endif
