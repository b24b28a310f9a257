/*
 * spf_record.c - the RFC 7208 §12 record syntax, checked before libspf2
 *
 * libspf2's compiler accepts some invalid records (leading zeros in CIDR,
 * single-label or numeric top labels, empty domain-specs, repeated
 * redirect=/exp=, bad macro letters, non-ASCII) and rejects some valid
 * ones (unknown modifiers named with "." or "_").  The DNS layer (spf_dns.c) runs
 * every fetched record through spf_record_check: an invalid record is a
 * permerror (RFC 7208 §4.6), and a valid one is handed to libspf2 in a
 * canonical form without the terms that cannot change the result.
 * Pure: no I/O, no globals.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "spf_record.h"

struct spf_term {
	const char     *p;	/* the term */
	size_t		n;
};

/* spf_macro_string - RFC 7208 §7.1 macro-string; 0 ok.  crt: c/r/t allowed */
static int
spf_macro_string(const char *p, size_t n, int crt, size_t *last_expand)
{
	size_t i = 0;

	*last_expand = (size_t)-1;
	while (i < n) {
		unsigned char c = (unsigned char)p[i];

		if (c != '%') {
			if (c < 0x21 || c > 0x7e)
				return -1;
			i++;
			continue;
		}
		*last_expand = i;
		if (i + 1 >= n)
			return -1;
		if (p[i + 1] == '%' || p[i + 1] == '_' || p[i + 1] == '-') {
			i += 2;
			continue;
		}
		if (p[i + 1] != '{' || i + 2 >= n ||
		    !strchr(crt ? "slodiphcrtv" : "slodiphv", tolower((unsigned char)p[i + 2])))
			return -1;
		for (i += 3; i < n && isdigit((unsigned char)p[i]); i++)
			;
		if (i < n && tolower((unsigned char)p[i]) == 'r')
			i++;
		while (i < n && strchr(".-+,/_=", p[i]))
			i++;
		if (i >= n || p[i] != '}')
			return -1;
		i++;
	}
	return 0;
}

/* spf_toplabel - RFC 7208 §7.1 toplabel: alphanumerics, one letter, inner dashes */
static int
spf_toplabel(const char *p, size_t n)
{
	size_t i;
	int alpha = 0;

	if (n == 0 || p[0] == '-' || p[n - 1] == '-')
		return -1;
	for (i = 0; i < n; i++) {
		if (isalpha((unsigned char)p[i]))
			alpha = 1;
		else if (!isdigit((unsigned char)p[i]) && p[i] != '-')
			return -1;
	}
	/* all digits with a dash is allowed by the second form */
	return alpha || memchr(p, '-', n) ? 0 : -1;
}

/* spf_domain_spec - macro-string domain-end (RFC 7208 §7.1); 0 ok */
static int
spf_domain_spec(const char *p, size_t n)
{
	size_t last, dot, end = n, i;

	if (n == 0 || spf_macro_string(p, n, 0, &last) != 0)
		return -1;
	/* domain-end = macro-expand: the spec ends with one */
	if (last != (size_t)-1) {
		i = last + 1;
		if (i < n && p[i] == '{')
			while (i < n && p[i] != '}')
				i++;
		if (i + 1 == n)
			return 0;
	}
	/* domain-end = "." toplabel [ "." ] */
	if (end > 0 && p[end - 1] == '.')
		end--;
	for (dot = end; dot > 0 && p[dot - 1] != '.'; dot--)
		;
	if (dot == 0)
		return -1;
	return spf_toplabel(p + dot, end - dot);
}

