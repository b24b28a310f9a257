/*
 * dmarc_author.c - the Author Domain(s) of a message (RFC 9989 section
 * 5.3.1; section 11.5 for several): from the From fields through
 * lib/address, one domain, or with MultiValueFrom strictest every domain
 * a From field names, a malformed field read leniently.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "dmarc_int.h"

/* dmarc_author_one - see dmarc_int.h */
int
dmarc_author_one(struct dmarc_outcome *o, const struct dmarc_input *in, struct strlist *doms)
{
	struct address_list l;
	char why[160];
	size_t k, j;

	if (in->nfrom == 0) {
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "no From field");
		return -1;
	}
	if (address_parse_from(in->from[0], strlen(in->from[0]), &l, why, sizeof(why)) != 0) {
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "malformed From: %s", why);
		return -1;
	}
	if (l.n == 0) {
		address_list_free(&l);
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From has no mailbox");
		return -1;
	}
	o->header_from = xstrdup(l.v[0].domain);
	/* distinct domains, up to one more than strictest evaluates (a 64 KiB
	 * From of distinct domains must not cost a quadratic scan) */
	for (k = 0; k < l.n && doms->n <= DMARC_MAX_AUTHORS; k++) {
		for (j = 0; j < doms->n && strcmp(doms->v[j], l.v[k].domain) != 0; j++)
			;
		if (j == doms->n)
			strlist_add(doms, l.v[k].domain);
	}
	address_list_free(&l);
	if (in->nfrom > 1) {
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "%zu From fields", in->nfrom);
		return -1;
	}
	for (k = 0; k < doms->n; k++)
		if (!dmarc_discover_name_ok(doms->v[k])) {
			dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From domain %.100s is not a host name",
			    doms->v[k]);
			return -1;
		}
	if (doms->n > 1) {
		/* section 11.5: several Author Domains; the caller decides, or
		 * MultiValueFrom strictest evaluates each */
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From names several domains");
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

	if (!dmarc_discover_name_ok(d)) {
		if (a->other++ == 0)
			snprintf(a->other1, sizeof(a->other1), "%.100s", d);
		return 0;
	}
	for (j = 0; j < a->doms->n; j++)
		if (strcmp(a->doms->v[j], d) == 0)
			return 0;
	strlist_add(a->doms, d);
	return a->doms->n > DMARC_MAX_AUTHORS;
}

/* dmarc_author_all - MultiValueFrom strictest: every domain the From fields
 * name (RFC 9989 section 11.5), a field that does not parse read leniently
 * (address_scan_domains) so that no malformation hides a domain a mail
 * reader shows.  0: one well-formed field with one host name; 1: doms has
 * 1 to 5 host names to evaluate, note says what else was wrong (or "");
 * -1: result set (no From, several fields under RejectMultipleFromFields,
 * no host name, or more than 5: from_capped). */
int
dmarc_author_all(struct dmarc_engine *e, struct dmarc_outcome *o, const struct dmarc_input *in,
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
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "no From field");
		return -1;
	}
	for (f = 0; f < in->nfrom && doms->n <= DMARC_MAX_AUTHORS; f++) {
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
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "%zu From fields", in->nfrom);
		return -1;
	}
	if (doms->n > DMARC_MAX_AUTHORS) {
		o->from_capped = 1;
		dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From names more than %d domains", DMARC_MAX_AUTHORS);
		return -1;
	}
	if (doms->n == 0) {
		if (malformed)
			dmarc_set_result(o, DMARC_RESULT_PERMERROR, "malformed From: %s", why);
		else if (a.other > 0)
			dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From domain %s is not a host name", a.other1);
		else
			dmarc_set_result(o, DMARC_RESULT_PERMERROR, "From has no mailbox");
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
