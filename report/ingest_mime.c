/*
 * ingest_mime.c - a small, bounded MIME walker for received report mail
 *
 * Hand-written rather than GMime: we need header fields, multipart
 * boundaries (RFC 2046 §5.1.1), message/rfc822 (§5.2.1) and two transfer
 * decodings (RFC 2045 §6.7, §6.8), with caps on depth, part count and the
 * bytes kept, which GMime's API does not offer; the attachments themselves
 * are recognised by content (ingest_unpack), not by their declared types.
 * Fuzzed by t/fuzz/fuzz_ingest_mime.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "hex.h"
#include "ingest_mime.h"
#include "ingest_text.h"

/* line_end - offset just past the line starting at p[off] */
static size_t
line_end(const char *p, size_t n, size_t off)
{
	const char *nl = memchr(p + off, '\n', n - off);

	return nl != NULL ? (size_t)(nl - p) + 1 : n;
}

/* ingest_hdr_end - length of the header block, blank line included */
size_t
ingest_hdr_end(const char *p, size_t n)
{
	size_t off = 0, e;

	while (off < n) {
		e = line_end(p, n, off);
		if (p[off] == '\n' || (p[off] == '\r' && off + 1 < n && p[off + 1] == '\n'))
			return e;
		off = e;
	}
	return n;
}

/* ingest_hdr_next - one field of a header block (RFC 5322 §2.2, §2.2.3) */
int
ingest_hdr_next(const char *p, size_t n, size_t *off, const char **name, size_t *nlen,
    const char **val, size_t *vlen)
{
	size_t s, e, c;

	for (;;) {
		s = *off;
		if (s >= n || p[s] == '\n' || (p[s] == '\r' && s + 1 < n && p[s + 1] == '\n'))
			return 0;
		e = line_end(p, n, s);
		/* continuation lines belong to this field */
		while (e < n && (p[e] == ' ' || p[e] == '\t'))
			e = line_end(p, n, e);
		*off = e;
		for (c = s; c < e && p[c] != ':' && p[c] != '\n'; c++)
			;
		if (c == e || p[c] != ':' || c == s)
			continue;	/* not a field: skipped */
		*name = p + s;
		*nlen = c - s;
		while (*nlen > 0 && (p[s + *nlen - 1] == ' ' || p[s + *nlen - 1] == '\t'))
			(*nlen)--;
		*val = p + c + 1;
		*vlen = e - c - 1;
		return 1;
	}
}

/* ingest_hdr_unfold - unfolded, trimmed, capped copy of a raw value */
char *
ingest_hdr_unfold(const char *val, size_t vlen)
{
	struct buf b = BUF_INIT;
	size_t i;
	char *r;

	buf_init(&b);
	for (i = 0; i < vlen && b.len < INGEST_MIME_VALUE_MAX; i++) {
		if (val[i] == '\r' || val[i] == '\n')
			continue;
		buf_addc(&b, val[i] == '\t' ? ' ' : val[i]);
	}
	r = ingest_strdup_cap(b.data, b.len, INGEST_MIME_VALUE_MAX, NULL);
	buf_free(&b);
	return r;
}

/* ingest_hdr_get - first field called name, unfolded */
char *
ingest_hdr_get(const char *p, size_t n, const char *name)
{
	const char *fn, *fv;
	size_t off = 0, fnl, fvl;

	while (ingest_hdr_next(p, n, &off, &fn, &fnl, &fv, &fvl))
		if (fnl == strlen(name) && strncasecmp(fn, name, fnl) == 0)
			return ingest_hdr_unfold(fv, fvl);
	return NULL;
}

/* ingest_mime_param - a Content-Type parameter (RFC 2045 §5.1) */
char *
ingest_mime_param(const char *val, const char *name)
{
	size_t nl = strlen(name);
	const char *p = strchr(val, ';');
	struct buf b = BUF_INIT;

	while (p != NULL) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nl) == 0) {
			const char *q = p + nl;

			while (*q == ' ')
				q++;
			if (*q == '=') {
				for (q++; *q == ' '; q++)
					;
				buf_init(&b);
				if (*q == '"') {
					for (q++; *q && *q != '"' && b.len < 200; q++) {
						if (*q == '\\' && q[1] != '\0')
							q++;
						buf_addc(&b, *q);
					}
				} else
					for (; *q && *q != ';' && !isspace((unsigned char)*q) && b.len < 200; q++)
						buf_addc(&b, *q);
				return buf_steal(&b);
			}
		}
		/* next parameter: skip a quoted string's ';' */
		{
			int quoted = 0;

			for (; *p && (quoted || *p != ';'); p++)
				if (*p == '"')
					quoted = !quoted;
			p = *p == ';' ? p : NULL;
		}
	}
	return NULL;
}