/* spf_cidr - "/" and a number in [0, max] without leading zeros */
static int
spf_cidr(const char *p, size_t n, int max)
{
	int v = 0;
	size_t i;

	if (n < 2 || p[0] != '/' || n > 4 || (p[1] == '0' && n > 2))
		return -1;
	for (i = 1; i < n; i++) {
		if (!isdigit((unsigned char)p[i]))
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v <= max ? 0 : -1;
}

/* spf_dual_cidr - split a trailing dual-cidr-length off a/mx arguments */
static int
spf_dual_cidr(const char *p, size_t n, size_t *spec_len)
{
	size_t i = n, j;

	while (i > 0 && isdigit((unsigned char)p[i - 1]))
		i--;
	if (i == n || i == 0 || p[i - 1] != '/') {
		*spec_len = n;
		return 0;
	}
	if (i >= 2 && p[i - 2] == '/') {
		/* ...//ip6 [preceded by /ip4] */
		if (spf_cidr(p + i - 1, n - i + 1, 128) != 0)
			return -1;
		j = i - 2;
		*spec_len = j;
		for (i = j; i > 0 && isdigit((unsigned char)p[i - 1]); i--)
			;
		if (i < j && i > 0 && p[i - 1] == '/') {
			if (spf_cidr(p + i - 1, j - i + 1, 32) != 0)
				return -1;
			*spec_len = i - 1;
		}
		return 0;
	}
	*spec_len = i - 1;
	return spf_cidr(p + i - 1, n - i + 1, 32);
}

/* spf_ip4_network - four qnums, no leading zeros (RFC 7208 §5.6) */
static int
spf_ip4_network(const char *p, size_t n)
{
	char tmp[16];
	size_t i, dig = 0;

	if (n >= sizeof(tmp))
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] == '.')
			dig = 0;
		else if (dig++ == 0 && p[i] == '0' && i + 1 < n && p[i + 1] != '.')
			return -1;
	}
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	return inet_pton(AF_INET, tmp, &(struct in_addr){ 0 }) == 1 ? 0 : -1;
}

/* spf_ip_mech - ip4:/ip6: network and optional prefix length */
static int
spf_ip_mech(const char *p, size_t n, int six)
{
	char tmp[64];
	const char *slash = memchr(p, '/', n);
	size_t net = slash ? (size_t)(slash - p) : n;
	struct in6_addr a6;

	if (slash && spf_cidr(slash, n - net, six ? 128 : 32) != 0)
		return -1;
	if (!six)
		return spf_ip4_network(p, net);
	if (net == 0 || net >= sizeof(tmp))
		return -1;
	memcpy(tmp, p, net);
	tmp[net] = '\0';
	return inet_pton(AF_INET6, tmp, &a6) == 1 ? 0 : -1;
}

/* the mechanisms (RFC 7208 §5), in the order spf_mechanism switches on */
static const char *const spf_mech[] = { "all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists" };
#define SPF_NMECH (sizeof(spf_mech) / sizeof(spf_mech[0]))

/* spf_mech_index - which mechanism starts the n bytes at p (*len its
 * name's length); SPF_NMECH when none */
static size_t
spf_mech_index(const char *p, size_t n, size_t *len)
{
	size_t k;

	for (k = 0; k < SPF_NMECH; k++) {
		*len = strlen(spf_mech[k]);
		if (n >= *len && strncasecmp(p, spf_mech[k], *len) == 0 &&
		    (n == *len || p[*len] == ':' || p[*len] == '/'))
			return k;
	}
	return SPF_NMECH;
}

/* spf_mechanism - one directive without its qualifier; 0 ok, 1 is "all" */
static int
spf_mechanism(const char *p, size_t n)
{
	size_t k, len, spec;
	const char *arg;

	if ((k = spf_mech_index(p, n, &len)) == SPF_NMECH)
		return -1;
	arg = p + len + 1;
	n -= len;
	/* the term is not NUL-terminated: p[len] is ours only when n > 0 */
	switch (k) {
	case 0:
		return n == 0 ? 1 : -1;
	case 1:		/* include */
	case 7:		/* exists */
		return n > 0 && p[len] == ':' ? spf_domain_spec(arg, n - 1) : -1;
	case 2:		/* a */
	case 3:		/* mx */
		if (n == 0)
			return 0;
		if (p[len] == '/')
			return spf_dual_cidr(p + len, n, &spec) == 0 && spec == 0 ? 0 : -1;
		if (spf_dual_cidr(arg, n - 1, &spec) != 0)
			return -1;
		return spf_domain_spec(arg, spec);
	case 4:		/* ptr */
		if (n == 0)
			return 0;
		return p[len] == ':' ? spf_domain_spec(arg, n - 1) : -1;
	default:	/* ip4, ip6 */
		return n > 0 && p[len] == ':' ? spf_ip_mech(arg, n - 1, k == 6) : -1;
	}
}

