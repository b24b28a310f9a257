/*
 * conf.c - configuration parsing, validation and generated documentation
 *
 * Format (OpenDKIM's): one "Keyword value" per line, '#' starts a comment,
 * keywords are case-insensitive.  Every error names file:line and keyword.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "conf_compat.h"
#include "fileio.h"
#include "log.h"

#define FIELD(c, k, t)	((t *)(void *)((char *)(c) + (k)->offset))

/* conf_word_in - see conf.h */
int
conf_word_in(const char *words, const char *v)
{
	size_t len = strlen(v);
	const char *p = words;

	while (p && *p) {
		const char *bar = strchr(p, '|');
		size_t wl = bar ? (size_t)(bar - p) : strlen(p);

		if (wl == len && strncasecmp(p, v, len) == 0)
			return 1;
		p = bar ? bar + 1 : NULL;
	}
	return 0;
}

/* set_ignored - CONF_IGNORED: nothing is stored (conf_parse adds a notice) */
static int
set_ignored(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	return 0;
}

/* set_str - CONF_STR: a copy of v, after the row's check */
static int
set_str(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	if (k->check && k->check(v, err) != 0)
		return -1;
	free(*FIELD(c, k, char *));
	*FIELD(c, k, char *) = xstrdup(v);
	return 0;
}

/* set_enum - CONF_ENUM: one of the row's choices, then as a string */
static int
set_enum(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	if (!conf_word_in(k->choices, v)) {
		buf_printf(err, "\"%s\" is not one of %s", v, k->choices);
		return -1;
	}
	return set_str(c, k, v, err);
}

/* set_bool - CONF_BOOL: yes/true/on/1 or no/false/off/0 */
static int
set_bool(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	if (conf_word_in("yes|true|on|1", v))
		*FIELD(c, k, int) = 1;
	else if (conf_word_in("no|false|off|0", v))
		*FIELD(c, k, int) = 0;
	else {
		buf_printf(err, "\"%s\" is not yes or no", v);
		return -1;
	}
	return 0;
}

/* set_number - CONF_INT (decimal) and CONF_OCTAL, within the row's bounds */
static int
set_number(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	int octal = k->type == CONF_OCTAL;
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, octal ? 8 : 10);
	if (errno || end == v || *end != '\0') {
		buf_printf(err, "\"%s\" is not %s number", v, octal ? "an octal" : "a");
		return -1;
	}
	if (n < k->min || n > k->max) {
		if (octal)
			buf_printf(err, "%s is out of range (%lo..%lo)", v, k->min, k->max);
		else
			buf_printf(err, "%ld is out of range (%ld..%ld)", n, k->min, k->max);
		return -1;
	}
	*FIELD(c, k, long) = n;
	return 0;
}

/* set_list - CONF_LIST: words separated by commas and/or white space, each
 * after the row's check; the list replaces the previous one */
static int
set_list(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	char *copy, *tok, *save;

	strlist_free(FIELD(c, k, struct strlist));
	copy = xstrdup(v);
	for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (k->check && k->check(tok, err) != 0) {
			free(copy);
			return -1;
		}
		strlist_add(FIELD(c, k, struct strlist), tok);
	}
	free(copy);
	return 0;
}

/* release_str - the string of a CONF_STR or CONF_ENUM row */
static void
release_str(struct conf *c, const struct conf_key *k)
{
	free(*FIELD(c, k, char *));
}

/* release_list - the list of a CONF_LIST row */
static void
release_list(struct conf *c, const struct conf_key *k)
{
	strlist_free(FIELD(c, k, struct strlist));
}

/* what each value type does: store a value (0, or -1 with the reason in
 * err), release what it stored (NULL: nothing to release), and how a
 * value is written in the documentation (NULL: the row's choices) */
static const struct {
	int	      (*set)(struct conf *, const struct conf_key *, const char *, struct buf *);
	void	      (*release)(struct conf *, const struct conf_key *);
	const char     *word;
} types[] = {
	[CONF_STR] = { set_str, release_str, "string" },
	[CONF_BOOL] = { set_bool, NULL, "yes|no" },
	[CONF_INT] = { set_number, NULL, "number" },
	[CONF_OCTAL] = { set_number, NULL, "octal" },
	[CONF_LIST] = { set_list, release_list, "list" },
	[CONF_ENUM] = { set_enum, release_str, NULL },
	[CONF_IGNORED] = { set_ignored, NULL, "ignored" },
};

