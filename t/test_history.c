/*
 * test_history.c - history records: writer/parser round trips (hostile
 * values included), OpenDMARC 1.4.2 files, torn records, the appender
 * (threads, a full disk, rotation, safe opening, references) and the gzip
 * reader
 */
#include "config.h"

#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "fileio.h"
#include "history.h"
#include "tap.h"

static char tmpdir[] = "/tmp/test_history.XXXXXX";

/* base_rec - a typical record of a DMARC pass */
static struct history_rec *
base_rec(const char *job)
{
	struct history_rec *r = history_rec_new();

	history_rec_set(&r->job, job);
	history_rec_set(&r->reporter, "mx.example.net");
	r->received = 1714000000;
	history_rec_set(&r->ipaddr, "192.0.2.1");
	history_rec_set(&r->from, "example.com");
	history_rec_set(&r->mfrom, "example.com");
	history_rec_add_dkim(r, "example.com", "sel1", HISTORY_ARES_PASS);
	r->spf = HISTORY_ARES_PASS;
	r->spf_scope = HISTORY_SCOPE_MFROM;
	history_rec_set(&r->pdomain, "example.com");
	r->policy = HISTORY_POLICY_PASS;
	history_rec_add_rua(r, "mailto:d@example.com");
	r->pct = 100;
	r->adkim = r->aspf = 'r';
	r->p = 'r';
	r->align_dkim = r->align_spf = HISTORY_ALIGN_PASS;
	r->action = HISTORY_ACTION_ACCEPT;
	return r;
}

/* case_minimal - history_rec_new() defaults only */
static struct history_rec *
case_minimal(void)
{
	struct history_rec *r = history_rec_new();

	history_rec_set(&r->job, "q1");
	return r;
}

/* case_hostile - values that try to break lines, words and escapes */
static struct history_rec *
case_hostile(void)
{
	struct history_rec *r = base_rec("id with space\nand newline");

	history_rec_set(&r->reporter, "host\r\njob 999\naction 0");
	history_rec_set(&r->from, "a b\tc");
	history_rec_set(&r->mfrom, "back\\slash \\x41 literal \\x00");
	history_rec_set(&r->ipaddr, "\x01\x7f\x1b[0m");
	history_rec_add_dkim(r, "d with space", "-", HISTORY_ARES_FAIL);
	history_rec_add_dkim(r, "ex.org", NULL, HISTORY_ARES_NONE);
	history_rec_add_dkim(r, "ex.net", "", HISTORY_ARES_TEMPERROR);
	history_rec_add_rua(r, "-");
	history_rec_add_rua(r, "mailto:x@y.example!10m, mailto:z@w");
	history_rec_set(&r->pdomain, "\xc3\xa9xample.com");	/* raw UTF-8 kept */
	history_rec_set(&r->asorg, "AS \"Org\", Inc.\n");
	history_rec_set(&r->helo, "[192.0.2.1]");
	return r;
}

/* case_additions - every keyword of ours set */
static struct history_rec *
case_additions(void)
{
	struct history_rec *r = base_rec("q3");

	history_rec_set(&r->helo, "mail.example.com");
	history_rec_set(&r->discovery, "treewalk");
	r->np = 'q';
	r->testing = 1;
	history_rec_set(&r->override, "local_policy");
	history_rec_set(&r->country, "DE");
	r->asn = 4294967295L;
	history_rec_set(&r->asorg, "Example Networks GmbH");
	r->fo = HISTORY_FO_1 | HISTORY_FO_D;
	r->sp = 'q';
	r->received = 0;
	return r;
}

/* case_null_sender - empty mfrom, no record, several dkim and rua */
static struct history_rec *
case_null_sender(void)
{
	struct history_rec *r = base_rec("q4");
	int i;

	history_rec_set(&r->mfrom, NULL);
	r->spf_scope = HISTORY_SCOPE_HELO;
	r->spf = HISTORY_ARES_SOFTFAIL;
	r->policy = HISTORY_POLICY_REJECT;
	r->action = HISTORY_ACTION_REJECT;
	r->align_dkim = HISTORY_ALIGN_FAIL;
	r->align_spf = HISTORY_ALIGN_UNKNOWN;
	for (i = 0; i < 20; i++)
		history_rec_add_dkim(r, "many.example", "s", i % 13 - 1);
	for (i = 0; i < 5; i++)
		history_rec_add_rua(r, "mailto:r@example.org");
	return r;
}

