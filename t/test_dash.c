/*
 * test_dash.c - the dashboard's model, verdict, escaping, charts and pages
 * (report/dash.c, dash_html.c, dash_svg.c); the site in a browser is
 * t/dashboard.sh
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dash.h"
#include "dash_html.h"
#include "dash_svg.h"
#include "tap.h"

#define T0 ((time_t)1793491200)	/* 2026-11-01 00:00 UTC */

/* one_day - a domain of one day: pass/fail messages */
static struct dash_domain *
one_day(struct dash_data *d, const char *name, unsigned long pass, unsigned long fail)
{
	struct dash_domain *dom = dash_domain_add(d, name);
	struct dash_day c = { 0, pass, fail, pass + fail, 0, 0 };

	dash_day_add(dom, T0, &c);
	return dom;
}

/* source - a source of n messages, p passing */
static void
source(struct dash_domain *dom, const char *ip, unsigned long n, unsigned long p)
{
	struct dash_source s = { (char *)ip, NULL, 0, NULL, NULL, n, p, p, p, 0 };

	dash_source_add(dom, &s);
}

/* verdict_of - the verdict word of dom */
static const char *
verdict_of(const struct dash_domain *dom)
{
	struct dash_verdict v;

	dash_verdict(dom, &v);
	return dash_ready_word(v.ready);
}

/* test_rate_edges - 99% exactly is enough, 98.99% is not, no mail is no data */
static void
test_rate_edges(void)
{
	struct dash_data *d = dash_new();

	is_str(verdict_of(one_day(d, "a.example", 9900, 100)), "ready", "99.00%% pass: ready");
	is_str(verdict_of(one_day(d, "b.example", 9899, 101)), "not ready", "98.99%% pass: not ready");
	is_str(verdict_of(one_day(d, "c.example", 0, 0)), "no data", "no message: no data");
	is_str(verdict_of(dash_domain_add(d, "d.example")), "no data", "no day: no data");
	is_str(verdict_of(one_day(d, "e.example", 10, 0)), "ready", "all pass: ready");
	dash_free(d);
}

/* test_source_edges - 0.1% of the mail, 99% of the source's own */
static void
test_source_edges(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom;
	struct dash_verdict v;

	dom = one_day(d, "a.example", 9990, 10);
	source(dom, "192.0.2.1", 10, 0);	/* exactly 0.1%: not significant */
	dash_verdict(dom, &v);
	is_str(dash_ready_word(v.ready), "ready", "a source of exactly 0.1%% failing: ready");
	is_int(v.nfailing_all, 1, "... but it is listed");
	is_int(v.failing_msgs, 10, "... with its 10 failing messages");
	is_int(v.failing[0].significant, 0, "... not significant");

	dom = one_day(d, "b.example", 9989, 11);
	source(dom, "192.0.2.1", 11, 0);	/* 11 of 10000: over 0.1% */
	is_str(verdict_of(dom), "not ready", "a failing source over 0.1%%: not ready");

	dom = one_day(d, "c.example", 9990, 10);
	source(dom, "192.0.2.2", 1000, 990);	/* 99% of its own pass */
	is_str(verdict_of(dom), "ready", "a big source at 99%% of its own: ready");
	dom = one_day(d, "d.example", 9990, 10);
	source(dom, "192.0.2.2", 1000, 989);
	dash_verdict(dom, &v);
	is_str(dash_ready_word(v.ready), "not ready", "a big source at 98.9%% of its own: not ready");
	ok(v.rate_ok, "... while the domain's rate is fine");
	is_int(v.nsignificant, 1, "... one significant source");
	dash_free(d);
}

/* test_window - only the last 30 days count; the failing list is capped and sorted */
static void
test_window(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom = dash_domain_add(d, "w.example");
	struct dash_day bad = { 0, 0, 1000000, 0, 0, 0 }, good = { 0, 100, 0, 0, 0, 0 };
	struct dash_verdict v;
	char ip[32];
	int i;

	dash_day_add(dom, T0 + 30 * DASH_DAY, &good);	/* newest day */
	dash_day_add(dom, T0, &bad);			/* 30 days before it: out */
	dash_day_add(dom, T0 + DASH_DAY, &good);	/* 29 days before: in */
	dash_verdict(dom, &v);
	is_int(v.total, 200, "the day 30 days before the newest is out of the window");
	is_str(dash_ready_word(v.ready), "ready", "... so the old failures do not count");
	for (i = 1; i <= 12; i++) {
		snprintf(ip, sizeof(ip), "192.0.2.%d", i);
		source(dom, ip, 100, (unsigned long)(100 - i));
	}
	dash_verdict(dom, &v);
	is_int(v.nfailing, DASH_MAX_FAILING, "the failing list is capped");
	is_int(v.nfailing_all, 12, "... all failing sources counted");
	is_int(v.failing_msgs, 78, "... and all their failing messages");
	is_str(v.failing[0].src->ip, "192.0.2.12", "the most failing first");
	is_int(v.failing[9].failing, 3, "... the least shown last");
	dash_free(d);
}

