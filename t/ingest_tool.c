/*
 * ingest_tool.c - print what report/libingest.a reads from files, as JSON
 * lines (a test tool for t/ingest.sh and for looking at real reports)
 *
 *   ingest_tool [--rows] PATH...|-
 *
 * PATH: a report file (.xml, .gz, .zip: by content), a message, an mbox, a
 * Maildir or any folder (recursed: ingest_walk.h); '-' reads one message on
 * standard input.  One line per
 * aggregate report ({"kind":"aggregate",...}), failure report
 * ({"kind":"failure",...}) or refused input ({"kind":"rejected",...}).
 * --rows adds the records to aggregate lines.  Exit 0, or 2 on an I/O error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "ingest_agg.h"
#include "ingest_msg.h"
#include "ingest_walk.h"

static int with_rows;

/* jstr - "key":"value" (null when NULL) */
static void
jstr(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "%s\"%s\":", b->len > 1 ? "," : "", key);
	if (v == NULL)
		buf_adds(b, "null");
	else
		json_str(b, v, strlen(v));
}

/* jlist - "key":[strings] */
static void
jlist(struct buf *b, const char *key, const struct strlist *l)
{
	size_t i;

	buf_printf(b, ",\"%s\":[", key);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_addc(b, ',');
		json_str(b, l->v[i], strlen(l->v[i]));
	}
	buf_addc(b, ']');
}

/* jauth - an auth_results list */
static void
jauth(struct buf *b, const char *key, const struct ingest_auth *v, size_t n)
{
	size_t i;

	buf_printf(b, ",\"%s\":[", key);
	for (i = 0; i < n; i++) {
		struct buf e = BUF_INIT;

		buf_init(&e);
		buf_addc(&e, '{');
		jstr(&e, "domain", v[i].domain);
		jstr(&e, "selector", v[i].selector);
		jstr(&e, "result", v[i].result);
		buf_printf(b, "%s%s}", i ? "," : "", e.data);
		buf_free(&e);
	}
	buf_addc(b, ']');
}

/* jrows - the records */
static void
jrows(struct buf *b, const struct ingest_agg *a)
{
	size_t i, k;

	buf_adds(b, ",\"records\":[");
	for (i = 0; i < a->nrows; i++) {
		const struct ingest_row *r = &a->rows[i];
		struct buf e = BUF_INIT;

		buf_init(&e);
		buf_addc(&e, '{');
		jstr(&e, "source_ip", r->source_ip);
		buf_printf(&e, ",\"count\":%llu", (unsigned long long)r->count);
		jstr(&e, "disposition", r->disposition);
		jstr(&e, "dkim", r->dkim);
		jstr(&e, "spf", r->spf);
		jstr(&e, "header_from", r->header_from);
		jstr(&e, "envelope_from", r->envelope_from);
		jstr(&e, "envelope_to", r->envelope_to);
		buf_adds(&e, ",\"reasons\":[");
		for (k = 0; k < r->nreasons; k++) {
			buf_adds(&e, k ? "," : "");
			json_str(&e, r->reasons[k].type ? r->reasons[k].type : "", r->reasons[k].type ? strlen(r->reasons[k].type) : 0);
		}
		buf_addc(&e, ']');
		jauth(&e, "auth_dkim", r->auth_dkim, r->ndkim);
		jauth(&e, "auth_spf", r->auth_spf, r->nspf);
		buf_printf(b, "%s%s}", i ? "," : "", e.data);
		buf_free(&e);
	}
	buf_addc(b, ']');
}

