/*
 * rua.c - DMARC "rua" report URIs
 *
 * The parser is pure and deliberately strict about mailto addresses: each
 * one ends up as an argument of a sendmail command, so anything a shell
 * or a sendmail option parser could misread is refused here, long before
 * an exec.  Only mailto: is supported (RFC 9990 §"Email"); other schemes
 * are recognised and reported as unsupported.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc.h"
#include "dns.h"
#include "hex.h"
#include "rua.h"

/* is_wsp - RFC 5234 WSP plus line breaks, which TXT joins may carry */
static int
is_wsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* trim - narrow [*s, *s + *len) to exclude leading and trailing WSP */
static void
trim(const char **s, size_t *len)
{
	while (*len > 0 && is_wsp((unsigned char)**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && is_wsp((unsigned char)(*s)[*len - 1]))
		(*len)--;
}

/* strip_size - drop a trailing "!" 1*DIGIT [k/m/g/t]: ignored per RFC 9989 §4.7 */
static size_t
strip_size(const char *s, size_t len)
{
	size_t i = len;

	if (i > 0 && strchr("kmgtKMGT", s[i - 1]) != NULL)
		i--;
	if (i == 0 || !isdigit((unsigned char)s[i - 1]))
		return len;
	while (i > 0 && isdigit((unsigned char)s[i - 1]))
		i--;
	if (i > 0 && s[i - 1] == '!')
		return i - 1;
	return len;
}

/* label_ok - one DNS label of letters, digits, '-' (and '_' when allowed) */
static int
label_ok(const char *s, size_t len, int underscore)
{
	size_t i;

	if (len == 0 || len > 63 || s[0] == '-' || s[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && c != '-' && !(underscore && c == '_'))
			return 0;
	}
	return 1;
}

/* domain_ok - dot-separated labels; a trailing dot is not accepted */
static int
domain_ok(const char *s, size_t len, int underscore, int need_dot)
{
	size_t i, start = 0;
	int dots = 0;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (!label_ok(s + start, i - start, underscore))
				return 0;
			if (i < len)
				dots++;
			start = i + 1;
		}
	}
	return !need_dot || dots > 0;
}

/* rua_domain_valid - an LDH host name; '_' allowed in labels */
int
rua_domain_valid(const char *s, size_t len)
{
	return domain_ok(s, len, 1, 0);
}

/* rua_addr_valid - strict addr-spec (RFC 5322 §3.4.1 dot-atom subset) */
int
rua_addr_valid(const char *s, size_t len)
{
	const char *at;
	size_t i, local;

	if (len == 0 || len > 254 || memchr(s, '\0', len) != NULL)
		return 0;
	at = memchr(s, '@', len);
	if (at == NULL || memchr(at + 1, '@', len - (size_t)(at - s) - 1) != NULL)
		return 0;
	local = (size_t)(at - s);
	if (local == 0 || local > 64 || s[0] == '.' || s[0] == '-' || s[local - 1] == '.')
		return 0;
	for (i = 0; i < local; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!isalnum(c) && strchr("._+=-", c) == NULL)
			return 0;
		if (c == '.' && s[i + 1] == '.')
			return 0;
	}
	return domain_ok(at + 1, len - local - 1, 0, 1);
}

