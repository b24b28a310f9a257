/*
 * test_spf.c - covers lib/spf.c: SPF evaluation (check_host() for HELO and
 * MAIL FROM, results and reasons, macros, loopback clients, threads) and
 * its Received-SPF header, against the real unbound test server.  Run by
 * spf.sh, which serves zones/spf.conf and exports DNS_PORT and a DEAD_PORT
 * where nothing answers.  The DNS layer's limits (terms, void lookups) are
 * test_spf_dns (spf_dns.sh); record syntax test_spf_record; the header
 * writer alone test_spf_received.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "spf.h"
#include "tap.h"
#include "testdns.h"

struct spf_case {
	const char     *label;
	const char     *ip;
	const char     *helo;
	const char     *from;		/* NULL: check the HELO identity */
	const char     *want;
	const char     *domain;		/* identity domain expected, or NULL */
};

static const struct spf_case cases[] = {
	{ "ip4 pass", "192.0.2.10", "mx.example", "a@pass.spf.test", "pass", "pass.spf.test" },
	{ "ip4 fail", "192.0.2.11", "mx.example", "a@pass.spf.test", "fail", NULL },
	{ "IPv4-mapped IPv6 client is IPv4", "::ffff:192.0.2.10", "mx.example", "a@pass.spf.test",
	  "pass", NULL },
	{ "angle brackets stripped", "192.0.2.10", "mx.example", "<a@pass.spf.test>", "pass", NULL },
	{ "softfail", "192.0.2.10", "mx.example", "a@soft.spf.test", "softfail", NULL },
	{ "neutral", "192.0.2.10", "mx.example", "a@neutral.spf.test", "neutral", NULL },
	{ "no terms: neutral", "192.0.2.10", "mx.example", "a@empty.spf.test", "neutral", NULL },
	{ "no SPF record: none", "192.0.2.10", "mx.example", "a@nospf.spf.test", "none", NULL },
	{ "NXDOMAIN: none", "192.0.2.10", "mx.example", "a@nothere.spf.test", "none", NULL },
	{ "single-label domain: none", "192.0.2.10", "mx.example", "a@localhost", "none", NULL },
	{ "domain literal: none", "192.0.2.10", "mx.example", "a@[192.0.2.10]", "none", NULL },
	{ "two records: permerror", "192.0.2.10", "mx.example", "a@two.spf.test", "permerror", NULL },
	{ "syntax error: permerror", "192.0.2.10", "mx.example", "a@syntax.spf.test", "permerror",
	  NULL },
	{ "character-strings joined", "192.0.2.10", "mx.example", "a@split.spf.test", "pass", NULL },
	{ "include pass", "192.0.2.10", "mx.example", "a@inc.spf.test", "pass", NULL },
	{ "include no match", "192.0.2.12", "mx.example", "a@inc.spf.test", "fail", NULL },
	{ "include of no record: permerror", "192.0.2.12", "mx.example", "a@incnone.spf.test",
	  "permerror", NULL },
	{ "redirect pass", "192.0.2.10", "mx.example", "a@redir.spf.test", "pass", NULL },
	{ "redirect fail", "192.0.2.13", "mx.example", "a@redir.spf.test", "fail", NULL },
	{ "a pass", "192.0.2.20", "mx.example", "a@a.spf.test", "pass", NULL },
	{ "a fail", "192.0.2.21", "mx.example", "a@a.spf.test", "fail", NULL },
	{ "a:domain/24 pass", "192.0.2.200", "mx.example", "a@acidr.spf.test", "pass", NULL },
	{ "a:domain/24 fail", "198.51.100.1", "mx.example", "a@acidr.spf.test", "fail", NULL },
	{ "mx pass (second MX)", "192.0.2.31", "mx.example", "a@mx.spf.test", "pass", NULL },
	{ "mx fail", "192.0.2.32", "mx.example", "a@mx.spf.test", "fail", NULL },
	{ "ptr pass", "198.18.0.40", "mx.example", "a@ptr.spf.test", "pass", NULL },
	{ "ptr not validated: fail", "198.18.0.41", "mx.example", "a@ptr.spf.test", "fail", NULL },
	{ "ptr no PTR: fail", "198.18.0.42", "mx.example", "a@ptr.spf.test", "fail", NULL },
	/* 10.in-addr.arpa and 168.192.in-addr.arpa are asked of the server
	 * (libunbound's RFC 6303 default zones turned off) */
	{ "ptr of a client in 10/8", "10.0.0.40", "mx.example", "a@ptr.spf.test", "pass", NULL },
	{ "exists:%{p} of a client in 192.168/16", "192.168.0.7", "mx.example", "a@pmacro.spf.test",
	  "pass", NULL },
	{ "exists %{i} pass", "192.0.2.50", "mx.example", "a@exists.spf.test", "pass", NULL },
	{ "exists %{i} fail", "192.0.2.51", "mx.example", "a@exists.spf.test", "fail", NULL },
	{ "macro %{l}.%{d} pass", "198.51.100.9", "mx.example", "alice@macro.spf.test", "pass",
	  NULL },
	{ "macro %{ir}.%{v}.%{d2} pass", "192.0.2.51", "mx.example", "bob@macro.spf.test", "pass",
	  NULL },
	{ "macros no match: fail", "192.0.2.52", "mx.example", "bob@macro.spf.test", "fail", NULL },
	{ "HELO identity (%{l}=postmaster, %{h})", "198.51.100.9", "helo.spf.test", NULL, "pass",
	  "helo.spf.test" },
	{ "null sender is postmaster@helo", "198.51.100.9", "helo.spf.test", "", "pass",
	  "helo.spf.test" },
	{ "null sender <> is postmaster@helo", "198.51.100.9", "helo.spf.test", "<>", "pass",
	  "helo.spf.test" },
	{ "%{h} of a real sender", "198.51.100.9", "other.example", "carol@helo.spf.test", "fail",
	  NULL },
	{ "HELO not a FQDN: none", "198.51.100.9", "mailhost", NULL, "none", NULL },
	{ "HELO address literal: none", "198.51.100.9", "[198.51.100.9]", NULL, "none", NULL },
	{ "ip6 pass", "2001:db8::25", "mx.example", "a@six6.spf.test", "pass", NULL },
	{ "ip6 fail", "2001:db8:1::25", "mx.example", "a@six6.spf.test", "fail", NULL },
	{ "ip6 client vs ip4-only record", "2001:db8::25", "mx.example", "a@pass.spf.test", "fail",
	  NULL },
	{ "include loop: permerror", "192.0.2.70", "mx.example", "a@loop1.spf.test", "permerror",
	  NULL },
	{ "redirect to itself: permerror", "192.0.2.70", "mx.example", "a@self.spf.test",
	  "permerror", NULL },
	{ "REFUSED during a term: temperror", "192.0.2.70", "mx.example", "a@tmp.spf.test",
	  "temperror", NULL },
	/* loopback is evaluated like any address: libspf2's "localhost is
	 * always allowed" shortcut must not decide (issue 11 item 16) */
	{ "127.0.0.1 vs -all: fail", "127.0.0.1", "localhost", "a@pass.spf.test", "fail", NULL },
	{ "127.0.0.5, two records: permerror", "127.0.0.5", "localhost", "a@two.spf.test", "permerror",
	  NULL },
	{ "::1 vs -all: fail", "::1", "localhost", "a@six6.spf.test", "fail", NULL },
	{ "127.0.0.1 HELO identity: fail", "127.0.0.1", "pass.spf.test", NULL, "fail", NULL },
	{ "127.0.0.1 null sender: fail", "127.0.0.1", "pass.spf.test", "", "fail", NULL },
	{ "127.0.0.1 listed in ip4: pass", "127.0.0.1", "localhost", "a@lo.spf.test", "pass",
	  NULL },
	{ "::1 listed in ip6: pass", "::1", "localhost", "a@lo.spf.test", "pass", NULL },
	{ "client address not an IP: temperror", "nonsense", "mx.example", "a@pass.spf.test",
	  "temperror", NULL },
};

