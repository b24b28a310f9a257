/*
 * ingest_agg.h - parse a received DMARC aggregate report (RFC 7489
 * Appendix C, RFC 9990 Appendix A; namespaced or not) into a plain struct,
 * recovering from the quirks of real reporters and noting each recovery.
 *
 * libxml2 streams it (xmlTextReader, no tree) with XML_PARSE_NONET and
 * without NOENT/DTDLOAD, after ingest_xmlfix dropped any DOCTYPE; text is
 * read from text nodes only (never through entity references).  Memory is
 * bounded by the caps below.
 */
#ifndef AUTHMILTER_INGEST_AGG_H
#define AUTHMILTER_INGEST_AGG_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "strlist.h"

#define INGEST_AGG_MAX_XML	(64u * 1024 * 1024)	/* bytes of one document (as INGEST_MAX_TOTAL) */
#define INGEST_AGG_MAX_ROWS	200000			/* records of one report */
#define INGEST_AGG_MAX_STR	256			/* bytes of one text field */
#define INGEST_AGG_MAX_AUTH	16			/* dkim (or spf) results of one record */
#define INGEST_AGG_MAX_REASONS	8			/* reasons of one record */
#define INGEST_AGG_MAX_ERRORS	16			/* report_metadata errors */

enum ingest_agg_format { INGEST_RFC7489 = 0, INGEST_RFC9990 };

struct ingest_agg_limits {
	size_t	max_xml;	/* document bytes */
	size_t	max_rows;	/* records kept; past them a note */
};

/* one dkim or spf entry of auth_results */
struct ingest_auth {
	char   *domain;
	char   *selector;	/* dkim: selector; spf: scope (mfrom, helo) */
	char   *result;		/* normalised word (RFC 8601 set) */
	char   *human;		/* human_result, or NULL */
};

struct ingest_reason {
	char   *type;		/* normalised (local_policy, mailing_list...) */
	char   *comment;	/* or NULL */
};

struct ingest_row {
	char	source_ip[46];	/* canonical text form */
	uint64_t count;
	char   *disposition;	/* none quarantine reject (RFC 9990 also pass) */
	char   *dkim;		/* policy_evaluated: pass | fail */
	char   *spf;
	size_t	nreasons;
	struct ingest_reason *reasons;
	char   *header_from;
	char   *envelope_from;	/* or NULL */
	char   *envelope_to;	/* or NULL */
	size_t	ndkim, nspf;
	struct ingest_auth *auth_dkim, *auth_spf;
};

struct ingest_policy {
	char   *domain;
	char   *p, *sp, *np;	/* none quarantine reject, or NULL */
	char   *adkim, *aspf;	/* r | s, or NULL */
	int	pct;		/* RFC 7489 pct, -1 absent */
	char   *testing;	/* RFC 9990 y | n, or NULL */
	char   *fo;
	char   *discovery;	/* RFC 9990 psl | treewalk, or NULL */
};

struct ingest_agg {
	enum ingest_agg_format format;
	char   *org_name, *email, *extra_contact, *report_id, *generator;
	int64_t	begin, end;	/* epoch, UTC */
	struct strlist errors;	/* report_metadata/error */
	struct ingest_policy policy;
	size_t	nrows;
	struct ingest_row *rows;
	uint64_t messages;	/* sum of the rows' counts */
	struct strlist notes;	/* recoveries */
	char   *reject;		/* NULL, or why the report cannot be used */
};

/* ingest_agg_limits_default - the defaults above */
void	ingest_agg_limits_default(struct ingest_agg_limits *l);
/* ingest_agg_parse - parse xml[0..n) into out (zeroed by the caller; lim
 * NULL: defaults).  0, or -1 with out->reject set (what was read stays in
 * out).  Free with ingest_agg_free. */
int	ingest_agg_parse(const char *xml, size_t n, const struct ingest_agg_limits *lim,
	    struct ingest_agg *out);
void	ingest_agg_free(struct ingest_agg *a);
/* ingest_agg_format_name - "rfc7489" or "rfc9990" */
const char *ingest_agg_format_name(enum ingest_agg_format f);
/* ingest_result_word - the normalised form of a result word of kind
 * ("dkim", "spf": auth_results; "eval": policy_evaluated; "disposition";
 * "policy": p/sp/np; "reason"), or NULL when it has none: case folded,
 * synonyms (hardfail -> fail, softfail in policy_evaluated -> fail...) */
const char *ingest_result_word(const char *kind, const char *word);

#endif
