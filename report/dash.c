/*
 * dash.c - the dashboard's model, the "ready for p=reject?" verdict, the
 * terminal summary and the dashboard command line (issue 14 item 3)
 *
 * The pages are dash_html.c, the charts dash_svg.c.  The model is filled
 * by one function (dash_main's fill callback: the storage adapter), so the
 * writers never see a database.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dash.h"
#include "dash_html.h"
#include "fileio.h"

/* dash_new - see dash.h */
struct dash_data *
dash_new(void)
{
	return xcalloc(1, sizeof(struct dash_data));
}

/* dash_domain_release - the strings and arrays of one domain */
static void
dash_domain_release(struct dash_domain *dom)
{
	size_t i;

	for (i = 0; i < dom->nsrc; i++) {
		free(dom->src[i].ip);
		free(dom->src[i].rdns);
		free(dom->src[i].asn_name);
		free(dom->src[i].country);
	}
	for (i = 0; i < dom->norgs; i++)
		free(dom->orgs[i].name);
	free(dom->by_asn);
	free(dom->by_country);
	free(dom->src);
	free(dom->orgs);
	free(dom->days);
	free(dom->name);
}

/* dash_free - see dash.h */
void
dash_free(struct dash_data *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < d->ndom; i++)
		dash_domain_release(&d->dom[i]);
	for (i = 0; i < d->nfail; i++) {
		free(d->fail[i].reporter);
		free(d->fail[i].source_ip);
		free(d->fail[i].from_domain);
		free(d->fail[i].auth_results);
	}
	free(d->dom);
	free(d->fail);
	free(d);
}

/* grow - room for one more element of size sz in *arr (n used, *cap) */
static void *
grow(void *arr, size_t n, size_t *cap, size_t sz)
{
	if (n < *cap)
		return arr;
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(arr, *cap * sz);
}

/* dup_or_null - a copy of s, or NULL */
static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* dash_domain_add - see dash.h */
struct dash_domain *
dash_domain_add(struct dash_data *d, const char *name)
{
	struct dash_domain *dom;
	size_t i;

	for (i = 0; i < d->ndom; i++)
		if (strcmp(d->dom[i].name, name) == 0)
			return &d->dom[i];
	d->dom = grow(d->dom, d->ndom, &d->dom_cap, sizeof(*d->dom));
	dom = &d->dom[d->ndom++];
	memset(dom, 0, sizeof(*dom));
	dom->name = xstrdup(name);
	return dom;
}

/* dash_day_add - see dash.h: found by binary search, or inserted in order */
void
dash_day_add(struct dash_domain *dom, time_t when, const struct dash_day *c)
{
	time_t day = when - (((when % DASH_DAY) + DASH_DAY) % DASH_DAY);
	size_t lo = 0, hi = dom->ndays, mid;
	struct dash_day *e;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (dom->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == dom->ndays || dom->days[lo].day != day) {
		dom->days = grow(dom->days, dom->ndays, &dom->days_cap, sizeof(*dom->days));
		memmove(&dom->days[lo + 1], &dom->days[lo],
		    (dom->ndays - lo) * sizeof(*dom->days));
		memset(&dom->days[lo], 0, sizeof(*dom->days));
		dom->days[lo].day = day;
		dom->ndays++;
	}
	e = &dom->days[lo];
	e->pass += c->pass;
	e->fail += c->fail;
	e->none += c->none;
	e->quarantine += c->quarantine;
	e->reject += c->reject;
}

/* dash_source_add - see dash.h */
void
dash_source_add(struct dash_domain *dom, const struct dash_source *s)
{
	struct dash_source *e;

	dom->src = grow(dom->src, dom->nsrc, &dom->src_cap, sizeof(*dom->src));
	e = &dom->src[dom->nsrc++];
	*e = *s;
	e->ip = xstrdup(s->ip ? s->ip : "");
	e->rdns = dup_or_null(s->rdns);
	e->asn_name = dup_or_null(s->asn_name);
	e->country = dup_or_null(s->country);
}

/* dash_org_add - see dash.h */
void
dash_org_add(struct dash_domain *dom, const struct dash_org *o)
{
	struct dash_org *e;

	dom->orgs = grow(dom->orgs, dom->norgs, &dom->orgs_cap, sizeof(*dom->orgs));
	e = &dom->orgs[dom->norgs++];
	*e = *o;
	e->name = xstrdup(o->name ? o->name : "");
}

