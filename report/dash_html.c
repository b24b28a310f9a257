/*
 * dash_html.c - the dashboard's pages: index.html (a card per domain and
 * the pass rate of every domain over time), a page per domain, and
 * failures.html; and the one style sheet they share
 *
 * Pages are plain HTML5 with inline SVG charts (dash_svg.c): no script,
 * no font or image to fetch, relative links only, so the site works from
 * a file:// URL and behind any web server.  Every string that can come
 * from a report (domain, org, rDNS, ASN name, reporter, auth results) is
 * escaped by dash_html_escape, and a Content-Security-Policy forbids
 * scripts outright should one ever slip through.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dash_html.h"
#include "dash_svg.h"

/* the rows shown of the longer tables */
#define TOP_SOURCES 50
#define TOP_ORGS 50
#define TOP_GROUP_BARS 10
#define MAX_FAILURES 500

/* dash_html_css - see dash_html.h */
void
dash_html_css(struct buf *out)
{
	buf_adds(out,
	    "body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}\n"
	    "header{background:#24364b;padding:.6em 1.5em}\n"
	    "header a{color:#fff;margin-right:1.5em;text-decoration:none;font-weight:600}\n"
	    "main{padding:1em 1.5em;max-width:1100px}\n"
	    "h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\n"
	    ".cards{display:flex;flex-wrap:wrap;gap:1em}\n"
	    ".card{background:#fff;border-radius:6px;padding:1em 1.2em;min-width:230px;"
	    "box-shadow:0 1px 3px rgba(0,0,0,.15);border-top:5px solid #999}\n"
	    ".card h2{margin:0 0 .5em 0}.card .rate{font-size:2em;font-weight:700}\n"
	    ".ready{border-color:#2e8b57}.notready{border-color:#c0392b}.nodata{border-color:#999}\n"
	    ".verdict{font-weight:700}.ready .verdict,.verdict.ready{color:#2e8b57}\n"
	    ".notready .verdict,.verdict.notready{color:#c0392b}\n"
	    "table{border-collapse:collapse;background:#fff;font-size:.9em}\n"
	    "th,td{padding:.3em .6em;border-bottom:1px solid #ddd;text-align:left}\n"
	    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	    "td.no{color:#c0392b}td.yes{color:#2e8b57}\n"
	    "svg.chart{width:100%;max-width:900px;background:#fff;border-radius:6px}\n"
	    ".plot{fill:none;stroke:#bbb}.grid{stroke:#e4e4e4}\n"
	    ".axis{font-size:11px;fill:#555}.end{text-anchor:end}\n"
	    ".line{fill:none;stroke-width:2}\n"
	    ".s0{stroke:#1f77b4;fill:#1f77b4;color:#1f77b4}.s1{stroke:#ff7f0e;fill:#ff7f0e;color:#ff7f0e}\n"
	    ".s2{stroke:#2ca02c;fill:#2ca02c;color:#2ca02c}.s3{stroke:#9467bd;fill:#9467bd;color:#9467bd}\n"
	    ".s4{stroke:#8c564b;fill:#8c564b;color:#8c564b}.s5{stroke:#e377c2;fill:#e377c2;color:#e377c2}\n"
	    ".card h2 a{color:inherit}\n"
	    "path.line{fill:none}\n"
	    ".none{fill:#4c8fd6;background:#4c8fd6}.quar{fill:#f0ad4e;background:#f0ad4e}"
	    ".rej{fill:#c0392b;background:#c0392b}\n"
	    ".legend .key{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 .8em;"
	    "vertical-align:middle}\n"
	    ".legend .key.s0,.legend .key.s1,.legend .key.s2,.legend .key.s3,.legend .key.s4,"
	    ".legend .key.s5{border-top:3px solid;height:0}\n"
	    ".passbar{fill:#2e8b57}.failbar{fill:#e8a0a0}.unconf{color:#777;font-size:.85em}\n"
	    "footer{color:#777;font-size:.8em;padding:1em 1.5em}\n");
}

/* head - the page's opening up to <main>; title is peer text */
static void
head(struct buf *out, const char *title)
{
	buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'self'\">\n<meta name=\"viewport\" content=\"width=device-width\">\n<title>");
	dash_html_escape(out, title);
	buf_adds(out, " - DMARC reports</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n"
	    "</head>\n<body>\n<header><nav><a href=\"index.html\">Overview</a>"
	    "<a href=\"failures.html\">Failure reports</a></nav></header>\n<main>\n<h1>");
	dash_html_escape(out, title);
	buf_adds(out, "</h1>\n");
}