/* case_long - a value of 20,000 bytes */
static struct history_rec *
case_long(void)
{
	struct history_rec *r = base_rec("q5");
	char *v = xmalloc(20001);

	memset(v, 'x', 20000);
	v[20000] = '\0';
	v[777] = '\n';
	history_rec_set(&r->asorg, v);
	free(v);
	return r;
}

static const struct {
	const char     *label;
	struct history_rec *(*make)(void);
} cases[] = {
	{ "minimal", case_minimal },
	{ "hostile values", case_hostile },
	{ "our additions", case_additions },
	{ "null sender, many dkim and rua", case_null_sender },
	{ "long value", case_long },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* count_lines_with - lines of text that start with prefix */
static int
count_lines_with(const char *text, const char *prefix)
{
	const char *p = text;
	int n = 0;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* test_roundtrip - format, parse, compare; then all records in one text */
static void
test_roundtrip(void)
{
	struct buf all = BUF_INIT, b = BUF_INIT;
	struct history_rec *r, *got;
	size_t i, used, off;
	char why[128];
	int rc;

	buf_init(&all);
	for (i = 0; i < NCASES; i++) {
		r = cases[i].make();
		buf_init(&b);
		history_format(r, &b);
		is_int(count_lines_with(b.data, "job "), 1, "%s: exactly one job line", cases[i].label);
		is_int(count_lines_with(b.data, "action "), 1, "%s: exactly one action line",
		    cases[i].label);
		ok(b.len > 7 && b.data[b.len - 1] == '\n' && strlen(b.data) == b.len,
		    "%s: ends with LF, holds no NUL", cases[i].label);
		rc = history_parse(b.data, b.len, 1, &used, &got, why, sizeof(why));
		is_int(rc, 1, "%s: parses (%s)", cases[i].label, why);
		is_int(used, b.len, "%s: consumes the whole record", cases[i].label);
		ok(got && history_rec_equal(r, got), "%s: round trip equal", cases[i].label);
		buf_add(&all, b.data, b.len);
		history_rec_free(got);
		history_rec_free(r);
		buf_free(&b);
	}
	for (i = 0, off = 0; i < NCASES; i++) {
		r = cases[i].make();
		rc = history_parse(all.data + off, all.len - off, 1, &used, &got, why, sizeof(why));
		ok(rc == 1 && history_rec_equal(r, got), "concatenated: record %zu (%s)", i,
		    cases[i].label);
		off += used;
		history_rec_free(got);
		history_rec_free(r);
	}
	is_int(off, all.len, "concatenated: every byte consumed");
	/* without last_ok the final record is not known to be complete */
	rc = history_parse(all.data, all.len, 0, &used, &got, why, sizeof(why));
	ok(rc == 1 && got != NULL, "streaming: first record found before the second job line");
	history_rec_free(got);
	buf_free(&all);
}

/* test_golden - the exact bytes of one record (the OpenDMARC layout) */
static void
test_golden(void)
{
	static const char want[] =
	    "job q3\nreporter mx.example.net\nreceived 0\nipaddr 192.0.2.1\n"
	    "from example.com\nmfrom example.com\ndkim example.com sel1 0\n"
	    "spf 0\nspf_scope 1\npdomain example.com\npolicy 15\n"
	    "rua mailto:d@example.com\npct 100\nadkim 114\naspf 114\np 114\nsp 113\n"
	    "fo 6\nalign_dkim 4\nalign_spf 4\narc 7\narc_policy 2 json:[]\n"
	    "helo mail.example.com\ndiscovery treewalk\nnp 113\ntesting 1\n"
	    "override local_policy\ncountry DE\nasn 4294967295\n"
	    "asorg Example\\x20Networks\\x20GmbH\naction 2\n";
	struct history_rec *r = case_additions();
	struct buf b = BUF_INIT;

	buf_init(&b);
	history_format(r, &b);
	is_str(b.data, want, "golden record");
	buf_free(&b);
	history_rec_free(r);
	r = case_hostile();
	buf_init(&b);
	history_format(r, &b);
	ok(strstr(b.data, "\nreporter host\\x0d\\x0ajob\\x20999\\x0aaction\\x200\n") != NULL,
	    "CR, LF and space are escaped");
	ok(strstr(b.data, "\nmfrom back\\x5cslash\\x20\\x5cx41\\x20literal\\x20\\x5cx00\n") != NULL,
	    "backslashes are escaped, so a literal \\x00 survives");
	ok(strstr(b.data, "\ndkim d\\x20with\\x20space \\x2d 7\n") != NULL,
	    "a literal - selector is escaped, as is space in a dkim domain");
	ok(strstr(b.data, "\ndkim ex.org - 6\n") != NULL, "an absent selector is written -");
	ok(strstr(b.data, "\nrua \\x2d\n") != NULL, "a literal - rua is escaped");
	buf_free(&b);
	history_rec_free(r);
}

/* test_bad - malformed records are rejected without hurting the next one */
static void
test_bad(void)
{
#define T(s) s, sizeof(s) - 1
	static const struct {
		const char *label, *text;
		size_t len;
		int want;
	} rows[] = {
		{ "raw NUL in a value", T("job a\nfrom ex\0ample\naction 2\n"), -1 },
		{ "escaped NUL", T("job a\nfrom ex\\x00ample\naction 2\n"), -1 },
		{ "NUL in a number", T("job a\npct 1\0\naction 2\n"), -1 },
		{ "pct out of range", T("job a\npct 101\naction 2\n"), -1 },
		{ "not a number", T("job a\nspf pass\naction 2\n"), -1 },
		{ "dkim without result", T("job a\ndkim example.com\naction 2\n"), -1 },
		{ "no action line", T("job a\nfrom x\n"), -1 },
		{ "last line without LF", T("job a\nfrom x\naction 2"), -1 },
		{ "unknown keyword ignored", T("job a\nfuture thing 1\naction 2\n"), 1 },
		{ "CRLF lines", T("job a\r\nfrom x\r\naction 2\r\n"), 1 },
		{ "blank lines", T("\n\njob a\n\nfrom x\naction 2\n"), 1 },
		{ "garbage before job", T("tion 2\nsp 0\njob a\naction 2\n"), 1 },
		{ "opendmarc 1.3 dkim line", T("job a\ndkim example.com 0\naction 2\n"), 1 },
		{ "nothing", T("from x\n"), 0 },
		{ "bad escape kept verbatim", T("job a\nfrom \\xZZ\\x4\naction 2\n"), 1 },
	};
#undef T
	static const char next[] = "job next\naction 4\n";
	struct history_rec *r;
	struct buf b = BUF_INIT;
	size_t i, used, len;
	char why[128];
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		len = rows[i].len;
		rc = history_parse(rows[i].text, len, 1, &used, &r, why, sizeof(why));
		is_int(rc, rows[i].want, "%s (%s)", rows[i].label, why);
		ok(rc != -1 || why[0] != '\0', "%s: says why", rows[i].label);
		history_rec_free(r);
		if (rows[i].want != -1 || rows[i].text[len - 1] != '\n')
			continue;
		buf_init(&b);
		buf_add(&b, rows[i].text, len);
		buf_adds(&b, next);
		rc = history_parse(b.data, b.len, 1, &used, &r, why, sizeof(why));
		is_int(used, len, "%s: skipped exactly", rows[i].label);
		history_rec_free(r);
		rc = history_parse(b.data + used, b.len - used, 1, &used, &r, why, sizeof(why));
		ok(rc == 1 && r && strcmp(r->job, "next") == 0 && r->action == 4,
		    "%s: the next record survives", rows[i].label);
		history_rec_free(r);
		buf_free(&b);
	}
	rc = history_parse("job a\nfrom \\xZZ\\x4\naction 2\n", 28, 1, &used, &r, why, sizeof(why));
	is_str(r ? r->from : NULL, "\\xZZ\\x4", "an invalid escape stays as written");
	history_rec_free(r);
	ok(history_ares_code("pass") == 0 && history_ares_code("fail") == 7 &&
	    history_ares_code("temperror") == 4 && history_ares_code("bogus") == -1 &&
	    history_ares_code(NULL) == -1, "ARES codes of RFC 8601 words");
	is_str(history_ares_word(2), "softfail", "ARES word of 2");
}

/* read_all - every record of path; returns the count, records in v */
static size_t
read_all(const char *path, struct history_rec **v, size_t max, unsigned long *skipped)
{
	struct history_reader *rd;
	struct buf err = BUF_INIT;
	struct history_rec *r;
	size_t n = 0;

	buf_init(&err);
	if ((rd = history_reader_open(path, &err)) == NULL) {
		diag("%s", err.data);
		buf_free(&err);
		return 0;
	}
	while (history_reader_next(rd, &r) == 1) {
		if (n < max)
			v[n] = r;
		else
			history_rec_free(r);
		n++;
	}
	if (skipped)
		*skipped = history_reader_skipped(rd);
	history_reader_close(rd);
	buf_free(&err);
	return n;
}

/* check_opendmarc - the three records of the 1.4.2 sample */
static void
check_opendmarc(struct history_rec **v, size_t n, const char *label)
{
	is_int(n, 3, "%s: three records", label);
	if (n != 3)
		return;
	is_str(v[0]->job, "4QxYz12abc", "%s: job", label);
	ok(v[0]->received == 1714000000 && v[0]->ndkim == 1 && v[0]->dkim[0].result == 0 &&
	    strcmp(v[0]->dkim[0].selector, "sel1") == 0 && v[0]->nrua == 2 &&
	    strcmp(v[0]->rua[1], "mailto:agg@thirdparty.example!10m") == 0 &&
	    v[0]->policy == 15 && v[0]->p == 'r' && v[0]->sp == 'q' && v[0]->action == 2,
	    "%s: record 1 fields", label);
	ok(v[0]->spf_scope == HISTORY_SCOPE_UNKNOWN && v[0]->country == NULL && v[0]->asn == 0,
	    "%s: keywords 1.4.2 does not write keep their defaults", label);
	is_str(v[1]->ipaddr, "2001:db8::25", "%s: IPv6 ipaddr", label);
	ok(v[1]->mfrom == NULL, "%s: null sender's empty mfrom", label);
	ok(v[1]->ndkim == 2 && v[1]->dkim[0].selector == NULL &&
	    strcmp(v[1]->dkim[1].selector, "sel2024") == 0 && v[1]->dkim[1].result == 5,
	    "%s: dkim lines with - and a selector", label);
	ok(v[1]->arc == 0 && v[1]->arc_policy == 0 && v[1]->action == 0 && v[1]->adkim == 's',
	    "%s: arc_policy with json, reject", label);
	ok(v[2]->job == NULL /* NOJOBID: no queue id */ && v[2]->policy == 14 &&
	    v[2]->nrua == 0 && v[2]->pct == 0 && v[2]->spf == 2 && v[2]->ndkim == 0,
	    "%s: record without DMARC record", label);
}

/* test_opendmarc - the 1.4.2 sample, plain and gzip */
static void
test_opendmarc(const char *srcdir)
{
	struct history_rec *v[8];
	char path[4096], gzpath[4096];
	struct buf data = BUF_INIT, err = BUF_INIT;
	unsigned long skipped = 1;
	size_t n, i;
	gzFile gz;

	snprintf(path, sizeof(path), "%s/data/history/opendmarc-1.4.2.history", srcdir);
	n = read_all(path, v, 8, &skipped);
	check_opendmarc(v, n, "opendmarc 1.4.2");
	is_int(skipped, 0, "opendmarc 1.4.2: nothing skipped");
	for (i = 0; i < n && i < 8; i++)
		history_rec_free(v[i]);
	snprintf(gzpath, sizeof(gzpath), "%s/sample.history.gz", tmpdir);
	ok(fileio_read(&data, path, &err) == 0, "sample readable %s", err.data ? err.data : "");
	gz = gzopen(gzpath, "wb");
	gzwrite(gz, data.data ? data.data : "", (unsigned)data.len);
	gzclose(gz);
	buf_free(&data);
	buf_free(&err);
	n = read_all(gzpath, v, 8, NULL);
	check_opendmarc(v, n, "gzip");
	for (i = 0; i < n && i < 8; i++)
		history_rec_free(v[i]);
}

/* write_file - path := data */
static void
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

/* test_torn - a file cut at every byte of its last record */
static void
test_torn(void)
{
	struct history_rec *r1 = case_additions(), *r2 = case_hostile(), *v[4];
	struct buf b = BUF_INIT;
	char path[4096];
	size_t first, cut, n, i, bad = 0, badskip = 0;
	unsigned long skipped;

	buf_init(&b);
	history_format(r1, &b);
	history_format(r1, &b);
	first = b.len;
	history_format(r2, &b);
	snprintf(path, sizeof(path), "%s/torn.history", tmpdir);
	for (cut = first; cut < b.len; cut++) {
		write_file(path, b.data, cut);
		n = read_all(path, v, 4, &skipped);
		if (n != 2 || !history_rec_equal(v[0], r1) || !history_rec_equal(v[1], r1)) {
			bad++;
			diag("cut %zu: %zu records", cut - first, n);
		}
		if (skipped != (cut > first ? 1u : 0u))
			badskip++;
		for (i = 0; i < n && i < 4; i++)
			history_rec_free(v[i]);
	}
	is_int(bad, 0, "torn last record: the %zu cut points all give the two whole records",
	    b.len - first);
	is_int(badskip, 0, "torn last record: counted as skipped");
	write_file(path, b.data, b.len);
	n = read_all(path, v, 4, &skipped);
	ok(n == 3 && skipped == 0 && history_rec_equal(v[2], r2), "uncut file: three records");
	for (i = 0; i < n && i < 4; i++)
		history_rec_free(v[i]);
	history_rec_free(r1);
	history_rec_free(r2);
	buf_free(&b);
}

#define NTHREADS 8
#define PERTHREAD 400

struct worker {
	struct history *h;
	int		id;
	int		fails;
};

/* thread_rec - the record a worker writes as its i-th */
static struct history_rec *
thread_rec(int id, int i)
{
	char job[32], *big;
	struct history_rec *r = base_rec(NULL);
	size_t len = (size_t)((i * 7919) % 9000);

	snprintf(job, sizeof(job), "t%d-%d", id, i);
	history_rec_set(&r->job, job);
	big = xmalloc(len + 1);
	memset(big, 'a' + id, len);
	big[len] = '\0';
	history_rec_set(&r->asorg, big);
	free(big);
	r->asn = i;
	return r;
}

/* worker_main - append PERTHREAD records */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct history_rec *r;
	int i;

	for (i = 0; i < PERTHREAD; i++) {
		r = thread_rec(w->id, i);
		if (history_append(w->h, r) != 0)
			w->fails++;
		history_rec_free(r);
	}
	return NULL;
}

