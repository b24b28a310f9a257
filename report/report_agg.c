/*
 * report_agg.c - fold history records into aggregate report rows
 *
 * RFC 9990 §"Contents of the record element": one record per distinct
 * (IP, results, identifiers, auth results) tuple, with a count.  A row is
 * encoded into a compact byte key (length-prefixed fields, small codes
 * for the enumerated words); the key is both the hash-table identity and
 * the only stored copy of the row, decoded again when the XML is written.
 * Memory therefore grows with distinct rows, not with records: millions
 * of records from a few thousand sources cost a few megabytes.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "history.h"
#include "htab.h"
#include "report_agg.h"
#include "rua.h"

static const char *const disp_words[] = { "none", "pass", "quarantine", "reject" };
static const char *const reason_words[] = { NULL, "local_policy", "mailing_list", "other",
	"policy_test_mode", "trusted_forwarder" };
static const char *const dkim_words[] = { "none", "pass", "fail", "policy", "neutral",
	"temperror", "permerror" };
static const char *const spf_words[] = { "none", "pass", "fail", "softfail", "policy",
	"neutral", "temperror", "permerror" };

struct row {
	size_t		off;		/* key bytes in the arena */
	uint32_t	len;
	uint32_t	dom;
	unsigned long long count;
};

struct dom {
	char	       *name;
	unsigned long long count;
	long long	latest;		/* received time of the policy kept */
	int		p, sp, np, adkim, aspf, testing, pct;
	unsigned	fo;
	char	       *discovery;
	struct strlist	rua;
	uint32_t       *rows;
	size_t		nrows, caprows;
	char		fo_str[16];
};

struct report_agg {
	long long	begin, end;
	struct row     *rows;
	size_t		nrows, caprows;
	struct htab	rowidx;		/* row key -> index in rows */
	struct dom     *doms;
	size_t		ndoms, capdoms;
	struct htab	domidx;		/* policy domain -> index in doms */
	char	       *arena;
	size_t		alen, acap;
	struct buf	key;		/* scratch: the row being encoded */
	struct buf	lower;		/* scratch: lower-cased policy domain */
};

/* report_agg_new - an empty aggregator for [begin, end) */
struct report_agg *
report_agg_new(long long begin, long long end)
{
	struct report_agg *a = xcalloc(1, sizeof(*a));

	a->begin = begin;
	a->end = end;
	buf_init(&a->key);
	buf_init(&a->lower);
	return a;
}

/* report_agg_free - release everything; NULL is a no-op */
void
report_agg_free(struct report_agg *a)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->ndoms; i++) {
		free(a->doms[i].name);
		free(a->doms[i].discovery);
		strlist_free(&a->doms[i].rua);
		free(a->doms[i].rows);
	}
	free(a->doms);
	htab_free(&a->domidx);
	free(a->rows);
	htab_free(&a->rowidx);
	free(a->arena);
	buf_free(&a->key);
	buf_free(&a->lower);
	free(a);
}

/* put_u8 - one code byte */
static void
put_u8(struct buf *b, unsigned v)
{
	buf_addc(b, (int)(v & 0xff));
}

/* put_str - u16 length and bytes; domains lower-cased */
static void
put_str(struct buf *b, const char *s, int lower)
{
	size_t n = s ? strlen(s) : 0, i;

	if (n > 65535)
		n = 65535;
	put_u8(b, (unsigned)(n & 0xff));
	put_u8(b, (unsigned)(n >> 8));
	buf_add(b, s ? s : "", n);
	if (!lower)
		return;
	for (i = b->len - n; i < b->len; i++)
		if (b->data[i] >= 'A' && b->data[i] <= 'Z')
			b->data[i] = (char)(b->data[i] + 32);
}

/* dkim_code - ARES code to an index of dkim_words (RFC 8601 §2.7.1) */
static unsigned
dkim_code(int ares)
{
	switch (ares) {
	case HISTORY_ARES_PASS: return 1;
	case HISTORY_ARES_SOFTFAIL: case HISTORY_ARES_FAIL: return 2;
	case HISTORY_ARES_POLICY: return 3;
	case HISTORY_ARES_NEUTRAL: return 4;
	case HISTORY_ARES_TEMPERROR: return 5;
	case HISTORY_ARES_PERMERROR: return 6;
	default: return 0;
	}
}