/* dash_failure_add - see dash.h */
void
dash_failure_add(struct dash_data *d, const struct dash_failure *f)
{
	struct dash_failure *e;

	d->fail = grow(d->fail, d->nfail, &d->fail_cap, sizeof(*d->fail));
	e = &d->fail[d->nfail++];
	e->arrival = f->arrival;
	e->reporter = xstrdup(f->reporter ? f->reporter : "");
	e->source_ip = xstrdup(f->source_ip ? f->source_ip : "");
	e->from_domain = xstrdup(f->from_domain ? f->from_domain : "");
	e->auth_results = xstrdup(f->auth_results ? f->auth_results : "");
}

/* cmp_src - more messages first, then by IP */
static int
cmp_src(const void *a, const void *b)
{
	const struct dash_source *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->ip, y->ip);
}

/* cmp_org - more messages first, then by name */
static int
cmp_org(const void *a, const void *b)
{
	const struct dash_org *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* cmp_fail - newest first, then by reporter */
static int
cmp_fail(const void *a, const void *b)
{
	const struct dash_failure *x = a, *y = b;

	if (x->arrival != y->arrival)
		return x->arrival > y->arrival ? -1 : 1;
	return strcmp(x->reporter, y->reporter);
}

/* key_of - a source's country, NULL when unknown ("" is unknown too) */
static const char *
key_of(const struct dash_source *s)
{
	return s->country && *s->country ? s->country : NULL;
}

/* cmp_key - NULL (unknown) after every name */
static int
cmp_key(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x == NULL) - (y == NULL);
	return strcmp(x, y);
}

/* cmp_by_asn, cmp_by_country - pointers to sources by AS number, by country */
static int
cmp_by_asn(const void *a, const void *b)
{
	const struct dash_source *x = *(const struct dash_source *const *)a;
	const struct dash_source *y = *(const struct dash_source *const *)b;

	return x->asn < y->asn ? -1 : x->asn > y->asn;
}

static int
cmp_by_country(const void *a, const void *b)
{
	return cmp_key(key_of(*(const struct dash_source *const *)a),
	    key_of(*(const struct dash_source *const *)b));
}

/* cmp_group - more messages first, then by AS number and name */
static int
cmp_group(const void *a, const void *b)
{
	const struct dash_group *x = a, *y = b;

	if (x->messages != y->messages)
		return x->messages > y->messages ? -1 : 1;
	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return cmp_key(x->name, y->name);
}

/* group - dom's sources summed by AS (by_asn) or by country into *out (a
 * new array); the number of groups */
static size_t
group(const struct dash_domain *dom, int by_asn, struct dash_group **out)
{
	const struct dash_source **p;
	struct dash_group *g = NULL;
	size_t i, n = 0;

	*out = NULL;
	if (dom->nsrc == 0)
		return 0;
	p = xcalloc(dom->nsrc, sizeof(*p));
	for (i = 0; i < dom->nsrc; i++)
		p[i] = &dom->src[i];
	qsort(p, dom->nsrc, sizeof(*p), by_asn ? cmp_by_asn : cmp_by_country);
	*out = xcalloc(dom->nsrc, sizeof(**out));
	for (i = 0; i < dom->nsrc; i++) {
		if (i == 0 || (by_asn ? cmp_by_asn : cmp_by_country)(&p[i - 1], &p[i]) != 0) {
			g = &(*out)[n++];
			g->asn = by_asn ? p[i]->asn : 0;
		}
		/* an AS's name: the first one known of its sources */
		if (g->name == NULL)
			g->name = by_asn ? (g->asn ? p[i]->asn_name : NULL) : key_of(p[i]);
		g->sources++;
		g->messages += p[i]->messages;
		g->spf_aligned += p[i]->spf_aligned;
		g->dkim_aligned += p[i]->dkim_aligned;
		g->dmarc_pass += p[i]->dmarc_pass;
	}
	free(p);
	qsort(*out, n, sizeof(**out), cmp_group);
	return n;
}

/* dash_group_sources - see dash.h */
void
dash_group_sources(struct dash_domain *dom)
{
	free(dom->by_asn);
	free(dom->by_country);
	dom->nasn = group(dom, 1, &dom->by_asn);
	dom->ncountry = group(dom, 0, &dom->by_country);
}

/* dash_group_label - see dash.h */
void
dash_group_label(struct buf *out, const struct dash_group *g, int by_asn)
{
	buf_reset(out);
	if (by_asn && g->asn)
		buf_printf(out, "AS%lu%s%s", g->asn, g->name ? " " : "", g->name ? g->name : "");
	else
		buf_adds(out, g->name && !by_asn ? g->name : "unknown");
}

