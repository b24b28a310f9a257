/*
 * report_xml.c - aggregate report XML (RFC 9990 §"Description of the
 * content XML file") and its schema validation (gzip: report_gz.c)
 *
 * The writer appends text to a buffer and never interprets values: every
 * string goes through report_xml_escape, which also repairs what XML 1.0
 * cannot carry at all (control characters, invalid UTF-8).  Element order
 * follows the XSD of RFC 9990 §"DMARC XML Schema"; the RFC 7489 dialect
 * (Appendix C of RFC 7489) differs in namespace, policy_published and the
 * value sets noted below.
 */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include "report_xml.h"

struct report_schema {
	xmlSchemaPtr	schema;
};

/* utf8_len - length of the valid UTF-8 sequence at s (RFC 3629 §4), 0 if invalid */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
			return 0;
		/* U+FFFE and U+FFFF are not XML Chars */
		if (s[0] == 0xef && s[1] == 0xbf && s[2] >= 0xbe)
			return 0;
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* report_xml_escape - XML 1.0 §2.4 escaping; bad bytes become U+FFFD */
void
report_xml_escape(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	while (*p != '\0') {
		const unsigned char *q = p;
		size_t n;

		while (*q >= 0x20 && *q < 0x7f && *q != '&' && *q != '<' && *q != '>' &&
		    *q != '"' && *q != '\'')
			q++;
		if (q > p) {
			buf_add(out, p, (size_t)(q - p));
			p = q;
			continue;
		}
		switch (*p) {
		case '&': buf_adds(out, "&amp;"); p++; continue;
		case '<': buf_adds(out, "&lt;"); p++; continue;
		case '>': buf_adds(out, "&gt;"); p++; continue;
		case '"': buf_adds(out, "&quot;"); p++; continue;
		case '\'': buf_adds(out, "&apos;"); p++; continue;
		default: break;
		}
		if (*p < 0x20 || *p == 0x7f) {
			/* XML 1.0 §2.2: no C0 controls, not even as references */
			buf_addc(out, '?');
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0) {
			buf_adds(out, "\xef\xbf\xbd");
			p++;
		} else {
			buf_add(out, p, n);
			p += n;
		}
	}
}

/* elem - <name>escaped value</name> on its own line, indented */
static void
elem(struct buf *out, int depth, const char *name, const char *value)
{
	static const char spaces[] = "                ";
	size_t n = strlen(name);

	buf_add(out, spaces, (size_t)depth * 2 < sizeof(spaces) - 1 ? (size_t)depth * 2
	    : sizeof(spaces) - 1);
	buf_addc(out, '<');
	buf_add(out, name, n);
	buf_addc(out, '>');
	report_xml_escape(out, value);
	buf_add(out, "</", 2);
	buf_add(out, name, n);
	buf_add(out, ">\n", 2);
}

/* opt - elem when value is not NULL */
static void
opt(struct buf *out, int depth, const char *name, const char *value)
{
	if (value != NULL)
		elem(out, depth, name, value);
}

/* metadata - report_metadata (RFC 9990 §"Report generator metadata") */
static void
metadata(struct buf *out, enum report_format f, const struct report_meta *m)
{
	buf_adds(out, "  <report_metadata>\n");
	elem(out, 2, "org_name", m->org_name);
	elem(out, 2, "email", m->email);
	opt(out, 2, "extra_contact_info", m->extra_contact);
	elem(out, 2, "report_id", m->report_id);
	buf_printf(out, "    <date_range>\n      <begin>%lld</begin>\n      <end>%lld</end>\n"
	    "    </date_range>\n", m->begin, m->end);
	opt(out, 2, "error", m->error);
	if (f == REPORT_RFC9990)
		opt(out, 2, "generator", m->generator);
	buf_adds(out, "  </report_metadata>\n");
}

