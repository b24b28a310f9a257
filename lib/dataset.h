/*
 * dataset.h - OpenDKIM's "data sets" as far as they make sense here
 *
 * A keyword that takes a list (InternalHosts, PeerList, IgnoreHosts, MTA,
 * Domain, DontSignMailTo, SignHeaders, ...) accepts the forms of
 * opendkim(8), DATA SETS:
 *   "a, b c"        an inline list (commas and/or white space)
 *   "csl:a,b"       the same, spelled out
 *   "file:PATH"     a file, entries one or more a line, '#' comments
 *   "/PATH"         the same (a plain absolute path)
 *   "refile:PATH"   a file whose entries may hold '*' wildcards; only host
 *                   lists match wildcards, other lists refuse them
 * The database types (db:, dsn:, ldap:, ldaps:, ldapi:, lua:, memcache:,
 * mdb:, erlang:, and a path ending in ".db") are refused with a message
 * saying to export the data to a file.
 */
#ifndef AUTHMILTER_DATASET_H
#define AUTHMILTER_DATASET_H

#include "buf.h"
#include "strlist.h"

enum dataset_kind {
	DATASET_INLINE,		/* the spec (after "csl:") is the list */
	DATASET_FILE,		/* file:PATH or /PATH */
	DATASET_REFILE		/* refile:PATH */
};

/* dataset_spec - classify spec; *body is the inline list or the path
 * (pointing into spec); -1 with the reason in err */
int	dataset_spec(const char *spec, enum dataset_kind *kind, const char **body,
	    struct buf *err);
/* dataset_text - the entries' text: the inline list, or the file's content
 * ('#' comments left in); *kind and *name (the path, or NULL when inline)
 * describe where it came from; -1 with err naming the file */
int	dataset_text(const char *spec, struct buf *text, enum dataset_kind *kind,
	    const char **name, struct buf *err);
/* dataset_words - every entry of spec appended to out (lower-cased when
 * lower); '*' in a refile: entry is refused (no wildcards in word lists) */
int	dataset_words(const char *spec, struct strlist *out, int lower, struct buf *err);

#endif
