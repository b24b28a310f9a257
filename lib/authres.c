/*
 * authres.c - RFC 8601 Authentication-Results: writing ours, recognising
 * forged ones
 *
 * The writer turns the per-method results of a verdict into one header
 * value.  It decides nothing: which methods ran and what they concluded is
 * the pipeline's business.  Each method becomes a list of parts (the
 * methodspec, a comment, a reasonspec, the propspecs) so the folding can
 * break lines only between parts (RFC 8601 §2.2 allows CFWS there).
 *
 * The reader is the minimum the milter needs to remove forged headers
 * (RFC 8601 §5): the authserv-id, found past comments and white space.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "dns.h"

/* the field name and its colon, for the first line's width */
#define FIELD_NAME_LEN	(sizeof("Authentication-Results:") - 1)

/* is_tspecial - RFC 2045 §5.1 tspecials */
static int
is_tspecial(int c)
{
	return c != '\0' && strchr("()<>@,;:\\\"/[]?=", c) != NULL;
}

/* is_token_char - RFC 2045 token character; 8-bit allowed (RFC 6532) */
static int
is_token_char(int c)
{
	return (c > 0x20 && c < 0x7f && !is_tspecial(c)) || c >= 0x80;
}

/* is_token - s is a non-empty RFC 2045 token */
static int
is_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!is_token_char((unsigned char)*s))
			return 0;
	return 1;
}

/* add_value - append s as RFC 8601 value: a token as is, otherwise a
 * quoted-string (RFC 5322 §3.2.4) with control characters dropped */
static void
add_value(struct buf *b, const char *s)
{
	if (is_token(s)) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '"' || c == '\\')
			buf_addc(b, '\\');
		buf_addc(b, c);
	}
	buf_addc(b, '"');
}

/* add_comment_text - append s as ctext, escaping ( ) \ (RFC 5322 §3.2.2) */
static void
add_comment_text(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			continue;
		if (c == '(' || c == ')' || c == '\\')
			buf_addc(b, '\\');
		buf_addc(b, c);
	}
}

/* one resinfo as the parts between which a line may fold */
struct method {
	struct strlist parts;
};

/* part_kv - append the part "key=value", value quoted when needed */
static void
part_kv(struct method *m, const char *key, const char *value)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_adds(&b, key);
	buf_addc(&b, '=');
	add_value(&b, value);
	strlist_add(&m->parts, b.data);
	buf_free(&b);
}

/* part_comment - append "(text)" when text is not empty */
static void
part_comment(struct method *m, const char *text)
{
	struct buf b = BUF_INIT;

	if (text == NULL || *text == '\0')
		return;
	buf_init(&b);
	buf_addc(&b, '(');
	add_comment_text(&b, text);
	buf_addc(&b, ')');
	strlist_add(&m->parts, b.data);
	buf_free(&b);
}

/* is_set - a string the pipeline filled in */
static int
is_set(const char *s)
{
	return s != NULL && *s != '\0';
}

/* add_spf - spf=result [reason=] smtp.mailfrom= or smtp.helo= (RFC 8601 §2.7.2) */
static void
add_spf(struct method *m, const char *result, const char *reason, const char *ptype,
    const char *domain)
{
	part_kv(m, "spf", result);
	if (is_set(reason) && strcmp(result, "pass") != 0)
		part_kv(m, "reason", reason);
	if (is_set(domain))
		part_kv(m, ptype, domain);
}

/* add_dkim - one signature (RFC 8601 §2.7.1, RFC 6008 header.b) */
static void
add_dkim(struct method *m, const struct verdict_dkim *d)
{
	struct buf c = BUF_INIT;

	part_kv(m, "dkim", is_set(d->result) ? d->result : "none");
	buf_init(&c);
	if (d->bits > 0)
		buf_printf(&c, "%u-bit key", d->bits);
	if (d->dnssec == DNS_SEC_SECURE)
		buf_printf(&c, "%sDNSSEC", c.len ? "; " : "");
	if (d->testing)
		buf_printf(&c, "%stest mode", c.len ? "; " : "");
	if (d->length_limit)
		buf_printf(&c, "%sbody length limit", c.len ? "; " : "");
	part_comment(m, c.data);
	buf_free(&c);
	if (is_set(d->reason) && !(is_set(d->result) && strcmp(d->result, "pass") == 0))
		part_kv(m, "reason", d->reason);
	if (is_set(d->domain))
		part_kv(m, "header.d", d->domain);
	if (is_set(d->selector))
		part_kv(m, "header.s", d->selector);
	if (is_set(d->algorithm))
		part_kv(m, "header.a", d->algorithm);
	if (is_set(d->b_prefix))
		part_kv(m, "header.b", d->b_prefix);
}

