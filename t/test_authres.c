/*
 * test_authres.c - lib/authres.c: Authentication-Results writing (golden
 * values) and the authserv-id reader against forged, odd and malformed
 * headers
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "dns.h"
#include "tap.h"

/* res - a verdict_results from literal strings (pointers borrowed) */
static struct verdict_results
res(const char *spf, const char *spf_dom, const char *helo, const char *helo_dom,
    const char *dmarc, const char *from, const char *policy, const char *dis)
{
	struct verdict_results r;

	memset(&r, 0, sizeof(r));
	r.spf = (char *)(uintptr_t)spf;
	r.spf_domain = (char *)(uintptr_t)spf_dom;
	r.spf_helo = (char *)(uintptr_t)helo;
	r.spf_helo_domain = (char *)(uintptr_t)helo_dom;
	r.dmarc = (char *)(uintptr_t)dmarc;
	r.dmarc_from = (char *)(uintptr_t)from;
	r.policy = (char *)(uintptr_t)policy;
	r.disposition = (char *)(uintptr_t)dis;
	return r;
}

/* sig - a verdict_dkim from literal strings */
static struct verdict_dkim
sig(const char *result, const char *d, const char *s, const char *b, unsigned bits)
{
	struct verdict_dkim k;

	memset(&k, 0, sizeof(k));
	k.result = (char *)(uintptr_t)result;
	k.domain = (char *)(uintptr_t)d;
	k.selector = (char *)(uintptr_t)s;
	k.b_prefix = (char *)(uintptr_t)b;
	k.bits = bits;
	return k;
}

/* build - authres_build into a static string */
static const char *
build(const char *id, const struct verdict_results *r)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b);
	authres_build(id, r, &b);
	return b.data;
}

/* max_line - the longest physical line of "Authentication-Results:" + v */
static size_t
max_line(const char *v)
{
	size_t max = 0, col = strlen("Authentication-Results:");

	for (; *v != '\0'; v++) {
		if (*v == '\r' && v[1] == '\n') {
			if (col > max)
				max = col;
			col = 0;
			v++;
			continue;
		}
		col++;
	}
	return col > max ? col : max;
}

