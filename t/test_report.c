/*
 * test_report.c - unit tests of the reporter's pure parts: rua parsing and
 * address checks, the XML writer and its escaping, XSD validation, gzip,
 * the state file, mail composition, report ids and the aggregator
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"
#include "pct.h"
#include "report.h"
#include "tap.h"

#ifndef XSD_DEFAULT
#define XSD_DEFAULT "data/rfc9990-dmarc-aggregate.xsd"
#endif

struct rua_case {
	const char     *in;
	size_t		n;		/* URIs expected */
	enum rua_kind	kind0;		/* kind of the first */
	const char     *addr0;		/* its address, or NULL */
};

static const struct rua_case rua_cases[] = {
	{ "mailto:dmarc@example.com", 1, RUA_MAILTO, "dmarc@example.com" },
	{ " mailto:a@example.com!10m , mailto:b@example.net", 2, RUA_MAILTO, "a@example.com" },
	{ "MAILTO:x@example.org!200", 1, RUA_MAILTO, "x@example.org" },
	{ "mailto:r%2Bdmarc@example.com", 1, RUA_MAILTO, "r+dmarc@example.com" },
	{ "mailto:a@example.com?subject=hi", 1, RUA_MAILTO, "a@example.com" },
	{ "https://example.com/report", 1, RUA_UNSUPPORTED, NULL },
	{ "mailto:x@example.com;touch${IFS}/tmp/p", 1, RUA_INVALID, NULL },
	{ "mailto:a@example.com`id`", 1, RUA_INVALID, NULL },
	{ "mailto:$(reboot)@example.com", 1, RUA_INVALID, NULL },
	{ "mailto:a b@example.com", 1, RUA_INVALID, NULL },
	{ "mailto:-oQ/tmp@example.com", 1, RUA_INVALID, NULL },
	{ "mailto:a@example.com%0aBcc:x@y.z", 1, RUA_INVALID, NULL },
	{ "mailto:a@localhost", 1, RUA_INVALID, NULL },
	{ "mailto:a%zz@example.com", 1, RUA_INVALID, NULL },
	{ "nocolon", 1, RUA_INVALID, NULL },
	{ " , ,", 0, RUA_INVALID, NULL },
};

/* test_rua - the parser table and the verification-record check */
static void
test_rua(void)
{
	size_t i;

	for (i = 0; i < sizeof(rua_cases) / sizeof(rua_cases[0]); i++) {
		const struct rua_case *c = &rua_cases[i];
		struct rua_list l = { 0, NULL };

		is_int(rua_parse(c->in, strlen(c->in), &l), c->n, "rua_parse count: %s", c->in);
		if (c->n > 0) {
			is_int(l.v[0].kind, c->kind0, "rua kind: %s", c->in);
			is_str(l.v[0].addr, c->addr0, "rua addr: %s", c->in);
		}
		rua_list_free(&l);
	}
	ok(rua_txt_authorises("v=DMARC1", 8), "v=DMARC1 authorises");
	ok(rua_txt_authorises(" v = DMARC1 ; rua=mailto:a@b.example", 35), "with spaces and tags");
	ok(!rua_txt_authorises("v=DMARC2", 8), "v=DMARC2 does not");
	ok(!rua_txt_authorises("p=none; v=DMARC1", 16), "v not first does not");
	ok(!rua_txt_authorises("v=DMARC1x", 9), "v=DMARC1x does not");
	ok(rua_same_org("example.com", "mail.example.com"), "subdomain is same org");
	ok(!rua_same_org("example.com", "badexample.com"), "suffix without dot is not");
	ok(!rua_domain_valid("bad<&>/../x.example", 19), "hostile domain refused");
	ok(rua_domain_valid("_dmarc.example.com", 18), "underscore label allowed");
}

/* sample_row - a row with everything hostile in it */
static void
sample_row(struct report_row *r, struct report_dkim *d, struct report_reason *rs)
{
	memset(r, 0, sizeof(*r));
	d->domain = "example.com";
	d->selector = "s<1>&\"'";
	d->result = "pass";
	rs->type = "local_policy";
	rs->comment = "a\x01" "b\xff" "c";
	r->source_ip = "2001:db8::1";
	r->count = 12345678901ULL;
	r->disposition = "pass";
	r->dkim_aligned = "pass";
	r->spf_aligned = "fail";
	r->nreason = 1;
	r->reason = rs;
	r->header_from = "ev<&\"'il.example";
	r->envelope_from = "";
	r->ndkim = 1;
	r->dkim = d;
	r->spf_domain = "example.com";
	r->spf_scope = "mfrom";
	r->spf_result = "softfail";
}