/* set_value - store value v for key k in c; 0 ok, -1 with the reason in err */
static int
set_value(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	return types[k->type].set(c, k, v, err);
}

/* conf_defaults - snapshot holding every default */
struct conf *
conf_defaults(void)
{
	struct conf *c = xcalloc(1, sizeof(*c));
	const struct conf_key *keys;
	struct buf err = BUF_INIT;
	size_t i, n;

	keys = conf_keys(&n);
	for (i = 0; i < n; i++) {
		if (keys[i].def == NULL)
			continue;
		buf_reset(&err);
		if (set_value(c, &keys[i], keys[i].def, &err) != 0)
			fatalx("internal: default of %s: %s", keys[i].name, err.data);
	}
	buf_free(&err);
	return c;
}

/* conf_free - release a snapshot */
void
conf_free(struct conf *c)
{
	const struct conf_key *keys;
	size_t i, n;

	if (c == NULL)
		return;
	keys = conf_keys(&n);
	for (i = 0; i < n; i++)
		if (types[keys[i].type].release != NULL)
			types[keys[i].type].release(c, &keys[i]);
	strlist_free(&c->notices);
	free(c->key_line);
	free(c->path);
	free(c);
}

/* conf_key_line - see conf.h */
size_t
conf_key_line(const struct conf *c, const char *name)
{
	const struct conf_key *k = conf_key_find(name);
	size_t n;

	if (c->key_line == NULL || k == NULL)
		return 0;
	return c->key_line[k - conf_keys(&n)];
}

/* split_line - cut a comment off line and split it, in place, into the
 * keyword and the value (white space around both removed) */
static void
split_line(char *line, char **kw, char **val)
{
	char *s, *hash;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	for (s = line; *s && isspace((unsigned char)*s); s++)
		;
	*kw = s;
	while (*s && !isspace((unsigned char)*s))
		s++;
	if (*s)
		*s++ = '\0';
	while (*s && isspace((unsigned char)*s))
		s++;
	*val = s;
	s = *val + strlen(*val);
	while (s > *val && isspace((unsigned char)s[-1]))
		*--s = '\0';
}

/* add_notice - one "file:line: Keyword: what text" notice for conf_log_notices */
static void
add_notice(struct conf *c, const char *name, size_t lineno, const char *kw, const char *what,
    const char *text)
{
	struct buf b = BUF_INIT;

	buf_init(&b);
	buf_printf(&b, "%s:%zu: %s: %s%s", name, lineno, kw, what, text);
	strlist_add(&c->notices, b.data);
	buf_free(&b);
}

/*
 * compat_line - a keyword that is not ours: its OpenDKIM/OpenDMARC fate
 * (conf_compat.c).  0: the line is done (taken, perhaps with a notice);
 * 1: an alias, *k and *alias (caller frees) are the keyword and value to
 * set; -1: refused or unknown, the reason in err.
 */
static int
compat_line(struct conf *c, const char *name, size_t lineno, const char *kw, const char *val,
    const struct conf_key **k, char **alias, struct buf *err)
{
	const struct conf_compat *r = conf_compat_find(kw);
	struct buf why = BUF_INIT;
	int rc = 0;

	if (r == NULL) {
		buf_printf(err, "%s:%zu: %s: unknown keyword", name, lineno, kw);
		return -1;
	}
	buf_init(&why);
	switch (conf_compat_apply(r, val, alias, &why)) {
	case COMPAT_OUT_QUIET:
		break;
	case COMPAT_OUT_NOTICE:
		add_notice(c, name, lineno, r->name, "", why.data);
		break;
	case COMPAT_OUT_ALIAS:
		if ((*k = conf_key_find(r->target)) == NULL)
			fatalx("internal: %s: alias of unknown keyword %s", r->name, r->target);
		buf_reset(&why);
		buf_printf(&why, "taken as %s %s", r->target, *alias);
		add_notice(c, name, lineno, r->name, "", why.data);
		rc = 1;
		break;
	default:
		buf_printf(err, "%s:%zu: %s: %s", name, lineno, r->name, why.data);
		rc = -1;
	}
	buf_free(&why);
	return rc;
}

