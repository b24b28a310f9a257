/*
 * taglist.c - tag=value lists (RFC 6376 §3.2; RFC 9989 §4.7, §4.8):
 * a lenient cut into tag-specs and the strict RFC 6376 tokenizer over it
 */
#include "config.h"

#include <stddef.h>

#include "taglist.h"

/* taglist_is_wsp - see taglist.h */
int
taglist_is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_space - white space of kind sp */
static int
is_space(enum taglist_space sp, int c)
{
	return sp == TAGLIST_WSP ? c == ' ' || c == '\t' : taglist_is_wsp(c);
}

/* skip_space - pointer past the white space of kind sp at p */
static const char *
skip_space(enum taglist_space sp, const char *p, const char *end)
{
	while (p < end && is_space(sp, (unsigned char)*p))
		p++;
	return p;
}

/* trim_end - length of s[0, n) without trailing white space of kind sp */
static size_t
trim_end(enum taglist_space sp, const char *s, size_t n)
{
	while (n > 0 && is_space(sp, (unsigned char)s[n - 1]))
		n--;
	return n;
}

/*
 * taglist_cut - see taglist.h:
 *   tag-list = tag-spec *( ";" tag-spec ) [ ";" ]
 *   tag-spec = [FWS] tag-name [FWS] "=" [FWS] tag-value [FWS]
 * with anything accepted as name and value.
 */
int
taglist_cut(const char **pp, const char *end, enum taglist_space sp, struct taglist_tag *t)
{
	const char *p = skip_space(sp, *pp, end), *eq = NULL, *e;

	if (p == end) {
		*pp = p;
		return 0;
	}
	for (e = p; e < end && *e != ';'; e++)
		if (*e == '=' && eq == NULL)
			eq = e;
	t->name = p;
	t->nlen = trim_end(sp, p, (size_t)((eq ? eq : e) - p));
	t->has_eq = eq != NULL;
	t->val = eq ? skip_space(sp, eq + 1, e) : e;
	t->vlen = trim_end(sp, t->val, (size_t)(e - t->val));
	*pp = e < end ? e + 1 : e;	/* past the ';' */
	return 1;
}

/* is_alpha - ALPHA */
static int
is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* is_alnumpunc - ALNUMPUNC = ALPHA / DIGIT / "_" (RFC 6376 §3.2) */
static int
is_alnumpunc(int c)
{
	return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}

/* is_valchar - VALCHAR = %x21-3A / %x3C-7E (RFC 6376 §3.2) */
static int
is_valchar(int c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

/*
 * spec_error - the first byte of t that breaks RFC 6376 §3.2, NULL when
 * it is a tag-spec:
 *   tag-name = ALPHA *ALNUMPUNC
 *   tag-value = [ tval *( 1*(WSP / FWS) tval ) ]	tval = 1*VALCHAR
 */
static const char *
spec_error(const struct taglist_tag *t, const char *end)
{
	const char *q = t->name, *nend = t->name + t->nlen;
	size_t i;

	if (t->nlen == 0 || !is_alpha((unsigned char)*q))
		return q;
	for (q++; q < nend && is_alnumpunc((unsigned char)*q); q++)
		;
	if (q != nend || !t->has_eq)
		return skip_space(TAGLIST_FWS, q, end);	/* where "=" should be */
	for (i = 0; i < t->vlen; i++)
		if (!is_valchar((unsigned char)t->val[i]) && !taglist_is_wsp((unsigned char)t->val[i]))
			return t->val + i;
	return NULL;
}

/* taglist_next - see taglist.h */
int
taglist_next(const char **pp, const char *end, struct taglist_tag *t)
{
	const char *bad;
	int rc = taglist_cut(pp, end, TAGLIST_FWS, t);

	if (rc == 1 && (bad = spec_error(t, end)) != NULL) {
		*pp = bad;
		return -1;
	}
	return rc;
}
