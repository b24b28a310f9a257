/*
 * test_dmarc.c - the DMARC module (lib/dmarc*.c), in two runs:
 *
 *   test_dmarc       a plain unit test (make check runs it): the record
 *                    parser (dmarc_record.c) and the Public Suffix List
 *                    (dmarc_psl.c, the list t/zones/dmarc-psl.dat);
 *   test_dmarc dns   run by dmarc.sh, which serves t/zones/dmarc.conf on
 *                    the real unbound test server and exports DNS_PORT,
 *                    DEAD_PORT and DMARC_PSL: the evaluation (dmarc.c,
 *                    dmarc_author.c, dmarc_discover.c, dmarc_align.c).
 *
 * libopendmarc's record parser is the independent check for well-formed
 * records (the only program that links libopendmarc; configure without it
 * skips those rows).  The tag-list tokenizer under the record parser has
 * its own test, test_taglist.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_OPENDMARC
#include <opendmarc/dmarc.h>
/* libopendmarc's header #defines the same names as our enum dmarc_policy */
#undef DMARC_POLICY_NONE
#undef DMARC_POLICY_QUARANTINE
#undef DMARC_POLICY_REJECT
#endif

#include "conf.h"
#include "dmarc.h"
#include "dns.h"
#include "tap.h"
#include "testdns.h"

/* --- record parser ------------------------------------------------------ */

struct rec_case {
	const char     *rec;
	enum dmarc_rec_status st;
	enum dmarc_policy p, sp, np;
	int		p_bad;
	char		adkim, aspf, psd;
	int		t, pct;
	unsigned	fo;
	size_t		nrua, nruf;
	int		opendmarc;	/* compare p/adkim/aspf/pct with libopendmarc */
};

#define U DMARC_POLICY_UNSET
#define N DMARC_POLICY_NONE
#define Q DMARC_POLICY_QUARANTINE
#define R DMARC_POLICY_REJECT