/* run_case - one row */
static void
run_case(struct spf_engine *s, const struct spf_case *c, struct spf_outcome *o)
{
	if (c->from == NULL)
		spf_check_helo(s, c->ip, c->helo, o);
	else
		spf_check_mailfrom(s, c->ip, c->helo, c->from, o);
}

struct worker {
	struct spf_engine *s;
	int		errors;
};

/* worker_main - every row, many times, on a shared engine */
static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct spf_outcome o;
	size_t i, round;

	for (round = 0; round < 5; round++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			run_case(w->s, &cases[i], &o);
			if (strcmp(o.result, cases[i].want) != 0)
				w->errors++;
		}
	return NULL;
}

/* test_threads - concurrent checks on one engine agree with the table */
static void
test_threads(struct spf_engine *s)
{
	struct worker w[8];
	pthread_t t[8];
	int i, errors = 0;

	for (i = 0; i < 8; i++) {
		w[i].s = s;
		w[i].errors = 0;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		errors += w[i].errors;
	}
	is_int(errors, 0, "8 threads x 5 rounds on one engine: same results");
}

/* test_received_spf - the RFC 7208 §9.1 header value */
static void
test_received_spf(struct spf_engine *s)
{
	static const char head[] = "permerror (more than 10 DNS-querying terms "
	    "\\(RFC 7208 4.6.4\\)) client-ip=192.0.2.70;";
	struct spf_outcome o;
	struct buf b = BUF_INIT;

	buf_init(&b);
	spf_check_mailfrom(s, "192.0.2.10", "mx.example", "a@pass.spf.test", &o);
	spf_received_spf(&o, "192.0.2.10", "mx.example", "a@pass.spf.test", "mx.test", &b);
	is_str(b.data, "pass (mx.test: domain of a@pass.spf.test designates 192.0.2.10 as "
	    "permitted sender) receiver=mx.test; client-ip=192.0.2.10; "
	    "envelope-from=\"a@pass.spf.test\"; helo=mx.example; identity=mailfrom;",
	    "Received-SPF pass");
	buf_reset(&b);
	spf_check_mailfrom(s, "192.0.2.70", "mx.example", "a@eleven.spf.test", &o);
	spf_received_spf(&o, "192.0.2.70", "mx.example", "a@eleven.spf.test", NULL, &b);
	ok(strncmp(b.data, head, strlen(head)) == 0 &&
	    strstr(b.data, " problem=\"more than 10 DNS-querying terms (RFC 7208 4.6.4)\";") != NULL,
	    "Received-SPF permerror: escaped comment, problem=");
	diag("%s", b.data);
	buf_reset(&b);
	spf_check_mailfrom(s, "2001:db8::1", "mx.example", "", &o);
	spf_received_spf(&o, "2001:db8::1", "mx.example", "", NULL, &b);
	ok(strstr(b.data, " client-ip=\"2001:db8::1\";") != NULL &&
	    strstr(b.data, " envelope-from=\"postmaster@mx.example\";") != NULL,
	    "Received-SPF: IPv6 quoted, null sender as postmaster@helo");
	diag("%s", b.data);
	buf_free(&b);
}

