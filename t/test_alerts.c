/*
 * test_alerts.c - the alert rules over aggregated numbers, the decision to
 * mail again, the lines, JSON and mail text (report/alerts.c), and the
 * plain-text message and its checks (report_mail_text); the command over
 * SQLite and PostgreSQL is t/alerts.sh
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "report_mail.h"
#include "strlist.h"
#include "tap.h"

#define NOW	((time_t)1793520000)	/* 2026-11-01 08:00 UTC */
#define DAY	86400
#define TODAY	(NOW - 8 * 3600)

/* the defaults of authmilter.conf(5) */
static const struct alert_rules defaults = { 2, 30, 10, 90, 7, 100, 100, 1, 7 };

/* src - a source of dom: messages, of which pass passed DMARC */
static void
src(struct dash_domain *dom, const char *ip, unsigned long messages, unsigned long pass)
{
	struct dash_source s;

	memset(&s, 0, sizeof(s));
	s.ip = (char *)ip;
	s.messages = messages;
	s.dmarc_pass = pass;
	dash_source_add(dom, &s);
}

/* subjects - the alerts' subjects joined with spaces, in a static buffer */
static const char *
subjects(const struct alert_list *l)
{
	static char out[512];
	size_t i;

	out[0] = '\0';
	for (i = 0; i < l->n; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? " " : "",
		    l->v[i].subject);
	return out;
}

/* test_spans - window, lookback and period from now */
static void
test_spans(void)
{
	struct alert_spans sp;

	alerts_spans(&defaults, NOW, &sp);
	is_int(sp.win_from, TODAY - 2 * DAY, "window: today and the 2 days before");
	is_int(sp.lb_from, TODAY - 32 * DAY, "lookback: the 30 days before the window");
	is_int(sp.pass_from, TODAY - 7 * DAY, "pass rate: today and the 7 days before");
	alerts_spans(&defaults, TODAY, &sp);
	is_int(sp.win_from, TODAY - 2 * DAY, "at 00:00 UTC: the same days");
	alerts_spans(&defaults, TODAY - 1, &sp);
	is_int(sp.win_from, TODAY - 3 * DAY, "a second before: the day before's");
}

/* test_new_sources - the threshold's edge, seen sources, passing mail,
 * escaping, off */
static void
test_new_sources(void)
{
	struct dash_data *w = dash_new(), *b = dash_new();
	struct dash_domain *win = dash_domain_add(w, "example.com");
	struct dash_domain *lb = dash_domain_add(b, "example.com");
	struct alert_list l = { NULL, 0, 0 };
	struct alert_rules r = defaults;
	struct alert_spans sp;

	alerts_spans(&r, NOW, &sp);
	src(win, "192.0.2.10", 10, 0);		/* new, exactly 10 failing: fires */
	src(win, "192.0.2.9", 9, 0);		/* new, 9 failing: below */
	src(win, "192.0.2.20", 200, 195);	/* new, 5 failing: below */
	src(win, "198.51.100.1", 500, 0);	/* seen in the lookback */
	src(win, "ev\"il\nip", 12, 1);		/* new, 11 failing, hostile text */
	src(lb, "203.0.113.5", 1, 1);
	src(lb, "198.51.100.1", 1, 0);
	alerts_new_sources(&r, &sp, win, lb, &l);
	is_str(subjects(&l), "192.0.2.10 ev\"il\nip", "new-source: 10 failing fires, 9 and seen do not");
	is_int(l.v[0].value, 10, "failing messages kept");
	is_str(l.v[0].text, "example.com: new source 192.0.2.10 sent 10 messages failing DMARC"
	    " (of 10) since 2026-10-30; none in the 30 days before", "new-source text");
	ok(strstr(l.v[1].text, "\"ev\\\"il\\x0aip\" sent 11") != NULL,
	    "a hostile source IP is quoted and escaped: %s", l.v[1].text);
	alerts_free(&l);
	r.new_source = 0;
	alerts_new_sources(&r, &sp, win, lb, &l);
	is_int(l.n, 0, "AlertNewSourceMessages 0: off");
	dash_free(w);
	dash_free(b);
}

/* day - counts of one UTC day (offset days before NOW's day) of dom */
static void
day(struct dash_domain *dom, int before, unsigned long pass, unsigned long fail)
{
	struct dash_day c;

	memset(&c, 0, sizeof(c));
	c.pass = pass;
	c.fail = fail;
	dash_day_add(dom, NOW - NOW % DAY - (time_t)before * DAY, &c);
}

