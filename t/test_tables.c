/*
 * test_tables.c - lib/tables.c: KeyTable and SigningTable parsing and OpenDKIM's lookup
 * order (opendkim.conf(5)): plain tables, refile: wildcards, first match
 * versus MultipleSignatures, "%" entries, comments, and bad lines with
 * file:line errors
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tables.h"
#include "tables_pg.h"
#include "tap.h"

/* bad lines: {label, keytable?, refile, text, error} */
static const struct {
	const char *label;
	int key, refile;
	const char *text, *want;
} bad[] = {
	{ "key: no value", 1, 0, "# c\nk1\n", "T:2: no DOMAIN:SELECTOR:KEY after the key name" },
	{ "key: two fields", 1, 0, "k1 example.com:sel\n", "T:1: want DOMAIN:SELECTOR:KEY" },
	{ "key: empty key", 1, 0, "k1 example.com:sel:\n", "T:1: empty key" },
	{ "key: bad selector", 1, 0, "\n\nk1 example.com:s el:/k\n", "T:3: bad selector" },
	{ "key: empty selector", 1, 0, "k1 example.com::/k\n", "T:1: bad selector" },
	{ "key: bad domain", 1, 0, "k1 exa/mple.com:s:/k\n", "T:1: bad domain" },
	{ "key: % in path", 1, 0, "k1 %:s:/keys/%.key\n",
	  "T:1: \"%\" in a key path is not supported: keys are loaded once at start-up, "
	  "so write one KeyTable line per domain" },
	{ "sign: no key name", 0, 0, "example.com\n", "T:1: no key name after the pattern" },
	{ "sign: only commas", 0, 1, "*@example.com ,,\n", "T:1: no key name after the pattern" },
	{ "sign: empty signer", 0, 0, "example.com k1:\n", "T:1: empty signer after \":\"" },
};

/* lookups: {label, table, refile, multiple, subdomains, user, domain, want
 * (comma-separated first key names of the matches, "" for none)} */
static const char plain[] =
	"# plain SigningTable in opendkim.conf(5) order\n"
	"*            k-star\n"
	"user@*       k-user-any\n"
	".com         k-dot-com\n"
	"user@.com    k-user-dot-com\n"
	".example.com k-dot-example\n"
	"example.com  k-example	# trailing comment\n"
	"user@example.com k-user-example\n"
	"USER@FOO.EXAMPLE.COM k-user-foo\n"
	"foo.example.com k-foo\n"
	"example.org  k-org\n";
static const char re[] =
	"*@example.com   k-any-example\n"
	"boss@example.com k-boss\n"
	"*@*.example.com k-sub\n"
	"*               k-all\n";

static const struct {
	const char *label, *table;
	int refile, multiple, subdomains;
	const char *user, *domain, *want;
} look[] = {
	{ "plain: user@host first", plain, 0, 0, 0, "user", "foo.example.com", "k-user-foo" },
	{ "plain: case-insensitive keys", plain, 0, 0, 0, "User", "foo.example.com", "k-user-foo" },
	{ "plain: then host", plain, 0, 0, 0, "other", "foo.example.com", "k-foo" },
	{ "plain: multiple: full order", plain, 0, 1, 0, "user", "foo.example.com",
	  "k-user-foo,k-foo,k-dot-example,k-user-dot-com,k-dot-com,k-user-any,k-star" },
	{ "plain: parent .domain", plain, 0, 0, 0, "x", "bar.example.com", "k-dot-example" },
	{ "plain: bare parent needs SubDomains", plain, 0, 1, 0, "x", "bar.example.com",
	  "k-dot-example,k-dot-com,k-star" },
	{ "plain: SubDomains tries bare parent", plain, 0, 1, 1, "x", "bar.example.com",
	  "k-dot-example,k-example,k-dot-com,k-star" },
	{ "plain: user@.parent before .parent", plain, 0, 0, 0, "user", "b.c.com", "k-user-dot-com" },
	{ "plain: user@*", plain, 0, 0, 0, "user", "example.net", "k-user-any" },
	{ "plain: * last", plain, 0, 0, 0, "x", "example.net", "k-star" },
	{ "plain: exact domain", plain, 0, 0, 0, "x", "example.org", "k-org" },
	{ "refile: file order, first wins", re, 1, 0, 0, "boss", "example.com", "k-any-example" },
	{ "refile: multiple: every match", re, 1, 1, 0, "boss", "example.com", "k-any-example,k-boss,k-all" },
	{ "refile: subdomain pattern", re, 1, 0, 0, "a", "x.example.com", "k-sub" },
	{ "refile: *.example.com is not example.com", re, 1, 1, 0, "a", "example.com", "k-any-example,k-all" },
	{ "refile: catch-all", re, 1, 0, 0, "a", "example.net", "k-all" },
	{ "refile: no match", "*@example.com k\n", 1, 1, 0, "a", "example.net", "" },
};

