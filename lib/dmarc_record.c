/*
 * dmarc_record.c - the DMARC Policy Record parser (RFC 9989 sections 4.7, 4.8)
 *
 * Pure: a TXT record (character-strings already joined, section 4.5) in,
 * a struct dmarc_record and a status out.  libopendmarc 1.4.2's parser is
 * not used here: it accepts v= anywhere, prefixes such as "p=r", rejects
 * records without p= and knows neither np=, psd= nor t=, all of which
 * RFC 9989 defines differently.  t/test_dmarc.c checks both parsers agree
 * on well-formed records.  The tag-list is cut by taglist.c (RFC 9989
 * section 4.7: the DKIM tag-value syntax); the DMARC rules (v= first,
 * case, unknown and malformed tags ignored) are here.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "taglist.h"

#define REC_MAXTAGS 32

/* rec_wsp - WSP (RFC 5234): the only white space the record grammar allows */
static int
rec_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* rec_trim - strip WSP around s[*from, *to) */
static void
rec_trim(const char *s, size_t *from, size_t *to)
{
	while (*from < *to && rec_wsp(s[*from]))
		(*from)++;
	while (*to > *from && rec_wsp(s[*to - 1]))
		(*to)--;
}

/* rec_request - dmarc-request: "none" / "quarantine" / "reject" (section 4.8) */
static enum dmarc_policy
rec_request(const char *v)
{
	if (strcasecmp(v, "none") == 0)
		return DMARC_POLICY_NONE;
	if (strcasecmp(v, "quarantine") == 0)
		return DMARC_POLICY_QUARANTINE;
	if (strcasecmp(v, "reject") == 0)
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* rec_uri_ok - an RFC 3986 URI as far as DMARC cares: scheme ":" something */
static int
rec_uri_ok(const char *u)
{
	const char *k;

	if (!isalpha((unsigned char)u[0]))
		return 0;
	for (k = u + 1; isalnum((unsigned char)*k) || *k == '+' || *k == '-' || *k == '.'; k++)
		;
	if (*k != ':' || k[1] == '\0')
		return 0;
	for (; *k; k++)
		if ((unsigned char)*k <= 0x20 || (unsigned char)*k >= 0x7f)
			return 0;
	return 1;
}

/* rec_urilist - dmarc-urilist: keep the valid URIs, verbatim (section 4.8) */
static void
rec_urilist(const char *v, struct strlist *out)
{
	size_t from = 0, to, len = strlen(v);
	char *u;

	while (from <= len) {
		for (to = from; to < len && v[to] != ','; to++)
			;
		{
			size_t a = from, b = to;

			rec_trim(v, &a, &b);
			u = xstrndup(v + a, b - a);
			if (rec_uri_ok(u))
				strlist_add(out, u);
			free(u);
		}
		from = to + 1;
	}
}

/* rec_fo - dmarc-fo: colon-separated 0 1 d s; 0 on a syntax error */
static unsigned
rec_fo(const char *v)
{
	unsigned bits = 0;
	const char *k = v;

	for (;;) {
		while (rec_wsp(*k))
			k++;
		switch (*k) {
		case '0': bits |= DMARC_FO_0; break;
		case '1': bits |= DMARC_FO_1; break;
		case 'd': case 'D': bits |= DMARC_FO_D; break;
		case 's': case 'S': bits |= DMARC_FO_S; break;
		default: return 0;
		}
		for (k++; rec_wsp(*k); k++)
			;
		if (*k == '\0')
			break;
		if (*k++ != ':')
			return 0;
	}
	if ((bits & DMARC_FO_0) && (bits & DMARC_FO_1))
		return 0;	/* "0" and "1" are mutually exclusive */
	return bits;
}

/* rec_pct - 0-100 in digits; -1 when malformed */
static int
rec_pct(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > 3 || strspn(v, "0123456789") != n || atoi(v) > 100)
		return -1;
	return atoi(v);
}

/* rec_tag - apply one known tag; unknown tags are ignored (section 4.7) */
static void
rec_tag(struct dmarc_record *r, const char *name, const char *v)
{
	int n;

	if (strcasecmp(name, "p") == 0) {
		r->p = rec_request(v);
		r->p_bad = r->p == DMARC_POLICY_UNSET;
	} else if (strcasecmp(name, "sp") == 0) {
		r->sp = rec_request(v);
		r->sp_bad = r->sp == DMARC_POLICY_UNSET;
	} else if (strcasecmp(name, "np") == 0) {
		r->np = rec_request(v);
		r->np_bad = r->np == DMARC_POLICY_UNSET;
	} else if (strcasecmp(name, "adkim") == 0 || strcasecmp(name, "aspf") == 0) {
		/* section 4.8: syntax errors fall back to the default "r" */
		char c = (char)tolower((unsigned char)v[0]);

		if (v[1] == '\0' && (c == 'r' || c == 's'))
			*(tolower((unsigned char)name[1]) == 'd' ? &r->adkim : &r->aspf) = c;
	} else if (strcasecmp(name, "t") == 0) {
		if (strcasecmp(v, "y") == 0 || strcasecmp(v, "n") == 0)
			r->testing = tolower((unsigned char)v[0]) == 'y';
	} else if (strcasecmp(name, "psd") == 0) {
		if (v[1] == '\0' && strchr("ynuYNU", v[0]) != NULL)
			r->psd = (char)tolower((unsigned char)v[0]);
	} else if (strcasecmp(name, "pct") == 0) {
		if ((n = rec_pct(v)) >= 0) {
			r->pct = n;
			r->pct_set = 1;
		}
	} else if (strcasecmp(name, "fo") == 0) {
		if ((n = (int)rec_fo(v)) != 0)
			r->fo = (unsigned)n;
	} else if (strcasecmp(name, "rua") == 0)
		rec_urilist(v, &r->rua);
	else if (strcasecmp(name, "ruf") == 0)
		rec_urilist(v, &r->ruf);
}