/* build_doc - one complete report document */
static void
build_doc(struct buf *x, enum report_format f)
{
	struct report_meta m = { "Org & <Co>", "dmarc@example.org", NULL, "abc123", 100, 199,
		NULL, "authmilter-report test" };
	struct report_policy p = { "example.com", "treewalk", "reject", NULL, "none", "1",
		"r", "s", "n", -1 };
	struct report_row r;
	struct report_dkim d;
	struct report_reason rs;

	sample_row(&r, &d, &rs);
	report_xml_begin(x, f, &m, &p);
	report_xml_row(x, f, &r);
	report_xml_end(x, f);
}

/* test_xml - escaping, order, validation, gzip round trip */
static void
test_xml(void)
{
	const char *xsd = getenv("REPORT_XSD") ? getenv("REPORT_XSD") : XSD_DEFAULT;
	struct buf x = BUF_INIT, e = BUF_INIT, gz = BUF_INIT, back = BUF_INIT;
	struct report_schema *s;
	int v;

	buf_init(&x);
	report_xml_escape(&x, "<a&b>\"'\x01\xc3\xa9\xed\xa0\x80");
	is_str(x.data, "&lt;a&amp;b&gt;&quot;&apos;?\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "escape: markup, controls, bad UTF-8");
	buf_reset(&x);
	build_doc(&x, REPORT_RFC9990);
	ok(strstr(x.data, "<header_from>ev&lt;&amp;&quot;&apos;il.example</header_from>") != NULL,
	    "header_from escaped");
	ok(strstr(x.data, "<p>reject</p>\n    <np>none</np>\n    <adkim>r</adkim>") != NULL,
	    "policy_published in schema order, sp omitted");
	ok(strstr(x.data, "<count>12345678901</count>") != NULL, "64-bit count");
	ok(strstr(x.data, "xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\"") != NULL, "namespace");
	ok(access(xsd, R_OK) == 0, "the RFC 9990 schema is readable: %s", xsd);
	{
		s = report_schema_new(xsd, &e);
		ok(s != NULL, "schema loads");
		v = s ? report_xml_validate(s, x.data, x.len, &e) : -1;
		ok(v == 0, "document validates: %s", e.data ? e.data : "");
		buf_reset(&e);
		v = s ? report_xml_validate(s, "<feedback/>", 11, &e) : 0;
		ok(v != 0 && e.len > 0, "invalid document refused: %s", e.data);
		report_schema_free(s);
	}
	ok(report_gz_compress(x.data, x.len, "r.xml", &gz) == 0 && gz.len > 18, "gzip");
	ok((unsigned char)gz.data[0] == 0x1f && (unsigned char)gz.data[1] == 0x8b, "gzip magic");
	ok(report_gz_decompress(gz.data, gz.len, &back) == 0 && back.len == x.len &&
	    memcmp(back.data, x.data, x.len) == 0, "gunzip round trip");
	buf_reset(&x);
	build_doc(&x, REPORT_RFC7489);
	ok(strstr(x.data, "<disposition>none</disposition>") != NULL, "7489: pass becomes none");
	ok(strstr(x.data, "<pct>100</pct>") != NULL && strstr(x.data, "xmlns") == NULL,
	    "7489: pct, no namespace");
	buf_free(&x);
	buf_free(&e);
	buf_free(&gz);
	buf_free(&back);
}

/* test_pct - percent-decoding, strict (rua) and lenient (state file) */
static void
test_pct(void)
{
	static const struct {
		const char *in;
		int strict, rc;
		const char *want;
	} c[] = {
		{ "r%2Bdmarc", 1, 0, "r+dmarc" },
		{ "%2b%2B%41z", 1, 0, "++Az" },
		{ "plain", 1, 0, "plain" },
		{ "", 1, 0, "" },
		{ "a%zz", 1, -1, NULL },
		{ "a%4", 1, -1, NULL },
		{ "a%", 1, -1, NULL },
		{ "a%zz", 0, 0, "a%zz" },
		{ "50%", 0, 0, "50%" },
		{ "a%4", 0, 0, "a%4" },
		{ "%%41", 0, 0, "%A" },
	};
	struct buf b = BUF_INIT;
	char *f[4] = { NULL };
	size_t i;
	int nf;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int rc;

		buf_init(&b);
		rc = pct_decode(c[i].in, strlen(c[i].in), c[i].strict, &b);
		is_int(rc, c[i].rc, "pct_decode %s %s: result", c[i].strict ? "strict" : "lenient", c[i].in);
		if (c[i].want)
			is_str(b.data, c[i].want, "pct_decode %s %s: text",
			    c[i].strict ? "strict" : "lenient", c[i].in);
		buf_free(&b);
	}
	buf_init(&b);
	ok(pct_decode("a%00b", 5, 1, &b) == 0 && b.len == 3 && b.data[1] == '\0',
	    "%%00 decodes to a NUL byte");
	buf_free(&b);
	nf = report_state_parse_line("queue  id%20x 100% ", 19, f, 4);
	is_int(nf, 3, "state line: three fields, runs of spaces are one separator");
	is_str(nf == 3 ? f[1] : NULL, "id x", "state line: %%20 decoded");
	is_str(nf == 3 ? f[2] : NULL, "100%", "state line: a lone %% kept");
	for (i = 0; i < 4; i++)
		free(f[i]);
}

