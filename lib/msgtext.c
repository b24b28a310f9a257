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

/* feed_headers - one callback per field; returns where the body starts */
static const char *
feed_headers(const char *p, const char *end, const struct msgtext_cb *cb, void *arg)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	const char *next, *le, *colon;
	int have = 0;

	buf_init(&name);
	buf_init(&value);
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
		if ((colon = memchr(p, ':', (size_t)(le - p))) == NULL)
			break;		/* not a field: the body starts here */
		buf_add(&name, p, (size_t)(colon - p));
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