static const struct rec_case rec_cases[] = {
	{ "v=DMARC1; p=reject", DMARC_REC_OK, R, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 1 },
	{ "v=DMARC1;p=quarantine;sp=none;np=reject;adkim=s;aspf=s;psd=n;t=y;pct=20;fo=1:d;"
	  "rua=mailto:a@x.example, mailto:b@y.example!10m", DMARC_REC_OK,
	  Q, N, R, 0, 's', 's', 'n', 1, 20, DMARC_FO_1 | DMARC_FO_D, 2, 0, 1 },
	{ "  v = DMARC1 ;  p = none ; ", DMARC_REC_OK, N, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 1 },
	{ "v=DMARC1", DMARC_REC_OK, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; P=Reject", DMARC_REC_OK, R, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 1 },
	{ "p=reject; v=DMARC1", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC2; p=reject", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=dmarc1; p=reject", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1 p=reject", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=spf1 -all", DMARC_REC_NOT_DMARC, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=none; p=reject", DMARC_REC_INVALID, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=reject; foo=1; FOO=2", DMARC_REC_INVALID, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; v=DMARC1; p=reject", DMARC_REC_INVALID, U, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=rej", DMARC_REC_OK, U, U, U, 1, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=", DMARC_REC_OK, U, U, U, 1, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=reject; adkim=x; aspf=relaxed; psd=q; t=maybe; pct=101; fo=0:1",
	  DMARC_REC_OK, R, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=reject; rf=afrfruf=mailto:x@y.example", DMARC_REC_OK,
	  R, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=reject; rua=mailto:a@b.example,,notauri, mailto:c@d.example;ruf=mailto:f@b.example",
	  DMARC_REC_OK, R, U, U, 0, 'r', 'r', 'u', 0, 100, 1, 2, 1, 0 },
	{ "v=DMARC1; p=reject; 9x=1; =bad; junk; t=y", DMARC_REC_OK,
	  R, U, U, 0, 'r', 'r', 'u', 1, 100, 1, 0, 0, 0 },
	{ "v=DMARC1; p=none; fo=s:d", DMARC_REC_OK, N, U, U, 0, 'r', 'r', 'u', 0, 100,
	  DMARC_FO_S | DMARC_FO_D, 0, 0, 1 },
};

/* opendmarc_check - libopendmarc reads the same p, adkim, aspf and pct */
static void
opendmarc_check(const struct rec_case *c, const struct dmarc_record *r)
{
#ifdef HAVE_OPENDMARC
	static const char want_p[] = { 0, 'n', 'q', 'r' };
	DMARC_POLICY_T *pctx = opendmarc_policy_connect_init((u_char *)"192.0.2.1", 0);
	int p = 0, adkim = 0, aspf = 0, pct = 0, st;

	st = opendmarc_policy_parse_dmarc(pctx, (u_char *)"x.example", (u_char *)c->rec);
	opendmarc_policy_fetch_p(pctx, &p);
	opendmarc_policy_fetch_adkim(pctx, &adkim);
	opendmarc_policy_fetch_aspf(pctx, &aspf);
	opendmarc_policy_fetch_pct(pctx, &pct);
	ok(st == DMARC_PARSE_OKAY && p == want_p[r->p] && adkim == r->adkim && aspf == r->aspf &&
	    pct == r->pct, "libopendmarc agrees on \"%.40s\" (st %d p %c adkim %c aspf %c pct %d)",
	    c->rec, st, p ? p : '-', adkim ? adkim : '-', aspf ? aspf : '-', pct);
	opendmarc_policy_connect_shutdown(pctx);
#else
	(void)r;
	ok(1, "# SKIP libopendmarc not installed: no cross-check of \"%.40s\"", c->rec);
#endif
}

/* test_records - the table above */
static void
test_records(void)
{
	struct dmarc_record r;
	enum dmarc_rec_status st;
	char why[100];
	size_t k;

	for (k = 0; k < sizeof(rec_cases) / sizeof(rec_cases[0]); k++) {
		const struct rec_case *c = &rec_cases[k];

		st = dmarc_record_parse(c->rec, strlen(c->rec), &r, why, sizeof(why));
		is_int(st, c->st, "record \"%s\": status (%s)", c->rec, why);
		if (st == DMARC_REC_OK) {
			ok(r.p == c->p && r.sp == c->sp && r.np == c->np && r.p_bad == c->p_bad,
			    "record \"%.50s\": p %d sp %d np %d bad %d", c->rec, r.p, r.sp, r.np, r.p_bad);
			ok(r.adkim == c->adkim && r.aspf == c->aspf && r.psd == c->psd &&
			    r.testing == c->t && r.pct == c->pct && r.fo == c->fo,
			    "record \"%.50s\": adkim %c aspf %c psd %c t %d pct %d fo %u", c->rec,
			    r.adkim, r.aspf, r.psd, r.testing, r.pct, r.fo);
			ok(r.rua.n == c->nrua && r.ruf.n == c->nruf, "record \"%.50s\": %zu rua, %zu ruf",
			    c->rec, r.rua.n, r.ruf.n);
			if (c->opendmarc)
				opendmarc_check(c, &r);
		}
		dmarc_record_free(&r);
	}
	dmarc_record_parse("v=DMARC1; p=none; rua=mailto:x@y.example!10m", 44, &r, NULL, 0);
	is_str(r.rua.n ? r.rua.v[0] : NULL, "mailto:x@y.example!10m", "rua kept verbatim");
	dmarc_record_free(&r);
}

/* --- Public Suffix List --------------------------------------------------- */

/* psl_is - org domain of name under psl */
static void
psl_is(const struct dmarc_psl *psl, const char *name, const char *want)
{
	char *got = dmarc_psl_org(psl, name);

	is_str(got, want, "psl: org domain of %s", name);
	free(got);
}

/* test_psl - the small test list and, when installed, Debian's */
static void
test_psl(const char *path)
{
	struct buf err = BUF_INIT;
	struct dmarc_psl *psl;
	const char *deb = "/usr/share/publicsuffix/public_suffix_list.dat";

	buf_init(&err);
	psl = dmarc_psl_load("/nonexistent/psl.dat", &err);
	ok(psl == NULL && strstr(err.data, "/nonexistent") != NULL,
	    "psl: missing file is an error naming it (%s)", err.data);
	psl = dmarc_psl_load(path, &err);
	ok(psl != NULL, "psl: test list loads");
	if (psl) {
		psl_is(psl, "a.b.co.example", "b.co.example");
		psl_is(psl, "co.example", "co.example");
		psl_is(psl, "shop.example", "shop.example");
		psl_is(psl, "x.y.unlisted", "y.unlisted");	/* the implicit "*" rule */
		psl_is(psl, "unlisted", "unlisted");
		psl_is(psl, "a.b.wild.example", "a.b.wild.example");
		psl_is(psl, "x.www.wild.example", "www.wild.example");
		psl_is(psl, "a.b.xn--bcher-kva.example", "b.xn--bcher-kva.example");
	}
	dmarc_psl_free(psl);
	if ((psl = dmarc_psl_load(deb, &err)) == NULL) {
		diag("no Debian publicsuffix list: %s", err.data);
	} else {
		psl_is(psl, "www.example.co.uk", "example.co.uk");
		psl_is(psl, "a.b.city.kawasaki.jp", "city.kawasaki.jp");
		psl_is(psl, "foo.bar.kawasaki.jp", "foo.bar.kawasaki.jp");
		psl_is(psl, "mail.example.com", "example.com");
		dmarc_psl_free(psl);
	}
	dmarc_psl_free(NULL);
	buf_free(&err);
}

/* --- evaluation against the test DNS ---------------------------------- */

struct eval_case {
	const char     *label;
	const char     *from;		/* NULL: no From; "\n" separates several fields */
	const char     *spf, *spf_domain;
	int		helo;
	const char     *dkim_d, *dkim_res;
	const char     *result, *policy_domain, *org, *tag, *disposition;
};

static const struct eval_case walk_cases[] = {
	{ "author record: p", "a@pol.example", "fail", "pol.example", 0, NULL, NULL,
	  "fail", "pol.example", "pol.example", "p", "none" },
	{ "existing subdomain: sp", "a@mail.pol.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "pol.example", "pol.example", "sp", "quarantine" },
	{ "non-existent subdomain: np", "a@nx.pol.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "pol.example", "pol.example", "np", "reject" },
	{ "non-existent subdomain without np: sp", "a@nx.nonp.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "nonp.example", "nonp.example", "sp", "quarantine" },
	{ "policy only at an intermediate label", "a@x.dept.corp.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "dept.corp.example", "dept.corp.example", "p", "quarantine" },
	{ "two levels: the shorter is the org domain", "a@a.mail.two.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "two.example", "two.example", "sp", "quarantine" },
	{ "two levels: own record first", "a@mail.two.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "mail.two.example", "two.example", "p", "reject" },
	{ "psd=n ends the walk", "a@a.dept.psdn.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "dept.psdn.example", "dept.psdn.example", "p", "reject" },
	{ "psd=y: PSD policy for an org without record", "a@a.org.psd.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "psd.example", "org.psd.example", "p", "quarantine" },
	{ "psd=y: the org's own record wins", "a@x.own.psd.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "own.psd.example", "own.psd.example", "p", "reject" },
	{ "psd=y: relaxed alignment inside one org", "a@a.org.psd.example", NULL, NULL, 0,
	  "b.org.psd.example", "pass", "pass", "psd.example", "org.psd.example", NULL, "none" },
	{ "psd=y: no alignment across orgs", "a@a.org.psd.example", NULL, NULL, 0,
	  "other.psd.example", "pass", "fail", "psd.example", "org.psd.example", NULL, "quarantine" },
	{ "t=y: reject becomes quarantine", "a@testing.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "testing.example", NULL, "p", "quarantine" },
	{ "t=y: quarantine becomes none", "a@testq.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "testq.example", NULL, "p", "none" },
	{ "strict DKIM: subdomain fails", "a@strict.example", NULL, NULL, 0,
	  "mail.strict.example", "pass", "fail", NULL, NULL, NULL, "reject" },
	{ "strict DKIM: same domain passes", "a@strict.example", NULL, NULL, 0,
	  "Strict.Example", "pass", "pass", NULL, NULL, NULL, "none" },
	{ "strict SPF: subdomain fails", "a@strict.example", "pass", "mail.strict.example", 0,
	  NULL, NULL, "fail", NULL, NULL, NULL, "reject" },
	{ "strict SPF: same domain passes", "a@strict.example", "pass", "strict.example", 0,
	  NULL, NULL, "pass", NULL, NULL, NULL, "none" },
	{ "relaxed DKIM: subdomain passes", "a@relaxed.example", NULL, NULL, 0,
	  "mail.relaxed.example", "pass", "pass", NULL, NULL, NULL, "none" },
	{ "relaxed SPF: subdomain passes", "a@relaxed.example", "pass", "bounce.relaxed.example", 0,
	  NULL, NULL, "pass", NULL, NULL, NULL, "none" },
	{ "relaxed: From subdomain, DKIM parent", "a@news.relaxed.example", NULL, NULL, 0,
	  "relaxed.example", "pass", "pass", "relaxed.example", "relaxed.example", NULL, NULL },
	{ "relaxed: psd=n subdomain is its own org", "a@relaxed.example", NULL, NULL, 0,
	  "sep.relaxed.example", "pass", "fail", NULL, NULL, NULL, "reject" },
	{ "DKIM fail does not count", "a@relaxed.example", "softfail", "relaxed.example", 0,
	  "relaxed.example", "fail", "fail", NULL, NULL, NULL, "reject" },
	{ "SPF of HELO is not used (RFC 9989)", "a@relaxed.example", "pass", "relaxed.example", 1,
	  NULL, NULL, "fail", NULL, NULL, NULL, "reject" },
	{ "unrelated DKIM domain", "a@relaxed.example", NULL, NULL, 0, "evil.example", "pass",
	  "fail", NULL, NULL, NULL, "reject" },
	{ "CNAME to a record", "a@alias.example", NULL, NULL, 0, "alias.example", "pass",
	  "pass", "alias.example", NULL, NULL, NULL },
	/* the resolver answers a CNAME loop with SERVFAIL: temporary, never a pass */
	{ "CNAME loop", "a@loop.example", NULL, NULL, 0, NULL, NULL,
	  "temperror", NULL, NULL, NULL, "none" },
	{ "IDN From to A-label", "J <a@B\xc3\x9c" "CHER.example>", NULL, NULL, 0,
	  "xn--bcher-kva.example", "pass", "pass", "xn--bcher-kva.example", NULL, NULL, NULL },
	{ "more than eight labels: 9-label record skipped", "a@a.b.c.d.e.f.g.h.i.deep.example",
	  NULL, NULL, 0, NULL, NULL, "fail", "deep.example", "deep.example", "p", "quarantine" },
	{ "no record", "a@norecord.example", "pass", "norecord.example", 0, NULL, NULL,
	  "none", NULL, NULL, NULL, "none" },
	{ "REFUSED during the walk", "a@x.refused.example", NULL, NULL, 0, NULL, NULL,
	  "temperror", NULL, NULL, NULL, "none" },
	{ "v= not first", "a@vnotfirst.example", NULL, NULL, 0, NULL, NULL, "none", NULL, NULL, NULL, NULL },
	{ "v=dmarc1 lower case", "a@lowerv.example", NULL, NULL, 0, NULL, NULL, "none", NULL, NULL, NULL, NULL },
	{ "missing separator after v=", "a@nosemi.example", NULL, NULL, 0, NULL, NULL,
	  "none", NULL, NULL, NULL, NULL },
	{ "two records: no policy", "a@tworec.example", NULL, NULL, 0, NULL, NULL,
	  "none", NULL, NULL, NULL, "none" },
	{ "SPF record beside DMARC record", "a@withspf.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "withspf.example", NULL, "p", "reject" },
	{ "duplicate tag", "a@dup.example", NULL, NULL, 0, NULL, NULL, "permerror", "dup.example",
	  NULL, NULL, "none" },
	{ "rua split over TXT strings", "a@split.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "split.example", NULL, "p", "reject" },
	{ "rf=afrfruf=...: unknown tag ignored", "a@rf.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "rf.example", NULL, "p", "quarantine" },
	{ "unknown tag and bad values ignored", "a@unknown.example", NULL, NULL, 0,
	  "mail.unknown.example", "pass", "pass", NULL, NULL, NULL, NULL },
	{ "no p= but rua=: p=none", "a@nop.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "nop.example", NULL, "p", "none" },
	{ "no p= and no rua=: not applied", "a@nopnorua.example", NULL, NULL, 0, NULL, NULL,
	  "none", NULL, NULL, NULL, "none" },
	{ "bad p= and bad rua=: not applied", "a@badp.example", NULL, NULL, 0, NULL, NULL,
	  "none", NULL, NULL, NULL, "none" },
	{ "bad sp= with rua=: p=none", "a@badsp.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "badsp.example", NULL, "p", "none" },
	{ "no From field", NULL, "pass", "relaxed.example", 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "two From fields", "a@relaxed.example\na@relaxed.example", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "From with two domains", "a@relaxed.example, b@evil.example", NULL, NULL, 0,
	  "relaxed.example", "pass", "permerror", NULL, NULL, NULL, "none" },
	{ "From with one domain twice", "a@relaxed.example, B <b@Relaxed.Example>", NULL, NULL, 0,
	  NULL, NULL, "fail", "relaxed.example", NULL, NULL, "reject" },
	{ "quoted local part with <x@y>", "\"a <x@evil.example>\"@relaxed.example", NULL, NULL, 0,
	  NULL, NULL, "fail", "relaxed.example", NULL, NULL, "reject" },
	{ "user@d>", "user@relaxed.example>", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "mailbox without domain", "a@relaxed.example, b", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "address literal", "a@[192.0.2.1]", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "empty group", "undisclosed-recipients:;", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
};

static const struct eval_case psl_cases[] = {
	{ "psl: subdomain of a co.example org: sp", "a@mail.shop.co.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "shop.co.example", "shop.co.example", "sp", "none" },
	{ "psl: relaxed DKIM under co.example", "a@shop.co.example", NULL, NULL, 0,
	  "mail.shop.co.example", "pass", "pass", "shop.co.example", "shop.co.example", "p", "none" },
	{ "psl: intermediate record not found", "a@x.dept.corp.example", NULL, NULL, 0, NULL, NULL,
	  "none", NULL, "corp.example", NULL, "none" },
	{ "psl: HELO identity counts (RFC 7489)", "a@relaxed.example", "pass", "relaxed.example", 1,
	  NULL, NULL, "pass", NULL, NULL, NULL, NULL },
	{ "psl: t= ignored", "a@testing.example", NULL, NULL, 0, NULL, NULL,
	  "fail", "testing.example", NULL, "p", "reject" },
	{ "psl: psd=n is not a tree walk", "a@relaxed.example", NULL, NULL, 0,
	  "sep.relaxed.example", "pass", "pass", NULL, NULL, NULL, NULL },
};

/* run - evaluate one case; the caller frees out */
static void
run(struct dmarc_engine *e, const struct eval_case *c, struct dmarc_outcome *out)
{
	struct dmarc_dkim_in dk = { c->dkim_d, "sel", c->dkim_res };
	struct dmarc_input in;
	const char *from[4];
	char *copy = c->from ? strdup(c->from) : NULL, *save, *tok;

	memset(&in, 0, sizeof(in));
	for (tok = copy ? strtok_r(copy, "\n", &save) : NULL; tok && in.nfrom < 4;
	    tok = strtok_r(NULL, "\n", &save))
		from[in.nfrom++] = tok;
	in.from = from;
	in.spf_result = c->spf;
	in.spf_domain = c->spf_domain;
	in.spf_is_helo = c->helo;
	in.dkim = c->dkim_d ? &dk : NULL;
	in.ndkim = c->dkim_d ? 1 : 0;
	is_int(dmarc_evaluate(e, &in, out), 0, "%s: evaluated", c->label);
	free(copy);
}

/* check - compare an outcome with its row */
static void
check(struct dmarc_engine *e, const struct eval_case *c)
{
	struct dmarc_outcome o;

	run(e, c, &o);
	is_str(dmarc_result_str(o.result), c->result, "%s: result (%s)", c->label, o.reason);
	if (c->policy_domain)
		is_str(o.policy_domain, c->policy_domain, "%s: policy domain", c->label);
	if (c->org)
		is_str(o.org_domain, c->org, "%s: organizational domain", c->label);
	if (c->tag)
		is_str(o.policy_tag, c->tag, "%s: policy tag", c->label);
	if (c->disposition)
		is_str(dmarc_disposition(&o), c->disposition, "%s: disposition", c->label);
	dmarc_outcome_free(&o);
}

/* engine_from - a DMARC engine in the given mode and From options
 * (RejectMultiValueFrom, RejectMultipleFromFields) */
static struct dmarc_engine *
engine_from(struct dns *d, const char *standard, const char *psl, const char *multi,
    int reject_multi, int one_field)
{
	struct conf *c = conf_defaults();
	struct buf err = BUF_INIT;
	struct dmarc_engine *e;

	buf_init(&err);
	free(c->dmarc_standard);
	c->dmarc_standard = xstrdup(standard);
	free(c->public_suffix_list);
	c->public_suffix_list = psl ? xstrdup(psl) : NULL;
	if (multi != NULL) {
		free(c->multi_value_from);
		c->multi_value_from = xstrdup(multi);
	}
	c->reject_multi_from = reject_multi;
	c->reject_multi_from_fields = one_field;
	if ((e = dmarc_engine_new(d, c, &err)) == NULL)
		diag("dmarc_engine_new: %s", err.data);
	conf_free(c);
	buf_free(&err);
	return e;
}

/* engine - a DMARC engine in the given mode, default From options */
static struct dmarc_engine *
engine(struct dns *d, const char *standard, const char *psl, const char *multi)
{
	return engine_from(d, standard, psl, multi, 0, 1);
}

static unsigned dice_value;

/* dice - the injected pct= source */
static unsigned
dice(void *arg)
{
	(void)arg;
	return dice_value;
}

/* test_details - fields the tables do not cover */
static void
test_details(struct dmarc_engine *e)
{
	static const struct eval_case split = { "split", "a@split.example", NULL, NULL, 0, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL };
	static const struct eval_case rf = { "rf", "a@rf.example", NULL, NULL, 0, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL };
	static const struct eval_case dk = { "dkim", "a@relaxed.example", "pass", "relaxed.example",
		0, "mail.relaxed.example", "pass", NULL, NULL, NULL, NULL, NULL };
	static const struct eval_case two = { "two", "a@relaxed.example", NULL, NULL, 0, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL };
	static const struct eval_case multi = { "multi", "a@one.example, b@two.example", NULL, NULL,
		0, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	static const struct eval_case tr = { "tworec", "a@tworec.example", NULL, NULL, 0, NULL, NULL,
		NULL, NULL, NULL, NULL, NULL };
	struct dmarc_outcome o;

	run(e, &split, &o);
	is_str(o.rec.rua.n ? o.rec.rua.v[0] : NULL, "mailto:dmarc@split.example",
	    "rua joined across TXT strings");
	dmarc_outcome_free(&o);
	run(e, &rf, &o);
	ok(o.rec.ruf.n == 0 && o.rec.p == DMARC_POLICY_QUARANTINE, "rf=afrfruf=... yields no ruf");
	dmarc_outcome_free(&o);
	run(e, &dk, &o);
	ok(o.dkim_aligned && o.spf_aligned && o.dkim_evaluated && o.spf_evaluated,
	    "both identifiers aligned and evaluated");
	is_str(o.dkim_domain, "mail.relaxed.example", "aligned DKIM domain reported");
	is_str(o.dkim_selector, "sel", "aligned DKIM selector reported");
	is_str(o.discovery, "treewalk", "discovery is treewalk");
	ok(o.have_record && o.rec.p == DMARC_POLICY_REJECT && o.rec.adkim == 'r',
	    "record as parsed is in the outcome");
	dmarc_outcome_free(&o);
	run(e, &two, &o);
	ok(!o.dkim_evaluated && !o.spf_evaluated && !o.dkim_aligned, "nothing to align: nothing evaluated");
	dmarc_outcome_free(&o);
	run(e, &multi, &o);
	is_str(o.header_from, "one.example", "several domains: header_from is the first");
	ok(strstr(o.reason, "several") != NULL, "several domains: reason says so (%s)", o.reason);
	dmarc_outcome_free(&o);
	run(e, &tr, &o);
	ok(strstr(o.reason, "discarded") != NULL, "two records: reason says discarded (%s)", o.reason);
	dmarc_outcome_free(&o);
	dmarc_outcome_free(NULL);
}

/* MultiValueFrom strictest: each Author Domain, the strictest outcome stands */
static const struct eval_case strictest_cases[] = {
	{ "strictest: p=none and p=reject failing: reject", "a@pol.example, b@nonp.example",
	  NULL, NULL, 0, NULL, NULL, "fail", "nonp.example", NULL, "p", "reject" },
	{ "strictest: one passes, one fails with p=none: the failure", "a@relaxed.example, b@two.example",
	  NULL, NULL, 0, "relaxed.example", "pass", "fail", "two.example", NULL, "p", "none" },
	{ "strictest: both aligned: pass", "a@relaxed.example, b@mail.relaxed.example",
	  NULL, NULL, 0, "relaxed.example", "pass", "pass", "relaxed.example", NULL, NULL, "none" },
	{ "strictest: a domain without a record: none", "a@relaxed.example, b@norecord.example",
	  NULL, NULL, 0, "relaxed.example", "pass", "none", NULL, NULL, NULL, "none" },
	{ "strictest: six domains are too many: permerror",
	  "a@a.example, b@b.example, c@c.example, d@d.example, e@e.example, f@f.example",
	  NULL, NULL, 0, NULL, NULL, "permerror", NULL, NULL, NULL, "none" },
	{ "strictest: two From fields stay permerror", "a@pol.example\nb@pol.example",
	  NULL, NULL, 0, NULL, NULL, "permerror", NULL, NULL, NULL, "none" },
};

static void
test_strictest(struct dns *d)
{
	struct dmarc_engine *e = engine(d, "rfc9989", NULL, "strictest");
	struct dmarc_outcome o;
	size_t k;

	ok(e != NULL, "MultiValueFrom strictest engine");
	if (e == NULL)
		return;
	for (k = 0; k < sizeof(strictest_cases) / sizeof(strictest_cases[0]); k++)
		check(e, &strictest_cases[k]);
	run(e, &strictest_cases[0], &o);
	is_str(o.header_from, "nonp.example", "strictest: header.from is the domain that decided");
	ok(!o.from_problem, "strictest: evaluated, not a From problem");
	ok(strncmp(o.reason, "2 From domains, strictest: ", 27) == 0, "strictest: reason says so (%s)", o.reason);
	dmarc_outcome_free(&o);
	run(e, &strictest_cases[4], &o);
	ok(o.from_problem, "strictest: six domains are a From problem (RejectMultiValueFrom decides)");
	dmarc_outcome_free(&o);
	dmarc_engine_free(e);
}

/* the default From handling (MultiValueFrom strictest, RejectMultipleFromFields
 * yes): every domain a From names is evaluated, a malformed one read
 * leniently, so no malformation turns a p=reject failure into permerror */
static const struct eval_case default_from_cases[] = {
	{ "default: user@d> passes when d aligns", "user@relaxed.example>", "pass", "relaxed.example",
	  0, NULL, NULL, "pass", "relaxed.example", NULL, NULL, "none" },
	{ "default: <user@d>> fails p=reject", "<user@relaxed.example>>", NULL, NULL, 0, NULL, NULL,
	  "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: a missing '>' fails p=reject", "CEO <ceo@relaxed.example", NULL, NULL, 0, NULL,
	  NULL, "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: an unterminated quote fails p=reject", "\"CEO <ceo@relaxed.example>", NULL, NULL,
	  0, NULL, NULL, "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: a comment before the domain of a malformed From", "<ceo@(x)relaxed.example>>",
	  NULL, NULL, 0, NULL, NULL, "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: obs-domain spaces in a malformed From", "<ceo@relaxed . example>>", NULL, NULL,
	  0, NULL, NULL, "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: trailing dots", "<ceo@relaxed.example..>>", NULL, NULL, 0, NULL, NULL,
	  "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: mailbox without domain, the other passes", "a@relaxed.example, b", "pass",
	  "relaxed.example", 0, NULL, NULL, "pass", NULL, NULL, NULL, "none" },
	{ "default: an address literal beside a host name", "a@[192.0.2.1], b@relaxed.example",
	  NULL, NULL, 0, NULL, NULL, "fail", "relaxed.example", NULL, "p", "reject" },
	{ "default: two domains, one fails p=reject", "a@relaxed.example, b@nonp.example", "pass",
	  "relaxed.example", 0, NULL, NULL, "fail", "nonp.example", NULL, "p", "reject" },
	{ "default: two From fields: permerror (RejectMultipleFromFields)",
	  "a@relaxed.example\na@relaxed.example", NULL, NULL, 0, NULL, NULL, "permerror", NULL,
	  NULL, NULL, "none" },
	{ "default: six domains: permerror (refused by the caller)",
	  "a@a.example, b@b.example, c@c.example, d@d.example, e@e.example, f@relaxed.example",
	  NULL, NULL, 0, NULL, NULL, "permerror", NULL, NULL, NULL, "none" },
	{ "default: six domains in a malformed From", "<a@a.example b@b.example c@c.example "
	  "d@d.example e@e.example f@relaxed.example", NULL, NULL, 0, NULL, NULL, "permerror", NULL,
	  NULL, NULL, "none" },
	{ "default: no domain at all", "undisclosed-recipients:;", NULL, NULL, 0, NULL, NULL,
	  "permerror", NULL, NULL, NULL, "none" },
	{ "default: no From", NULL, NULL, NULL, 0, NULL, NULL, "permerror", NULL, NULL, NULL, "none" },
};

/* test_default_from - the default From handling and its switches */
static void
test_default_from(struct dns *d)
{
	static const struct eval_case two = { "RejectMultipleFromFields no: two From fields, the "
		"strictest", "a@relaxed.example\nb@nonp.example", "pass", "relaxed.example", 0,
		NULL, NULL, "fail", "nonp.example", NULL, "p", "reject" };
	static const struct eval_case gt = { "RejectMultiValueFrom yes: a malformed From stays "
		"permerror", "<user@relaxed.example>>", NULL, NULL, 0, NULL, NULL, "permerror",
		NULL, NULL, NULL, "none" };
	struct conf *c = conf_defaults();
	struct dmarc_engine *e = engine(d, "rfc9989", NULL, NULL);
	struct dmarc_outcome o;
	size_t k;

	is_str(c->multi_value_from, "strictest", "MultiValueFrom strictest by default");
	ok(c->reject_multi_from_fields && !c->reject_multi_from,
	    "RejectMultipleFromFields yes, RejectMultiValueFrom no by default");
	conf_free(c);
	for (k = 0; e && k < sizeof(default_from_cases) / sizeof(default_from_cases[0]); k++)
		check(e, &default_from_cases[k]);
	if (e) {
		run(e, &default_from_cases[1], &o);
		ok(!o.from_problem, "default: a malformed From evaluated is no From problem");
		ok(strncmp(o.reason, "malformed From: ", 16) == 0 &&
		    strstr(o.reason, "; 1 From domain, strictest: ") != NULL,
		    "and the reason says so (%s)", o.reason);
		dmarc_outcome_free(&o);
		run(e, &default_from_cases[10], &o);
		ok(o.from_problem && o.from_fields == 2, "default: two From fields: a From problem, counted");
		is_str(o.header_from, "relaxed.example", "and header.from is the first field's domain");
		dmarc_outcome_free(&o);
		run(e, &default_from_cases[11], &o);
		ok(o.from_problem && o.from_capped, "default: six domains: capped");
		dmarc_outcome_free(&o);
		run(e, &default_from_cases[12], &o);
		ok(o.from_problem && o.from_capped, "default: six domains in a malformed From: capped");
		dmarc_outcome_free(&o);
	}
	dmarc_engine_free(e);
	e = engine_from(d, "rfc9989", NULL, NULL, 0, 0);
	if (e)
		check(e, &two);
	dmarc_engine_free(e);
	e = engine_from(d, "rfc9989", NULL, NULL, 1, 1);
	if (e)
		check(e, &gt);
	dmarc_engine_free(e);
}

/* test_pct - rfc7489 mode applies pct= with the injected dice */
static void
test_pct(struct dmarc_engine *e)
{
	static const struct eval_case c = { "pct", "a@shop.co.example", NULL, NULL, 0,
		"other.co.example", "pass", NULL, NULL, NULL, NULL, NULL };
	struct dmarc_outcome o;

	dmarc_engine_set_random(e, dice, NULL);
	dice_value = 49;
	run(e, &c, &o);
	ok(o.result == DMARC_RESULT_FAIL && o.rec.pct == 50 && o.pct_selected,
	    "pct=50, dice 49: selected");
	is_str(dmarc_disposition(&o), "reject", "pct=50, dice 49: reject");
	is_str(o.discovery, "psl", "discovery is psl");
	dmarc_outcome_free(&o);
	dice_value = 50;
	run(e, &c, &o);
	ok(!o.pct_selected, "pct=50, dice 50: not selected");
	is_str(dmarc_disposition(&o), "quarantine", "pct=50, dice 50: one level lower");
	dmarc_outcome_free(&o);
	dmarc_engine_set_random(e, NULL, NULL);
}

/* worker - one thread's share of concurrent evaluations; returns failures */
static void *
worker(void *arg)
{
	static const struct dmarc_dkim_in dk = { "mail.relaxed.example", "s", "pass" };
	const char *from[1] = { "a@news.relaxed.example" };
	struct dmarc_input in = { from, 1, "fail", "x.example", 0, &dk, 1 };
	struct dmarc_outcome o;
	size_t k, bad = 0;

	for (k = 0; k < 25; k++) {
		dmarc_evaluate(arg, &in, &o);
		bad += o.result != DMARC_RESULT_PASS;
		dmarc_outcome_free(&o);
	}
	return (void *)bad;
}

/* test_threads - one engine, eight threads at once */
static void
test_threads(struct dmarc_engine *e)
{
	pthread_t t[8];
	size_t k, bad = 0;
	void *r;

	for (k = 0; k < 8; k++)
		pthread_create(&t[k], NULL, worker, e);
	for (k = 0; k < 8; k++) {
		pthread_join(t[k], &r);
		bad += (size_t)r;
	}
	is_int(bad, 0, "200 evaluations on eight threads at once all pass");
}

/* test_dns - the evaluation against the test DNS (dmarc.sh) */
static void
test_dns(const char *port, const char *dead, const char *psl)
{
	struct dmarc_engine *e;
	struct dns *d;
	size_t k;

	d = test_resolver(port, 3);
	ok(d != NULL, "resolver created");
	if (d == NULL)
		return;
	/* the From rows of walk_cases are OpenDMARC's behaviour: permerror */
	e = engine(d, "rfc9989", NULL, "permerror");
	ok(e != NULL, "rfc9989 engine");
	for (k = 0; e && k < sizeof(walk_cases) / sizeof(walk_cases[0]); k++)
		check(e, &walk_cases[k]);
	if (e) {
		test_details(e);
		test_threads(e);
	}
	dmarc_engine_free(e);
	test_strictest(d);
	test_default_from(d);

	ok(engine(d, "rfc7489", "/nonexistent/psl.dat", NULL) == NULL, "rfc7489 without a PSL file fails");
	e = engine(d, "rfc7489", psl, NULL);
	ok(e != NULL, "rfc7489 engine");
	for (k = 0; e && k < sizeof(psl_cases) / sizeof(psl_cases[0]); k++)
		check(e, &psl_cases[k]);
	if (e)
		test_pct(e);
	dmarc_engine_free(e);
	dns_free(d);

	/* a resolver nobody answers: temperror, never none */
	d = test_resolver(dead, 1);
	e = d ? engine(d, "rfc9989", NULL, NULL) : NULL;
	if (e) {
		static const struct eval_case down = { "DNS server down", "a@relaxed.example", "pass",
			"relaxed.example", 0, NULL, NULL, "temperror", NULL, NULL, NULL, "none" };

		check(e, &down);
	}
	dmarc_engine_free(e);
	dns_free(d);
	dmarc_engine_free(NULL);
}

/* joined - a list as "a b c" */
static const char *
joined(const struct strlist *l, struct buf *b)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < l->n; i++)
		buf_printf(b, "%s%s", i ? " " : "", l->v[i]);
	return b->data ? b->data : "";
}

/* test_prefetch - the names DNSPrefetch starts for a From field: the
 * Author Domains dmarc_evaluate would evaluate, and the names dm_walk
 * (or, rfc7489, the PSL discovery) asks for each; no DNS is used */
static void
test_prefetch(const char *psl)
{
	static const struct {
		const char *label, *from, *authors;
	} af[] = {
		{ "one author", "Alice <alice@News.Example.COM>", "news.example.com" },
		{ "several (strictest)", "a@x.example, b@y.example, c@x.example", "x.example y.example" },
		{ "no mailbox", "undisclosed-recipients:;", "" },
		{ "not a host name", "a@[192.0.2.1]", "" },
		{ "six domains: not evaluated", "a@1.example, a@2.example, a@3.example, a@4.example, "
		  "a@5.example, a@6.example", "" },
	};
	struct dmarc_engine *e = engine_from(NULL, "rfc9989", NULL, NULL, 0, 1);
	struct dmarc_engine *one = engine_from(NULL, "rfc9989", NULL, "permerror", 0, 1);
	struct dmarc_engine *old = engine_from(NULL, "rfc7489", psl, NULL, 0, 1);
	struct strlist l = { 0, NULL };
	struct buf b = BUF_INIT;
	size_t i;

	buf_init(&b);
	for (i = 0; e != NULL && i < sizeof(af) / sizeof(af[0]); i++) {
		dmarc_prefetch_authors(e, af[i].from, &l);
		is_str(joined(&l, &b), af[i].authors, "prefetch authors: %s", af[i].label);
		strlist_free(&l);
	}
	if (one != NULL) {
		dmarc_prefetch_authors(one, "a@x.example, b@y.example", &l);
		is_str(joined(&l, &b), "", "prefetch authors: several, MultiValueFrom permerror: none");
		strlist_free(&l);
	}
	if (e != NULL) {
		dmarc_prefetch_names(e, "a.b.example.com", &l);
		is_str(joined(&l, &b), "_dmarc.a.b.example.com _dmarc.b.example.com _dmarc.example.com "
		    "_dmarc.com", "prefetch names: the tree walk, longest first");
		strlist_free(&l);
		dmarc_prefetch_names(e, "a.b.c.d.e.f.g.h.i.deep.example", &l);
		is_str(joined(&l, &b), "_dmarc.a.b.c.d.e.f.g.h.i.deep.example "
		    "_dmarc.e.f.g.h.i.deep.example _dmarc.f.g.h.i.deep.example _dmarc.g.h.i.deep.example "
		    "_dmarc.h.i.deep.example _dmarc.i.deep.example _dmarc.deep.example _dmarc.example",
		    "prefetch names: more than eight labels, then seven (section 4.10 step 4)");
		strlist_free(&l);
	}
	if (old != NULL) {
		dmarc_prefetch_names(old, "a.b.co.example", &l);
		is_str(joined(&l, &b), "_dmarc.a.b.co.example _dmarc.b.co.example",
		    "prefetch names, rfc7489: the author, then its PSL Organizational Domain");
		strlist_free(&l);
	}
	dmarc_engine_free(e);
	dmarc_engine_free(one);
	dmarc_engine_free(old);
	buf_free(&b);
}

int
main(int argc, char **argv)
{
	const char *port = getenv("DNS_PORT"), *dead = getenv("DEAD_PORT");
	const char *psl = getenv("DMARC_PSL"), *srcdir = getenv("srcdir");
	char path[4096];

	if (argc > 1 && strcmp(argv[1], "dns") == 0) {
		ok(port != NULL && dead != NULL && psl != NULL,
		    "DNS_PORT, DEAD_PORT and DMARC_PSL set (run through dmarc.sh)");
		if (port != NULL && dead != NULL && psl != NULL)
			test_dns(port, dead, psl);
		return tap_done();
	}
	test_records();
	snprintf(path, sizeof(path), "%s/zones/dmarc-psl.dat", srcdir ? srcdir : ".");
	test_psl(path);
	test_prefetch(path);
	return tap_done();
}
