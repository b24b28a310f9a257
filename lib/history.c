/*
 * history.c - history records: the one writer and the one parser
 *
 * The format is OpenDMARC's (opendmarc.c mlfi_eom writes it, and
 * reports/opendmarc-import reads it: "keyword value [rest]" lines, a record
 * starts at "job", unknown keywords are ignored).  We write, in order:
 *
 *   job reporter received ipaddr from mfrom dkim* spf spf_scope pdomain
 *   policy rua* pct adkim aspf p sp fo align_dkim align_spf arc arc_policy
 *   [helo discovery np testing override country asn asorg] action
 *
 * spf_scope and fo are OpenDMARC develop keywords, written only when known
 * (HistoryExtensions no leaves them and the bracketed ones unset, so that
 * OpenDMARC 1.4.2's opendmarc-import meets no keyword it does not know, and
 * warns about none); arc and arc_policy are
 * written as OpenDMARC 1.4.2 writes them when no ARC chain was evaluated
 * ("arc 7", "arc_policy 2 json:[]"), because its MySQL schema has them NOT
 * NULL.  Our additions come before "action", so "action" stays the last
 * line of every record: a record without it was torn by a crash.
 * The appender and the file reader live in history_io.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "history.h"

/* history_rec_new - see history.h */
struct history_rec *
history_rec_new(void)
{
	struct history_rec *r = xcalloc(1, sizeof(*r));

	r->spf = HISTORY_ARES_UNDEFINED;
	r->spf_scope = HISTORY_SCOPE_UNKNOWN;
	r->policy = HISTORY_POLICY_ABSENT;
	r->action = HISTORY_ACTION_ACCEPT;
	r->arc = HISTORY_ARES_FAIL;
	r->arc_policy = 2;
	return r;
}

/* history_rec_free - release a record and everything in it */
void
history_rec_free(struct history_rec *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->job);
	free(r->reporter);
	free(r->ipaddr);
	free(r->from);
	free(r->mfrom);
	for (i = 0; i < r->ndkim; i++) {
		free(r->dkim[i].domain);
		free(r->dkim[i].selector);
	}
	free(r->dkim);
	free(r->pdomain);
	for (i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	free(r->rua);
	free(r->helo);
	free(r->discovery);
	free(r->override);
	free(r->country);
	free(r->asorg);
	free(r);
}

/* history_rec_set - see history.h */
void
history_rec_set(char **field, const char *s)
{
	free(*field);
	*field = s ? xstrdup(s) : NULL;
}

/* history_rec_add_dkim - see history.h */
void
history_rec_add_dkim(struct history_rec *r, const char *domain, const char *selector, int result)
{
	struct history_dkim *d;

	r->dkim = xrealloc(r->dkim, (r->ndkim + 1) * sizeof(*r->dkim));
	d = &r->dkim[r->ndkim++];
	d->domain = xstrdup(domain ? domain : "");
	d->selector = selector ? xstrdup(selector) : NULL;
	d->result = result;
}

/* history_rec_add_rua - see history.h */
void
history_rec_add_rua(struct history_rec *r, const char *uri)
{
	if (uri == NULL || *uri == '\0')
		return;
	r->rua = xrealloc(r->rua, (r->nrua + 1) * sizeof(*r->rua));
	r->rua[r->nrua++] = xstrdup(uri);
}

/* str_eq - NULL and "" are the same value (both are written empty) */
static int
str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* history_rec_equal - see history.h */
int
history_rec_equal(const struct history_rec *a, const struct history_rec *b)
{
	size_t i;

	if (!str_eq(a->job, b->job) || !str_eq(a->reporter, b->reporter) ||
	    a->received != b->received || !str_eq(a->ipaddr, b->ipaddr) ||
	    !str_eq(a->from, b->from) || !str_eq(a->mfrom, b->mfrom) ||
	    a->ndkim != b->ndkim || a->spf != b->spf || a->spf_scope != b->spf_scope ||
	    !str_eq(a->pdomain, b->pdomain) || a->policy != b->policy || a->nrua != b->nrua ||
	    a->pct != b->pct || a->adkim != b->adkim || a->aspf != b->aspf || a->p != b->p ||
	    a->sp != b->sp || a->fo != b->fo || a->align_dkim != b->align_dkim ||
	    a->align_spf != b->align_spf || a->arc != b->arc || a->arc_policy != b->arc_policy ||
	    a->action != b->action)
		return 0;
	for (i = 0; i < a->ndkim; i++)
		if (!str_eq(a->dkim[i].domain, b->dkim[i].domain) ||
		    !str_eq(a->dkim[i].selector, b->dkim[i].selector) ||
		    a->dkim[i].result != b->dkim[i].result)
			return 0;
	for (i = 0; i < a->nrua; i++)
		if (!str_eq(a->rua[i], b->rua[i]))
			return 0;
	return str_eq(a->helo, b->helo) && str_eq(a->discovery, b->discovery) &&
	    a->np == b->np && a->testing == b->testing && str_eq(a->override, b->override) &&
	    str_eq(a->country, b->country) && a->asn == b->asn && str_eq(a->asorg, b->asorg);
}