/* test_totals - days fold to 00:00 UTC, add up, stay sorted */
static void
test_totals(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom = dash_domain_add(d, "t.example");
	struct dash_day c = { 0, 1, 2, 3, 4, 5 };

	dash_day_add(dom, T0 + 2 * DASH_DAY + 3600, &c);
	dash_day_add(dom, T0 + 12345, &c);
	dash_day_add(dom, T0 + 2 * DASH_DAY + 86399, &c);
	ok(dash_domain_add(d, "t.example") == dom, "a domain is found again, not added twice");
	is_int(d->ndom, 1, "one domain");
	is_int(dom->ndays, 2, "two days");
	is_int(dom->days[0].day, T0, "a time of day folds to 00:00 UTC, sorted");
	is_int(dom->days[1].day, T0 + 2 * DASH_DAY, "the later day second");
	is_int(dom->days[1].pass, 2, "pass counts add up");
	is_int(dom->days[1].reject, 10, "disposition counts add up");
	dash_free(d);
}

/* test_text - escaping and number formats */
static void
test_text(void)
{
	struct buf b = BUF_INIT;

	dash_html_escape(&b, "<script>alert(\"x\")</script> & 'y'\x01");
	is_str(b.data, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;\xef\xbf\xbd",
	    "HTML escaping of markup, quotes and control bytes");
	buf_reset(&b);
	dash_rate_text(&b, 9999, 10000);
	is_str(b.data, "99.9%", "99.99%% shows as 99.9%%, never 100.0%%");
	buf_reset(&b);
	dash_rate_text(&b, 1, 1);
	is_str(b.data, "100.0%", "all pass");
	buf_reset(&b);
	dash_rate_text(&b, 0, 0);
	is_str(b.data, "-", "no mail");
	buf_reset(&b);
	dash_svg_date(&b, T0 + 3600);
	is_str(b.data, "2026-11-01", "dates in UTC");
	buf_free(&b);
}

/* test_svg - the path of a known series */
static void
test_svg(void)
{
	struct dash_day days[] = {
		{ 0, 10, 0, 0, 0, 0 },
		{ DASH_DAY, 5, 5, 0, 0, 0 },
		{ 2 * DASH_DAY, 0, 0, 0, 0, 0 },	/* no mail: left out */
		{ 3 * DASH_DAY, 1, 3, 0, 0, 0 },
		{ 4 * DASH_DAY, 0, 10, 0, 0, 0 },
		{ 5 * DASH_DAY, 10, 0, 0, 0, 0 },	/* after last: left out */
	};
	struct buf b = BUF_INIT;

	dash_svg_rate_path(&b, days, 6, 0, 4 * DASH_DAY, 100, 50);
	is_str(b.data, "M0.0,0.0 L25.0,25.0 L75.0,37.5 L100.0,50.0",
	    "rate path: x by date, y from 100%% (top) to 0%% (bottom), empty days skipped");
	buf_reset(&b);
	dash_svg_rate_path(&b, days + 2, 1, 0, 4 * DASH_DAY, 100, 50);
	ok(b.len == 0, "no path for a series without mail");
	buf_reset(&b);
	dash_svg_rate_path(&b, days, 1, 0, 0, 100, 50);
	is_str(b.data, "M0.0,0.0", "one day: one point at x 0");
	buf_free(&b);
}

/* count - occurrences of needle in hay */
static int
count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL)
		n++, hay++;
	return n;
}

/* hostile - a model whose peer strings are all markup */
static struct dash_data *
hostile(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom = one_day(d, "Ex/../a<b>.com", 50, 50);
	struct dash_source s = { "192.0.2.9", "\"><img src=x onerror=alert(1)>", 64496,
	    "<b>AS</b>", "<i>", 100, 0, 100, 50, 0 };
	struct dash_org o = { "<script>alert(\"org\")</script>", 1, 100, T0 };
	struct dash_failure f = { T0, "<script>r</script>", "<ip>", "<from>", "<auth>" };

	dash_source_add(dom, &s);
	dash_org_add(dom, &o);
	dash_failure_add(d, &f);
	one_day(d, "ok.example", 100, 0);
	dash_sort(d);
	return d;
}

