/*
 * ingest_agg.c - received DMARC aggregate reports (RFC 7489 Appendix C,
 * RFC 9990 Appendix A) into struct ingest_agg
 *
 * The bytes are repaired first (ingest_xmlfix), then parsed by libxml2 in
 * recover mode with the network off and no entity substitution or DTD
 * loading; the tree is walked by local name, so the RFC 9990 namespace, a
 * stray prefix or none at all read the same, and <feedback> is looked for
 * below a wrapper element when it is not the root.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_agg.h"
#include "ingest_text.h"
#include "ingest_xmlfix.h"

#define NS_9990 "urn:ietf:params:xml:ns:dmarc-2.0"
/* a report's reporting period is a day (RFC 9990 §2.1); longer gets a note */
#define DAY 86400

/* ingest_agg_limits_default - the default caps */
void
ingest_agg_limits_default(struct ingest_agg_limits *l)
{
	l->max_xml = INGEST_AGG_MAX_XML;
	l->max_rows = INGEST_AGG_MAX_ROWS;
}

/* ingest_agg_format_name - the format's word */
const char *
ingest_agg_format_name(enum ingest_agg_format f)
{
	return f == INGEST_RFC9990 ? "rfc9990" : "rfc7489";
}

struct word_map {
	const char *kind;	/* NULL: every kind */
	const char *in;
	const char *out;
};

/* the words each kind takes (schema enumerations), then the synonyms seen
 * in the field; RFC 4408's "unknown"/"error" are permerror/temperror */
static const struct word_map words[] = {
	{ "dkim", "none", "none" }, { "dkim", "pass", "pass" }, { "dkim", "fail", "fail" },
	{ "dkim", "policy", "policy" }, { "dkim", "neutral", "neutral" },
	{ "dkim", "temperror", "temperror" }, { "dkim", "permerror", "permerror" },
	{ "dkim", "softfail", "fail" },
	{ "spf", "none", "none" }, { "spf", "pass", "pass" }, { "spf", "fail", "fail" },
	{ "spf", "softfail", "softfail" }, { "spf", "policy", "policy" },
	{ "spf", "neutral", "neutral" }, { "spf", "temperror", "temperror" },
	{ "spf", "permerror", "permerror" }, { "spf", "unknown", "permerror" },
	{ "spf", "error", "temperror" }, { "spf", "soft-fail", "softfail" },
	{ NULL, "hardfail", "fail" }, { NULL, "hard-fail", "fail" },
	{ NULL, "temp-error", "temperror" }, { NULL, "tempfail", "temperror" },
	{ NULL, "perm-error", "permerror" }, { NULL, "permfail", "permerror" },
	/* policy_evaluated: DMARC alignment, pass or fail (RFC 9990 DMARCResultType) */
	{ "eval", "pass", "pass" }, { "eval", "fail", "fail" }, { "eval", "softfail", "fail" },
	{ "eval", "neutral", "fail" }, { "eval", "none", "fail" }, { "eval", "temperror", "fail" },
	{ "eval", "permerror", "fail" }, { "eval", "policy", "fail" },
	{ "disposition", "none", "none" }, { "disposition", "pass", "pass" },
	{ "disposition", "quarantine", "quarantine" }, { "disposition", "reject", "reject" },
	{ "disposition", "quarantined", "quarantine" }, { "disposition", "rejected", "reject" },
	{ "policy", "none", "none" }, { "policy", "quarantine", "quarantine" },
	{ "policy", "reject", "reject" },
	{ "reason", "forwarded", "forwarded" }, { "reason", "sampled_out", "sampled_out" },
	{ "reason", "trusted_forwarder", "trusted_forwarder" },
	{ "reason", "mailing_list", "mailing_list" }, { "reason", "local_policy", "local_policy" },
	{ "reason", "policy_test_mode", "policy_test_mode" }, { "reason", "other", "other" },
	{ "reason", "sampled-out", "sampled_out" }, { "reason", "trusted-forwarder", "trusted_forwarder" },
	{ "reason", "mailing-list", "mailing_list" }, { "reason", "local-policy", "local_policy" },
};

