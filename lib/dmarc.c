/*
 * dmarc.c - DMARC evaluation of one message (RFC 9989 section 5.3)
 *
 * Author Domain from the From field (lib/address), DMARC Policy Record and
 * Organizational Domain discovery by the DNS tree walk (section 4.10) or,
 * in rfc7489 mode, the Public Suffix List, identifier alignment of SPF and
 * DKIM, and the policy (p, sp or np) that applies.  Every DNS query goes
 * through lib/dns; libopendmarc's resolver and its global state (library
 * init, TLD table) are not used, so nothing here needs process-wide setup
 * and an engine can be rebuilt on reload while old ones are still in use.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "conf.h"
#include "dmarc.h"
#include "dns.h"

#define DM_MAXWALK 8		/* section 4.10: at most eight queries per walk */

struct dmarc_engine {
	struct dns     *dns;		/* not owned */
	int		rfc7489;	/* DMARCStandard rfc7489 */
	struct dmarc_psl *psl;		/* rfc7489 only */
	unsigned      (*dice)(void *);	/* 0-99 for pct= */
	void	       *dice_arg;
	int		strictest;	/* MultiValueFrom strictest, RejectMultiValueFrom no */
	int		one_field;	/* RejectMultipleFromFields */
};

/* MultiValueFrom strictest: at most this many Author Domains are evaluated */
#define DM_MAX_AUTHORS 5

/* one walk: the names that hold exactly one DMARC record, longest first */
struct dm_walk {
	size_t		n;
	char	       *name[DM_MAXWALK];
	struct dmarc_record rec[DM_MAXWALK];
	enum dmarc_rec_status st[DM_MAXWALK];
	char		why[DM_MAXWALK][80];	/* why a record is INVALID */
};

struct dm_ctx {
	struct dmarc_engine *e;
	struct dmarc_outcome *o;
	int		dnserr;		/* 1 temporary, 2 permanent */
	char		dnswhy[200];
	char		note[160];	/* discarded records, for the reason */
};

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

/* dm_set - result and reason together */
static void __attribute__((format(printf, 3, 4)))
dm_set(struct dmarc_outcome *o, enum dmarc_result r, const char *fmt, ...)
{
	va_list ap;

	o->result = r;
	va_start(ap, fmt);
	vsnprintf(o->reason, sizeof(o->reason), fmt, ap);
	va_end(ap);
}

/* dm_labels - number of labels of a name */
static size_t
dm_labels(const char *d)
{
	size_t n = 1;

	for (; *d; d++)
		n += *d == '.';
	return n;
}

/* dm_suffix - the last n labels of d (a pointer into d) */
static const char *
dm_suffix(const char *d, size_t n)
{
	size_t have = dm_labels(d);

	while (have > n) {
		d = strchr(d, '.') + 1;
		have--;
	}
	return d;
}

/* dm_hostname_ok - a name we may put under _dmarc. (RFC 1035 limits, LDH and _) */
static int
dm_hostname_ok(const char *d)
{
	size_t lab = 0, len = strlen(d);

	if (len == 0 || len > 253 - 7)
		return 0;
	for (; *d; d++) {
		if (*d == '.') {
			if (lab == 0)
				return 0;
			lab = 0;
		} else if ((*d >= 'a' && *d <= 'z') || (*d >= '0' && *d <= '9') || *d == '-' ||
		    *d == '_') {
			if (++lab > 63)
				return 0;
		} else
			return 0;
	}
	return lab > 0;
}

/* dm_fetch - the DMARC record at _dmarc.<d>: 1 one record, 0 none, -1 DNS error */
static int
dm_fetch(struct dm_ctx *x, const char *d, struct dmarc_record *rec, enum dmarc_rec_status *st,
    char *rwhy, size_t rwhylen)
{
	struct strlist txt = { 0, NULL };
	struct dmarc_record tmp;
	enum dmarc_rec_status s;
	enum dns_status ds;
	enum dns_sec sec;
	char name[300], why[160], pwhy[80];
	size_t k, found = 0;

	snprintf(name, sizeof(name), "_dmarc.%s", d);
	ds = dns_txt_lookup(x->e->dns, name, &txt, &sec, why, sizeof(why));
	if (ds == DNS_RETRY || ds == DNS_FAIL) {
		x->dnserr = ds == DNS_RETRY ? 1 : 2;
		snprintf(x->dnswhy, sizeof(x->dnswhy), "%.110s: %.80s", name, why);
		strlist_free(&txt);
		return -1;
	}
	for (k = 0; k < txt.n; k++) {
		/* section 4.10 step 2: records not starting with v=DMARC1 are dropped */
		s = dmarc_record_parse(txt.v[k], strlen(txt.v[k]), &tmp, pwhy, sizeof(pwhy));
		if (s == DMARC_REC_NOT_DMARC)
			continue;
		if (found++ == 0) {
			*rec = tmp;
			*st = s;
			snprintf(rwhy, rwhylen, "%s", pwhy);
		} else
			dmarc_record_free(&tmp);
	}
	strlist_free(&txt);
	if (found > 1) {
		/* several records for one name: all discarded */
		dmarc_record_free(rec);
		snprintf(x->note, sizeof(x->note), "; %zu records at %.100s discarded", found, name);
		return 0;
	}
	return found == 1;
}

