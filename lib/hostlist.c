/*
 * hostlist.c - address/network/host-name lists with negation
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dataset.h"
#include "hostlist.h"
#include "tables.h"

struct host_entry {
	int		neg;
	int		family;		/* AF_INET, AF_INET6, or 0 for a name */
	unsigned char	addr[16];
	int		prefix;
	char	       *name;		/* lower case; leading '.' means subdomains */
	int		glob;		/* name is a refile: pattern with '*' */
};

struct hostlist {
	struct host_entry *e;
	size_t		n;
};

/* entry_address - s as an address or network ("[addr]" as Postfix writes
 * it, "/len" optional) into en: 1 when it is one, 0 when it is not (with
 * *slashed set when s has a '/'), -1 when its prefix length is bad */
static int
entry_address(struct host_entry *en, const char *s, int *slashed)
{
	char addr[INET6_ADDRSTRLEN + 8], *slash, *end;
	size_t len = strlen(s);
	long p;

	if (s[0] == '[' && s[len - 1] == ']')
		snprintf(addr, sizeof(addr), "%.*s", (int)len - 2, s + 1);
	else if (len < sizeof(addr))
		snprintf(addr, sizeof(addr), "%s", s);
	else
		addr[0] = '\0';
	if ((slash = strchr(addr, '/')) != NULL)
		*slash = '\0';
	*slashed = slash != NULL;
	if (inet_pton(AF_INET, addr, en->addr) == 1)
		en->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, en->addr) == 1)
		en->family = AF_INET6;
	else
		return 0;
	en->prefix = en->family == AF_INET ? 32 : 128;
	if (slash == NULL)
		return 1;
	errno = 0;
	p = strtol(slash + 1, &end, 10);
	if (errno || end == slash + 1 || *end || p < 0 || p > en->prefix)
		return -1;
	en->prefix = (int)p;
	return 1;
}

/* entry_name - s as a host name (".example" or "*.example" for the
 * subdomains) or, with globs, a '*' pattern, lower-cased into en; -1 when
 * it is neither */
static int
entry_name(struct host_entry *en, const char *s, int globs)
{
	const char *c;
	char *l;

	if (s[0] == '*' && s[1] == '.' && strchr(s + 1, '*') == NULL)
		s++;
	else if (globs && strchr(s, '*') != NULL)
		en->glob = 1;
	for (c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '-' && *c != '.' && *c != '_' &&
		    !(en->glob && (*c == '*' || *c == ':')))
			return -1;
	en->name = xstrdup(s);
	for (l = en->name; *l; l++)
		*l = (char)tolower((unsigned char)*l);
	return 0;
}

/* add_entry - parse one entry; -1 with the reason in err.  With globs (a
 * refile: data set) an entry holding '*' is a pattern matched against the
 * client's host name and its address text, as OpenDKIM matches refile:. */
static int
add_entry(struct hostlist *h, const char *tok, int globs, struct buf *err)
{
	struct host_entry en;
	const char *s = tok;
	int slashed;

	memset(&en, 0, sizeof(en));
	if (*s == '!') {
		en.neg = 1;
		s++;
	}
	if (*s == '\0') {
		buf_printf(err, "\"%s\": empty entry", tok);
		return -1;
	}
	switch (entry_address(&en, s, &slashed)) {
	case -1:
		buf_printf(err, "\"%s\": bad prefix length", tok);
		return -1;
	case 0:
		if (slashed) {
			buf_printf(err, "\"%s\": not an address or network", tok);
			return -1;
		}
		if (entry_name(&en, s, globs) != 0) {
			buf_printf(err, "\"%s\": not an address, network or host name", tok);
			return -1;
		}
		break;
	}
	h->e = xrealloc(h->e, (h->n + 1) * sizeof(*h->e));
	h->e[h->n++] = en;
	return 0;
}

/* parse_text - entries separated by commas, white space and lines */
static struct hostlist *
parse_text(const char *name, const char *text, int globs, struct buf *err)
{
	struct hostlist *h = xcalloc(1, sizeof(*h));
	const char *p = text;
	size_t lineno = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t ll = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, ll), *hash, *tok, *save;

		lineno++;
		p += ll + (nl ? 1 : 0);
		if ((hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (tok = strtok_r(line, ", \t\r", &save); tok; tok = strtok_r(NULL, ", \t\r", &save)) {
			struct buf why = BUF_INIT;

			buf_init(&why);
			if (add_entry(h, tok, globs, &why) != 0) {
				if (name)
					buf_printf(err, "%s:%zu: %s", name, lineno, why.data);
				else
					buf_adds(err, why.data);
				buf_free(&why);
				free(line);
				hostlist_free(h);
				return NULL;
			}
			buf_free(&why);
		}
		free(line);
	}
	return h;
}