/* ingest_result_word - normalised result word of a kind, or NULL */
const char *
ingest_result_word(const char *kind, const char *word)
{
	const char *w = word;
	size_t i, n;

	while (*w == ' ' || *w == '\t')
		w++;
	for (n = strlen(w); n > 0 && (w[n - 1] == ' ' || w[n - 1] == '\t'); n--)
		;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (words[i].kind != NULL && strcmp(words[i].kind, kind) != 0)
			continue;
		if (strlen(words[i].in) == n && strncasecmp(words[i].in, w, n) == 0) {
			/* a synonym of fail is still fail in policy_evaluated */
			if (words[i].kind == NULL && strcmp(kind, "eval") == 0)
				return "fail";
			if (words[i].kind == NULL && (strcmp(kind, "dkim") != 0 && strcmp(kind, "spf") != 0))
				return NULL;
			return words[i].out;
		}
	}
	return NULL;
}

/* ctx - the parse in progress */
struct ctx {
	struct ingest_agg *a;
	const struct ingest_agg_limits *lim;
	size_t skipped;		/* records past the cap */
};

/* local_is - whether node is an element with local name */
static int
local_is(const xmlNode *node, const char *name)
{
	return node != NULL && node->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)node->name, name) == 0;
}

/* child - the first element child called name */
static xmlNode *
child(const xmlNode *node, const char *name)
{
	xmlNode *c;

	for (c = node != NULL ? node->children : NULL; c != NULL; c = c->next)
		if (local_is(c, name))
			return c;
	return NULL;
}

/* text - the text of node (its text and CDATA children only: never an
 * entity reference), trimmed and capped; NULL when node is NULL */
static char *
text(struct ctx *c, const xmlNode *node)
{
	struct buf b = BUF_INIT;
	const xmlNode *t;
	char *r;
	int cut = 0;

	if (node == NULL)
		return NULL;
	buf_init(&b);
	for (t = node->children; t != NULL; t = t->next)
		if ((t->type == XML_TEXT_NODE || t->type == XML_CDATA_SECTION_NODE) &&
		    t->content != NULL && b.len <= INGEST_AGG_MAX_STR)
			buf_add(&b, t->content, strnlen((const char *)t->content, INGEST_AGG_MAX_STR + 1));
	r = ingest_strdup_cap(b.data, b.len, INGEST_AGG_MAX_STR, &cut);
	if (cut)
		ingest_note(&c->a->notes, "<%s> cut at %d bytes", (const char *)node->name,
		    INGEST_AGG_MAX_STR);
	buf_free(&b);
	return r;
}

/* field - the text of node's child called name, or NULL */
static char *
field(struct ctx *c, const xmlNode *node, const char *name)
{
	return text(c, child(node, name));
}

/* word - the normalised result word of node's child name, or NULL; an
 * unknown word is kept lower case and noted */
static char *
word(struct ctx *c, const xmlNode *node, const char *name, const char *kind)
{
	char *raw = field(c, node, name);
	const char *w;

	if (raw == NULL || raw[0] == '\0') {
		free(raw);
		return NULL;
	}
	if ((w = ingest_result_word(kind, raw)) == NULL) {
		ingest_note(&c->a->notes, "unknown %s word '%.40s' kept", name, raw);
		return ingest_lower(raw);
	}
	if (strcmp(w, raw) != 0)
		ingest_note(&c->a->notes, "%s '%.40s' read as '%s'", name, raw, w);
	free(raw);
	return xstrdup(w);
}

/* find_feedback - <feedback> at the root, or below a wrapper (depth <= 4) */
static xmlNode *
find_feedback(xmlNode *node, int depth)
{
	xmlNode *c, *f;

	if (local_is(node, "feedback"))
		return node;
	if (depth >= 4 || node == NULL)
		return NULL;
	for (c = node->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (f = find_feedback(c, depth + 1)) != NULL)
			return f;
	return NULL;
}

/* epoch - an xs:integer epoch in node's child name; -1 when not one */
static int64_t
epoch(struct ctx *c, const xmlNode *node, const char *name)
{
	char *s = field(c, node, name);
	uint64_t v;
	int rc = s != NULL ? ingest_u64(s, &v) : -1;

	free(s);
	return rc == 0 && v < ((uint64_t)1 << 40) ? (int64_t)v : -1;
}