/* pct_decode - RFC 3986 §2.1 percent-decoding; NULL when malformed */
static char *
pct_decode(const char *s, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int v = hex_byte(s + i + 1, len - i - 1);

			if (v < 0) {
				free(out);
				return NULL;
			}
			*o++ = (char)v;
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

/* parse_one - classify one trimmed URI (RFC 3986 §3.1 scheme, RFC 6068 mailto) */
static void
parse_one(const char *s, size_t len, struct rua_uri *u)
{
	size_t i, end;
	const char *q;
	char *addr;

	memset(u, 0, sizeof(*u));
	len = strip_size(s, len);
	u->uri = xstrndup(s, len);
	u->kind = RUA_INVALID;
	for (i = 0; i < len && (isalnum((unsigned char)s[i]) || strchr("+.-", s[i])); i++)
		;
	if (i == 0 || i == len || s[i] != ':' || !isalpha((unsigned char)s[0])) {
		snprintf(u->why, sizeof(u->why), "no URI scheme");
		return;
	}
	if (i != 6 || strncasecmp(s, "mailto", 6) != 0) {
		u->kind = RUA_UNSUPPORTED;
		snprintf(u->why, sizeof(u->why), "unsupported scheme %.*s", (int)(i < 20 ? i : 20), s);
		return;
	}
	q = memchr(s + 7, '?', len - 7);	/* RFC 6068 hfields: ignored */
	end = q ? (size_t)(q - s) : len;
	addr = pct_decode(s + 7, end - 7);
	if (addr == NULL) {
		snprintf(u->why, sizeof(u->why), "bad percent-encoding");
		return;
	}
	if (!rua_addr_valid(addr, strlen(addr))) {
		snprintf(u->why, sizeof(u->why), "refused address");
		free(addr);
		return;
	}
	u->kind = RUA_MAILTO;
	u->addr = addr;
	u->host = strchr(addr, '@') + 1;
}

/* rua_parse - comma-separated URIs (RFC 9989 §4.7 "rua") */
size_t
rua_parse(const char *s, size_t len, struct rua_list *out)
{
	size_t start = 0, i, added = 0;

	for (i = 0; i <= len; i++) {
		const char *p;
		size_t n;

		if (i < len && s[i] != ',')
			continue;
		p = s + start;
		n = i - start;
		start = i + 1;
		trim(&p, &n);
		if (n == 0)
			continue;
		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		parse_one(p, n, &out->v[out->n]);
		out->n++;
		added++;
	}
	return added;
}

/* rua_list_free - release the entries; the list is left empty */
void
rua_list_free(struct rua_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].uri);
		free(l->v[i].addr);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* rua_same_org - equal, or one a subdomain of the other (case-insensitive) */
int
rua_same_org(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la == lb)
		return strcasecmp(a, b) == 0;
	if (la > lb)
		return a[la - lb - 1] == '.' && strcasecmp(a + la - lb, b) == 0;
	return b[lb - la - 1] == '.' && strcasecmp(b + lb - la, a) == 0;
}

/* rua_txt_authorises - v=DMARC1 must be the first tag (RFC 9990 §Verifying, step 6) */
int
rua_txt_authorises(const char *txt, size_t len)
{
	const char *p = txt, *e = txt + len;

	while (p < e && is_wsp((unsigned char)*p))
		p++;
	if (p >= e || *p++ != 'v')
		return 0;
	while (p < e && is_wsp((unsigned char)*p))
		p++;
	if (p >= e || *p++ != '=')
		return 0;
	while (p < e && is_wsp((unsigned char)*p))
		p++;
	if ((size_t)(e - p) < 6 || strncmp(p, "DMARC1", 6) != 0)
		return 0;
	p += 6;
	while (p < e && is_wsp((unsigned char)*p))
		p++;
	return p == e || *p == ';';
}

/* find_rua_tag - the value of a "rua=" tag in a tag list, or NULL */
static const char *
find_rua_tag(const char *txt, size_t *vlen)
{
	const char *p = txt;

	while (p != NULL && *p != '\0') {
		const char *semi = strchr(p, ';'), *t = p;
		size_t n = semi ? (size_t)(semi - p) : strlen(p);

		trim(&t, &n);
		if (n >= 3 && strncmp(t, "rua", 3) == 0) {
			const char *v = t + 3;
			size_t vn = n - 3;

			trim(&v, &vn);
			if (vn > 0 && *v == '=') {
				v++;
				vn--;
				trim(&v, &vn);
				*vlen = vn;
				return v;
			}
		}
		p = semi ? semi + 1 : NULL;
	}
	return NULL;
}

/* apply_override - step 9: an override rua must keep the destination host */
static enum rua_verdict
apply_override(const char *val, size_t vlen, const struct rua_uri *u, struct strlist *out,
    struct buf *why)
{
	struct rua_list l = { 0, NULL };
	struct strlist keep = { 0, NULL };
	size_t i;
	enum rua_verdict v = RUA_VERIFY_OK;