/* spf_code - ARES code to an index of spf_words (RFC 8601 §2.7.2) */
static unsigned
spf_code(int ares)
{
	switch (ares) {
	case HISTORY_ARES_PASS: return 1;
	case HISTORY_ARES_FAIL: return 2;
	case HISTORY_ARES_SOFTFAIL: return 3;
	case HISTORY_ARES_POLICY: return 4;
	case HISTORY_ARES_NEUTRAL: return 5;
	case HISTORY_ARES_TEMPERROR: return 6;
	case HISTORY_ARES_PERMERROR: return 7;
	default: return 0;
	}
}

/* enforcing - policy_test_mode and overrides only matter for p=q/r results */
static int
enforcing(const struct history_rec *r)
{
	return r->policy == HISTORY_POLICY_REJECT || r->policy == HISTORY_POLICY_QUARANTINE;
}

/* report_agg_disposition - what was applied (RFC 9990 ActionDispositionType) */
const char *
report_agg_disposition(const struct history_rec *r)
{
	switch (r->policy) {
	case HISTORY_POLICY_PASS:
		/* "pass": no action, passing DMARC with an enforcing policy */
		return (r->p == 'q' || r->p == 'r') ? "pass" : "none";
	case HISTORY_POLICY_REJECT:
		if (r->override != NULL || r->testing || r->action == HISTORY_ACTION_ACCEPT)
			return "none";
		return r->action == HISTORY_ACTION_QUARANTINE ? "quarantine" : "reject";
	case HISTORY_POLICY_QUARANTINE:
		if (r->override != NULL || r->testing)
			return "none";
		return r->action == HISTORY_ACTION_REJECT ? "reject" : "quarantine";
	default:
		return "none";
	}
}

/* reason_code - RFC 9990 §"Policy Override Reason" for a record */
static unsigned
reason_code(const struct history_rec *r, const char *disp)
{
	unsigned i;

	if (r->override != NULL) {
		for (i = 1; i < sizeof(reason_words) / sizeof(reason_words[0]); i++)
			if (strcmp(r->override, reason_words[i]) == 0)
				return i;
		return 3;	/* other */
	}
	if (enforcing(r) && strcmp(disp, "none") == 0)
		return r->testing ? 4 : 1;	/* policy_test_mode, local_policy */
	return 0;
}

/* dkim_prio - RFC 9990 §"DKIM Signatures in Aggregate Reports" preference */
static int
dkim_prio(const struct history_dkim *d, const char *from)
{
	if (d->result != HISTORY_ARES_PASS)
		return 3;
	if (from != NULL && d->domain != NULL && strcasecmp(d->domain, from) == 0)
		return 0;
	if (from != NULL && d->domain != NULL && rua_same_org(d->domain, from))
		return 1;
	return 2;
}

/* encode_auth - the auth_results part of a row key */
static void
encode_auth(struct buf *k, const struct history_rec *r)
{
	size_t i, n = r->ndkim;
	int prio;

	put_u8(k, n > REPORT_MAX_DKIM ? REPORT_MAX_DKIM : (unsigned)n);
	n = 0;
	for (prio = 0; prio < 4; prio++)
		for (i = 0; i < r->ndkim && n < REPORT_MAX_DKIM; i++) {
			if (dkim_prio(&r->dkim[i], r->from) != prio)
				continue;
			put_str(k, r->dkim[i].domain, 1);
			put_str(k, r->dkim[i].selector, 0);
			put_u8(k, dkim_code(r->dkim[i].result));
			n++;
		}
	/* RFC 7208 §2.4: with a null MAIL FROM the HELO identity stands in */
	if (r->spf == HISTORY_ARES_UNDEFINED ||
	    ((r->mfrom == NULL || *r->mfrom == '\0') && r->helo == NULL)) {
		put_u8(k, 0);
		return;
	}
	put_u8(k, 1);
	if (r->mfrom != NULL && *r->mfrom != '\0' && r->spf_scope != HISTORY_SCOPE_HELO) {
		put_str(k, r->mfrom, 1);
		put_u8(k, 1);		/* scope mfrom */
	} else {
		put_str(k, r->helo ? r->helo : r->mfrom, 1);
		put_u8(k, 0);
	}
	put_u8(k, spf_code(r->spf));
}

