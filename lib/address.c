/*
 * address.c - RFC 5322 From and RFC 5321 MAIL FROM parsing
 *
 * The From parser works in two passes: a tokenizer that removes comments
 * and folding and resolves quoted-pairs (RFC 5322 section 3.2), then a
 * recursive-descent parser over the tokens for address-list, group,
 * name-addr and addr-spec (sections 3.4, 3.4.1, 4.4).  Every malformed
 * input gets a defined answer: -1 and a reason, never a guess at a domain.
 */
#include "config.h"

#include <ctype.h>
#include <idn2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"

enum ap_type { AP_ATOM, AP_QSTR, AP_DLIT, AP_SPECIAL, AP_END };

struct ap_tok {
	enum ap_type	type;
	int		ch;		/* AP_SPECIAL: the character */
	int		sp;		/* white space or a comment came before it */
	size_t		off, len;	/* text in the arena */
};

struct ap {
	struct ap_tok  *t;
	size_t		n, cap, i;
	int		sp;		/* white space seen since the last token */
	struct buf	arena;
	struct address_list *out;
	int		groups;		/* groups seen */
	char	       *why;
	size_t		whylen;
};

/* ap_fail - record a reason; always -1 */
static int __attribute__((format(printf, 2, 3)))
ap_fail(struct ap *p, const char *fmt, ...)
{
	va_list ap;

	if (p->why != NULL && p->whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->why, p->whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ap_push - append a token whose text starts at arena offset off */
static void
ap_push(struct ap *p, enum ap_type type, int ch, size_t off)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->t = xrealloc(p->t, p->cap * sizeof(*p->t));
	}
	p->t[p->n].type = type;
	p->t[p->n].ch = ch;
	p->t[p->n].sp = p->sp;
	p->sp = 0;
	p->t[p->n].off = off;
	p->t[p->n].len = p->arena.len - off;
	p->n++;
}

/* ap_atext - RFC 5322 section 3.2.3 atext, plus UTF-8 bytes (RFC 6532) */
static int
ap_atext(unsigned char c)
{
	return isalnum(c) || c >= 0x80 || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* ap_comment - skip a comment starting at s[i] == '(' (nested, RFC 5322 3.2.2) */
static int
ap_comment(struct ap *p, const char *s, size_t len, size_t *ip)
{
	size_t i = *ip, depth = 0;

	for (; i < len; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0) {
			*ip = i + 1;
			return 0;
		}
	}
	return ap_fail(p, "unterminated comment");
}

/* ap_quoted - a quoted-string at s[i] == '"' into the arena (RFC 5322 3.2.4) */
static int
ap_quoted(struct ap *p, const char *s, size_t len, size_t *ip)
{
	size_t i = *ip + 1, off = p->arena.len;

	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"') {
			ap_push(p, AP_QSTR, 0, off);
			*ip = i + 1;
			return 0;
		}
		if (c == '\\') {
			if (++i == len)
				break;
			c = (unsigned char)s[i];
		} else if (c == '\r' || c == '\n')
			continue;	/* FWS: the fold goes, the WSP stays */
		if (c == '\0')
			return ap_fail(p, "NUL byte in quoted string");
		buf_addc(&p->arena, c);
	}
	return ap_fail(p, "unterminated quoted string");
}

/* ap_literal - a domain-literal at s[i] == '[' kept with its brackets (3.4.1) */
static int
ap_literal(struct ap *p, const char *s, size_t len, size_t *ip)
{
	size_t i = *ip, off = p->arena.len;

	buf_addc(&p->arena, '[');
	for (i++; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ']') {
			buf_addc(&p->arena, ']');
			ap_push(p, AP_DLIT, 0, off);
			*ip = i + 1;
			return 0;
		}
		if (c == '[' || c == '\\' || c < 0x20 || c >= 0x7f) {
			if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
				continue;
			return ap_fail(p, "bad character in domain literal");
		}
		if (c != ' ' && c != '\t')
			buf_addc(&p->arena, c);
	}
	return ap_fail(p, "unterminated domain literal");
}