/* dash_sort - see dash.h */
void
dash_sort(struct dash_data *d)
{
	size_t i;

	for (i = 0; i < d->ndom; i++) {
		if (d->dom[i].nsrc)
			qsort(d->dom[i].src, d->dom[i].nsrc, sizeof(struct dash_source), cmp_src);
		if (d->dom[i].norgs)
			qsort(d->dom[i].orgs, d->dom[i].norgs, sizeof(struct dash_org), cmp_org);
		dash_group_sources(&d->dom[i]);
	}
	if (d->nfail)
		qsort(d->fail, d->nfail, sizeof(struct dash_failure), cmp_fail);
}

/* dash_window - see dash.h */
int
dash_window(const struct dash_domain *dom, time_t *first, time_t *last)
{
	if (dom->ndays == 0)
		return -1;
	*last = dom->days[dom->ndays - 1].day;
	*first = *last - (time_t)(DASH_WINDOW_DAYS - 1) * DASH_DAY;
	return 0;
}

/* failing_insert - s into v's list of the most failing sources (kept
 * sorted, most failing messages first, at most DASH_MAX_FAILING) */
static void
failing_insert(struct dash_verdict *v, const struct dash_source *s,
    unsigned long failing, int significant)
{
	size_t i = v->nfailing;

	if (i == DASH_MAX_FAILING) {
		if (v->failing[i - 1].failing >= failing)
			return;
		i--;
	} else
		v->nfailing++;
	while (i > 0 && v->failing[i - 1].failing < failing) {
		v->failing[i] = v->failing[i - 1];
		i--;
	}
	v->failing[i].src = s;
	v->failing[i].failing = failing;
	v->failing[i].significant = significant;
}

/* dash_verdict - see dash.h for the rule */
void
dash_verdict(const struct dash_domain *dom, struct dash_verdict *v)
{
	time_t first, last;
	unsigned long failing;
	size_t i;
	int significant;

	memset(v, 0, sizeof(*v));
	if (dash_window(dom, &first, &last) == 0)
		for (i = 0; i < dom->ndays; i++)
			if (dom->days[i].day >= first) {
				v->pass += dom->days[i].pass;
				v->total += dom->days[i].pass + dom->days[i].fail;
			}
	if (v->total == 0) {
		v->ready = DASH_NO_DATA;
		return;
	}
	/* >= 99%: pass / total >= 99 / 100, exactly, in integers */
	v->rate_ok = v->pass * 100 >= v->total * 99;
	for (i = 0; i < dom->nsrc; i++) {
		const struct dash_source *s = &dom->src[i];

		if (s->dmarc_pass >= s->messages)
			continue;
		failing = s->messages - s->dmarc_pass;
		/* over 0.1% of the domain's mail, under 99% of its own passing */
		significant = s->messages * 1000 > v->total &&
		    s->dmarc_pass * 100 < s->messages * 99;
		v->nfailing_all++;
		v->nsignificant += significant;
		v->failing_msgs += failing;
		failing_insert(v, s, failing, significant);
	}
	v->ready = v->rate_ok && v->nsignificant == 0 ? DASH_READY : DASH_NOT_READY;
}

/* dash_ready_word - see dash.h */
const char *
dash_ready_word(enum dash_ready r)
{
	switch (r) {
	case DASH_READY: return "ready";
	case DASH_NOT_READY: return "not ready";
	default: return "no data";
	}
}

/* dash_rate_text - see dash.h */
void
dash_rate_text(struct buf *out, unsigned long pass, unsigned long total)
{
	unsigned long long permille;

	if (total == 0) {
		buf_adds(out, "-");
		return;
	}
	permille = (unsigned long long)pass * 1000 / total;
	buf_printf(out, "%llu.%llu%%", permille / 10, permille % 10);
}

