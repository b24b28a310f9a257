/*
 * dkim_canon.c - DKIM canonicalization and header selection (RFC 6376 §3.4,
 * §5.4.2)
 *
 * Used for the signatures authmilter makes itself (Ed25519, RFC 8463), so a
 * long-running daemon does not depend on libopendkim's Ed25519 path.  The
 * body machine keeps the empty lines it has seen but not yet hashed (they
 * only count when more content follows, §3.4.3/§3.4.4), a CR whose LF may
 * arrive in the next chunk, and under relaxed a pending run of white space;
 * everything else is hashed at once through a small output buffer, so
 * memory does not grow with the body.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dkim_canon.h"
#include "htab.h"

#define DKIMC_OUTBUF	4096

struct dkimc_body {
	enum dkimc_alg	alg;
	EVP_MD_CTX     *md;
	struct buf     *copy;		/* not owned; may be NULL */
	size_t		crlf;		/* line ends held back */
	int		cr;		/* a CR waiting for its LF */
	int		wsp;		/* relaxed: a WSP run waiting */
	int		inline_;	/* the current line has content */
	int		any;		/* some content was hashed */
	int		done, err;
	unsigned long long len;
	size_t		olen;
	unsigned char	out[DKIMC_OUTBUF];
};

/* is_wsp - RFC 5234 WSP */
static int
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

/* dkimc_header - see dkim_canon.h */
void
dkimc_header(enum dkimc_alg alg, const char *name, const char *value, int crlf,
    struct buf *out)
{
	size_t nl = strlen(name), i;
	const char *v;
	int pending = 0, any = 0;

	if (alg == DKIMC_SIMPLE) {
		/* §3.4.1: the field exactly as it is, folds and all */
		buf_adds(out, name);
		buf_addc(out, ':');
		buf_adds(out, value);
	} else {
		/* §3.4.2: name lower-cased, no WSP before or after the colon */
		while (nl > 0 && is_wsp((unsigned char)name[nl - 1]))
			nl--;
		for (i = 0; i < nl; i++)
			buf_addc(out, tolower((unsigned char)name[i]));
		buf_addc(out, ':');
		/* unfold (drop every CRLF), WSP runs to one SP, no WSP at the
		 * start or end of the value */
		for (v = value; *v; v++) {
			if (v[0] == '\r' && v[1] == '\n') {
				v++;
				continue;
			}
			if (is_wsp((unsigned char)*v)) {
				pending = any;
				continue;
			}
			if (pending)
				buf_addc(out, ' ');
			pending = 0;
			any = 1;
			buf_addc(out, *v);
		}
	}
	if (crlf)
		buf_add(out, "\r\n", 2);
}

