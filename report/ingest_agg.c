/*
 * ingest_agg.c - received DMARC aggregate reports (RFC 7489 Appendix C,
 * RFC 9990 Appendix A) into struct ingest_agg
 *
 * The bytes are repaired first (ingest_xmlfix), then streamed through
 * libxml2's xmlTextReader (no tree: memory grows with the rows kept, not
 * with the document) in recover mode, with the network off and no entity
 * substitution or DTD loading.  Elements are matched by their path of local
 * names below <feedback>, so the RFC 9990 namespace, a stray prefix or none
 * at all read the same, and <feedback> is looked for below a wrapper
 * element when it is not the root.  The first value of a field wins.
 */
#include "config.h"

#include <arpa/inet.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
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

/* the fields read, by their path below <feedback> (RFC 9990 Appendix A) */
enum fld {
	F_NONE = 0, F_ORG, F_EMAIL, F_EXTRA, F_RID, F_GEN, F_ERROR, F_BEGIN, F_END,
	F_PDOMAIN, F_P, F_SP, F_NP, F_ADKIM, F_ASPF, F_FO, F_TESTING, F_DISC, F_PCT,
	F_IP, F_COUNT, F_DISP, F_EDKIM, F_ESPF, F_RTYPE, F_RCOMMENT, F_HFROM, F_EFROM, F_ETO,
	F_DDOMAIN, F_DSEL, F_DRESULT, F_DHUMAN, F_SDOMAIN, F_SSCOPE, F_SRESULT, F_SHUMAN,
	NFLD
};

static const struct { const char *path; enum fld f; } paths[] = {
	{ "report_metadata/org_name", F_ORG }, { "report_metadata/email", F_EMAIL },
	{ "report_metadata/extra_contact_info", F_EXTRA }, { "report_metadata/report_id", F_RID },
	{ "report_metadata/generator", F_GEN }, { "report_metadata/error", F_ERROR },
	{ "report_metadata/date_range/begin", F_BEGIN }, { "report_metadata/date_range/end", F_END },
	{ "policy_published/domain", F_PDOMAIN }, { "policy_published/p", F_P },
	{ "policy_published/sp", F_SP }, { "policy_published/np", F_NP },
	{ "policy_published/adkim", F_ADKIM }, { "policy_published/aspf", F_ASPF },
	{ "policy_published/fo", F_FO }, { "policy_published/testing", F_TESTING },
	{ "policy_published/discovery_method", F_DISC }, { "policy_published/pct", F_PCT },
	{ "record/row/source_ip", F_IP }, { "record/row/count", F_COUNT },
	{ "record/row/policy_evaluated/disposition", F_DISP },
	{ "record/row/policy_evaluated/dkim", F_EDKIM }, { "record/row/policy_evaluated/spf", F_ESPF },
	{ "record/row/policy_evaluated/reason/type", F_RTYPE },
	{ "record/row/policy_evaluated/reason/comment", F_RCOMMENT },
	{ "record/identifiers/header_from", F_HFROM }, { "record/identifiers/envelope_from", F_EFROM },
	{ "record/identifiers/envelope_to", F_ETO },
	{ "record/auth_results/dkim/domain", F_DDOMAIN }, { "record/auth_results/dkim/selector", F_DSEL },
	{ "record/auth_results/dkim/result", F_DRESULT }, { "record/auth_results/dkim/human_result", F_DHUMAN },
	{ "record/auth_results/spf/domain", F_SDOMAIN }, { "record/auth_results/spf/scope", F_SSCOPE },
	{ "record/auth_results/spf/result", F_SRESULT }, { "record/auth_results/spf/human_result", F_SHUMAN },
};

#define MAX_DEPTH 16	/* element levels below <feedback> that are read */

/* ctx - the parse in progress (the document is streamed: no tree) */
struct ctx {
	struct ingest_agg *a;
	const struct ingest_agg_limits *lim;
	size_t	skipped;		/* records past the cap */
	int	fb_depth;		/* reader depth of <feedback>, -1 before it */
	int	done;			/* </feedback> seen */
	int	ns9990;			/* <feedback> is in RFC 9990's namespace */
	struct buf path;		/* element path below <feedback> */
	size_t	plen[MAX_DEPTH + 1];	/* path length at each level */
	enum fld cur;			/* field being read */
	int	cur_depth;
	char	cur_name[40];
	struct buf text;		/* its text so far, capped */
	char   *v[NFLD];		/* values of the current scope (first one wins) */
	int	in_record, skip_record;
	struct ingest_row row;		/* the record being read */
};

/* word - the normalised result word of raw (element name for notes), or
 * NULL; an unknown word is kept lower case and noted; raw is consumed */