/* dash_html_escape - see dash.h */
void
dash_html_escape(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		switch (*p) {
		case '&': buf_adds(out, "&amp;"); break;
		case '<': buf_adds(out, "&lt;"); break;
		case '>': buf_adds(out, "&gt;"); break;
		case '"': buf_adds(out, "&quot;"); break;
		case '\'': buf_adds(out, "&#39;"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_adds(out, "\xef\xbf\xbd");
			else
				buf_addc(out, *p);
		}
}

/* text_safe - s with control bytes as \xHH, for the terminal */
static const char *
text_safe(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_reset(b);
	for (p = (const unsigned char *)(s ? s : "-"); *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			buf_printf(b, "\\x%02x", *p);
		else
			buf_addc(b, *p);
	return b->data ? b->data : "";
}

/* text_domain - one domain's lines of the terminal summary */
static void
text_domain(const struct dash_domain *dom, FILE *fp)
{
	struct dash_verdict v;
	struct buf rate = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT, t3 = BUF_INIT;
	size_t i;

	dash_verdict(dom, &v);
	dash_rate_text(&rate, v.pass, v.total);
	fprintf(fp, "%s  pass %s  messages %lu  p=reject: %s\n",
	    text_safe(&t1, dom->name), rate.data, v.total, dash_ready_word(v.ready));
	if (v.total && !v.rate_ok)
		fprintf(fp, "  pass rate under 99%%\n");
	for (i = 0; i < v.nfailing; i++) {
		const struct dash_failing *f = &v.failing[i];

		fprintf(fp, "  %s %s %s failing %lu of %lu", f->significant ? "!" : " ",
		    text_safe(&t1, f->src->ip), text_safe(&t2, f->src->rdns), f->failing,
		    f->src->messages);
		if (f->src->asn)
			fprintf(fp, " AS%lu", f->src->asn);
		if (f->src->asn_name)
			fprintf(fp, " %s", text_safe(&t3, f->src->asn_name));
		if (f->src->country)
			fprintf(fp, " [%s]", text_safe(&t3, f->src->country));
		fputc('\n', fp);
	}
	if (v.nfailing_all > v.nfailing)
		fprintf(fp, "    ... %zu more failing sources\n", v.nfailing_all - v.nfailing);
	buf_free(&rate);
	buf_free(&t1);
	buf_free(&t2);
	buf_free(&t3);
}

/* dash_text - see dash.h */
void
dash_text(const struct dash_data *d, FILE *fp)
{
	size_t i;

	for (i = 0; i < d->ndom; i++)
		text_domain(&d->dom[i], fp);
	fprintf(fp, "failure reports: %zu\n", d->nfail);
}

/* put - outdir/name := page (whole or not at all); page is reset */
static int
put(const char *outdir, const char *name, struct buf *page, struct buf *err)
{
	struct buf path = BUF_INIT;
	int rc;

	buf_printf(&path, "%s/%s", outdir, name);
	rc = fileio_replace(path.data, page->data ? page->data : "", page->len, 0644, err);
	buf_free(&path);
	buf_reset(page);
	return rc;
}

/* dash_write - see dash.h: the overview last, once every page it links is there */
int
dash_write(const struct dash_data *d, const char *outdir, struct buf *err)
{
	struct buf page = BUF_INIT, name = BUF_INIT;
	size_t i;
	int rc;

	if (mkdir(outdir, 0755) != 0 && errno != EEXIST) {
		buf_printf(err, "%s: cannot create: %s", outdir, strerror(errno));
		return -1;
	}
	dash_html_css(&page);
	rc = put(outdir, "style.css", &page, err);
	for (i = 0; rc == 0 && i < d->ndom; i++) {
		buf_reset(&name);
		dash_html_page_name(&name, d, i);
		dash_html_domain(&page, d, i);
		rc = put(outdir, name.data, &page, err);
	}
	if (rc == 0) {
		dash_html_failures(&page, d);
		rc = put(outdir, "failures.html", &page, err);
	}
	if (rc == 0) {
		dash_html_index(&page, d);
		rc = put(outdir, "index.html", &page, err);
	}
	buf_free(&page);
	buf_free(&name);
	return rc;
}

/* dash_main - see dash.h */
int
dash_main(int argc, char **argv, dash_fill_fn fill, void *arg)
{
	struct dash_data *d;
	struct buf err = BUF_INIT;
	const char *out = NULL;
	int i, quiet = 0, rc = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0)
			quiet = 1;
		else
			break;
	}
	if (out == NULL || i < argc) {
		fprintf(stderr, "usage: %s --out DIR [--quiet]\n", argc ? argv[0] : "dashboard");
		return 64;
	}
	d = dash_new();
	rc = fill(d, arg, &err);
	if (rc == 0) {
		dash_sort(d);
		rc = dash_write(d, out, &err);
	}
	if (rc != 0) {
		fprintf(stderr, "dashboard: %s\n", err.data ? err.data : "failed");
		rc = 1;
	} else if (!quiet)
		dash_text(d, stdout);
	dash_free(d);
	buf_free(&err);
	return rc;
}
