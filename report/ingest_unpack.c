/*
 * ingest_unpack.c - gzip (zlib), zip (libarchive) and raw XML detection and
 * capped decompression of received aggregate reports
 *
 * Real senders label zip files as gzip and leave bytes after a gzip stream:
 * the format is taken from the magic bytes only (RFC 1952 §2.3.1 1f 8b,
 * PKWARE APPNOTE 4.3.7 "PK\3\4"), concatenated gzip members are one
 * document (RFC 1952 §2.2), and bytes after the last member are a note, not
 * an error.  Every byte of output counts against lim->max_total; a zip's
 * members against lim->max_members, before any is inflated.
 */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ingest_text.h"
#include "ingest_unpack.h"

static int unpack_any(const unsigned char *p, size_t n, const struct ingest_limits *lim,
    struct ingest_docs *out, const char *name, int depth);

/* ingest_limits_default - the default caps */
void
ingest_limits_default(struct ingest_limits *l)
{
	l->max_total = INGEST_MAX_TOTAL;
	l->max_members = INGEST_MAX_MEMBERS;
}

/* ingest_sniff - gzip, zip, XML (after a BOM and white space) or other */
enum ingest_kind
ingest_sniff(const void *vp, size_t n)
{
	const unsigned char *p = vp;
	size_t i = 0;

	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return INGEST_KIND_GZIP;
	/* a local file header, or the end record of an empty archive */
	if (n >= 4 && p[0] == 'P' && p[1] == 'K' &&
	    ((p[2] == 3 && p[3] == 4) || (p[2] == 5 && p[3] == 6)))
		return INGEST_KIND_ZIP;
	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i < n && p[i] == '<')
		return INGEST_KIND_XML;
	return INGEST_KIND_OTHER;
}

/* ingest_kind_name - the word for k */
const char *
ingest_kind_name(enum ingest_kind k)
{
	switch (k) {
	case INGEST_KIND_GZIP: return "gzip";
	case INGEST_KIND_ZIP: return "zip";
	case INGEST_KIND_XML: return "xml";
	default: return "other";
	}
}

/* reject - set out->reject (the first reason wins); returns -1 */
static int
reject(struct ingest_docs *out, const char *fmt, unsigned long long v)
{
	char why[200];

	if (out->reject == NULL) {
		snprintf(why, sizeof(why), fmt, v);
		out->reject = xstrdup(why);
	}
	return -1;
}

/* add_doc - take b's content as one document */
static void
add_doc(struct ingest_docs *out, struct buf *b, const char *name)
{
	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n].len = b->len;
	out->v[out->n].data = b->data != NULL ? buf_steal(b) : xstrdup("");
	out->v[out->n].name = name != NULL ? ingest_strdup_cap(name, strlen(name), 255, NULL) : NULL;
	out->n++;
}

/* gunzip - inflate every gzip member in p[0..n) into b, within the budget
 * left; returns 0, or -1 with the reason set */
static int
gunzip(const unsigned char *p, size_t n, size_t budget, struct buf *b, struct ingest_docs *out)
{
	unsigned char chunk[16384];
	z_stream z;
	int rc = Z_OK, members = 0;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return reject(out, "zlib cannot start", 0);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	for (;;) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			break;
		if (b->len + (sizeof(chunk) - z.avail_out) > budget) {
			inflateEnd(&z);
			return reject(out, "decompressed size over %llu bytes", (unsigned long long)budget);
		}
		buf_add(b, chunk, sizeof(chunk) - z.avail_out);
		if (rc == Z_STREAM_END) {
			members++;
			/* RFC 1952 §2.2: another member may follow */
			if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) {
				inflateReset(&z);
				continue;
			}
			break;
		}
		if (rc == Z_BUF_ERROR)
			break;	/* no progress: cut short */
	}
	if (rc == Z_STREAM_END && z.avail_in > 0)
		ingest_note(&out->notes, "%u bytes after the gzip stream ignored", (unsigned)z.avail_in);
	if (members > 1)
		ingest_note(&out->notes, "%d concatenated gzip members", members);
	inflateEnd(&z);
	if (rc == Z_STREAM_END)
		return 0;
	if (b->len > 0) {
		ingest_note(&out->notes, "gzip stream cut short or damaged: %zu bytes recovered", b->len);
		return 0;
	}
	return reject(out, "damaged gzip stream", 0);
}

