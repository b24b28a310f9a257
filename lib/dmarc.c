/*
 * dmarc.c - DMARC evaluation of one message (RFC 9989 section 5.3)
 *
 * The engine, the steps of one evaluation in order (Author Domain:
 * dmarc_author.c; policy record and Organizational Domain discovery:
 * dmarc_discover.c; identifier alignment: dmarc_align.c), the policy
 * (p, sp or np) that applies, MultiValueFrom strictest, the disposition.
 * Every DNS query goes through lib/dns; libopendmarc's resolver and its
 * global state (library init, TLD table) are not used, so nothing here
 * needs process-wide setup and an engine can be rebuilt on reload while
 * old ones are still in use.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "dmarc_int.h"
#include "dns.h"

/* dm_dice - default pct= dice, 0-99 */
static unsigned
dm_dice(void *arg)
{
	(void)arg;
	return arc4random_uniform(100);
}

/* dmarc_engine_new - see dmarc.h */
struct dmarc_engine *
dmarc_engine_new(struct dns *dns, const struct conf *c, struct buf *err)
{
	struct dmarc_engine *e = xcalloc(1, sizeof(*e));

	e->dns = dns;
	e->dice = dm_dice;
	e->rfc7489 = c != NULL && c->dmarc_standard != NULL &&
	    strcasecmp(c->dmarc_standard, "rfc7489") == 0;
	/* RejectMultiValueFrom yes refuses every From problem: nothing to evaluate */
	e->strictest = c != NULL && c->multi_value_from != NULL &&
	    strcasecmp(c->multi_value_from, "strictest") == 0 && !c->reject_multi_from;
	e->one_field = c == NULL || c->reject_multi_from_fields;
	if (e->rfc7489 &&
	    (e->psl = dmarc_psl_load(c->public_suffix_list, err)) == NULL) {
		free(e);
		return NULL;
	}
	return e;
}

/* dmarc_engine_free - release the engine (not its resolver) */
void
dmarc_engine_free(struct dmarc_engine *e)
{
	if (e == NULL)
		return;
	dmarc_psl_free(e->psl);
	free(e);
}

/* dmarc_engine_set_random - see dmarc.h */
void
dmarc_engine_set_random(struct dmarc_engine *e, unsigned (*fn)(void *), void *arg)
{
	e->dice = fn ? fn : dm_dice;
	e->dice_arg = arg;
}

/* dmarc_set_result - see dmarc_int.h */
void
dmarc_set_result(struct dmarc_outcome *o, enum dmarc_result r, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
	va_end(ap);
}

/* dmarc_org_domain - see dmarc.h */
int
dmarc_org_domain(struct dmarc_engine *e, const char *domain, char **org, char *why,
    size_t whylen)
{
	struct dmarc_outcome o;
	struct dmarc_ctx x;
	char *d = xstrdup(domain), *p;
	size_t n = strlen(d);

	*org = NULL;
	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (n > 0 && d[n - 1] == '.')
		d[n - 1] = '\0';
	if (!dmarc_discover_name_ok(d)) {
		snprintf(why, whylen, "%.100s is not a host name", domain);
		free(d);
		return -2;
	}
	memset(&o, 0, sizeof(o));
	memset(&x, 0, sizeof(x));
	x.e = e;
	x.o = &o;
	*org = dmarc_discover_org(&x, d);
	free(d);
	if (*org == NULL) {
		snprintf(why, whylen, "%s", x.dnswhy);
		return x.dnserr == 1 ? -1 : -2;
	}
	return 0;
}