/* print_agg - one aggregate document */
static void
print_agg(const char *src, const struct ingest_doc *d, const struct strlist *unpack_notes)
{
	struct ingest_agg a;
	struct buf b = BUF_INIT;
	const struct ingest_policy *p = &a.policy;
	struct strlist all = { 0, NULL };
	size_t i;

	for (i = 0; i < unpack_notes->n; i++)
		strlist_add(&all, unpack_notes->v[i]);
	memset(&a, 0, sizeof(a));
	buf_init(&b);
	buf_addc(&b, '{');
	if (ingest_agg_parse(d->data, d->len, NULL, &a) != 0) {
		jstr(&b, "kind", "rejected");
		jstr(&b, "source", src);
		jstr(&b, "reason", a.reject);
	} else {
		jstr(&b, "kind", "aggregate");
		jstr(&b, "source", src);
		jstr(&b, "format", ingest_agg_format_name(a.format));
		jstr(&b, "org_name", a.org_name);
		jstr(&b, "email", a.email);
		jstr(&b, "report_id", a.report_id);
		buf_printf(&b, ",\"begin\":%lld,\"end\":%lld", (long long)a.begin, (long long)a.end);
		jstr(&b, "policy_domain", p->domain);
		jstr(&b, "p", p->p);
		jstr(&b, "sp", p->sp);
		jstr(&b, "np", p->np);
		jstr(&b, "adkim", p->adkim);
		jstr(&b, "aspf", p->aspf);
		buf_printf(&b, ",\"pct\":%d", p->pct);
		jstr(&b, "testing", p->testing);
		buf_printf(&b, ",\"rows\":%zu,\"messages\":%llu", a.nrows, (unsigned long long)a.messages);
		jlist(&b, "errors", &a.errors);
		if (with_rows)
			jrows(&b, &a);
	}
	/* the unpacker's notes (trailing bytes...), then the parser's */
	for (i = 0; i < a.notes.n; i++)
		strlist_add(&all, a.notes.v[i]);
	jlist(&b, "notes", &all);
	printf("%s}\n", b.data);
	buf_free(&b);
	strlist_free(&all);
	ingest_agg_free(&a);
}

/* print_arf - one failure report */
static void
print_arf(const char *src, const struct ingest_arf *f)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_addc(&b, '{');
	jstr(&b, "kind", "failure");
	jstr(&b, "source", src);
	jstr(&b, "feedback_type", f->feedback_type);
	jstr(&b, "reporter", f->reporter);
	jstr(&b, "arrival", f->arrival);
	buf_printf(&b, ",\"arrival_epoch\":%lld", (long long)f->arrival_epoch);
	jstr(&b, "source_ip", f->source_ip);
	jstr(&b, "reported_domain", f->reported_domain);
	jstr(&b, "from_domain", f->from_domain);
	jstr(&b, "auth_failure", f->auth_failure);
	jstr(&b, "auth_results", f->auth_results);
	jstr(&b, "delivery_result", f->delivery_result);
	jstr(&b, "dkim_domain", f->dkim_domain);
	buf_printf(&b, ",\"headers_len\":%zu,\"plain\":%s", f->headers_len, f->plain ? "true" : "false");
	jlist(&b, "notes", &f->notes);
	printf("%s}\n", b.data);
	buf_free(&b);
}

/* print_rejected - a refused input */
static void
print_rejected(const char *src, const char *why, const struct strlist *notes)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_addc(&b, '{');
	jstr(&b, "kind", "rejected");
	jstr(&b, "source", src);
	jstr(&b, "reason", why);
	jlist(&b, "notes", notes);
	printf("%s}\n", b.data);
	buf_free(&b);
}

/* on_item - one input the walk parsed (ingest_walk.h) */
static int
on_item(struct ingest_item *it, void *arg)
{
	const struct ingest_found *f = &it->found;
	size_t i;

	(void)arg;
	for (i = 0; i < f->docs.n; i++)
		print_agg(it->source, &f->docs.v[i], &f->notes);
	if (f->has_arf)
		print_arf(it->source, &f->arf);
	for (i = 0; i < f->rejects.n; i++)
		print_rejected(it->source, f->rejects.v[i], &f->notes);
	return 0;
}

/* main - every argument */
int
main(int argc, char **argv)
{
	int i = 1, rc = 0;

	if (i < argc && strcmp(argv[i], "--rows") == 0) {
		with_rows = 1;
		i++;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: ingest_tool [--rows] PATH...|-\n");
		return 64;
	}
	for (; i < argc; i++)
		if (ingest_walk_path(argv[i], on_item, NULL) != 0)
			rc = 2;
	return rc;
}