static const struct {
	const char     *word;
	int		code;
} ares_words[] = {
	{ "pass", HISTORY_ARES_PASS }, { "softfail", HISTORY_ARES_SOFTFAIL },
	{ "neutral", HISTORY_ARES_NEUTRAL }, { "temperror", HISTORY_ARES_TEMPERROR },
	{ "permerror", HISTORY_ARES_PERMERROR }, { "none", HISTORY_ARES_NONE },
	{ "fail", HISTORY_ARES_FAIL }, { "policy", HISTORY_ARES_POLICY },
	{ "hardfail", HISTORY_ARES_FAIL },	/* RFC 8601 section 2.7.2: legacy */
	{ "nxdomain", 9 }, { "signed", 10 }, { "unknown", 11 }, { "discard", 12 },
};

/* history_ares_code - see history.h */
int
history_ares_code(const char *word)
{
	size_t i;

	for (i = 0; word && i < sizeof(ares_words) / sizeof(ares_words[0]); i++)
		if (strcasecmp(word, ares_words[i].word) == 0)
			return ares_words[i].code;
	return HISTORY_ARES_UNDEFINED;
}

/* history_ares_word - see history.h */
const char *
history_ares_word(int code)
{
	size_t i;

	for (i = 0; i < sizeof(ares_words) / sizeof(ares_words[0]); i++)
		if (ares_words[i].code == code)
			return ares_words[i].word;
	return "none";
}

/* put_value - append s escaped: bytes <= 0x20, 0x7f and backslash as \xHH */
static void
put_value(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			buf_printf(out, "\\x%02x", *p);
		else
			buf_addc(out, *p);
	}
}

/* put_dashed - a value where "-" means absent: a literal "-" is escaped */
static void
put_dashed(struct buf *out, const char *s)
{
	if (s == NULL || *s == '\0')
		buf_addc(out, '-');
	else if (strcmp(s, "-") == 0)
		buf_adds(out, "\\x2d");
	else
		put_value(out, s);
}

/* put_line - "keyword value\n" */
static void
put_line(struct buf *out, const char *kw, const char *value)
{
	buf_adds(out, kw);
	buf_addc(out, ' ');
	put_value(out, value);
	buf_addc(out, '\n');
}

/* put_ext - one of our additions, written only when set */
static void
put_ext(struct buf *out, const struct history_rec *r)
{
	if (r->helo && *r->helo)
		put_line(out, "helo", r->helo);
	if (r->discovery && *r->discovery)
		put_line(out, "discovery", r->discovery);
	if (r->np)
		buf_printf(out, "np %d\n", r->np);
	if (r->testing)
		buf_printf(out, "testing %d\n", r->testing);
	if (r->override && *r->override)
		put_line(out, "override", r->override);
	if (r->country && *r->country)
		put_line(out, "country", r->country);
	if (r->asn)
		buf_printf(out, "asn %ld\n", r->asn);
	if (r->asorg && *r->asorg)
		put_line(out, "asorg", r->asorg);
}