/* source_as - a source of n messages, p passing, in AS asn (name) and country */
static void
source_as(struct dash_domain *dom, const char *ip, unsigned long asn, const char *name,
    const char *country, unsigned long n, unsigned long p)
{
	struct dash_source s = { (char *)ip, NULL, asn, (char *)name, (char *)country, n, p, 0, p, 0 };

	dash_source_add(dom, &s);
}

/* test_groups - sources summed by AS and by country; the unknown ones as one */
static void
test_groups(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom = one_day(d, "example.com", 300, 60);
	struct buf b = BUF_INIT;

	source_as(dom, "192.0.2.1", 64496, "Alpha", "DE", 100, 90);
	source_as(dom, "192.0.2.2", 64496, NULL, "DE", 50, 50);
	source_as(dom, "198.51.100.1", 64497, "Beta", "FR", 200, 160);
	source_as(dom, "203.0.113.1", 0, NULL, NULL, 10, 0);
	source_as(dom, "203.0.113.2", 0, NULL, "", 1, 0);
	dash_sort(d);
	is_int((int)dom->nasn, 3, "by AS: two ASes and the unknown");
	ok(dom->nasn == 3 && dom->by_asn[0].asn == 64497 && dom->by_asn[0].messages == 200 &&
	    dom->by_asn[0].sources == 1, "by AS: the largest first");
	ok(dom->nasn == 3 && dom->by_asn[1].asn == 64496 && dom->by_asn[1].messages == 150 &&
	    dom->by_asn[1].sources == 2 && dom->by_asn[1].dmarc_pass == 140 &&
	    dom->by_asn[1].spf_aligned == 140 && dom->by_asn[1].dkim_aligned == 0,
	    "by AS: an AS's sources summed");
	ok(dom->nasn == 3 && dom->by_asn[1].name && strcmp(dom->by_asn[1].name, "Alpha") == 0,
	    "by AS: the name any of its sources knows");
	ok(dom->nasn == 3 && dom->by_asn[2].asn == 0 && dom->by_asn[2].name == NULL &&
	    dom->by_asn[2].messages == 11, "by AS: the unknown ones together");
	is_int((int)dom->ncountry, 3, "by country: two and the unknown (NULL and \"\")");
	ok(dom->ncountry == 3 && strcmp(dom->by_country[0].name, "FR") == 0 &&
	    strcmp(dom->by_country[1].name, "DE") == 0 && dom->by_country[1].messages == 150 &&
	    dom->by_country[2].name == NULL && dom->by_country[2].sources == 2,
	    "by country: most messages first, the unknown ones together");
	dash_group_label(&b, &dom->by_asn[1], 1);
	is_str(b.data, "AS64496 Alpha", "label: AS number and name");
	dash_group_label(&b, &dom->by_asn[2], 1);
	is_str(b.data, "unknown", "label: unknown AS");
	dash_group_label(&b, &dom->by_country[0], 0);
	is_str(b.data, "FR", "label: a country");
	buf_reset(&b);
	dash_html_domain(&b, d, 0);
	is_int(count(b.data, "<table class=\"by-asn\">"), 1, "domain page: the table by AS");
	is_int(count(b.data, "<table class=\"by-country\">"), 1, "domain page: the table by country");
	is_int(count(b.data, "class=\"passbar\""), 6, "domain page: a bar per AS and per country");
	ok(strstr(b.data, "<td>AS64496 Alpha</td><td class=\"n\">2</td><td class=\"n\">150</td>")
	    != NULL, "domain page: an AS's row: sources and messages");
	buf_free(&b);
	dash_free(d);
}

/* test_text_sources - the summary names failing sources with rDNS, AS and
 * country, control bytes of peer text escaped */