/* spf_modifier - name "=" value; sets *kind 1 redirect, 2 exp, 0 other */
static int
spf_modifier(const char *p, size_t n, int *kind)
{
	const char *eq = memchr(p, '=', n);
	size_t name = eq ? (size_t)(eq - p) : 0, i, last;

	*kind = 0;
	if (eq == NULL || name == 0 || !isalpha((unsigned char)p[0]))
		return -1;
	for (i = 1; i < name; i++)
		if (!isalnum((unsigned char)p[i]) && !strchr("-_.", p[i]))
			return -1;
	if (name == 8 && strncasecmp(p, "redirect", 8) == 0)
		*kind = 1;
	else if (name == 3 && strncasecmp(p, "exp", 3) == 0)
		*kind = 2;
	if (*kind)
		return spf_domain_spec(eq + 1, n - name - 1);
	return spf_macro_string(eq + 1, n - name - 1, 1, &last);
}

/* spf_record_sep - offset of the first ":", "/" or "=" in the n bytes of a
 * term (n when none): the term is not NUL-terminated, so no strcspn */
static size_t
spf_record_sep(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && !strchr(":/=", p[i]); i++)
		;
	return i;
}

/* spf_record_is_modifier - a modifier's name runs up to "=" (RFC 7208 §12) */
static int
spf_record_is_modifier(const struct spf_term *t)
{
	size_t sep = spf_record_sep(t->p, t->n);

	return sep < t->n && t->p[sep] == '=';
}

/* spf_record_head - "v=spf1" then printable ASCII (RFC 7208 §3.1, §4.6.1); 0 ok */
static int
spf_record_head(const char *rec, size_t len, char *why, size_t whylen)
{
	size_t k;

	if (len < 6 || strncasecmp(rec, "v=spf1", 6) != 0 || (len > 6 && rec[6] != ' ')) {
		snprintf(why, whylen, "not an SPF version 1 record");
		return -1;
	}
	for (k = 0; k < len; k++) {
		if ((unsigned char)rec[k] < 0x20 || (unsigned char)rec[k] > 0x7e) {
			snprintf(why, whylen, "byte 0x%02x at offset %zu: SPF records are "
			    "printable ASCII (RFC 7208 3.1)", (unsigned char)rec[k], k);
			return -1;
		}
	}
	return 0;
}

/* spf_record_split - the terms after "v=spf1", separated by spaces only
 * (RFC 7208 §4.6.1); -1 when there are more than max */
static int
spf_record_split(const char *rec, size_t len, struct spf_term *t, size_t max, size_t *nt)
{
	size_t i = 6, start;

	*nt = 0;
	while (i < len) {
		while (i < len && rec[i] == ' ')
			i++;
		for (start = i; i < len && rec[i] != ' '; i++)
			;
		if (i == start)
			continue;
		if (*nt == max)
			return -1;
		t[*nt].p = rec + start;
		t[(*nt)++].n = i - start;
	}
	return 0;
}

/* spf_record_term - one term: a modifier (*kind as spf_modifier) or a
 * directive (*kind -1, *all set for "all"); 0 ok, -1 invalid */
static int
spf_record_term(const struct spf_term *t, int *kind, int *all)
{
	size_t q = t->n > 0 && strchr("+-?~", t->p[0]) ? 1 : 0;
	int r;

	if (spf_record_is_modifier(t))
		return spf_modifier(t->p, t->n, kind) < 0 ? -1 : 0;
	*kind = -1;
	r = q < t->n ? spf_mechanism(t->p + q, t->n - q) : -1;
	if (r == 1)
		*all = 1;
	return r < 0 ? -1 : 0;
}

/* spf_record_clean - mechanisms, and redirect= unless "all" overrides it
 * (RFC 7208 §6.1): the modifiers that cannot change the result dropped */
static void
spf_record_clean(const struct spf_term *t, size_t nt, int has_all, struct buf *clean)
{
	size_t k;

	buf_adds(clean, "v=spf1");
	for (k = 0; k < nt; k++) {
		if (spf_record_is_modifier(&t[k]) &&
		    (has_all || t[k].n < 9 || strncasecmp(t[k].p, "redirect=", 9) != 0))
			continue;
		buf_addc(clean, ' ');
		buf_add(clean, t[k].p, t[k].n);
	}
}