/* dm_walk_free - release a walk */
static void
dm_walk_free(struct dm_walk *w)
{
	size_t k;

	for (k = 0; k < w->n; k++) {
		free(w->name[k]);
		dmarc_record_free(&w->rec[k]);
	}
	w->n = 0;
}

/* dm_walk - the DNS tree walk of section 4.10 from d; 0, or -1 on DNS error */
static int
dm_walk(struct dm_ctx *x, const char *d, struct dm_walk *w)
{
	size_t labels = dm_labels(d), next;
	const char *target = d;
	int rc;

	memset(w, 0, sizeof(*w));
	for (;;) {
		rc = dm_fetch(x, target, &w->rec[w->n], &w->st[w->n], w->why[w->n],
		    sizeof(w->why[0]));
		if (rc < 0)
			return -1;
		if (rc == 1) {
			w->name[w->n] = xstrdup(target);
			/* steps 2 and 6: a psd=y or psd=n record ends the walk */
			if (w->rec[w->n++].psd != 'u')
				break;
		}
		/* steps 4 and 7: shorten to at most seven labels, then one at a time */
		next = dm_labels(target) - 1;
		if (target == d && labels > 8)
			next = 7;
		if (next == 0 || w->n == DM_MAXWALK)
			break;
		target = dm_suffix(d, next);
	}
	return 0;
}

/* dm_walk_org - Organizational Domain of d from its walk (section 4.10.2) */
static char *
dm_walk_org(const struct dm_walk *w, const char *d)
{
	size_t k;

	for (k = 0; k < w->n; k++) {
		if (w->rec[k].psd == 'n')
			return xstrdup(w->name[k]);
		if (w->rec[k].psd == 'y' && strcmp(w->name[k], d) != 0)
			return xstrdup(dm_suffix(d, dm_labels(w->name[k]) + 1));
	}
	return xstrdup(w->n ? w->name[w->n - 1] : d);
}

/* dm_org - Organizational Domain of an identifier; NULL on DNS error */
static char *
dm_org(struct dm_ctx *x, const char *d)
{
	struct dm_walk w;
	char *org;

	if (x->e->rfc7489)
		return dmarc_psl_org(x->e->psl, d);
	if (dm_walk(x, d, &w) != 0) {
		dm_walk_free(&w);
		return NULL;
	}
	org = dm_walk_org(&w, d);
	dm_walk_free(&w);
	return org;
}

