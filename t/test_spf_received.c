/*
 * test_spf_received.c - covers lib/spf_received.c: the Received-SPF header
 * value (RFC 7208 §9.1) of an SPF outcome, written from hand-made outcomes.
 * Pure: no DNS.  Outcomes as the evaluation words them, through the header,
 * are test_spf (spf.sh).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "spf.h"
#include "spf_received.h"
#include "tap.h"

/* {label, outcome: result, reason, identity, sender; header arguments:
 * client-ip, helo, envelope-from, receiver; the value wanted} */
static const struct {
	const char *label, *result, *reason, *identity, *sender;
	const char *ip, *helo, *from, *receiver, *want;
} cases[] = {
	{ "pass with a receiver", "pass", "domain of a@b.example designates 192.0.2.1",
	  "mailfrom", "a@b.example", "192.0.2.1", "mx.example", "a@b.example", "mx.test",
	  "pass (mx.test: domain of a@b.example designates 192.0.2.1) receiver=mx.test; "
	  "client-ip=192.0.2.1; envelope-from=\"a@b.example\"; helo=mx.example; identity=mailfrom;" },
	{ "no receiver: no receiver= and no prefix in the comment", "fail", "no",
	  "mailfrom", "a@b.example", "192.0.2.1", "mx.example", "a@b.example", NULL,
	  "fail (no) client-ip=192.0.2.1; envelope-from=\"a@b.example\"; helo=mx.example; "
	  "identity=mailfrom;" },
	{ "an empty result is none", "", "nothing", "helo", "postmaster@h.example",
	  "192.0.2.1", "h.example", "", "", "none (nothing) client-ip=192.0.2.1; "
	  "envelope-from=\"postmaster@h.example\"; helo=h.example; identity=helo;" },
	{ "IPv6 client quoted", "neutral", "r", "mailfrom", "a@b.example", "2001:db8::1",
	  NULL, "a@b.example", NULL,
	  "neutral (r) client-ip=\"2001:db8::1\"; envelope-from=\"a@b.example\"; identity=mailfrom;" },
	{ "no client, no helo, no identity", "none", "r", "", "a@b.example", NULL, "",
	  "a@b.example", NULL, "none (r) envelope-from=\"a@b.example\";" },
	{ "parentheses and backslash escaped in the comment", "softfail", "a (b) c\\d",
	  "mailfrom", "a@b.example", NULL, NULL, "a@b.example", "r(x)",
	  "softfail (r\\(x\\): a \\(b\\) c\\\\d) receiver=\"r(x)\"; "
	  "envelope-from=\"a@b.example\"; identity=mailfrom;" },
	{ "control bytes dropped (one header line)", "fail", "x\r\ny\t", "mailfrom",
	  "a@b.example", NULL, "bad\r\nX-Evil: 1", "a@b.example", NULL,
	  "fail (xy) envelope-from=\"a@b.example\"; helo=\"badX-Evil: 1\"; identity=mailfrom;" },
	{ "quote and backslash escaped in a quoted value", "pass", "r", "mailfrom",
	  "a@b.example", NULL, "h\"x\\y", "a@b.example", NULL,
	  "pass (r) envelope-from=\"a@b.example\"; helo=\"h\\\"x\\\\y\"; identity=mailfrom;" },
	{ "dots: leading, trailing, doubled quoted", "pass", "r", "", "s", NULL, ".h", "a..b",
	  "mx.", "pass (mx.: r) receiver=\"mx.\"; envelope-from=\"a..b\"; helo=\".h\";" },
	{ "permerror: problem=", "permerror", "more than 10 DNS-querying terms (RFC 7208 4.6.4)",
	  "mailfrom", "a@b.example", "192.0.2.70", "mx.example", "a@b.example", NULL,
	  "permerror (more than 10 DNS-querying terms \\(RFC 7208 4.6.4\\)) client-ip=192.0.2.70; "
	  "envelope-from=\"a@b.example\"; helo=mx.example; identity=mailfrom; "
	  "problem=\"more than 10 DNS-querying terms (RFC 7208 4.6.4)\";" },
	{ "temperror: problem=", "temperror", "DNS error: x.example/TXT: timed out", "helo",
	  "postmaster@x.example", "192.0.2.1", "x.example", NULL, NULL,
	  "temperror (DNS error: x.example/TXT: timed out) client-ip=192.0.2.1; "
	  "envelope-from=\"postmaster@x.example\"; helo=x.example; identity=helo; "
	  "problem=\"DNS error: x.example/TXT: timed out\";" },
};

int
main(void)
{
	struct spf_outcome o;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&o, 0, sizeof(o));
		snprintf(o.result, sizeof(o.result), "%s", cases[i].result);
		snprintf(o.reason, sizeof(o.reason), "%s", cases[i].reason);
		snprintf(o.identity, sizeof(o.identity), "%s", cases[i].identity);
		snprintf(o.sender, sizeof(o.sender), "%s", cases[i].sender);
		buf_reset(&b);
		spf_received_spf(&o, cases[i].ip, cases[i].helo, cases[i].from, cases[i].receiver, &b);
		is_str(b.data, cases[i].want, "%s", cases[i].label);
	}
	buf_free(&b);
	return tap_done();
}
