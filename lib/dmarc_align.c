/*
 * dmarc_align.c - identifier alignment (RFC 9989 section 4.4): the SPF
 * and DKIM identifiers that passed, against the Author Domain, strict or
 * relaxed (the same Organizational Domain, found by dmarc_discover.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "dmarc_int.h"

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
dm_aligned(struct dmarc_ctx *x, const char *id, char mode)
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
	if ((org = dmarc_discover_org(x, id)) == NULL)
		return -1;
	same = strcmp(org, o->org_domain) == 0;
	free(org);
	return same;
}

/* dmarc_align_identifiers - SPF and DKIM alignment (sections 4.4.1, 4.4.2); -1 DNS error */
int
dmarc_align_identifiers(struct dmarc_ctx *x, const struct dmarc_input *in)
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