/* encode - the whole row key of r for domain dom */
static void
encode(struct buf *k, const struct history_rec *r, uint32_t dom)
{
	const char *disp = report_agg_disposition(r);
	unsigned d;

	buf_reset(k);
	buf_add(k, &dom, sizeof(dom));
	put_str(k, r->ipaddr, 1);
	for (d = 0; strcmp(disp_words[d], disp) != 0; d++)
		;
	put_u8(k, d);
	put_u8(k, r->align_dkim == HISTORY_ALIGN_PASS);
	put_u8(k, r->align_spf == HISTORY_ALIGN_PASS);
	put_u8(k, reason_code(r, disp));
	put_str(k, r->from, 1);
	put_u8(k, r->mfrom != NULL);
	if (r->mfrom != NULL)
		put_str(k, r->mfrom, 1);
	encode_auth(k, r);
}

/* same_row, same_dom - htab_intern's questions: is entry pos the key in
 * a->key (rows), or the domain name in arg (domains)? */
static int
same_row(const void *arg, size_t pos)
{
	const struct report_agg *a = arg;
	const struct row *rw = &a->rows[pos];

	return rw->len == a->key.len && memcmp(a->arena + rw->off, a->key.data, a->key.len) == 0;
}

struct dom_key {
	const struct report_agg *a;
	const char *name;
	size_t len;
};

static int
same_dom(const void *arg, size_t pos)
{
	const struct dom_key *k = arg;
	const char *n = k->a->doms[pos].name;

	return strncmp(n, k->name, k->len) == 0 && n[k->len] == '\0';
}

/* new_row - store the key in the arena and link it to its domain */
static uint32_t
new_row(struct report_agg *a, uint32_t dom)
{
	struct dom *d = &a->doms[dom];
	struct row *rw;

	if (a->nrows == a->caprows) {
		a->caprows = a->caprows ? a->caprows * 2 : 256;
		a->rows = xrealloc(a->rows, a->caprows * sizeof(*a->rows));
	}
	while (a->alen + a->key.len > a->acap) {
		a->acap = a->acap ? a->acap * 2 : 65536;
		a->arena = xrealloc(a->arena, a->acap);
	}
	rw = &a->rows[a->nrows];
	rw->off = a->alen;
	rw->len = (uint32_t)a->key.len;
	rw->dom = dom;
	rw->count = 0;
	memcpy(a->arena + a->alen, a->key.data, a->key.len);
	a->alen += a->key.len;
	if (d->nrows == d->caprows) {
		d->caprows = d->caprows ? d->caprows * 2 : 16;
		d->rows = xrealloc(d->rows, d->caprows * sizeof(*d->rows));
	}
	d->rows[d->nrows++] = (uint32_t)a->nrows;
	return (uint32_t)a->nrows++;
}

/* count_row - find or add the row in a->key and count n messages */
static void
count_row(struct report_agg *a, uint32_t dom, unsigned long long n)
{
	size_t idx = htab_intern(&a->rowidx, htab_hash(a->key.data, a->key.len), same_row, a,
	    a->nrows);

	if (idx == a->nrows)
		new_row(a, dom);
	a->rows[idx].count += n;
}

/* find_dom - the domain entry for a lower-case name, created on first sight */
static uint32_t
find_dom(struct report_agg *a, const char *name, size_t len)
{
	struct dom_key k = { a, name, len };
	size_t idx = htab_intern(&a->domidx, htab_hash(name, len), same_dom, &k, a->ndoms);
	struct dom *d;

	if (idx < a->ndoms)
		return (uint32_t)idx;
	if (a->ndoms == a->capdoms) {
		a->capdoms = a->capdoms ? a->capdoms * 2 : 16;
		a->doms = xrealloc(a->doms, a->capdoms * sizeof(*a->doms));
	}
	d = &a->doms[a->ndoms];
	memset(d, 0, sizeof(*d));
	d->name = xstrndup(name, len);
	d->latest = -1;
	return (uint32_t)a->ndoms++;
}

/* same_rua - does d already hold exactly r's rua list */
static int
same_rua(const struct dom *d, const struct history_rec *r)
{
	size_t i;

	if (d->rua.n != r->nrua)
		return 0;
	for (i = 0; i < r->nrua; i++)
		if (strcmp(d->rua.v[i], r->rua[i]) != 0)
			return 0;
	return 1;
}