/* test_threads - concurrent appenders produce whole records, none lost */
static void
test_threads(void)
{
	struct worker w[NTHREADS];
	pthread_t t[NTHREADS];
	struct buf err = BUF_INIT;
	struct history_reader *rd;
	struct history_rec *r, *want;
	char path[4096];
	int i, fails = 0, next[NTHREADS] = { 0 }, id, idx, bad = 0, total = 0;

	buf_init(&err);
	snprintf(path, sizeof(path), "%s/threads.history", tmpdir);
	w[0].h = history_open(path, &err);
	ok(w[0].h != NULL, "history_open %s", err.data);
	if (w[0].h == NULL)
		return;
	for (i = 0; i < NTHREADS; i++) {
		w[i].h = w[0].h;
		w[i].id = i;
		w[i].fails = 0;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		fails += w[i].fails;
	}
	is_int(fails, 0, "threads: no append failed");
	is_int(history_counts(w[0].h).written, NTHREADS * PERTHREAD, "threads: written count");
	history_close(w[0].h);
	rd = history_reader_open(path, &err);
	while (rd && history_reader_next(rd, &r) == 1) {
		total++;
		if (sscanf(r->job, "t%d-%d", &id, &idx) != 2 || id < 0 || id >= NTHREADS ||
		    idx != next[id]) {
			bad++;
		} else {
			want = thread_rec(id, idx);
			bad += !history_rec_equal(want, r);
			history_rec_free(want);
			next[id]++;
		}
		history_rec_free(r);
	}
	is_int(total, NTHREADS * PERTHREAD, "threads: every record read back");
	is_int(bad, 0, "threads: each whole and in per-thread order");
	is_int(rd ? (long)history_reader_skipped(rd) : -1, 0, "threads: nothing torn");
	history_reader_close(rd);
	buf_free(&err);
}

