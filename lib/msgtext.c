/*
 * msgtext.c - split a message file into header fields and a CRLF body
 * (msgtext.h)
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "msgtext.h"

/* line_end - end of the line at p (before CRLF or LF); *next is the next line */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL) {
		*next = end;
		return end;
	}
	*next = nl + 1;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

/* field_name - the length of the field name of the line [p, le) and in
 * *colon where its ':' is, or 0 when the line is no field.  As Postfix's
 * is_header() and milter8_header(): a name of printable US-ASCII other than
 * ':' (RFC 5322 section 2.2 ftext), then optional white space (the obs-
 * syntax of section 4.5), then ':'; the name handed on is without that
 * white space, so "From :" is a From field */
static size_t
field_name(const char *p, const char *le, const char **colon)
{
	const char *q = p, *e;

	while (q < le && *q > ' ' && *q < 0x7f && *q != ':')
		q++;
	for (e = q; e < le && (*e == ' ' || *e == '\t'); e++)
		;
	if (q == p || e == le || *e != ':')
		return 0;
	*colon = e;
	return (size_t)(q - p);
}

/* mailbox_lines - Postfix's smtpd turns the lines at the start of the
 * content that begin with "From " after any '>' (a UNIX mailbox From_ line,
 * even "From : x") into X-Mailbox-Line fields; returns past them */
static const char *
mailbox_lines(const char *p, const char *end, const struct msgtext_cb *cb, void *arg)
{
	struct buf value = BUF_INIT;
	const char *next, *le, *q;

	buf_init(&value);
	for (; p < end; p = next) {
		le = line_end(p, end, &next);
		for (q = p; q < le && *q == '>'; q++)
			;
		if (le - q < 5 || memcmp(q, "From ", 5) != 0)
			break;
		buf_reset(&value);
		buf_addc(&value, ' ');
		buf_add(&value, p, (size_t)(le - p));
		cb->header(arg, "X-Mailbox-Line", value.data);
	}
	buf_free(&value);
	return p;
}

/* feed_headers - one callback per field; returns where the body starts */
static const char *
feed_headers(const char *p, const char *end, const struct msgtext_cb *cb, void *arg)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	const char *next, *le, *colon;
	size_t nl;
	int have = 0;

	buf_init(&name);
	buf_init(&value);
	p = mailbox_lines(p, end, cb, arg);
	for (; p < end; p = next) {
		le = line_end(p, end, &next);
		if (le == p) {		/* empty line: end of headers */
			p = next;
			break;
		}
		if ((*p == ' ' || *p == '\t') && have) {
			buf_adds(&value, "\r\n");
			buf_add(&value, p, (size_t)(le - p));
			continue;
		}
		if (have)
			cb->header(arg, name.data, value.data);
		buf_reset(&name);
		buf_reset(&value);
		have = 0;
		if ((nl = field_name(p, le, &colon)) == 0)
			break;		/* not a field: the body starts here */
		buf_add(&name, p, nl);
		buf_add(&value, colon + 1, (size_t)(le - colon - 1));
		have = 1;
	}
	if (have)
		cb->header(arg, name.data, value.data);
	buf_free(&name);
	buf_free(&value);
	return p;
}

/* flush - hand over whole pieces of chunk bytes (everything when last) */
static void
flush(struct buf *b, size_t chunk, int last, const struct msgtext_cb *cb, void *arg)
{
	size_t off = 0;

	while (b->len - off >= chunk || (last && off < b->len)) {
		size_t n = b->len - off < chunk ? b->len - off : chunk;

		cb->body(arg, (const unsigned char *)b->data + off, n);
		off += n;
	}
	if (off > 0) {
		memmove(b->data, b->data + off, b->len - off);
		b->len -= off;
		b->data[b->len] = '\0';
	}
}

/* msgtext_feed - see msgtext.h */
void
msgtext_feed(const char *text, size_t len, size_t chunk, const struct msgtext_cb *cb,
    void *arg)
{
	const char *p, *end = text + len, *next, *le;
	struct buf body = BUF_INIT;

	if (chunk == 0)
		chunk = SIZE_MAX;
	p = feed_headers(text, end, cb, arg);
	if (cb->eoh)
		cb->eoh(arg);
	buf_init(&body);
	for (; p < end; p = next) {
		le = line_end(p, end, &next);
		buf_add(&body, p, (size_t)(le - p));
		buf_adds(&body, "\r\n");	/* SMTP ends every line with CRLF */
		if (body.len >= chunk)
			flush(&body, chunk, 0, cb, arg);
	}
	flush(&body, chunk, 1, cb, arg);
	buf_free(&body);
}

/* msgtext callbacks for the pipeline */
static void
msg_on_header(void *arg, const char *name, const char *value)
{
	msg_header(arg, name, value);
}

static void
msg_on_eoh(void *arg)
{
	msg_eoh(arg);
}

static void
msg_on_body(void *arg, const unsigned char *p, size_t n)
{
	msg_body(arg, p, n);
}

/* msgtext_feed_msg - see msgtext.h */
void
msgtext_feed_msg(struct msg *m, const char *text, size_t len, size_t chunk)
{
	static const struct msgtext_cb cb = { msg_on_header, msg_on_eoh, msg_on_body };

	msgtext_feed(text, len, chunk, &cb, m);
}
