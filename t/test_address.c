/*
 * test_address.c - RFC 5322 From and RFC 5321 MAIL FROM parsing, table-driven,
 * with the hostile inputs behind CVE-2019-16378, CVE-2021-34555 and
 * CVE-2020-12272.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"
#include "tap.h"

struct from_case {
	const char     *label;
	const char     *in;
	size_t		len;		/* 0: strlen(in) */
	int		rc;		/* 0 or -1 */
	const char     *domains;	/* comma-joined, "" for none */
	const char     *display;	/* of the first mailbox; "(null)" absent; NULL unchecked */
	const char     *local;		/* of the first mailbox; NULL unchecked */
};

static const struct from_case from_cases[] = {
	{ "plain addr-spec", "user@Example.COM", 0, 0, "example.com", "(null)", "user" },
	{ "name-addr", "John Doe <john@example.com>", 0, 0, "example.com", "John Doe", "john" },
	{ "display with a dot", "J. Doe <j@example.com>", 0, 0, "example.com", "J. Doe", NULL },
	{ "nested comments", "john@example.com (John (the \\) Doe) x)", 0, 0, "example.com", NULL, NULL },
	{ "comment inside obs-domain", "john@example(c).com", 0, 0, "example.com", NULL, NULL },
	{ "comment inside angle", "A <(c)a(d)@(e)b.example(f)>", 0, 0, "b.example", "A", "a" },
	{ "quoted local part", "\"john..doe\"@example.com", 0, 0, "example.com", NULL, "john..doe" },
	{ "quoted-pair in local part", "\"a\\\"b\"@example.com", 0, 0, "example.com", NULL, "a\"b" },
	{ "obs-local-part with spaces", "a . b@example.com", 0, 0, "example.com", NULL, "a.b" },
	{ "group", "Team: a@x.example, b@x.example;", 0, 0, "x.example,x.example", NULL, NULL },
	{ "empty group", "Undisclosed recipients:;", 0, 0, "", NULL, NULL },
	{ "group then mailbox", "G: a@x.example;, c@y.example", 0, 0, "x.example,y.example", NULL, NULL },
	{ "nested group", "G: H: a@x.example;;", 0, -1, NULL, NULL, NULL },
	{ "CVE-2019-16378 two domains", "a@one.example, b@two.example", 0, 0,
	  "one.example,two.example", NULL, NULL },
	{ "obs-mbox-list empty elements", ", a@x.example,, b@x.example ,", 0, 0,
	  "x.example,x.example", NULL, NULL },
	{ "CVE-2021-34555 mailbox without domain", "a@example.com, b", 0, -1, NULL, NULL, NULL },
	{ "bare local part", "postmaster", 0, -1, NULL, NULL, NULL },
	{ "angle without domain", "<postmaster>", 0, -1, NULL, NULL, NULL },
	{ "quoted local with angle inside", "\"Someone <x@y>\"@d.example", 0, 0, "d.example",
	  "(null)", "Someone <x@y>" },
	{ "stray '>' after addr-spec", "user@d>", 0, -1, NULL, NULL, NULL },
	{ "missing '>'", "A <a@b.example", 0, -1, NULL, NULL, NULL },
	{ "quoted display with comma", "\"\\\"Acme, Inc.\\\"\" <x@other.example>", 0, 0,
	  "other.example", "\"Acme, Inc.\"", "x" },
	{ "unquoted comma in display", "Acme, Inc. <x@y.example>", 0, -1, NULL, NULL, NULL },
	{ "empty display name", "\"\" <a@b.example>", 0, 0, "b.example", "", "a" },
	{ "no display name", "<a@b.example>", 0, 0, "b.example", "(null)", "a" },
	{ "8-bit display name", "J\xc3\xbcrgen <j@example.com>", 0, 0, "example.com",
	  "J\xc3\xbcrgen", NULL },
	{ "8-bit local part (RFC 6532)", "j\xc3\xbc@example.com", 0, 0, "example.com", NULL,
	  "j\xc3\xbc" },
	{ "IDN domain to A-label", "a@B\xc3\x9c" "CHER.example", 0, 0, "xn--bcher-kva.example", NULL, NULL },
	{ "invalid UTF-8 domain", "a@b\xff.example", 0, -1, NULL, NULL, NULL },
	{ "trailing dot removed", "a@Example.COM.", 0, 0, "example.com", NULL, NULL },
	{ "empty label", "a@example..com", 0, -1, NULL, NULL, NULL },
	{ "obs-route", "<@relay.example,@r2.example:a@b.example>", 0, 0, "b.example", NULL, "a" },
	{ "CVE-2020-12272 unterminated comment", "a@example.net(.example.com", 0, -1, NULL, NULL, NULL },
	{ "CVE-2020-12272 comment not in domain", "a@example.net(.example.com)", 0, 0,
	  "example.net", NULL, NULL },
	{ "domain literal", "a@[192.0.2.1]", 0, 0, "[192.0.2.1]", NULL, NULL },
	{ "empty value", "", 0, -1, NULL, NULL, NULL },
	{ "only white space", " \r\n\t", 0, -1, NULL, NULL, NULL },
	{ "empty angle", "<>", 0, -1, NULL, NULL, NULL },
	{ "two at signs", "a@b@c.example", 0, -1, NULL, NULL, NULL },
	{ "missing comma", "a@example.com b@example.org", 0, -1, NULL, NULL, NULL },
	{ "NUL byte", "a@b\0.example", 13, -1, NULL, NULL, NULL },
	{ "control character", "a\x01@b.example", 0, -1, NULL, NULL, NULL },
	{ "folded", "\r\n\tJohn\r\n <j@example.com>\r\n", 0, 0, "example.com", "John", NULL },
	{ "unterminated quoted string", "\"abc <a@b.example>", 0, -1, NULL, NULL, NULL },
	{ "stray backslash", "a\\b@example.com", 0, -1, NULL, NULL, NULL },
	{ "unterminated literal", "a@[192.0.2.1", 0, -1, NULL, NULL, NULL },
};

