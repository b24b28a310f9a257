/*
 * ingest_day.c - a count spread over UTC days (ingest_day.h)
 */
#include "config.h"

#include "ingest_day.h"

#define DAY	86400
#define EPOCH_MAX	((int64_t)1 << 40)	/* past year 36000: not a real range */

/* day_of - the UTC day (epoch / 86400, rounded down) of t >= 0 */
static int64_t
day_of(int64_t t)
{
	return t / DAY;
}

/* ingest_day_split - see ingest_day.h */
size_t
ingest_day_split(int64_t begin, int64_t end, uint64_t n, struct ingest_day *out, size_t max)
{
	int64_t d0 = day_of(begin > 0 ? begin : 0), d1, d;
	uint64_t prev = 0, cum;
	size_t k = 0;

	if (max == 0)
		return 0;
	/* a range out of bounds (peer data) is begin's day (before 1970: day
	 * 0): no overflow below */
	if (begin < 0 || end <= begin || end > EPOCH_MAX ||
	    (d1 = day_of(end - 1)) - d0 + 1 > (int64_t)max) {
		out[0] = (struct ingest_day){ d0 * DAY, n };
		return n > 0;
	}
	for (d = d0; d <= d1; d++) {
		int64_t upto = (d + 1) * DAY < end ? (d + 1) * DAY : end;

		/* 128 bits: n may be near 2^64, the range spans up to max days */
		cum = (uint64_t)((unsigned __int128)n * (uint64_t)(upto - begin) /
		    (uint64_t)(end - begin));
		if (cum > prev)
			out[k++] = (struct ingest_day){ d * DAY, cum - prev };
		prev = cum;
	}
	return k;
}
