/*
 * ingest_xmlfix.c - byte-level repairs of received aggregate reports before
 * libxml2 parses them (see ingest_xmlfix.h for the list)
 *
 * The repairs work on what senders get wrong in practice: a report written
 * with printf (unescaped '&' and '<' in org_name or a comment), Latin-1
 * bytes in a document that says UTF-8, a windows-1252 declaration libxml2
 * would accept but our storage would not.  Inside the text-only elements of
 * the RFC 9990 schema a '<' that does not close the element is text.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_text.h"
#include "ingest_xmlfix.h"

/* the schema's elements that hold text only (RFC 9990 Appendix A) */
static const char *const text_elems[] = {
	"org_name", "email", "extra_contact_info", "report_id", "error", "generator",
	"domain", "fo", "comment", "human_result", "header_from", "envelope_from",
	"envelope_to", "selector", "source_ip", NULL,
};

/* eight_bit - whether a declared encoding name is one we convert */
static int
eight_bit(const char *enc)
{
	static const char *const names[] = { "windows-1252", "cp1252", "iso-8859-1",
	    "iso8859-1", "latin1", "latin-1", "iso-8859-15", "us-ascii", "ascii", NULL };
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcasecmp(enc, names[i]) == 0)
			return 1;
	return 0;
}

/* xml_decl - length of an XML declaration at p (0 if none); its encoding
 * name into enc (empty if not given) */
static size_t
xml_decl(const char *p, size_t n, char enc[40])
{
	const char *end, *e, *q;
	size_t i;

	enc[0] = '\0';
	if (n < 6 || memcmp(p, "<?xml", 5) != 0 || !isspace((unsigned char)p[5]))
		return 0;
	if ((end = memmem(p, n < 300 ? n : 300, "?>", 2)) == NULL)
		return 0;
	if ((e = memmem(p, (size_t)(end - p), "encoding", 8)) != NULL) {
		for (q = e + 8; q < end && (*q == ' ' || *q == '=' || *q == '"' || *q == '\''); q++)
			;
		for (i = 0; q < end && i < 39 && *q != '"' && *q != '\''; q++)
			enc[i++] = *q;
		enc[i] = '\0';
	}
	return (size_t)(end - p) + 2;
}

/* to_utf8 - the document as UTF-8 with a plain declaration */
static void
to_utf8(const char *p, size_t n, struct buf *u, struct strlist *notes)
{
	char enc[40], c8[4];
	size_t i = 0, len, dl;
	int all8;

	if (n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	dl = xml_decl(p + i, n - i, enc);
	all8 = enc[0] != '\0' && eight_bit(enc);
	if (enc[0] != '\0' && strcasecmp(enc, "utf-8") != 0 && strcasecmp(enc, "utf8") != 0)
		ingest_note(notes, all8 ? "declared encoding %.39s converted to UTF-8" :
		    "declared encoding %.39s not supported: read as UTF-8", enc);
	buf_adds(u, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
	for (i += dl; i < n; i += len) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			ingest_note(notes, "control bytes replaced");
			buf_addc(u, '?');
			len = 1;
		} else if (c < 0x80) {
			/* a run of plain ASCII in one copy */
			for (len = 1; i + len < n && (unsigned char)p[i + len] < 0x80 &&
			    (unsigned char)p[i + len] >= 0x20; len++)
				;
			buf_add(u, p + i, len);
		} else if (!all8 && (len = ingest_utf8_len((const unsigned char *)p + i, n - i)) > 0)
			buf_add(u, p + i, len);
		else {
			if (!all8)
				ingest_note(notes, "invalid UTF-8 bytes read as windows-1252");
			buf_add(u, c8, ingest_cp1252(c, c8));
			len = 1;
		}
	}
}

/* skip_to - offset past the first occurrence of end at or after i, or n */
static size_t
skip_to(const char *p, size_t n, size_t i, const char *end)
{
	const char *f = memmem(p + i, n - i, end, strlen(end));

	return f != NULL ? (size_t)(f - p) + strlen(end) : n;
}

/* doctype_end - offset past a DOCTYPE declaration at i (internal subset too) */
static size_t
doctype_end(const char *p, size_t n, size_t i)
{
	for (; i < n && p[i] != '>'; i++)
		if (p[i] == '[')
			return skip_to(p, n, skip_to(p, n, i, "]"), ">");
	return i < n ? i + 1 : n;
}

/* entity_ok - whether the '&' at p[i] starts a reference XML knows without
 * a DTD (XML 1.0 §4.1, §4.6) */