/* dmarc_org_domain - see dmarc.h */
int
dmarc_org_domain(struct dmarc_engine *e, const char *domain, char **org, char *why,
    size_t whylen)
{
	struct dmarc_outcome o;
	struct dm_ctx x;
	char *d = xstrdup(domain), *p;
	size_t n = strlen(d);

	*org = NULL;
	for (p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	if (n > 0 && d[n - 1] == '.')
		d[n - 1] = '\0';
	if (!dm_hostname_ok(d)) {
		snprintf(why, whylen, "%.100s is not a host name", domain);
		free(d);
		return -2;
	}
	memset(&o, 0, sizeof(o));
	memset(&x, 0, sizeof(x));
	x.e = e;
	x.o = &o;
	*org = dm_org(&x, d);
	free(d);
	if (*org == NULL) {
		snprintf(why, whylen, "%s", x.dnswhy);
		return x.dnserr == 1 ? -1 : -2;
	}
	return 0;
}

/* dm_within - d equals or is a subdomain of parent */
static int
dm_within(const char *d, const char *parent)
{
	size_t dl = strlen(d), pl = strlen(parent);

	return dl == pl ? strcmp(d, parent) == 0 :
	    dl > pl && d[dl - pl - 1] == '.' && strcmp(d + dl - pl, parent) == 0;
}

/* dm_aligned - identifier alignment (section 4.4): 1, 0, or -1 on DNS error */
static int
dm_aligned(struct dm_ctx *x, const char *id, char mode)
{
	const struct dmarc_outcome *o = x->o;
	char *org;
	int same;

	if (strcmp(id, o->header_from) == 0)
		return 1;
	if (mode == 's')
		return 0;	/* strict: identical names only */
	/* relaxed: the same Organizational Domain, which must be a suffix of both */
	if (!dm_within(id, o->org_domain))
		return 0;
	if ((org = dm_org(x, id)) == NULL)
		return -1;
	same = strcmp(org, o->org_domain) == 0;
	free(org);
	return same;
}

/* dm_take - make record k of the walk the applied one */
static void
dm_take(struct dmarc_outcome *o, struct dm_walk *w, size_t k, char *why, size_t whylen)
{
	snprintf(why, whylen, "%s", w->why[k]);
	o->have_record = 1;
	o->rec = w->rec[k];
	memset(&w->rec[k], 0, sizeof(w->rec[k]));
	o->policy_domain = xstrdup(w->name[k]);
}

/* dm_discover_walk - policy record and Organizational Domain by tree walk (4.10.1) */
static int
dm_discover_walk(struct dm_ctx *x, enum dmarc_rec_status *st, char *why, size_t whylen)
{
	struct dmarc_outcome *o = x->o;
	struct dm_walk w;
	size_t k;

	if (dm_walk(x, o->header_from, &w) != 0) {
		dm_walk_free(&w);
		return -1;
	}
	o->org_domain = dm_walk_org(&w, o->header_from);
	/* the Author Domain's own record, else the Organizational Domain's, else the PSD's */
	for (k = 0; k < w.n && !o->have_record; k++)
		if (strcmp(w.name[k], o->header_from) == 0 || strcmp(w.name[k], o->org_domain) == 0) {
			*st = w.st[k];
			dm_take(o, &w, k, why, whylen);
		}
	for (k = 0; k < w.n && !o->have_record; k++)
		if (w.rec[k].psd == 'y') {
			*st = w.st[k];
			dm_take(o, &w, k, why, whylen);
		}
	dm_walk_free(&w);
	return 0;
}

/* dm_discover_psl - RFC 7489 section 6.6.3: the Author Domain, then its PSL org */
static int
dm_discover_psl(struct dm_ctx *x, enum dmarc_rec_status *st, char *why, size_t whylen)
{
	struct dmarc_outcome *o = x->o;
	int rc;

	o->org_domain = dmarc_psl_org(x->e->psl, o->header_from);
	rc = dm_fetch(x, o->header_from, &o->rec, st, why, whylen);
	if (rc == 1)
		o->policy_domain = xstrdup(o->header_from);
	else if (rc == 0 && strcmp(o->org_domain, o->header_from) != 0) {
		rc = dm_fetch(x, o->org_domain, &o->rec, st, why, whylen);
		if (rc == 1)
			o->policy_domain = xstrdup(o->org_domain);
	}
	o->have_record = rc == 1;
	return rc < 0 ? -1 : 0;
}

/* dm_author - the Author Domain(s) from the From fields (5.3.1): 0 for one;
 * 1 for several distinct domains in one From field, all host names (doms
 * gets them, in order); -1 for anything else.  Result set unless 0. */
static int
dm_author(struct dmarc_outcome *o, const struct dmarc_input *in, struct strlist *doms)
{
	struct address_list l;
	char why[160];
	size_t k, j;

	if (in->nfrom == 0) {
		dm_set(o, DMARC_RESULT_PERMERROR, "no From field");
		return -1;
	}
	if (address_parse_from(in->from[0], strlen(in->from[0]), &l, why, sizeof(why)) != 0) {
		dm_set(o, DMARC_RESULT_PERMERROR, "malformed From: %s", why);
		return -1;
	}
	if (l.n == 0) {
		address_list_free(&l);
		dm_set(o, DMARC_RESULT_PERMERROR, "From has no mailbox");
		return -1;
	}
	o->header_from = xstrdup(l.v[0].domain);
	/* distinct domains, up to one more than strictest evaluates (a 64 KiB
	 * From of distinct domains must not cost a quadratic scan) */
	for (k = 0; k < l.n && doms->n <= DM_MAX_AUTHORS; k++) {
		for (j = 0; j < doms->n && strcmp(doms->v[j], l.v[k].domain) != 0; j++)
			;
		if (j == doms->n)
			strlist_add(doms, l.v[k].domain);
	}
	address_list_free(&l);
	if (in->nfrom > 1) {
		dm_set(o, DMARC_RESULT_PERMERROR, "%zu From fields", in->nfrom);
		return -1;
	}
	for (k = 0; k < doms->n; k++)
		if (!dm_hostname_ok(doms->v[k])) {
			dm_set(o, DMARC_RESULT_PERMERROR, "From domain %.100s is not a host name",
			    doms->v[k]);
			return -1;
		}
	if (doms->n > 1) {
		/* section 11.5: several Author Domains; the caller decides, or
		 * MultiValueFrom strictest evaluates each */
		dm_set(o, DMARC_RESULT_PERMERROR, "From names several domains");
		return 1;
	}
	return 0;
}

/* one strictest collection: the host names, what else was seen */
struct dm_authors {
	struct strlist *doms;		/* distinct host names, in order */
	size_t		other;		/* names that are not host names */
	char		other1[104];	/* the first of them */
};

/* dm_authors_add - one domain the From names; non-zero (stop) when there
 * are more host names than strictest evaluates */
static int
dm_authors_add(void *arg, const char *d)
{
	struct dm_authors *a = arg;
	size_t j;

	if (!dm_hostname_ok(d)) {
		if (a->other++ == 0)
			snprintf(a->other1, sizeof(a->other1), "%.100s", d);
		return 0;
	}
	for (j = 0; j < a->doms->n; j++)
		if (strcmp(a->doms->v[j], d) == 0)
			return 0;
	strlist_add(a->doms, d);
	return a->doms->n > DM_MAX_AUTHORS;
}

/* dm_authors_all - MultiValueFrom strictest: every domain the From fields
 * name (RFC 9989 section 11.5), a field that does not parse read leniently
 * (address_scan_domains) so that no malformation hides a domain a mail
 * reader shows.  0: one well-formed field with one host name; 1: doms has
 * 1 to 5 host names to evaluate, note says what else was wrong (or "");
 * -1: result set (no From, several fields under RejectMultipleFromFields,
 * no host name, or more than 5: from_capped). */
static int
dm_authors_all(struct dmarc_engine *e, struct dmarc_outcome *o, const struct dmarc_input *in,
    struct strlist *doms, char *note, size_t notelen)
{
	struct dm_authors a;
	struct address_list l;
	char why[160] = "";
	size_t f, k;
	int malformed = 0;

	memset(&a, 0, sizeof(a));
	a.doms = doms;
	if (in->nfrom == 0) {
		dm_set(o, DMARC_RESULT_PERMERROR, "no From field");
		return -1;
	}
	for (f = 0; f < in->nfrom && doms->n <= DM_MAX_AUTHORS; f++) {
		if (address_parse_from(in->from[f], strlen(in->from[f]), &l,
		    malformed ? NULL : why, sizeof(why)) != 0) {
			malformed++;
			address_scan_domains(in->from[f], strlen(in->from[f]), dm_authors_add, &a);
		}
		for (k = 0; k < l.n && dm_authors_add(&a, l.v[k].domain) == 0; k++)
			;
		address_list_free(&l);
		if (in->nfrom > 1 && e->one_field)
			break;		/* header.from for the log; not evaluated */
	}
	if (doms->n > 0)
		o->header_from = xstrdup(doms->v[0]);
	if (in->nfrom > 1 && e->one_field) {
		dm_set(o, DMARC_RESULT_PERMERROR, "%zu From fields", in->nfrom);
		return -1;
	}
	if (doms->n > DM_MAX_AUTHORS) {
		o->from_capped = 1;
		dm_set(o, DMARC_RESULT_PERMERROR, "From names more than %d domains", DM_MAX_AUTHORS);
		return -1;
	}
	if (doms->n == 0) {
		if (malformed)
			dm_set(o, DMARC_RESULT_PERMERROR, "malformed From: %s", why);
		else if (a.other > 0)
			dm_set(o, DMARC_RESULT_PERMERROR, "From domain %s is not a host name", a.other1);
		else
			dm_set(o, DMARC_RESULT_PERMERROR, "From has no mailbox");
		return -1;
	}
	if (in->nfrom > 1)
		snprintf(note, notelen, "%zu From fields", in->nfrom);
	else if (malformed)
		snprintf(note, notelen, "malformed From: %.90s", why);
	else if (a.other > 0)
		snprintf(note, notelen, "From domain %.60s is not a host name", a.other1);
	return doms->n == 1 && note[0] == '\0' ? 0 : 1;
}

/* dm_identifiers - SPF and DKIM alignment (sections 4.4.1, 4.4.2); -1 DNS error */
static int
dm_identifiers(struct dm_ctx *x, const struct dmarc_input *in)
{
	struct dmarc_outcome *o = x->o;
	char *id;
	size_t k;
	int a, err = 0;

	/* RFC 9989 uses the MAIL FROM identity only; RFC 7489 also HELO for <> */
	if (in->spf_result && strcasecmp(in->spf_result, "pass") == 0 && in->spf_domain &&
	    (!in->spf_is_helo || x->e->rfc7489) &&
	    (id = address_domain_normalize(in->spf_domain, strlen(in->spf_domain))) != NULL) {
		o->spf_evaluated = 1;
		if ((a = dm_aligned(x, id, o->rec.aspf)) < 0)
			err = 1;
		o->spf_aligned = a > 0;
		free(id);
	} else if (in->spf_result != NULL)
		o->spf_evaluated = 1;
	for (k = 0; k < in->ndkim; k++) {
		const struct dmarc_dkim_in *d = &in->dkim[k];

		o->dkim_evaluated = 1;
		if (o->dkim_aligned || d->result == NULL || strcasecmp(d->result, "pass") != 0 ||
		    d->domain == NULL ||
		    (id = address_domain_normalize(d->domain, strlen(d->domain))) == NULL)
			continue;
		if ((a = dm_aligned(x, id, o->rec.adkim)) < 0)
			err = 1;
		if (a > 0) {
			o->dkim_aligned = 1;
			o->dkim_domain = xstrdup(id);
			o->dkim_selector = d->selector ? xstrdup(d->selector) : NULL;
		}
		free(id);
	}
	return err && !o->spf_aligned && !o->dkim_aligned ? -1 : 0;
}

/* dm_policy - p, sp or np for this Author Domain (section 4.10.1) */
static int
dm_policy(struct dm_ctx *x)
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
dm_usable(struct dm_ctx *x, enum dmarc_rec_status st, char *why)
{
	struct dmarc_outcome *o = x->o;
	struct dmarc_record *r = &o->rec;

	if (st == DMARC_REC_INVALID) {
		dm_set(o, DMARC_RESULT_PERMERROR, "invalid record at _dmarc.%.100s: %.100s",
		    o->policy_domain, why);
		return -1;
	}
	if (r->p == DMARC_POLICY_UNSET || r->sp_bad || r->np_bad) {
		/* section 4.10.1: with a usable rua= act as p=none, else no DMARC */
		if (r->rua.n == 0) {
			dm_set(o, DMARC_RESULT_NONE, "record at _dmarc.%s has no valid p= and no rua=",
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
	struct dm_ctx x;
	enum dmarc_rec_status st = DMARC_REC_OK;
	char why[160] = "";
	int rc;

	memset(&x, 0, sizeof(x));
	x.e = e;
	x.o = out;
	rc = e->rfc7489 ? dm_discover_psl(&x, &st, why, sizeof(why)) :
	    dm_discover_walk(&x, &st, why, sizeof(why));
	if (rc != 0) {
		dm_set(out, x.dnserr == 2 ? DMARC_RESULT_PERMERROR : DMARC_RESULT_TEMPERROR,
		    "DNS: %.200s", x.dnswhy);
		return;
	}
	if (!out->have_record) {
		dm_set(out, DMARC_RESULT_NONE, "no DMARC record for %.80s%.160s", out->header_from, x.note);
		return;
	}
	if (dm_usable(&x, st, why) != 0)
		return;
	out->testing = out->rec.testing && !e->rfc7489;
	rc = dm_identifiers(&x, in);
	if (dm_policy(&x) != 0 && !out->spf_aligned && !out->dkim_aligned) {
		dm_set(out, DMARC_RESULT_TEMPERROR, "DNS: %.200s", x.dnswhy);
		return;
	}
	if (out->spf_aligned || out->dkim_aligned)
		dm_set(out, DMARC_RESULT_PASS, "%s aligned with %s",
		    out->dkim_aligned ? "DKIM" : "SPF", out->header_from);
	else if (rc != 0)
		dm_set(out, DMARC_RESULT_TEMPERROR, "DNS: %.200s", x.dnswhy);
	else {
		dm_set(out, DMARC_RESULT_FAIL, "no aligned identifier for %s", out->header_from);
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
	rc = e->strictest ? dm_authors_all(e, out, in, &doms, note, sizeof(note)) :
	    dm_author(out, in, &doms);
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