/* spf_record_parse - a record's terms, each checked (§12), at most one
 * redirect= and exp= (§6); 0, or -1 with why */
static int
spf_record_parse(const char *rec, size_t len, struct spf_term *t, size_t max, size_t *nt,
    int *has_all, char *why, size_t whylen)
{
	size_t k;
	int redirects = 0, exps = 0, kind;

	*has_all = 0;
	if (spf_record_head(rec, len, why, whylen) != 0)
		return -1;
	if (spf_record_split(rec, len, t, max, nt) != 0) {
		snprintf(why, whylen, "too many terms");
		return -1;
	}
	for (k = 0; k < *nt; k++) {
		if (spf_record_term(&t[k], &kind, has_all) != 0) {
			snprintf(why, whylen, "invalid term \"%.*s\" (RFC 7208 12)",
			    (int)(t[k].n > 64 ? 64 : t[k].n), t[k].p);
			return -1;
		}
		redirects += kind == 1;
		exps += kind == 2;
	}
	if (redirects > 1 || exps > 1) {
		snprintf(why, whylen, "%s= appears twice (RFC 7208 6)", redirects > 1 ? "redirect" : "exp");
		return -1;
	}
	return 0;
}

/* spf_record_check - see spf_record.h */
int
spf_record_check(const char *rec, size_t len, struct buf *clean, char *why, size_t whylen)
{
	struct spf_term t[64];
	size_t nt;
	int has_all;

	if (spf_record_parse(rec, len, t, sizeof(t) / sizeof(t[0]), &nt, &has_all, why, whylen) != 0)
		return -1;
	spf_record_clean(t, nt, has_all, clean);
	return 0;
}

/* spf_target_of - the target of one valid directive (no qualifier): 0
 * with *out filled, -1 when it asks no DNS (all, ip4, ip6) */
static int
spf_target_of(const char *p, size_t n, struct spf_target *out)
{
	/* indexed as spf_mech; -1: no DNS */
	static const int kind[SPF_NMECH] = { -1, SPF_TARGET_INCLUDE, SPF_TARGET_A, SPF_TARGET_MX,
		SPF_TARGET_PTR, -1, -1, SPF_TARGET_EXISTS };
	size_t k, len, spec;

	if ((k = spf_mech_index(p, n, &len)) == SPF_NMECH || kind[k] < 0)
		return -1;
	out->kind = (enum spf_target_kind)kind[k];
	out->spec = p + n;
	out->len = 0;
	if (n > len && p[len] == ':') {
		out->spec = p + len + 1;
		spec = n - len - 1;
		/* a and mx: a dual-cidr-length may follow the domain-spec */
		if ((out->kind == SPF_TARGET_A || out->kind == SPF_TARGET_MX) &&
		    spf_dual_cidr(out->spec, spec, &spec) != 0)
			return -1;
		out->len = spec;
	}
	return 0;
}

/* spf_record_targets - see spf_record.h */
int
spf_record_targets(const char *rec, size_t len, struct spf_target *t, size_t max)
{
	struct spf_term term[64];
	struct spf_target redirect;
	char why[80];
	size_t nt, k, q, n = 0;
	int has_all, have_redirect = 0;

	if (spf_record_parse(rec, len, term, sizeof(term) / sizeof(term[0]), &nt, &has_all, why,
	    sizeof(why)) != 0)
		return -1;
	for (k = 0; k < nt; k++) {
		if (spf_record_is_modifier(&term[k])) {
			if (term[k].n > 9 && strncasecmp(term[k].p, "redirect=", 9) == 0) {
				redirect.kind = SPF_TARGET_REDIRECT;
				redirect.spec = term[k].p + 9;
				redirect.len = term[k].n - 9;
				have_redirect = 1;
			}
			continue;
		}
		q = strchr("+-?~", term[k].p[0]) ? 1 : 0;
		if (n < max && spf_target_of(term[k].p + q, term[k].n - q, &t[n]) == 0)
			n++;
	}
	if (have_redirect && !has_all && n < max)
		t[n++] = redirect;
	for (k = 0; k < n; k++)
		t[k].macro = memchr(t[k].spec, '%', t[k].len) != NULL;
	return (int)n;
}
