/*
 * dmarc.h - DMARC: record parsing, policy discovery, alignment, disposition
 *
 * RFC 9989 by default: policy and Organizational Domain discovery by the DNS
 * tree walk (section 4.10), psd=, np=, t=; pct= is parsed but not applied.
 * DMARCStandard rfc7489 switches to RFC 7489: Organizational Domains from
 * the Public Suffix List (implicit "*" rule) and pct= applied.
 *
 * Files: dmarc.c (engine, evaluation, policy, disposition), dmarc_author.c
 * (Author Domains from the From fields), dmarc_discover.c (policy record
 * and Organizational Domain discovery), dmarc_align.c (identifier
 * alignment), dmarc_int.h (what they share), dmarc_record.c (the pure
 * record parser), dmarc_psl.c (the Public Suffix List).  All DNS goes
 * through lib/dns.  An engine is immutable once built: any number of
 * threads may call dmarc_evaluate() on it at once.
 *
 * Ownership: an engine does not own the struct dns it is given (the
 * engine object that holds both frees them).  Every pointer inside a
 * dmarc_outcome or dmarc_record belongs to it and is released by
 * dmarc_outcome_free() / dmarc_record_free(); the const char * fields of
 * an outcome point to static strings.
 */
#ifndef AUTHMILTER_DMARC_H
#define AUTHMILTER_DMARC_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

struct dns;
struct conf;

enum dmarc_result {
	DMARC_RESULT_NONE,		/* no policy applies (no record, none usable) */
	DMARC_RESULT_PASS,
	DMARC_RESULT_FAIL,
	DMARC_RESULT_TEMPERROR,		/* DNS trouble: try again later */
	DMARC_RESULT_PERMERROR		/* malformed From or record */
};

/* NB: <opendmarc/dmarc.h> #defines DMARC_POLICY_NONE/QUARANTINE/REJECT;
 * a file that includes both must #undef them after including it */
enum dmarc_policy {
	DMARC_POLICY_UNSET,		/* tag absent */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
};

/* fo= bits, as OpenDMARC's history file writes them */
#define DMARC_FO_0	1
#define DMARC_FO_1	2
#define DMARC_FO_D	4
#define DMARC_FO_S	8

struct dmarc_record {
	enum dmarc_policy p, sp, np;	/* UNSET when absent or invalid */
	int		p_bad, sp_bad, np_bad;	/* present with an invalid value */
	char		adkim, aspf;	/* 'r' (default) or 's' */
	char		psd;		/* 'y', 'n', 'u' (default) */
	int		testing;	/* t=y */
	int		pct;		/* 0-100, 100 when absent or invalid */
	int		pct_set;	/* pct= was present and valid */
	unsigned	fo;		/* DMARC_FO_* bits; DMARC_FO_0 by default */
	struct strlist	rua, ruf;	/* syntactically valid URIs, verbatim */
};

enum dmarc_rec_status {
	DMARC_REC_OK,
	DMARC_REC_NOT_DMARC,		/* does not start with v=DMARC1: discard */
	DMARC_REC_INVALID		/* starts with v=DMARC1, but unusable */
};

/*
 * dmarc_record_parse - RFC 9989 sections 4.7 and 4.8, pure.  out is always
 * initialised (free it with dmarc_record_free); why explains anything but OK.
 * Unknown tags are ignored; a bad value of a tag other than p/sp/np falls
 * back to its default; a duplicate tag makes the record INVALID (RFC 6376
 * section 3.2 tag-list rule, which DMARC records follow).
 */
enum dmarc_rec_status dmarc_record_parse(const char *s, size_t len, struct dmarc_record *out,
		    char *why, size_t whylen);
void		dmarc_record_free(struct dmarc_record *r);

/* the Public Suffix List (dmarc_psl.c) */
struct dmarc_psl;

/* dmarc_psl_load - read a publicsuffix.org list; NULL with err */
struct dmarc_psl *dmarc_psl_load(const char *path, struct buf *err);
void		dmarc_psl_free(struct dmarc_psl *psl);
/* dmarc_psl_org - registrable domain of a normalised name (caller frees);
 * the name itself when it is a public suffix */
char	       *dmarc_psl_org(const struct dmarc_psl *psl, const char *domain);

struct dmarc_engine;

/*
 * dmarc_engine_new - from conf: DMARCStandard (dmarc_standard) and, in
 * rfc7489 mode, PublicSuffixList (public_suffix_list).  dns is not owned.
 * NULL with a reason in err.
 */
struct dmarc_engine *dmarc_engine_new(struct dns *dns, const struct conf *c, struct buf *err);
void		dmarc_engine_free(struct dmarc_engine *e);
/* dmarc_engine_set_random - pct= dice for rfc7489 mode (tests): fn returns 0-99 */
void		dmarc_engine_set_random(struct dmarc_engine *e, unsigned (*fn)(void *), void *arg);