/* rec_init - a record with every default */
static void
rec_init(struct dmarc_record *r)
{
	memset(r, 0, sizeof(*r));
	r->adkim = r->aspf = 'r';
	r->psd = 'u';
	r->pct = 100;
	r->fo = DMARC_FO_0;
}

/* the tag names seen so far, for the duplicate rule */
struct rec_seen {
	char		names[REC_MAXTAGS][16];
	size_t		n;
	int		dup;
};

/* rec_is_tagname - dmarc-tag = 1*ALPHA equals 1*dmarc-value (section 4.8) */
static int
rec_is_tagname(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && n < sizeof(((struct rec_seen *)0)->names[0]) &&
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == n;
}

/* rec_apply - one tag=value after v=; names that are not 1*ALPHA are
 * ignored, a name seen before is noted (RFC 6376 section 3.2) */
static void
rec_apply(struct dmarc_record *out, struct rec_seen *seen, const char *name, const char *value,
    char *why, size_t whylen)
{
	size_t k;

	if (!rec_is_tagname(name))
		return;
	for (k = 0; k < seen->n; k++)
		if (strcasecmp(seen->names[k], name) == 0 && !seen->dup) {
			seen->dup = 1;
			if (why != NULL && whylen > 0)
				snprintf(why, whylen, "duplicate tag %s=", name);
		}
	if (seen->n < REC_MAXTAGS)
		snprintf(seen->names[seen->n++], sizeof(seen->names[0]), "%s", name);
	if (value[0] == '\0') {
		if (strcasecmp(name, "p") == 0 || strcasecmp(name, "sp") == 0 ||
		    strcasecmp(name, "np") == 0)
			rec_tag(out, name, "?");	/* present but invalid */
	} else if (seen->n > 1)
		rec_tag(out, name, value);	/* not the v= tag itself */
}

/* rec_version - the first tag-spec is v=DMARC1, value case-sensitive (4.7) */
static int
rec_version(const struct taglist_tag *t)
{
	char *name = xstrndup(t->name, t->nlen), *value = xstrndup(t->val, t->vlen);
	int ok = t->has_eq && strcmp(name, "v") == 0 && strcmp(value, "DMARC1") == 0;

	free(name);
	free(value);
	return ok;
}

/* dmarc_record_parse - see dmarc.h; tag-specs cut by taglist.c with WSP
 * around "=" and ";" (dmarc-sep, equals: section 4.8) */
enum dmarc_rec_status
dmarc_record_parse(const char *s, size_t len, struct dmarc_record *out, char *why, size_t whylen)
{
	const char *p = s, *end = s + len;
	struct rec_seen seen;
	struct taglist_tag t;
	char *name, *value;

	rec_init(out);
	memset(&seen, 0, sizeof(seen));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (taglist_cut(&p, end, TAGLIST_WSP, &t) == 0 || !rec_version(&t)) {
		if (why != NULL && whylen > 0)
			snprintf(why, whylen, "does not start with v=DMARC1");
		return DMARC_REC_NOT_DMARC;
	}
	rec_apply(out, &seen, "v", "DMARC1", why, whylen);
	while (taglist_cut(&p, end, TAGLIST_WSP, &t) == 1) {
		if (!t.has_eq)
			continue;	/* an empty spec (";;") or no "=": ignored */
		name = xstrndup(t.name, t.nlen);
		value = xstrndup(t.val, t.vlen);
		rec_apply(out, &seen, name, value, why, whylen);
		free(name);
		free(value);
	}
	if (seen.dup) {
		dmarc_record_free(out);
		rec_init(out);
		return DMARC_REC_INVALID;
	}
	return DMARC_REC_OK;
}

/* dmarc_record_free - release the URI lists; r stays usable (empty) */
void
dmarc_record_free(struct dmarc_record *r)
{
	if (r == NULL)
		return;
	strlist_free(&r->rua);
	strlist_free(&r->ruf);
}