struct path_case {
	const char     *in;
	int		rc;
	const char     *local, *domain;
};

static const struct path_case path_cases[] = {
	{ "<user@Example.COM>", 0, "user", "example.com" },
	{ "user@example.com", 0, "user", "example.com" },
	{ "  <user@example.com>  ", 0, "user", "example.com" },
	{ "<>", 1, NULL, NULL },
	{ "", 1, NULL, NULL },
	{ "<postmaster>", 0, "postmaster", NULL },
	{ "<user@example.net(.example.com>", -1, NULL, NULL },
	{ "user@example.net(.example.com", -1, NULL, NULL },
	{ "<\"a b\"@example.com>", 0, "a b", "example.com" },
	{ "<@relay.example:u@example.com>", 0, "u", "example.com" },
	{ "<user@d.example>>", -1, NULL, NULL },
	{ "user@d.example>", -1, NULL, NULL },
	{ "<user@d.example", -1, NULL, NULL },
	{ "<user@[192.0.2.1]>", 0, "user", "[192.0.2.1]" },
	{ "<user@[192.0.2.1]x>", -1, NULL, NULL },
	{ "<user@b\xc3\xbc" "cher.example>", 0, "user", "xn--bcher-kva.example" },
	{ "<a..b@example.com>", -1, NULL, NULL },
	{ "<.a@example.com>", -1, NULL, NULL },
	{ "<user@>", -1, NULL, NULL },
	{ "<user@example.com.>", 0, "user", "example.com" },
	{ "<user@exa mple.com>", -1, NULL, NULL },
	{ "<a@b@example.com>", -1, NULL, NULL },
};

/* joined - the domains of l joined by commas */
static char *
joined(const struct address_list *l)
{
	struct buf b = BUF_INIT;
	size_t k;

	buf_init(&b);
	for (k = 0; k < l->n; k++)
		buf_printf(&b, "%s%s", k ? "," : "", l->v[k].domain);
	return buf_steal(&b);
}

/* test_from - one row */
static void
test_from(const struct from_case *c)
{
	struct address_list l;
	char why[160], *doms;
	size_t len = c->len ? c->len : strlen(c->in);
	int rc;

	rc = address_parse_from(c->in, len, &l, why, sizeof(why));
	is_int(rc, c->rc, "from: %s: status", c->label);
	if (rc != 0) {
		ok(l.n == 0 && l.v == NULL && why[0] != '\0', "from: %s: empty list, reason \"%s\"",
		    c->label, why);
		return;
	}
	doms = joined(&l);
	is_str(doms, c->domains, "from: %s: domains", c->label);
	free(doms);
	if (c->display)
		is_str(l.n ? (l.v[0].display ? l.v[0].display : "(null)") : "(none)", c->display,
		    "from: %s: display name", c->label);
	if (c->local)
		is_str(l.n ? l.v[0].local : "(none)", c->local, "from: %s: local part", c->label);
	address_list_free(&l);
}

/* test_path - one MAIL FROM row */
static void
test_path(const struct path_case *c)
{
	char *local, *domain;
	int rc;

	rc = address_parse_path(c->in, &local, &domain);
	is_int(rc, c->rc, "path: \"%s\": status", c->in);
	is_str(local, c->local, "path: \"%s\": local part", c->in);
	is_str(domain, c->domain, "path: \"%s\": domain", c->in);
	free(local);
	free(domain);
}