/* test_build - golden header values */
static void
test_build(void)
{
	struct verdict_results r;
	struct verdict_dkim d[3];
	const char *v;
	char id[64];

	r = res(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	is_str(build("mx.example.net", &r), " mx.example.net; none", "nothing: none");

	r = res("pass", "a.example", NULL, NULL, NULL, NULL, NULL, NULL);
	is_str(build("mx.example.net", &r), " mx.example.net; spf=pass smtp.mailfrom=a.example",
	    "spf only, one line");

	r = res("fail", "a.example", NULL, NULL, NULL, NULL, NULL, NULL);
	r.spf_reason = (char *)(uintptr_t)"198.18.0.1 not \"permitted\"";
	is_str(build("mx", &r), " mx;\r\n\tspf=fail reason=\"198.18.0.1 not \\\"permitted\\\"\" "
	    "smtp.mailfrom=a.example", "spf fail with a quoted reason");

	r = res("pass", "a.example", "pass", "mx.a.example", "pass", "a.example", "reject", "none");
	d[0] = sig("pass", "a.example", "sel", "AbCd1234", 2048);
	d[0].algorithm = (char *)(uintptr_t)"rsa-sha256";
	r.dkim = d;
	r.ndkim = 1;
	is_str(build("mx.example.net", &r), " mx.example.net;\r\n"
	    "\tspf=pass smtp.mailfrom=a.example;\r\n"
	    "\tspf=pass smtp.helo=mx.a.example;\r\n"
	    "\tdkim=pass (2048-bit key) header.d=a.example header.s=sel header.a=rsa-sha256\r\n"
	    "\theader.b=AbCd1234;\r\n"
	    "\tdmarc=pass (p=reject dis=none) header.from=a.example policy.dmarc=reject",
	    "everything, folded at methods");
	v = build("mx.example.net", &r);
	ok(max_line(v) <= AUTHRES_FOLD, "no line over %d columns (longest %zu)", AUTHRES_FOLD,
	    max_line(v));
	ok(authres_is_ours(v, "mx.example.net", NULL), "our own header reads back as ours");

	/* header.b with '/' and '=' is not a token (RFC 2045 tspecials) */
	d[0] = sig("fail", "b.example", "s1", "ab/c+d=", 1024);
	d[0].reason = (char *)(uintptr_t)"signature verification failed";
	d[0].testing = 1;
	d[0].dnssec = DNS_SEC_SECURE;
	d[1] = sig("pass", "c.example", "s2", "xyz", 256);
	d[2] = sig("none", NULL, NULL, NULL, 0);
	r = res(NULL, NULL, NULL, NULL, "fail", "b.example", "reject", "none");
	r.reason = (char *)(uintptr_t)"RejectFailures no";
	r.dkim = d;
	r.ndkim = 3;
	is_str(build("mx", &r), " mx;\r\n"
	    "\tdkim=fail (1024-bit key; DNSSEC; test mode)\r\n"
	    "\treason=\"signature verification failed\" header.d=b.example header.s=s1\r\n"
	    "\theader.b=\"ab/c+d=\";\r\n"
	    "\tdkim=pass (256-bit key) header.d=c.example header.s=s2 header.b=xyz;\r\n"
	    "\tdkim=none;\r\n"
	    "\tdmarc=fail (p=reject dis=none) reason=\"RejectFailures no\"\r\n"
	    "\theader.from=b.example policy.dmarc=reject",
	    "quoting, comments, reason on override, several signatures");

	r = res(NULL, NULL, NULL, NULL, "none", "d.example", NULL, "none");
	r.reason = (char *)(uintptr_t)"no policy";
	is_str(build("mx", &r), " mx; dmarc=none (dis=none) header.from=d.example",
	    "dmarc none: no reason, no policy.dmarc");

	r = res("temperror", "e(x).example", NULL, NULL, NULL, NULL, NULL, NULL);
	is_str(build("host with space", &r), " \"host with space\";\r\n\tspf=temperror "
	    "smtp.mailfrom=\"e(x).example\"", "authserv-id and value quoted");

	r = res("pass", "a.example\r\nX-Injected: yes", NULL, NULL, NULL, NULL, NULL, NULL);
	v = build("mx", &r);
	ok(strstr(v, "\r\nX-Injected") == NULL, "CR LF in a value cannot inject a header");

	r = res("pass", "a.example", NULL, NULL, NULL, NULL, NULL, NULL);
	r.dkim = d;
	r.ndkim = 1;
	d[0] = sig("pass", "a.example", "sel", NULL, 0);
	d[0].reason = (char *)(uintptr_t)"a comment (with) parens";
	d[0].result = (char *)(uintptr_t)"fail";
	v = build("mx", &r);
	ok(authres_authserv_id(v, strlen(v), id, sizeof(id)) == 0 && strcmp(id, "mx") == 0,
	    "built header parses back");
	is_str(strncmp(build(NULL, &r), " localhost;", 11) == 0 ? "y" : "n", "y",
	    "missing authserv-id falls back to localhost");
}

/* test_parse - the authserv-id reader, table driven */
static void
test_parse(void)
{
	static const struct {
		const char *label, *in, *want;	/* want NULL: malformed */
	} t[] = {
		{ "plain", " mx.example.net; spf=pass smtp.mailfrom=a.example", "mx.example.net" },
		{ "no space", "mx.example.net;dkim=pass", "mx.example.net" },
		{ "none", "mx.example.net; none", "mx.example.net" },
		{ "leading comment (forgery)", "(comment) mx.example.net; dkim=pass", "mx.example.net" },
		{ "nested comment", "((a)(b\\)c)) mx.example.net ; dkim=pass", "mx.example.net" },
		{ "comment after id", "mx.example.net (ours);dkim=pass", "mx.example.net" },
		{ "version", "mx.example.net 1; dkim=pass", "mx.example.net" },
		{ "version with comment", "mx.example.net (x) 1 (y) ; none", "mx.example.net" },
		{ "folded", "\r\n\tmx.example.net;\r\n\tdkim=pass", "mx.example.net" },
		{ "quoted", "\"mx.example.net\"; dkim=pass", "mx.example.net" },
		{ "quoted with escapes", "\"a\\\"b c\"; none", "a\"b c" },
		{ "trailing dot", "mx.example.net.; dkim=pass", "mx.example.net." },
		{ "upper case", "MX.EXAMPLE.NET; dkim=pass", "MX.EXAMPLE.NET" },
		{ "(null)=pass after id", "mx.example.net; (null)=pass", "mx.example.net" },
		{ "UTF-8 id", "b\303\274cher.example; none", "b\303\274cher.example" },
		{ "(null)=pass alone", "(null)=pass", NULL },
		{ "no semicolon", "mx.example.net dkim=pass", NULL },
		{ "bare id", "mx.example.net", NULL },
		{ "empty", "", NULL },
		{ "only comment", "(mx.example.net); dkim=pass", NULL },
		{ "unclosed comment", "(mx.example.net; dkim=pass", NULL },
		{ "unclosed quote", "\"mx.example.net; dkim=pass", NULL },
		{ "starts with semicolon", "; dkim=pass", NULL },
		{ "word after id", "mx.example.net foo; dkim=pass", NULL },
		{ "garbage", "\001\002\003", NULL },
		{ "tspecial in id", "mx@example.net; none", NULL },
	};
	char id[256];
	size_t i;
	int st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = authres_authserv_id(t[i].in, strlen(t[i].in), id, sizeof(id));
		if (t[i].want == NULL)
			ok(st == -1 && id[0] == '\0', "malformed: %s", t[i].label);
		else if (ok(st == 0, "parse: %s", t[i].label))
			is_str(id, t[i].want, "authserv-id: %s", t[i].label);
	}
	ok(authres_authserv_id("abcdef; none", 12, id, 4) == -1, "id longer than out is refused");
	ok(authres_authserv_id("mx; none", 2, id, sizeof(id)) == -1, "len is honoured");
}

