/*
 * test_ingest_day.c - a received report's count spread over the UTC days of
 * its range (report/ingest_day.c): the shares sum exactly to the count,
 * follow each day's seconds, and bad ranges fall back to one day
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "ingest_day.h"
#include "tap.h"

#define B	1700006400LL	/* 2023-11-15 00:00 UTC */
#define DAY	86400LL

/* sum - the shares of out[0..n) */
static uint64_t
sum(const struct ingest_day *d, size_t n)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i++)
		s += d[i].n;
	return s;
}

int
main(void)
{
	struct ingest_day d[INGEST_DAYS_MAX];
	size_t n;
	uint64_t big = UINT64_MAX - 7, c;

	n = ingest_day_split(B, B + DAY - 1, 10, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B && d[0].n == 10, "one day (end 23:59:59): all on it");
	n = ingest_day_split(B, B + DAY, 10, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B && d[0].n == 10, "end at the next midnight: [begin, end) is one day");
	n = ingest_day_split(B, B + 3 * DAY - 1, 10, d, INGEST_DAYS_MAX);
	ok(n == 3 && d[0].n == 3 && d[1].n == 3 && d[2].n == 4, "three days, 10: 3 3 4 (cumulative floor)");
	ok(d[1].day == B + DAY && d[2].day == B + 2 * DAY, "three days: each day's midnight");
	n = ingest_day_split(B + DAY / 2, B + 2 * DAY, 9, d, INGEST_DAYS_MAX);
	ok(n == 2 && d[0].n == 3 && d[1].n == 6, "half a day then a whole one, 9: 3 6");
	ok(d[0].day == B, "a range starting at noon: its day's midnight");
	n = ingest_day_split(B, B + 21 * DAY - 1, 5, d, INGEST_DAYS_MAX);
	is_int((long long)sum(d, n), 5, "21 days, 5 messages: the days with a share sum to 5");
	ok(n == 5, "and zero shares are left out (5 days)");
	for (c = 0; c < 50; c++) {
		n = ingest_day_split(B + 3600, B + 7 * DAY + 1234, 1000 + c * 7919, d, INGEST_DAYS_MAX);
		if (sum(d, n) != 1000 + c * 7919)
			break;
	}
	is_int((long long)c, 50, "uneven ranges: always the exact total");
	n = ingest_day_split(B, B + 30 * DAY, big, d, INGEST_DAYS_MAX);
	ok(n == 30 && sum(d, n) == big, "a count near 2^64 over 30 days: no overflow, exact");
	n = ingest_day_split(B, B, 4, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B && d[0].n == 4, "end == begin: begin's day");
	n = ingest_day_split(B + 5, B - 5 * DAY, 4, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B && d[0].n == 4, "end before begin: begin's day");
	n = ingest_day_split(B, B + 500 * DAY, 4, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B && d[0].n == 4, "over INGEST_DAYS_MAX days: begin's day");
	n = ingest_day_split(B, INT64_MAX, 4, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == B, "end at INT64_MAX: begin's day, no overflow");
	n = ingest_day_split(INT64_MIN, B, 4, d, INGEST_DAYS_MAX);
	ok(n == 1 && d[0].day == 0 && d[0].n == 4, "begin at INT64_MIN: day 0, no overflow");
	n = ingest_day_split(B, B + DAY, 0, d, INGEST_DAYS_MAX);
	is_int((long long)n, 0, "zero messages: no day");
	is_int((long long)ingest_day_split(B, B + DAY, 3, d, 0), 0, "no room: nothing written");
	return tap_done();
}