/* add_dmarc - dmarc=result (p= dis=) header.from= policy.dmarc= (RFC 9989 §9.1) */
static void
add_dmarc(struct method *m, const struct verdict_results *r)
{
	struct buf c = BUF_INIT;

	part_kv(m, "dmarc", r->dmarc);
	buf_init(&c);
	if (is_set(r->policy))
		buf_printf(&c, "p=%s", r->policy);
	if (is_set(r->disposition))
		buf_printf(&c, "%sdis=%s", c.len ? " " : "", r->disposition);
	part_comment(m, c.data);
	buf_free(&c);
	/* say why only when what we did differs from what was asked */
	if (is_set(r->reason) && is_set(r->disposition) &&
	    !(is_set(r->policy) && strcmp(r->policy, r->disposition) == 0) &&
	    !(!is_set(r->policy) && strcmp(r->disposition, "none") == 0))
		part_kv(m, "reason", r->reason);
	if (is_set(r->dmarc_from))
		part_kv(m, "header.from", r->dmarc_from);
	if (is_set(r->policy) && (strcmp(r->policy, "none") == 0 ||
	    strcmp(r->policy, "quarantine") == 0 || strcmp(r->policy, "reject") == 0))
		part_kv(m, "policy.dmarc", r->policy);
}

/* render - write " id; m1; m2"; fold puts each method on its own line and
 * breaks an over-long method between parts */
static void
render(struct buf *out, const struct buf *id, struct method *ms, size_t n, int fold)
{
	size_t i, j, col;

	buf_addc(out, ' ');
	buf_add(out, id->data, id->len);
	buf_addc(out, ';');
	col = FIELD_NAME_LEN + 2 + id->len;
	if (n == 0) {
		buf_adds(out, " none");
		return;
	}
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_addc(out, ';');
		if (fold) {
			buf_adds(out, "\r\n\t");
			col = 1;
		} else {
			buf_addc(out, ' ');
			col++;
		}
		for (j = 0; j < ms[i].parts.n; j++) {
			size_t len = strlen(ms[i].parts.v[j]);

			if (j > 0 && fold && col + 1 + len > AUTHRES_FOLD) {
				buf_adds(out, "\r\n\t");
				col = 1;
			} else if (j > 0) {
				buf_addc(out, ' ');
				col++;
			}
			buf_add(out, ms[i].parts.v[j], len);
			col += len;
		}
	}
}

/* authres_build - serialise the results as an A-R value (RFC 8601 §2.2) */
void
authres_build(const char *authserv_id, const struct verdict_results *r, struct buf *out)
{
	struct method ms[3 + 64];
	struct buf id = BUF_INIT, line = BUF_INIT;
	size_t n = 0, i;

	memset(ms, 0, sizeof(ms));
	buf_init(&id);
	add_value(&id, is_set(authserv_id) ? authserv_id : "localhost");
	if (is_set(r->spf))
		add_spf(&ms[n++], r->spf, r->spf_reason, "smtp.mailfrom", r->spf_domain);
	if (is_set(r->spf_helo))
		add_spf(&ms[n++], r->spf_helo, NULL, "smtp.helo", r->spf_helo_domain);
	for (i = 0; i < r->ndkim && i < 64; i++)
		add_dkim(&ms[n++], &r->dkim[i]);
	if (is_set(r->dmarc))
		add_dmarc(&ms[n++], r);

	buf_init(&line);
	render(&line, &id, ms, n, 0);
	if (FIELD_NAME_LEN + line.len <= AUTHRES_FOLD)
		buf_add(out, line.data, line.len);
	else
		render(out, &id, ms, n, 1);
	for (i = 0; i < n; i++)
		strlist_free(&ms[i].parts);
	buf_free(&line);
	buf_free(&id);
}

/* --- reading ------------------------------------------------------------- */

