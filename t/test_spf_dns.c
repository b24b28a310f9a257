/*
 * test_spf_dns.c - covers lib/spf_dns.c, libspf2's DNS layer over our
 * resolver: which queries are DNS-querying terms, the RFC 7208 §4.6.4
 * limits (10 terms, 2 void lookups, 10 MX names, 10 PTR names), records
 * checked and handed on in their clean form, DNS errors in libspf2's words,
 * per-thread counters.  The layer is asked directly (SPF_dns_lookup), then
 * through whole evaluations.  Needs the test unbound: run by spf_dns.sh,
 * which serves zones/spf.conf and exports DNS_PORT.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dns.h"
#include "spf.h"
#include "spf_dns.h"
#include "tap.h"
#include "testdns.h"

/* one query asked of the layer within one evaluation, in order, and the
 * state wanted after it */
struct step {
	const char     *label;
	const char     *name;
	ns_type		type;
	int		should_cache;	/* 0 only for libspf2's %{p} PTR query */
	int		herrno;		/* NETDB_SUCCESS, HOST_NOT_FOUND, NO_DATA, TRY_AGAIN */
	int		lookups, voids;
	enum spf_dns_over over;
};

static const struct step counting[] = {
	{ "the record's own TXT query is not a term", "pass.spf.test", ns_t_txt, 1,
	  NETDB_SUCCESS, 0, 0, SPF_DNS_OVER_NONE },
	{ "type SPF (99): no data, not asked, not a term", "pass.spf.test", ns_t_spf, 1,
	  NO_DATA, 0, 0, SPF_DNS_OVER_NONE },
	{ "an A query is a term", "h1.spf.test", ns_t_a, 1, NETDB_SUCCESS, 1, 0, SPF_DNS_OVER_NONE },
	{ "an MX query is a term", "mx.spf.test", ns_t_mx, 1, NETDB_SUCCESS, 2, 0, SPF_DNS_OVER_NONE },
	{ "the address of an MX name belongs to the mx term", "mail.mx.spf.test", ns_t_a, 1,
	  NETDB_SUCCESS, 2, 0, SPF_DNS_OVER_NONE },
	{ "so does the other MX name's (no data is not void there)", "mail2.mx.spf.test",
	  ns_t_aaaa, 1, NO_DATA, 2, 0, SPF_DNS_OVER_NONE },
	{ "a name asked again after that is a term of its own", "mail.mx.spf.test", ns_t_a, 1,
	  NETDB_SUCCESS, 3, 0, SPF_DNS_OVER_NONE },
	{ "the %{p} macro's PTR query is not a term", "40.0.18.198.in-addr.arpa", ns_t_ptr, 0,
	  NETDB_SUCCESS, 3, 0, SPF_DNS_OVER_NONE },
	{ "a TXT query after the record's is a term (include)", "inc.spf.test", ns_t_txt, 1,
	  NETDB_SUCCESS, 4, 0, SPF_DNS_OVER_NONE },
	{ "NXDOMAIN for a term is a void lookup", "v1.spf.test", ns_t_a, 1, HOST_NOT_FOUND, 5, 1,
	  SPF_DNS_OVER_NONE },
	{ "no data for a term is a void lookup", "a.spf.test", ns_t_mx, 1, NO_DATA, 6, 2,
	  SPF_DNS_OVER_NONE },
	{ "a third void lookup is over the limit", "v3.spf.test", ns_t_a, 1, HOST_NOT_FOUND, 7, 3,
	  SPF_DNS_OVER_VOIDS },
	{ "once over a limit nothing more is asked or counted", "h1.spf.test", ns_t_a, 1,
	  HOST_NOT_FOUND, 7, 3, SPF_DNS_OVER_VOIDS },
};

static const struct step names[] = {
	{ "the record's own TXT query", "pass.spf.test", ns_t_txt, 1, NETDB_SUCCESS, 0, 0,
	  SPF_DNS_OVER_NONE },
	{ "a name DNS cannot carry (64-octet label): no such name",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.spf.test", ns_t_a, 1,
	  HOST_NOT_FOUND, 1, 0, SPF_DNS_OVER_NONE },
	{ "a refused query for a term: try again (temperror)", "host.outside.example", ns_t_a, 1,
	  TRY_AGAIN, 2, 0, SPF_DNS_OVER_NONE },
	{ "a PTR query is a term", "43.0.18.198.in-addr.arpa", ns_t_ptr, 1, NETDB_SUCCESS, 3, 0,
	  SPF_DNS_OVER_NONE },
	{ "a DNS error for a name the PTR answer gave skips it (RFC 7208 5.5)",
	  "h.outside.example", ns_t_a, 1, HOST_NOT_FOUND, 3, 0, SPF_DNS_OVER_NONE },
	{ "more than 10 MX names is over the limit", "mx11.spf.test", ns_t_mx, 1, NETDB_SUCCESS,
	  4, 0, SPF_DNS_OVER_MX },
};

/* run_steps - the steps in order within one evaluation, from a fresh ev */
static void
run_steps(SPF_dns_server_t *layer, const char *set, const struct step *s, size_t n,
    struct spf_dns_eval *ev)
{
	SPF_dns_rr_t *rr;
	size_t i;