/* test_state - save, reload, queue transitions, torn last line */
static void
test_state(void)
{
	char path[] = "/tmp/test_report_stateXXXXXX";
	struct buf e = BUF_INIT;
	struct report_state *st;
	struct report_queued q;
	int fd = mkstemp(path);
	FILE *fp;

	close(fd);
	unlink(path);
	st = report_state_load(path, &e);
	ok(st != NULL && report_state_nqueued(st) == 0, "missing state file is empty");
	report_state_add_report(st, "id1", "mail", "example.com", 1, 2, 1000);
	report_state_queue(st, "id1", "mailto:a@example.com", "/sp/f one", 1000);
	report_state_queue(st, "id1", "mailto:b@example.com", "/sp/f one", 1000);
	ok(report_state_save(st, &e) == 0, "save");
	report_state_free(st);
	fp = fopen(path, "a");
	fputs("sent id9 mailto:x@exa", fp);	/* torn: no LF */
	fclose(fp);
	st = report_state_load(path, &e);
	ok(st && report_state_has_report(st, "id1", "mail"), "report remembered");
	ok(st && !report_state_has_report(st, "id1", "dir"), "per mode");
	is_int(st ? report_state_nqueued(st) : 0, 2, "two queued");
	report_state_queued(st, 0, &q);
	is_str(q.spool, "/sp/f one", "spool path with a space survives");
	report_state_failed(st, "id1", "mailto:a@example.com", 1001);
	report_state_sent(st, "id1", "mailto:b@example.com", 1001);
	is_int(report_state_nqueued(st), 1, "sent leaves the queue");
	ok(report_state_spool_used(st, "/sp/f one"), "spool still used");
	report_state_sent(st, "id1", "mailto:a@example.com", 1002);
	ok(!report_state_spool_used(st, "/sp/f one"), "spool free");
	is_int(report_state_prune(st, 1000000, 86400), 3, "prune old lines");
	report_state_free(st);
	unlink(path);
	buf_free(&e);
}

/* test_mail - composition and argv splitting */
static void
test_mail(void)
{
	struct report_mail m = { "DMARC <dmarc@receiver.example>", "agg@example.com",
		"example.com", "receiver.example", "0123abcd", "receiver.example!example.com!1!2!0123abcd.xml.gz",
		"\x1f\x8b\x08", 3, 1, 2, 0 };
	struct strlist w = { 0, NULL };
	struct buf b = BUF_INIT;
	char *a;

	ok(report_mail_compose(&m, &b) == 0, "compose");
	ok(strstr(b.data, "\nSubject: Report Domain: example.com Submitter: receiver.example "
	    "Report-ID: <0123abcd>\n") != NULL, "Subject per RFC 9990");
	ok(strstr(b.data, "\nAuto-Submitted: auto-generated\n") != NULL, "Auto-Submitted");
	ok(strstr(b.data, "Content-Type: application/gzip") != NULL, "application/gzip part");
	ok(strstr(b.data, "\nH4sI\n") != NULL, "base64 attachment");
	m.to = "x@example.com;rm";
	buf_reset(&b);
	ok(report_mail_compose(&m, &b) != 0, "hostile recipient refused");
	m.to = "agg@example.com";
	m.from = "x\nBcc: y@example.com";
	ok(report_mail_compose(&m, &b) != 0, "header injection refused");
	report_mail_split("  /usr/sbin/sendmail  -oi\t-t ", &w);
	ok(w.n == 3 && strcmp(w.v[0], "/usr/sbin/sendmail") == 0 && strcmp(w.v[2], "-t") == 0,
	    "command split on blanks");
	strlist_free(&w);
	a = report_mail_addr("DMARC Reports <dmarc@receiver.example>");
	is_str(a, "dmarc@receiver.example", "addr-spec from a From value");
	free(a);
	ok(report_mail_addr("x <a;b@example.com>") == NULL, "unsafe From address refused");
	buf_free(&b);
}

