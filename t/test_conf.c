/*
 * test_conf.c - covers lib/conf.c (and the rows of lib/conf_keys.c):
 * parsing, one setter per value type, defaults, every error names
 * file:line and keyword; the sample file and man page cover every keyword.
 * Pure: no DNS.  The OpenDKIM/OpenDMARC keywords are test_conf_compat; the
 * daemon's use of a file (authmilter -n, read once) is conf_check.sh.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "tap.h"

/* error cases: {label, text, expected error} */
static const struct {
	const char *label, *text, *want;
} bad[] = {
	{ "unknown keyword", "Socket inet:1@localhost\nSockt x\n", "t.conf:2: Sockt: unknown keyword" },
	{ "missing value", "\n\nAuthservID\n", "t.conf:3: AuthservID: missing value" },
	{ "bad boolean", "RejectFailures maybe\n", "t.conf:1: RejectFailures: \"maybe\" is not yes or no" },
	{ "number out of range", "DNSTimeout 0\n", "t.conf:1: DNSTimeout: 0 is out of range (1..300)" },
	{ "not a number", "DNSTimeout 5s\n", "t.conf:1: DNSTimeout: \"5s\" is not a number" },
	{ "bad octal", "UMask 089\n", "t.conf:1: UMask: \"089\" is not an octal number" },
	{ "bad enum", "Mode x\n", "t.conf:1: Mode: \"x\" is not one of s|v|sv" },
	{ "duplicate", "Mode s\n# c\nmode v\n", "t.conf:3: Mode: already set at line 1" },
	{ "bad socket", "Socket tcp:25\n", "t.conf:1: Socket: \"tcp:25\": want inet:PORT@HOST, inet6:PORT@[ADDR] or local:/PATH" },
	{ "bad socket port", "Socket inet:99999@localhost\n", "t.conf:1: Socket: \"inet:99999@localhost\": bad port (want inet:PORT@HOST)" },
	{ "relative local socket", "Socket local:x.sock\n", "t.conf:1: Socket: \"local:x.sock\": local socket needs an absolute path" },
	{ "bad nameserver", "Nameservers 127.0.0.1:53, 300.1.1.1\n", "t.conf:1: Nameservers: \"300.1.1.1\" is not ADDR[:PORT] or [IPV6]:PORT" },
	{ "bad nameserver port", "Nameservers 127.0.0.1:0\n", "t.conf:1: Nameservers: \"127.0.0.1:0\" is not ADDR[:PORT] or [IPV6]:PORT" },
	{ "unclosed IPv6 bracket", "Nameservers [::1:53\n", "t.conf:1: Nameservers: \"[::1:53\" is not ADDR[:PORT] or [IPV6]:PORT" },
	{ "bad facility", "SyslogFacility mial\n", "t.conf:1: SyslogFacility: unknown syslog facility \"mial\"" },
	{ "bad canonicalization", "Canonicalization relaxed/loose\n", "t.conf:1: Canonicalization: \"relaxed/loose\" is not header/body canonicalization (simple or relaxed)" },
	{ "NUL byte", "Mode s\0x\n", "t.conf:1: NUL byte in line" },
};

/* values each setter stores: {label, one line, the value as value_text
 * renders it} */
static const struct {
	const char *label, *line, *want;
} values[] = {
	{ "bool yes", "RejectFailures yes", "1" },
	{ "bool TRUE", "RejectFailures TRUE", "1" },
	{ "bool on", "RejectFailures on", "1" },
	{ "bool 1", "RejectFailures 1", "1" },
	{ "bool No", "RejectFailures No", "0" },
	{ "bool false", "RejectFailures false", "0" },
	{ "bool off", "RejectFailures off", "0" },
	{ "bool 0", "RejectFailures 0", "0" },
	{ "int lower bound", "DNSTimeout 1", "1" },
	{ "int upper bound", "DNSTimeout 300", "300" },
	{ "octal", "UMask 0027", "23" },
	{ "octal upper bound", "UMask 777", "511" },
	{ "enum, any case, kept as written", "Mode SV", "SV" },
	{ "string with spaces inside", "ReportOrgName Example Mail Org", "Example Mail Org" },
	{ "list: commas, spaces, tabs", "Nameservers 192.0.2.1,192.0.2.2\t 192.0.2.3 ,, 192.0.2.4",
	  "192.0.2.1|192.0.2.2|192.0.2.3|192.0.2.4" },
};

/* setter errors: {label, one line, the message} */
static const struct {
	const char *label, *line, *want;
} value_errors[] = {
	{ "bool neither", "RejectFailures 2", "t.conf:1: RejectFailures: \"2\" is not yes or no" },
	{ "int over the bound", "DNSTimeout 301", "t.conf:1: DNSTimeout: 301 is out of range (1..300)" },
	{ "int with a sign and junk", "DNSTimeout -", "t.conf:1: DNSTimeout: \"-\" is not a number" },
	{ "octal over the bound", "UMask 1000", "t.conf:1: UMask: 1000 is out of range (0..777)" },
	{ "octal digit 8", "UMask 8", "t.conf:1: UMask: \"8\" is not an octal number" },
	{ "enum prefix of a choice", "Mode sv2", "t.conf:1: Mode: \"sv2\" is not one of s|v|sv" },
	{ "list: the bad item named", "Nameservers 192.0.2.1 nonsense 192.0.2.3",
	  "t.conf:1: Nameservers: \"nonsense\" is not ADDR[:PORT] or [IPV6]:PORT" },
};

