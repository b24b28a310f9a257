/*
 * dmarc_discover.c - DMARC Policy Record and Organizational Domain
 * discovery: the DNS tree walk of RFC 9989 section 4.10 (psd= included)
 * or, in rfc7489 mode, the Author Domain then its Public Suffix List
 * Organizational Domain (RFC 7489 section 6.6.3).  Every query goes
 * through lib/dns.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_int.h"
#include "dns.h"

#define DM_MAXWALK 8		/* section 4.10: at most eight queries per walk */

/* one walk: the names that hold exactly one DMARC record, longest first */
struct dm_walk {
	size_t		n;
	char	       *name[DM_MAXWALK];
	struct dmarc_record rec[DM_MAXWALK];
	enum dmarc_rec_status st[DM_MAXWALK];
	char		why[DM_MAXWALK][80];	/* why a record is INVALID */
};

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

/* dmarc_discover_name_ok - see dmarc_int.h (RFC 1035 limits, LDH and _) */
int
dmarc_discover_name_ok(const char *d)
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
dm_fetch(struct dmarc_ctx *x, const char *d, struct dmarc_record *rec, enum dmarc_rec_status *st,
    char *rwhy, size_t rwhylen)
{
	struct strlist txt = { 0, NULL };
	struct dmarc_record tmp;
	enum dmarc_rec_status s;
	enum dns_status ds;
	enum dns_sec sec;
	char name[300], why[160], pwhy[80];
	size_t k, found = 0;

	snprintf(name, sizeof(name), "_dmarc.%s", d);	/* as dmarc_prefetch_names */
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

/* dm_walk_names - the names the DNS tree walk of section 4.10 from d
 * asks, in order (pointers into d): d, then (steps 4 and 7) at most seven
 * labels, then one label fewer at a time down to one; at most DM_MAXWALK */
static size_t
dm_walk_names(const char *d, const char *name[DM_MAXWALK])
{
	size_t labels = dm_labels(d), next, n = 0;
	const char *target = d;

	for (;;) {
		name[n++] = target;
		next = dm_labels(target) - 1;
		if (target == d && labels > 8)
			next = 7;
		if (next == 0 || n == DM_MAXWALK)
			break;
		target = dm_suffix(d, next);
	}
	return n;
}

/* dm_walk - the DNS tree walk of section 4.10 from d; 0, or -1 on DNS error */
static int
dm_walk(struct dmarc_ctx *x, const char *d, struct dm_walk *w)
{
	const char *name[DM_MAXWALK];
	size_t n = dm_walk_names(d, name), i;
	int rc;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < n; i++) {
		rc = dm_fetch(x, name[i], &w->rec[w->n], &w->st[w->n], w->why[w->n],
		    sizeof(w->why[0]));
		if (rc < 0)
			return -1;
		if (rc == 1) {
			w->name[w->n] = xstrdup(name[i]);
			/* steps 2 and 6: a psd=y or psd=n record ends the walk */
			if (w->rec[w->n++].psd != 'u')
				break;
		}
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

/* dmarc_discover_org - see dmarc_int.h */
char *
dmarc_discover_org(struct dmarc_ctx *x, const char *d)
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

/* dmarc_discover_walk - policy record and Organizational Domain by tree walk (4.10.1) */
int
dmarc_discover_walk(struct dmarc_ctx *x, enum dmarc_rec_status *st, char *why, size_t whylen)
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

/* dmarc_discover_psl - RFC 7489 section 6.6.3: the Author Domain, then its PSL org */
int
dmarc_discover_psl(struct dmarc_ctx *x, enum dmarc_rec_status *st, char *why, size_t whylen)
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

/* dmarc_prefetch_authors - see dmarc.h: the Author Domains dmarc_evaluate
 * would evaluate were from the only From field */
void
dmarc_prefetch_authors(struct dmarc_engine *e, const char *from, struct strlist *authors)
{
	struct dmarc_outcome o;
	struct dmarc_input in;
	char note[120] = "";
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&in, 0, sizeof(in));
	in.from = &from;
	in.nfrom = 1;
	rc = e->strictest ? dmarc_author_all(e, &o, &in, authors, note, sizeof(note)) :
	    dmarc_author_one(&o, &in, authors);
	if (rc < 0 || (rc > 0 && !e->strictest))
		strlist_free(authors);	/* nothing is looked up */
	dmarc_outcome_free(&o);
}

/* dmarc_prefetch_names - see dmarc.h: the names dm_fetch asks for author */
void
dmarc_prefetch_names(struct dmarc_engine *e, const char *author, struct strlist *names)
{
	const char *name[DM_MAXWALK];
	char q[300];
	char *org;
	size_t n, i;

	if (e->rfc7489) {
		org = dmarc_psl_org(e->psl, author);
		snprintf(q, sizeof(q), "_dmarc.%s", author);
		strlist_add(names, q);
		if (strcmp(org, author) != 0) {
			snprintf(q, sizeof(q), "_dmarc.%s", org);
			strlist_add(names, q);
		}
		free(org);
		return;
	}
	n = dm_walk_names(author, name);
	for (i = 0; i < n; i++) {
		snprintf(q, sizeof(q), "_dmarc.%s", name[i]);
		strlist_add(names, q);
	}
}