/* foot - the page's closing */
static void
foot(struct buf *out, const struct dash_data *d)
{
	buf_adds(out, "</main>\n<footer>authmilter-report dashboard");
	if (d->generated) {
		buf_adds(out, ", generated ");
		dash_svg_date(out, d->generated);
	}
	buf_adds(out, "</footer>\n</body>\n</html>\n");
}

/* verdict_class - the CSS class of a verdict */
static const char *
verdict_class(enum dash_ready r)
{
	return r == DASH_READY ? "ready" : r == DASH_NOT_READY ? "notready" : "nodata";
}

/* dash_html_page_name - see dash_html.h */
void
dash_html_page_name(struct buf *out, const struct dash_data *d, size_t i)
{
	const char *p;

	buf_printf(out, "domain-%zu-", i + 1);
	for (p = d->dom[i].name; *p; p++) {
		char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;

		buf_addc(out, (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' ? c : '_');
	}
	buf_adds(out, ".html");
}

/* card - one domain's card of the overview */
static void
card(struct buf *out, const struct dash_data *d, size_t i)
{
	struct dash_verdict v;

	dash_verdict(&d->dom[i], &v);
	buf_printf(out, "<section class=\"card %s\" data-verdict=\"%s\">\n<h2><a href=\"",
	    verdict_class(v.ready), verdict_class(v.ready));
	dash_html_page_name(out, d, i);
	buf_adds(out, "\">");
	dash_html_escape(out, d->dom[i].name);
	buf_adds(out, "</a></h2>\n<div class=\"rate\">");
	dash_rate_text(out, v.pass, v.total);
	buf_printf(out, "</div>\n<div>DMARC pass, %lu messages in %d days</div>\n"
	    "<div>p=reject: <span class=\"verdict\">%s</span>",
	    v.total, DASH_WINDOW_DAYS, dash_ready_word(v.ready));
	if (v.nsignificant)
		buf_printf(out, " (%zu failing source%s)", v.nsignificant, v.nsignificant > 1 ? "s" : "");
	buf_adds(out, "</div>\n</section>\n");
}

/* dash_html_index - see dash_html.h */
void
dash_html_index(struct buf *out, const struct dash_data *d)
{
	struct dash_svg_series *s = xcalloc(d->ndom + 1, sizeof(*s));
	time_t first = 0, last = 0, f, l;
	size_t i;
	int any = 0;

	head(out, "DMARC overview");
	buf_adds(out, "<div class=\"cards\">\n");
	for (i = 0; i < d->ndom; i++) {
		card(out, d, i);
		s[i].name = d->dom[i].name;
		s[i].days = d->dom[i].days;
		s[i].ndays = d->dom[i].ndays;
		if (dash_window(&d->dom[i], &f, &l) == 0 && (!any || l > last))
			last = l, first = f, any = 1;
	}
	buf_adds(out, "</div>\n");
	if (d->ndom == 0)
		buf_adds(out, "<p>No aggregate report stored yet.</p>\n");
	if (any) {
		buf_printf(out, "<h2>DMARC pass rate, last %d days</h2>\n", DASH_WINDOW_DAYS);
		dash_svg_rate_chart(out, s, d->ndom, first, last);
	}
	free(s);
	foot(out, d);
}

/* align_cell - a table cell for n of total aligned: yes, no, or a share */
static void
align_cell(struct buf *out, unsigned long n, unsigned long total)
{
	if (n >= total)
		buf_adds(out, "<td class=\"yes\">yes</td>");
	else if (n == 0)
		buf_adds(out, "<td class=\"no\">no</td>");
	else {
		buf_adds(out, "<td class=\"no\">");
		dash_rate_text(out, n, total);
		buf_adds(out, "</td>");
	}
}

/* text_cell - a <td> of peer text (NULL: "-") */
static void
text_cell(struct buf *out, const char *s)
{
	buf_adds(out, "<td>");
	dash_html_escape(out, s ? s : "-");
	buf_adds(out, "</td>");
}

/* rdns_cell - a source's reverse DNS name, marked when not confirmed by
 * its forward lookup (anyone can publish any PTR name for their addresses) */
static void
rdns_cell(struct buf *out, const struct dash_source *s)
{
	buf_adds(out, "<td>");
	dash_html_escape(out, s->rdns ? s->rdns : "-");
	if (s->rdns && !s->rdns_confirmed)
		buf_adds(out, " <span class=\"unconf\" title=\"its A/AAAA records do not name"
		    " this address\">(unconfirmed)</span>");
	buf_adds(out, "</td>");
}

/* as_cell - a source's AS number and organisation */
static void
as_cell(struct buf *out, const struct dash_source *s)
{
	if (s->asn)
		buf_printf(out, "<td>AS%lu ", s->asn);
	else
		buf_adds(out, "<td>");
	dash_html_escape(out, s->asn_name ? s->asn_name : (s->asn ? "" : "-"));
	buf_adds(out, "</td>");
}

/* source_row - one row of the top sources table */
static void
source_row(struct buf *out, const struct dash_source *s)
{
	buf_adds(out, "<tr>");
	text_cell(out, s->ip);
	rdns_cell(out, s);
	as_cell(out, s);
	text_cell(out, s->country);
	buf_printf(out, "<td class=\"n\">%lu</td>", s->messages);
	align_cell(out, s->spf_aligned, s->messages);
	align_cell(out, s->dkim_aligned, s->messages);
	buf_printf(out, "<td class=\"n\">%lu</td><td class=\"n\">", s->dmarc_pass);
	dash_rate_text(out, s->dmarc_pass, s->messages);
	buf_adds(out, "</td></tr>\n");
}

/* sources_table - the domain's top sources */
static void
sources_table(struct buf *out, const struct dash_domain *dom)
{
	size_t i;

	buf_printf(out, "<h2>Top sources (%zu)</h2>\n", dom->nsrc);
	buf_adds(out, "<table class=\"sources\">\n<tr><th>IP</th><th>reverse DNS</th><th>ASN</th>"
	    "<th>country</th><th>messages</th><th>SPF aligned</th><th>DKIM aligned</th>"
	    "<th>DMARC pass</th><th>pass rate</th></tr>\n");
	for (i = 0; i < dom->nsrc && i < TOP_SOURCES; i++)
		source_row(out, &dom->src[i]);
	buf_adds(out, "</table>\n");
	if (dom->nsrc > TOP_SOURCES)
		buf_printf(out, "<p>... and %zu more sources.</p>\n", dom->nsrc - TOP_SOURCES);
}

/* groups_table - the domain's sources by AS (by_asn) or by country: a
 * bar chart of the first ones, then the table */
static void
groups_table(struct buf *out, const struct dash_domain *dom, int by_asn)
{
	const struct dash_group *g = by_asn ? dom->by_asn : dom->by_country;
	size_t i, n = by_asn ? dom->nasn : dom->ncountry;
	struct buf label = BUF_INIT;

	buf_printf(out, "<h2>Sources by %s (%zu)</h2>\n", by_asn ? "autonomous system" : "country", n);
	if (n == 0)
		return;
	dash_svg_group_bars(out, g, n < TOP_GROUP_BARS ? n : TOP_GROUP_BARS, by_asn);
	buf_printf(out, "<table class=\"%s\">\n<tr><th>%s</th><th>sources</th><th>messages</th>"
	    "<th>SPF aligned</th><th>DKIM aligned</th><th>DMARC pass</th><th>pass rate</th></tr>\n",
	    by_asn ? "by-asn" : "by-country", by_asn ? "autonomous system" : "country");
	for (i = 0; i < n && i < TOP_SOURCES; i++) {
		dash_group_label(&label, &g[i], by_asn);
		buf_adds(out, "<tr>");
		text_cell(out, label.data);
		buf_printf(out, "<td class=\"n\">%zu</td><td class=\"n\">%lu</td>", g[i].sources,
		    g[i].messages);
		align_cell(out, g[i].spf_aligned, g[i].messages);
		align_cell(out, g[i].dkim_aligned, g[i].messages);
		buf_printf(out, "<td class=\"n\">%lu</td><td class=\"n\">", g[i].dmarc_pass);
		dash_rate_text(out, g[i].dmarc_pass, g[i].messages);
		buf_adds(out, "</td></tr>\n");
	}
	buf_adds(out, "</table>\n");
	buf_free(&label);
}

/* orgs_table - the domain's reporting organisations */
static void
orgs_table(struct buf *out, const struct dash_domain *dom)
{
	size_t i;

	buf_printf(out, "<h2>Reporting organisations (%zu)</h2>\n", dom->norgs);
	buf_adds(out, "<table class=\"orgs\">\n<tr><th>organisation</th><th>reports</th>"
	    "<th>messages</th><th>last report</th></tr>\n");
	for (i = 0; i < dom->norgs && i < TOP_ORGS; i++) {
		const struct dash_org *o = &dom->orgs[i];

		buf_adds(out, "<tr>");
		text_cell(out, o->name);
		buf_printf(out, "<td class=\"n\">%lu</td><td class=\"n\">%lu</td><td>",
		    o->reports, o->messages);
		dash_svg_date(out, o->last);
		buf_adds(out, "</td></tr>\n");
	}
	buf_adds(out, "</table>\n");
}

/* verdict_block - the verdict with its reasons and the failing sources */
static void
verdict_block(struct buf *out, const struct dash_domain *dom)
{
	struct dash_verdict v;
	size_t i;

	dash_verdict(dom, &v);
	buf_printf(out, "<h2>Ready for p=reject?</h2>\n<p class=\"verdict %s\" data-verdict=\"%s\">%s</p>\n",
	    verdict_class(v.ready), verdict_class(v.ready), dash_ready_word(v.ready));
	buf_printf(out, "<p>Last %d days: %lu of %lu messages pass DMARC (", DASH_WINDOW_DAYS,
	    v.pass, v.total);
	dash_rate_text(out, v.pass, v.total);
	buf_printf(out, "; 99%% needed). %zu source%s with failing mail, %lu failing messages; "
	    "%zu of them send over 0.1%% of the domain's mail with under 99%% passing.</p>\n",
	    v.nfailing_all, v.nfailing_all == 1 ? "" : "s", v.failing_msgs, v.nsignificant);
	if (v.nfailing == 0)
		return;
	buf_adds(out, "<table class=\"failing\">\n<tr><th>IP</th><th>reverse DNS</th>"
	    "<th>ASN</th><th>country</th><th>failing messages</th><th>of</th>"
	    "<th>blocks p=reject</th></tr>\n");
	for (i = 0; i < v.nfailing; i++) {
		buf_adds(out, "<tr>");
		text_cell(out, v.failing[i].src->ip);
		rdns_cell(out, v.failing[i].src);
		as_cell(out, v.failing[i].src);
		text_cell(out, v.failing[i].src->country);
		buf_printf(out, "<td class=\"n\">%lu</td><td class=\"n\">%lu</td>%s</tr>\n",
		    v.failing[i].failing, v.failing[i].src->messages,
		    v.failing[i].significant ? "<td class=\"no\">yes</td>" : "<td>no</td>");
	}
	buf_adds(out, "</table>\n");
}

/* dash_html_domain - see dash_html.h */
void
dash_html_domain(struct buf *out, const struct dash_data *d, size_t i)
{
	const struct dash_domain *dom = &d->dom[i];
	struct dash_svg_series s = { dom->name, dom->days, dom->ndays };
	time_t first, last;

	head(out, dom->name);
	verdict_block(out, dom);
	if (dash_window(dom, &first, &last) == 0) {
		buf_adds(out, "<h2>DMARC pass rate per day</h2>\n");
		dash_svg_rate_chart(out, &s, 1, first, last);
		buf_adds(out, "<h2>Messages per day by disposition</h2>\n");
		dash_svg_volume_chart(out, dom->days, dom->ndays, first, last);
	}
	sources_table(out, dom);
	groups_table(out, dom, 1);
	groups_table(out, dom, 0);
	orgs_table(out, dom);
	foot(out, d);
}

/* dash_html_failures - see dash_html.h */
void
dash_html_failures(struct buf *out, const struct dash_data *d)
{
	size_t i;

	head(out, "Failure reports");
	buf_printf(out, "<p>%zu failure report%s%s.</p>\n", d->nfail, d->nfail == 1 ? "" : "s",
	    d->nfail > MAX_FAILURES ? ", the newest shown" : "");
	buf_adds(out, "<table class=\"failures\">\n<tr><th>arrival</th><th>reporter</th>"
	    "<th>source IP</th><th>From domain</th><th>authentication results</th></tr>\n");
	for (i = 0; i < d->nfail && i < MAX_FAILURES; i++) {
		const struct dash_failure *f = &d->fail[i];

		buf_adds(out, "<tr><td>");
		dash_svg_date(out, f->arrival);
		buf_adds(out, "</td>");
		text_cell(out, f->reporter);
		text_cell(out, f->source_ip);
		text_cell(out, f->from_domain);
		text_cell(out, f->auth_results);
		buf_adds(out, "</tr>\n");
	}
	buf_adds(out, "</table>\n");
	foot(out, d);
}