/* skip_cfws - pointer past [CFWS] (RFC 5322 §3.2.2), nested comments and
 * quoted-pairs included; NULL when a comment is not closed */
static const char *
skip_cfws(const char *p, const char *end)
{
	size_t depth = 0;

	while (p < end) {
		if (depth > 0 && *p == '\\' && p + 1 < end) {
			p += 2;
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return p;
		p++;
	}
	return depth > 0 ? NULL : p;
}

/* put - append c to out (outlen bytes with the NUL); -1 when full */
static int
put(char *out, size_t outlen, size_t *n, int c)
{
	if (*n + 1 >= outlen)
		return -1;
	out[(*n)++] = (char)c;
	return 0;
}

/* read_value - RFC 2045 value (token / quoted-string) into out; pointer
 * past it, NULL when malformed, empty or too long */
static const char *
read_value(const char *p, const char *end, char *out, size_t outlen)
{
	size_t n = 0;

	if (p < end && *p == '"') {
		for (p++; p < end && *p != '"'; p++) {
			if (*p == '\\' && p + 1 < end)
				p++;
			else if (*p == '\r' || *p == '\n')
				continue;	/* FWS inside the quotes unfolds */
			if (put(out, outlen, &n, *p) < 0)
				return NULL;
		}
		if (p == end)
			return NULL;
		p++;
	} else {
		for (; p < end && is_token_char((unsigned char)*p); p++)
			if (put(out, outlen, &n, *p) < 0)
				return NULL;
	}
	if (n == 0)
		return NULL;
	out[n] = '\0';
	return p;
}

/*
 * authres_authserv_id - RFC 8601 §2.2: authres-header-field =
 * authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ); both
 * no-result and resinfo open with [CFWS] ";", so one must follow.
 */
int
authres_authserv_id(const char *value, size_t len, char *out, size_t outlen)
{
	const char *p = value, *end = value + len, *q;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if ((p = skip_cfws(p, end)) == NULL)
		return -1;
	if ((p = read_value(p, end, out, outlen)) == NULL)
		goto bad;
	if (p + 1 < end && *p == '/' && is_token_char((unsigned char)p[1])) {
		/* "id/QUEUEID" unquoted, as OpenDKIM and OpenDMARC write
		 * AuthservIDWithJobID ('/' is not a token character): one id */
		size_t n = strlen(out);

		if (n + 2 >= outlen)
			goto bad;
		out[n] = '/';
		if ((p = read_value(p + 1, end, out + n + 1, outlen - n - 1)) == NULL)
			goto bad;
	}
	if ((q = skip_cfws(p, end)) == NULL)
		goto bad;
	if (q > p && q < end && *q >= '0' && *q <= '9') {	/* authres-version */
		while (q < end && *q >= '0' && *q <= '9')
			q++;
		if ((q = skip_cfws(q, end)) == NULL)
			goto bad;
	}
	if (q == end || *q != ';')
		goto bad;
	return 0;
bad:
	out[0] = '\0';
	return -1;
}

/* same_id - case-insensitive, one trailing dot ignored on either side */
static int
same_id(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen > 1 && a[alen - 1] == '.')
		alen--;
	if (blen > 1 && b[blen - 1] == '.')
		blen--;
	return alen == blen && alen > 0 && strncasecmp(a, b, alen) == 0;
}

/* authres_is_ours - the value carries our authserv-id or a trusted one */
int
authres_is_ours(const char *value, const char *our_id, const char *trusted_ids)
{
	char id[256];
	const char *p;
	size_t idlen;

	if (value == NULL || authres_authserv_id(value, strlen(value), id, sizeof(id)) < 0)
		return 0;
	idlen = strlen(id);
	if (our_id != NULL && same_id(id, idlen, our_id, strlen(our_id)))
		return 1;
	/* "ours/QUEUEID", as AuthservIDWithJobID writes it, is ours too */
	if (our_id != NULL && (p = strchr(id, '/')) != NULL &&
	    same_id(id, (size_t)(p - id), our_id, strlen(our_id)))
		return 1;
	for (p = trusted_ids; p != NULL && *p != '\0';) {
		size_t n = strcspn(p, ", \t");

		if (n > 0 && same_id(id, idlen, p, n))
			return 1;
		p += n;
		p += strspn(p, ", \t");
	}
	return 0;
}