/* test_dead_server - no answer: temperror after DNSTimeout */
static void
test_dead_server(const char *dead)
{
	struct dns *d = test_resolver(dead, 2);
	struct spf_engine *s;
	struct spf_outcome o;
	struct buf err = BUF_INIT;

	buf_init(&err);
	if (d == NULL || (s = spf_engine_new(d, NULL, &err)) == NULL) {
		ok(0, "engine on a dead server");
		dns_free(d);
		buf_free(&err);
		return;
	}
	spf_check_mailfrom(s, "192.0.2.10", "mx.example", "a@pass.spf.test", &o);
	is_str(o.result, "temperror", "unreachable DNS server: temperror");
	is_str(o.reason, "DNS error: pass.spf.test/TXT: timed out after 2 s",
	    "unreachable DNS server: given up after DNSTimeout, the reason says where");
	spf_engine_free(s);
	dns_free(d);
	buf_free(&err);
}

/* test_prefetch_domains - spf_prefetch_domains: the record names spf_check
 * asks first, as libspf2 names them (DNSPrefetch) */
static void
test_prefetch_domains(void)
{
	static const struct {
		const char *label, *helo, *mail_from, *want;
	} t[] = {
		{ "MAIL FROM then HELO", "mx.example.net", "<a@Example.ORG>", "Example.ORG mx.example.net" },
		{ "null sender: HELO twice", "mx.example.net", "", "mx.example.net mx.example.net" },
		{ "no local part", "h.example", "@dom.example", "dom.example h.example" },
		{ "single-label HELO: none for it", "localhost", "a@b.example", "b.example" },
		{ "malformed path names no domain (CVE-2020-12272)", "h.example",
		  "u@example.net(.example.com", "h.example" },
		{ "no HELO", NULL, "a@b.example", "b.example" },
	};
	struct strlist l = { 0, NULL };
	struct buf b = BUF_INIT;
	size_t i, k;

	buf_init(&b);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_reset(&b);
		spf_prefetch_domains(t[i].helo, t[i].mail_from, &l);
		for (k = 0; k < l.n; k++)
			buf_printf(&b, "%s%s", k ? " " : "", l.v[k]);
		is_str(b.data ? b.data : "", t[i].want, "prefetch domains: %s", t[i].label);
		strlist_free(&l);
	}
	buf_free(&b);
}

int
main(void)
{
	const char *port = getenv("DNS_PORT"), *dead = getenv("DEAD_PORT");
	struct conf *c;
	struct dns *d;
	struct spf_engine *s;
	struct spf_outcome o;
	struct buf err = BUF_INIT;
	size_t i;

	if (port == NULL || dead == NULL) {
		printf("1..0 # SKIP run through spf.sh (needs DNS_PORT)\n");
		return 0;
	}
	buf_init(&err);
	spf_engine_free(NULL);
	ok(1, "spf_engine_free(NULL) is a no-op");
	test_prefetch_domains();
	d = test_resolver(port, 3);
	c = conf_defaults();
	if (d == NULL || (s = spf_engine_new(d, c, &err)) == NULL) {
		ok(0, "engine created: %s", err.data);
		return tap_done();
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		run_case(s, &cases[i], &o);
		is_str(o.result, cases[i].want, "%s", cases[i].label);
		if (strcmp(o.result, cases[i].want) != 0 || o.reason[0] == '\0')
			diag("reason: %s", o.reason);
		if (cases[i].domain)
			is_str(o.domain, cases[i].domain, "%s: domain", cases[i].label);
	}
	spf_check_helo(s, "198.51.100.9", "helo.spf.test", &o);
	is_str(o.identity, "helo", "identity helo");
	is_str(o.sender, "postmaster@helo.spf.test", "HELO sender is postmaster@helo");
	test_received_spf(s);
	test_threads(s);
	spf_engine_free(s);
	dns_free(d);
	conf_free(c);
	test_dead_server(dead);
	buf_free(&err);
	return tap_done();
}