/* dm_policy - p, sp or np for this Author Domain (section 4.10.1) */
static int
dm_policy(struct dmarc_ctx *x)
{
	struct dmarc_outcome *o = x->o;
	struct dns_result *r;
	enum dns_status ds;

	o->policy = o->rec.p;
	o->policy_tag = "p";
	if (strcmp(o->policy_domain, o->header_from) == 0)
		return 0;
	if (!x->e->rfc7489) {
		/* np= for a non-existent Author Domain (section 3.2.13, RFC 8020) */
		ds = dns_query(x->e->dns, o->header_from, 1, &r);
		o->author_nxdomain = ds == DNS_NOTFOUND && r->nxdomain;
		if (ds == DNS_RETRY || ds == DNS_FAIL)
			snprintf(x->dnswhy, sizeof(x->dnswhy), "%.110s: %.80s", o->header_from, r->why);
		dns_result_free(r);
		if (ds == DNS_RETRY || ds == DNS_FAIL)
			return -1;
		if (o->author_nxdomain && o->rec.np != DMARC_POLICY_UNSET) {
			o->policy = o->rec.np;
			o->policy_tag = "np";
			return 0;
		}
	}
	if (o->rec.sp != DMARC_POLICY_UNSET) {
		o->policy = o->rec.sp;
		o->policy_tag = "sp";
	}
	return 0;
}

/* dm_usable - the applied record's policy tags; 0 go on, -1 result set */
static int
dm_usable(struct dmarc_ctx *x, enum dmarc_rec_status st, char *why)
{
	struct dmarc_outcome *o = x->o;
	struct dmarc_record *r = &o->rec;

	if (st == DMARC_REC_INVALID) {
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "invalid record at _dmarc.%.100s: %.100s",
		    o->policy_domain, why);
		return -1;
	}
	if (r->p == DMARC_POLICY_UNSET || r->sp_bad || r->np_bad) {
		/* section 4.10.1: with a usable rua= act as p=none, else no DMARC */
		if (r->rua.n == 0) {
			dmarc_set_result(o, DMARC_RESULT_NONE, "record at _dmarc.%s has no valid p= and no rua=",
			    o->policy_domain);
			return -1;
		}
		r->p = DMARC_POLICY_NONE;
		r->sp = r->np = DMARC_POLICY_UNSET;
	}
	return 0;
}

/* dm_one - sections 5.3.2 to 5.3.8 for out->header_from */
static void
dm_one(struct dmarc_engine *e, const struct dmarc_input *in, struct dmarc_outcome *out)
{
	struct dmarc_ctx x;
	enum dmarc_rec_status st = DMARC_REC_OK;
	char why[160] = "";
	int rc;

	memset(&x, 0, sizeof(x));
	x.e = e;
	x.o = out;
	rc = e->rfc7489 ? dmarc_discover_psl(&x, &st, why, sizeof(why)) :
	    dmarc_discover_walk(&x, &st, why, sizeof(why));
	if (rc != 0) {
		dmarc_set_result(out, x.dnserr == 2 ? DMARC_RESULT_PERMERROR : DMARC_RESULT_TEMPERROR,
		    "DNS: %.200s", x.dnswhy);
		return;
	}
	if (!out->have_record) {
		dmarc_set_result(out, DMARC_RESULT_NONE, "no DMARC record for %.80s%.160s", out->header_from, x.note);
		return;
	}
	if (dm_usable(&x, st, why) != 0)
		return;
	out->testing = out->rec.testing && !e->rfc7489;
	rc = dmarc_align_identifiers(&x, in);
	if (dm_policy(&x) != 0 && !out->spf_aligned && !out->dkim_aligned) {
		dmarc_set_result(out, DMARC_RESULT_TEMPERROR, "DNS: %.200s", x.dnswhy);
		return;
	}
	if (out->spf_aligned || out->dkim_aligned)
		dmarc_set_result(out, DMARC_RESULT_PASS, "%s aligned with %s",
		    out->dkim_aligned ? "DKIM" : "SPF", out->header_from);
	else if (rc != 0)
		dmarc_set_result(out, DMARC_RESULT_TEMPERROR, "DNS: %.200s", x.dnswhy);
	else {
		dmarc_set_result(out, DMARC_RESULT_FAIL, "no aligned identifier for %s", out->header_from);
		/* RFC 7489 section 6.6.4: pct= samples the failing messages */
		if (e->rfc7489 && out->rec.pct < 100)
			out->pct_selected = e->dice(e->dice_arg) < (unsigned)out->rec.pct;
	}
}

/* dm_rank - how strict an outcome is, for MultiValueFrom strictest: a
 * failure by its disposition, then temperror, permerror, none, pass */