/* lookup_names - the first key name of each match, comma-separated */
static void
lookup_names(const struct signtable *st, const char *user, const char *dom, int multiple,
    int sub, struct buf *out)
{
	size_t idx[32], n, i;

	n = tables_signtable_lookup(st, user, dom, multiple, sub, idx, 32);
	for (i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? "," : "", st->v[idx[i]].keys.v[0]);
}

/* test_keytable - a good KeyTable: fields, "%", inline keys, lookups */
static void
test_keytable(void)
{
	static const char text[] =
	    "# KeyTable\n"
	    "\n"
	    "k-rsa   Example.COM:sel2048:/etc/keys/rsa.private   # comment\n"
	    "k-pct\t%:s1:./rel/key.pem\r\n"
	    "k-inline example.net:s2:MIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8w\n"
	    "k-rsa   example.com:ed:/etc/keys/ed.private\n";
	struct keytable kt;
	struct buf err = BUF_INIT;
	size_t idx[4];

	buf_init(&err);
	is_int(tables_keytable_parse("KT", text, sizeof(text) - 1, 0, &kt, &err), 0, "keytable parses");
	is_int(kt.n, 4, "four entries");
	is_str(kt.v[0].domain, "example.com", "domain lower-cased");
	is_str(kt.v[0].selector, "sel2048", "selector");
	is_str(kt.v[0].key, "/etc/keys/rsa.private", "path, comment stripped");
	is_int(kt.v[0].line, 3, "line number kept");
	ok(!kt.v[0].inline_key, "absolute path is a path");
	is_str(kt.v[1].domain, "%", "%% domain kept for the message");
	is_str(kt.v[1].key, "./rel/key.pem", "CR stripped");
	ok(!kt.v[1].inline_key, "./ is a path");
	ok(kt.v[2].inline_key, "base64 is an inline key");
	is_int(tables_keytable_find(&kt, "K-RSA", idx, 4), 2, "a name on two lines names two keys");
	is_int(idx[1], 3, "in file order");
	is_int(tables_keytable_find(&kt, "nope", idx, 4), 0, "unknown name");
	tables_keytable_free(&kt);
	tables_keytable_free(&kt);
	buf_free(&err);
}

/* test_signtable - values: key lists and signers */
static void
test_signtable(void)
{
	static const char text[] =
	    "*@example.com  k-rsa, k-ed :%\n"
	    "*@example.org  %:user@sub.%\n";
	struct signtable st;
	struct buf err = BUF_INIT;

	buf_init(&err);
	is_int(tables_signtable_parse("ST", text, sizeof(text) - 1, 1, &st, &err), 0, "signtable parses");
	is_int(st.v[0].keys.n, 2, "key list");
	is_str(st.v[0].keys.v[1], "k-ed", "list entry trimmed");
	is_str(st.v[0].signer, "%", "signer field");
	is_str(st.v[1].keys.v[0], "%", "%% key name");
	is_str(st.v[1].signer, "user@sub.%", "signer template");
	tables_signtable_free(&st);
	buf_free(&err);
}

