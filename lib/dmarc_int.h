/*
 * dmarc_int.h - what the files of the DMARC module share (dmarc.c,
 * dmarc_discover.c, dmarc_author.c, dmarc_align.c).  Not for other modules:
 * they use dmarc.h.
 */
#ifndef AUTHMILTER_DMARC_INT_H
#define AUTHMILTER_DMARC_INT_H

#include "dmarc.h"

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
#define DMARC_MAX_AUTHORS 5

/* the evaluation of one Author Domain */
struct dmarc_ctx {
	struct dmarc_engine *e;
	struct dmarc_outcome *o;
	int		dnserr;		/* 1 temporary, 2 permanent */
	char		dnswhy[200];
	char		note[160];	/* discarded records, for the reason */
};

/* dmarc.c: dmarc_set_result - o's result and reason together */
void		dmarc_set_result(struct dmarc_outcome *o, enum dmarc_result r, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * dmarc_discover.c: policy record and Organizational Domain discovery.
 * dmarc_discover_walk (RFC 9989 section 4.10) and dmarc_discover_psl (RFC
 * 7489 section 6.6.3) set x->o's org_domain, rec, policy_domain and
 * have_record for x->o->header_from, st and why for the record found;
 * 0, or -1 on a DNS error (x->dnserr, x->dnswhy).
 */
int		dmarc_discover_walk(struct dmarc_ctx *x, enum dmarc_rec_status *st, char *why,
		    size_t whylen);
int		dmarc_discover_psl(struct dmarc_ctx *x, enum dmarc_rec_status *st, char *why,
		    size_t whylen);
/* dmarc_discover_org - Organizational Domain of an identifier (caller
 * frees); NULL on a DNS error */
char	       *dmarc_discover_org(struct dmarc_ctx *x, const char *d);
/* dmarc_discover_name_ok - a name we may put under _dmarc. */
int		dmarc_discover_name_ok(const char *d);

/*
 * dmarc_author.c: the Author Domain(s) from the From fields (RFC 9989
 * section 5.3.1).  dmarc_author_one: 0 for one; 1 for several distinct
 * domains in one From field, all host names (doms gets them, in order);
 * -1 for anything else; result set unless 0.  dmarc_author_all is
 * MultiValueFrom strictest (see the function).
 */
int		dmarc_author_one(struct dmarc_outcome *o, const struct dmarc_input *in,
		    struct strlist *doms);
int		dmarc_author_all(struct dmarc_engine *e, struct dmarc_outcome *o,
		    const struct dmarc_input *in, struct strlist *doms, char *note, size_t notelen);

/* dmarc_align.c: SPF and DKIM identifier alignment of x->o (RFC 9989
 * sections 4.4.1, 4.4.2); 0, or -1 on a DNS error with nothing aligned */
int		dmarc_align_identifiers(struct dmarc_ctx *x, const struct dmarc_input *in);

#endif