/* policy - policy_published, XSD order for each dialect */
static void
policy(struct buf *out, enum report_format f, const struct report_policy *p)
{
	buf_adds(out, "  <policy_published>\n");
	elem(out, 2, "domain", p->domain);
	if (f == REPORT_RFC7489) {
		/* RFC 7489 Appendix C: domain adkim aspf p sp pct fo */
		opt(out, 2, "adkim", p->adkim);
		opt(out, 2, "aspf", p->aspf);
		elem(out, 2, "p", p->p);
		elem(out, 2, "sp", p->sp ? p->sp : p->p);
		buf_printf(out, "    <pct>%d</pct>\n", p->pct < 0 ? 100 : p->pct);
		opt(out, 2, "fo", p->fo);
	} else {
		elem(out, 2, "p", p->p);
		opt(out, 2, "sp", p->sp);
		opt(out, 2, "np", p->np);
		opt(out, 2, "adkim", p->adkim);
		opt(out, 2, "aspf", p->aspf);
		opt(out, 2, "discovery_method", p->discovery);
		opt(out, 2, "fo", p->fo);
		opt(out, 2, "testing", p->testing);
	}
	buf_adds(out, "  </policy_published>\n");
}

/* report_xml_begin - declaration, root, version, metadata, policy */
void
report_xml_begin(struct buf *out, enum report_format f, const struct report_meta *m,
    const struct report_policy *p)
{
	buf_adds(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	if (f == REPORT_RFC9990)
		buf_adds(out, "<feedback xmlns=\"" REPORT_NS "\">\n");
	else
		buf_adds(out, "<feedback>\n");
	/* RFC 9990 §"First Level Elements": version MUST be 1.0 */
	buf_adds(out, "  <version>1.0</version>\n");
	metadata(out, f, m);
	policy(out, f, p);
}

/* reason_type - PolicyOverrideType in the dialect (7489 has sampled_out) */
static const char *
reason_type(enum report_format f, const char *t)
{
	if (f == REPORT_RFC7489 && strcmp(t, "policy_test_mode") == 0)
		return "sampled_out";
	return t;
}

/* row - row and policy_evaluated (RFC 9990 §"Contents of the row element") */
static void
row(struct buf *out, enum report_format f, const struct report_row *r)
{
	const char *disp = r->disposition;
	size_t i;

	/* RFC 7489's ActionDispositionType has no "pass" */
	if (f == REPORT_RFC7489 && strcmp(disp, "pass") == 0)
		disp = "none";
	buf_adds(out, "    <row>\n");
	elem(out, 3, "source_ip", r->source_ip);
	buf_printf(out, "      <count>%llu</count>\n", r->count);
	buf_adds(out, "      <policy_evaluated>\n");
	elem(out, 4, "disposition", disp);
	elem(out, 4, "dkim", r->dkim_aligned);
	elem(out, 4, "spf", r->spf_aligned);
	for (i = 0; i < r->nreason; i++) {
		buf_adds(out, "        <reason>\n");
		elem(out, 5, "type", reason_type(f, r->reason[i].type));
		opt(out, 5, "comment", r->reason[i].comment);
		buf_adds(out, "        </reason>\n");
	}
	buf_adds(out, "      </policy_evaluated>\n    </row>\n");
}

/* auth_results - dkim* then spf (RFC 9990 §"Contents of the auth_results element") */
static void
auth_results(struct buf *out, enum report_format f, const struct report_row *r)
{
	size_t i;

	buf_adds(out, "    <auth_results>\n");
	for (i = 0; i < r->ndkim && i < REPORT_MAX_DKIM; i++) {
		buf_adds(out, "      <dkim>\n");
		elem(out, 4, "domain", r->dkim[i].domain);
		elem(out, 4, "selector", r->dkim[i].selector);
		elem(out, 4, "result", r->dkim[i].result);
		buf_adds(out, "      </dkim>\n");
	}
	if (r->spf_domain != NULL || f == REPORT_RFC7489) {
		/* RFC 7489 requires one spf element; "none" says there was none */
		const char *dom = r->spf_domain;

		if (dom == NULL)
			dom = (r->envelope_from && *r->envelope_from) ? r->envelope_from
			    : r->header_from;
		buf_adds(out, "      <spf>\n");
		elem(out, 4, "domain", dom);
		opt(out, 4, "scope", r->spf_scope);
		elem(out, 4, "result", r->spf_domain ? r->spf_result : "none");
		buf_adds(out, "      </spf>\n");
	}
	buf_adds(out, "    </auth_results>\n");
}

/* report_xml_row - one record: row, identifiers, auth_results */
void
report_xml_row(struct buf *out, enum report_format f, const struct report_row *r)
{
	buf_adds(out, "  <record>\n");
	row(out, f, r);
	buf_adds(out, "    <identifiers>\n");
	if (f == REPORT_RFC7489) {
		/* RFC 7489 Appendix C: envelope_from before header_from */
		elem(out, 3, "envelope_from", r->envelope_from ? r->envelope_from : "");
		elem(out, 3, "header_from", r->header_from);
	} else {
		elem(out, 3, "header_from", r->header_from);
		opt(out, 3, "envelope_from", r->envelope_from);
	}
	buf_adds(out, "    </identifiers>\n");
	auth_results(out, f, r);
	buf_adds(out, "  </record>\n");
}

/* report_xml_end - close the root */
void
report_xml_end(struct buf *out, enum report_format f)
{
	(void)f;
	buf_adds(out, "</feedback>\n");
}

/* collect - libxml2 structured error handler: keep the first few errors */
static void
collect(void *ctx, xmlErrorPtr e)
{
	struct buf *err = ctx;
	size_t n;

	if (err == NULL || e == NULL || err->len > 600)
		return;
	if (err->len > 0)
		buf_adds(err, "; ");
	buf_printf(err, "line %d: %s", e->line, e->message ? e->message : "error");
	n = err->len;
	while (n > 0 && (err->data[n - 1] == '\n' || err->data[n - 1] == ' '))
		n--;
	err->len = n;
	err->data[n] = '\0';
}

/* report_schema_new - parse the XSD once */
struct report_schema *
report_schema_new(const char *path, struct buf *err)
{
	xmlSchemaParserCtxtPtr pc;
	struct report_schema *s;
	xmlSchemaPtr sc;

	xmlInitParser();
	pc = xmlSchemaNewParserCtxt(path);
	if (pc == NULL) {
		buf_printf(err, "%s: cannot read schema", path);
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pc, collect, err);
	sc = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (sc == NULL) {
		if (err->len == 0)
			buf_printf(err, "%s: not a usable schema", path);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->schema = sc;
	return s;
}

/* report_schema_free - release; NULL is a no-op */
void
report_schema_free(struct report_schema *s)
{
	if (s == NULL)
		return;
	xmlSchemaFree(s->schema);
	free(s);
}

/* report_xml_validate - stream doc through an xmlTextReader with the schema */
int
report_xml_validate(struct report_schema *s, const char *doc, size_t len, struct buf *err)
{
	xmlTextReaderPtr r;
	int ret, valid;

	if (len > (size_t)INT32_MAX) {
		buf_printf(err, "report too large to validate");
		return -1;
	}
	r = xmlReaderForMemory(doc, (int)len, "report.xml", "UTF-8", XML_PARSE_NONET);
	if (r == NULL) {
		buf_printf(err, "cannot create XML reader");
		return -1;
	}
	xmlTextReaderSetStructuredErrorHandler(r, collect, err);
	if (xmlTextReaderSetSchema(r, s->schema) != 0) {
		xmlFreeTextReader(r);
		buf_printf(err, "cannot attach schema");
		return -1;
	}
	while ((ret = xmlTextReaderRead(r)) == 1)
		;
	valid = ret == 0 && xmlTextReaderIsValid(r) == 1;
	xmlFreeTextReader(r);
	if (!valid && err->len == 0)
		buf_printf(err, "document does not validate");
	return valid ? 0 : -1;
}