/* test_big - 64 KiB Froms: long display name, many mailboxes, deep comments */
static void
test_big(void)
{
	struct buf b = BUF_INIT;
	struct address_list l;
	char why[160];
	size_t k;

	buf_init(&b);
	for (k = 0; k < 65536; k++)
		buf_addc(&b, 'A');
	buf_adds(&b, " <a@big.example>");
	is_int(address_parse_from(b.data, b.len, &l, why, sizeof(why)), 0, "64 KiB display name");
	ok(l.n == 1 && strcmp(l.v[0].domain, "big.example") == 0 && strlen(l.v[0].display) == 65536,
	    "64 KiB display name: one mailbox, whole name");
	address_list_free(&l);

	buf_reset(&b);
	while (b.len < 65536)
		buf_adds(&b, "a@many.example, ");
	is_int(address_parse_from(b.data, b.len, &l, why, sizeof(why)), 0, "64 KiB of mailboxes");
	is_int(l.n, 4096, "64 KiB of mailboxes: all of them");
	address_list_free(&l);

	buf_reset(&b);
	buf_adds(&b, "a@deep.example ");
	for (k = 0; k < 32768; k++)
		buf_addc(&b, '(');
	for (k = 0; k < 32768; k++)
		buf_addc(&b, ')');
	is_int(address_parse_from(b.data, b.len, &l, why, sizeof(why)), 0, "32768 nested comments");
	address_list_free(&l);
	b.len -= 1;
	b.data[b.len] = '\0';
	is_int(address_parse_from(b.data, b.len, &l, why, sizeof(why)), -1,
	    "32768 nested comments, one unclosed");
	buf_free(&b);
}

/* scan rows: a From value and every domain address_scan_domains reports */
static const struct {
	const char     *label, *in, *want;	/* want: domains joined by " " */
} scan_cases[] = {
	{ "trailing '>'", "<ceo@Victim.Example>>", "victim.example victim.example" },
	{ "missing '>'", "CEO <ceo@victim.example", "victim.example victim.example" },
	{ "inside a quoted string and a comment", "\"a@q.example\" (b@c.example) <x",
	  "q.example c.example q.example" },
	{ "comment before the domain", "<u@(x)victim.example>>", "victim.example" },
	{ "obs-domain white space: both readings", "<u@victim . example>>", "victim victim.example" },
	{ "dots around the name", "<u@.victim.example..>>", "victim.example victim.example" },
	{ "8-bit domain to A-label", "<u@b\xc3\xbc" "cher.example", "xn--bcher-kva.example xn--bcher-kva.example" },
	{ "nothing after '@'", "u@ >", "" },
	{ "no '@'", "undisclosed", "" },
	{ "unterminated comment", "u@a.example (x@b.example", "a.example b.example a.example" },
};

/* scan_collect - address_scan_domains callback: append to a buf */
static int
scan_collect(void *arg, const char *d)
{
	struct buf *b = arg;

	if (b->len)
		buf_addc(b, ' ');
	buf_adds(b, d);
	return 0;
}

/* scan_stop - stop after the first */
static int
scan_stop(void *arg, const char *d)
{
	(void)d;
	++*(int *)arg;
	return 1;
}

/* test_scan - the lenient domain scan of malformed From fields */
static void
test_scan(void)
{
	struct buf b = BUF_INIT;
	size_t k;
	int n = 0;

	buf_init(&b);
	for (k = 0; k < sizeof(scan_cases) / sizeof(scan_cases[0]); k++) {
		buf_reset(&b);
		address_scan_domains(scan_cases[k].in, strlen(scan_cases[k].in), scan_collect, &b);
		is_str(b.data, scan_cases[k].want, "scan: %s", scan_cases[k].label);
	}
	address_scan_domains("a@x.example b@y.example", 23, scan_stop, &n);
	is_int(n, 1, "scan: a non-zero answer stops the scan");
	/* 64 KiB of "@(": linear, not one comment walk per '@' */
	buf_reset(&b);
	for (k = 0; k < 32768; k++)
		buf_adds(&b, "@(");
	n = 0;
	address_scan_domains(b.data, b.len, scan_stop, &n);
	is_int(n, 0, "scan: 32768 unterminated comments, no domain");
	buf_free(&b);
}

int
main(void)
{
	char *d;
	size_t k;

	for (k = 0; k < sizeof(from_cases) / sizeof(from_cases[0]); k++)
		test_from(&from_cases[k]);
	for (k = 0; k < sizeof(path_cases) / sizeof(path_cases[0]); k++)
		test_path(&path_cases[k]);
	test_big();
	test_scan();

	d = address_domain_normalize("MAIL.Example.ORG.", 17);
	is_str(d, "mail.example.org", "normalize: lower case, trailing dot");
	free(d);
	ok(address_domain_normalize(".", 1) == NULL, "normalize: root alone is refused");
	ok(address_domain_normalize("", 0) == NULL, "normalize: empty is refused");
	d = address_domain_normalize("\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", 16);
	is_str(d, "xn--r8jz45g.xn--zckzah", "normalize: Japanese U-labels to A-labels");
	free(d);
	address_list_free(NULL);
	return tap_done();
}
