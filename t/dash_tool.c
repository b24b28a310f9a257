/*
 * dash_tool.c - the dashboard from a fixture, for t/dashboard.sh
 *
 *   dash_tool FIXTURE --out DIR [--quiet]   the site in DIR, the summary on stdout
 *   dash_tool FIXTURE --text                 the summary only
 *
 * The fixture (t/data/dash/fixture.tsv) is one record per line, fields separated
 * by tabs, "-" for an unknown value, '#' lines ignored; day, source and org
 * belong to the last domain line:
 *   generated DATE
 *   domain NAME
 *   day DATE PASS FAIL NONE QUARANTINE REJECT
 *   source IP RDNS ASN ASN_NAME COUNTRY MESSAGES SPF_ALIGNED DKIM_ALIGNED DMARC_PASS [CONFIRMED]
 *   org NAME REPORTS MESSAGES LAST_DATE
 *   failure DATE REPORTER SOURCE_IP FROM_DOMAIN AUTH_RESULTS
 * CONFIRMED is 1 when RDNS is forward-confirmed (absent: 0).
 * DATE is YYYY-MM-DD (UTC).  fixture_fill is what the storage adapter will
 * be: one function filling struct dash_data.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dash.h"
#include "fileio.h"

#define MAXF 12

/* date - YYYY-MM-DD as the epoch of its 00:00 UTC; -1 when malformed */
static time_t
date(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

/* str - a field, NULL for "-" */
static const char *
str(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

/* num - a count */
static unsigned long
num(const char *s)
{
	return strcmp(s, "-") == 0 ? 0 : strtoul(s, NULL, 10);
}

/* record - one split line into d; 0, or -1 when it is not understood */
static int
record(struct dash_data *d, struct dash_domain **dom, char **f, int n)
{
	if (strcmp(f[0], "generated") == 0 && n == 2)
		d->generated = date(f[1]);
	else if (strcmp(f[0], "domain") == 0 && n == 2)
		*dom = dash_domain_add(d, f[1]);
	else if (strcmp(f[0], "day") == 0 && n == 7 && *dom) {
		struct dash_day c = { 0, num(f[2]), num(f[3]), num(f[4]), num(f[5]), num(f[6]) };

		dash_day_add(*dom, date(f[1]), &c);
	} else if (strcmp(f[0], "source") == 0 && (n == 10 || n == 11) && *dom) {
		struct dash_source s = { f[1], (char *)str(f[2]), num(f[3]), (char *)str(f[4]),
		    (char *)str(f[5]), num(f[6]), num(f[7]), num(f[8]), num(f[9]),
		    n == 11 && num(f[10]) != 0 };

		dash_source_add(*dom, &s);
	} else if (strcmp(f[0], "org") == 0 && n == 5 && *dom) {
		struct dash_org o = { f[1], num(f[2]), num(f[3]), date(f[4]) };

		dash_org_add(*dom, &o);
	} else if (strcmp(f[0], "failure") == 0 && n == 6) {
		struct dash_failure x = { date(f[1]), f[2], f[3], f[4], f[5] };

		dash_failure_add(d, &x);
	} else
		return -1;
	return 0;
}

/* fixture_fill - the dash_fill_fn over a fixture file (arg: its path) */
static int
fixture_fill(struct dash_data *d, void *arg, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct dash_domain *dom = NULL;
	char *line, *next, *f[MAXF];
	int n, lineno = 0, rc = 0;

	if (fileio_read(&text, arg, err) != 0)
		return -1;
	for (line = text.data; rc == 0 && line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		if (*line == '#' || *line == '\0')
			continue;
		for (n = 0; n < MAXF && line; n++)
			f[n] = strsep(&line, "\t");
		if (record(d, &dom, f, n) != 0) {
			buf_printf(err, "%s:%d: not understood", (char *)arg, lineno);
			rc = -1;
		}
	}
	buf_free(&text);
	return rc;
}

int
main(int argc, char **argv)
{
	struct dash_data *d;
	struct buf err = BUF_INIT;

	if (argc >= 3 && strcmp(argv[2], "--text") == 0) {
		d = dash_new();
		if (fixture_fill(d, argv[1], &err) != 0) {
			fprintf(stderr, "%s\n", err.data);
			return 1;
		}
		dash_sort(d);
		dash_text(d, stdout);
		dash_free(d);
		return 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: dash_tool FIXTURE --out DIR [--quiet] | FIXTURE --text\n");
		return 64;
	}
	return dash_main(argc - 1, argv + 1, fixture_fill, argv[1]);
}
