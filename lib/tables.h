/*
 * tables.h - OpenDKIM's KeyTable and SigningTable
 *
 * KeyTable lines:      NAME DOMAIN:SELECTOR:KEY
 *   DOMAIN "%" means the From domain; KEY is a path when it starts with
 *   "/", "./" or "../", otherwise the key itself (PEM or base64 DER).
 * SigningTable lines:  PATTERN KEYNAME[,KEYNAME...][:SIGNER]
 *   KEYNAME "%" means the key named after the From domain; "%" in SIGNER
 *   is replaced by the From domain.  A plain table is looked up with exact
 *   keys in OpenDKIM's order (tables_signtable_lookup); a refile: table holds
 *   wildcard patterns ("*" only) tried in file order.
 * pgsql:TABLE:CONNINFO reads either table from PostgreSQL (tables_pg.h).
 * Both: "#" starts a comment, blank lines are skipped, key and value are
 * separated by white space, keys compare case-insensitively.  A KEYNAME list
 * (our extension) or a key name given on several KeyTable lines signs with
 * every key named, e.g. an RSA and an Ed25519 selector.
 *
 * The parsers are pure; tables_read() does the file I/O.  Every string in a
 * table belongs to the table and is released by *_free().
 */
#ifndef AUTHMILTER_TABLES_H
#define AUTHMILTER_TABLES_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

struct keytable_entry {
	char	       *name;		/* key name (a pattern in a refile: table) */
	char	       *domain;		/* d=, "%" for the From domain */
	char	       *selector;	/* s= */
	char	       *key;		/* path, or the key data when inline */
	int		inline_key;	/* key holds the key itself */
	size_t		line;
};

struct keytable {
	struct keytable_entry *v;
	size_t		n;
	int		refile;
};

struct signtable_entry {
	char	       *pattern;	/* lookup key, or wildcard pattern */
	struct strlist	keys;		/* key names, "%" for the From domain */
	char	       *signer;		/* i= template or NULL */
	size_t		line;
};

struct signtable {
	struct signtable_entry *v;
	size_t		n;
	int		refile;
};

/* tables_keytable_parse - text (len bytes) into kt; name is used in "name:line: why"
 * errors; 0 or -1 with err set (kt is then empty) */
int	tables_keytable_parse(const char *name, const char *text, size_t len, int refile,
	    struct keytable *kt, struct buf *err);
void	tables_keytable_free(struct keytable *kt);
/* tables_keytable_row - append one entry given as fields (a database row;
 * row is its position, used as the "line" in messages); NULL or the reason */
const char *tables_keytable_row(struct keytable *kt, size_t row, const char *name,
	    const char *dom, const char *sel, const char *key);
/* tables_keytable_find - indices of the entries named name (file order, up to max);
 * returns how many matched */
size_t	tables_keytable_find(const struct keytable *kt, const char *name, size_t *out, size_t max);

int	tables_signtable_parse(const char *name, const char *text, size_t len, int refile,
	    struct signtable *st, struct buf *err);
void	tables_signtable_free(struct signtable *st);
/* tables_signtable_row - append one entry: pattern and the line's value
 * "KEYNAME[,KEYNAME...][:SIGNER]"; NULL or the reason */
const char *tables_signtable_row(struct signtable *st, size_t row, const char *pattern,
	    const char *keys);
/*
 * tables_signtable_lookup - the entries that apply to user@domain (domain lower
 * case), as indices into st->v (up to max), best first; only the first
 * unless multiple.  Plain tables: user@domain, domain, then for each parent
 * user@.parent and .parent (and the bare parent when subdomains), then
 * user@*, then * (opendkim.conf(5), SigningTable).  refile: tables: every
 * pattern matching user@domain, in file order.
 */
size_t	tables_signtable_lookup(const struct signtable *st, const char *user, const char *domain,
	    int multiple, int subdomains, size_t *out, size_t max);

/* tables_glob - case-insensitive match of s against pat, where "*" matches
 * any run of characters and everything else is literal */
int	tables_glob(const char *pat, const char *s);
/* tables_spec - split a dataset spec: "refile:PATH", "file:PATH" or "PATH";
 * *path points into spec.  -1 with err for other types (db:, dsn:, ldap:...) */
int	tables_spec(const char *spec, const char **path, int *refile, struct buf *err);
/* tables_read - the whole file into out (appended); -1 with err naming it */
int	tables_read(const char *path, struct buf *out, struct buf *err);

#endif