static int
entity_ok(const char *p, size_t n, size_t i)
{
	static const char *const pre[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", NULL };
	size_t j;
	int k;

	for (k = 0; pre[k] != NULL; k++)
		if (n - i >= strlen(pre[k]) && memcmp(p + i, pre[k], strlen(pre[k])) == 0)
			return 1;
	if (i + 2 >= n || p[i + 1] != '#')
		return 0;
	j = i + 2;
	if (p[j] == 'x') {
		for (j++; j < n && isxdigit((unsigned char)p[j]); j++)
			;
		return j < n && p[j] == ';' && j > i + 3;
	}
	for (; j < n && isdigit((unsigned char)p[j]); j++)
		;
	return j < n && p[j] == ';' && j > i + 2;
}

/* tag_end - offset past the tag at p[i] ('<' then a name start), or 0 when
 * a '<' comes before its '>' (then it is text) */
static size_t
tag_end(const char *p, size_t n, size_t i)
{
	size_t j;

	for (j = i + 1; j < n && p[j] != '>'; j++)
		if (p[j] == '<')
			return 0;
	return j < n ? j + 1 : 0;
}

/* text_elem - whether the start tag p[i..e) opens a text-only element;
 * its local name into name */
static int
text_elem(const char *p, size_t i, size_t e, char name[40])
{
	size_t s = i + 1, k = 0, j;
	int t;

	if (p[s] == '/' || p[e - 2] == '/')
		return 0;
	for (j = s; j < e && (isalnum((unsigned char)p[j]) || p[j] == '_' || p[j] == ':' ||
	    p[j] == '-' || p[j] == '.'); j++)
		if (p[j] == ':')
			s = j + 1;
	for (; s < j && k < 39; s++)
		name[k++] = p[s];
	name[k] = '\0';
	for (t = 0; text_elems[t] != NULL; t++)
		if (strcmp(name, text_elems[t]) == 0)
			return 1;
	return 0;
}

/* closes - whether p[i..] is "</" [prefix:] name */
static int
closes(const char *p, size_t n, size_t i, const char *name)
{
	size_t j = i + 2, l = strlen(name);

	if (n - i < 2 || p[i + 1] != '/')
		return 0;
	while (j < n && p[j] != '>' && p[j] != ':' && j < i + 40)
		j++;
	j = j < n && p[j] == ':' ? j + 1 : i + 2;
	return n - j >= l && memcmp(p + j, name, l) == 0 && (j + l == n || !isalnum((unsigned char)p[j + l]));
}

/* markup - copy u to out escaping stray '&' and '<', dropping a DOCTYPE */
static void
markup(const char *p, size_t n, struct buf *out, struct strlist *notes)
{
	char leaf[40] = "";
	size_t i = 0, e;

	while (i < n) {
		if (p[i] == '&' && !entity_ok(p, n, i)) {
			ingest_note(notes, "unescaped '&' escaped");
			buf_adds(out, "&amp;");
			i++;
		} else if (p[i] != '<') {
			/* text up to the next markup or reference in one copy */
			for (e = i + 1; e < n && p[e] != '<' && p[e] != '&'; e++)
				;
			buf_add(out, p + i, e - i);
			i = e;
		} else if (n - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
			e = skip_to(p, n, i + 4, "-->");
			buf_add(out, p + i, e - i);
			i = e;
		} else if (n - i >= 9 && memcmp(p + i, "<![CDATA[", 9) == 0) {
			e = skip_to(p, n, i + 9, "]]>");
			buf_add(out, p + i, e - i);
			i = e;
		} else if (n - i >= 9 && memcmp(p + i, "<!DOCTYPE", 9) == 0) {
			ingest_note(notes, "DOCTYPE declaration dropped");
			i = doctype_end(p, n, i);
		} else if (n - i >= 2 && p[i + 1] == '?') {
			e = skip_to(p, n, i + 2, "?>");
			buf_add(out, p + i, e - i);
			i = e;
		} else if ((leaf[0] != '\0' && !closes(p, n, i, leaf)) || i + 1 >= n ||
		    !(isalpha((unsigned char)p[i + 1]) || p[i + 1] == '_' || p[i + 1] == '/') ||
		    (e = tag_end(p, n, i)) == 0) {
			ingest_note(notes, "unescaped '<' escaped");
			buf_adds(out, "&lt;");
			i++;
		} else {
			if (!text_elem(p, i, e, leaf))
				leaf[0] = '\0';
			buf_add(out, p + i, e - i);
			i = e;
		}
	}
}

/* ingest_xmlfix - the repaired document */
void
ingest_xmlfix(const char *xml, size_t n, struct buf *out, struct strlist *notes)
{
	struct buf u = BUF_INIT;

	buf_init(&u);
	to_utf8(xml, n, &u, notes);
	markup(u.data, u.len, out, notes);
	buf_free(&u);
}
