/*
 * tables.c - OpenDKIM KeyTable and SigningTable: parsing and lookups
 *
 * The formats and the lookup order are those of opendkim.conf(5) so that an
 * operator's existing tables work unchanged; see tables.h.  Parsing is pure
 * (text in, table out); only tables_read touches the file system.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fileio.h"
#include "tables.h"

/* a line split into its key and its value (both trimmed, in place) */
struct tline {
	char	       *key;
	char	       *val;	/* NULL when the line has a key only */
};

/* split_line - strip the comment and blanks; 0 for an empty line */
static int
split_line(char *line, struct tline *tl)
{
	char *p, *e;

	if ((p = strchr(line, '#')) != NULL)
		*p = '\0';
	for (p = line; isspace((unsigned char)*p); p++)
		;
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*p == '\0')
		return 0;
	tl->key = p;
	tl->val = NULL;
	while (*p && !isspace((unsigned char)*p))
		p++;
	if (*p) {
		*p++ = '\0';
		while (isspace((unsigned char)*p))
			p++;
		tl->val = p;
	}
	return 1;
}

/* valid_name - letters, digits and "-_." (a selector or a domain) */
static int
valid_name(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

/* is_path - opendkim.conf(5): a KeyTable key starting with "/", "./" or
 * "../" names a file; anything else is the key itself */
static int
is_path(const char *s)
{
	return s[0] == '/' || strncmp(s, "./", 2) == 0 || strncmp(s, "../", 3) == 0;
}

/* each_line - call fn on every non-blank, non-comment line of text; the
 * first reason fn gives becomes "name:line: reason" in err and -1 */
static int
each_line(const char *name, const char *text, size_t len,
    const char *(*fn)(struct tline *, size_t, void *), void *arg, struct buf *err)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, ll);
		struct tline tl;
		const char *why = NULL;

		lineno++;
		p += ll + (nl ? 1 : 0);
		if (split_line(line, &tl))
			why = fn(&tl, lineno, arg);
		free(line);
		if (why != NULL) {
			buf_printf(err, "%s:%zu: %s", name, lineno, why);
			return -1;
		}
	}
	return 0;
}

/* tables_keytable_row - see tables.h */
const char *
tables_keytable_row(struct keytable *kt, size_t row, const char *name, const char *dom,
    const char *sel, const char *key)
{
	struct keytable_entry e;
	char *c;

	if (*name == '\0')
		return "empty name";
	if (strcmp(dom, "%") != 0 && !valid_name(dom))
		return "bad domain";
	if (!valid_name(sel))
		return "bad selector";
	if (*key == '\0')
		return "empty key";
	memset(&e, 0, sizeof(e));
	e.line = row;
	e.inline_key = !is_path(key);
	if (!e.inline_key && strchr(key, '%') != NULL)
		return "\"%\" in a key path is not supported: keys are loaded once at "
		    "start-up, so write one KeyTable line per domain";
	e.name = xstrdup(name);
	e.domain = xstrdup(dom);
	for (c = e.domain; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	e.selector = xstrdup(sel);
	e.key = xstrdup(key);
	kt->v = xrealloc(kt->v, (kt->n + 1) * sizeof(*kt->v));
	kt->v[kt->n++] = e;
	return NULL;
}

/* tables_keytable_add - each_line callback: one "NAME DOMAIN:SELECTOR:KEY"
 * line; NULL or the reason */
static const char *
tables_keytable_add(struct tline *tl, size_t lineno, void *arg)
{
	char *dom, *sel, *c;

	if (tl->val == NULL)
		return "no DOMAIN:SELECTOR:KEY after the key name";
	dom = tl->val;
	if ((c = strchr(dom, ':')) == NULL)
		return "want DOMAIN:SELECTOR:KEY";
	*c = '\0';
	sel = c + 1;
	if ((c = strchr(sel, ':')) == NULL)
		return "want DOMAIN:SELECTOR:KEY";
	*c = '\0';
	return tables_keytable_row(arg, lineno, tl->key, dom, sel, c + 1);
}

/* tables_keytable_parse - see tables.h */
int
tables_keytable_parse(const char *name, const char *text, size_t len, int refile,
    struct keytable *kt, struct buf *err)
{
	memset(kt, 0, sizeof(*kt));
	kt->refile = refile;
	if (each_line(name, text, len, tables_keytable_add, kt, err) != 0) {
		tables_keytable_free(kt);
		return -1;
	}
	return 0;
}

/* tables_keytable_free - release every entry */
void
tables_keytable_free(struct keytable *kt)
{
	size_t i;

	if (kt == NULL)
		return;
	for (i = 0; i < kt->n; i++) {
		free(kt->v[i].name);
		free(kt->v[i].domain);
		free(kt->v[i].selector);
		free(kt->v[i].key);
	}
	free(kt->v);
	memset(kt, 0, sizeof(*kt));
}

/* tables_keytable_find - see tables.h */
size_t
tables_keytable_find(const struct keytable *kt, const char *name, size_t *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < kt->n && n < max; i++) {
		int hit = kt->refile ? tables_glob(kt->v[i].name, name)
		    : strcasecmp(kt->v[i].name, name) == 0;

		if (hit)
			out[n++] = i;
	}
	return n;
}