/* test_pass_rate - the percentage's edge, the period's days, the volume */
static void
test_pass_rate(void)
{
	struct dash_data *d = dash_new();
	struct dash_domain *at = dash_domain_add(d, "at.example");
	struct dash_domain *under = dash_domain_add(d, "under.example");
	struct dash_domain *few = dash_domain_add(d, "few.example");
	struct alert_list l = { NULL, 0, 0 };
	struct alert_spans sp;
	struct alert_rules r = defaults;

	alerts_spans(&r, NOW, &sp);
	day(at, 1, 90, 10);		/* 90.0%: not below */
	day(at, 30, 0, 1000);		/* outside the period */
	day(under, 7, 899, 101);	/* 89.9%, the period's first day */
	day(under, 8, 0, 5000);		/* before it */
	day(few, 1, 0, 99);		/* 0% of 99: too few */
	alerts_pass_rate(&r, &sp, at, &l);
	alerts_pass_rate(&r, &sp, under, &l);
	alerts_pass_rate(&r, &sp, few, &l);
	is_int(l.n, 1, "pass-rate: one domain below 90%% with enough mail");
	is_str(l.n ? l.v[0].domain : NULL, "under.example", "the one under 90%%");
	is_str(l.n ? l.v[0].text : NULL, "under.example: 89.9% of 1000 messages passed DMARC"
	    " since 2026-10-25 (alert below 90%)", "pass-rate text");
	alerts_free(&l);
	r.pass_min = 99;
	alerts_pass_rate(&r, &sp, few, &l);
	is_int(l.n, 1, "99 messages are enough with AlertPassRateMinMessages 99");
	alerts_free(&l);
	r.pass_rate = 0;
	alerts_pass_rate(&r, &sp, under, &l);
	is_int(l.n, 0, "AlertPassRateBelow 0: off");
	dash_free(d);
}

/* test_reporters - usual (more than half the days, enough mail) and absent
 * from the window */
static void
test_reporters(void)
{
	struct dash_data *w = dash_new();
	struct dash_domain *win = dash_domain_add(w, "example.com");
	struct dash_org active = { (char *)"Active", 2, 500, NOW };
	struct alert_org lb[] = {
		{ "Big \"Receiver\"", 16, 1000 },	/* 16 of 30 days: usual, silent */
		{ "Half", 15, 1000 },			/* 15 of 30: not more than half */
		{ "Small", 30, 99 },			/* under 100 messages */
		{ "Active", 30, 5000 },			/* reported in the window */
	};
	struct alert_list l = { NULL, 0, 0 };
	struct alert_spans sp;
	struct alert_rules r = defaults;

	alerts_spans(&r, NOW, &sp);
	dash_org_add(win, &active);
	alerts_reporters(&r, &sp, win, lb, 4, &l);
	is_str(subjects(&l), "Big \"Receiver\"", "reporter-stopped: the usual, silent one only");
	is_str(l.n ? l.v[0].text : NULL, "example.com: \"Big \\\"Receiver\\\"\" sent no report"
	    " since 2026-10-30; its reports covered 1000 messages on 16 of the 30 days before",
	    "reporter-stopped text, the name quoted");
	alerts_free(&l);
	r.reporter_min = 0;
	alerts_reporters(&r, &sp, win, lb, 4, &l);
	is_int(l.n, 0, "AlertReporterMinMessages 0: off");
	dash_free(w);
}

/* test_ingest - count against the threshold; the newest id is the subject */
static void
test_ingest(void)
{
	struct alert_ingest ie = { 2, 42, "bad\x01thing", "/var/mail/x", NOW - 3600 };
	struct alert_list l = { NULL, 0, 0 };
	struct alert_rules r = defaults;
	struct alert_spans sp;

	alerts_spans(&r, NOW, &sp);
	alerts_ingest(&r, &sp, &ie, &l);
	is_str(subjects(&l), "42", "ingest-errors: the newest refusal's id");
	is_str(l.n ? l.v[0].text : NULL, "2 inputs refused by ingest since 2026-10-30; newest at"
	    " 2026-11-01 07:00 UTC from /var/mail/x: \"bad\\x01thing\"", "ingest-errors text");
	alerts_free(&l);
	r.ingest_errors = 3;
	alerts_ingest(&r, &sp, &ie, &l);
	is_int(l.n, 0, "2 refusals under AlertIngestErrors 3");
	r.ingest_errors = 0;
	ie.count = 100;
	alerts_ingest(&r, &sp, &ie, &l);
	is_int(l.n, 0, "AlertIngestErrors 0: off");
}

/* three - a list of three ingest alerts 1, 2, 3 */
static void
three(struct alert_list *l)
{
	struct alert_ingest ie = { 1, 1, "r", "s", NOW };
	struct alert_spans sp;
	long long id;

	alerts_spans(&defaults, NOW, &sp);
	for (id = 1; id <= 3; id++) {
		ie.newest_id = id;
		alerts_ingest(&defaults, &sp, &ie, l);
	}
}

/* test_decide - new, again at exactly the interval, mailed a second
 * before it, every run with AlertRenotify 0; lookup by key */