/* test_ours - authres_is_ours */
static void
test_ours(void)
{
	static const struct {
		const char *label, *in, *trusted;
		int want;
	} t[] = {
		{ "exact", "mx.example.net; dkim=pass", NULL, 1 },
		{ "comment forgery", "(comment) mx.example.net; dkim=pass", NULL, 1 },
		{ "upper case", "MX.EXAMPLE.NET; dkim=pass", NULL, 1 },
		{ "trailing dot", "mx.example.net.; dkim=pass", NULL, 1 },
		{ "quoted", "\"Mx.Example.Net\" 1; none", NULL, 1 },
		{ "other host", "mx.example.org; dkim=pass", NULL, 0 },
		{ "suffix is not ours", "evilmx.example.net; dkim=pass", NULL, 0 },
		{ "prefix is not ours", "mx.example.net.evil; dkim=pass", NULL, 0 },
		{ "trusted list, comma", "relay.example.net; spf=pass", "a.example, relay.example.net", 1 },
		{ "trusted list, spaces", "RELAY.example.net; spf=pass", "a.example  relay.example.net", 1 },
		{ "not in trusted list", "relay2.example.net; spf=pass", "relay.example.net", 0 },
		{ "malformed is not ours", "mx.example.net dkim=pass", NULL, 0 },
		{ "id/queue-id unquoted (AuthservIDWithJobID)", "mx.example.net/4XyZ12; dkim=pass", NULL, 1 },
		{ "id/queue-id quoted", "\"mx.example.net/4XyZ12\"; none", NULL, 1 },
		{ "other host with a queue id", "mx.example.org/4XyZ12; dkim=pass", NULL, 0 },
		{ "longer name with a queue id", "evilmx.example.net/1; none", NULL, 0 },
		{ "slash then nothing", "mx.example.net/; none", NULL, 0 },
		{ "(null)=pass", "(null)=pass", NULL, 0 },
		{ "garbage", "\377\376;;;", NULL, 0 },
		{ "empty", "", "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(authres_is_ours(t[i].in, "mx.example.net", t[i].trusted), t[i].want,
		    "is_ours: %s", t[i].label);
	is_int(authres_is_ours("mx.example.net; none", "mx.example.net.", NULL), 1,
	    "our id with a trailing dot");
	is_int(authres_is_ours(NULL, "mx.example.net", NULL), 0, "NULL value");
	is_int(authres_is_ours(".; none", ".", NULL), 1, "a lone dot is not stripped to nothing");
}

/* test_huge - a 64 KiB value: long comment, long id, deep nesting */
static void
test_huge(void)
{
	size_t n = 65536, i;
	char *v = malloc(n + 64), id[256];

	for (i = 0; i < n; i++)
		v[i] = i < n / 2 ? '(' : ')';
	strcpy(v + n, " mx.example.net; dkim=pass");
	ok(authres_is_ours(v, "mx.example.net", NULL) == 1, "32768-deep comment then our id");
	memset(v, 'a', n);
	strcpy(v + n, "; dkim=pass");
	ok(authres_authserv_id(v, strlen(v), id, sizeof(id)) == -1, "64 KiB id is refused");
	ok(authres_is_ours(v, "mx.example.net", NULL) == 0, "64 KiB id is not ours");
	memset(v, '(', n);
	v[n] = '\0';
	ok(authres_is_ours(v, "mx.example.net", NULL) == 0, "64 KiB of open parens");
	free(v);
}

int
main(void)
{
	test_build();
	test_parse();
	test_ours();
	test_huge();
	return tap_done();
}