static int
dm_rank(const struct dmarc_outcome *o)
{
	switch (o->result) {
	case DMARC_RESULT_FAIL:
		return strcmp(dmarc_disposition(o), "reject") == 0 ? 13 :
		    strcmp(dmarc_disposition(o), "quarantine") == 0 ? 12 : 11;
	case DMARC_RESULT_TEMPERROR: return 4;
	case DMARC_RESULT_PERMERROR: return 3;
	case DMARC_RESULT_NONE: return 2;
	default: return 1;
	}
}

/* dm_strictest - MultiValueFrom strictest: each Author Domain on its own,
 * the strictest outcome stands for the message (RFC 9989 section 11.5) */
static void
dm_strictest(struct dmarc_engine *e, const struct dmarc_input *in, const struct strlist *doms,
    const char *note, struct dmarc_outcome *out)
{
	struct dmarc_outcome t;
	char reason[sizeof(out->reason)];
	size_t k;

	for (k = 0; k < doms->n; k++) {
		memset(&t, 0, sizeof(t));
		t.pct_selected = 1;
		t.discovery = out->discovery;
		t.header_from = xstrdup(doms->v[k]);
		dm_one(e, in, &t);
		if (k == 0 || dm_rank(&t) > dm_rank(out)) {
			dmarc_outcome_free(out);
			*out = t;
		} else
			dmarc_outcome_free(&t);
	}
	if (*note)
		snprintf(reason, sizeof(reason), "%.110s; %zu From domain%s, strictest: %.80s", note,
		    doms->n, doms->n == 1 ? "" : "s", out->reason);
	else
		snprintf(reason, sizeof(reason), "%zu From domains, strictest: %.200s", doms->n,
		    out->reason);
	memcpy(out->reason, reason, sizeof(reason));
}

/* dmarc_evaluate - see dmarc.h */
int
dmarc_evaluate(struct dmarc_engine *e, const struct dmarc_input *in, struct dmarc_outcome *out)
{
	struct strlist doms = { 0, NULL };
	char note[120] = "";
	int rc;

	memset(out, 0, sizeof(*out));
	out->pct_selected = 1;
	out->discovery = e->rfc7489 ? "psl" : "treewalk";
	rc = e->strictest ? dmarc_author_all(e, out, in, &doms, note, sizeof(note)) :
	    dmarc_author_one(out, in, &doms);
	if (rc == 1 && e->strictest)
		dm_strictest(e, in, &doms, note, out);
	else if (rc != 0)
		out->from_problem = 1;
	else
		dm_one(e, in, out);
	out->from_fields = in->nfrom;
	strlist_free(&doms);
	return 0;
}

/* dmarc_outcome_free - release an outcome */
void
dmarc_outcome_free(struct dmarc_outcome *o)
{
	if (o == NULL)
		return;
	free(o->header_from);
	free(o->policy_domain);
	free(o->org_domain);
	free(o->dkim_domain);
	free(o->dkim_selector);
	dmarc_record_free(&o->rec);
	o->header_from = o->policy_domain = o->org_domain = NULL;
	o->dkim_domain = o->dkim_selector = NULL;
}

/* dmarc_disposition - see dmarc.h */
const char *
dmarc_disposition(const struct dmarc_outcome *o)
{
	enum dmarc_policy p = o->policy;

	if (o->result != DMARC_RESULT_FAIL || p == DMARC_POLICY_UNSET)
		return "none";
	if ((o->testing || !o->pct_selected) && p > DMARC_POLICY_NONE)
		p--;	/* t=y (RFC 9989 4.7), or not sampled by pct= (RFC 7489 6.6.4) */
	return dmarc_policy_str(p);
}

/* dmarc_result_str - RFC 8601 word */
const char *
dmarc_result_str(enum dmarc_result r)
{
	static const char *const w[] = { "none", "pass", "fail", "temperror", "permerror" };

	return (size_t)r < sizeof(w) / sizeof(w[0]) ? w[r] : "permerror";
}

/* dmarc_policy_str - policy word; "" when unset */
const char *
dmarc_policy_str(enum dmarc_policy p)
{
	static const char *const w[] = { "", "none", "quarantine", "reject" };

	return (size_t)p < sizeof(w) / sizeof(w[0]) ? w[p] : "";
}