static void
test_decide(void)
{
	struct alert_list l = { NULL, 0, 0 };
	struct alert_rules r = defaults;
	struct alert *a;

	three(&l);
	ok(alerts_find(&l, ALERT_INGEST_ERRORS, "", "2") == &l.v[1], "alerts_find by key");
	ok(alerts_find(&l, ALERT_PASS_RATE, "", "2") == NULL, "alerts_find: another rule");
	is_int(alerts_rule_find("reporter-stopped"), ALERT_REPORTER_STOPPED, "rule word found");
	is_int(alerts_rule_find("nope"), -1, "unknown rule word");
	l.v[1].last_sent = NOW - 7 * DAY;
	l.v[2].last_sent = NOW - 7 * DAY + 1;
	is_int(alerts_decide(&l, &r, NOW), 2, "two due");
	ok(l.v[0].status == ALERT_NEW && l.v[1].status == ALERT_AGAIN &&
	    l.v[2].status == ALERT_SENT, "new / again at 7 days / mailed 1 s later");
	r.renotify = 0;
	is_int(alerts_decide(&l, &r, NOW), 3, "AlertRenotify 0: every run");
	r.renotify = 7;
	alerts_decide(&l, &r, NOW);
	a = &l.v[2];
	{
		struct buf b = BUF_INIT;

		buf_init(&b);
		alerts_line(a, &b);
		is_str(b.data, "ingest-errors: 1 input refused by ingest since 2026-10-30; newest at"
		    " 2026-11-01 08:00 UTC from s: r [mailed 2026-10-25 08:00 UTC]", "line");
		buf_reset(&b);
		alerts_json(&l.v[0], &b);
		is_str(b.data, "{\"rule\":\"ingest-errors\",\"domain\":\"\",\"subject\":\"1\",\"value\":1,"
		    "\"total\":1,\"status\":\"new\",\"last_sent\":null,\"text\":\"1 input refused by"
		    " ingest since 2026-10-30; newest at 2026-11-01 08:00 UTC from s: r\"}", "JSON");
		buf_free(&b);
	}
	alerts_free(&l);
}

/* test_body_and_mail - the body lists due alerts, then those mailed
 * before; ASCII; long lines cut; the message's header */
static void
test_body_and_mail(void)
{
	struct alert_list l = { NULL, 0, 0 };
	struct alert_spans sp;
	struct strlist to = { 0, NULL };
	struct buf body = BUF_INIT, msg = BUF_INIT;
	struct report_mail_text m;
	char *longtext = xmalloc(2001);
	const char *nl, *p;
	size_t maxline = 0;

	three(&l);
	memset(longtext, 'x', 2000);
	longtext[2000] = '\0';
	free(l.v[0].text);
	l.v[0].text = longtext;
	l.v[2].last_sent = NOW - DAY;
	alerts_spans(&defaults, NOW, &sp);
	alerts_decide(&l, &defaults, NOW);
	buf_init(&body);
	alerts_body(&l, &sp, &defaults, &body);
	p = strstr(body.data, "Still firing");
	ok(p != NULL && strstr(body.data, "from s: r\n") < p && strstr(p, "(mailed 2026-10-31"),
	    "due alerts first, the mailed one under \"Still firing\"");
	for (p = body.data; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		maxline = (size_t)(nl - p) > maxline ? (size_t)(nl - p) : maxline;
	ok(maxline <= 902, "no body line over 902 bytes (%zu)", maxline);
	strlist_add(&to, "a@example.org");
	strlist_add(&to, "b@example.org");
	m = (struct report_mail_text){ "Alerts <alerts@example.org>", &to, "DMARC alerts",
	    "alerts.1", "example.org", body.data, NOW };
	buf_init(&msg);
	is_int(report_mail_text(&m, &msg), 0, "message composed");
	ok(strncmp(msg.data, "From: Alerts <alerts@example.org>\nTo: <a@example.org>,\n"
	    "    <b@example.org>\nSubject: DMARC alerts\nDate: Sun, 01 Nov 2026 08:00:00 +0000\n"
	    "Message-ID: <alerts.1@example.org>\nAuto-Submitted: auto-generated\n", 200) == 0,
	    "header: From, both recipients, Subject, Date, Message-ID, Auto-Submitted");
	ok(strstr(msg.data, "Content-Type: text/plain; charset=us-ascii\n") != NULL, "plain ASCII text");
	buf_reset(&msg);
	m.body = "caf\xc3\xa9\n";
	is_int(report_mail_text(&m, &msg), -1, "a body byte outside ASCII is refused");
	m.body = "ok\n";
	m.subject = "two\r\nBcc: x@example.net";
	is_int(report_mail_text(&m, &msg), -1, "a CR LF in the Subject is refused");
	m.subject = "s";
	strlist_add(&to, "c@example.org -oQ/tmp");
	is_int(report_mail_text(&m, &msg), -1, "a recipient that is not an address is refused");
	strlist_free(&to);
	buf_free(&msg);
	buf_free(&body);
	alerts_free(&l);
}

int
main(void)
{
	test_spans();
	test_new_sources();
	test_pass_rate();
	test_reporters();
	test_ingest();
	test_decide();
	test_body_and_mail();
	return tap_done();
}