/* rec - one history record for the aggregator tests */
static struct history_rec *
rec(long long t, const char *pd, const char *ip, int pol, char p)
{
	struct history_rec *r = history_rec_new();

	r->received = t;
	history_rec_set(&r->pdomain, pd);
	history_rec_set(&r->ipaddr, ip);
	history_rec_set(&r->from, pd);
	history_rec_set(&r->mfrom, pd);
	history_rec_add_dkim(r, pd, "s1", HISTORY_ARES_PASS);
	r->spf = HISTORY_ARES_PASS;
	r->policy = pol;
	r->action = pol == HISTORY_POLICY_REJECT ? HISTORY_ACTION_REJECT : HISTORY_ACTION_ACCEPT;
	r->p = p;
	r->align_dkim = HISTORY_ALIGN_PASS;
	r->align_spf = HISTORY_ALIGN_FAIL;
	history_rec_add_rua(r, "mailto:d@example.com");
	return r;
}

/* test_agg - counting, distinct rows, period, policy from the last record */
static void
test_agg(void)
{
	struct report_agg *a = report_agg_new(100, 200);
	struct report_policy p;
	struct buf x = BUF_INIT;
	struct history_rec *r;
	int i, used = 0;

	for (i = 0; i < 10; i++) {
		r = rec(100 + i, i % 2 ? "Example.COM" : "example.com", "192.0.2.1",
		    HISTORY_POLICY_PASS, 'n');
		used += report_agg_add(a, r);
		history_rec_free(r);
	}
	r = rec(150, "example.com", "192.0.2.2", HISTORY_POLICY_REJECT, 'r');
	used += report_agg_add(a, r);
	history_rec_free(r);
	r = rec(200, "example.com", "192.0.2.3", HISTORY_POLICY_PASS, 'n');	/* outside */
	used += report_agg_add(a, r);
	history_rec_free(r);
	r = rec(120, "example.net", "192.0.2.3", HISTORY_POLICY_ABSENT, 0);	/* no record */
	used += report_agg_add(a, r);
	history_rec_free(r);
	is_int(used, 11, "records counted");
	is_int(report_agg_ndomains(a), 1, "one policy domain (case folded)");
	is_int(report_agg_count(a, 0), 11, "domain count");
	is_int(report_agg_nrows(a, 0), 2, "two distinct rows");
	report_agg_policy(a, 0, &p);
	is_str(p.p, "reject", "last policy wins");
	report_agg_write_rows(a, 0, REPORT_RFC9990, &x);
	ok(strstr(x.data, "<count>10</count>") != NULL && strstr(x.data, "<count>1</count>"),
	    "row counts written");
	ok(strstr(x.data, "<selector>s1</selector>") != NULL, "DKIM selector kept");
	ok(strstr(x.data, "<disposition>reject</disposition>") != NULL, "disposition reject");
	ok(strstr(x.data, "<count>10</count>") < strstr(x.data, "<count>1</count>"),
	    "largest row first");
	buf_free(&x);
	report_agg_free(a);
	report_agg_free(NULL);
}

/* test_ids - deterministic ids, file names, NoReportsList */
static void
test_ids(void)
{
	char a[33], b[33], c[33];
	struct buf f = BUF_INIT;

	report_id("r.example", "example.com", 1, 2, REPORT_RFC9990, a);
	report_id("r.example", "example.com", 1, 2, REPORT_RFC9990, b);
	report_id("r.example", "example.net", 1, 2, REPORT_RFC9990, c);
	ok(strcmp(a, b) == 0 && strcmp(a, c) != 0 && strlen(a) == 32, "report ids");
	ok(strspn(a, "0123456789abcdef") == 32, "id is alphanumeric (unique-id)");
	report_filename("r.example", "example.com", 1, 2, a, &f);
	ok(strncmp(f.data, "r.example!example.com!1!2!", 26) == 0 &&
	    strcmp(f.data + f.len - 7, ".xml.gz") == 0, "file name per RFC 9990");
	ok(report_noreports("foo.example, example.com", "mail.example.com"), "NoReportsList subdomain");
	ok(!report_noreports("example.com", "badexample.com"), "NoReportsList boundary");
	ok(!report_noreports(NULL, "example.com"), "NoReportsList unset");
	buf_free(&f);
}

/* main - run every group */
int
main(void)
{
	test_rua();
	test_pct();
	test_xml();
	test_state();
	test_mail();
	test_agg();
	test_ids();
	return tap_done();
}