static char *
word(struct ctx *c, char *raw, const char *name, const char *kind)
{
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

/* take - hand out the value of field f of the current scope */
static char *
take(struct ctx *c, enum fld f)
{
	char *s = c->v[f];

	c->v[f] = NULL;
	return s;
}

/* epoch - a field as an xs:integer epoch; -1 when not one */
static int64_t
epoch(struct ctx *c, enum fld f)
{
	char *s = take(c, f);
	uint64_t v;
	int rc = s != NULL ? ingest_u64(s, &v) : -1;

	free(s);
	return rc == 0 && v < ((uint64_t)1 << 40) ? (int64_t)v : -1;
}

/* end_auth - </dkim> or </spf> of auth_results: one entry of the row */
static void
end_auth(struct ctx *c, int dkim)
{
	struct ingest_row *r = &c->row;
	size_t *n = dkim ? &r->ndkim : &r->nspf;
	struct ingest_auth **v = dkim ? &r->auth_dkim : &r->auth_spf, *e;
	enum fld base = dkim ? F_DDOMAIN : F_SDOMAIN;
	int k;

	if (*n >= INGEST_AGG_MAX_AUTH) {
		ingest_note(&c->a->notes, "auth_results past %d per method ignored", INGEST_AGG_MAX_AUTH);
		for (k = 0; k < 4; k++)
			free(take(c, (enum fld)(base + k)));
		return;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	e = &(*v)[(*n)++];
	e->domain = ingest_lower(take(c, base));
	e->selector = take(c, (enum fld)(base + 1));
	e->result = word(c, take(c, (enum fld)(base + 2)), "result", dkim ? "dkim" : "spf");
	e->human = take(c, (enum fld)(base + 3));
	if (e->domain == NULL)
		e->domain = xstrdup("");
	if (e->result == NULL)
		e->result = xstrdup("none");
}

/* end_reason - </reason> of policy_evaluated */
static void
end_reason(struct ctx *c)
{
	struct ingest_row *r = &c->row;

	if (r->nreasons >= INGEST_AGG_MAX_REASONS) {
		free(take(c, F_RTYPE));
		free(take(c, F_RCOMMENT));
		return;
	}
	r->reasons = xrealloc(r->reasons, (r->nreasons + 1) * sizeof(*r->reasons));
	r->reasons[r->nreasons].type = word(c, take(c, F_RTYPE), "type", "reason");
	r->reasons[r->nreasons].comment = take(c, F_RCOMMENT);
	r->nreasons++;
}

/* source_ip - the canonical form of row/source_ip into r; -1 if not an address */
static int
source_ip(struct ctx *c, struct ingest_row *r)
{
	unsigned char bin[16];
	char *s = take(c, F_IP);
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
row_count(struct ctx *c, struct ingest_row *r)
{
	char *s = take(c, F_COUNT);
	int rc = s != NULL ? ingest_u64(s, &r->count) : -1;

	if (rc != 0)
		ingest_note(&c->a->notes, "record with count '%.30s' skipped", s ? s : "");
	else if (r->count == 0)
		ingest_note(&c->a->notes, "record with count 0 kept");
	free(s);
	return rc;
}

static void row_free(struct ingest_row *r);

/* end_record - </record>: keep the row, or skip it with a note */
static void
end_record(struct ctx *c)
{
	struct ingest_agg *a = c->a;
	struct ingest_row *r = &c->row;
	int k;

	if (source_ip(c, r) != 0 || row_count(c, r) != 0) {
		row_free(r);
	} else {
		r->disposition = word(c, take(c, F_DISP), "disposition", "disposition");
		r->dkim = word(c, take(c, F_EDKIM), "dkim", "eval");
		r->spf = word(c, take(c, F_ESPF), "spf", "eval");
		if (r->disposition == NULL && r->dkim == NULL && r->spf == NULL)
			ingest_note(&a->notes, "record without policy_evaluated");
		r->header_from = ingest_lower(take(c, F_HFROM));
		r->envelope_from = ingest_lower(take(c, F_EFROM));
		r->envelope_to = ingest_lower(take(c, F_ETO));
		if (r->header_from == NULL) {
			ingest_note(&a->notes, "record without header_from");
			r->header_from = xstrdup("");
		}
		if (a->nrows % 64 == 0)
			a->rows = xrealloc(a->rows, (a->nrows + 64) * sizeof(*a->rows));
		a->rows[a->nrows++] = *r;
		a->messages = a->messages + r->count < a->messages ? UINT64_MAX : a->messages + r->count;
	}
	memset(r, 0, sizeof(*r));
	for (k = F_IP; k < NFLD; k++)
		free(take(c, (enum fld)k));
	c->in_record = 0;
}

/* end_field - the text of a field is complete: keep it (first one wins) */
static void
end_field(struct ctx *c)
{
	int cut = 0;
	char *s = ingest_strdup_cap(c->text.data, c->text.len, INGEST_AGG_MAX_STR, &cut);

	if (cut || c->text.len > INGEST_AGG_MAX_STR)
		ingest_note(&c->a->notes, "<%s> cut at %d bytes", c->cur_name, INGEST_AGG_MAX_STR);
	if (c->cur == F_ERROR && c->a->errors.n < INGEST_AGG_MAX_ERRORS)
		strlist_add(&c->a->errors, s);
	if (c->cur != F_ERROR && c->v[c->cur] == NULL && (c->cur < F_IP || c->in_record)) {
		c->v[c->cur] = s;
		s = NULL;
	}
	free(s);
	c->cur = F_NONE;
}

/* end_element - </name> at path c->path */
static void
end_element(struct ctx *c)
{
	const char *p = c->path.data;

	if (c->cur != F_NONE)
		end_field(c);
	if (!c->in_record || c->skip_record) {
		if (strcmp(p, "record") == 0)
			c->in_record = c->skip_record = 0;
		return;
	}
	if (strcmp(p, "record/auth_results/dkim") == 0)
		end_auth(c, 1);
	else if (strcmp(p, "record/auth_results/spf") == 0)
		end_auth(c, 0);
	else if (strcmp(p, "record/row/policy_evaluated/reason") == 0)
		end_reason(c);
	else if (strcmp(p, "record") == 0)
		end_record(c);
}

/* start_element - <name> at reader depth d (below <feedback>) */
static void
start_element(struct ctx *c, const char *name, int d)
{
	int lvl = d - c->fb_depth;
	size_t i;

	c->path.len = c->plen[lvl - 1];
	if (c->path.len > 0)
		buf_addc(&c->path, '/');
	buf_adds(&c->path, name);
	c->plen[lvl] = c->path.len;
	if (strcmp(c->path.data, "record") == 0) {
		c->in_record = 1;
		c->skip_record = c->a->nrows >= c->lim->max_rows;
		c->skipped += c->skip_record;
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(c->path.data, paths[i].path) == 0) {
			c->cur = paths[i].f;
			c->cur_depth = d;
			snprintf(c->cur_name, sizeof(c->cur_name), "%s", name);
			buf_reset(&c->text);
			return;
		}
}

/* on_element - an element start: <feedback> found, or a field */
static void
on_element(struct ctx *c, xmlTextReaderPtr r, const char *root)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(r), *ns;
	int d = xmlTextReaderDepth(r), empty = xmlTextReaderIsEmptyElement(r);

	if (name == NULL)
		return;
	if (c->fb_depth < 0) {
		if (strcmp(name, "feedback") != 0 || d > 4)
			return;
		c->fb_depth = d;
		ns = (const char *)xmlTextReaderConstNamespaceUri(r);
		c->ns9990 = ns != NULL && strcmp(ns, NS_9990) == 0;
		c->plen[0] = 0;
		if (d > 0)
			ingest_note(&c->a->notes, "<feedback> inside a <%.40s> wrapper", root);
		return;
	}
	if (d - c->fb_depth > MAX_DEPTH || c->cur != F_NONE)
		return;
	start_element(c, name, d);
	if (empty)
		end_element(c);
}

/* on_node - one reader node inside <feedback> */
static void
on_node(struct ctx *c, xmlTextReaderPtr r, char root[48])
{
	int type = xmlTextReaderNodeType(r), d = xmlTextReaderDepth(r);
	const char *v;

	if (type == XML_READER_TYPE_ELEMENT) {
		if (d == 0)
			snprintf(root, 48, "%s", (const char *)xmlTextReaderConstLocalName(r));
		on_element(c, r, root);
	} else if (type == XML_READER_TYPE_END_ELEMENT && c->fb_depth >= 0) {
		if (d == c->fb_depth) {
			c->done = 1;
			return;
		}
		if (d - c->fb_depth > MAX_DEPTH || (c->cur != F_NONE && d != c->cur_depth))
			return;
		c->path.len = c->plen[d - c->fb_depth];
		c->path.data[c->path.len] = '\0';
		end_element(c);
	} else if ((type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
	    type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE || type == XML_READER_TYPE_WHITESPACE) &&
	    c->cur != F_NONE && d == c->cur_depth + 1 && c->text.len <= INGEST_AGG_MAX_STR &&
	    (v = (const char *)xmlTextReaderConstValue(r)) != NULL)
		buf_add(&c->text, v, strnlen(v, INGEST_AGG_MAX_STR + 1));
}

/* reject - set a->reject once; returns -1 */
static int
reject(struct ingest_agg *a, const char *why)
{
	if (a->reject == NULL)
		a->reject = xstrdup(why);
	return -1;
}

/* finish_meta - metadata and policy from the fields read */
static void
finish_meta(struct ctx *c)
{
	struct ingest_agg *a = c->a;
	struct ingest_policy *p = &a->policy;
	uint64_t v;
	char *s;

	a->org_name = take(c, F_ORG);
	a->email = take(c, F_EMAIL);
	a->extra_contact = take(c, F_EXTRA);
	a->report_id = take(c, F_RID);
	a->generator = take(c, F_GEN);
	a->begin = epoch(c, F_BEGIN);
	a->end = epoch(c, F_END);
	p->domain = ingest_lower(take(c, F_PDOMAIN));
	p->p = word(c, take(c, F_P), "p", "policy");
	p->sp = word(c, take(c, F_SP), "sp", "policy");
	p->np = word(c, take(c, F_NP), "np", "policy");
	p->adkim = ingest_lower(take(c, F_ADKIM));
	p->aspf = ingest_lower(take(c, F_ASPF));
	p->fo = take(c, F_FO);
	p->testing = ingest_lower(take(c, F_TESTING));
	p->discovery = ingest_lower(take(c, F_DISC));
	if ((s = take(c, F_PCT)) != NULL) {
		if (ingest_u64(s, &v) == 0 && v <= 100)
			p->pct = (int)v;
		else
			ingest_note(&a->notes, "pct '%.20s' ignored", s);
		free(s);
	}
}

/* finish - checks after the last node; -1 with a reason when unusable */
static int
finish(struct ctx *c)
{
	struct ingest_agg *a = c->a;
	struct ingest_policy *p = &a->policy;

	if (c->fb_depth < 0)
		return reject(a, "no <feedback> element");
	finish_meta(c);
	if (c->ns9990)
		a->format = INGEST_RFC9990;
	else if (p->np != NULL || p->testing != NULL || p->discovery != NULL || a->generator != NULL) {
		a->format = INGEST_RFC9990;
		ingest_note(&a->notes, "RFC 9990 elements without its namespace");
	}
	if (a->begin >= 0 && a->end >= 0 && a->end < a->begin) {
		int64_t t = a->begin;

		a->begin = a->end;
		a->end = t;
		ingest_note(&a->notes, "date_range begin after end: swapped");
	}
	if (a->begin >= 0 && a->end - a->begin > DAY + 3600)
		ingest_note(&a->notes, "date range of %lld days",
		    (long long)((a->end - a->begin + DAY / 2) / DAY));
	if (c->skipped > 0)
		ingest_note(&a->notes, "%zu records past the cap of %zu ignored", c->skipped,
		    c->lim->max_rows);
	if (a->org_name == NULL || a->org_name[0] == '\0')
		return reject(a, "no org_name");
	if (a->report_id == NULL || a->report_id[0] == '\0')
		return reject(a, "no report_id");
	if (p->domain == NULL || p->domain[0] == '\0')
		return reject(a, "no policy_published domain");
	if (a->begin < 0 || a->end < 0)
		return reject(a, "no usable date_range");
	if (a->nrows == 0)
		ingest_note(&a->notes, "report without records");
	return 0;
}

/* stream - read the repaired document node by node */
static int
stream(struct ctx *c, const char *doc, size_t n)
{
	xmlTextReaderPtr r;
	char root[48] = "";
	int rc, nodes = 0, k;

	/* no NOENT, no DTDLOAD, no DTDATTR, no HUGE: libxml2's own limits hold */
	r = xmlReaderForMemory(doc, (int)n, NULL, "UTF-8", XML_PARSE_NONET | XML_PARSE_RECOVER |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	if (r == NULL)
		return reject(c->a, "XML parser cannot start");
	while (!c->done && (rc = xmlTextReaderRead(r)) == 1) {
		on_node(c, r, root);
		nodes++;
	}
	if (!c->done && rc != 0)
		ingest_note(&c->a->notes, "XML not well-formed: read what came before the error");
	xmlFreeTextReader(r);
	if (c->in_record)
		row_free(&c->row);
	rc = nodes == 0 ? reject(c->a, "not XML") : finish(c);
	for (k = 0; k < NFLD; k++)
		free(c->v[k]);
	return rc;
}

/* ingest_agg_parse - parse one aggregate report document */
int
ingest_agg_parse(const char *xml, size_t n, const struct ingest_agg_limits *lim,
    struct ingest_agg *out)
{
	struct ingest_agg_limits def;
	struct buf fixed = BUF_INIT;
	struct ctx c;
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
	memset(&c, 0, sizeof(c));
	c.a = out;
	c.lim = lim;
	c.fb_depth = -1;
	buf_init(&c.path);
	buf_init(&c.text);
	rc = stream(&c, fixed.data, fixed.len);
	buf_free(&c.path);
	buf_free(&c.text);
	buf_free(&fixed);
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