	spf_dns_begin(ev);
	for (i = 0; i < n; i++) {
		rr = SPF_dns_lookup(layer, s[i].name, s[i].type, s[i].should_cache);
		if (!ok(rr != NULL && rr->herrno == s[i].herrno && ev->lookups == s[i].lookups &&
		    ev->voids == s[i].voids && ev->over == s[i].over, "spf_dns %s: %s", set,
		    s[i].label))
			diag("herrno %d lookups %d voids %d over %d; want %d %d %d %d",
			    rr ? rr->herrno : -1, ev->lookups, ev->voids, (int)ev->over,
			    s[i].herrno, s[i].lookups, s[i].voids, (int)s[i].over);
		SPF_dns_rr_free(rr);
	}
	spf_dns_end(ev);
}

/* test_lookup_limit - ten terms pass, the eleventh is over (RFC 7208 §4.6.4) */
static void
test_lookup_limit(SPF_dns_server_t *layer)
{
	struct spf_dns_eval ev;
	SPF_dns_rr_t *rr;
	char name[64];
	int i, asked = 0;

	spf_dns_begin(&ev);
	SPF_dns_rr_free(SPF_dns_lookup(layer, "ten.spf.test", ns_t_txt, 1));
	for (i = 1; i <= 10; i++) {
		snprintf(name, sizeof(name), "h%d.spf.test", i);
		rr = SPF_dns_lookup(layer, name, ns_t_a, 1);
		asked += rr != NULL && rr->herrno == NETDB_SUCCESS;
		SPF_dns_rr_free(rr);
	}
	ok(asked == 10 && ev.lookups == 10 && ev.over == SPF_DNS_OVER_NONE,
	    "spf_dns limits: 10 terms are asked and counted");
	rr = SPF_dns_lookup(layer, "h11.spf.test", ns_t_a, 1);
	ok(rr != NULL && rr->herrno == HOST_NOT_FOUND && ev.over == SPF_DNS_OVER_LOOKUPS,
	    "spf_dns limits: the 11th term is not asked, over the limit");
	SPF_dns_rr_free(rr);
	spf_dns_end(&ev);
}

/* txt_of - the text of the first TXT answer for name, "" when none */
static void
txt_of(SPF_dns_server_t *layer, const char *name, char *out, size_t outlen)
{
	SPF_dns_rr_t *rr = SPF_dns_lookup(layer, name, ns_t_txt, 1);

	snprintf(out, outlen, "%s", rr && rr->num_rr > 0 ? rr->rr[0]->txt : "");
	SPF_dns_rr_free(rr);
}

/* test_records - what the layer hands libspf2 for TXT answers */
static void
test_records(SPF_dns_server_t *layer)
{
	struct spf_dns_eval ev;
	SPF_dns_rr_t *rr;
	char t[256];

	spf_dns_begin(&ev);
	txt_of(layer, "canon.spf.test", t, sizeof(t));
	is_str(t, "v=spf1 ip4:192.0.2.10 -all", "spf_dns records: handed on in clean form (no exp=)");
	txt_of(layer, "split.spf.test", t, sizeof(t));
	is_str(t, "v=spf1 ip4:192.0.2.10 -all", "spf_dns records: character-strings joined");
	txt_of(layer, "nospf.spf.test", t, sizeof(t));
	is_str(t, "google-site-verification=abc", "spf_dns records: other TXT records unchanged");
	ok(ev.over == SPF_DNS_OVER_NONE, "spf_dns records: valid records are within the limits");
	txt_of(layer, "syntax.spf.test", t, sizeof(t));
	ok(ev.over == SPF_DNS_OVER_SYNTAX &&
	    strncmp(ev.syntax, "invalid term \"ip4:192.0.2.300\"", 30) == 0,
	    "spf_dns records: an invalid record ends the evaluation with why");
	diag("syntax: %s", ev.syntax);
	spf_dns_end(&ev);
	spf_dns_begin(&ev);
	rr = SPF_dns_lookup(layer, "44.0.18.198.in-addr.arpa", ns_t_ptr, 1);
	is_int(rr ? rr->num_rr : -1, 10, "spf_dns records: of 12 PTR names, 10 are used");
	SPF_dns_rr_free(rr);
	rr = SPF_dns_lookup(layer, "host.outside.example", ns_t_a, 1);
	ok(ev.temp && strncmp(ev.why, "host.outside.example/A: ", 24) == 0 && ev.why[24] != '\0',
	    "spf_dns records: a temporary failure is kept with its name and type");
	diag("why: %s", ev.why);
	SPF_dns_rr_free(rr);
	spf_dns_end(&ev);
	is_int(ev.lookups, 2, "spf_dns records: counters readable after spf_dns_end");
	rr = SPF_dns_lookup(layer, "h1.spf.test", ns_t_a, 1);
	ok(rr != NULL && rr->herrno == NETDB_SUCCESS && ev.lookups == 2,
	    "spf_dns: after spf_dns_end a query is answered and not counted");
	SPF_dns_rr_free(rr);
}