/* test_rotation - rename then reopen (SIGUSR1) and rename then wait 1s */
static void
test_rotation(void)
{
	struct buf err = BUF_INIT;
	struct history *h;
	struct history_rec *r = base_rec("rot"), *v[4];
	char path[4096], old[4200];
	size_t n, i;

	buf_init(&err);
	snprintf(path, sizeof(path), "%s/rot.history", tmpdir);
	snprintf(old, sizeof(old), "%s.1", path);
	h = history_open(path, &err);
	if (!ok(h != NULL, "open for rotation"))
		return;
	history_append(h, r);
	rename(path, old);
	ok(history_reopen(h) == 0, "history_reopen");
	history_append(h, r);
	history_append(h, r);
	n = read_all(old, v, 4, NULL);
	is_int(n, 1, "rotated file keeps the record before SIGUSR1");
	for (i = 0; i < n && i < 4; i++)
		history_rec_free(v[i]);
	n = read_all(path, v, 4, NULL);
	is_int(n, 2, "new file gets the records after SIGUSR1");
	for (i = 0; i < n && i < 4; i++)
		history_rec_free(v[i]);
	/* mv without a signal: noticed within a second */
	rename(path, old);
	usleep(1100 * 1000);
	history_append(h, r);
	n = read_all(path, v, 4, NULL);
	is_int(n, 1, "rename without a signal: new file created within a second");
	for (i = 0; i < n && i < 4; i++)
		history_rec_free(v[i]);
	unlink(path);
	usleep(1100 * 1000);
	history_append(h, r);
	n = read_all(path, v, 4, NULL);
	is_int(n, 1, "removed file: recreated");
	for (i = 0; i < n && i < 4; i++)
		history_rec_free(v[i]);
	is_int(history_counts(h).errors, 0, "rotation: no errors");
	history_close(h);
	history_rec_free(r);
	unlink(old);
	buf_free(&err);
}