/* hostlist_parse - see hostlist.h */
struct hostlist *
hostlist_parse(const char *name, const char *text, struct buf *err)
{
	return parse_text(name, text, 0, err);
}

/* hostlist_new - any data set form (dataset.h) */
struct hostlist *
hostlist_new(const char *spec, struct buf *err)
{
	struct buf text = BUF_INIT;
	enum dataset_kind kind;
	struct hostlist *h;
	const char *name;

	if (spec == NULL)
		return xcalloc(1, sizeof(struct hostlist));
	buf_init(&text);
	if (dataset_text(spec, &text, &kind, &name, err) != 0) {
		buf_free(&text);
		return NULL;
	}
	h = parse_text(name, text.data, kind == DATASET_REFILE, err);
	buf_free(&text);
	return h;
}

/* prefix_match - do the first bits of a and b agree? */
static int
prefix_match(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((a[full] ^ b[full]) & (0xff << (8 - rest))) == 0;
}

/* name_match - length of the matching entry name, 0 when it does not match */
static size_t
name_match(const char *entry, const char *host)
{
	size_t el = strlen(entry), hl = strlen(host);

	if (hl && host[hl - 1] == '.')
		hl--;
	if (entry[0] == '.') {
		if (hl > el && strncasecmp(host + hl - el, entry, el) == 0)
			return el;
		return 0;
	}
	if (hl == el && strncasecmp(host, entry, el) == 0)
		return el + 1;	/* an exact name beats a suffix of equal length */
	return 0;
}

/* count_stars - how many '*' a pattern holds */
static int
count_stars(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '*';
	return n;
}

/* hostlist_match - see hostlist.h */
int
hostlist_match(const struct hostlist *h, const char *ip, const char *hostname)
{
	unsigned char a[16];
	int fam = 0, best = -1, bestneg = 0;
	size_t i, bestname = 0;
	int nameneg = 0, named = 0;

	if (h == NULL || h->n == 0)
		return 0;
	if (ip && inet_pton(AF_INET, ip, a) == 1)
		fam = AF_INET;
	else if (ip && inet_pton(AF_INET6, ip, a) == 1) {
		static const unsigned char v4mapped[12] = { 0,0,0,0,0,0,0,0,0,0,0xff,0xff };

		fam = AF_INET6;
		if (memcmp(a, v4mapped, 12) == 0) {	/* ::ffff:a.b.c.d */
			memmove(a, a + 12, 4);
			fam = AF_INET;
		}
	}
	for (i = 0; i < h->n; i++) {
		const struct host_entry *e = &h->e[i];

		if (e->family && e->family == fam) {
			if (e->prefix > best && prefix_match(a, e->addr, e->prefix)) {
				best = e->prefix;
				bestneg = e->neg;
			}
		} else if (e->glob) {
			/* a pattern ranks below an exact name or suffix of its length */
			size_t l = strlen(e->name) - (size_t)count_stars(e->name);

			if ((!named || l > bestname) && ((ip && tables_glob(e->name, ip)) ||
			    (hostname && *hostname && hostname[0] != '[' && tables_glob(e->name, hostname)))) {
				bestname = l;
				nameneg = e->neg;
				named = 1;
			}
		} else if (!e->family && hostname && *hostname && hostname[0] != '[') {
			size_t l = name_match(e->name, hostname);

			if (l > 0 && (!named || l > bestname)) {
				bestname = l;
				nameneg = e->neg;
				named = 1;
			}
		}
	}
	if (best >= 0)
		return !bestneg;
	if (named)
		return !nameneg;
	return 0;
}

/* hostlist_empty - 1 when nothing can match */
int
hostlist_empty(const struct hostlist *h)
{
	return h == NULL || h->n == 0;
}

/* hostlist_free - release the list */
void
hostlist_free(struct hostlist *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->e[i].name);
	free(h->e);
	free(h);
}