/* conf_log_notices - see conf.h */
void
conf_log_notices(const struct conf *c)
{
	size_t i;

	for (i = 0; i < c->notices.n; i++)
		log_warnx("%s", c->notices.v[i]);
}

/* struct parse - one conf_parse run: the snapshot it fills, where it is */
struct parse {
	struct conf    *c;
	const char     *name;		/* the file, for messages */
	size_t		lineno;
	size_t	       *seen_line;	/* per row of the table: line that set it, or 0 */
	struct buf     *err;
};

/* set_line - k = val from the current line, once per file; kw is the word
 * the line says (another keyword's when aliased).  0 ok, -1 with err */
static int
set_line(struct parse *ps, const struct conf_key *k, const char *kw, const char *val,
    int aliased)
{
	size_t nkeys, *seen = &ps->seen_line[k - conf_keys(&nkeys)];
	struct buf why = BUF_INIT;

	if (*seen) {
		if (aliased)	/* name both: the line says kw, k is what it sets */
			buf_printf(ps->err, "%s:%zu: %s (%s): already set at line %zu", ps->name,
			    ps->lineno, kw, k->name, *seen);
		else
			buf_printf(ps->err, "%s:%zu: %s: already set at line %zu", ps->name,
			    ps->lineno, k->name, *seen);
		return -1;
	}
	*seen = ps->lineno;
	buf_init(&why);
	if (set_value(ps->c, k, val, &why) != 0) {
		buf_printf(ps->err, "%s:%zu: %s: %s", ps->name, ps->lineno, k->name, why.data);
		buf_free(&why);
		return -1;
	}
	if (k->type == CONF_IGNORED)
		add_notice(ps->c, ps->name, ps->lineno, k->name, "ignored: ", k->help);
	buf_free(&why);
	return 0;
}

/* known_name - the spelling of kw in our table or the compat table, NULL
 * when it is in neither */
static const char *
known_name(const char *kw)
{
	const struct conf_key *k = conf_key_find(kw);
	const struct conf_compat *r;

	if (k != NULL)
		return k->name;
	return (r = conf_compat_find(kw)) != NULL ? r->name : NULL;
}

/* parse_line - one line of ll bytes (a copy the function may cut up);
 * 0 ok (a blank line too), -1 with err */
static int
parse_line(struct parse *ps, char *line, size_t ll)
{
	const struct conf_key *k;
	char *kw, *val, *alias = NULL;
	int rc;

	if (memchr(line, '\0', ll) != NULL) {
		buf_printf(ps->err, "%s:%zu: NUL byte in line", ps->name, ps->lineno);
		return -1;
	}
	split_line(line, &kw, &val);
	if (*kw == '\0')
		return 0;
	if (*val == '\0' && known_name(kw) != NULL) {
		buf_printf(ps->err, "%s:%zu: %s: missing value", ps->name, ps->lineno,
		    known_name(kw));
		return -1;
	}
	if ((k = conf_key_find(kw)) == NULL) {
		rc = compat_line(ps->c, ps->name, ps->lineno, kw, val, &k, &alias, ps->err);
		if (rc <= 0)
			return rc;	/* refused, or taken without a value to set */
		val = alias;
	}
	rc = set_line(ps, k, kw, val, alias != NULL);
	free(alias);
	return rc;
}

/* conf_parse - parse text; name appears in error messages */
struct conf *
conf_parse(const char *name, const char *text, size_t len, struct buf *err)
{
	struct parse ps;
	const char *p = text, *end = text + len;
	size_t nkeys;
	int rc = 0;

	memset(&ps, 0, sizeof(ps));
	ps.c = conf_defaults();
	ps.name = name;
	ps.err = err;
	(void)conf_keys(&nkeys);
	ps.seen_line = xcalloc(nkeys, sizeof(*ps.seen_line));
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, ll);

		ps.lineno++;
		p += ll + (nl ? 1 : 0);
		rc = parse_line(&ps, line, ll);
		free(line);
	}
	ps.c->key_line = ps.seen_line;
	if (rc != 0) {
		conf_free(ps.c);
		return NULL;
	}
	ps.c->path = xstrdup(name);
	return ps.c;
}