/* test_write_fails - every write fails (EFBIG: RLIMIT_FSIZE 0 on a
 * regular file, as a full disk would): counted, never blocks */
static void
test_write_fails(void)
{
	struct buf err = BUF_INIT;
	struct history *h;
	struct history_rec *r = base_rec("full");
	struct rlimit old, zero;
	char path[4096];
	int i, fails = 0;

	buf_init(&err);
	snprintf(path, sizeof(path), "%s/efbig.history", tmpdir);
	if (!ok((h = history_open(path, &err)) != NULL, "open for failing writes %s", err.data)) {
		buf_free(&err);
		history_rec_free(r);
		return;
	}
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	zero = old;
	zero.rlim_cur = 0;
	setrlimit(RLIMIT_FSIZE, &zero);
	for (i = 0; i < 100; i++)
		fails += history_append(h, r) != 0;
	setrlimit(RLIMIT_FSIZE, &old);
	is_int(fails, 100, "failing writes: every append reports failure");
	is_int(history_counts(h).errors, 100, "failing writes: errors counted");
	is_int(history_counts(h).written, 0, "failing writes: nothing counted as written");
	history_close(h);
	history_rec_free(r);
	buf_free(&err);
}

/* fds_to - how many of our descriptors name path */
static int
fds_to(const char *path)
{
	char link[64], target[4200];
	ssize_t n;
	int fd, count = 0;

	for (fd = 0; fd < 1024; fd++) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		if ((n = readlink(link, target, sizeof(target) - 1)) < 0)
			continue;
		target[n] = '\0';
		count += strcmp(target, path) == 0;
	}
	return count;
}

