/*
 * test_msgtext.c - a message file cut into fields and CRLF body chunks
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "msgtext.h"
#include "tap.h"

/* rec - what the callbacks saw: "H name|value" lines, "E", "B n" per chunk */
struct rec {
	struct buf log, body;
	size_t maxchunk;
};

static void
on_header(void *arg, const char *name, const char *value)
{
	struct rec *r = arg;

	buf_printf(&r->log, "H %s|%s\n", name, value);
}

static void
on_eoh(void *arg)
{
	buf_adds(&((struct rec *)arg)->log, "E\n");
}

static void
on_body(void *arg, const unsigned char *p, size_t n)
{
	struct rec *r = arg;

	buf_printf(&r->log, "B %zu\n", n);
	buf_add(&r->body, (const char *)p, n);
	if (n > r->maxchunk)
		r->maxchunk = n;
}

static const struct msgtext_cb cb = { on_header, on_eoh, on_body };

/* run - feed text with chunk; the caller frees r */
static void
run(struct rec *r, const char *text, size_t chunk)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->log);
	buf_init(&r->body);
	msgtext_feed(text, strlen(text), chunk, &cb, r);
}

static void
rec_free(struct rec *r)
{
	buf_free(&r->log);
	buf_free(&r->body);
}

int
main(void)
{
	struct rec r;
	struct buf big = BUF_INIT;
	size_t i;

	run(&r, "From: a@b\nSubject: one\n two\n\nline1\nline2\n", 0);
	is_str(r.log.data, "H From| a@b\nH Subject| one\r\n two\nE\nB 14\n",
	    "LF file: fields, a fold joined with CRLF, end of headers, one body call");
	is_str(r.body.data, "line1\r\nline2\r\n", "LF body made CRLF");
	rec_free(&r);

	run(&r, "A: 1\r\n\tfold\r\nB:2\r\n\r\nx\r\n", 0);
	is_str(r.log.data, "H A| 1\r\n\tfold\nH B|2\nE\nB 3\n", "CRLF file: same cut, value kept as sent");
	is_str(r.body.data, "x\r\n", "CRLF body unchanged");
	rec_free(&r);

	run(&r, "A: 1\nnot a header line\nmore\n", 0);
	is_str(r.log.data, "H A| 1\nE\nB 25\n", "a line that is no field ends the header block");
	is_str(r.body.data, "not a header line\r\nmore\r\n", "and starts the body");
	rec_free(&r);

	run(&r, "A: 1\n\n", 0);
	is_str(r.log.data, "H A| 1\nE\n", "empty body: no body call");
	rec_free(&r);

	run(&r, "", 0);
	is_str(r.log.data, "E\n", "empty file: end of headers only");
	rec_free(&r);

	/* field names as Postfix hands them to a milter (is_header, milter8_header) */
	run(&r, "X:1\nFrom : a@b\nTo\t \t:c@d\n\n", 0);
	is_str(r.log.data, "H X|1\nH From| a@b\nH To|c@d\nE\n",
	    "white space before the colon is not part of the name");
	rec_free(&r);
	run(&r, "From alice@b Mon Nov 23 12:00:00 2026\n>From : c@d\nA: 1\n\n", 0);
	is_str(r.log.data, "H X-Mailbox-Line| From alice@b Mon Nov 23 12:00:00 2026\n"
	    "H X-Mailbox-Line| >From : c@d\nH A| 1\nE\n",
	    "leading mbox From lines are X-Mailbox-Line fields (Postfix smtpd)");
	rec_free(&r);
	run(&r, "A: 1\nFr om: x@y\n\n", 0);
	is_str(r.log.data, "H A| 1\nE\nB 14\n", "a name with a space inside is no field: body");
	rec_free(&r);
	run(&r, "A: 1\n: x\n\n", 0);
	is_str(r.log.data, "H A| 1\nE\nB 7\n", "an empty name is no field: body");
	rec_free(&r);
	run(&r, "A: 1\nX-\xc3\xa9: x\n\n", 0);
	is_str(r.log.data, "H A| 1\nE\nB 11\n", "an 8-bit name is no field: body");
	rec_free(&r);

	run(&r, " leading fold\nA: 1\n\nb\n", 0);
	is_str(r.log.data, "E\nB 26\n", "a fold before any field is body");
	rec_free(&r);

	buf_init(&big);
	buf_adds(&big, "Subject: big\n\n");
	for (i = 0; i < 1000; i++)
		buf_adds(&big, "0123456789\n");
	run(&r, big.data, 4096);
	is_int(r.body.len, 12000, "1,000 LF lines: 12,000 CRLF bytes");
	is_int(r.maxchunk, 4096, "no chunk over the limit");
	ok(strstr(r.log.data, "B 4096\nB 4096\nB 3808\n") != NULL, "exact 4096-byte pieces, the rest last");
	rec_free(&r);
	buf_free(&big);
	return tap_done();
}
