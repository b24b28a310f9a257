/*
 * dkim_tag.c - the DKIM rules on top of the tag-list tokenizer (taglist.c):
 * base64string and the syntax check of a DKIM-Signature field
 *
 * libopendkim 2.11 accepts a signature whose tag-list names a tag twice
 * (it keeps one of the values) or whose b=/bh= carries characters outside
 * base64 (it decodes around them), so such a signature could verify; RFC
 * 6376 makes both invalid (PERMFAIL).  The verifier runs this check first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dkim_tag.h"
#include "taglist.h"

/* is_b64char - ALPHADIGITPS = ALPHA / DIGIT / "+" / "/" */
static int
is_b64char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c == '+' || c == '/';
}

/* dkim_tag_base64 - RFC 6376 §2.4 base64string; FWS may sit anywhere */
int
dkim_tag_base64(const char *v, size_t vlen)
{
	size_t i, chars = 0, pad = 0;

	for (i = 0; i < vlen; i++) {
		int c = (unsigned char)v[i];

		if (taglist_is_wsp(c))
			continue;
		if (c == '=') {
			if (chars == 0 || ++pad > 2)
				return 0;
		} else if (!is_b64char(c) || pad > 0)
			return 0;
		else
			chars++;
	}
	return chars > 0;
}

/* name_cmp - qsort order of tag names (length, then bytes) */
static int
name_cmp(const void *a, const void *b)
{
	const struct taglist_tag *x = a, *y = b;

	if (x->nlen != y->nlen)
		return x->nlen < y->nlen ? -1 : 1;
	return memcmp(x->name, y->name, x->nlen);
}

/* dkim_tag_sig_check - see dkim_tag.h; sorting the names keeps a field of
 * any number of tags linear-logarithmic instead of quadratic */
int
dkim_tag_sig_check(const char *s, size_t len, char *why, size_t whylen)
{
	const char *p = s, *end = s + len;
	struct taglist_tag t, *tags = NULL;
	size_t n = 0, cap = 0, i;
	int rc, ret = -1;

	while ((rc = taglist_next(&p, end, &t)) == 1) {
		if ((t.nlen == 1 && t.name[0] == 'b') || (t.nlen == 2 && memcmp(t.name, "bh", 2) == 0)) {
			if (!dkim_tag_base64(t.val, t.vlen)) {
				snprintf(why, whylen, "%.*s= is not base64 (RFC 6376 section 2.4)",
				    (int)t.nlen, t.name);
				goto out;
			}
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			tags = xrealloc(tags, cap * sizeof(*tags));
		}
		tags[n++] = t;
	}
	if (rc < 0) {
		snprintf(why, whylen, "tag-list syntax error at offset %zu (RFC 6376 section 3.2)",
		    (size_t)(p - s));
		goto out;
	}
	if (n > 1)
		qsort(tags, n, sizeof(*tags), name_cmp);
	for (i = 1; i < n; i++)
		if (name_cmp(&tags[i - 1], &tags[i]) == 0) {
			/* tag names are ALNUMPUNC: safe to quote, length bounded */
			snprintf(why, whylen, "duplicate tag %.*s= (RFC 6376 section 3.2)",
			    (int)(tags[i].nlen > 32 ? 32 : tags[i].nlen), tags[i].name);
			goto out;
		}
	ret = 0;
out:
	free(tags);
	return ret;
}

/* key_name_value - the value of tag-spec t, white space removed, appended
 * to out at *o; 0, or -1 when it is empty or out is full */
static int
key_name_value(const struct taglist_tag *t, char *out, size_t outlen, size_t *o)
{
	size_t i, start = *o;

	for (i = 0; i < t->vlen; i++) {
		if (taglist_is_wsp((unsigned char)t->val[i]))
			continue;
		if (*o + 1 >= outlen)
			return -1;
		out[(*o)++] = t->val[i];
	}
	out[*o] = '\0';
	return *o > start ? 0 : -1;
}

/* dkim_tag_key_name - see dkim_tag.h: the first s= and d= of the field,
 * cut by the one lenient tag-list cutter (no other tag is checked) */
int
dkim_tag_key_name(const char *s, size_t len, char *out, size_t outlen)
{
	static const char mid[] = "._domainkey.";
	const char *p = s, *end = s + len;
	struct taglist_tag t, sel, dom;
	int have_s = 0, have_d = 0;
	size_t o = 0;

	while (taglist_cut(&p, end, TAGLIST_FWS, &t) == 1) {
		if (!t.has_eq || t.nlen != 1)
			continue;
		if (*t.name == 's' && !have_s)
			sel = t, have_s = 1;
		else if (*t.name == 'd' && !have_d)
			dom = t, have_d = 1;
	}
	if (!have_s || !have_d || outlen == 0 || key_name_value(&sel, out, outlen, &o) != 0 ||
	    o + sizeof(mid) > outlen)
		return -1;
	memcpy(out + o, mid, sizeof(mid));
	o += sizeof(mid) - 1;
	return key_name_value(&dom, out, outlen, &o);
}