/* parse_metadata - report_metadata (RFC 9990 §A, ReportMetadataType) */
static int
parse_metadata(struct ctx *c, const xmlNode *md)
{
	struct ingest_agg *a = c->a;
	const xmlNode *dr, *e;

	if (md == NULL)
		return -1;
	a->org_name = field(c, md, "org_name");
	a->email = field(c, md, "email");
	a->extra_contact = field(c, md, "extra_contact_info");
	a->report_id = field(c, md, "report_id");
	a->generator = field(c, md, "generator");
	for (e = md->children; e != NULL; e = e->next)
		if (local_is(e, "error") && a->errors.n < INGEST_AGG_MAX_ERRORS) {
			char *s = text(c, e);

			strlist_add(&a->errors, s);
			free(s);
		}
	dr = child(md, "date_range");
	a->begin = epoch(c, dr, "begin");
	a->end = epoch(c, dr, "end");
	if (a->begin >= 0 && a->end >= 0 && a->end < a->begin) {
		int64_t t = a->begin;

		a->begin = a->end;
		a->end = t;
		ingest_note(&a->notes, "date_range begin after end: swapped");
	}
	if (a->begin >= 0 && a->end - a->begin > DAY + 3600)
		ingest_note(&a->notes, "date range of %lld days",
		    (long long)((a->end - a->begin + DAY / 2) / DAY));
	return 0;
}

/* parse_policy - policy_published (RFC 7489 pct, RFC 9990 np testing
 * discovery_method) */
static void
parse_policy(struct ctx *c, const xmlNode *pp)
{
	struct ingest_policy *p = &c->a->policy;
	char *s;
	uint64_t v;

	p->pct = -1;
	if (pp == NULL)
		return;
	p->domain = ingest_lower(field(c, pp, "domain"));
	p->p = word(c, pp, "p", "policy");
	p->sp = word(c, pp, "sp", "policy");
	p->np = word(c, pp, "np", "policy");
	p->adkim = ingest_lower(field(c, pp, "adkim"));
	p->aspf = ingest_lower(field(c, pp, "aspf"));
	p->fo = field(c, pp, "fo");
	p->testing = ingest_lower(field(c, pp, "testing"));
	p->discovery = ingest_lower(field(c, pp, "discovery_method"));
	if ((s = field(c, pp, "pct")) != NULL) {
		if (ingest_u64(s, &v) == 0 && v <= 100)
			p->pct = (int)v;
		else
			ingest_note(&c->a->notes, "pct '%.20s' ignored", s);
		free(s);
	}
}

/* parse_auth - one auth_results/dkim or /spf entry */
static void
parse_auth(struct ctx *c, const xmlNode *n, const char *kind, struct ingest_auth *out)
{
	out->domain = ingest_lower(field(c, n, "domain"));
	out->selector = field(c, n, strcmp(kind, "dkim") == 0 ? "selector" : "scope");
	out->result = word(c, n, "result", kind);
	out->human = field(c, n, "human_result");
	if (out->domain == NULL)
		out->domain = xstrdup("");
	if (out->result == NULL)
		out->result = xstrdup("none");
}

/* parse_auth_results - the dkim and spf lists of a record */
static void
parse_auth_results(struct ctx *c, const xmlNode *ar, struct ingest_row *r)
{
	const xmlNode *e;

	for (e = ar != NULL ? ar->children : NULL; e != NULL; e = e->next) {
		if (local_is(e, "dkim") && r->ndkim < INGEST_AGG_MAX_AUTH) {
			r->auth_dkim = xrealloc(r->auth_dkim, (r->ndkim + 1) * sizeof(*r->auth_dkim));
			parse_auth(c, e, "dkim", &r->auth_dkim[r->ndkim++]);
		} else if (local_is(e, "spf") && r->nspf < INGEST_AGG_MAX_AUTH) {
			r->auth_spf = xrealloc(r->auth_spf, (r->nspf + 1) * sizeof(*r->auth_spf));
			parse_auth(c, e, "spf", &r->auth_spf[r->nspf++]);
		} else if (local_is(e, "dkim") || local_is(e, "spf"))
			ingest_note(&c->a->notes, "auth_results past %d per method ignored",
			    INGEST_AGG_MAX_AUTH);
	}
}

/* parse_evaluated - row/policy_evaluated and its reasons */
static void
parse_evaluated(struct ctx *c, const xmlNode *pe, struct ingest_row *r)
{
	const xmlNode *e;

	if (pe == NULL) {
		ingest_note(&c->a->notes, "record without policy_evaluated");
		return;
	}
	r->disposition = word(c, pe, "disposition", "disposition");
	r->dkim = word(c, pe, "dkim", "eval");
	r->spf = word(c, pe, "spf", "eval");
	for (e = pe->children; e != NULL; e = e->next) {
		if (!local_is(e, "reason") || r->nreasons >= INGEST_AGG_MAX_REASONS)
			continue;
		r->reasons = xrealloc(r->reasons, (r->nreasons + 1) * sizeof(*r->reasons));
		r->reasons[r->nreasons].type = word(c, e, "type", "reason");
		r->reasons[r->nreasons].comment = field(c, e, "comment");
		r->nreasons++;
	}
}