static void
test_text_sources(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *dom = one_day(d, "example.com", 90, 10);
	struct dash_source s = { "192.0.2.7", "mx\x1b[31m.example", 64496, "Example\nNet", "DE",
	    100, 90, 90, 90, 1 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	dash_source_add(dom, &s);
	dash_sort(d);
	dash_text(d, fp);
	fclose(fp);
	ok(strstr(text, "! 192.0.2.7 mx\\x1b[31m.example failing 10 of 100 AS64496"
	    " Example\\x0aNet [DE]\n") != NULL, "summary: the failing source's rDNS, AS and country");
	free(text);
	dash_free(d);
}

/* test_pages - peer text escaped everywhere; a card per domain */
static void
test_pages(void)
{
	struct dash_data *d = hostile();
	struct buf b = BUF_INIT;

	dash_html_page_name(&b, d, 0);
	is_str(b.data, "domain-1-ex_.._a_b_.com.html", "page names keep only [a-z0-9.-]");
	buf_reset(&b);
	dash_html_domain(&b, d, 0);
	ok(strstr(b.data, "&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt;") != NULL,
	    "domain page: the org name shown escaped");
	ok(strstr(b.data, "&quot;&gt;&lt;img src=x") != NULL, "domain page: the rDNS name escaped");
	ok(strstr(b.data, "(unconfirmed)") != NULL, "domain page: an rDNS name not confirmed says so");
	ok(strstr(b.data, "<td>AS64496 &lt;b&gt;AS&lt;/b&gt;</td>") != NULL,
	    "domain page: the AS name escaped in the table by AS");
	ok(strstr(b.data, "<title>AS64496 &lt;b&gt;AS&lt;/b&gt;: 100 messages") != NULL,
	    "domain page: and in its chart");
	is_int(count(b.data, "<td>&lt;i&gt;</td>"), 3,
	    "domain page: the country escaped (sources, failing sources, by country)");
	is_int(count(b.data, "<script"), 0, "domain page: no <script");
	is_int(count(b.data, "<img"), 0, "domain page: no <img");
	is_int(count(b.data, "<b>") + count(b.data, "<i>"), 0, "domain page: no peer tag");
	ok(strstr(b.data, "<td class=\"no\">no</td><td class=\"yes\">yes</td>") != NULL,
	    "domain page: SPF not aligned, DKIM aligned");
	buf_reset(&b);
	dash_html_failures(&b, d);
	ok(strstr(b.data, "&lt;script&gt;r&lt;/script&gt;") != NULL, "failures: reporter escaped");
	is_int(count(b.data, "<script") + count(b.data, "<ip>") + count(b.data, "<auth>"), 0,
	    "failures: no peer tag");
	buf_reset(&b);
	dash_html_index(&b, d);
	is_int(count(b.data, "<section class=\"card "), 2, "index: one card per domain");
	is_int(count(b.data, "data-verdict=\"notready\""), 1, "index: one domain not ready");
	is_int(count(b.data, "data-verdict=\"ready\""), 1, "index: one domain ready");
	is_int(count(b.data, "<path class=\"line"), 2, "index: one chart line per domain");
	is_int(count(b.data, "<script") + count(b.data, "http://") + count(b.data, "https://"),
	    1, "index: no script, no absolute URL but the SVG namespace");
	buf_free(&b);
	dash_free(d);
}

/* test_write - the files written; an outdir that cannot be made */
static void
test_write(void)
{
	struct dash_data *d = hostile();
	struct buf err = BUF_INIT, path = BUF_INIT;
	char dir[] = "/tmp/test_dash.XXXXXX";
	struct stat st;
	FILE *fp;
	char *text = NULL;
	size_t len = 0;

	if (mkdtemp(dir) == NULL)
		abort();
	buf_printf(&path, "%s/site", dir);
	dash_sort(d);
	is_int(dash_write(d, path.data, &err), 0, "dash_write into a new folder");
	buf_printf(&path, "/index.html");
	ok(stat(path.data, &st) == 0 && st.st_size > 0, "index.html written");
	buf_reset(&path);
	buf_printf(&path, "%s/site/index.html/x", dir);
	is_int(dash_write(d, path.data, &err), -1, "an outdir under a file fails");
	ok(err.len > 0, "... with a reason: %s", err.data ? err.data : "");
	fp = open_memstream(&text, &len);
	dash_text(d, fp);
	fclose(fp);
	ok(strstr(text, "Ex/../a<b>.com  pass 50.0%  messages 100  p=reject: not ready\n") != NULL,
	    "summary: the domain's line");
	ok(strstr(text, "  ! 192.0.2.9 \"><img src=x onerror=alert(1)> failing 50 of 100"
	    " AS64496 <b>AS</b> [<i>]\n") != NULL, "summary: the failing source, flagged, with its AS");
	ok(strstr(text, "ok.example  pass 100.0%  messages 100  p=reject: ready\n") != NULL,
	    "summary: the ready domain");
	free(text);
	buf_reset(&path);
	buf_printf(&path, "rm -rf '%s'", dir);
	if (system(path.data) != 0)
		diag("could not remove %s", dir);
	buf_free(&path);
	buf_free(&err);
	dash_free(d);
}

int
main(void)
{
	test_rate_edges();
	test_source_edges();
	test_window();
	test_totals();
	test_text();
	test_svg();
	test_pages();
	test_groups();
	test_text_sources();
	test_write();
	return tap_done();
}