/* history_format - see history.h */
void
history_format(const struct history_rec *r, struct buf *out)
{
	size_t i;

	put_line(out, "job", r->job && *r->job ? r->job : "NOJOBID");
	put_line(out, "reporter", r->reporter);
	buf_printf(out, "received %lld\n", r->received);
	put_line(out, "ipaddr", r->ipaddr);
	put_line(out, "from", r->from);
	put_line(out, "mfrom", r->mfrom);
	for (i = 0; i < r->ndkim; i++) {
		buf_adds(out, "dkim ");
		put_value(out, r->dkim[i].domain);
		buf_addc(out, ' ');
		put_dashed(out, r->dkim[i].selector);
		buf_printf(out, " %d\n", r->dkim[i].result);
	}
	buf_printf(out, "spf %d\n", r->spf);
	if (r->spf_scope != HISTORY_SCOPE_UNKNOWN)	/* unknown is the default */
		buf_printf(out, "spf_scope %d\n", r->spf_scope);
	put_line(out, "pdomain", r->pdomain);
	buf_printf(out, "policy %d\n", r->policy);
	for (i = 0; i < r->nrua; i++) {
		buf_adds(out, "rua ");
		put_dashed(out, r->rua[i]);
		buf_addc(out, '\n');
	}
	if (r->nrua == 0)
		buf_adds(out, "rua -\n");
	buf_printf(out, "pct %d\nadkim %d\naspf %d\np %d\nsp %d\n",
	    r->pct, r->adkim, r->aspf, r->p, r->sp);
	if (r->fo)
		buf_printf(out, "fo %u\n", r->fo);
	buf_printf(out, "align_dkim %d\nalign_spf %d\n", r->align_dkim, r->align_spf);
	buf_printf(out, "arc %d\narc_policy %d json:[]\n", r->arc, r->arc_policy);
	put_ext(out, r);
	buf_printf(out, "action %d\n", r->action);
}

/* the parser */

struct line {
	const char     *kw;		/* keyword */
	size_t		kwlen;
	const char     *val;		/* everything after the first space */
	size_t		vallen;
};

/* why_set - fill the caller's reason buffer */
static int
why_set(char *why, size_t whylen, const char *msg, const struct line *l)
{
	if (whylen)
		snprintf(why, whylen, "%s%s%.*s", msg, l ? " in line " : "",
		    l ? (int)(l->kwlen > 40 ? 40 : l->kwlen) : 0, l ? l->kw : "");
	return -1;
}