/* source_ip - the canonical form of row/source_ip into r; -1 if not an address */
static int
source_ip(struct ctx *c, const xmlNode *row, struct ingest_row *r)
{
	unsigned char bin[16];
	char *s = field(c, row, "source_ip");
	int rc = -1;

	if (s != NULL && inet_pton(AF_INET, s, bin) == 1)
		rc = inet_ntop(AF_INET, bin, r->source_ip, sizeof(r->source_ip)) ? 0 : -1;
	else if (s != NULL && inet_pton(AF_INET6, s, bin) == 1)
		rc = inet_ntop(AF_INET6, bin, r->source_ip, sizeof(r->source_ip)) ? 0 : -1;
	if (rc != 0)
		ingest_note(&c->a->notes, "record with source_ip '%.50s' skipped", s ? s : "");
	free(s);
	return rc;
}

/* row_count - row/count; -1 when not a number */
static int
row_count(struct ctx *c, const xmlNode *row, struct ingest_row *r)
{
	char *s = field(c, row, "count");
	int rc = s != NULL ? ingest_u64(s, &r->count) : -1;

	if (rc != 0)
		ingest_note(&c->a->notes, "record with count '%.30s' skipped", s ? s : "");
	else if (r->count == 0)
		ingest_note(&c->a->notes, "record with count 0 kept");
	free(s);
	return rc;
}

static void row_free(struct ingest_row *r);

/* parse_record - one <record>; skipped (with a note) when unusable */
static void
parse_record(struct ctx *c, const xmlNode *rec)
{
	struct ingest_agg *a = c->a;
	const xmlNode *row = child(rec, "row"), *id = child(rec, "identifiers");
	struct ingest_row r;

	if (a->nrows >= c->lim->max_rows) {
		c->skipped++;
		return;
	}
	memset(&r, 0, sizeof(r));
	if (row == NULL || source_ip(c, row, &r) != 0 || row_count(c, row, &r) != 0) {
		if (row == NULL)
			ingest_note(&a->notes, "record without row skipped");
		return;
	}
	parse_evaluated(c, child(row, "policy_evaluated"), &r);
	r.header_from = ingest_lower(field(c, id, "header_from"));
	r.envelope_from = ingest_lower(field(c, id, "envelope_from"));
	r.envelope_to = ingest_lower(field(c, id, "envelope_to"));
	if (r.header_from == NULL) {
		ingest_note(&a->notes, "record without header_from");
		r.header_from = xstrdup("");
	}
	parse_auth_results(c, child(rec, "auth_results"), &r);
	if (a->nrows % 64 == 0)
		a->rows = xrealloc(a->rows, (a->nrows + 64) * sizeof(*a->rows));
	a->rows[a->nrows++] = r;
	a->messages = a->messages + r.count < a->messages ? UINT64_MAX : a->messages + r.count;
}

/* reject - set a->reject once; returns -1 */
static int
reject(struct ingest_agg *a, const char *why)
{
	if (a->reject == NULL)
		a->reject = xstrdup(why);
	return -1;
}

/* detect_format - RFC 9990 by namespace; its elements without it get a note */
static void
detect_format(struct ctx *c, const xmlNode *fb)
{
	struct ingest_policy *p = &c->a->policy;

	if (fb->ns != NULL && fb->ns->href != NULL && strcmp((const char *)fb->ns->href, NS_9990) == 0)
		c->a->format = INGEST_RFC9990;
	else if (p->np != NULL || p->testing != NULL || p->discovery != NULL || c->a->generator != NULL) {
		c->a->format = INGEST_RFC9990;
		ingest_note(&c->a->notes, "RFC 9990 elements without its namespace");
	} else
		c->a->format = INGEST_RFC7489;
}

