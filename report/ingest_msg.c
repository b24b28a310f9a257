/*
 * ingest_msg.c - from one received message to the reports inside it
 *
 * Every decoded leaf part is sniffed: gzip and zip are unpacked whatever
 * their declared type (application/octet-stream, a zip called .gz...); an
 * uncompressed XML part counts only when it holds a <feedback> element, so
 * an HTML body is not mistaken for a broken report.  One budget of
 * decompressed bytes covers the whole message.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_mime.h"
#include "ingest_msg.h"
#include "ingest_text.h"

/* looks_like_report - an XML part with a feedback element near its start */
static int
looks_like_report(const char *p, size_t n)
{
	size_t k = n < 65536 ? n : 65536;

	return ingest_memmem_ci(p, k, "<feedback") != NULL || ingest_memmem_ci(p, k, ":feedback") != NULL;
}

/* scan_part - one leaf */
static void
scan_part(const struct ingest_part *p, size_t idx, const struct ingest_limits *lim,
    struct ingest_found *out)
{
	enum ingest_kind k = ingest_sniff(p->data, p->len);
	char line[300];

	if (strncmp(p->ctype, "message/", 8) == 0 || strcmp(p->ctype, "text/rfc822-headers") == 0)
		return;
	if (k == INGEST_KIND_OTHER || (k == INGEST_KIND_XML && !looks_like_report(p->data, p->len)))
		return;
	if (ingest_unpack(p->data, p->len, lim, &out->docs) != 0) {
		snprintf(line, sizeof(line), "part %zu %.60s: %s", idx, p->ctype, out->docs.reject);
		strlist_add(&out->rejects, line);
		free(out->docs.reject);
		out->docs.reject = NULL;
	}
}

/* ingest_msg_scan - the reports in one message */
void
ingest_msg_scan(const char *msg, size_t n, const struct ingest_limits *lim,
    struct ingest_found *out)
{
	struct ingest_limits def;
	struct ingest_mime m;
	size_t i;

	if (lim == NULL) {
		ingest_limits_default(&def);
		lim = &def;
	}
	memset(&m, 0, sizeof(m));
	ingest_mime_walk(msg, n, &m);
	for (i = 0; i < m.n; i++)
		scan_part(&m.v[i], i + 1, lim, out);
	out->has_arf = ingest_arf_from_mime(&m, &out->arf);
	for (i = 0; i < m.notes.n; i++)
		ingest_note(&out->notes, "%s", m.notes.v[i]);
	for (i = 0; i < out->docs.notes.n; i++)
		ingest_note(&out->notes, "%s", out->docs.notes.v[i]);
	ingest_mime_free(&m);
}

/* ingest_found_free - release f */
void
ingest_found_free(struct ingest_found *f)
{
	ingest_docs_free(&f->docs);
	if (f->has_arf)
		ingest_arf_free(&f->arf);
	strlist_free(&f->rejects);
	strlist_free(&f->notes);
	memset(f, 0, sizeof(*f));
}