/* ap_tokenize - split value into atoms, quoted strings, literals, specials */
static int
ap_tokenize(struct ap *p, const char *s, size_t len)
{
	size_t i = 0, off;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			i++;
			p->sp = 1;
		} else if (c == '(') {
			if (ap_comment(p, s, len, &i) != 0)
				return -1;
			p->sp = 1;
		} else if (c == '"') {
			if (ap_quoted(p, s, len, &i) != 0)
				return -1;
		} else if (c == '[') {
			if (ap_literal(p, s, len, &i) != 0)
				return -1;
		} else if (strchr("<>@,;:.", c) != NULL && c != '\0') {
			ap_push(p, AP_SPECIAL, c, p->arena.len);
			i++;
		} else if (ap_atext(c)) {
			off = p->arena.len;
			while (i < len && ap_atext((unsigned char)s[i]))
				buf_addc(&p->arena, s[i++]);
			ap_push(p, AP_ATOM, 0, off);
		} else if (c >= 0x21 && c < 0x7f)
			return ap_fail(p, "unexpected '%c'", c);
		else
			return ap_fail(p, "control character 0x%02x", c);
	}
	ap_push(p, AP_END, 0, p->arena.len);
	return 0;
}

/* ap_tok - the current token */
static const struct ap_tok *
ap_tok(const struct ap *p)
{
	return &p->t[p->i];
}

/* ap_is - current token is the special character ch */
static int
ap_is(const struct ap *p, int ch)
{
	return ap_tok(p)->type == AP_SPECIAL && ap_tok(p)->ch == ch;
}

/* ap_word - token k is an atom or quoted string (RFC 5322 word) */
static int
ap_word(const struct ap *p, size_t k)
{
	return p->t[k].type == AP_ATOM || p->t[k].type == AP_QSTR;
}

/* ap_text - token k as a new string */
static char *
ap_text(const struct ap *p, size_t k)
{
	return xstrndup(p->arena.data + p->t[k].off, p->t[k].len);
}

/* ap_describe - a token for error messages */
static const char *
ap_describe(const struct ap *p, char *tmp, size_t n)
{
	const struct ap_tok *t = ap_tok(p);

	if (t->type == AP_END)
		return "end of field";
	if (t->type == AP_SPECIAL)
		snprintf(tmp, n, "'%c'", t->ch);
	else
		snprintf(tmp, n, "\"%.*s\"", (int)(t->len > 40 ? 40 : t->len),
		    p->arena.data + t->off);
	return tmp;
}

/* ap_phrase - tokens [from, to) as a display name: words joined by spaces */
static char *
ap_phrase(const struct ap *p, size_t from, size_t to)
{
	struct buf b = BUF_INIT;
	size_t k;

	buf_init(&b);
	for (k = from; k < to; k++) {
		if (k > from && p->t[k].sp)
			buf_addc(&b, ' ');
		if (ap_word(p, k))
			buf_add(&b, p->arena.data + p->t[k].off, p->t[k].len);
		else
			buf_addc(&b, '.');	/* obs-phrase allows "." */
	}
	return buf_steal(&b);
}

/* ap_local - tokens [from, to) as word *("." word) (3.4.1, obs-local-part) */
static char *
ap_local(struct ap *p, size_t from, size_t to)
{
	struct buf b = BUF_INIT;
	size_t k;

	if (from == to) {
		ap_fail(p, "empty local part");
		return NULL;
	}
	buf_init(&b);
	for (k = from; k < to; k++) {
		if (((k - from) % 2 == 0) != ap_word(p, k) || (k + 1 == to && !ap_word(p, k))) {
			buf_free(&b);
			ap_fail(p, "malformed local part");
			return NULL;
		}
		if (ap_word(p, k))
			buf_add(&b, p->arena.data + p->t[k].off, p->t[k].len);
		else
			buf_addc(&b, '.');
	}
	return buf_steal(&b);
}

/* ap_domain - dot-atom / obs-domain / domain-literal after '@' (3.4.1) */
static char *
ap_domain(struct ap *p)
{
	struct buf b = BUF_INIT;
	char tmp[64], *d;

	if (ap_tok(p)->type == AP_DLIT)
		return ap_text(p, p->i++);
	if (ap_tok(p)->type != AP_ATOM) {
		ap_fail(p, "expected a domain, got %s", ap_describe(p, tmp, sizeof(tmp)));
		return NULL;
	}
	buf_init(&b);
	for (;;) {
		buf_add(&b, p->arena.data + ap_tok(p)->off, ap_tok(p)->len);
		p->i++;
		if (!ap_is(p, '.'))
			break;
		p->i++;
		buf_addc(&b, '.');
		if (ap_tok(p)->type != AP_ATOM)
			break;	/* one trailing dot: removed below */
	}
	d = address_domain_normalize(b.data, b.len);
	if (d == NULL)
		ap_fail(p, "invalid domain \"%.60s\"", b.data);
	buf_free(&b);
	return d;
}