/* decode_b64 - RFC 2045 §6.8: bytes outside the alphabet are ignored (the
 * lenient reading a MIME body needs; base64_decode is the strict one) */
static void
decode_b64(const char *p, size_t n, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t i;

	for (i = 0; i < n && p[i] != '='; i++) {
		if ((v = base64_digit((unsigned char)p[i])) < 0)
			continue;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (int)((acc >> bits) & 0xff));
		}
	}
}

/* decode_qp - RFC 2045 §6.7: =XX and soft line breaks; other '=' kept */
static void
decode_qp(const char *p, size_t n, struct buf *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (p[i] != '=') {
			buf_addc(out, p[i]);
			continue;
		}
		if (i + 2 < n && hex_digit((unsigned char)p[i + 1]) >= 0 &&
		    hex_digit((unsigned char)p[i + 2]) >= 0) {
			buf_addc(out, hex_digit((unsigned char)p[i + 1]) * 16 + hex_digit((unsigned char)p[i + 2]));
			i += 2;
			continue;
		}
		/* soft line break: '=' then optional white space then the line end */
		for (j = i + 1; j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'); j++)
			;
		if (j >= n || p[j] == '\n') {
			i = j;
			continue;
		}
		buf_addc(out, '=');
	}
}

/* part_info - a part's header facts */
struct part_info {
	char   *ctype;		/* type/subtype, lower case */
	char   *ctval;		/* the whole Content-Type value */
	char   *cte;		/* transfer encoding, lower case, or NULL */
};

/* part_info_read - Content-Type and Content-Transfer-Encoding of a block */
static void
part_info_read(const char *p, size_t hn, struct part_info *pi)
{
	size_t i;

	pi->ctval = ingest_hdr_get(p, hn, "Content-Type");
	pi->cte = ingest_lower(ingest_hdr_get(p, hn, "Content-Transfer-Encoding"));
	if (pi->ctval == NULL || strchr(pi->ctval, '/') == NULL) {
		pi->ctype = xstrdup("text/plain");
		return;
	}
	for (i = 0; pi->ctval[i] && pi->ctval[i] != ';' && !isspace((unsigned char)pi->ctval[i]); i++)
		;
	pi->ctype = ingest_lower(xstrndup(pi->ctval, i < 100 ? i : 100));
}

static void walk(const char *p, size_t n, int depth, const char *report_type,
    struct ingest_mime *out);

/* add_leaf - one decoded leaf */
static void
add_leaf(struct ingest_mime *out, const char *ctype, const char *report_type, int depth,
    struct buf *b)
{
	struct ingest_part *lp;

	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	lp = &out->v[out->n++];
	lp->ctype = xstrdup(ctype);
	lp->report_type = report_type != NULL ? xstrdup(report_type) : NULL;
	lp->depth = depth;
	lp->len = b->len;
	lp->data = b->data != NULL ? buf_steal(b) : xstrdup("");
}

/* is_delim - whether the line at p[off..] is "--boundary" (or its close) */
static int
is_delim(const char *p, size_t n, size_t off, const char *bd, size_t bl, int *close)
{
	if (off + 2 + bl > n || p[off] != '-' || p[off + 1] != '-' || memcmp(p + off + 2, bd, bl) != 0)
		return 0;
	*close = off + 4 + bl <= n && p[off + 2 + bl] == '-' && p[off + 3 + bl] == '-';
	return 1;
}

/* walk_multipart - RFC 2046 §5.1.1: the parts between delimiter lines */
static void
walk_multipart(const char *p, size_t n, const char *bd, int depth, const char *rt,
    struct ingest_mime *out)
{
	size_t bl = strlen(bd), off = 0, start = 0, end;
	int in_part = 0, close = 0;