/* zip_member - read the current member's data into b within budget */
static int
zip_member(struct archive *a, size_t budget, struct buf *b, struct ingest_docs *out)
{
	char chunk[16384];
	la_ssize_t r;

	while ((r = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
		if (b->len + (size_t)r > budget)
			return reject(out, "decompressed size over %llu bytes", (unsigned long long)budget);
		buf_add(b, chunk, (size_t)r);
	}
	if (r < 0)
		return reject(out, "damaged zip member", 0);
	return 0;
}

/* unzip - every regular member of the zip p[0..n), each sniffed again */
static int
unzip(const unsigned char *p, size_t n, const struct ingest_limits *lim,
    struct ingest_docs *out, int depth)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct buf b = BUF_INIT;
	size_t members = 0;
	int rc = 0, r;

	archive_read_support_format_zip(a);
	if (archive_read_open_memory(a, p, n) != ARCHIVE_OK) {
		archive_read_free(a);
		return reject(out, "not a readable zip archive", 0);
	}
	while (rc == 0 && (r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (++members > lim->max_members) {
			rc = reject(out, "zip archive with more than %llu members",
			    (unsigned long long)lim->max_members);
			break;
		}
		buf_init(&b);
		rc = zip_member(a, lim->max_total - out->total, &b, out);
		if (rc == 0)
			rc = unpack_any((unsigned char *)b.data, b.len, lim, out,
			    archive_entry_pathname(e), depth + 1);
		buf_free(&b);
	}
	if (rc == 0 && r != ARCHIVE_EOF)
		rc = reject(out, "damaged zip archive", 0);
	if (rc == 0 && members == 0)
		rc = reject(out, "zip archive without members", 0);
	archive_read_free(a);
	return rc;
}

/* unpack_any - one input at nesting depth: sniff and dispatch */
static int
unpack_any(const unsigned char *p, size_t n, const struct ingest_limits *lim,
    struct ingest_docs *out, const char *name, int depth)
{
	struct buf b = BUF_INIT;
	int rc;

	if (depth > INGEST_MAX_DEPTH)
		return reject(out, "containers nested more than %llu deep", INGEST_MAX_DEPTH);
	switch (ingest_sniff(p, n)) {
	case INGEST_KIND_XML:
		if (n > lim->max_total - out->total)
			return reject(out, "decompressed size over %llu bytes",
			    (unsigned long long)lim->max_total);
		buf_add(&b, p, n);
		add_doc(out, &b, name);
		out->total += n;
		return 0;
	case INGEST_KIND_GZIP:
		buf_init(&b);
		rc = gunzip(p, n, lim->max_total - out->total, &b, out);
		if (rc == 0 && ingest_sniff(b.data, b.len) != INGEST_KIND_XML)
			rc = unpack_any((unsigned char *)b.data, b.len, lim, out, name, depth + 1);
		else if (rc == 0) {
			out->total += b.len;
			add_doc(out, &b, name);
		}
		buf_free(&b);
		return rc;
	case INGEST_KIND_ZIP:
		return unzip(p, n, lim, out, depth);
	default:
		return reject(out, "neither XML, gzip nor zip", 0);
	}
}

/* ingest_unpack - the documents in p[0..n) */
int
ingest_unpack(const void *p, size_t n, const struct ingest_limits *lim, struct ingest_docs *out)
{
	struct ingest_limits def;
	size_t first = out->n, i;

	if (lim == NULL) {
		ingest_limits_default(&def);
		lim = &def;
	}
	if (unpack_any(p, n, lim, out, NULL, 0) == 0)
		return 0;
	for (i = first; i < out->n; i++) {
		out->total -= out->v[i].len;
		free(out->v[i].data);
		free(out->v[i].name);
	}
	out->n = first;
	return -1;
}

/* ingest_docs_free - release d */
void
ingest_docs_free(struct ingest_docs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].data);
		free(d->v[i].name);
	}
	free(d->v);
	strlist_free(&d->notes);
	free(d->reject);
	memset(d, 0, sizeof(*d));
}