/* tables_signtable_line - "PATTERN KEYNAME[,KEYNAME...][:SIGNER]"; NULL or why */
static const char *
tables_signtable_line(struct tline *tl, struct signtable_entry *e)
{
	char *keys, *c, *tok, *save;

	if (tl->val == NULL)
		return "no key name after the pattern";
	keys = tl->val;
	if ((c = strchr(keys, ':')) != NULL) {
		*c = '\0';
		if (c[1] == '\0')
			return "empty signer after \":\"";
		e->signer = xstrdup(c + 1);
	}
	for (tok = strtok_r(keys, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (isspace((unsigned char)*tok))
			tok++;
		c = tok + strlen(tok);
		while (c > tok && isspace((unsigned char)c[-1]))
			*--c = '\0';
		if (*tok)
			strlist_add(&e->keys, tok);
	}
	if (e->keys.n == 0) {
		free(e->signer);
		e->signer = NULL;
		return "no key name after the pattern";
	}
	e->pattern = xstrdup(tl->key);
	return NULL;
}

/* tables_signtable_add - each_line callback: one SigningTable entry */
static const char *
tables_signtable_add(struct tline *tl, size_t lineno, void *arg)
{
	struct signtable *st = arg;
	struct signtable_entry e;
	const char *why;

	memset(&e, 0, sizeof(e));
	e.line = lineno;
	if ((why = tables_signtable_line(tl, &e)) != NULL)
		return why;
	st->v = xrealloc(st->v, (st->n + 1) * sizeof(*st->v));
	st->v[st->n++] = e;
	return NULL;
}

/* tables_signtable_row - see tables.h */
const char *
tables_signtable_row(struct signtable *st, size_t row, const char *pattern, const char *keys)
{
	struct tline tl;
	const char *why;

	if (*pattern == '\0')
		return "empty pattern";
	tl.key = xstrdup(pattern);
	tl.val = xstrdup(keys);
	why = tables_signtable_add(&tl, row, st);
	free(tl.key);
	free(tl.val);
	return why;
}

/* tables_signtable_parse - see tables.h */
int
tables_signtable_parse(const char *name, const char *text, size_t len, int refile,
    struct signtable *st, struct buf *err)
{
	memset(st, 0, sizeof(*st));
	st->refile = refile;
	if (each_line(name, text, len, tables_signtable_add, st, err) != 0) {
		tables_signtable_free(st);
		return -1;
	}
	return 0;
}

/* tables_signtable_free - release every entry */
void
tables_signtable_free(struct signtable *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->n; i++) {
		free(st->v[i].pattern);
		free(st->v[i].signer);
		strlist_free(&st->v[i].keys);
	}
	free(st->v);
	memset(st, 0, sizeof(*st));
}

/* lookup state: collects indices, stops after the first unless multiple */
struct lk {
	const struct signtable *st;
	int		multiple;
	size_t	       *out, max, n;
};

/* lk_exact - add the entries whose key is s; 1 when the walk should stop */
static int
lk_exact(struct lk *l, const char *s)
{
	size_t i, j;

	for (i = 0; i < l->st->n; i++) {
		if (strcasecmp(l->st->v[i].pattern, s) != 0)
			continue;
		for (j = 0; j < l->n; j++)
			if (l->out[j] == i)
				break;
		if (j < l->n)
			continue;
		if (l->n < l->max)
			l->out[l->n++] = i;
		if (!l->multiple || l->n >= l->max)
			return 1;
	}
	return 0;
}

/* tables_signtable_lookup - see tables.h */
size_t
tables_signtable_lookup(const struct signtable *st, const char *user, const char *domain,
    int multiple, int subdomains, size_t *out, size_t max)
{
	struct lk l = { st, multiple, out, max, 0 };
	struct buf k = BUF_INIT;
	const char *p;
	size_t i;

	if (max == 0)
		return 0;
	buf_init(&k);
	if (st->refile) {
		buf_printf(&k, "%s@%s", user, domain);
		for (i = 0; i < st->n; i++)
			if (tables_glob(st->v[i].pattern, k.data)) {
				out[l.n++] = i;
				if (!multiple || l.n >= max)
					break;
			}
		buf_free(&k);
		return l.n;
	}
	buf_printf(&k, "%s@%s", user, domain);
	if (lk_exact(&l, k.data) || lk_exact(&l, domain))
		goto done;
	for (p = strchr(domain, '.'); p; p = strchr(p + 1, '.')) {
		buf_reset(&k);
		buf_printf(&k, "%s@%s", user, p);
		if (lk_exact(&l, k.data) || lk_exact(&l, p))
			goto done;
		/* SubDomains: a bare parent domain covers its subdomains */
		if (subdomains && p[1] && lk_exact(&l, p + 1))
			goto done;
	}
	buf_reset(&k);
	buf_printf(&k, "%s@*", user);
	if (lk_exact(&l, k.data))
		goto done;
	(void)lk_exact(&l, "*");
done:
	buf_free(&k);
	return l.n;
}

/* tables_glob - see tables.h (iterative, backtracking to the last star) */
int
tables_glob(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			mark = s;
		} else if (*pat && tolower((unsigned char)*pat) == tolower((unsigned char)*s)) {
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++mark;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

/* tables_spec - see tables.h */
int
tables_spec(const char *spec, const char **path, int *refile, struct buf *err)
{
	const char *colon = strchr(spec, ':');

	*refile = 0;
	if (strncmp(spec, "refile:", 7) == 0) {
		*refile = 1;
		*path = spec + 7;
	} else if (strncmp(spec, "file:", 5) == 0)
		*path = spec + 5;
	else if (colon == NULL || spec[0] == '/' || spec[0] == '.')
		*path = spec;
	else {
		/* not the whole spec: an OpenDKIM dsn: spec may hold a password */
		buf_printf(err, "unsupported data set type \"%.*s:\" (use a file, "
		    "refile:PATH or pgsql:TABLE:CONNINFO)", (int)(colon - spec), spec);
		return -1;
	}
	if (**path == '\0') {
		buf_printf(err, "%s: empty file name", spec);
		return -1;
	}
	return 0;
}

/* tables_read - see tables.h */
int
tables_read(const char *path, struct buf *out, struct buf *err)
{
	return fileio_read(out, path, err);
}
