/*
 * test_dns.c - covers lib/dns.c: the resolver against the real unbound
 * test server (answers, NXDOMAIN and no data, TXT joining, the answer
 * cache, libunbound's default local zones passed through, a dead server).
 * Run by dns.sh, which starts the server and exports DNS_PORT and
 * DEAD_PORT; the per-message budget (DNSBudget) is dns_budget.sh.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "tap.h"
#include "testdns.h"

/* test_local_zones - every zone libunbound would answer itself (RFC 6303
 * reverse zones, localhost, home.arpa...) is asked of the server: probe.Z
 * TXT comes back with the server's text, not a local NXDOMAIN */
static void
test_local_zones(struct dns *d)
{
	const char *path = getenv("LOCAL_ZONES");
	char line[256], name[300];
	struct strlist txt = { 0, NULL };
	size_t n = 0, bad = 0;
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL) {
		ok(0, "zone list %s readable", path ? path : "(LOCAL_ZONES unset)");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		snprintf(name, sizeof(name), "probe.%s", line);
		n++;
		if (dns_txt_lookup(d, name, &txt, NULL, NULL, 0) != DNS_OK || txt.n != 1 ||
		    strcmp(txt.v[0], "from the server") != 0) {
			if (bad++ < 5)
				diag("%s: not answered by the server", name);
		}
		strlist_free(&txt);
	}
	fclose(f);
	ok(n >= 100 && bad == 0, "default local zones: %zu of %zu asked of the server", n - bad, n);
}

/* test_budget_spent - a budget whose deadline has passed: a query is not
 * sent, a cached answer is still given, the end of the budget lifts it */
static void
test_budget_spent(struct dns *d)
{
	struct dns_budget b;
	struct dns_result *r;

	dns_budget_begin(&b, 5);
	b.deadline.tv_sec -= 10;	/* spent without waiting for it */
	is_int(dns_query(d, "txt.dns.test", 28, &r), DNS_RETRY, "budget spent: a query is not sent");
	is_str(r->why, "DNS budget of 5 s for this message spent", "budget spent: the reason");
	ok(b.spent, "budget spent: the budget says it cut a lookup");
	dns_result_free(r);
	is_int(dns_query(d, "host.dns.test", 1, &r), DNS_OK, "budget spent: a cached answer is given");
	dns_result_free(r);
	dns_budget_end(&b);
	is_int(dns_query(d, "txt.dns.test", 28, &r), DNS_NOTFOUND, "after dns_budget_end: sent again");
	dns_result_free(r);
}

/* test_budget_cut - a budget shorter than DNSTimeout cuts a query to a
 * server that never answers, and says so */
static void
test_budget_cut(struct dns *d)
{
	struct dns_budget b;
	struct dns_result *r;

	dns_budget_begin(&b, 1);
	is_int(dns_query(d, "other.dns.test", 1, &r), DNS_RETRY, "budget before timeout: retry");
	is_str(r->why, "DNS budget of 1 s for this message spent",
	    "budget before timeout: the budget, not the timeout, ended the wait");
	ok(b.spent, "budget before timeout: spent");
	dns_result_free(r);
	dns_budget_end(&b);
}

int
main(void)
{
	const char *port = getenv("DNS_PORT"), *dead = getenv("DEAD_PORT");
	struct dns_result *r;
	struct strlist txt = { 0, NULL };
	enum dns_sec sec;
	struct dns *d;
	char why[160];
	struct buf b = BUF_INIT;

	if (port == NULL || dead == NULL) {
		printf("1..0 # SKIP run through dns.sh (needs DNS_PORT)\n");
		return 0;
	}
	d = test_resolver(port, 3);
	ok(d != NULL, "resolver created");
	if (d == NULL)
		return tap_done();

	is_int(dns_query(d, "host.dns.test", 1, &r), DNS_OK, "A record found");
	is_int(r->count, 2, "both A records");
	ok(r->rdlen[0] == 4, "A rdata is 4 bytes");
	ok(r->packet != NULL && r->packet_len > 12, "wire-format answer kept");
	is_int(r->sec, DNS_SEC_INSECURE, "no trust anchor: insecure");
	dns_result_free(r);

	is_int(dns_query(d, "nonexistent.dns.test", 1, &r), DNS_NOTFOUND, "NXDOMAIN is notfound");
	ok(r->nxdomain, "nxdomain flag set");
	dns_result_free(r);

	is_int(dns_query(d, "host.dns.test", 28, &r), DNS_NOTFOUND, "no AAAA: notfound (NODATA)");
	ok(!r->nxdomain, "NODATA is not NXDOMAIN");
	dns_result_free(r);

	is_int(dns_txt_lookup(d, "txt.dns.test", &txt, &sec, why, sizeof(why)), DNS_OK, "TXT found");
	is_int(txt.n, 1, "one TXT record");
	if (txt.n)
		is_str(txt.v[0], "v=spf1 -all and more", "character-strings joined");
	strlist_free(&txt);

	is_int(dns_query(d, "outside.zone.example", 1, &r), DNS_RETRY, "REFUSED is temporary");
	dns_result_free(r);

	is_int(dns_query(d, "", 1, &r), DNS_FAIL, "empty name fails permanently");
	dns_result_free(r);
	buf_init(&b);
	while (b.len < 300)
		buf_adds(&b, "abcdefghi.");
	is_int(dns_query(d, b.data, 1, &r), DNS_FAIL, "overlong name fails permanently");
	dns_result_free(r);
	buf_free(&b);

	test_local_zones(d);

	/* cache: a second lookup still answers */
	is_int(dns_query(d, "host.dns.test", 1, &r), DNS_OK, "second lookup (cache)");
	dns_result_free(r);
	test_budget_spent(d);
	dns_free(d);

	/* a port nobody answers on: temporary failure, given up at the
	 * timeout (the reason says so; no wall-clock assertion) */
	d = test_resolver(dead, 2);
	is_int(dns_query(d, "host.dns.test", 1, &r), DNS_RETRY, "dead server: retry");
	is_str(r->why, "timed out after 2 s", "dead server: given up after DNSTimeout");
	dns_result_free(r);
	test_budget_cut(d);
	dns_free(d);
	return tap_done();
}