/* test_rows - entries given as fields (database rows) and pgsql: specs */
static void
test_rows(void)
{
	static const struct { const char *spec, *table, *conninfo, *err; } specs[] = {
		{ "pgsql:dkim_keys:host=/run/pg dbname=mail", "dkim_keys", "host=/run/pg dbname=mail", "" },
		{ "pgsql:mail.Keys_2:postgresql://u@db/mail?sslmode=verify-full", "mail.Keys_2",
		  "postgresql://u@db/mail?sslmode=verify-full", "" },
		{ "pgsql:t:", "t", "", "" },
		{ "pgsql:dkim_keys", NULL, NULL, "want pgsql:TABLE:CONNINFO" },
		{ "pgsql:1keys:dbname=x", NULL, NULL, "want pgsql:TABLE:CONNINFO" },
		{ "pgsql:keys;drop:dbname=x", NULL, NULL, "want pgsql:TABLE:CONNINFO" },
		{ "pgsql:a.b.c:dbname=x", NULL, NULL, "want pgsql:TABLE:CONNINFO" },
		{ "pgsql:k:dbname", NULL, NULL, "pgsql:k: bad connection string: missing \"=\"" },
	};
	struct tables_pg_spec ps;
	struct keytable kt = { NULL, 0, 0 };
	struct signtable st = { NULL, 0, 1 };
	struct buf err = BUF_INIT;
	size_t i, idx[4];

	buf_init(&err);
	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		int rc;

		buf_reset(&err);
		rc = tables_pg_spec(specs[i].spec, &ps, &err);
		if (specs[i].table == NULL) {
			ok(rc == -1 && strstr(err.data, specs[i].err) != NULL, "%s refused: %s",
			    specs[i].spec, err.data);
			continue;
		}
		ok(rc == 0 && strcmp(ps.table, specs[i].table) == 0 &&
		    strcmp(ps.conninfo, specs[i].conninfo) == 0, "%s: table and conninfo", specs[i].spec);
	}
	ok(tables_pg_check("refile:/x", &err) == 0, "the conf check leaves other specs alone");
	is_str(tables_keytable_row(&kt, 1, "k", "Example.COM", "s1", "/etc/k.pem"), NULL, "key row");
	is_str(tables_keytable_row(&kt, 2, "k", "example.com", "s 2", "/etc/k.pem"), "bad selector",
	    "key row: bad selector");
	is_str(tables_keytable_row(&kt, 2, "", "example.com", "s2", "/etc/k.pem"), "empty name",
	    "key row: empty name");
	is_str(tables_keytable_row(&kt, 2, "k", "%", "s2", "MIIB"), NULL, "key row: inline key");
	ok(kt.n == 2 && strcmp(kt.v[0].domain, "example.com") == 0 && !kt.v[0].inline_key &&
	    kt.v[1].inline_key && kt.v[1].line == 2, "key rows: as the file form would have them");
	is_int((long)tables_keytable_find(&kt, "k", idx, 4), 2, "a name on two rows: both keys");
	is_str(tables_signtable_row(&st, 1, "*@example.com", "k, j:%@example.com"), NULL, "sign row");
	is_str(tables_signtable_row(&st, 2, "*", ""), "no key name after the pattern", "sign row: no key");
	ok(st.n == 1 && st.v[0].keys.n == 2 && strcmp(st.v[0].signer, "%@example.com") == 0,
	    "sign row: key list and signer");
	is_int((long)tables_signtable_lookup(&st, "u", "example.com", 1, 0, idx, 4), 1,
	    "sign rows: wildcard lookup");
	tables_keytable_free(&kt);
	tables_signtable_free(&st);
	buf_free(&err);
}

int
main(void)
{
	struct buf err = BUF_INIT, got = BUF_INIT;
	const char *path;
	size_t i;
	int refile;

	buf_init(&err);
	buf_init(&got);
	test_keytable();
	test_signtable();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct keytable kt;
		struct signtable st;
		int rc;

		buf_reset(&err);
		rc = bad[i].key ? tables_keytable_parse("T", bad[i].text, strlen(bad[i].text),
		    bad[i].refile, &kt, &err)
		    : tables_signtable_parse("T", bad[i].text, strlen(bad[i].text), bad[i].refile, &st, &err);
		ok(rc == -1, "%s: refused", bad[i].label);
		is_str(err.data, bad[i].want, "%s: message", bad[i].label);
	}
	for (i = 0; i < sizeof(look) / sizeof(look[0]); i++) {
		struct signtable st;

		buf_reset(&err);
		buf_reset(&got);
		if (tables_signtable_parse("L", look[i].table, strlen(look[i].table), look[i].refile,
		    &st, &err) != 0) {
			ok(0, "%s: %s", look[i].label, err.data);
			continue;
		}
		lookup_names(&st, look[i].user, look[i].domain, look[i].multiple, look[i].subdomains, &got);
		is_str(got.data, look[i].want, "%s", look[i].label);
		tables_signtable_free(&st);
	}
	ok(tables_glob("*@*.example.com", "a@b.c.example.com"), "glob: two stars");
	ok(!tables_glob("*@example.com", "a@example.com.evil"), "glob: anchored at the end");
	ok(!tables_glob("a.b", "axb"), "glob: dot is literal");
	ok(tables_glob("**", ""), "glob: stars match empty");
	ok(tables_glob("A*Z", "abcz"), "glob: case-insensitive");
	is_int(tables_spec("refile:/x", &path, &refile, &err), 0, "spec refile:");
	ok(refile && strcmp(path, "/x") == 0, "refile path");
	is_int(tables_spec("file:/y", &path, &refile, &err), 0, "spec file:");
	ok(!refile && strcmp(path, "/y") == 0, "file path");
	buf_reset(&err);
	is_int(tables_spec("dsn:mysql://u:secret@x", &path, &refile, &err), -1, "spec dsn: refused");
	is_str(err.data, "unsupported data set type \"dsn:\" (use a file, "
	    "refile:PATH or pgsql:TABLE:CONNINFO)", "spec error points to pgsql:, and does not echo the spec (a password)");
	buf_reset(&err);
	is_int(tables_read("/nonexistent/KeyTable", &got, &err), -1, "missing file");
	is_str(err.data, "/nonexistent/KeyTable: cannot open: No such file or directory", "names the file");
	buf_free(&err);
	buf_free(&got);
	test_rows();
	return tap_done();
}
