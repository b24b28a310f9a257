/*
 * test_log.c - log line values (log_quote, log_kv, log_kvq) and SMTP reply
 * texts (verdict_text_clean, verdict_milter_text): peer bytes can neither
 * add a key to a log line nor change a reply
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "tap.h"
#include "verdict.h"

/* next_kv - the next "key=value" of a log line as authmilter(8) describes
 * it (bare, or quoted with \" \\ \xNN); key and value into k and v; the
 * position after it, or NULL at the end or on a malformed line */
static const char *
next_kv(const char *p, struct buf *k, struct buf *v)
{
	buf_reset(k);
	buf_reset(v);
	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	while (*p && *p != '=' && *p != ' ')
		buf_addc(k, *p++);
	if (*p++ != '=')
		return NULL;
	if (*p != '"') {
		while (*p && *p != ' ')
			buf_addc(v, *p++);
		return p;
	}
	for (p++; *p && *p != '"'; p++) {
		if (*p != '\\') {
			buf_addc(v, *p);
			continue;
		}
		p++;
		if (*p == 'x' && p[1] && p[2]) {
			char hex[3] = { p[1], p[2], 0 };

			buf_addc(v, (int)strtol(hex, NULL, 16));
			p += 2;
		} else if (*p == '"' || *p == '\\')
			buf_addc(v, *p);
		else
			return NULL;
	}
	return *p == '"' ? p + 1 : NULL;
}

int
main(void)
{
	static const struct {
		const char *label, *in, *want;
	} q[] = {
		{ "plain token bare", "mx.example.org", "mx.example.org" },
		{ "address bare", "<a@b.example>", "<a@b.example>" },
		{ "empty quoted", "", "\"\"" },
		{ "space quoted", "a b", "\"a b\"" },
		{ "forged field quoted", "x dmarc=pass", "\"x dmarc=pass\"" },
		{ "equals quoted", "a=b", "\"a=b\"" },
		{ "quote escaped", "\"a b\"@x", "\"\\\"a b\\\"@x\"" },
		{ "backslash escaped", "a\\b", "\"a\\\\b\"" },
		{ "CR LF escaped", "a\r\nb", "\"a\\x0d\\x0ab\"" },
		{ "ESC escaped", "\x1b[31m", "\"\\x1b[31m\"" },
		{ "tab escaped", "a\tb", "\"a\\x09b\"" },
		{ "DEL escaped", "a\x7f", "\"a\\x7f\"" },
		{ "UTF-8 escaped", "j\xc3\xb6rg", "\"j\\xc3\\xb6rg\"" },
		{ "percent bare", "100%", "100%" },
	};
	static const struct {
		const char *label, *in, *clean, *milter;
	} r[] = {
		{ "plain", "rejected because x.example fails", "rejected because x.example fails",
		  "rejected because x.example fails" },
		{ "percent doubled", "domain b%n%s.example", "domain b%n%s.example",
		  "domain b%%n%%s.example" },
		{ "CR LF replaced", "a\r\n250 ok", "a??250 ok", "a??250 ok" },
		{ "ESC and 8-bit replaced", "\x1b[1m\xc3\xa9", "?[1m??", "?[1m??" },
		{ "empty", "", "", "" },
	};
	struct buf b = BUF_INIT, k = BUF_INIT, v = BUF_INIT, big = BUF_INIT;
	const char *p;
	size_t i, n;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		buf_init(&b);
		log_quote(&b, q[i].in, strlen(q[i].in));
		is_str(b.data, q[i].want, "log_quote: %s", q[i].label);
		buf_free(&b);
	}
	buf_init(&b);
	log_kv(&b, "helo", NULL);
	log_kvq(&b, "reason", "policy");
	log_kvq(&b, "why", "a \"b\"");
	is_str(b.data, " helo=- reason=\"policy\" why=\"a \\\"b\\\"\"", "log_kv NULL, log_kvq always quoted");
	buf_free(&b);

	/* a line of forged values parses back into our keys and the values given */
	buf_init(&b);
	buf_init(&k);
	buf_init(&v);
	buf_adds(&b, "Q1:");
	log_kv(&b, "helo", "a b dmarc=pass");
	log_kv(&b, "mailfrom", "<\"a b dmarc=pass\"@x>");
	log_kv(&b, "d", "x\" dmarc=pass s=\"y");
	log_kvq(&b, "reason", "l\r\nQ2: dmarc=pass\x1b");
	buf_adds(&b, " action=accept");
	{
		static const char *const want[][2] = {
			{ "helo", "a b dmarc=pass" }, { "mailfrom", "<\"a b dmarc=pass\"@x>" },
			{ "d", "x\" dmarc=pass s=\"y" }, { "reason", "l\r\nQ2: dmarc=pass\x1b" },
			{ "action", "accept" },
		};

		ok(strchr(b.data, '\r') == NULL && strchr(b.data, '\n') == NULL &&
		    strchr(b.data, '\x1b') == NULL, "forged line: no control byte left");
		for (p = b.data + 3, n = 0; (p = next_kv(p, &k, &v)) != NULL; n++) {
			if (n >= 5)
				break;
			is_str(k.data, want[n][0], "forged line: key %zu is ours", n);
			is_str(v.data, want[n][1], "forged line: value %zu round-trips", n);
		}
		is_int(n, 5, "forged line: exactly five keys");
	}
	buf_free(&b);

	/* bounded length */
	buf_init(&big);
	for (i = 0; i < 3 * LOG_VALUE_MAX; i++)
		buf_addc(&big, 'a');
	buf_init(&b);
	log_quote(&b, big.data, big.len);
	is_int(b.len, LOG_VALUE_MAX + 5, "long value cut at LOG_VALUE_MAX, quoted, with \"...\"");
	ok(strcmp(b.data + b.len - 4, "...\"") == 0, "cut value ends in ...\"");
	buf_free(&b);

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		buf_init(&b);
		verdict_text_clean(r[i].in, &b);
		is_str(b.data, r[i].clean, "verdict_text_clean: %s", r[i].label);
		buf_free(&b);
		buf_init(&b);
		verdict_milter_text(r[i].in, &b);
		is_str(b.data, r[i].milter, "verdict_milter_text: %s", r[i].label);
		buf_free(&b);
	}
	buf_init(&b);
	verdict_text_clean(big.data, &b);
	is_int(b.len, VERDICT_TEXT_MAX, "reply text cut at VERDICT_TEXT_MAX");
	buf_free(&b);
	buf_free(&big);
	buf_free(&k);
	buf_free(&v);
	return tap_done();
}