/* keep_policy - RFC 9990 §"Changes in Policy": the last configuration seen wins */
static void
keep_policy(struct dom *d, const struct history_rec *r)
{
	size_t i;

	if (r->received < d->latest)
		return;
	d->latest = r->received;
	d->p = r->p;
	d->sp = r->sp;
	d->np = r->np;
	d->adkim = r->adkim;
	d->aspf = r->aspf;
	d->testing = r->testing;
	d->pct = r->pct;
	if (d->fo != r->fo) {
		static const char *const fo[] = { "0", "1", "d", "s" };
		size_t n = 0;
		unsigned b;

		d->fo = r->fo;
		d->fo_str[0] = '\0';
		for (b = 0; b < 4; b++)
			if (d->fo & (1u << b))
				n += (size_t)snprintf(d->fo_str + n, sizeof(d->fo_str) - n, "%s%s",
				    n ? ":" : "", fo[b]);
	}
	if (r->discovery != NULL && (d->discovery == NULL || strcmp(d->discovery, r->discovery))) {
		free(d->discovery);
		d->discovery = xstrdup(r->discovery);
	}
	if (!same_rua(d, r)) {
		strlist_free(&d->rua);
		for (i = 0; i < r->nrua; i++)
			strlist_add(&d->rua, r->rua[i]);
	}
}

/* report_agg_add - count one record */
int
report_agg_add(struct report_agg *a, const struct history_rec *r)
{
	return report_agg_add_n(a, r, 1);
}

