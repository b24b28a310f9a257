/*
 * test_mailfrom.c - one reading of an envelope path's domain everywhere:
 * address_domain_of() and the places that need an envelope domain (the
 * SPF identity, DontSignMailTo) give the same answer, and a path made to
 * look like two domains ("u@example.net(.example.com", CVE-2020-12272)
 * names neither anywhere.  The history record's mfrom is checked through
 * the daemon in history_daemon.sh.
 *
 * No DNS is asked: the SPF rows are ones RFC 7208 §4.3 answers "none"
 * before any lookup (the resolver points at a port nobody serves).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "conf.h"
#include "dkim_signer.h"
#include "dns.h"
#include "spf.h"
#include "strlist.h"
#include "tap.h"

#define CVE	"u@example.net(.example.com"

static const struct {
	const char *label, *path, *domain;	/* domain NULL: none */
} rows[] = {
	{ "plain", "u@example.com", "example.com" },
	{ "angle brackets", "<u@example.com>", "example.com" },
	{ "case and trailing dot", "<U@Sub.Example.COM.>", "sub.example.com" },
	{ "source route skipped", "<@relay.example:u@example.com>", "example.com" },
	{ "quoted local part with an @", "\"a@b\"@example.com", "example.com" },
	{ "a local part RFC 5321 refuses (RFC 7208 suite: dorky-sentinel)",
	  "Macro Error@e8.example.com", "e8.example.com" },
	{ "two @: the last one", "u@example.net@example.com", "example.com" },
	{ "CVE-2020-12272: a comment is not RFC 5321", CVE, NULL },
	{ "CVE-2020-12272 in brackets", "<" CVE ">", NULL },
	{ "a comment after the domain", "u@example.com (x)", NULL },
	{ "null path", "<>", NULL },
	{ "no domain", "postmaster", NULL },
	{ "trailing garbage", "u@example.com>", NULL },
};

/* check_domain_of - the table */
static void
check_domain_of(void)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *d = address_domain_of(rows[i].path);

		is_str(d, rows[i].domain, "address_domain_of: %s", rows[i].label);
		free(d);
	}
}

/* check_spf - the SPF identity's domain is address_domain_of's */
static void
check_spf(void)
{
	struct strlist ns = { 0, NULL };
	struct buf err = BUF_INIT;
	struct spf_outcome o;
	struct spf_engine *s;
	struct dns *d;

	strlist_add(&ns, "127.0.0.1:9");
	d = dns_new(&ns, 1, NULL, &err);
	strlist_free(&ns);
	if (!ok(d != NULL && (s = spf_engine_new(d, NULL, &err)) != NULL, "SPF engine %s",
	    err.data ? err.data : "")) {
		dns_free(d);
		buf_free(&err);
		return;
	}
	spf_check_mailfrom(s, "198.18.0.1", "mx.example", CVE, &o);
	is_str(o.result, "none", "SPF of the CVE-2020-12272 path: none (RFC 7208 4.3)");
	is_str(o.domain, "", "SPF names no domain for it (before: example.net(.example.com)");
	is_str(o.reason, CVE ": no valid domain name (RFC 7208 4.3)",
	    "the reason quotes the path, it names no domain");
	spf_check_mailfrom(s, "198.18.0.1", "mx.example", "<U@LocalHost.>", &o);
	is_str(o.domain, "localhost", "SPF domain of a valid path: address_domain_of's");
	is_str(o.result, "none", "a single-label domain: none");
	spf_engine_free(s);
	dns_free(d);
	buf_free(&err);
}

/* check_dont_sign_to - DontSignMailTo matches the same domain */
static void
check_dont_sign_to(void)
{
	static const char text[] = "DontSignMailTo .example.com, list@example.org\n";
	struct buf err = BUF_INIT;
	struct dkim_signer *s = NULL;
	struct conf *c;

	c = conf_parse("test", text, sizeof(text) - 1, &err);
	if (!ok(c != NULL && (s = dkim_signer_new(c, &err)) != NULL, "signer %s",
	    err.data ? err.data : "")) {
		conf_free(c);
		buf_free(&err);
		return;
	}
	is_int(dkim_signer_dont_sign_to(s, CVE), 0,
	    "DontSignMailTo .example.com: the CVE-2020-12272 path is not in example.com");
	is_int(dkim_signer_dont_sign_to(s, "<U@Sub.Example.COM.>"), 1,
	    "DontSignMailTo .example.com: a subdomain, in any case, in brackets");
	is_int(dkim_signer_dont_sign_to(s, "u@example.net"), 0, "another domain is signed");
	is_int(dkim_signer_dont_sign_to(s, "list@example.org"), 1, "a listed address");
	is_int(dkim_signer_dont_sign_to(s, "<List@Example.ORG>"), 1,
	    "a listed address as the MTA passes it (angle brackets, any case)");
	is_int(dkim_signer_dont_sign_to(s, "<mx.example.com>"), 0, "no '@': no domain to match");
	dkim_signer_free(s);
	conf_free(c);
	buf_free(&err);
}

int
main(void)
{
	check_domain_of();
	check_spf();
	check_dont_sign_to();
	return tap_done();
}