/* dkimc_body_new - see dkim_canon.h */
struct dkimc_body *
dkimc_body_new(enum dkimc_alg alg, struct buf *copy)
{
	struct dkimc_body *b = xcalloc(1, sizeof(*b));

	b->alg = alg;
	b->copy = copy;
	if ((b->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(b->md, EVP_sha256(), NULL) != 1)
		b->err = 1;
	return b;
}

/* flush - hash the output buffer */
static void
flush(struct dkimc_body *b)
{
	if (b->olen == 0)
		return;
	if (!b->err && EVP_DigestUpdate(b->md, b->out, b->olen) != 1)
		b->err = 1;
	if (b->copy)
		buf_add(b->copy, b->out, b->olen);
	b->len += b->olen;
	b->olen = 0;
}

/* emit - one canonical byte */
static void
emit(struct dkimc_body *b, unsigned char c)
{
	if (b->olen == sizeof(b->out))
		flush(b);
	b->out[b->olen++] = c;
}

/* emit_run - n canonical bytes */
static void
emit_run(struct dkimc_body *b, const unsigned char *p, size_t n)
{
	size_t k;

	while (n > 0) {
		if (b->olen == sizeof(b->out))
			flush(b);
		k = sizeof(b->out) - b->olen < n ? sizeof(b->out) - b->olen : n;
		memcpy(b->out + b->olen, p, k);
		b->olen += k;
		p += k;
		n -= k;
	}
}

/* content - a byte that is not a line end nor (relaxed) WSP: the empty
 * lines held back and a pending WSP run now count, then the byte */
static void
content(struct dkimc_body *b, unsigned char c)
{
	for (; b->crlf > 0; b->crlf--) {
		emit(b, '\r');
		emit(b, '\n');
	}
	if (b->wsp)
		emit(b, ' ');	/* §3.4.4: a WSP run within a line is one SP */
	b->wsp = 0;
	b->inline_ = b->any = 1;
	emit(b, c);
}

/* dkimc_body_feed - see dkim_canon.h */
void
dkimc_body_feed(struct dkimc_body *b, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n;
	int relaxed;

	if (b == NULL || b->done)
		return;
	relaxed = b->alg == DKIMC_RELAXED;
	for (; p < end; p++) {
		if (!b->cr && b->crlf == 0 && !b->wsp) {
			/* fast path: nothing held back, so a run of plain
			 * bytes is canonical as it stands */
			const unsigned char *q = p;

			while (q < end && *q != '\r' && !(relaxed && is_wsp(*q)))
				q++;
			if (q > p) {
				emit_run(b, p, (size_t)(q - p));
				b->inline_ = b->any = 1;
				if ((p = q) == end)
					break;
			}
		}
		if (b->cr) {
			b->cr = 0;
			if (*p == '\n') {
				/* a line end: held back until content follows
				 * (§3.4.3, §3.4.4: trailing empty lines are
				 * ignored); WSP before it is dropped (§3.4.4) */
				b->crlf++;
				b->wsp = b->inline_ = 0;
				continue;
			}
			content(b, '\r');	/* a bare CR is data */
		}
		if (*p == '\r')
			b->cr = 1;
		else if (relaxed && is_wsp(*p))
			b->wsp = 1;
		else
			content(b, *p);
	}
}

/* dkimc_body_final - see dkim_canon.h */
int
dkimc_body_final(struct dkimc_body *b, unsigned char hash[DKIMC_HASHLEN])
{
	unsigned int hl = 0;

	if (b->done)
		return -1;
	b->done = 1;
	if (b->cr)
		content(b, '\r');
	/* an unterminated last line keeps its trailing WSP run as one SP:
	 * §3.4.4 strips WSP before a line's CRLF, and this line has none
	 * (dkimpy reads it the same way) */
	if (b->wsp) {
		b->wsp = 0;
		content(b, ' ');
	}
	if (b->inline_ || b->any) {
		/* §3.4.3/§3.4.4: a body that does not end in CRLF gets one;
		 * otherwise the CRLF ending the last non-empty line */
		emit(b, '\r');
		emit(b, '\n');
	} else if (b->alg == DKIMC_SIMPLE) {
		/* §3.4.3: an empty body is one CRLF; §3.4.4: relaxed, nothing */
		emit(b, '\r');
		emit(b, '\n');
	}
	flush(b);
	if (b->err || EVP_DigestFinal_ex(b->md, hash, &hl) != 1 || hl != DKIMC_HASHLEN)
		return -1;
	return 0;
}

/* dkimc_body_len - see dkim_canon.h */
unsigned long long
dkimc_body_len(const struct dkimc_body *b)
{
	return b ? b->len + b->olen : 0;
}

/* dkimc_body_free - see dkim_canon.h */
void
dkimc_body_free(struct dkimc_body *b)
{
	if (b == NULL)
		return;
	EVP_MD_CTX_free(b->md);
	free(b);
}

/* in_list - name is in l (case-insensitive) */
static int
in_list(const struct strlist *l, const char *name)
{
	size_t i;

	for (i = 0; l && i < l->n; i++)
		if (strcasecmp(l->v[i], name) == 0)
			return 1;
	return 0;
}

/* name_ctx, same_name - htab_intern's question: is names[pos] the name
 * being grouped (case-insensitive)? */
struct name_ctx {
	const char *const *names;
	const char *name;
};

static int
same_name(const void *arg, size_t pos)
{
	const struct name_ctx *c = arg;

	return strcasecmp(c->names[pos], c->name) == 0;
}

/* name_groups - give each field name (case-insensitive) a group number:
 * grp[i] for names[i] where want[i], -1 elsewhere; returns the number of
 * groups.  One hash index over the names: linear time. */
static size_t
name_groups(const char *const *names, size_t n, const unsigned char *want, long *grp)
{
	struct htab t = HTAB_INIT;
	struct name_ctx c = { names, NULL };
	size_t i, first, ng = 0;

	for (i = 0; i < n; i++) {
		grp[i] = -1;
		if (!want[i])
			continue;
		c.name = names[i];
		first = htab_intern(&t, htab_hash_ci(names[i]), same_name, &c, i);
		grp[i] = first == i ? (long)ng++ : grp[first];
	}
	htab_free(&t);
	return ng;
}

/* dkimc_select - see dkim_canon.h.  RFC 6376 §5.4.2: the k-th occurrence
 * of a name in h= (top to bottom) is paired with the k-th instance of that
 * name from the bottom.  The instances are indexed by name once (per-name
 * lists in message order), so the pairing is linear in the number of
 * fields, not quadratic (20,000 To: fields). */
size_t
dkimc_select(const char *const *names, size_t n, const struct strlist *sign,
    const struct strlist *over, size_t *order, struct buf *hlist)
{
	unsigned char *want = xcalloc(n + 1, 1);
	long *grp = xcalloc(n + 1, sizeof(*grp));
	size_t i, g, ng, no = 0, first = hlist->len;
	size_t *start, *seen, *pos;

	for (i = 0; i < n; i++)
		want[i] = (unsigned char)in_list(sign, names[i]);
	ng = name_groups(names, n, want, grp);
	start = xcalloc(ng + 1, sizeof(*start));	/* group g: pos[start[g]..] */
	seen = xcalloc(ng + 1, sizeof(*seen));
	pos = xcalloc(n + 1, sizeof(*pos));
	for (i = 0; i < n; i++)
		if (grp[i] >= 0)
			start[grp[i] + 1]++;
	for (g = 0; g < ng; g++)
		start[g + 1] += start[g];
	for (i = 0; i < n; i++)
		if (grp[i] >= 0)
			pos[start[grp[i]] + seen[grp[i]]++] = i;
	memset(seen, 0, (ng + 1) * sizeof(*seen));
	for (i = 0; i < n; i++) {
		if (grp[i] < 0)
			continue;
		if (hlist->len > first)
			buf_addc(hlist, ':');
		buf_adds(hlist, names[i]);
		/* occurrence k of its name, paired with instance k from the
		 * bottom: the group's list read backwards */
		g = (size_t)grp[i];
		order[no++] = pos[start[g + 1] - 1 - seen[g]++];
	}
	for (i = 0; over && i < over->n; i++) {
		if (hlist->len > first)
			buf_addc(hlist, ':');
		buf_adds(hlist, over->v[i]);
	}
	free(want);
	free(grp);
	free(start);
	free(seen);
	free(pos);
	return no;
}

/* fold_h - an h= tag that starts a line: break after colons (the layout
 * libopendkim uses, so our signatures look like its RSA ones) */
static size_t
fold_h(const char *pv, size_t len, size_t margin, struct buf *out)
{
	const char *p = pv, *c;
	size_t tl;
	int first = 1;

	for (; *p; p = *c ? c + 1 : c) {
		c = strchr(p, ':');
		if (c == NULL)
			c = p + strlen(p);
		tl = (size_t)(c - p);
		if (!first && len + tl + 1 > margin) {
			buf_adds(out, ":\r\n\t ");
			len = 9;
		} else if (!first) {
			buf_addc(out, ':');
			len++;
		}
		buf_add(out, p, tl);
		len += tl;
		first = 0;
	}
	return len;
}

/* fold_b64 - a b= or bh= tag that starts a line: "tag=", then the value
 * cut at the margin, continuation lines indented by a tab and a space */
static size_t
fold_b64(const char *pv, size_t len, size_t margin, struct buf *out)
{
	const char *eq = strchr(pv, '='), *x;
	size_t n, left;

	x = eq ? eq + 1 : pv + strlen(pv);
	buf_add(out, pv, (size_t)(x - pv));
	len += (size_t)(x - pv);
	if (*x) {
		buf_addc(out, *x++);
		len++;
	}
	for (left = strlen(x); left > 0; left -= n, x += n) {
		if (len >= margin) {
			buf_adds(out, "\r\n\t ");
			len = 9;
		}
		n = margin - len < left ? margin - len : left;
		buf_add(out, x, n);
		len += n;
	}
	return len;
}

/* dkimc_fold - see dkim_canon.h */
void
dkimc_fold(const char *const *tags, size_t ntags, const char *b, size_t blen,
    size_t initial, size_t margin, struct buf *out)
{
	struct buf pv = BUF_INIT;
	size_t i, len = initial, tl;
	int last, wrap;

	buf_init(&pv);
	for (i = 0; i <= ntags; i++) {
		last = i == ntags;
		buf_reset(&pv);
		if (last)
			buf_printf(&pv, "b=%s", b);
		else
			buf_printf(&pv, "%s;", tags[i]);
		tl = strcspn(pv.data, "=");
		/* the fold before b= depends on the final length only, so the
		 * hashed copy (b= empty) and the header sent agree (§3.7) */
		wrap = last && len + 1 + blen + 1 >= margin;
		if (i == 0) {
			buf_add(out, pv.data, pv.len);
			len += pv.len;
		} else if (wrap || len + pv.len > margin) {
			buf_adds(out, "\r\n\t");
			len = 8;
			if (tl == 1 && pv.data[0] == 'h')
				len = fold_h(pv.data, len, margin, out);
			else if (last || (tl == 2 && strncmp(pv.data, "bh", 2) == 0))
				len = fold_b64(pv.data, len, margin, out);
			else {
				buf_add(out, pv.data, pv.len);
				len += pv.len;
			}
		} else {
			buf_addc(out, ' ');
			buf_add(out, pv.data, pv.len);
			len += 1 + pv.len;
		}
	}
	buf_free(&pv);
}