/* ap_add - append a mailbox (strings taken over) */
static void
ap_add(struct ap *p, char *display, char *local, char *domain)
{
	struct address_list *l = p->out;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n].display = display;
	l->v[l->n].local = local;
	l->v[l->n].domain = domain;
	l->n++;
}

/* ap_addr_spec - local "@" domain, the local part being tokens [from, i) */
static int
ap_addr_spec(struct ap *p, size_t from, char *display)
{
	char *local, *domain, tmp[64];

	if (!ap_is(p, '@')) {
		free(display);
		if (from == p->i)
			return ap_fail(p, "expected an address, got %s",
			    ap_describe(p, tmp, sizeof(tmp)));
		return ap_fail(p, "mailbox without a domain");
	}
	if ((local = ap_local(p, from, p->i)) == NULL) {
		free(display);
		return -1;
	}
	p->i++;
	if ((domain = ap_domain(p)) == NULL) {
		free(display);
		free(local);
		return -1;
	}
	ap_add(p, display, local, domain);
	return 0;
}

/* ap_angle - angle-addr with obs-route (3.4, 4.4); display taken over */
static int
ap_angle(struct ap *p, char *display)
{
	size_t from;
	char tmp[64];

	p->i++;				/* '<' */
	if (ap_is(p, '@') || ap_is(p, ',')) {
		/* obs-route: skip "@a,@b:" */
		while (ap_tok(p)->type != AP_END && !ap_is(p, ':') && !ap_is(p, '>'))
			p->i++;
		if (!ap_is(p, ':')) {
			free(display);
			return ap_fail(p, "malformed route in angle address");
		}
		p->i++;
	}
	if (ap_is(p, '>')) {
		free(display);
		return ap_fail(p, "empty angle address");
	}
	from = p->i;
	while (ap_word(p, p->i) || ap_is(p, '.'))
		p->i++;
	if (ap_addr_spec(p, from, display) != 0)
		return -1;
	if (!ap_is(p, '>'))
		return ap_fail(p, "expected '>', got %s", ap_describe(p, tmp, sizeof(tmp)));
	p->i++;
	return 0;
}

/* ap_address - name-addr, addr-spec, or a group when allowed (3.4) */
static int
ap_address(struct ap *p, int in_group)
{
	size_t from = p->i;

	if (ap_is(p, '<'))
		return ap_angle(p, NULL);
	while (ap_word(p, p->i) || ap_is(p, '.'))
		p->i++;
	if (ap_is(p, '<')) {
		if (from == p->i)
			return ap_angle(p, NULL);
		return ap_angle(p, ap_phrase(p, from, p->i));
	}
	if (ap_is(p, ':') && from < p->i) {
		/* group = display-name ":" [group-list] ";" (RFC 6854 for From) */
		if (in_group)
			return ap_fail(p, "nested group");
		p->groups++;
		p->i++;
		for (;;) {
			while (ap_is(p, ','))
				p->i++;
			if (ap_is(p, ';'))
				break;
			if (ap_tok(p)->type == AP_END)
				return ap_fail(p, "group without ';'");
			if (ap_address(p, 1) != 0)
				return -1;
			if (!ap_is(p, ',') && !ap_is(p, ';'))
				return ap_fail(p, "expected ',' or ';' in group");
		}
		p->i++;
		return 0;
	}
	return ap_addr_spec(p, from, NULL);
}

/* address_parse_from - see address.h */
int
address_parse_from(const char *value, size_t len, struct address_list *out, char *why,
    size_t whylen)
{
	struct ap p;
	char tmp[64];
	int rc = -1;

	memset(&p, 0, sizeof(p));
	out->n = 0;
	out->v = NULL;
	p.out = out;
	p.why = why;
	p.whylen = whylen;
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	buf_init(&p.arena);
	if (value == NULL || ap_tokenize(&p, value, len) != 0)
		goto done;
	for (;;) {
		while (ap_is(&p, ','))	/* obs-mbox-list: empty elements */
			p.i++;
		if (ap_tok(&p)->type == AP_END)
			break;
		if (ap_address(&p, 0) != 0)
			goto done;
		if (!ap_is(&p, ',') && ap_tok(&p)->type != AP_END) {
			ap_fail(&p, "unexpected %s after address", ap_describe(&p, tmp, sizeof(tmp)));
			goto done;
		}
	}
	if (out->n == 0 && p.groups == 0)
		ap_fail(&p, "no address");
	else
		rc = 0;
done:
	if (rc != 0)
		address_list_free(out);
	free(p.t);
	buf_free(&p.arena);
	return rc;
}