	while (off < n) {
		size_t e = line_end(p, n, off);

		if (is_delim(p, n, off, bd, bl, &close)) {
			if (in_part) {
				/* the CRLF before the delimiter belongs to it */
				end = off;
				if (end > start && p[end - 1] == '\n')
					end--;
				if (end > start && p[end - 1] == '\r')
					end--;
				walk(p + start, end - start, depth + 1, rt, out);
			}
			if (close)
				return;
			in_part = 1;
			start = e;
		}
		off = e;
	}
	if (in_part) {
		ingest_note(&out->notes, "multipart without its closing delimiter");
		walk(p + start, n - start, depth + 1, rt, out);
	}
}

/* walk_leaf - decode one leaf's body and keep it */
static void
walk_leaf(const char *body, size_t bn, const struct part_info *pi, int depth,
    const char *rt, struct ingest_mime *out)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	if (pi->cte != NULL && strcmp(pi->cte, "base64") == 0)
		decode_b64(body, bn, &b);
	else if (pi->cte != NULL && strcmp(pi->cte, "quoted-printable") == 0)
		decode_qp(body, bn, &b);
	else
		buf_add(&b, body, bn);
	if (strcmp(pi->ctype, "message/rfc822") == 0 || strcmp(pi->ctype, "message/global") == 0) {
		/* RFC 2046 §5.2.1: an enclosed message; walk it, keep its headers */
		struct buf h = BUF_INIT;
		size_t hn = ingest_hdr_end(b.data, b.len);

		if (depth + 1 < INGEST_MIME_MAX_DEPTH)
			walk(b.data, b.len, depth + 1, NULL, out);
		else
			ingest_note(&out->notes, "MIME nesting over %d levels ignored", INGEST_MIME_MAX_DEPTH);
		buf_init(&h);
		buf_add(&h, b.data, hn < INGEST_MIME_HDR_MAX ? hn : INGEST_MIME_HDR_MAX);
		add_leaf(out, pi->ctype, rt, depth, &h);
		buf_free(&h);
	} else
		add_leaf(out, pi->ctype, rt, depth, &b);
	buf_free(&b);
}

/* walk - one entity (header block + body) at depth */
static void
walk(const char *p, size_t n, int depth, const char *rt, struct ingest_mime *out)
{
	struct part_info pi = { NULL, NULL, NULL };
	size_t hn = ingest_hdr_end(p, n);
	char *bd = NULL, *crt = NULL;

	if (depth >= INGEST_MIME_MAX_DEPTH) {
		ingest_note(&out->notes, "MIME nesting over %d levels ignored", INGEST_MIME_MAX_DEPTH);
		return;
	}
	if (++out->parts > INGEST_MIME_MAX_PARTS) {
		ingest_note(&out->notes, "parts past %d ignored", INGEST_MIME_MAX_PARTS);
		return;
	}
	part_info_read(p, hn, &pi);
	if (strncmp(pi.ctype, "multipart/", 10) == 0 &&
	    (bd = ingest_mime_param(pi.ctval, "boundary")) != NULL && bd[0] != '\0') {
		if (strcmp(pi.ctype, "multipart/report") == 0)
			crt = ingest_lower(ingest_mime_param(pi.ctval, "report-type"));
		walk_multipart(p + hn, n - hn, bd, depth, crt != NULL ? crt : "", out);
	} else
		walk_leaf(p + hn, n - hn, &pi, depth, rt != NULL && rt[0] ? rt : NULL, out);
	free(bd);
	free(crt);
	free(pi.ctype);
	free(pi.ctval);
	free(pi.cte);
}

/* ingest_mime_walk - the leaves of a message */
void
ingest_mime_walk(const char *msg, size_t n, struct ingest_mime *out)
{
	size_t hn;

	if (n >= 5 && memcmp(msg, "From ", 5) == 0) {
		size_t e = line_end(msg, n, 0);

		msg += e;
		n -= e;
	}
	hn = ingest_hdr_end(msg, n);
	out->from = ingest_hdr_get(msg, hn, "From");
	out->subject = ingest_hdr_get(msg, hn, "Subject");
	out->date = ingest_hdr_get(msg, hn, "Date");
	walk(msg, n, 0, NULL, out);
}

/* ingest_mime_free - release m */
void
ingest_mime_free(struct ingest_mime *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		free(m->v[i].ctype);
		free(m->v[i].report_type);
		free(m->v[i].data);
	}
	free(m->v);
	free(m->from);
	free(m->subject);
	free(m->date);
	strlist_free(&m->notes);
	memset(m, 0, sizeof(*m));
}