/* test_open_safety - the daemon opens the file as root: no symlink is
 * followed, nothing but a regular file is used, new files get 0640, a file
 * logrotate created keeps its mode and content; shared by reference */
static void
test_open_safety(void)
{
	struct buf err = BUF_INIT;
	struct history *h, *h2;
	struct history_rec *r = base_rec("safe");
	char path[4096], target[4200], link[4200], fifo[4200];
	struct stat st;
	mode_t old;
	int fd;

	buf_init(&err);
	snprintf(target, sizeof(target), "%s/precious", tmpdir);
	snprintf(link, sizeof(link), "%s/link.history", tmpdir);
	fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ok(fd >= 0 && write(fd, "precious\n", 9) == 9, "a file a symlink points to");
	close(fd);
	symlink(target, link);
	h = history_open(link, &err);
	ok(h == NULL, "a symbolic link is refused");
	ok(strstr(err.data, "is a symbolic link") != NULL, "and says so: %s", err.data);
	ok(stat(target, &st) == 0 && st.st_size == 9, "its target is untouched");
	history_close(h);
	snprintf(fifo, sizeof(fifo), "%s/fifo.history", tmpdir);
	mkfifo(fifo, 0600);
	buf_reset(&err);
	h = history_open(fifo, &err);
	ok(h == NULL && strstr(err.data, "not a regular file") != NULL,
	    "a FIFO is refused without hanging: %s", err.data);
	buf_reset(&err);
	h = history_open(tmpdir, &err);
	ok(h == NULL, "a directory is refused: %s", err.data);
	/* a new file: 0640 */
	snprintf(path, sizeof(path), "%s/new.history", tmpdir);
	old = umask(022);
	buf_reset(&err);
	h = history_open(path, &err);
	umask(old);
	ok(h != NULL && stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "a new file is created with mode 0640");
	/* one reference per engine: the file stays open until the last goes */
	h2 = history_ref(h);
	history_close(h);
	is_int(fds_to(path), 1, "after one of two references is dropped: still open");
	is_int(history_append(h2, r), 0, "and written");
	history_close(h2);
	is_int(fds_to(path), 0, "the last reference closes it");
	/* logrotate's "create 0600 user group": kept as it is, appended to */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	close(fd);
	h = history_open(path, &err);
	history_append(h, r);
	history_close(h);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size > 0,
	    "a file created beforehand keeps its mode and is appended to");
	history_rec_free(r);
	buf_free(&err);
}