/* address_list_free - release every mailbox; the list is left empty */
void
address_list_free(struct address_list *l)
{
	size_t k;

	if (l == NULL)
		return;
	for (k = 0; k < l->n; k++) {
		free(l->v[k].display);
		free(l->v[k].local);
		free(l->v[k].domain);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* scan_label_char - a byte a lenient domain scan takes into a label */
static int
scan_label_char(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c >= 0x80;
}

/* scan_domain - the domain after the '@' at s[i - 1]: labels and dots, with
 * white space around the dots when wsp; *ip moves past what was read and
 * fn gets the name; returns fn's answer (0 when there was no name) */
static int
scan_domain(const char *s, size_t len, size_t *ip, int wsp,
    int (*fn)(void *, const char *), void *arg, struct buf *b)
{
	size_t i = *ip, j, from, to;
	char *d;
	int rc = 0;

	buf_reset(b);
	for (;;) {
		j = i;
		while (wsp && j < len && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r' || s[j] == '\n'))
			j++;
		if (j < len && s[j] == '.') {
			buf_addc(b, '.');
			i = j + 1;
		} else if (j < len && scan_label_char((unsigned char)s[j]) &&
		    (b->len == 0 || b->data[b->len - 1] == '.')) {
			for (i = j; i < len && scan_label_char((unsigned char)s[i]); i++)
				buf_addc(b, s[i]);
		} else
			break;
	}
	*ip = i;
	for (from = 0; from < b->len && b->data[from] == '.'; from++)
		;
	for (to = b->len; to > from && b->data[to - 1] == '.'; to--)
		;
	if (to > from && (d = address_domain_normalize(b->data + from, to - from)) != NULL) {
		rc = fn(arg, d);
		free(d);
	}
	return rc;
}

/* scan_view - every "@domain" in s; 1 when fn asked to stop */
static int
scan_view(const char *s, size_t len, int wsp, int (*fn)(void *, const char *), void *arg,
    struct buf *b)
{
	size_t i = 0;

	while (i < len) {
		if (s[i++] != '@')
			continue;
		while (wsp && i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
			i++;
		if (scan_domain(s, len, &i, wsp, fn, arg, b) != 0)
			return 1;
	}
	return 0;
}

/* scan_uncomment - s with every comment (RFC 5322 3.2.2, nested, quoted
 * pairs; an unterminated one runs to the end) made a space; quoted strings
 * are kept, a '(' inside one is no comment */
static void
scan_uncomment(const char *s, size_t len, struct buf *out)
{
	size_t i, depth = 0;
	int quoted = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (depth > 0) {
			if (c == '\\')
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')' && --depth == 0)
				buf_addc(out, ' ');
			continue;
		}
		if (c == '\\' && i + 1 < len) {
			buf_addc(out, c);
			buf_addc(out, s[++i]);
			continue;
		}
		if (c == '"')
			quoted = !quoted;
		else if (c == '(' && !quoted) {
			depth = 1;
			continue;
		}
		buf_addc(out, c);
	}
	if (depth > 0)
		buf_addc(out, ' ');
}

/* address_scan_domains - see address.h */
void
address_scan_domains(const char *value, size_t len, int (*fn)(void *arg, const char *domain),
    void *arg)
{
	struct buf b = BUF_INIT, view = BUF_INIT;

	if (value == NULL)
		return;
	buf_init(&b);
	buf_init(&view);
	if (scan_view(value, len, 0, fn, arg, &b) == 0) {
		scan_uncomment(value, len, &view);
		(void)scan_view(view.data, view.len, 1, fn, arg, &b);
	}
	buf_free(&view);
	buf_free(&b);
}

/* address_domain_normalize - see address.h */
char *
address_domain_normalize(const char *d, size_t len)
{
	char *copy, *ascii = NULL, *res;
	size_t k;
	int eight = 0, rc;

	if (d == NULL)
		return NULL;
	if (len > 0 && d[len - 1] == '.')
		len--;
	if (len == 0 || d[0] == '.' || len > 1024)
		return NULL;
	for (k = 0; k < len; k++) {
		if (d[k] == '\0' || (d[k] == '.' && k + 1 < len && d[k + 1] == '.'))
			return NULL;
		if ((unsigned char)d[k] >= 0x80)
			eight = 1;
	}
	copy = xstrndup(d, len);
	if (!eight) {
		for (k = 0; k < len; k++)
			copy[k] = (char)tolower((unsigned char)copy[k]);
		return copy;
	}
	/* RFC 9989 section 5.3.1: U-labels become A-labels */
	rc = idn2_to_ascii_8z(copy, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	free(copy);
	if (rc != IDN2_OK || ascii == NULL)
		return NULL;
	res = xstrdup(ascii);
	idn2_free(ascii);
	for (k = 0; res[k]; k++)
		res[k] = (char)tolower((unsigned char)res[k]);
	return res;
}

/* path_local - RFC 5321 4.1.2 Local-part (Dot-string / Quoted-string) at s */
static const char *
path_local(const char *s, const char *end, struct buf *out)
{
	int prev_dot = 1;

	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				return NULL;
			buf_addc(out, *s);
		}
		return s < end ? s + 1 : NULL;
	}
	for (; s < end && *s != '@'; s++) {
		if (*s == '.') {
			if (prev_dot)
				return NULL;
			prev_dot = 1;
		} else if (ap_atext((unsigned char)*s))
			prev_dot = 0;
		else
			return NULL;
		buf_addc(out, *s);
	}
	return (out->len == 0 || prev_dot) ? NULL : s;
}

/* path_domain - RFC 5321 Domain / address-literal: nothing else may follow */
static char *
path_domain(const char *s, const char *end)
{
	const char *k;

	if (s < end && *s == '[') {
		for (k = s + 1; k < end && *k != ']'; k++)
			if (*k == '[' || *k == '\\' || (unsigned char)*k <= 0x20 || *k == 0x7f)
				return NULL;
		if (k + 1 != end)
			return NULL;
		return xstrndup(s, (size_t)(end - s));
	}
	for (k = s; k < end; k++)
		if (!isalnum((unsigned char)*k) && *k != '-' && *k != '.' && *k != '_' &&
		    (unsigned char)*k < 0x80)
			return NULL;	/* "(", ">", spaces: never part of a domain */
	return address_domain_normalize(s, (size_t)(end - s));
}

/* path_bounds - the path inside mail_from: white space, angle brackets
 * and a source route ("@a,@b:") taken off; 0 with [*s, *end), 1 for the
 * null path, -1 when malformed */
static int
path_bounds(const char *mail_from, const char **sp, const char **endp)
{
	const char *s = mail_from, *end;

	if (s == NULL)
		return -1;
	end = s + strlen(s);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		end--;
	if (s < end && *s == '<') {
		if (end[-1] != '>' || end - s < 2)
			return -1;
		s++;
		end--;
	}
	if (s == end)
		return 1;	/* null reverse-path */
	if (*s == '@') {	/* source route */
		while (s < end && *s != ':')
			s++;
		if (s == end)
			return -1;
		s++;
	}
	*sp = s;
	*endp = end;
	return 0;
}

/* address_parse_path - see address.h */
int
address_parse_path(const char *mail_from, char **local, char **domain)
{
	const char *s, *end, *at;
	struct buf lp = BUF_INIT;
	int rc;

	*local = *domain = NULL;
	if ((rc = path_bounds(mail_from, &s, &end)) != 0)
		return rc;
	buf_init(&lp);
	if ((at = path_local(s, end, &lp)) == NULL || (at < end && *at != '@')) {
		buf_free(&lp);
		return -1;
	}
	if (at < end && (*domain = path_domain(at + 1, end)) == NULL) {
		buf_free(&lp);
		return -1;
	}
	*local = buf_steal(&lp);
	return 0;
}

/* address_domain_of - see address.h */
char *
address_domain_of(const char *path)
{
	const char *s, *end, *at = NULL, *p;

	if (path_bounds(path, &s, &end) != 0)
		return NULL;
	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	return at ? path_domain(at + 1, end) : NULL;
}
