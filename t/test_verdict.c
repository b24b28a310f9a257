/*
 * test_verdict.c - lib/verdict.c: the verdict a message's evaluation
 * ends in: action and SMTP reply (texts cleaned and bounded), quarantine,
 * header additions and removals, DKIM entries, and the offline runner's
 * JSON form (golden values).  The pipeline that fills a verdict is
 * test_msg's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "tap.h"
#include "verdict.h"

/* json - verdict_json into a static buffer */
static const char *
json(const struct verdict *v)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b);
	verdict_json(v, &b);
	return b.data;
}

/* test_empty - a fresh verdict accepts and does nothing */
static void
test_empty(void)
{
	struct verdict v;

	verdict_init(&v);
	is_int(v.action, VERDICT_ACCEPT, "init: accept");
	ok(v.smtp_code == NULL && v.nadd == 0 && v.nrm == 0 && v.hist == NULL && v.log == NULL,
	    "init: no reply, no header edit, no record, no log line");
	is_str(json(&v), "{\"action\": \"accept\", \"reply\": null, \"quarantine_reason\": null, "
	    "\"add_headers\": [], \"remove_headers\": [], \"results\": {\"role\": null, "
	    "\"spf\": null, \"spf_domain\": null, \"spf_helo\": null, \"dkim\": [], "
	    "\"dmarc\": null, \"header_from\": null, \"policy\": null, \"disposition\": null, "
	    "\"reason\": null}, \"log\": null}\n", "init: JSON with nulls and empty lists");
	verdict_free(&v);
}

/* test_reply - reject and tempfail replies, cleaned and cut */
static void
test_reply(void)
{
	struct verdict v;
	struct buf b = BUF_INIT;
	char longtext[VERDICT_TEXT_MAX + 100];

	verdict_init(&v);
	verdict_set_reply(&v, VERDICT_REJECT, "550", "5.7.1", "bad \r\nFrom: x\x01\xc3\xa9 100%");
	is_int(v.action, VERDICT_REJECT, "reply: reject");
	is_str(v.smtp_code, "550", "reply: code");
	is_str(v.smtp_xcode, "5.7.1", "reply: enhanced code");
	is_str(v.smtp_text, "bad ??From: x??? 100%", "reply: CR, LF, control and 8-bit bytes become '?'");
	buf_init(&b);
	verdict_milter_text(v.smtp_text, &b);
	is_str(b.data, "bad ??From: x??? 100%%", "milter text: '%%' doubled");
	buf_free(&b);
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	verdict_set_reply(&v, VERDICT_TEMPFAIL, "451", "4.7.5", longtext);
	is_int(v.action, VERDICT_TEMPFAIL, "reply: a second reply replaces the first");
	is_int(strlen(v.smtp_text), VERDICT_TEXT_MAX, "reply: cut at VERDICT_TEXT_MAX");
	verdict_set_quarantine(&v, "held\n");
	is_int(v.action, VERDICT_QUARANTINE, "quarantine: action");
	is_str(v.quarantine_reason, "held?", "quarantine: reason cleaned");
	verdict_free(&v);
	is_int(v.action, VERDICT_ACCEPT, "free: the verdict is an accept again");
	ok(v.smtp_text == NULL && v.quarantine_reason == NULL, "free: no text left");
}

/* test_strings - verdict_set and the action words */
static void
test_strings(void)
{
	static const char *const want[] = { "accept", "reject", "tempfail", "quarantine", "discard" };
	char *f = NULL;
	size_t k;

	verdict_set(&f, "one");
	verdict_set(&f, "two");
	is_str(f, "two", "verdict_set: replaces (the old copy freed: sanitizer build)");
	verdict_set(&f, NULL);
	ok(f == NULL, "verdict_set: NULL clears");
	for (k = 0; k < sizeof(want) / sizeof(want[0]); k++)
		is_str(verdict_action_str((enum verdict_action)k), want[k], "action word %zu", k);
}

/* test_json - every field of a full verdict, escaped */
static void
test_json(void)
{
	struct verdict v;
	struct verdict_dkim *d;

	verdict_init(&v);
	verdict_set_reply(&v, VERDICT_REJECT, "550", "5.7.1", "rejected \"a.example\"");
	verdict_add_header(&v, "Authentication-Results", " mx;\r\n\tdmarc=fail");
	verdict_add_header(&v, "Received-SPF", " none");
	verdict_remove_header(&v, "Authentication-Results", 2);
	verdict_set(&v.res.role, "verify");
	verdict_set(&v.res.spf, "pass");
	verdict_set(&v.res.spf_domain, "a.example");
	verdict_set(&v.res.spf_helo, "none");
	d = verdict_add_dkim(&v);
	verdict_set(&d->domain, "a.example");
	verdict_set(&d->selector, "s\\1");
	verdict_set(&d->result, "fail");
	verdict_set(&d->algorithm, "rsa-sha256");
	d->bits = 2048;
	d = verdict_add_dkim(&v);
	ok(d->domain == NULL && d->bits == 0 && !d->testing, "add_dkim: a zeroed entry");
	d->testing = 1;
	verdict_set(&v.res.dmarc, "fail");
	verdict_set(&v.res.dmarc_from, "a.example");
	verdict_set(&v.res.policy, "reject");
	verdict_set(&v.res.disposition, "reject");
	verdict_set(&v.res.reason, "policy");
	verdict_set(&v.log, "TEST: client=\x01");
	is_int(v.nadd, 2, "two headers to add, in order");
	ok(v.nrm == 1 && v.rm[0].index == 2, "one header to remove, by index");
	is_str(json(&v), "{\"action\": \"reject\", "
	    "\"reply\": \"550 5.7.1 rejected \\\"a.example\\\"\", \"quarantine_reason\": null, "
	    "\"add_headers\": [{\"name\": \"Authentication-Results\", "
	    "\"value\": \" mx;\\r\\n\\tdmarc=fail\"}, {\"name\": \"Received-SPF\", \"value\": \" none\"}], "
	    "\"remove_headers\": [{\"name\": \"Authentication-Results\", \"index\": 2}], "
	    "\"results\": {\"role\": \"verify\", \"spf\": \"pass\", \"spf_domain\": \"a.example\", "
	    "\"spf_helo\": \"none\", \"dkim\": [{\"domain\": \"a.example\", \"selector\": \"s\\\\1\", "
	    "\"result\": \"fail\", \"reason\": null, \"algorithm\": \"rsa-sha256\", \"bits\": 2048, "
	    "\"testing\": false}, {\"domain\": null, \"selector\": null, \"result\": null, "
	    "\"reason\": null, \"algorithm\": null, \"bits\": 0, \"testing\": true}], "
	    "\"dmarc\": \"fail\", \"header_from\": \"a.example\", \"policy\": \"reject\", "
	    "\"disposition\": \"reject\", \"reason\": \"policy\"}, "
	    "\"log\": \"TEST: client=\\u0001\"}\n", "JSON: every field, strings escaped");
	verdict_free(&v);
	ok(v.nadd == 0 && v.nrm == 0 && v.res.ndkim == 0 && v.res.dmarc == NULL, "free: all gone");
}

int
main(void)
{
	test_empty();
	test_reply();
	test_strings();
	test_json();
	return tap_done();
}