	rua_parse(val, vlen, &l);
	for (i = 0; i < l.n && v == RUA_VERIFY_OK; i++) {
		if (l.v[i].kind != RUA_MAILTO)
			continue;
		if (strcasecmp(l.v[i].host, u->host) != 0) {
			buf_printf(why, "override %s leaves host %s", l.v[i].uri, u->host);
			v = RUA_VERIFY_DENIED;
		} else
			strlist_add(&keep, l.v[i].addr);
	}
	if (v == RUA_VERIFY_OK && keep.n == 0) {
		buf_printf(why, "override names no usable mailto: URI");
		v = RUA_VERIFY_DENIED;
	}
	for (i = 0; v == RUA_VERIFY_OK && i < keep.n; i++)
		strlist_add(out, keep.v[i]);
	strlist_free(&keep);
	rua_list_free(&l);
	return v;
}

/* same_org - RFC 9990 "Verifying External Destinations": no check is due
 * when the Organizational Domain (RFC 9989 section 4.10) of the policy
 * domain is that of the destination host.  A suffix test is not that: a
 * parent may be a public suffix or a dynamic-DNS provider, a subdomain its
 * customer.  1 same, 0 not (or not knowable: then the record decides),
 * -1 temporary DNS trouble (why) */
static int
same_org(struct dmarc_engine *dm, const char *pdomain, const char *host, struct buf *why)
{
	char *po = NULL, *ho = NULL, w[256];
	int rc;

	if (strcasecmp(pdomain, host) == 0)
		return 1;
	if (dm == NULL)		/* nothing to ask: verify */
		return 0;
	rc = dmarc_org_domain(dm, pdomain, &po, w, sizeof(w));
	if (rc == 0)
		rc = dmarc_org_domain(dm, host, &ho, w, sizeof(w));
	if (rc == -1)
		buf_printf(why, "organizational domain: %s", w);
	else if (rc == 0)
		rc = strcmp(po, ho) == 0;
	else
		rc = 0;
	free(po);
	free(ho);
	return rc;
}

/* rua_verify - RFC 9990 §"Verifying External Destinations", steps 1-9 */
enum rua_verdict
rua_verify(struct dns *d, struct dmarc_engine *dm, const char *pdomain, const struct rua_uri *u,
    struct strlist *out, struct buf *why)
{
	int same;

	struct strlist txt = { 0, NULL };
	char name[1024], dwhy[160];
	enum dns_status st;
	enum rua_verdict v = RUA_VERIFY_DENIED;
	size_t i;

	if (u->kind != RUA_MAILTO) {
		buf_printf(why, "%s", u->why);
		return RUA_VERIFY_DENIED;
	}
	if ((same = same_org(dm, pdomain, u->host, why)) < 0)
		return RUA_VERIFY_TEMP;
	if (same) {
		strlist_add(out, u->addr);
		return RUA_VERIFY_OK;
	}
	/* steps 2-4: <policy-domain>._report._dmarc.<destination host> */
	if ((size_t)snprintf(name, sizeof(name), "%s._report._dmarc.%s", pdomain, u->host) > 253) {
		buf_printf(why, "verification name too long");
		return RUA_VERIFY_DENIED;
	}
	if (d == NULL) {
		buf_printf(why, "no resolver to verify %s", name);
		return RUA_VERIFY_TEMP;
	}
	st = dns_txt_lookup(d, name, &txt, NULL, dwhy, sizeof(dwhy));
	if (st == DNS_RETRY) {
		buf_printf(why, "%s: %s", name, dwhy);
		strlist_free(&txt);
		return RUA_VERIFY_TEMP;
	}
	for (i = 0; st == DNS_OK && i < txt.n; i++) {
		const char *val;
		size_t vlen;

		if (!rua_txt_authorises(txt.v[i], strlen(txt.v[i])))
			continue;
		val = find_rua_tag(txt.v[i], &vlen);
		if (val == NULL) {
			strlist_add(out, u->addr);
			v = RUA_VERIFY_OK;
		} else
			v = apply_override(val, vlen, u, out, why);
		break;
	}
	if (i == txt.n && v == RUA_VERIFY_DENIED && why->len == 0)
		buf_printf(why, "%s: no v=DMARC1 record (%s)", name,
		    st == DNS_OK ? "only other TXT" : dns_status_str(st));
	strlist_free(&txt);
	return v;
}
