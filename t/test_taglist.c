/*
 * test_taglist.c - lib/taglist.c: the tag=value tokenizer shared by DKIM
 * key records and signatures (taglist_next, RFC 6376 §3.2) and DMARC
 * Policy Records (taglist_cut with WSP, RFC 9989 §4.8).  The parsers on
 * top of it have their own tests: test_dkim_key (key records, signature
 * tag-lists) and test_dmarc (DMARC records).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "tap.h"
#include "taglist.h"

/*
 * one row: the input and what the tokenizer makes of it, as text:
 * "name=value|" per tag (a tag-spec without "=" as "name|"), then "$" at
 * the end of the list or "!N" for a syntax error at offset N
 */
struct tag_case {
	const char     *label;
	const char     *in;
	size_t		len;		/* 0: strlen(in) */
	int		strict;		/* taglist_next, else taglist_cut */
	enum taglist_space sp;		/* for taglist_cut */
	const char     *want;
};

static const struct tag_case cases[] = {
	/* RFC 6376 §3.2 */
	{ "strict: two tags", "a=1; b=2", 0, 1, TAGLIST_FWS, "a=1|b=2|$" },
	{ "strict: trailing ;", "a=1;", 0, 1, TAGLIST_FWS, "a=1|$" },
	{ "strict: FWS everywhere", " \r\n\ta \t= 1 2\r\n ;\tb=", 0, 1, TAGLIST_FWS, "a=1 2|b=|$" },
	{ "strict: empty list", "", 0, 1, TAGLIST_FWS, "$" },
	{ "strict: white space only", " \r\n ", 0, 1, TAGLIST_FWS, "$" },
	{ "strict: '=' inside a value", "a=b=c", 0, 1, TAGLIST_FWS, "a=b=c|$" },
	{ "strict: ALNUMPUNC name", "a_1B=x", 0, 1, TAGLIST_FWS, "a_1B=x|$" },
	{ "strict: name starts with a digit", "a=1; 9x=1", 0, 1, TAGLIST_FWS, "a=1|!5" },
	{ "strict: no '='", "a=1; bc", 0, 1, TAGLIST_FWS, "a=1|!7" },
	{ "strict: no '=' before ';'", "a=1; bc ;d=2", 0, 1, TAGLIST_FWS, "a=1|!8" },
	{ "strict: space inside a name", "ab c=1", 0, 1, TAGLIST_FWS, "!3" },
	{ "strict: dash in a name", "a-b=1", 0, 1, TAGLIST_FWS, "!1" },
	{ "strict: empty spec", "a=1;;b=2", 0, 1, TAGLIST_FWS, "a=1|!4" },
	{ "strict: '=' first", " =1", 0, 1, TAGLIST_FWS, "!1" },
	{ "strict: control byte in a value", "a=b\x01" "c", 0, 1, TAGLIST_FWS, "!3" },
	{ "strict: 8-bit byte in a value", "a=\xc3\xa9", 0, 1, TAGLIST_FWS, "!2" },
	{ "strict: NUL in a value", "a=b\0c", 5, 1, TAGLIST_FWS, "!3" },
	/* the lenient cut, RFC 9989 §4.8 white space */
	{ "cut WSP: DMARC record", "v=DMARC1; p=reject;", 0, 0, TAGLIST_WSP, "v=DMARC1|p=reject|$" },
	{ "cut WSP: spaces around '='", "  v = DMARC1 ;  p = none ; ", 0, 0, TAGLIST_WSP,
	  "v=DMARC1|p=none|$" },
	{ "cut WSP: CR LF is not white space", "a=1;\r\n b=2", 0, 0, TAGLIST_WSP, "a=1|\r\n b=2|$" },
	{ "cut WSP: anything goes", "9x=1; =bad; junk;;t=y", 0, 0, TAGLIST_WSP,
	  "9x=1|=bad|junk||t=y|$" },
	{ "cut WSP: leading ';'", ";v=DMARC1", 0, 0, TAGLIST_WSP, "|v=DMARC1|$" },
	{ "cut FWS: CR LF trimmed", "a=1;\r\n b=2\r\n", 0, 0, TAGLIST_FWS, "a=1|b=2|$" },
};

/* tokens - the row's text form of what the tokenizer returns */
static void
tokens(const struct tag_case *c, struct buf *out)
{
	size_t len = c->len ? c->len : strlen(c->in);
	const char *p = c->in, *end = c->in + len;
	struct taglist_tag t;
	int rc;

	for (;;) {
		rc = c->strict ? taglist_next(&p, end, &t) : taglist_cut(&p, end, c->sp, &t);
		if (rc != 1)
			break;
		buf_printf(out, "%.*s%s%.*s|", (int)t.nlen, t.name, t.has_eq ? "=" : "",
		    (int)t.vlen, t.val);
	}
	if (rc == 0)
		buf_printf(out, "%s", p == end ? "$" : "$(not at end)");
	else
		buf_printf(out, "!%zu", (size_t)(p - c->in));
}

/* test_rows - the table above */
static void
test_rows(void)
{
	struct buf b = BUF_INIT;
	size_t k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		buf_init(&b);
		tokens(&cases[k], &b);
		is_str(b.data, cases[k].want, "%s", cases[k].label);
		buf_free(&b);
	}
}

/* test_pointers - names and values point into the input, trimmed */
static void
test_pointers(void)
{
	static const char in[] = " ab = c d ;";
	const char *p = in;
	struct taglist_tag t;

	is_int(taglist_next(&p, in + strlen(in), &t), 1, "one tag");
	ok(t.name == in + 1 && t.nlen == 2, "name points at \"ab\"");
	ok(t.val == in + 6 && t.vlen == 3, "value points at \"c d\"");
	ok(p == in + strlen(in), "past the ';'");
	ok(taglist_is_wsp('\r') && taglist_is_wsp('\n') && taglist_is_wsp(' ') &&
	    taglist_is_wsp('\t') && !taglist_is_wsp('x') && !taglist_is_wsp('\v'),
	    "FWS is SP, HTAB, CR, LF");
}

int
main(void)
{
	test_rows();
	test_pointers();
	return tap_done();
}