/* conf_load - read and parse a file */
struct conf *
conf_load(const char *path, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct conf *c = NULL;

	if (fileio_read(&text, path, err) == 0)
		c = conf_parse(path, text.data, text.len, err);
	buf_free(&text);
	return c;
}

/* conf_check_socket - inet:PORT@HOST, inet6:PORT@[ADDR], local:/PATH, unix:/PATH */
int
conf_check_socket(const char *v, struct buf *err)
{
	const char *at;
	char *end;
	long port;

	if (!strncmp(v, "local:", 6) || !strncmp(v, "unix:", 5)) {
		const char *path = strchr(v, ':') + 1;

		if (*path != '/') {
			buf_printf(err, "\"%s\": local socket needs an absolute path", v);
			return -1;
		}
		return 0;
	}
	if (!strncmp(v, "inet:", 5) || !strncmp(v, "inet6:", 6)) {
		const char *ps = strchr(v, ':') + 1;

		port = strtol(ps, &end, 10);
		at = strchr(ps, '@');
		if (end == ps || (*end != '\0' && *end != '@') || port < 1 || port > 65535) {
			buf_printf(err, "\"%s\": bad port (want inet:PORT@HOST)", v);
			return -1;
		}
		if (at && at[1] == '\0') {
			buf_printf(err, "\"%s\": empty host after @", v);
			return -1;
		}
		return 0;
	}
	buf_printf(err, "\"%s\": want inet:PORT@HOST, inet6:PORT@[ADDR] or local:/PATH", v);
	return -1;
}

/* conf_check_nameserver - ADDR, ADDR:PORT, [IPV6]:PORT or a bare IPv6 address */
int
conf_check_nameserver(const char *v, struct buf *err)
{
	char addr[INET6_ADDRSTRLEN + 1];
	unsigned char bin[16];
	const char *port = NULL, *close_br;
	size_t al;

	if (v[0] == '[') {
		if ((close_br = strchr(v, ']')) == NULL)
			goto bad;
		al = (size_t)(close_br - v - 1);
		if (al >= sizeof(addr))
			goto bad;
		memcpy(addr, v + 1, al);
		addr[al] = '\0';
		if (close_br[1] == ':')
			port = close_br + 2;
		else if (close_br[1] != '\0')
			goto bad;
		if (inet_pton(AF_INET6, addr, bin) != 1)
			goto bad;
	} else if (strchr(v, ':') != NULL && strchr(v, ':') != strrchr(v, ':')) {
		if (inet_pton(AF_INET6, v, bin) != 1)
			goto bad;
	} else {
		const char *colon = strchr(v, ':');

		al = colon ? (size_t)(colon - v) : strlen(v);
		if (al >= sizeof(addr))
			goto bad;
		memcpy(addr, v, al);
		addr[al] = '\0';
		if (colon)
			port = colon + 1;
		if (inet_pton(AF_INET, addr, bin) != 1)
			goto bad;
	}
	if (port != NULL) {
		char *end;
		long pn = strtol(port, &end, 10);

		if (end == port || *end || pn < 1 || pn > 65535)
			goto bad;
	}
	return 0;
bad:
	buf_printf(err, "\"%s\" is not ADDR[:PORT] or [IPV6]:PORT", v);
	return -1;
}

/* type_word - how a value of this type is written, for the documentation */
static const char *
type_word(const struct conf_key *k)
{
	return types[k->type].word ? types[k->type].word : k->choices;
}

/* write_rows - every row of the table (the CONF_IGNORED ones only when
 * ignored is set) through row, with heading before each new section */