/* whole evaluations: {label, client, sender, result, lookups, voids (-1: any)} */
static const struct {
	const char *label, *ip, *from, *want;
	int lookups, voids;
} evals[] = {
	{ "10 terms: still evaluated", "192.0.2.70", "a@ten.spf.test", "pass", 10, 0 },
	{ "11 terms: permerror", "192.0.2.70", "a@eleven.spf.test", "permerror", 11, -1 },
	{ "12 terms across includes: permerror", "192.0.2.70", "a@incmany.spf.test", "permerror",
	  -1, -1 },
	{ "mx with two hosts is one term", "192.0.2.31", "a@mx.spf.test", "pass", 1, 0 },
	{ "2 void lookups: still evaluated", "192.0.2.70", "a@void2.spf.test", "pass", 2, 2 },
	{ "3 void lookups: permerror", "192.0.2.70", "a@void3.spf.test", "permerror", 3, 3 },
	{ "11 MX names: permerror", "192.0.2.70", "a@mx11.spf.test", "permerror", 1, 0 },
	{ "an included record with a syntax error: permerror", "192.0.2.10",
	  "a@incsyn.spf.test", "permerror", 1, 0 },
	{ "a DNS error on a PTR answer's name: skipped, fail", "198.18.0.43", "a@ptr.spf.test",
	  "fail", 1, 0 },
};

/* eval_ok - one evaluation as the table wants it */
static int
eval_ok(struct spf_engine *s, size_t i, struct spf_outcome *o)
{
	spf_check_mailfrom(s, evals[i].ip, "mx.example", evals[i].from, o);
	return strcmp(o->result, evals[i].want) == 0 &&
	    (evals[i].lookups < 0 || o->lookups == evals[i].lookups) &&
	    (evals[i].voids < 0 || o->voids == evals[i].voids);
}

/* eval_thread - every evaluation, five rounds; the count of mismatches */
static void *
eval_thread(void *arg)
{
	struct spf_outcome o;
	size_t i, round;
	long bad = 0;

	for (round = 0; round < 5; round++)
		for (i = 0; i < sizeof(evals) / sizeof(evals[0]); i++)
			bad += !eval_ok(arg, i, &o);
	return (void *)bad;
}

/* test_evals - the limits through spf.c, alone and from 8 threads at once
 * (each thread's counters are its own) */
static void
test_evals(struct spf_engine *s)
{
	struct spf_outcome o;
	pthread_t t[8];
	void *bad;
	long total = 0;
	size_t i;

	for (i = 0; i < sizeof(evals) / sizeof(evals[0]); i++) {
		if (!ok(eval_ok(s, i, &o), "spf_dns evaluation: %s", evals[i].label))
			diag("got %s lookups %d voids %d (%s)", o.result, o.lookups, o.voids,
			    o.reason);
	}
	spf_check_mailfrom(s, "192.0.2.70", "mx.example", "a@eleven.spf.test", &o);
	is_str(o.reason, "more than 10 DNS-querying terms (RFC 7208 4.6.4)",
	    "spf_dns evaluation: the lookup limit is the reason");
	spf_check_mailfrom(s, "192.0.2.70", "mx.example", "a@void3.spf.test", &o);
	is_str(o.reason, "more than 2 void lookups (RFC 7208 4.6.4)",
	    "spf_dns evaluation: the void-lookup limit is the reason");
	spf_check_mailfrom(s, "192.0.2.70", "mx.example", "a@mx11.spf.test", &o);
	is_str(o.reason, "more than 10 MX names (RFC 7208 4.6.4)",
	    "spf_dns evaluation: the MX-name limit is the reason");
	for (i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, eval_thread, s);
	for (i = 0; i < 8; i++) {
		pthread_join(t[i], &bad);
		total += (long)bad;
	}
	is_int(total, 0, "spf_dns evaluation: 8 threads x 5 rounds, counters per thread");
}

int
main(void)
{
	const char *port = getenv("DNS_PORT");
	struct spf_dns_eval ev;
	SPF_dns_server_t *layer;
	struct spf_engine *s;
	struct buf err = BUF_INIT;
	struct dns *d;

	if (port == NULL) {
		printf("1..0 # SKIP run through spf_dns.sh (needs DNS_PORT)\n");
		return 0;
	}
	spf_dns_layer_free(NULL);
	ok(1, "spf_dns_layer_free(NULL) is a no-op");
	if ((d = test_resolver(port, 3)) == NULL)
		return tap_done();
	layer = spf_dns_layer_new(d);
	run_steps(layer, "counting", counting, sizeof(counting) / sizeof(counting[0]), &ev);
	run_steps(layer, "names", names, sizeof(names) / sizeof(names[0]), &ev);
	test_lookup_limit(layer);
	test_records(layer);
	spf_dns_layer_free(layer);
	buf_init(&err);
	if ((s = spf_engine_new(d, NULL, &err)) == NULL)
		ok(0, "engine: %s", err.data);
	else
		test_evals(s);
	spf_engine_free(s);
	dns_free(d);
	buf_free(&err);
	return tap_done();
}