/* walk_feedback - the tree into c->a; -1 with a reason when unusable */
static int
walk_feedback(struct ctx *c, xmlNode *root)
{
	struct ingest_agg *a = c->a;
	xmlNode *fb = find_feedback(root, 0), *e;

	if (fb == NULL)
		return reject(a, "no <feedback> element");
	if (fb != root)
		ingest_note(&a->notes, "<feedback> inside a <%.40s> wrapper", (const char *)root->name);
	if (parse_metadata(c, child(fb, "report_metadata")) != 0)
		return reject(a, "no <report_metadata>");
	parse_policy(c, child(fb, "policy_published"));
	detect_format(c, fb);
	for (e = fb->children; e != NULL; e = e->next)
		if (local_is(e, "record"))
			parse_record(c, e);
	if (c->skipped > 0)
		ingest_note(&a->notes, "%zu records past the cap of %zu ignored", c->skipped,
		    c->lim->max_rows);
	if (a->org_name == NULL || a->org_name[0] == '\0')
		return reject(a, "no org_name");
	if (a->report_id == NULL || a->report_id[0] == '\0')
		return reject(a, "no report_id");
	if (a->policy.domain == NULL || a->policy.domain[0] == '\0')
		return reject(a, "no policy_published domain");
	if (a->begin < 0 || a->end < 0)
		return reject(a, "no usable date_range");
	if (a->nrows == 0)
		ingest_note(&a->notes, "report without records");
	return 0;
}

/* ingest_agg_parse - parse one aggregate report document */
int
ingest_agg_parse(const char *xml, size_t n, const struct ingest_agg_limits *lim,
    struct ingest_agg *out)
{
	struct ingest_agg_limits def;
	struct buf fixed = BUF_INIT;
	struct ctx c;
	xmlParserCtxtPtr pc;
	xmlDocPtr doc;
	int rc;

	if (lim == NULL) {
		ingest_agg_limits_default(&def);
		lim = &def;
	}
	out->policy.pct = -1;
	out->begin = out->end = -1;
	if (n > lim->max_xml)
		return reject(out, "document over the size cap");
	buf_init(&fixed);
	ingest_xmlfix(xml, n, &fixed, &out->notes);
	if ((pc = xmlNewParserCtxt()) == NULL) {
		buf_free(&fixed);
		return reject(out, "XML parser cannot start");
	}
	/* no NOENT, no DTDLOAD, no DTDATTR, no HUGE: libxml2's own limits hold */
	doc = xmlCtxtReadMemory(pc, fixed.data, (int)fixed.len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA);
	if (doc != NULL && !pc->wellFormed)
		ingest_note(&out->notes, "XML not well-formed: recovered what the parser could");
	xmlFreeParserCtxt(pc);
	buf_free(&fixed);
	if (doc == NULL || xmlDocGetRootElement(doc) == NULL) {
		xmlFreeDoc(doc);
		return reject(out, "not XML");
	}
	memset(&c, 0, sizeof(c));
	c.a = out;
	c.lim = lim;
	rc = walk_feedback(&c, xmlDocGetRootElement(doc));
	xmlFreeDoc(doc);
	return rc;
}

/* row_free - release one row's strings */
static void
row_free(struct ingest_row *r)
{
	size_t i;

	free(r->disposition);
	free(r->dkim);
	free(r->spf);
	for (i = 0; i < r->nreasons; i++) {
		free(r->reasons[i].type);
		free(r->reasons[i].comment);
	}
	free(r->reasons);
	free(r->header_from);
	free(r->envelope_from);
	free(r->envelope_to);
	for (i = 0; i < r->ndkim; i++) {
		free(r->auth_dkim[i].domain);
		free(r->auth_dkim[i].selector);
		free(r->auth_dkim[i].result);
		free(r->auth_dkim[i].human);
	}
	for (i = 0; i < r->nspf; i++) {
		free(r->auth_spf[i].domain);
		free(r->auth_spf[i].selector);
		free(r->auth_spf[i].result);
		free(r->auth_spf[i].human);
	}
	free(r->auth_dkim);
	free(r->auth_spf);
}

/* ingest_agg_free - release a */
void
ingest_agg_free(struct ingest_agg *a)
{
	struct ingest_policy *p = &a->policy;
	size_t i;

	for (i = 0; i < a->nrows; i++)
		row_free(&a->rows[i]);
	free(a->rows);
	free(a->org_name);
	free(a->email);
	free(a->extra_contact);
	free(a->report_id);
	free(a->generator);
	strlist_free(&a->errors);
	free(p->domain);
	free(p->p);
	free(p->sp);
	free(p->np);
	free(p->adkim);
	free(p->aspf);
	free(p->testing);
	free(p->fo);
	free(p->discovery);
	strlist_free(&a->notes);
	free(a->reject);
	memset(a, 0, sizeof(*a));
}
