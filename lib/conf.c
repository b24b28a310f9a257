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

/* set_value - store value for key in c; 0 ok, -1 with the reason in err */
static int
set_value(struct conf *c, const struct conf_key *k, const char *v, struct buf *err)
{
	char *end, *copy, *tok, *save;
	long n;

	switch (k->type) {
	case CONF_IGNORED:
		return 0;
	case CONF_STR:
	case CONF_ENUM:
		if (k->type == CONF_ENUM) {
			size_t len = strlen(v);
			const char *p = k->choices;
			int found = 0;

			while (p && *p) {
				const char *bar = strchr(p, '|');
				size_t wl = bar ? (size_t)(bar - p) : strlen(p);

				if (wl == len && strncasecmp(p, v, len) == 0)
					found = 1;
				p = bar ? bar + 1 : NULL;
			}
			if (!found) {
				buf_printf(err, "\"%s\" is not one of %s", v, k->choices);
				return -1;
			}
		}
		if (k->check && k->check(v, err) != 0)
			return -1;
		free(*FIELD(c, k, char *));
		*FIELD(c, k, char *) = xstrdup(v);
		return 0;
	case CONF_BOOL:
		if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") || !strcasecmp(v, "on") || !strcmp(v, "1"))
			*FIELD(c, k, int) = 1;
		else if (!strcasecmp(v, "no") || !strcasecmp(v, "false") || !strcasecmp(v, "off") || !strcmp(v, "0"))
			*FIELD(c, k, int) = 0;
		else {
			buf_printf(err, "\"%s\" is not yes or no", v);
			return -1;
		}
		return 0;
	case CONF_INT:
	case CONF_OCTAL:
		errno = 0;
		n = strtol(v, &end, k->type == CONF_OCTAL ? 8 : 10);
		if (errno || end == v || *end != '\0') {
			buf_printf(err, "\"%s\" is not %s number", v, k->type == CONF_OCTAL ? "an octal" : "a");
			return -1;
		}
		if (n < k->min || n > k->max) {
			if (k->type == CONF_OCTAL)
				buf_printf(err, "%s is out of range (%lo..%lo)", v, k->min, k->max);
			else
				buf_printf(err, "%ld is out of range (%ld..%ld)", n, k->min, k->max);
			return -1;
		}
		*FIELD(c, k, long) = n;
		return 0;
	case CONF_LIST:
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
	return -1;
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
	for (i = 0; i < n; i++) {
		if (keys[i].type == CONF_STR || keys[i].type == CONF_ENUM)
			free(*FIELD(c, &keys[i], char *));
		else if (keys[i].type == CONF_LIST)
			strlist_free(FIELD(c, &keys[i], struct strlist));
	}
	strlist_free(&c->notices);
	free(c->path);
	free(c);
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

/* conf_parse - parse text; name appears in error messages */
struct conf *
conf_parse(const char *name, const char *text, size_t len, struct buf *err)
{
	struct conf *c = conf_defaults();
	const char *p = text, *end = text + len;
	size_t nkeys, lineno = 0;
	const struct conf_key *keys = conf_keys(&nkeys);
	size_t *seen_line = xcalloc(nkeys, sizeof(*seen_line));

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = xstrndup(p, ll), *kw, *val, *alias = NULL;
		const struct conf_key *k;
		struct buf why = BUF_INIT;

		lineno++;
		p += ll + (nl ? 1 : 0);
		if (memchr(line, '\0', ll) != NULL) {
			buf_printf(err, "%s:%zu: NUL byte in line", name, lineno);
			free(line);
			goto fail;
		}
		split_line(line, &kw, &val);
		if (*kw == '\0') {
			free(line);
			continue;
		}
		if (*val == '\0' && (conf_key_find(kw) || conf_compat_find(kw))) {
			buf_printf(err, "%s:%zu: %s: missing value", name, lineno,
			    conf_key_find(kw) ? conf_key_find(kw)->name : conf_compat_find(kw)->name);
			free(line);
			goto fail;
		}
		if ((k = conf_key_find(kw)) == NULL) {
			switch (compat_line(c, name, lineno, kw, val, &k, &alias, err)) {
			case -1:
				free(line);
				goto fail;
			case 0:
				free(line);
				continue;
			default:
				val = alias;
			}
		}
		if (seen_line[k - keys]) {
			if (alias)	/* name both: the line says kw, k is what it sets */
				buf_printf(err, "%s:%zu: %s (%s): already set at line %zu", name,
				    lineno, kw, k->name, seen_line[k - keys]);
			else
				buf_printf(err, "%s:%zu: %s: already set at line %zu", name, lineno,
				    k->name, seen_line[k - keys]);
			free(alias);
			free(line);
			goto fail;
		}
		seen_line[k - keys] = lineno;
		buf_init(&why);
		if (set_value(c, k, val, &why) != 0) {
			buf_printf(err, "%s:%zu: %s: %s", name, lineno, k->name, why.data);
			buf_free(&why);
			free(alias);
			free(line);
			goto fail;
		}
		if (k->type == CONF_IGNORED)
			add_notice(c, name, lineno, k->name, "ignored: ", k->help);
		buf_free(&why);
		free(alias);
		free(line);
	}
	free(seen_line);
	c->path = xstrdup(name);
	return c;
fail:
	free(seen_line);
	conf_free(c);
	return NULL;
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
	switch (k->type) {
	case CONF_BOOL: return "yes|no";
	case CONF_INT: return "number";
	case CONF_OCTAL: return "octal";
	case CONF_LIST: return "list";
	case CONF_ENUM: return k->choices;
	case CONF_IGNORED: return "ignored";
	default: return "string";
	}
}

/* conf_write_sample - a complete sample file, defaults commented out */
void
conf_write_sample(struct buf *out)
{
	const struct conf_key *keys;
	const char *section = NULL;
	size_t i, n;

	keys = conf_keys(&n);
	buf_adds(out, "# authmilter.conf - sample configuration (generated from the keyword table;\n"
	    "# see authmilter.conf(5)).  Lines starting with '#' are comments; a keyword\n"
	    "# left commented out takes the default shown.\n");
	for (i = 0; i < n; i++) {
		const struct conf_key *k = &keys[i];

		if (k->type == CONF_IGNORED)
			continue;
		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			buf_printf(out, "\n## %s\n", section);
		}
		buf_printf(out, "\n# %s (%s): %s\n", k->name, type_word(k), k->help);
		if (k->def)
			buf_printf(out, "#%s %s\n", k->name, k->def);
		else
			buf_printf(out, "#%s\n", k->name);
	}
}

/* conf_write_man - authmilter.conf(5) */
void
conf_write_man(struct buf *out, const char *version)
{
	const struct conf_key *keys;
	const char *section = NULL;
	size_t i, n;

	keys = conf_keys(&n);
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
	for (i = 0; i < n; i++) {
		const struct conf_key *k = &keys[i];

		if (section == NULL || strcmp(section, k->section) != 0) {
			section = k->section;
			buf_adds(out, ".SH ");
			conf_compat_man_text(out, section);
			buf_adds(out, "\n");
		}
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
	conf_compat_write_man(out);
	buf_adds(out, ".SH SEE ALSO\nauthmilter(8), authmilter-report(8), authmilter-keygen(8)\n");
}