static void
write_rows(struct buf *out, int ignored, void (*heading)(struct buf *, const char *),
    void (*row)(struct buf *, const struct conf_key *))
{
	const struct conf_key *keys;
	const char *section = NULL;
	size_t i, n;

	keys = conf_keys(&n);
	for (i = 0; i < n; i++) {
		if (keys[i].type == CONF_IGNORED && !ignored)
			continue;
		if (section == NULL || strcmp(section, keys[i].section) != 0) {
			section = keys[i].section;
			heading(out, section);
		}
		row(out, &keys[i]);
	}
}

/* sample_heading - a section of the sample file */
static void
sample_heading(struct buf *out, const char *section)
{
	buf_printf(out, "\n## %s\n", section);
}

/* sample_row - a keyword of the sample file: help, then its default
 * commented out */
static void
sample_row(struct buf *out, const struct conf_key *k)
{
	buf_printf(out, "\n# %s (%s): %s\n", k->name, type_word(k), k->help);
	if (k->def)
		buf_printf(out, "#%s %s\n", k->name, k->def);
	else
		buf_printf(out, "#%s\n", k->name);
}

/* conf_write_sample - a complete sample file, defaults commented out */
void
conf_write_sample(struct buf *out)
{
	buf_adds(out, "# authmilter.conf - sample configuration (generated from the keyword table;\n"
	    "# see authmilter.conf(5)).  Lines starting with '#' are comments; a keyword\n"
	    "# left commented out takes the default shown.\n");
	write_rows(out, 0, sample_heading, sample_row);
}

/* man_heading - a section of the man page */
static void
man_heading(struct buf *out, const char *section)
{
	buf_adds(out, ".SH ");
	conf_compat_man_text(out, section);
	buf_adds(out, "\n");
}

/* man_row - a keyword of the man page: type, default, bounds, help */
static void
man_row(struct buf *out, const struct conf_key *k)
{
	buf_printf(out, ".TP\n.B %s\n(", k->name);
	conf_compat_man_text(out, type_word(k));
	if (k->def) {
		buf_adds(out, "; default ");
		conf_compat_man_text(out, k->def);
	}
	if (k->type == CONF_INT)
		buf_printf(out, "; %ld to %ld", k->min, k->max);
	buf_adds(out, ")\n");
	conf_compat_man_text(out, k->help);
	buf_adds(out, ".\n");
}

/* conf_write_man - authmilter.conf(5) */
void
conf_write_man(struct buf *out, const char *version)
{
	buf_printf(out, "'\\\" t\n"
	    ".\\\" generated from lib/conf_keys.c and lib/conf_compat.c by authmilter --dump-man\n"
	    ".TH AUTHMILTER.CONF 5 \"\" \"authmilter %s\" \"File Formats\"\n"
	    ".SH NAME\nauthmilter.conf \\- configuration file for authmilter(8)\n"
	    ".SH DESCRIPTION\n"
	    "Each line holds one keyword and its value, separated by white space.\n"
	    "Text from \\fB#\\fR to the end of the line is a comment.\n"
	    "Keywords are not case-sensitive and follow OpenDKIM and OpenDMARC names,\n"
	    "so their files can be brought along.  An unknown keyword, a keyword given\n"
	    "twice or a bad value is an error naming the file, line and keyword;\n"
	    "\\fBauthmilter \\-n \\-c\\fR \\fIfile\\fR checks a file.\n"
	    "Lists are separated by commas or spaces.  Lists (host lists, MTA, Domain,\n"
	    "DontSignMailTo, the header lists) take OpenDKIM's data set forms: inline,\n"
	    "\\fBcsl:\\fR\\fIlist\\fR, \\fBfile:\\fR\\fIpath\\fR or an absolute \\fIpath\\fR with\n"
	    "entries one or more a line, or \\fBrefile:\\fR\\fIpath\\fR, whose entries in a host\n"
	    "list may be \\fB*\\fR patterns matched against the client's name and address.\n"
	    "Database data sets (db:, dsn:, ldap:, ...) are refused.\n", version);
	write_rows(out, 1, man_heading, man_row);
	conf_compat_write_man(out);
	buf_adds(out, ".SH SEE ALSO\nauthmilter(8), authmilter-report(8), authmilter-keygen(8)\n");
}