/* test_tmpfs_full - a tiny tmpfs fills up mid-record; after space is freed
 * (without a reopen) every record written is read back whole and unchanged */
static void
test_tmpfs_full(void)
{
	struct buf err = BUF_INIT;
	struct history *h;
	struct history_rec *r, *v[256];
	char dir[4096], path[4200], filler[4200], block[4096];
	unsigned long skipped = 0;
	int i, fd, fails = 0, good[256][2], ngood = 0, same = 0, lost;
	size_t n, k;

	snprintf(dir, sizeof(dir), "%s/mnt", tmpdir);
	mkdir(dir, 0700);
	if (geteuid() != 0 || mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0) {
		ok(1, "# SKIP full tmpfs: needs root and mount(2) (%s)",
		    geteuid() ? "not root" : strerror(errno));
		rmdir(dir);
		return;
	}
	buf_init(&err);
	snprintf(path, sizeof(path), "%s/h", dir);
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	memset(block, 'f', sizeof(block));
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	for (i = 0; i < 8; i++)
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block))
			break;
	close(fd);
	h = history_open(path, &err);
	if (!ok(h != NULL, "open on tmpfs %s", err.data))
		goto out;
	for (i = 0; i < 200; i++) {	/* 0-9 kB each: the 64k fill up */
		r = thread_rec(1, i);
		if (history_append(h, r) != 0)
			fails++;
		else if (ngood < 256) {
			good[ngood][0] = 1;
			good[ngood++][1] = i;
		}
		history_rec_free(r);
	}
	ok(fails > 0 && history_counts(h).errors == (unsigned long)fails,
	    "full tmpfs: failures returned and counted (%d)", fails);
	lost = fails;
	unlink(filler);
	for (i = 0, fails = 0; i < 5; i++) {
		r = thread_rec(2, 0);
		if (history_append(h, r) != 0)
			fails++;
		else if (ngood < 256) {
			good[ngood][0] = 2;
			good[ngood++][1] = 0;
		}
		history_rec_free(r);
	}
	is_int(fails, 0, "space freed: appends succeed again");
	n = read_all(path, v, 256, &skipped);
	is_int(n, ngood, "every record reported written is read back");
	for (k = 0; k < n && k < 256 && k < (size_t)ngood; k++) {
		r = thread_rec(good[k][0], good[k][1]);
		same += history_rec_equal(r, v[k]);
		history_rec_free(r);
	}
	for (k = 0; k < n && k < 256; k++)
		history_rec_free(v[k]);
	is_int(same, ngood, "each one whole and unchanged, the torn one apart");
	ok(skipped <= (unsigned long)lost, "only torn records are skipped (%lu of %d lost)",
	    skipped, lost);
	history_close(h);
out:
	umount(dir);
	rmdir(dir);
	buf_free(&err);
}

int
main(void)
{
	const char *srcdir = getenv("srcdir");

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_roundtrip();
	test_golden();
	test_bad();
	test_opendmarc(srcdir ? srcdir : ".");
	test_torn();
	test_threads();
	test_rotation();
	test_write_fails();
	test_open_safety();
	test_tmpfs_full();
	{
		char cmd[4200];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			diag("cannot remove %s", tmpdir);
	}
	return tap_done();
}