/* unescape - decode \xHH; NULL when the value holds \x00 or a raw NUL */
static char *
unescape(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	size_t i;
	int v;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0')
			goto bad;
		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' &&
		    (v = hex_byte(s + i + 2, n - i - 2)) >= 0) {
			if (v == 0)
				goto bad;
			*o++ = (char)v;
			i += 3;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* parse_int - a whole decimal value (optionally signed) into *out */
static int
parse_int(const char *s, size_t n, long long lo, long long hi, long long *out)
{
	char tmp[32], *end;

	if (n == 0 || n >= sizeof(tmp) || memchr(s, '\0', n) != NULL)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	errno = 0;
	*out = strtoll(tmp, &end, 10);
	if (errno || *end || end == tmp || *out < lo || *out > hi)
		return -1;
	return 0;
}

/* next_word - split the first space-separated word off the front of s, n */
static void
next_word(const char **s, size_t *n, const char **w, size_t *wlen)
{
	size_t i = 0;

	while (i < *n && (*s)[i] == ' ')
		i++;
	*w = *s + i;
	while (i < *n && (*s)[i] != ' ')
		i++;
	*wlen = (size_t)(*s + i - *w);
	*s += i;
	*n -= i;
}

/* parse_dkim - "dkim d s result" (OpenDMARC 1.4) or "dkim d result" (1.3) */
static int
parse_dkim(struct history_rec *r, const struct line *l)
{
	const char *s = l->val, *w[3];
	size_t n = l->vallen, wl[3], k;
	long long res;
	char *d, *sel = NULL;

	for (k = 0; k < 3; k++)
		next_word(&s, &n, &w[k], &wl[k]);
	if (wl[2] == 0) {	/* two words: no selector */
		w[2] = w[1];
		wl[2] = wl[1];
		wl[1] = 0;
	}
	if (wl[0] == 0 || parse_int(w[2], wl[2], -1, 255, &res) != 0)
		return -1;
	if ((d = unescape(w[0], wl[0])) == NULL)
		return -1;
	if (wl[1] && !(wl[1] == 1 && w[1][0] == '-') && (sel = unescape(w[1], wl[1])) == NULL) {
		free(d);
		return -1;
	}
	r->dkim = xrealloc(r->dkim, (r->ndkim + 1) * sizeof(*r->dkim));
	r->dkim[r->ndkim].domain = d;
	r->dkim[r->ndkim].selector = sel;
	r->dkim[r->ndkim++].result = (int)res;
	return 0;
}

enum kwtype { KW_STR, KW_INT, KW_LONG, KW_LEADINT };

#define R(f) offsetof(struct history_rec, f)
static const struct kwdef {
	const char     *kw;
	enum kwtype	type;
	size_t		off;
	long long	lo, hi;
} kwdefs[] = {
	{ "reporter", KW_STR, R(reporter), 0, 0 },
	{ "received", KW_LONG, R(received), -1, 1LL << 40 },
	{ "ipaddr", KW_STR, R(ipaddr), 0, 0 },
	{ "from", KW_STR, R(from), 0, 0 },
	{ "mfrom", KW_STR, R(mfrom), 0, 0 },
	{ "spf", KW_INT, R(spf), -1, 255 },
	{ "spf_scope", KW_INT, R(spf_scope), -1, 255 },
	{ "pdomain", KW_STR, R(pdomain), 0, 0 },
	{ "policy", KW_INT, R(policy), 0, 255 },
	{ "pct", KW_INT, R(pct), -1, 100 },
	{ "adkim", KW_INT, R(adkim), 0, 255 },
	{ "aspf", KW_INT, R(aspf), 0, 255 },
	{ "p", KW_INT, R(p), 0, 255 },
	{ "sp", KW_INT, R(sp), 0, 255 },
	{ "fo", KW_INT, R(fo), 0, 255 },
	{ "align_dkim", KW_INT, R(align_dkim), 0, 255 },
	{ "align_spf", KW_INT, R(align_spf), 0, 255 },
	{ "arc", KW_INT, R(arc), -1, 255 },
	{ "arc_policy", KW_LEADINT, R(arc_policy), -1, 255 },
	{ "action", KW_INT, R(action), 0, 255 },
	{ "helo", KW_STR, R(helo), 0, 0 },
	{ "discovery", KW_STR, R(discovery), 0, 0 },
	{ "np", KW_INT, R(np), 0, 255 },
	{ "testing", KW_INT, R(testing), 0, 1 },
	{ "override", KW_STR, R(override), 0, 0 },
	{ "country", KW_STR, R(country), 0, 0 },
	{ "asn", KW_LONG, R(asn), 0, 4294967295LL },
	{ "asorg", KW_STR, R(asorg), 0, 0 },
};
#undef R

/* set_field - store one keyword's value per its kwdefs row */
static int
set_field(struct history_rec *r, const struct kwdef *k, const struct line *l)
{
	char *p = (char *)r + k->off, *s;
	const char *v = l->val, *w;
	size_t n = l->vallen, wl;
	long long x;

	switch (k->type) {
	case KW_STR:
		if ((s = unescape(v, n)) == NULL)
			return -1;
		free(*(char **)(void *)p);
		*(char **)(void *)p = *s ? s : NULL;
		if (*s == '\0')
			free(s);
		return 0;
	case KW_LEADINT:
		next_word(&v, &n, &w, &wl);
		v = w;
		n = wl;
		/* FALLTHROUGH */
	case KW_INT:
		if (parse_int(v, n, k->lo, k->hi, &x) != 0)
			return -1;
		*(int *)(void *)p = (int)x;
		return 0;
	case KW_LONG:
		if (parse_int(v, n, k->lo, k->hi, &x) != 0)
			return -1;
		if (k->off == offsetof(struct history_rec, asn))
			r->asn = (long)x;
		else
			r->received = x;
		return 0;
	}
	return -1;
}

/* apply_line - one keyword line into r; unknown keywords are ignored */
static int
apply_line(struct history_rec *r, const struct line *l)
{
	size_t i;
	char *s;

	if (l->kwlen == 3 && memcmp(l->kw, "job", 3) == 0) {
		free(r->job);
		r->job = NULL;
		/* no queue id: empty or OpenDMARC's NOJOBID, both written NOJOBID */
		if (l->vallen == 0 || (l->vallen == 7 && memcmp(l->val, "NOJOBID", 7) == 0))
			return 0;
		if ((s = unescape(l->val, l->vallen)) == NULL)
			return -1;
		r->job = s;
		return 0;
	}
	if (l->kwlen == 4 && memcmp(l->kw, "dkim", 4) == 0)
		return parse_dkim(r, l);
	if (l->kwlen == 3 && memcmp(l->kw, "rua", 3) == 0) {
		if (l->vallen == 0 || (l->vallen == 1 && l->val[0] == '-'))
			return 0;	/* none ("rua -", or nothing) */
		if ((s = unescape(l->val, l->vallen)) == NULL)
			return -1;
		r->rua = xrealloc(r->rua, (r->nrua + 1) * sizeof(*r->rua));
		r->rua[r->nrua++] = s;
		return 0;
	}
	for (i = 0; i < sizeof(kwdefs) / sizeof(kwdefs[0]); i++)
		if (strlen(kwdefs[i].kw) == l->kwlen && memcmp(kwdefs[i].kw, l->kw, l->kwlen) == 0)
			return set_field(r, &kwdefs[i], l);
	return 0;
}

/* split_line - keyword and value of the line [s, s+n) (LF excluded) */
static void
split_line(const char *s, size_t n, struct line *l)
{
	const char *sp;

	if (n && s[n - 1] == '\r')
		n--;
	sp = memchr(s, ' ', n);
	l->kw = s;
	l->kwlen = sp ? (size_t)(sp - s) : n;
	l->val = sp ? sp + 1 : s + n;
	l->vallen = sp ? n - l->kwlen - 1 : 0;
}

/* is_job - does the line at s (n bytes available) start a record? */
static int
is_job(const char *s, size_t n)
{
	return n >= 3 && memcmp(s, "job", 3) == 0 &&
	    (n == 3 || s[3] == ' ' || s[3] == '\n' || s[3] == '\r');
}

/* find_job - offset of the first line at or after off that is a job line
 * (a last line without LF counts when it reads "job "), len when none */
static size_t
find_job(const char *text, size_t len, size_t off)
{
	const char *nl;

	while (off < len) {
		nl = memchr(text + off, '\n', len - off);
		if (is_job(text + off, (nl ? (size_t)(nl - text) : len) - off))
			return off;
		if (nl == NULL)
			break;
		off = (size_t)(nl - text) + 1;
	}
	return len;
}

/* parse_lines - the record in text[start, end) (whole lines); NULL, with
 * why set, when a value is bad or no action line ends it (torn) */
static struct history_rec *
parse_lines(const char *text, size_t start, size_t end, char *why, size_t whylen)
{
	struct history_rec *r = history_rec_new();
	int bad = 0, seen_action = 0;
	const char *nl;
	struct line l;
	size_t off, n;

	r->action = -1;
	for (off = start; off < end; off += n + 1) {
		nl = memchr(text + off, '\n', end - off);
		n = (size_t)(nl - (text + off));
		if (n == 0 || (n == 1 && text[off] == '\r'))
			continue;	/* blank lines (after a torn write) */
		split_line(text + off, n, &l);
		if (apply_line(r, &l) != 0 && !bad) {
			bad = 1;
			why_set(why, whylen, "bad value", &l);
		}
		if (l.kwlen == 6 && memcmp(l.kw, "action", 6) == 0)
			seen_action = 1;
	}
	if (!bad && !seen_action) {
		bad = 1;
		why_set(why, whylen, "torn record: no action line", NULL);
	}
	if (bad) {
		history_rec_free(r);
		return NULL;
	}
	return r;
}

/* history_parse - see history.h */
int
history_parse(const char *text, size_t len, int last_ok, size_t *consumed,
    struct history_rec **out, char *why, size_t whylen)
{
	size_t start, end, lim;
	const char *nl;

	*out = NULL;
	if (whylen)
		why[0] = '\0';
	/* only complete lines count; a last partial line is torn or unread */
	for (lim = len; lim > 0 && text[lim - 1] != '\n'; lim--)
		;
	start = find_job(text, lim, 0);
	if (start == lim) {
		*consumed = last_ok ? len : lim;
		if (last_ok && lim < len)
			return why_set(why, whylen, "torn record: last line has no LF", NULL);
		return 0;
	}
	nl = memchr(text + start, '\n', lim - start);
	end = find_job(text, last_ok ? lim : len, (size_t)(nl - text) + 1);
	if (end >= lim && !last_ok) {
		*consumed = start;
		return 0;
	}
	*consumed = end;
	/* a partial last line is this record's torn tail, unless it may be
	 * the start of the next record's job line */
	if (last_ok && end == lim && lim < len &&
	    memcmp(text + lim, "job ", len - lim < 4 ? len - lim : 4) != 0) {
		*consumed = len;
		return why_set(why, whylen, "torn record: last line has no LF", NULL);
	}
	return (*out = parse_lines(text, start, end, why, whylen)) != NULL ? 1 : -1;
}
