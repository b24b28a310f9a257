/*
 * report_xml.h - the aggregate report document: RFC 9990 XML (and the
 * RFC 7489 dialect for old consumers) and its schema validation
 *
 * The writer only serialises: every value is escaped, elements come in
 * schema order.  All structs here are plain values whose strings the
 * caller owns; nothing is kept after a call returns.
 *
 * I/O: report_schema_new reads the XSD file; everything else is pure.
 */
#ifndef AUTHMILTER_REPORT_XML_H
#define AUTHMILTER_REPORT_XML_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define REPORT_NS	"urn:ietf:params:xml:ns:dmarc-2.0"
#define REPORT_MAX_DKIM	100	/* RFC 9990 §"DKIM Signatures": at most 100 per row */

enum report_format {
	REPORT_RFC9990,
	REPORT_RFC7489
};

struct report_meta {
	const char     *org_name;
	const char     *email;
	const char     *extra_contact;	/* NULL: omitted */
	const char     *report_id;
	long long	begin, end;	/* date_range, epoch seconds, inclusive */
	const char     *error;		/* NULL: omitted */
	const char     *generator;	/* NULL: omitted */
};

/* policy_published; NULL members are omitted (p and domain are required) */
struct report_policy {
	const char     *domain;
	const char     *discovery;	/* "psl" or "treewalk" */
	const char     *p, *sp, *np;
	const char     *fo;
	const char     *adkim, *aspf;
	const char     *testing;	/* "y" or "n" */
	int		pct;		/* RFC 7489 only; -1: 100 */
};

struct report_dkim {
	const char     *domain;
	const char     *selector;
	const char     *result;		/* RFC 8601 §2.7.1 word */
};

struct report_reason {
	const char     *type;		/* PolicyOverrideType */
	const char     *comment;	/* NULL: omitted */
};

struct report_row {
	const char     *source_ip;
	unsigned long long count;
	const char     *disposition;	/* none pass quarantine reject */
	const char     *dkim_aligned;	/* pass fail */
	const char     *spf_aligned;
	size_t		nreason;
	const struct report_reason *reason;
	const char     *header_from;
	const char     *envelope_from;	/* "" for the null sender, NULL: omitted */
	size_t		ndkim;
	const struct report_dkim *dkim;
	const char     *spf_domain;	/* NULL: no SPF result */
	const char     *spf_scope;	/* "mfrom" or NULL */
	const char     *spf_result;	/* RFC 8601 §2.7.2 word */
};

/* report_xml_escape - append s with &<>"' and control characters escaped */
void	report_xml_escape(struct buf *out, const char *s);

/* report_xml_begin - XML declaration through policy_published */
void	report_xml_begin(struct buf *out, enum report_format f, const struct report_meta *m,
	    const struct report_policy *p);
/* report_xml_row - one <record> */
void	report_xml_row(struct buf *out, enum report_format f, const struct report_row *r);
/* report_xml_end - close the document */
void	report_xml_end(struct buf *out, enum report_format f);

struct report_schema;

/* report_schema_new - parse the XSD at path once; NULL with err set */
struct report_schema *report_schema_new(const char *path, struct buf *err);
void	report_schema_free(struct report_schema *s);

/*
 * report_xml_validate - validate doc against the schema with libxml2,
 * streaming (memory stays small for large reports).  0 valid; -1 with the
 * first errors in err.
 */
int	report_xml_validate(struct report_schema *s, const char *doc, size_t len, struct buf *err);

#endif