/* report_agg_add_n - count n records equal to r (an SQL group) */
int
report_agg_add_n(struct report_agg *a, const struct history_rec *r, unsigned long long n)
{
	char *s;
	uint32_t dom;

	if (r->received < a->begin || r->received >= a->end || r->pdomain == NULL ||
	    *r->pdomain == '\0' || r->policy == HISTORY_POLICY_ABSENT || r->p == 0)
		return 0;
	buf_reset(&a->lower);
	buf_adds(&a->lower, r->pdomain);
	for (s = a->lower.data; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	dom = find_dom(a, a->lower.data, a->lower.len);
	keep_policy(&a->doms[dom], r);
	a->doms[dom].count += n;
	encode(&a->key, r, dom);
	count_row(a, dom, n);
	return 1;
}

/* report_agg_ndomains - policy domains seen */
size_t
report_agg_ndomains(const struct report_agg *a)
{
	return a->ndoms;
}

/* report_agg_domain - name of domain i */
const char *
report_agg_domain(const struct report_agg *a, size_t i)
{
	return a->doms[i].name;
}

/* report_agg_count - messages of domain i */
unsigned long long
report_agg_count(const struct report_agg *a, size_t i)
{
	return a->doms[i].count;
}

/* report_agg_nrows - distinct rows of domain i */
size_t
report_agg_nrows(const struct report_agg *a, size_t i)
{
	return a->doms[i].nrows;
}

/* report_agg_rua - rua URIs of domain i */
const struct strlist *
report_agg_rua(const struct report_agg *a, size_t i)
{
	return &a->doms[i].rua;
}

/* pword - 'n'/'q'/'r' to DispositionType, NULL when not published */
static const char *
pword(int c)
{
	switch (c) {
	case 'n': return "none";
	case 'q': return "quarantine";
	case 'r': return "reject";
	default: return NULL;
	}
}

/* report_agg_policy - policy_published of domain i; defaults per RFC 9989 §4.7 */
void
report_agg_policy(const struct report_agg *a, size_t i, struct report_policy *p)
{
	const struct dom *d = &a->doms[i];

	memset(p, 0, sizeof(*p));
	p->domain = d->name;
	p->discovery = d->discovery;
	p->p = pword(d->p);
	p->sp = pword(d->sp);
	p->np = pword(d->np);
	p->adkim = d->adkim == 's' ? "s" : "r";
	p->aspf = d->aspf == 's' ? "s" : "r";
	p->testing = d->testing ? "y" : "n";
	p->pct = d->pct > 0 ? d->pct : 100;
	p->fo = d->fo != 0 ? d->fo_str : NULL;
}

struct dec {
	const unsigned char *p, *e;
	char	       *out;		/* scratch for NUL-terminated strings */
};

/* get_u8 - one code byte (0 past the end) */
static unsigned
get_u8(struct dec *d)
{
	return d->p < d->e ? *d->p++ : 0;
}

/* get_str - one length-prefixed string, copied into the scratch */
static const char *
get_str(struct dec *d)
{
	size_t n = get_u8(d);
	char *s = d->out;

	n |= (size_t)get_u8(d) << 8;
	if (n > (size_t)(d->e - d->p))
		n = (size_t)(d->e - d->p);
	memcpy(s, d->p, n);
	s[n] = '\0';
	d->p += n;
	d->out += n + 1;
	return s;
}

/* word - table lookup with a safe fallback */
static const char *
word(const char *const *tab, size_t n, unsigned i)
{
	return i < n ? tab[i] : tab[0];
}

#define NW(t) (sizeof(t) / sizeof((t)[0]))

/* decode - a row key back into a report_row (strings in d->out) */
static void
decode(struct dec *d, struct report_row *r, struct report_dkim *dk, struct report_reason *rs)
{
	unsigned rc, i;

	memset(r, 0, sizeof(*r));
	d->p += sizeof(uint32_t);
	r->source_ip = get_str(d);
	r->disposition = word(disp_words, NW(disp_words), get_u8(d));
	r->dkim_aligned = get_u8(d) ? "pass" : "fail";
	r->spf_aligned = get_u8(d) ? "pass" : "fail";
	rc = get_u8(d);
	if (rc != 0 && rc < NW(reason_words)) {
		rs->type = reason_words[rc];
		rs->comment = NULL;
		r->reason = rs;
		r->nreason = 1;
	}
	r->header_from = get_str(d);
	if (get_u8(d))
		r->envelope_from = get_str(d);
	r->ndkim = get_u8(d);
	for (i = 0; i < r->ndkim; i++) {
		dk[i].domain = get_str(d);
		dk[i].selector = get_str(d);
		dk[i].result = word(dkim_words, NW(dkim_words), get_u8(d));
	}
	r->dkim = dk;
	if (get_u8(d)) {
		r->spf_domain = get_str(d);
		r->spf_scope = get_u8(d) ? "mfrom" : NULL;
		r->spf_result = word(spf_words, NW(spf_words), get_u8(d));
	}
}

/* by_count - qsort: larger count first, then key bytes for a stable order */
static int
by_count(const void *x, const void *y, void *ctx)
{
	const struct report_agg *a = ctx;
	const struct row *p = &a->rows[*(const uint32_t *)x], *q = &a->rows[*(const uint32_t *)y];
	int c;

	if (p->count != q->count)
		return p->count > q->count ? -1 : 1;
	c = memcmp(a->arena + p->off, a->arena + q->off, p->len < q->len ? p->len : q->len);
	return c != 0 ? c : (p->len < q->len ? -1 : p->len > q->len);
}

/* report_agg_write_rows - every record of domain i through report_xml_row */
void
report_agg_write_rows(const struct report_agg *a, size_t i, enum report_format f,
    struct buf *out)
{
	const struct dom *d = &a->doms[i];
	uint32_t *order = xmalloc((d->nrows ? d->nrows : 1) * sizeof(*order));
	struct report_dkim dk[REPORT_MAX_DKIM];
	struct report_reason rs;
	char *scratch = NULL;
	size_t j, cap = 0;

	memcpy(order, d->rows, d->nrows * sizeof(*order));
	qsort_r(order, d->nrows, sizeof(*order), by_count, (void *)(uintptr_t)a);
	for (j = 0; j < d->nrows; j++) {
		const struct row *rw = &a->rows[order[j]];
		struct report_row r;
		struct dec dc;

		if (cap < (size_t)rw->len * 2 + 16) {
			cap = (size_t)rw->len * 2 + 16;
			scratch = xrealloc(scratch, cap);
		}
		dc.p = (const unsigned char *)a->arena + rw->off;
		dc.e = dc.p + rw->len;
		dc.out = scratch;
		decode(&dc, &r, dk, &rs);
		r.count = rw->count;
		report_xml_row(out, f, &r);
	}
	free(scratch);
	free(order);
}