struct dmarc_dkim_in {
	const char     *domain;		/* d= */
	const char     *selector;	/* s= */
	const char     *result;		/* RFC 8601 word; only "pass" counts */
};

struct dmarc_input {
	const char    **from;		/* raw From header field values, all of them */
	size_t		nfrom;
	const char     *spf_result;	/* RFC 8601 word of the SPF identity used */
	const char     *spf_domain;	/* MAIL FROM domain, or HELO when MAIL FROM is null */
	int		spf_is_helo;	/* a HELO identity result (RFC 7208 2.3): only rfc7489 mode uses it */
	const struct dmarc_dkim_in *dkim;
	size_t		ndkim;
};

struct dmarc_outcome {
	enum dmarc_result result;
	char	       *header_from;	/* Author Domain (A-label); with several
					 * From domains the first one; NULL when none */
	char	       *policy_domain;	/* where the applied record was found */
	char	       *org_domain;	/* Organizational Domain of the Author Domain */
	int		have_record;	/* rec holds the applied record */
	struct dmarc_record rec;	/* as parsed (p sp np adkim aspf pct t psd fo rua) */
	enum dmarc_policy policy;	/* the one that applies: p, sp or np */
	const char     *policy_tag;	/* "p", "sp", "np"; NULL when no record */
	int		testing;	/* t=y (rfc9989 mode) */
	int		pct_selected;	/* rfc7489: the pct dice chose this message; else 1 */
	int		author_nxdomain; /* the Author Domain does not exist */
	const char     *discovery;	/* "treewalk" or "psl" */
	int		dkim_aligned;
	char	       *dkim_domain;	/* the aligned passing signature, NULL when none */
	char	       *dkim_selector;
	int		spf_aligned;
	int		dkim_evaluated;	/* alignment was checked (for align_dkim) */
	int		spf_evaluated;
	int		from_problem;	/* no, several or unusable From: no policy looked up */
	int		from_capped;	/* strictest: the From names more domains than
					 * are evaluated (the caller refuses it) */
	size_t		from_fields;	/* number of From fields */
	char		reason[256];	/* why this result, for logs and A-R comments */
};

/*
 * dmarc_evaluate - RFC 9989 section 5.3 for one message; out is always
 * set (free it with dmarc_outcome_free).  With MultiValueFrom permerror
 * (or RejectMultiValueFrom yes), several From fields, several From
 * domains, no From or a From without a usable domain give PERMERROR with a
 * reason and from_problem (RejectMultiValueFrom is the caller's business).
 * With MultiValueFrom strictest (the default) every domain the From
 * field(s) name is evaluated, up to 5, a malformed field read leniently
 * (address_scan_domains), and the strictest outcome (a failure by its
 * disposition, then temperror, permerror, none, pass) stands for the
 * message; PERMERROR and from_problem remain for no From, no domain,
 * several fields under RejectMultipleFromFields, and more than 5 domains
 * (also from_capped).  DNS trouble gives TEMPERROR.  Returns 0.
 */
int		dmarc_evaluate(struct dmarc_engine *e, const struct dmarc_input *in,
		    struct dmarc_outcome *out);
void		dmarc_outcome_free(struct dmarc_outcome *o);

/*
 * dmarc_disposition - the Domain Owner's requested action for this message:
 * "none" unless the result is fail; else the applied policy, one level
 * lower when t=y (RFC 9989 section 4.7) or, in rfc7489 mode, when the pct
 * dice did not select the message (RFC 7489 section 6.6.4).
 */
const char     *dmarc_disposition(const struct dmarc_outcome *o);

/*
 * dmarc_org_domain - the Organizational Domain of domain: the DNS tree walk
 * of RFC 9989 section 4.10 (psd= included), or the Public Suffix List in
 * rfc7489 mode.  0 with *org set (caller frees); -1 when the DNS failed
 * for now (why says how); -2 when it cannot be known (domain is not a host
 * name, or a permanent DNS failure such as REFUSED).
 */
int		dmarc_org_domain(struct dmarc_engine *e, const char *domain, char **org,
		    char *why, size_t whylen);

/*
 * For DNSPrefetch (lib/dns_prefetch.h), the names dmarc_evaluate will ask,
 * decided by the same code.  dmarc_prefetch_authors: the Author Domains
 * evaluated were from (a raw From field value) the message's only From
 * field (none when it would not be evaluated), added to authors.
 * dmarc_prefetch_names: the TXT names policy discovery asks for author, in
 * order (the tree walk, or in rfc7489 mode the author and its PSL
 * Organizational Domain), added to names.
 */
void		dmarc_prefetch_authors(struct dmarc_engine *e, const char *from,
		    struct strlist *authors);
void		dmarc_prefetch_names(struct dmarc_engine *e, const char *author,
		    struct strlist *names);

const char     *dmarc_result_str(enum dmarc_result r);
const char     *dmarc_policy_str(enum dmarc_policy p);

#endif