/* value_text - the value of keyword name in c, as text (lists joined by |) */
static void
value_text(const struct conf *c, const char *line, struct buf *out)
{
	char name[64];
	const struct conf_key *k;
	const char *field;
	const struct strlist *l;
	size_t i;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(line, " "), line);
	if ((k = conf_key_find(name)) == NULL)
		return;
	field = (const char *)c + k->offset;
	switch (k->type) {
	case CONF_BOOL:
		buf_printf(out, "%d", *(const int *)(const void *)field);
		break;
	case CONF_INT:
	case CONF_OCTAL:
		buf_printf(out, "%ld", *(const long *)(const void *)field);
		break;
	case CONF_LIST:
		l = (const struct strlist *)(const void *)field;
		for (i = 0; i < l->n; i++)
			buf_printf(out, "%s%s", i ? "|" : "", l->v[i]);
		break;
	default:
		buf_adds(out, *(char *const *)(const void *)field);
		break;
	}
}

/* test_values - each value type through conf_parse: stored values, errors */
static void
test_values(void)
{
	struct buf err = BUF_INIT, got = BUF_INIT;
	struct conf *c;
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		buf_reset(&err);
		buf_reset(&got);
		buf_adds(&got, "");
		c = conf_parse("t.conf", values[i].line, strlen(values[i].line), &err);
		if (c != NULL)
			value_text(c, values[i].line, &got);
		else
			diag("%s", err.data);
		is_str(got.data, values[i].want, "value: %s", values[i].label);
		conf_free(c);
	}
	for (i = 0; i < sizeof(value_errors) / sizeof(value_errors[0]); i++) {
		buf_reset(&err);
		buf_adds(&err, "");
		c = conf_parse("t.conf", value_errors[i].line, strlen(value_errors[i].line), &err);
		ok(c == NULL, "value refused: %s", value_errors[i].label);
		is_str(err.data, value_errors[i].want, "value refused: %s: message",
		    value_errors[i].label);
		conf_free(c);
	}
	ok(conf_word_in("s|v|sv", "SV") && !conf_word_in("s|v|sv", "s|v") &&
	    !conf_word_in("s|v|sv", "") && conf_word_in("a", "A") && !conf_word_in("", "x"),
	    "conf_word_in: whole words, any case");
	buf_free(&err);
	buf_free(&got);
}

/* conf_text - parse a literal; NULL on error with the message in err */
static struct conf *
conf_text(const char *text, size_t len, struct buf *err)
{
	buf_reset(err);
	return conf_parse("t.conf", text, len, err);
}

int
main(void)
{
	struct buf err = BUF_INIT, doc = BUF_INIT;
	const struct conf_key *keys;
	struct conf *c;
	size_t i, n;
	char line[256];
	const char *good;

	test_values();
	buf_init(&err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len = strlen(bad[i].text);

		if (strcmp(bad[i].label, "NUL byte") == 0)
			len = 10;
		c = conf_text(bad[i].text, len, &err);
		ok(c == NULL, "rejected: %s", bad[i].label);
		is_str(err.data, bad[i].want, "message: %s", bad[i].label);
		conf_free(c);
	}

	good = "# comment\n  Socket   inet6:8891@[::1]  # trailing\n"
	    "Nameservers 127.0.0.1:5353, [::1]:53 192.0.2.1\nDNSTimeout 3\n"
	    "rejectfailures Yes\nUMask 027\nMode v\nAuthservID mx.example.net";
	c = conf_text(good, strlen(good), &err);
	ok(c != NULL, "a good file parses");
	if (c) {
		is_str(c->socket, "inet6:8891@[::1]", "value trimmed, comment dropped");
		is_int(c->nameservers.n, 3, "list split on commas and spaces");
		is_str(c->nameservers.v[1], "[::1]:53", "IPv6 with port kept");
		is_int(c->dns_timeout, 3, "integer");
		is_int(c->reject_failures, 1, "keywords are case-insensitive, booleans too");
		is_int(c->umask, 027, "octal");
		is_str(c->mode, "v", "enum");
		is_str(c->authserv_id, "mx.example.net", "string");
		is_int(c->min_key_bits, 1024, "untouched keyword keeps its default");
		is_str(c->oversign_headers, "From, Reply-To, Subject, To, Cc, Content-Type",
		    "string default");
		conf_free(c);
	}
	c = conf_defaults();
	is_str(c->socket, "inet:8891@127.0.0.1", "default socket");
	is_int(c->require_safe_keys, 1, "RequireSafeKeys defaults to yes");
	ok(c->nameservers.n == 0, "no Nameservers: the system resolver");
	conf_free(c);

	c = conf_load("/nonexistent/authmilter.conf", &err);
	ok(c == NULL && strstr(err.data, "/nonexistent/authmilter.conf: cannot open") != NULL,
	    "a missing file is named");

	/* every keyword appears in the generated sample and man page */
	keys = conf_keys(&n);
	buf_init(&doc);
	conf_write_sample(&doc);
	for (i = 0; i < n; i++) {
		if (keys[i].type == CONF_IGNORED)
			continue;
		snprintf(line, sizeof(line), "\n#%s", keys[i].name);
		ok(strstr(doc.data, line) != NULL, "sample lists %s", keys[i].name);
	}
	c = conf_text(doc.data, doc.len, &err);
	ok(c != NULL, "the generated sample parses");
	conf_free(c);
	buf_reset(&doc);
	conf_write_man(&doc, "test");
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), ".B %s\n", keys[i].name);
		ok(strstr(doc.data, line) != NULL, "man page lists %s", keys[i].name);
	}
	buf_free(&doc);
	buf_free(&err);
	return tap_done();
}
